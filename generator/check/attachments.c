/* Attachments are files beside the item, inside content/: the path must be
 * relative, without "..", through no symbolic link (a link could reach any
 * file on the machine, and the build would publish it), and lead to a
 * regular file. A name that differs only in Unicode normalisation (a file
 * copied from a Mac is stored decomposed) is the same file. */
#include "check_internal.h"

#include "../util/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The entry of the directory open on dfd whose name is `name` in NFC; 0
 * with its real name in *found, or -1. */
static int attach_find_nfc(check_ctx *c, int dfd, const char *name, buf *found)
{
    const char *want = check_nfc(c, name);
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = -1;
    struct dirent *de;
    while (rc < 0 && (de = readdir(d)) != NULL) {
        if (strcmp(check_nfc(c, de->d_name), want) == 0) {
            buf_reset(found);
            buf_puts(found, de->d_name);
            rc = 0;
        }
    }
    closedir(d);
    return rc;
}

typedef enum attach_problem {
    ATTACH_OK,
    ATTACH_MISSING,
    ATTACH_NOT_FILE,
    ATTACH_LINK,
} attach_problem;

/* Walk `rel` component by component from the directory open on dfd (taken
 * over and closed), never following a link. */
static attach_problem attach_walk(check_ctx *c, int dfd, const char *rel)
{
    buf comp = BUF_INIT, real = BUF_INIT;
    attach_problem p = ATTACH_OK;
    bool file_seen = false; /* "dir/." names no file */
    const char *s = rel;
    while (p == ATTACH_OK && *s) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        buf_reset(&comp);
        buf_put(&comp, s, n);
        s += n + (slash != NULL);
        if (n == 0 || strcmp(comp.ptr, ".") == 0)
            continue;
        bool last = !*s;
        const char *name = comp.ptr;
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT || attach_find_nfc(c, dfd, name, &real) != 0 ||
                fstatat(dfd, real.ptr, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                p = ATTACH_MISSING;
                break;
            }
            name = real.ptr;
        }
        if (S_ISLNK(st.st_mode)) {
            p = ATTACH_LINK;
        } else if (last) {
            p = S_ISREG(st.st_mode) ? ATTACH_OK : ATTACH_NOT_FILE;
            file_seen = true;
        } else if (!S_ISDIR(st.st_mode)) {
            p = ATTACH_MISSING;
        } else {
            int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                p = ATTACH_MISSING;
                break;
            }
            close(dfd);
            dfd = sub;
        }
    }
    close(dfd);
    buf_free(&comp);
    buf_free(&real);
    return p == ATTACH_OK && !file_seen ? ATTACH_NOT_FILE : p;
}

static bool attach_has_dotdot(const char *s)
{
    for (const char *p = s; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return true;
    return false;
}

static void attach_check(check_ctx *c, const content_item *it, const content_str *a, int dir_fd)
{
    const char *shown = check_excerpt(c, a->s, strlen(a->s));
    const char *why = NULL;
    if (!a->s[strspn(a->s, " \t")])
        why = "附件名为空";
    else if (a->s[0] == '/' || a->s[0] == '~' ||
             (((a->s[0] | 0x20) >= 'a' && (a->s[0] | 0x20) <= 'z') && a->s[1] == ':'))
        why = "是绝对路径，指向 content/ 之外";
    else if (strchr(a->s, '\\'))
        why = "含有反斜杠 \\：路径请用 / 分隔";
    else if (attach_has_dotdot(a->s))
        why = "含有“..”，会跑到本信息所在文件夹之外";
    if (why) {
        check_diag(c, DIAG_ERROR, "GK205", it, a->line, a->col,
                   "附件“%s”%s：附件必须是与本信息放在同一文件夹（或其下级文件夹）中的文件，"
                   "请把文件复制过来，这里只写文件名",
                   shown, why);
        return;
    }
    int fd = dir_fd >= 0 ? dup(dir_fd) : -1;
    attach_problem p = fd >= 0 ? attach_walk(c, fd, a->s) : ATTACH_MISSING;
    if (p == ATTACH_MISSING)
        check_diag(c, DIAG_ERROR, "GK204", it, a->line, a->col,
                   "附件“%s”不存在：请把文件放在本信息所在的文件夹中，并核对文件名（包括扩展名）",
                   shown);
    else if (p == ATTACH_NOT_FILE)
        check_diag(c, DIAG_ERROR, "GK204", it, a->line, a->col,
                   "附件“%s”不是普通文件（是文件夹或设备）：请写出具体的文件名", shown);
    else if (p == ATTACH_LINK)
        check_diag(c, DIAG_ERROR, "GK205", it, a->line, a->col,
                   "附件“%s”经过符号链接，可能指向 content/ 之外，已拒绝：请把文件本身复制到本"
                   "信息所在的文件夹",
                   shown);
}

void check_attachments_run(check_ctx *c)
{
    buf dir = BUF_INIT;
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (!it->attachments.len || !check_item_published(c, it))
            continue;
        const char *slash = strrchr(it->path, '/');
        buf_reset(&dir);
        buf_printf(&dir, "%s/%.*s", c->cfg->root, slash ? (int)(slash - it->path) : 0, it->path);
        int fd = open(dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (size_t k = 0; k < it->attachments.len; k++)
            attach_check(c, it, &it->attachments.v[k], fd);
        if (fd >= 0)
            close(fd);
    }
    buf_free(&dir);
}
