/* A file written whole or not at all: into a temporary file beside it,
 * flushed to disk, then renamed over the old one. */
#include "sheets_internal.h"

#include "../util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int file_put(int fd, const buf *data)
{
    size_t done = 0;
    while (done < data->len) {
        ssize_t n = write(fd, data->ptr + done, data->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return fsync(fd);
}

int sheet_file_write(const char *dir, const char *name, const buf *data, buf *err)
{
    buf tmp = BUF_INIT, target = BUF_INIT;
    buf_printf(&tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
    buf_printf(&target, "%s/%s", dir, name);
    int rc = -1;
    if (path_mkdirs(dir) != 0) {
        buf_printf(err, "无法创建目录 %s：%s", dir, strerror(errno));
        goto out;
    }
    int fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        buf_printf(err, "无法写入 %s：%s", tmp.ptr, strerror(errno));
        goto out;
    }
    if (file_put(fd, data) != 0) {
        buf_printf(err, "无法写入 %s：%s", tmp.ptr, strerror(errno));
        close(fd);
        unlink(tmp.ptr);
        goto out;
    }
    close(fd);
    if (rename(tmp.ptr, target.ptr) != 0) {
        buf_printf(err, "无法把 %s 改名为 %s：%s", tmp.ptr, target.ptr, strerror(errno));
        unlink(tmp.ptr);
        goto out;
    }
    /* The rename is only durable once the directory is on disk too. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    buf_free(&tmp);
    buf_free(&target);
    return rc;
}
