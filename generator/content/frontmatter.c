#include "content.h"

#include "../config/toml.h"

#include <stdio.h>
#include <string.h>

/* The length of the line at s[0..n) without its line end, and where the next
 * line starts (n when there is none). */
static size_t frontmatter_line(const char *s, size_t n, size_t *next)
{
    const char *nl = memchr(s, '\n', n);
    size_t len = nl ? (size_t)(nl - s) : n;
    *next = nl ? len + 1 : n;
    return len;
}

/* A delimiter line is the three characters alone, save for trailing blanks
 * and the CR of a CRLF line end. */
static bool frontmatter_is_delim(const char *s, size_t len, const char *delim)
{
    while (len > 3 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    return len == 3 && memcmp(s, delim, 3) == 0;
}

/* Dropping the CR of each CRLF moves nothing else on its line, so the parsers'
 * positions stay those of the file. */
static char *frontmatter_copy_lf(arena *mem, const char *s, size_t n, size_t *out_len)
{
    char *out = arena_alloc_uninit(mem, n + 1);
    size_t k = 0;
    /* From one CR to the next in one copy: most files have none. */
    for (size_t i = 0; i < n;) {
        const char *cr = memchr(s + i, '\r', n - i);
        size_t run = cr ? (size_t)(cr - s) - i : n - i;
        memcpy(out + k, s + i, run);
        k += run;
        i += run;
        if (i < n) {
            if (i + 1 >= n || s[i + 1] != '\n')
                out[k++] = '\r';
            i++;
        }
    }
    out[k] = '\0';
    *out_len = k;
    return out;
}

/* The line of a delimiter that stands after nothing but blank lines, or 0: an
 * editor who left an empty line above the front matter is told so. */
static int frontmatter_late_delim(const char *s, size_t n)
{
    size_t pos = 0, next;
    for (int line = 1; pos < n; line++) {
        size_t len = frontmatter_line(s + pos, n - pos, &next);
        if (frontmatter_is_delim(s + pos, len, "+++") || frontmatter_is_delim(s + pos, len, "---"))
            return line;
        for (size_t i = 0; i < len; i++)
            if (s[pos + i] != ' ' && s[pos + i] != '\t' && s[pos + i] != '\r')
                return 0;
        pos += next;
    }
    return 0;
}

int content_frontmatter_split(arena *mem, const char *text, size_t len, content_frontmatter *fm)
{
    memset(fm, 0, sizeof *fm);
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;

    size_t next;
    size_t first = frontmatter_line(text + pos, len - pos, &next);
    const char *delim;
    if (frontmatter_is_delim(text + pos, first, "+++")) {
        fm->format = CONTENT_FORMAT_TOML;
        delim = "+++";
    } else if (frontmatter_is_delim(text + pos, first, "---")) {
        fm->format = CONTENT_FORMAT_YAML;
        delim = "---";
    } else {
        fm->problem = CONTENT_SPLIT_MISSING;
        fm->line = frontmatter_late_delim(text + pos, len - pos);
        return -1;
    }
    fm->line = 1;
    fm->text_line = 2;
    pos += next;

    size_t start = pos;
    int line = 2;
    while (pos < len) {
        size_t n = frontmatter_line(text + pos, len - pos, &next);
        if (frontmatter_is_delim(text + pos, n, delim)) {
            fm->text = frontmatter_copy_lf(mem, text + start, pos - start, &fm->len);
            fm->body = text + pos + next;
            fm->body_len = len - pos - next;
            fm->body_line = line + 1;
            return 0;
        }
        pos += next;
        line++;
    }
    fm->problem = CONTENT_SPLIT_UNCLOSED;
    return -1;
}

int content_frontmatter_parse(arena *mem, const content_frontmatter *fm, value **out,
                              content_error *err)
{
    if (fm->format == CONTENT_FORMAT_YAML)
        return content_yaml_parse(mem, fm->text, fm->len, fm->text_line, out, err);
    toml_error terr;
    if (toml_parse(mem, fm->text, fm->len, fm->text_line, out, &terr) == 0)
        return 0;
    err->line = terr.line;
    err->col = terr.col;
    snprintf(err->message, sizeof err->message, "%s", terr.message);
    return -1;
}
