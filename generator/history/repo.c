/* The repository: finding it from the site directory, what is uncommitted,
 * HEAD, reading file contents at a revision or a commit, and saying what
 * went wrong. */
#include "history_internal.h"

#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int history_fail(diag_list *diags, const char *code, const char *what)
{
    const git_error *e = git_error_last();
    diag_add(diags, DIAG_ERROR, code, "", 0, 0, "%s：%s", what,
             e && e->message ? e->message : "未知错误");
    return -1;
}

/* Where the site root lies in the work tree, with a trailing slash; -1 when
 * it lies outside it. */
static int history_prefix_find(history *h)
{
    const char *workdir = git_repository_workdir(h->repo);
    if (!workdir)
        return -1; /* a bare repository: no files to build from */
    char *root = realpath(h->cfg->root, NULL);
    char *top = realpath(workdir, NULL);
    int rc = -1;
    if (root && top) {
        size_t n = strlen(top);
        if (strcmp(root, top) == 0) {
            rc = 0;
        } else if (strncmp(root, top, n) == 0 && (root[n] == '/' || n == 1)) {
            buf_printf(&h->prefix, "%s/", root + n + (n > 1));
            rc = 0;
        }
    }
    free(root);
    free(top);
    return rc;
}

/* Whether a work tree may hold the site: libgit2 finds one from a folder
 * with a .git (folder, or file naming the repository) in it or above it;
 * where no folder up to the root has one there is none (a bare repository
 * found instead has no files to build from, which reads as none too), and
 * libgit2 is not started: starting it loads the system's certificates, a
 * few milliseconds of every build. Anything but a clear "no such file"
 * counts as maybe. */
static bool history_work_tree_possible(const char *root)
{
    char *real = realpath(root, NULL);
    if (!real)
        return true;
    buf path = BUF_INIT;
    bool maybe = false;
    for (size_t len = strlen(real); !maybe;) {
        buf_reset(&path);
        buf_put(&path, real, len);
        buf_puts(&path, "/.git");
        struct stat st;
        maybe = lstat(path.ptr, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
        while (len > 0 && real[len - 1] != '/')
            len--;
        if (len == 0)
            break;
        len--; /* the folder above; "" stands for the root */
    }
    buf_free(&path);
    free(real);
    return maybe;
}

int history_open(history **out, const site_config *cfg, diag_list *diags)
{
    history *h = xcalloc(1, sizeof *h);
    h->cfg = cfg;
    arena_init(&h->mem);
    buf_puts(&h->prefix, "");
    *out = h;
    if (!history_work_tree_possible(cfg->root))
        return 0;
    h->started = true;
    git_libgit2_init();
    /* A walk over every commit reads every tree: libgit2 would cache them
     * up to 256 MiB and map each pack whole (1 GiB windows). Bounded, and
     * with the repository opened anew after such a walk
     * (history_repository_renew), a full build of 10 000 items in 10 001
     * commits peaks at 137 MiB instead of 213, in the same time. */
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)HISTORY_CACHE_MAX);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)HISTORY_WINDOW);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)HISTORY_MAPPED_MAX);
    int e = git_repository_open_ext(&h->repo, cfg->root, 0, NULL);
    if (e == GIT_ENOTFOUND) {
        h->repo = NULL;
        return 0;
    }
    if (e < 0) {
        h->repo = NULL;
        return history_fail(diags, "GK603", "无法打开站点所在的 git 仓库");
    }
    if (history_prefix_find(h) != 0) {
        git_repository_free(h->repo);
        h->repo = NULL;
    }
    return 0;
}

int history_repository_renew(history *h, diag_list *diags)
{
    git_repository_free(h->repo);
    h->repo = NULL;
    if (git_repository_open_ext(&h->repo, h->cfg->root, 0, NULL) < 0) {
        h->repo = NULL;
        return history_fail(diags, "GK603", "无法打开站点所在的 git 仓库");
    }
    xalloc_heap_release();
    return 0;
}

void history_close(history *h)
{
    if (!h)
        return;
    git_repository_free(h->repo);
    free(h->slots);
    free(h->revisions);
    free(h->found_slot);
    free(h->item_slot);
    free(h->withdrawn_slot);
    free(h->releases);
    buf_free(&h->prefix);
    buf_free(&h->manifest);
    buf_free(&h->changes);
    buf_free(&h->message);
    arena_free(&h->mem);
    if (h->started)
        git_libgit2_shutdown();
    free(h);
}

bool history_is_repository(const history *h)
{
    return h && h->repo;
}

