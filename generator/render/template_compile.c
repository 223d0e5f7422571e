#include "template_internal.h"

#include <stdbool.h>
#include <string.h>

/* The chunk's parameters, on its first line so that no line is added. The
 * names are unusual so that template code does not collide with them. */
static const char prologue[] = "local _ENV, _gk_o, _gk_e, _gk_r = ... local _gk_n = 0; ";

/* The length of the line break at s[i] as Lua's lexer counts it ("\n",
 * "\r", "\r\n" and "\n\r" are one break each), 0 when there is none. */
static size_t newline_len(const char *s, size_t i, size_t len)
{
    if (s[i] != '\n' && s[i] != '\r')
        return 0;
    if (i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r') && s[i + 1] != s[i])
        return 2;
    return 1;
}

static int lines_count(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = newline_len(s, i, len);
        n += k > 0;
        i += k ? k : 1;
    }
    return n;
}

static void newlines_put(buf *lua, int n)
{
    while (n-- > 0)
        buf_putc(lua, '\n');
}

/* The text as a Lua "..." literal on one line: quoting every byte that could
 * end it means no text (a "]]", a quote, a backslash) can break out. */
static void literal_put(buf *lua, const char *s, size_t len)
{
    buf_putc(lua, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
            continue;
        buf_put(lua, s + run, i - run);
        run = i + 1;
        if (c == '\n')
            buf_puts(lua, "\\n");
        else if (c == '"' || c == '\\')
            buf_printf(lua, "\\%c", c);
        else
            buf_printf(lua, "\\%03u", c);
    }
    buf_put(lua, s + run, len - run);
    buf_putc(lua, '"');
}

/* The level of a long bracket "[==[" opening at s[i], or -1. */
static int long_bracket_level(const char *s, size_t i, size_t len)
{
    if (s[i] != '[')
        return -1;
    size_t j = i + 1;
    while (j < len && s[j] == '=')
        j++;
    return j < len && s[j] == '[' ? (int)(j - i - 1) : -1;
}

/* Move *i past the long bracket of `level` opening there, counting lines.
 * False when it is not closed before len. */
static bool long_bracket_skip(const char *s, size_t *i, size_t len, int level, int *line)
{
    size_t j = *i + (size_t)level + 2;
    while (j < len) {
        size_t k = newline_len(s, j, len);
        if (k) {
            (*line)++;
            j += k;
            continue;
        }
        if (s[j] == ']' && j + (size_t)level + 1 < len && s[j + level + 1] == ']') {
            size_t e = 1;
            while (e <= (size_t)level && s[j + e] == '=')
                e++;
            if (e == (size_t)level + 1) {
                *i = j + (size_t)level + 2;
                return true;
            }
        }
        j++;
    }
    return false;
}

/* How much of the code in a tag to keep: a "--" comment that runs to the
 * end of the tag is cut, since generated code follows on the same line.
 * Returns -1 when a string or long comment is still open at the end of the
 * tag (it would swallow the generated code), with its line in *open_line
 * (counted from the tag's first line, 0). */
static long code_keep(const char *s, size_t len, int *open_line)
{
    int line = 0;
    size_t i = 0;
    while (i < len) {
        size_t k = newline_len(s, i, len);
        if (k) {
            line++;
            i += k;
            continue;
        }
        int start_line = line;
        if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
            size_t start = i;
            i += 2;
            int level = i < len ? long_bracket_level(s, i, len) : -1;
            if (level >= 0) {
                if (!long_bracket_skip(s, &i, len, level, &line)) {
                    *open_line = start_line;
                    return -1;
                }
                continue;
            }
            while (i < len && s[i] != '\n' && s[i] != '\r')
                i++;
            if (i == len)
                return (long)start;
        } else if (s[i] == '"' || s[i] == '\'') {
            char quote = s[i++];
            /* A line break ends the string for Lua too: it reports that. */
            while (i < len && s[i] != quote && s[i] != '\n' && s[i] != '\r')
                i += s[i] == '\\' && i + 1 < len && s[i + 1] != '\n' && s[i + 1] != '\r' ? 2 : 1;
            if (i == len) {
                *open_line = start_line;
                return -1;
            }
            if (s[i] == quote)
                i++;
        } else if (long_bracket_level(s, i, len) >= 0) {
            if (!long_bracket_skip(s, &i, len, long_bracket_level(s, i, len), &line)) {
                *open_line = start_line;
                return -1;
            }
        } else {
            i++;
        }
    }
    return (long)len;
}

static const char *find(const char *s, size_t from, size_t len, const char *what)
{
    for (size_t i = from; i + 1 < len; i++)
        if (s[i] == what[0] && s[i + 1] == what[1])
            return s + i;
    return NULL;
}

int template_translate(const char *text, size_t len, const char *shown, buf *lua, buf *err)
{
    size_t i = 0;
    int line = 1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* a byte-order mark left by an editor is not page content */
    buf_puts(lua, prologue);
    while (i < len) {
        const char *open = find(text, i, len, "<%");
        size_t literal_end = open ? (size_t)(open - text) : len;
        if (literal_end > i) {
            buf_puts(lua, "_gk_n=_gk_n+1 _gk_o[_gk_n]=");
            literal_put(lua, text + i, literal_end - i);
            buf_puts(lua, "; ");
            int n = lines_count(text + i, literal_end - i);
            newlines_put(lua, n);
            line += n;
        }
        if (!open)
            break;
        size_t body = literal_end + 2;
        char kind = body < len && (text[body] == '=' || text[body] == '-') ? text[body++] : ' ';
        const char *close = find(text, body, len, "%>");
        if (!close) {
            buf_printf(err, "%s:%d: 标签 %s 没有闭合（缺少 %%>）", shown, line,
                       kind == '='   ? "<%="
                       : kind == '-' ? "<%-"
                                     : "<%");
            return -1;
        }
        size_t end = (size_t)(close - text), body_end = end;
        bool trim = body_end > body && text[body_end - 1] == '-';
        body_end -= trim;
        int open_line = 0;
        long keep = code_keep(text + body, body_end - body, &open_line);
        if (keep < 0) {
            buf_printf(err,
                       "%s:%d: 标签里的字符串或注释没有结束（标签在遇到的第一个 %%> "
                       "处结束，代码里需要 %%> 时请拆开写，如 \"%%\" .. \">\"）",
                       shown, line + open_line);
            return -1;
        }
        if (kind == ' ') {
            buf_put(lua, text + body, (size_t)keep);
            buf_putc(lua, ' ');
        } else {
            buf_printf(lua, "_gk_n=_gk_n+1 _gk_o[_gk_n]=%s(", kind == '=' ? "_gk_e" : "_gk_r");
            buf_put(lua, text + body, (size_t)keep);
            buf_puts(lua, "); ");
        }
        line += lines_count(text + body, end - body);
        i = end + 2;
        size_t k = trim && i < len ? newline_len(text, i, len) : 0;
        if (k) {
            buf_putc(lua, '\n');
            line++;
            i += k;
        }
    }
    return 0;
}
