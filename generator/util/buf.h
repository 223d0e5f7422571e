/* A growable byte string, always NUL-terminated once anything was put in it. */
#ifndef GK_UTIL_BUF_H
#define GK_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *ptr;
    size_t len, cap;
} buf;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_free(buf *b);
void buf_reset(buf *b); /* empty it, keep the memory */
/* Room for `extra` more bytes (and the NUL) after b->ptr + b->len, for a
 * writer that fills them itself and then counts them in b->len. */
void buf_reserve(buf *b, size_t extra);
void buf_put(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Append the whole file at `path`. Returns 0, or -1 with errno set (what
 * was read before a read error stays appended). */
int buf_read_file(buf *b, const char *path);
/* Append `s` as the body of a JSON string (without the quotes). */
void buf_put_json_string(buf *b, const char *s, size_t len);
/* Append s[0..len) with & < > " ' escaped: for HTML, XML and pango markup. */
void buf_put_html_escaped(buf *b, const char *s, size_t len);
/* The contents ("" when empty); stays valid until the next change. */
const char *buf_cstr(const buf *b);

#endif