static int repo_status_each(history *h, const char *const *paths, size_t n, git_status_show_t show,
                            unsigned flags, history_status_fn fn, void *ctx, diag_list *diags)
{
    char **specs = xcalloc(n + 1, sizeof *specs);
    for (size_t i = 0; i < n; i++)
        specs[i] = arena_printf(&h->mem, "%s%s", h->prefix.ptr, paths[i]);
    git_status_options opt;
    git_status_options_init(&opt, GIT_STATUS_OPTIONS_VERSION);
    opt.show = show;
    opt.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES | flags;
    if (show != GIT_STATUS_SHOW_INDEX_ONLY)
        opt.flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    opt.pathspec.strings = specs;
    opt.pathspec.count = n;
    git_status_list *list;
    int rc = 0;
    if (git_status_list_new(&list, h->repo, &opt) < 0) {
        rc = history_fail(diags, "GK603", "无法读取 git 工作区状态");
    } else {
        size_t count = git_status_list_entrycount(list);
        for (size_t i = 0; i < count; i++) {
            const git_status_entry *s = git_status_byindex(list, i);
            const git_diff_delta *d = s->index_to_workdir ? s->index_to_workdir : s->head_to_index;
            const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;
            size_t skip = h->prefix.len;
            if (s->status == GIT_STATUS_CURRENT || s->status & GIT_STATUS_IGNORED ||
                strncmp(path, h->prefix.ptr, skip) != 0)
                continue;
            fn(path + skip, s->status, ctx);
        }
        git_status_list_free(list);
    }
    free(specs);
    return rc;
}

int history_status_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                        void *ctx, diag_list *diags)
{
    return repo_status_each(h, paths, n, GIT_STATUS_SHOW_INDEX_AND_WORKDIR, 0, fn, ctx, diags);
}

int history_status_staged_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                               void *ctx, diag_list *diags)
{
    return repo_status_each(h, paths, n, GIT_STATUS_SHOW_INDEX_ONLY, 0, fn, ctx, diags);
}

int history_status_exact_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                              void *ctx, diag_list *diags)
{
    return repo_status_each(h, paths, n, GIT_STATUS_SHOW_INDEX_AND_WORKDIR,
                            GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH, fn, ctx, diags);
}

int history_revision_read(history *h, const history_revision *r, buf *out, diag_list *diags)
{
    git_oid id;
    git_blob *blob;
    if (git_oid_fromstr(&id, r->blob) < 0 || git_blob_lookup(&blob, h->repo, &id) < 0) {
        diag_add(diags, DIAG_ERROR, "GK603", r->path, 0, 0,
                 "无法从 git 读取 %s 版本 v%d（提交 %s）", r->path, r->number, r->short_id);
        return -1;
    }
    buf_reset(out);
    buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    return 0;
}

const char *history_time_format(arena *mem, const git_time *t, date *day)
{
    long days = (long)((t->time + (git_time_t)t->offset * 60) / 86400);
    long secs = (long)((t->time + (git_time_t)t->offset * 60) % 86400);
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    *day = date_from_days(days);
    return arena_printf(mem, "%04d-%02d-%02d %02ld:%02ld", day->year, day->month, day->day,
                        secs / 3600, secs / 60 % 60);
}

int history_tree_file(history *h, git_tree *tree, const char *path, buf *out)
{
    git_tree_entry *e;
    if (git_tree_entry_bypath(&e, tree, path) < 0)
        return 0;
    git_filemode_t mode = git_tree_entry_filemode(e);
    git_blob *blob = NULL;
    int rc = 0; /* a link or a folder */
    if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE)
        rc = git_blob_lookup(&blob, h->repo, git_tree_entry_id(e)) < 0 ? -1 : 1;
    git_tree_entry_free(e);
    if (blob) {
        buf_reset(out);
        buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
        git_blob_free(blob);
    }
    return rc;
}

int history_head_oid(history *h, git_oid *id, diag_list *diags)
{
    int e = git_reference_name_to_id(id, h->repo, "HEAD");
    if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND)
        return 0;
    if (e < 0)
        return history_fail(diags, "GK603", "无法读取 git 的 HEAD");
    return 1;
}

int history_head_read(history *h, char id[41], diag_list *diags)
{
    id[0] = '\0';
    git_oid head;
    int rc = history_is_repository(h) ? history_head_oid(h, &head, diags) : 0;
    if (rc > 0)
        git_oid_tostr(id, 41, &head);
    return rc < 0 ? -1 : 0;
}

int history_commit_file_read(history *h, const char *commit, const char *path, buf *out,
                             diag_list *diags)
{
    if (!history_is_repository(h) || !commit[0])
        return 0;
    buf full = BUF_INIT;
    buf_printf(&full, "%s%s", h->prefix.ptr, path);
    git_oid id;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    int rc = git_oid_fromstr(&id, commit) < 0 || git_commit_lookup(&c, h->repo, &id) < 0 ||
                     git_commit_tree(&tree, c) < 0
                 ? -1
                 : history_tree_file(h, tree, full.ptr, out);
    if (rc < 0) {
        buf what = BUF_INIT;
        buf_printf(&what, "无法从 git 读取 %s（提交 %.7s）", full.ptr, commit);
        history_fail(diags, "GK603", what.ptr);
        buf_free(&what);
    }
    git_tree_free(tree);
    git_commit_free(c);
    buf_free(&full);
    return rc;
}
