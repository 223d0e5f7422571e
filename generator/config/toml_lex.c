/* The cursor layer of the TOML parser: where we are, what may be skipped
 * between tokens, and how an error is reported. */
#include "../util/utf8.h"
#include "toml_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int toml_fail(toml_parser *p, size_t off, const char *fmt, ...)
{
    /* Errors are rare and may point back before the current line (the
     * opening quote of an unterminated multi-line string), so the position
     * is counted afresh from the start of the text. */
    int line, col;
    utf8_position(p->src, off > p->len ? p->len : off, &line, &col);
    p->err->line = line + p->line_base - 1;
    p->err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return -1;
}

void toml_where(toml_parser *p, size_t off, int *line, int *col)
{
    if (p->col_off < p->line_start || p->col_off > off) {
        p->col_off = p->line_start;
        p->col = 1;
    }
    /* The text is valid UTF-8 by now: every byte that is not a continuation
     * byte starts a code point. Counted in locals, which the compiler may
     * keep in registers (p->src could alias p->col). */
    size_t i = p->col_off;
    int counted = p->col;
    for (; i < off; i++)
        counted += ((unsigned char)p->src[i] & 0xc0) != 0x80;
    p->col_off = i;
    p->col = counted;
    *line = p->line;
    *col = p->col;
}

const char *toml_describe(const toml_parser *p, size_t off, char out[32])
{
    if (off >= p->len)
        return "文件结尾";
    unsigned char c = (unsigned char)p->src[off];
    if (c == '\n' || (c == '\r' && off + 1 < p->len && p->src[off + 1] == '\n'))
        return "换行";
    if (c < 0x20 || c == 0x7f) {
        snprintf(out, 32, "控制字符 U+%04X", c);
        return out;
    }
    uint32_t cp;
    size_t n = utf8_decode(p->src + off, p->len - off, &cp);
    if (n == 0)
        n = 1;
    /* Characters a reader could mistake for a space are named by number. */
    if (cp == 0x3000 || cp == 0xa0 || cp == 0xfeff) {
        snprintf(out, 32, "U+%04X", (unsigned)cp);
        return out;
    }
    snprintf(out, 32, "\"%.*s\"", (int)n, p->src + off);
    return out;
}

void toml_quote(const char *s, size_t len, char *out, size_t cap)
{
    /* Room is kept for an escape, the ellipsis and the closing quote. */
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 16 > cap) {
            while (i > 0 && (c & 0xc0) == 0x80) {
                o--; /* do not cut a character in half */
                c = (unsigned char)s[--i];
            }
            memcpy(out + o, "…", strlen("…"));
            o += strlen("…");
            break;
        }
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04X", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

void toml_skip_ws(toml_parser *p)
{
    while (p->pos < p->len && (p->src[p->pos] == ' ' || p->src[p->pos] == '\t'))
        p->pos++;
}

int toml_eat_newline(toml_parser *p)
{
    size_t n;
    if (toml_peek(p, 0) == '\n')
        n = 1;
    else if (toml_peek(p, 0) == '\r' && toml_peek(p, 1) == '\n')
        n = 2;
    else if (toml_peek(p, 0) == '\r')
        return toml_fail(p, p->pos, "回车符 (CR) 后面必须紧跟换行符 (LF)");
    else
        return 0;
    p->pos += n;
    p->line++;
    p->line_start = p->pos;
    return 1;
}

/* A comment runs to the line end; it may hold tabs but no other control
 * character, because those would hide text from a reader. */
static int toml_skip_comment(toml_parser *p)
{
    if (toml_peek(p, 0) != '#')
        return 0;
    for (p->pos++; p->pos < p->len; p->pos++) {
        unsigned char c = (unsigned char)p->src[p->pos];
        if (c == '\n' || (c == '\r' && toml_peek(p, 1) == '\n'))
            break;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return toml_fail(p, p->pos, "注释中不允许控制字符 U+%04X", c);
    }
    return 0;
}

int toml_end_line(toml_parser *p)
{
    toml_skip_ws(p);
    if (toml_skip_comment(p) < 0)
        return -1;
    if (p->pos >= p->len)
        return 0;
    int r = toml_eat_newline(p);
    if (r != 0)
        return r < 0 ? -1 : 0;
    char what[32];
    return toml_fail(p, p->pos, "此处应换行，而不是%s", toml_describe(p, p->pos, what));
}

int toml_skip_blank(toml_parser *p)
{
    for (;;) {
        toml_skip_ws(p);
        if (toml_skip_comment(p) < 0)
            return -1;
        int r = toml_eat_newline(p);
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
    }
}

bool toml_is_bare_key_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}
