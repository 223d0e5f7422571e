/* gongkai fix-encoding FILE: convert a file saved as GBK/GB18030 (what
 * Chinese Windows editors write by default) to UTF-8 in place. The original
 * bytes are kept first as FILE.gbk.bak; the converted text then replaces the
 * file in one rename, so an interruption leaves either the old file or the
 * new one, never half of each. A file that is already UTF-8, or that does
 * not decode as GB18030, is left alone. */
#include "cli.h"

#include "../util/buf.h"
#include "../util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fix_read(const char *path, buf *out, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return -1;
        }
        buf_put(out, chunk, (size_t)n);
    }
    close(fd);
    buf_cstr(out);
    return 0;
}

/* Write data to a new file at path (never over an existing one), flushed to
 * disk. */
static int fix_write_new(const char *path, const char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return -1;
    }
    return 0;
}

/* GB18030 to UTF-8. Returns 0, or -1 with the offset of the first byte that
 * does not decode in *bad. */
static int fix_convert(const buf *in, buf *out, size_t *bad)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return -1;
    char *src = in->ptr;
    size_t left = in->len;
    char chunk[65536];
    int rc = 0;
    while (left > 0) {
        char *dst = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &src, &left, &dst, &room);
        buf_put(out, chunk, (size_t)(dst - chunk));
        if (r == (size_t)-1 && errno != E2BIG) {
            *bad = (size_t)(src - in->ptr);
            rc = -1;
            break;
        }
    }
    iconv_close(cd);
    return rc;
}

int cli_fix_encoding(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("fix-encoding 需要一个参数：要转换的文件%s", "");
    const char *path = argv[1];
    buf text = BUF_INIT, utf8 = BUF_INIT, backup = BUF_INIT, tmp = BUF_INIT;
    struct stat st;
    int rc = EXIT_CONTENT;
    size_t bad = 0;
    if (fix_read(path, &text, &st) != 0) {
        int e = errno;
        fprintf(stderr, "gongkai: 无法读取 %s：%s\n", path,
                e == ELOOP ? "这是符号链接，请转换它指向的文件" : strerror(e));
        rc = e == ENOENT ? EXIT_USAGE : EXIT_INTERNAL;
        goto out;
    }
    if (utf8_validate(text.ptr ? text.ptr : "", text.len) == text.len) {
        fprintf(stderr, "gongkai: %s 已经是 UTF-8 编码，不需要转换，未作改动。\n", path);
        goto out;
    }
    if (fix_convert(&text, &utf8, &bad) != 0) {
        int line, col;
        utf8_position(text.ptr, bad, &line, &col);
        fprintf(stderr,
                "gongkai: %s 不是 GBK/GB18030 编码（第 %d 行附近的字节 0x%02X 无法按 GB18030 "
                "解码），未作改动：请确认文件原来的编码，在编辑器中另存为 UTF-8。\n",
                path, line, (unsigned char)text.ptr[bad]);
        goto out;
    }
    buf_printf(&backup, "%s.gbk.bak", path);
    if (fix_write_new(backup.ptr, text.ptr, text.len, st.st_mode) != 0) {
        int e = errno;
        fprintf(stderr, "gongkai: 无法保存备份 %s：%s，未作改动。\n", backup.ptr,
                e == EEXIST ? "备份文件已存在（请先确认并移走它）" : strerror(e));
        rc = e == EEXIST ? EXIT_CONTENT : EXIT_INTERNAL;
        goto out;
    }
    buf_printf(&tmp, "%s.utf8.%ld.tmp", path, (long)getpid());
    if (fix_write_new(tmp.ptr, utf8.ptr ? utf8.ptr : "", utf8.len, st.st_mode) != 0 ||
        rename(tmp.ptr, path) != 0) {
        fprintf(stderr, "gongkai: 无法写入 %s：%s；原文件未改动，备份在 %s。\n", path,
                strerror(errno), backup.ptr);
        unlink(tmp.ptr);
        rc = EXIT_INTERNAL;
        goto out;
    }
    printf("已把 %s 从 GB18030 转换为 UTF-8，原文件保存为 %s。\n", path, backup.ptr);
    rc = 0;
out:
    buf_free(&text);
    buf_free(&utf8);
    buf_free(&backup);
    buf_free(&tmp);
    return rc;
}
