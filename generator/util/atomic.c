#include "atomic.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The directory part of path ("." when it has none). */
static void atomic_dir(const char *path, buf *out)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        buf_puts(out, ".");
    else if (slash == path)
        buf_puts(out, "/");
    else
        buf_put(out, path, (size_t)(slash - path));
}

static void atomic_dir_sync(const char *path)
{
    buf dir = BUF_INIT;
    atomic_dir(path, &dir);
    int fd = open(dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    buf_free(&dir);
}

static int atomic_put(int fd, const char *p, size_t len, bool flush)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return flush ? fsync(fd) : 0;
}

static int atomic_file(const char *path, const void *data, size_t len, bool flush, buf *err)
{
    buf tmp = BUF_INIT;
    atomic_dir(path, &tmp);
    const char *slash = strrchr(path, '/');
    buf_printf(&tmp, "/.%s.%ld.tmp", slash ? slash + 1 : path, (long)getpid());
    int rc = -1;
    int fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        buf_printf(err, "无法写入 %s：%s", tmp.ptr, strerror(errno));
    } else if (atomic_put(fd, data, len, flush) != 0) {
        buf_printf(err, "无法写入 %s：%s", tmp.ptr, strerror(errno));
        close(fd);
        unlink(tmp.ptr);
    } else if (close(fd) != 0 || (!flush && unlink(path) != 0 && errno != ENOENT) ||
               rename(tmp.ptr, path) != 0) {
        buf_printf(err, "无法写入 %s：%s", path, strerror(errno));
        unlink(tmp.ptr);
    } else {
        if (flush)
            atomic_dir_sync(path);
        rc = 0;
    }
    buf_free(&tmp);
    return rc;
}

int atomic_write(const char *path, const void *data, size_t len, buf *err)
{
    return atomic_file(path, data, len, true, err);
}

int atomic_replace(const char *path, const void *data, size_t len, buf *err)
{
    return atomic_file(path, data, len, false, err);
}

int atomic_rename(const char *from, const char *to, buf *err)
{
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        buf_printf(err, "无法写入 %s：%s", from, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (rename(from, to) != 0) {
        buf_printf(err, "无法把 %s 改名为 %s：%s", from, to, strerror(errno));
        return -1;
    }
    atomic_dir_sync(to);
    return 0;
}
