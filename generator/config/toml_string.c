/* The four string forms of TOML. Basic strings ("..." and """...""") take
 * escapes; literal strings ('...' and '''...''') are taken as written. None
 * may hold a control character other than tab: the text must read the same
 * on screen as it does to the parser. */
#include "../util/utf8.h"
#include "toml_internal.h"

#include <stdio.h>

/* A character copied as it stands: anything but the closing quote, the
 * backslash of a basic string, and control characters. The text is valid
 * UTF-8 already, so bytes from 0x80 up pass. */
static bool string_plain(unsigned char c, char quote, bool escapes)
{
    if (c == (unsigned char)quote || (escapes && c == '\\'))
        return false;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Copy the longest run of plain characters in one go, so that a string of
 * ten megabytes costs one buffer append per escape or line, not per byte. */
static void string_copy_run(toml_parser *p, char quote, bool escapes)
{
    size_t start = p->pos;
    while (p->pos < p->len && string_plain((unsigned char)p->src[p->pos], quote, escapes))
        p->pos++;
    buf_put(&p->scratch, p->src + start, p->pos - start);
}

static int string_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX or \UXXXXXXXX, the cursor after the letter; the code point must be
 * a Unicode scalar value, since a lone surrogate has no UTF-8 form. */
static int string_unicode(toml_parser *p, size_t esc, int digits)
{
    uint32_t cp = 0;
    for (int i = 0; i < digits; i++) {
        int h = string_hex(toml_peek(p, 0));
        if (h < 0)
            return toml_fail(p, p->pos, "转义序列 \\%c 后应有 %d 位十六进制数字",
                             digits == 4 ? 'u' : 'U', digits);
        cp = cp << 4 | (uint32_t)h;
        p->pos++;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return toml_fail(p, esc, "转义序列 %.*s 不是有效的 Unicode 字符", digits + 2, p->src + esc);
    char enc[4];
    buf_put(&p->scratch, enc, utf8_encode(cp, enc));
    return 0;
}

/* One escape sequence, the cursor on its backslash. */
static int string_escape(toml_parser *p)
{
    size_t esc = p->pos++;
    int c = toml_peek(p, 0);
    char out;
    switch (c) {
    case 'b':
        out = '\b';
        break;
    case 't':
        out = '\t';
        break;
    case 'n':
        out = '\n';
        break;
    case 'f':
        out = '\f';
        break;
    case 'r':
        out = '\r';
        break;
    case '"':
        out = '"';
        break;
    case '\\':
        out = '\\';
        break;
    case 'u':
        p->pos++;
        return string_unicode(p, esc, 4);
    case 'U':
        p->pos++;
        return string_unicode(p, esc, 8);
    default:
        if (c > 0x20 && c != 0x7f) {
            size_t n = 1;
            uint32_t cp;
            if (c >= 0x80)
                n = utf8_decode(p->src + p->pos, p->len - p->pos, &cp);
            return toml_fail(p, esc, "无效的转义序列 \\%.*s", (int)n, p->src + p->pos);
        }
        char what[32];
        return toml_fail(p, esc, "反斜杠后不能是%s", toml_describe(p, p->pos, what));
    }
    p->pos++;
    buf_putc(&p->scratch, out);
    return 0;
}

/* "..." or '...', the cursor after the opening quote. */
static int string_line(toml_parser *p, size_t open, char quote)
{
    bool escapes = quote == '"';
    for (;;) {
        string_copy_run(p, quote, escapes);
        int c = toml_peek(p, 0);
        if (c == quote) {
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            if (string_escape(p) < 0)
                return -1;
            continue;
        }
        if (c < 0 || c == '\n' || (c == '\r' && toml_peek(p, 1) == '\n'))
            return toml_fail(p, open, "字符串未结束");
        return toml_fail(p, p->pos, "字符串中不允许控制字符 U+%04X", c);
    }
}

/* A backslash that is the last thing on its line (blanks may follow it)
 * swallows the line end and every blank and line end after it. Returns 1
 * when it did, 0 when the backslash starts an ordinary escape. */
static int string_line_continuation(toml_parser *p)
{
    size_t k = 1;
    while (toml_peek(p, k) == ' ' || toml_peek(p, k) == '\t')
        k++;
    if (toml_peek(p, k) != '\n' && toml_peek(p, k) != '\r')
        return 0;
    p->pos += k;
    for (;;) {
        toml_skip_ws(p);
        int r = toml_eat_newline(p);
        if (r <= 0)
            return r < 0 ? -1 : 1;
    }
}

/* """...""" or '''...''', the cursor on the opening delimiter. */
static int string_multi(toml_parser *p, size_t open, char quote)
{
    bool escapes = quote == '"';
    p->pos += 3;
    /* A line end straight after the opening delimiter is not content. */
    if (toml_eat_newline(p) < 0)
        return -1;
    for (;;) {
        string_copy_run(p, quote, escapes);
        int c = toml_peek(p, 0);
        if (c == quote) {
            /* One or two quotes may stand right before the closing three:
             * of a run of up to five the last three close the string. */
            size_t n = 1;
            while (n < 5 && toml_peek(p, n) == quote)
                n++;
            p->pos += n;
            if (n < 3) {
                buf_put(&p->scratch, p->src + p->pos - n, n);
                continue;
            }
            buf_put(&p->scratch, p->src + p->pos - n, n - 3);
            return 0;
        }
        if (c == '\\') {
            int r = string_line_continuation(p);
            if (r == 0)
                r = string_escape(p);
            if (r < 0)
                return -1;
            continue;
        }
        int r = toml_eat_newline(p);
        if (r < 0)
            return -1;
        if (r > 0) {
            /* CRLF is stored as LF, as the specification allows, so a
             * value does not depend on how the file was saved. */
            buf_putc(&p->scratch, '\n');
            continue;
        }
        if (c < 0)
            return toml_fail(p, open, "多行字符串未结束");
        return toml_fail(p, p->pos, "字符串中不允许控制字符 U+%04X", c);
    }
}

int toml_string(toml_parser *p, bool multi_ok, const char **s, size_t *len)
{
    size_t open = p->pos;
    char quote = p->src[open];
    buf_reset(&p->scratch);
    int r;
    if (toml_peek(p, 1) == quote && toml_peek(p, 2) == quote) {
        if (!multi_ok)
            return toml_fail(p, open, "键不能是多行字符串");
        r = string_multi(p, open, quote);
    } else {
        p->pos++;
        r = string_line(p, open, quote);
    }
    if (r < 0)
        return -1;
    *s = buf_cstr(&p->scratch);
    *len = p->scratch.len;
    return 0;
}
