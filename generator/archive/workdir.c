/* Work folders: everything an archive run makes on the way (the rendered
 * site, the PDF, the zip before its rename) lives in .gongkai-tmp-<pid>
 * beside the target, so that the final rename stays on one file system and
 * a run that dies leaves nothing under a name anyone reads. The next run
 * removes the folders of processes that are gone. */
#include "archive_internal.h"

#include "../util/path.h"

#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORKDIR_PREFIX ".gongkai-tmp-"

/* Remove the work folders in `parent` whose process is gone. */
static void archive_workdir_sweep(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    buf path = BUF_INIT;
    struct dirent *e;
    size_t plen = strlen(WORKDIR_PREFIX);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, WORKDIR_PREFIX, plen) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + plen, &end, 10);
        if (*end || pid <= 0)
            continue;
        /* Another run still at work (EPERM: alive, someone else's); our
         * own pid's folder is a leftover of an earlier process. */
        if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", parent, e->d_name);
        path_remove_tree(path.ptr);
    }
    closedir(d);
    buf_free(&path);
}

int archive_workdir_open(const char *parent, buf *out, buf *err)
{
    if (path_mkdirs(parent) != 0) {
        buf_printf(err, "无法创建目录 %s：%s", parent, strerror(errno));
        return -1;
    }
    archive_workdir_sweep(parent);
    buf_printf(out, "%s/%s%ld", parent, WORKDIR_PREFIX, (long)getpid());
    if (mkdir(out->ptr, 0700) != 0) {
        buf_printf(err, "无法创建临时目录 %s：%s", out->ptr, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- listing a tree ------------------------------------------------------ */

typedef struct tree_list {
    arena *mem;
    const char **v;
    size_t len, cap;
} tree_list;

static int archive_tree_walk(tree_list *l, buf *path, size_t root_len)
{
    DIR *d = opendir(path->ptr);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = path->len;
        buf_printf(path, "/%s", e->d_name);
        struct stat st;
        if (lstat(path->ptr, &st) != 0) {
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = archive_tree_walk(l, path, root_len);
        } else if (S_ISREG(st.st_mode)) {
            l->v = xgrow(l->v, &l->cap, l->len + 1, sizeof *l->v);
            l->v[l->len++] = arena_strdup(l->mem, path->ptr + root_len + 1);
        }
        path->len = len;
        path->ptr[len] = '\0';
    }
    closedir(d);
    return rc;
}

static int archive_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int archive_tree_list(const char *dir, arena *mem, const char ***out, size_t *count)
{
    tree_list l = {mem, NULL, 0, 0};
    buf path = BUF_INIT;
    buf_puts(&path, dir);
    int rc = archive_tree_walk(&l, &path, path.len);
    buf_free(&path);
    qsort(l.v, l.len, sizeof *l.v, archive_str_cmp);
    const char **v = arena_alloc(mem, (l.len + 1) * sizeof *v);
    if (l.len)
        memcpy(v, l.v, l.len * sizeof *v);
    free(l.v);
    *out = v;
    *count = l.len;
    return rc;
}
