#define _GNU_SOURCE /* renameat2 */
#include "output.h"

#include "../util/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int output_fail(buf *err, const char *what, const char *path)
{
    buf_printf(err, "%s %s：%s", what, path, strerror(errno));
    return -1;
}

int output_open(output *o, const char *target, buf *err)
{
    memset(o, 0, sizeof *o);
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    buf_put(&o->target, target, len);
    buf_printf(&o->staging, "%s.tmp-%ld", o->target.ptr, (long)getpid());
    /* A staging tree of this pid is stale: a previous run's leftovers. */
    path_remove_tree(o->staging.ptr);
    if (mkdir(o->staging.ptr, 0777) != 0)
        return output_fail(err, "无法创建输出目录", o->staging.ptr);
    return 0;
}

/* mkdir -p of every folder above the file at `path`, from `from` on. */
static int output_mkdirs(char *path, size_t from)
{
    for (size_t i = from; path[i]; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        int rc = mkdir(path, 0777);
        path[i] = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int output_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

/* Whether the file at `path` holds exactly data[0..len). */
static bool output_same_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
    char chunk[65536];
    for (size_t done = 0; same && done < len;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0 || (size_t)n > len - done || memcmp(chunk, data + done, (size_t)n) != 0)
            same = false;
        else
            done += (size_t)n;
    }
    close(fd);
    return same;
}

int output_write(output *o, const char *site_path, const char *data, size_t len, buf *err)
{
    if (site_path[0] != '/' || strstr(site_path, "/../") || strstr(site_path, "//")) {
        buf_printf(err, "页面路径“%s”不合法（应以 / 开头，且不能含 ..）", site_path);
        return -1;
    }
    const char *index = site_path[strlen(site_path) - 1] == '/' ? "index.html" : "";
    buf path = BUF_INIT, old = BUF_INIT;
    buf_printf(&path, "%s%s%s", o->staging.ptr, site_path, index);
    buf_printf(&old, "%s%s%s", o->target.ptr, site_path, index);
    int rc = 0;
    if (output_mkdirs(path.ptr, o->staging.len + 1) != 0) {
        rc = output_fail(err, "无法写入", path.ptr + o->staging.len);
    } else if (output_same_file(old.ptr, data, len) && link(old.ptr, path.ptr) == 0) {
        o->unchanged++;
    } else if (output_write_file(path.ptr, data, len) != 0) {
        rc = output_fail(err, "无法写入", path.ptr + o->staging.len);
    }
    if (rc == 0)
        o->files++;
    buf_free(&path);
    buf_free(&old);
    return rc;
}

/* The previous site's file at `site_path`, when it is a file of `len` bytes. */
static bool output_kept(output *o, const char *site_path, size_t len, buf *old)
{
    const char *index = site_path[strlen(site_path) - 1] == '/' ? "index.html" : "";
    buf_printf(old, "%s%s%s", o->target.ptr, site_path, index);
    struct stat st;
    return lstat(old->ptr, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
}

bool output_keepable(output *o, const char *site_path, size_t len)
{
    buf old = BUF_INIT;
    bool ok = output_kept(o, site_path, len, &old);
    buf_free(&old);
    return ok;
}

int output_keep(output *o, const char *site_path, size_t len, buf *err)
{
    const char *index = site_path[strlen(site_path) - 1] == '/' ? "index.html" : "";
    buf path = BUF_INIT, old = BUF_INIT;
    buf_printf(&path, "%s%s%s", o->staging.ptr, site_path, index);
    int rc = 0;
    if (!output_kept(o, site_path, len, &old) || output_mkdirs(path.ptr, o->staging.len + 1) != 0 ||
        link(old.ptr, path.ptr) != 0) {
        rc = output_fail(err, "无法写入", path.ptr + o->staging.len);
    } else {
        o->files++;
        o->unchanged++;
    }
    buf_free(&path);
    buf_free(&old);
    return rc;
}

int output_copy_file(output *o, const char *from, const char *site_path, buf *err)
{
    buf data = BUF_INIT;
    int rc = buf_read_file(&data, from) != 0
                 ? output_fail(err, "无法复制", from)
                 : output_write(o, site_path, buf_cstr(&data), data.len, err);
    buf_free(&data);
    return rc;
}

/* Copy dir/rel (a folder) into the site at rel, sorted. */
static int output_copy_dir(output *o, const char *dir, const char *rel, buf *err)
{
    buf from = BUF_INIT, sub = BUF_INIT, data = BUF_INIT;
    buf_printf(&from, "%s%s", dir, rel);
    struct dirent **names;
    int n = scandir(from.ptr, &names, NULL, alphasort);
    int rc = 0;
    if (n < 0) {
        rc = errno == ENOENT && !*rel ? 0 : output_fail(err, "无法读取目录", from.ptr);
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == 0 && name[0] != '.') {
            buf_reset(&sub);
            buf_printf(&sub, "%s/%s", rel, name);
            buf_reset(&from);
            buf_printf(&from, "%s%s", dir, sub.ptr);
            struct stat st;
            buf_reset(&data);
            if (stat(from.ptr, &st) != 0)
                rc = output_fail(err, "无法读取", from.ptr);
            else if (S_ISDIR(st.st_mode))
                rc = output_copy_dir(o, dir, sub.ptr, err);
            else if (S_ISREG(st.st_mode))
                rc = output_copy_file(o, from.ptr, sub.ptr, err);
        }
        free(names[i]);
    }
    free(n ? names : NULL);
    buf_free(&from);
    buf_free(&sub);
    buf_free(&data);
    return rc;
}

int output_copy_tree(output *o, const char *dir, buf *err)
{
    return output_copy_dir(o, dir, "", err);
}

int output_commit(output *o, buf *err)
{
    /* Swap in one step where the kernel can; a first build just renames. */
    if (renameat2(AT_FDCWD, o->staging.ptr, AT_FDCWD, o->target.ptr, RENAME_EXCHANGE) == 0) {
        path_remove_tree(o->staging.ptr); /* now the old site */
        return 0;
    }
    if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
        return output_fail(err, "无法替换输出目录", o->target.ptr);
    if (rename(o->staging.ptr, o->target.ptr) != 0)
        return output_fail(err, "无法替换输出目录", o->target.ptr);
    return 0;
}

void output_abort(output *o)
{
    if (o->staging.len)
        path_remove_tree(o->staging.ptr);
    output_free(o);
}

void output_free(output *o)
{
    buf_free(&o->target);
    buf_free(&o->staging);
}

void output_link(const char *from, const char *to, buf *out)
{
    /* Skip the folders both paths share, climb out of the rest of `from`. */
    size_t common = 0;
    for (size_t i = 0; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i + 1;
    for (const char *p = from + common; *p; p++)
        if (*p == '/')
            buf_puts(out, "../");
    buf_puts(out, to + common);
    if (out->len == 0)
        buf_puts(out, "./");
}
