#include "tsv.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Whether any of the 8 bytes in x is a control character or a backslash:
 * the usual has-zero-byte test on x ^ 0x7f and x ^ 0x5c, and the high bit
 * clear after subtracting 0x20 for the bytes below it. */
static bool tsv_word_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t del = x ^ (0x7f * ones), bs = x ^ (0x5c * ones);
    uint64_t hits = ((x - 0x20 * ones) | ((del - ones) & ~del) | ((bs - ones) & ~bs)) & ~x & high;
    return hits != 0;
}

char *tsv_field_write(char *out, const char *s, size_t len)
{
    /* Most fields have nothing to escape: copied a run at a time, the runs
     * found eight bytes at a time. */
    const char *end = s + len;
    for (;;) {
        const char *run = s;
        for (uint64_t x; end - s >= 8; s += 8) {
            memcpy(&x, s, 8);
            if (tsv_word_special(x))
                break;
        }
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
    /* A field rarely holds anything to undo: it is checked eight bytes at a
     * time up to the first that may need it. */
    size_t i = 0;
    for (uint64_t x; i + 8 <= len; i += 8) {
        memcpy(&x, s + i, 8);
        if (tsv_word_special(x))
            break;
    }
    char *o = s + i;
    for (; i < len; i++) {
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
