#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        b->ptr = xgrow(b->ptr, &b->cap, b->len + extra + 1, 1);
}

void buf_free(buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void buf_put(buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
    buf_put(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    /* Format straight into the room left; only when that is too small,
     * grow and format again. */
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n <= 0) {
        if (room)
            b->ptr[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

int buf_read_file(buf *b, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* Room for the whole file at once: caches and catalogue.lock are
     * megabytes, which grown a chunk at a time were copied again and again. */
    struct stat st;
    buf_reserve(b, fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 65536);
    for (;;) {
        if (b->cap - b->len < 2)
            buf_reserve(b, 65536);
        ssize_t n = read(fd, b->ptr + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            b->ptr[b->len] = '\0';
            close(fd);
            errno = saved;
            return n < 0 ? -1 : 0;
        }
        b->len += (size_t)n;
    }
}

void buf_put_json_string(buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(b, "\\u%04x", c);
            else
                buf_putc(b, (char)c);
        }
    }
}

void buf_put_html_escaped(buf *b, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *entity = NULL;
        switch (s[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        }
        if (entity) {
            buf_put(b, s + start, i - start);
            buf_puts(b, entity);
            start = i + 1;
        }
    }
    buf_put(b, s + start, len - start);
}

const char *buf_cstr(const buf *b)
{
    return b->ptr ? b->ptr : "";
}
