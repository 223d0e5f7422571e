#include "path.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int path_mkdirs(const char *dir)
{
    buf path = BUF_INIT;
    buf_puts(&path, dir);
    int rc = 0;
    for (size_t i = 1; i <= path.len && rc == 0; i++) {
        if (i < path.len && path.ptr[i] != '/')
            continue;
        char c = path.ptr[i];
        path.ptr[i] = '\0';
        if (mkdir(path.ptr, 0777) != 0 && errno != EEXIST)
            rc = -1;
        path.ptr[i] = c;
    }
    buf_free(&path);
    return rc;
}

int path_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    buf child = BUF_INIT;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        buf_reset(&child);
        buf_printf(&child, "%s/%s", path, e->d_name);
        rc = path_remove_tree(child.ptr);
    }
    closedir(d);
    buf_free(&child);
    return rc == 0 ? rmdir(path) : rc;
}
