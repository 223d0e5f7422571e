/* Request paths, content types and where the reload snippet goes: the pure
 * parts of the preview server. */
#include "serve.h"

#include <string.h>
#include <strings.h>

static int serve_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append segment s[0..len) unless it is "." or empty; ".." is refused. */
static serve_path_status serve_segment(const char *s, size_t len, buf *out)
{
    if (len == 0 || (len == 1 && s[0] == '.'))
        return SERVE_PATH_OK;
    if (len == 2 && s[0] == '.' && s[1] == '.')
        return SERVE_PATH_BAD;
    buf_put(out, s, len);
    buf_putc(out, '/');
    return SERVE_PATH_OK;
}

serve_path_status serve_path_normalise(const char *target, buf *out)
{
    buf_reset(out);
    if (target[0] != '/' || target[1] == '/')
        return SERVE_PATH_BAD;
    /* Decode first, so that %2e%2e is seen as the ".." it is. */
    buf dec = BUF_INIT;
    serve_path_status st = SERVE_PATH_OK;
    for (const char *p = target; *p && st == SERVE_PATH_OK; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int hi = serve_hex(p[1]), lo = hi < 0 ? -1 : serve_hex(p[2]);
            if (lo < 0) {
                st = SERVE_PATH_BAD;
                break;
            }
            c = (unsigned char)(hi << 4 | lo);
            if (c == '/' || c == '\\')
                st = SERVE_PATH_BAD; /* a slash inside a name: never one of ours */
            p += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            st = SERVE_PATH_BAD;
        buf_putc(&dec, (char)c);
    }
    const char *s = buf_cstr(&dec);
    size_t start = 1;
    for (size_t i = 1; st == SERVE_PATH_OK && i <= dec.len; i++) {
        if (i == dec.len || s[i] == '/') {
            st = serve_segment(s + start, i - start, out);
            start = i + 1;
        }
    }
    /* A target naming a file keeps no slash at the end; a folder keeps one. */
    if (st == SERVE_PATH_OK && out->len && s[dec.len - 1] != '/')
        out->ptr[--out->len] = '\0';
    if (st != SERVE_PATH_OK)
        buf_reset(out);
    buf_free(&dec);
    return st;
}

const char *serve_mime_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json; charset=utf-8"},
        {"xml", "application/xml; charset=utf-8"},
        {"txt", "text/plain; charset=utf-8"},
        {"md", "text/markdown; charset=utf-8"},
        {"csv", "text/csv; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"ico", "image/x-icon"},
        {"woff2", "font/woff2"},
        {"woff", "font/woff"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"pdf", "application/pdf"},
        {"zip", "application/zip"},
        {"doc", "application/msword"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xls", "application/vnd.ms-excel"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"ofd", "application/ofd"},
    };
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

size_t serve_inject_offset(const char *html, size_t len)
{
    for (size_t i = len; i >= 7; i--)
        if (strncasecmp(html + i - 7, "</body>", 7) == 0)
            return i - 7;
    return len;
}
