#include "tsv.h"

#include <string.h>

char *tsv_field_write(char *out, const char *s, size_t len)
{
    /* Most fields have nothing to escape: copied a run at a time. */
    const char *end = s + len;
    for (;;) {
        const char *run = s;
        while (s < end && *s != '\\' && *s != '\t' && *s != '\n' && *s != '\r')
            s++;
        memcpy(out, run, (size_t)(s - run));
        out += s - run;
        if (s == end)
            return out;
        *out++ = '\\';
        *out++ = *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\';
        s++;
    }
}

void tsv_field_put(buf *out, const char *s)
{
    size_t len = strlen(s);
    buf_reserve(out, 2 * len);
    out->len = (size_t)(tsv_field_write(out->ptr + out->len, s, len) - out->ptr);
    out->ptr[out->len] = '\0';
}

char *tsv_field_decode(char *s, size_t len)
{
    char *o = s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return NULL;
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        if (++i == len)
            return NULL;
        switch (s[i]) {
        case '\\':
            *o++ = '\\';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        default:
            return NULL;
        }
    }
    *o = '\0';
    return s;
}

const char *tsv_field_read(arena *mem, const char *s, size_t len)
{
    char *out = arena_alloc_uninit(mem, len + 1);
    memcpy(out, s, len);
    return tsv_field_decode(out, len);
}

size_t tsv_fields_split(const char *s, size_t len, const char **f, size_t *n, size_t max)
{
    size_t count = 0;
    const char *end = s + len;
    for (const char *start = s;; count++) {
        const char *tab = memchr(start, '\t', (size_t)(end - start));
        const char *stop = tab ? tab : end;
        if (count < max) {
            f[count] = start;
            n[count] = (size_t)(stop - start);
        }
        if (!tab)
            return count + 1;
        start = tab + 1;
    }
}
