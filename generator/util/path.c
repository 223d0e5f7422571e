#include "path.h"

#include <string.h>

int path_join(buf *out, const char *base, const char *rel, size_t floor)
{
    buf_reset(out);
    buf_puts(out, base);
    const char *s = rel;
    while (*s) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            size_t cut = out->len;
            while (cut > 0 && out->ptr[cut - 1] != '/')
                cut--;
            if (cut == 0 || cut - 1 < floor)
                return -1;
            out->len = cut - 1;
            out->ptr[out->len] = '\0';
        } else if (n > 0 && !(n == 1 && s[0] == '.')) {
            buf_putc(out, '/');
            buf_put(out, s, n);
        }
        if (!slash)
            break;
        s = slash + 1;
        if (!*s) /* a trailing slash stays: it names a folder page */
            buf_putc(out, '/');
    }
    return 0;
}
