/* What the archive needs from git, read with libgit2: the source commit
 * (HEAD), the release tag that published it, and files as committed. Kept
 * small and separate on purpose: the history stage (generator/history/) owns
 * git, and these few functions belong there once both are in one tree.
 *
 * The release tag: `gongkai publish` commits each release onto the release
 * branch ([publish] branch) with "Source-Commit: <id>" in its message and
 * tags it. Walking that branch from its tip, the first release naming HEAD
 * as its source that carries a tag gives it; none means HEAD was never
 * published (or there is no release branch). */
#include "archive_internal.h"

#include "../util/xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void archive_git_warn(diag_list *diags, const char *what)
{
    const git_error *e = git_error_last();
    diag_add(diags, DIAG_WARNING, "GK803", "", 0, 0,
             "读取 git 仓库时出错（%s：%s），建档清单中不记源提交和发布标签", what,
             e && e->message ? e->message : "未知错误");
}

/* The site root inside the work tree ("" or "sub/dir/"), or -1 when the
 * site is not under the work tree at all. */
static int archive_git_prefix(archive_git *g, const char *root)
{
    const char *workdir = git_repository_workdir(g->repo);
    char site[PATH_MAX], work[PATH_MAX];
    if (!workdir || !realpath(root, site) || !realpath(workdir, work))
        return -1;
    size_t n = strlen(work);
    if (strcmp(site, work) == 0)
        return 0;
    if (strncmp(site, work, n) != 0 || site[n] != '/')
        return -1;
    buf_printf(&g->prefix, "%s/", site + n + 1);
    return 0;
}

typedef struct tag_list {
    git_repository *repo;
    arena *mem;
    git_oid *commits; /* what each tag points at, peeled to a commit */
    const char **names;
    size_t len, cap;
} tag_list;

static int archive_git_tag(const char *name, git_oid *oid, void *payload)
{
    tag_list *t = payload;
    git_object *obj = NULL, *commit = NULL;
    if (git_object_lookup(&obj, t->repo, oid, GIT_OBJECT_ANY) == 0 &&
        git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0) {
        if (t->len == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 16;
            t->commits = xrealloc(t->commits, t->cap * sizeof *t->commits);
            t->names = xrealloc(t->names, t->cap * sizeof *t->names);
        }
        git_oid_cpy(&t->commits[t->len], git_object_id(commit));
        const char *short_name = strncmp(name, "refs/tags/", 10) == 0 ? name + 10 : name;
        t->names[t->len++] = arena_strdup(t->mem, short_name);
    }
    git_object_free(commit);
    git_object_free(obj);
    return 0;
}

/* The tag of the newest release on the release branch built from HEAD. */
static void archive_git_release(archive_git *g, const site_config *cfg, arena *mem)
{
    buf ref = BUF_INIT, needle = BUF_INIT;
    buf_printf(&ref, "refs/heads/%s", cfg->publish_branch);
    buf_printf(&needle, "Source-Commit: %s", g->head);
    git_oid tip;
    tag_list tags = {g->repo, mem, NULL, NULL, 0, 0};
    git_revwalk *walk = NULL;
    if (git_reference_name_to_id(&tip, g->repo, ref.ptr) != 0 ||
        git_tag_foreach(g->repo, archive_git_tag, &tags) != 0 ||
        git_revwalk_new(&walk, g->repo) != 0 || git_revwalk_push(walk, &tip) != 0)
        goto out;
    git_revwalk_simplify_first_parent(walk);
    git_oid id;
    while (!g->release_tag && git_revwalk_next(&id, walk) == 0) {
        git_commit *c;
        if (git_commit_lookup(&c, g->repo, &id) != 0)
            break;
        const char *message = git_commit_message(c);
        if (message && strstr(message, needle.ptr)) {
            /* Tags sort by name, so of two on one release the later wins. */
            for (size_t i = 0; i < tags.len; i++)
                if (git_oid_equal(&tags.commits[i], &id) &&
                    (!g->release_tag || strcmp(tags.names[i], g->release_tag) > 0))
                    g->release_tag = tags.names[i];
        }
        git_commit_free(c);
    }
out:
    git_revwalk_free(walk);
    free(tags.names);
    free(tags.commits);
    buf_free(&ref);
    buf_free(&needle);
}

void archive_git_open(archive_git *g, const site_config *cfg, arena *mem, diag_list *diags)
{
    memset(g, 0, sizeof *g);
    git_libgit2_init();
    int rc = git_repository_open_ext(&g->repo, cfg->root, 0, NULL);
    if (rc == GIT_ENOTFOUND) {
        g->repo = NULL;
        return;
    }
    if (rc != 0) {
        archive_git_warn(diags, "打开仓库");
        g->repo = NULL;
        return;
    }
    if (git_repository_is_bare(g->repo) || archive_git_prefix(g, cfg->root) != 0) {
        git_repository_free(g->repo);
        g->repo = NULL;
        return;
    }
    git_oid head;
    rc = git_reference_name_to_id(&head, g->repo, "HEAD");
    if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
        return; /* no commit yet: every file is the working tree's */
    git_commit *commit = NULL;
    if (rc != 0 || git_commit_lookup(&commit, g->repo, &head) != 0 ||
        git_commit_tree(&g->tree, commit) != 0) {
        archive_git_warn(diags, "读取 HEAD");
        git_commit_free(commit);
        git_tree_free(g->tree);
        git_repository_free(g->repo);
        g->tree = NULL;
        g->repo = NULL;
        return;
    }
    git_commit_free(commit);
    git_oid_tostr(g->head, sizeof g->head, &head);
    archive_git_release(g, cfg, mem);
}

void archive_git_close(archive_git *g)
{
    git_tree_free(g->tree);
    git_repository_free(g->repo);
    buf_free(&g->prefix);
    git_libgit2_shutdown();
}

int archive_git_read(archive_git *g, const char *path, buf *out, buf *err)
{
    if (!g->tree)
        return 0;
    buf full = BUF_INIT;
    buf_printf(&full, "%s%s", buf_cstr(&g->prefix), path);
    git_tree_entry *entry = NULL;
    git_blob *blob = NULL;
    int rc = 0;
    if (git_tree_entry_bypath(&entry, g->tree, full.ptr) != 0) {
        rc = 0; /* not committed */
    } else if (git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB &&
               git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB_EXECUTABLE) {
        rc = 0; /* a link or a folder is no committed file */
    } else if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(entry)) != 0) {
        const git_error *e = git_error_last();
        buf_printf(err, "无法从 git 读取 %s：%s", full.ptr, e && e->message ? e->message : "");
        rc = -1;
    } else {
        buf_reset(out);
        buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
        rc = 1;
    }
    git_blob_free(blob);
    git_tree_entry_free(entry);
    buf_free(&full);
    return rc;
}
