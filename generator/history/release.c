/* Making a release: the sources must be committed, the changes are counted
 * against the previous release's manifest, and the built site goes into the
 * object database as a tree (from the output directory, through tree
 * builders: no index file, no work tree, no checkout), committed onto the
 * release branch and tagged. References move last, tag first: if the branch
 * cannot move, the tag is removed again, so a release is all or nothing. */
#include "history_internal.h"

#include "../util/tsv.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- uncommitted sources ------------------------------------------------- */

typedef struct release_dirty {
    history *h;
    diag_list *diags;
    bool allow;
} release_dirty;

static const char *release_status_text(unsigned f)
{
    if (f & GIT_STATUS_WT_NEW)
        return "是新文件，还没有提交到 git";
    if (f & GIT_STATUS_INDEX_NEW)
        return "是新文件，已 git add 但还没有提交";
    if (f & (GIT_STATUS_WT_DELETED | GIT_STATUS_INDEX_DELETED))
        return "已删除，但删除还没有提交";
    return "有未提交的修改";
}

static void release_dirty_report(const char *path, unsigned flags, void *ctx)
{
    release_dirty *d = ctx;
    d->h->dirty++;
    diag_add(d->diags, d->allow ? DIAG_WARNING : DIAG_ERROR, "GK602", path, 0, 0, "%s%s",
             release_status_text(flags),
             d->allow ? "（--allow-dirty：照此发布）"
                      : "：请先提交（git add、git commit），或用 --allow-dirty 照此发布");
}

int history_source_check(history *h, bool allow_dirty, diag_list *diags)
{
    if (!h->repo) {
        diag_add(diags, DIAG_ERROR, "GK601", "", 0, 0,
                 "站点目录 %s 不在 git 仓库中：发布要把网站提交到 git，请先 git init 并提交站点",
                 h->cfg->root);
        return -1;
    }
    static const char *const sources[] = {"site.toml", "catalogue.lock", "content", "templates",
                                          "themes"};
    release_dirty d = {h, diags, allow_dirty};
    h->dirty = 0;
    if (history_status_each(h, sources, sizeof sources / sizeof *sources, release_dirty_report, &d,
                            diags) != 0)
        return -1;
    return h->dirty && !allow_dirty ? -1 : 0;
}

/* ---- what the release publishes ------------------------------------------ */

typedef struct release_entry {
    const char *index_no, *blob, *url, *title;
} release_entry;

static int release_entry_cmp(const void *a, const void *b)
{
    return strcmp(((const release_entry *)a)->index_no, ((const release_entry *)b)->index_no);
}

/* The items a build publishes without --drafts. */
static size_t release_current(history *h, const catalogue *cat, release_entry *out)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        const content_item *it = ci->item;
        if (!catalogue_item_published(ci, false))
            continue;
        git_oid id;
        git_odb_hash(&id, it->text, it->text_len, GIT_OBJECT_BLOB);
        char hex[41];
        git_oid_tostr(hex, sizeof hex, &id);
        out[n++] = (release_entry){ci->index_no, arena_strdup(&h->mem, hex), ci->url, it->title};
    }
    qsort(out, n, sizeof *out, release_entry_cmp);
    return n;
}

/* The previous release's releases/manifest.tsv: index_no, blob, url, title. */
static int release_previous(history *h, release_entry **out, size_t *n, diag_list *diags)
{
    *out = NULL;
    *n = 0;
    if (!h->has_tip)
        return 0;
    git_commit *c = NULL;
    git_tree *tree = NULL;
    buf manifest = BUF_INIT;
    int rc = git_commit_lookup(&c, h->repo, &h->tip) < 0 || git_commit_tree(&tree, c) < 0 ||
                     history_tree_file(h, tree, HISTORY_MANIFEST, &manifest) < 0
                 ? -1
                 : 0;
    git_tree_free(tree);
    git_commit_free(c);
    if (rc < 0) {
        buf_free(&manifest);
        return history_fail(diags, "GK603", "无法读取上一次发布的 " HISTORY_MANIFEST);
    }
    const char *text = buf_cstr(&manifest);
    size_t len = manifest.len, cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    release_entry *v = xcalloc(cap, sizeof *v);
    for (const char *line = text, *end = text + len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        const char *f[4];
        size_t fl[4];
        if (ll && line[0] != '#' && tsv_fields_split(line, ll, f, fl, 4) == 4) {
            release_entry *e = &v[*n];
            e->index_no = tsv_field_read(&h->mem, f[0], fl[0]);
            e->blob = tsv_field_read(&h->mem, f[1], fl[1]);
            e->url = tsv_field_read(&h->mem, f[2], fl[2]);
            e->title = tsv_field_read(&h->mem, f[3], fl[3]);
            *n += e->index_no && e->blob && e->url && e->title;
        }
        line += ll + 1;
    }
    qsort(v, *n, sizeof *v, release_entry_cmp);
    *out = v;
    buf_free(&manifest);
    return 0;
}

static void release_change_put(buf *out, history_change_kind kind, const release_entry *e)
{
    static const char *const kinds[] = {"new", "changed", "withdrawn"};
    buf_printf(out, "%s\t", kinds[kind]);
    tsv_field_put(out, e->index_no);
    buf_printf(out, "\t%s\t", kind == HISTORY_CHANGE_WITHDRAWN ? "-" : e->blob);
    tsv_field_put(out, e->url);
    buf_putc(out, '\t');
    tsv_field_put(out, e->title);
    buf_putc(out, '\n');
}

/* Compare the two sorted lists: the changes, sorted by kind then index
 * number, as TSV in h->changes and as records of rel. */
static void release_compare(history *h, history_release *rel, const release_entry *old, size_t nold,
                            const release_entry *cur, size_t ncur)
{
    history_change *v = arena_alloc(&h->mem, (nold + ncur + 1) * sizeof *v);
    size_t n = 0;
    buf_reset(&h->changes);
    buf_puts(&h->changes,
             "# gongkai 发布记录：本次发布新增（new）、修改（changed）、撤回（withdrawn）"
             "的信息\n# kind\tindex_no\tblob\turl\ttitle\n");
    for (int kind = 0; kind < HISTORY_CHANGE_KINDS; kind++) {
        size_t i = 0, j = 0;
        while (i < nold || j < ncur) {
            int c = i == nold ? 1 : j == ncur ? -1 : strcmp(old[i].index_no, cur[j].index_no);
            const release_entry *e = NULL;
            if (c < 0 && kind == HISTORY_CHANGE_WITHDRAWN)
                e = &old[i];
            else if (c > 0 && kind == HISTORY_CHANGE_NEW)
                e = &cur[j];
            else if (c == 0 && kind == HISTORY_CHANGE_CHANGED &&
                     strcmp(old[i].blob, cur[j].blob) != 0)
                e = &cur[j];
            i += c <= 0;
            j += c >= 0;
            if (!e)
                continue;
            release_change_put(&h->changes, (history_change_kind)kind, e);
            v[n] = (history_change){(history_change_kind)kind, e->index_no,
                                    kind == HISTORY_CHANGE_WITHDRAWN ? "-" : e->blob, e->url,
                                    e->title};
            rel->counts[kind]++;
            n++;
        }
    }
    rel->changes = v;
    rel->change_count = n;

    buf_reset(&h->manifest);
    buf_puts(&h->manifest,
             "# gongkai 发布清单：本次发布的全部信息\n# index_no\tblob\turl\ttitle\n");
    for (size_t k = 0; k < ncur; k++) {
        tsv_field_put(&h->manifest, cur[k].index_no);
        buf_printf(&h->manifest, "\t%s\t", cur[k].blob);
        tsv_field_put(&h->manifest, cur[k].url);
        buf_putc(&h->manifest, '\t');
        tsv_field_put(&h->manifest, cur[k].title);
        buf_putc(&h->manifest, '\n');
    }
}

/* ---- names --------------------------------------------------------------- */

static int release_ref_check(const char *ref, const char *what, const char *name, diag_list *diags)
{
    int valid = 0;
    if (git_reference_name_is_valid(&valid, ref) == 0 && valid)
        return 0;
    diag_add(diags, DIAG_ERROR, "GK605", "site.toml", 0, 0,
             "%s“%s”不是有效的 git 名称：请修改 site.toml 的 [publish]", what, name);
    return -1;
}

/* tag_pattern at local time tm for the day's release number n. */
static int release_tag_expand(const char *pattern, const struct tm *tm, int n, buf *out,
                              diag_list *diags)
{
    buf_reset(out);
    for (const char *p = pattern; *p; p++) {
        if (*p != '%') {
            buf_putc(out, *p);
            continue;
        }
        switch (*++p) {
        case 'Y':
            buf_printf(out, "%04d", tm->tm_year + 1900);
            break;
        case 'm':
            buf_printf(out, "%02d", tm->tm_mon + 1);
            break;
        case 'd':
            buf_printf(out, "%02d", tm->tm_mday);
            break;
        case 'n':
            buf_printf(out, "%d", n);
            break;
        case '%':
            buf_putc(out, '%');
            break;
        default:
            diag_add(diags, DIAG_ERROR, "GK605", "site.toml", 0, 0,
                     "[publish] tag_pattern “%s”中的 %%%.1s 不认识：只能用 %%Y %%m %%d %%n 和 %%%%",
                     pattern, *p ? p : "");
            return -1;
        }
    }
    return 0;
}

/* The first name of the pattern that is not a tag yet: %n counts the day's
 * releases. */
static int release_tag_pick(history *h, const struct tm *tm, buf *name, diag_list *diags)
{
    const char *pattern = h->cfg->publish_tag_pattern;
    buf ref = BUF_INIT;
    int rc = -1;
    for (int n = 1; n < 10000; n++) {
        if (release_tag_expand(pattern, tm, n, name, diags) != 0)
            break;
        buf_reset(&ref);
        buf_printf(&ref, "refs/tags/%s", name->ptr);
        if (release_ref_check(ref.ptr, "[publish] tag_pattern 生成的标签名", name->ptr, diags) != 0)
            break;
        git_oid id;
        if (git_reference_name_to_id(&id, h->repo, ref.ptr) == GIT_ENOTFOUND) {
            rc = 0;
            break;
        }
        if (!strstr(pattern, "%n")) {
            diag_add(diags, DIAG_ERROR, "GK605", "site.toml", 0, 0,
                     "标签 %s 已经存在，而 [publish] tag_pattern 中没有 %%n：请在模式中加上 "
                     "%%n（当天第几次发布），或改天再发布",
                     name->ptr);
            break;
        }
    }
    buf_free(&ref);
    return rc;
}

/* ---- preparing ----------------------------------------------------------- */

static void release_message_write(history *h, const history_release *rel, const char *message)
{
    buf *m = &h->message;
    buf_reset(m);
    buf_printf(m, "发布 %s：新增 %zu 条，修改 %zu 条，撤回 %zu 条\n\n", rel->tag,
               rel->counts[HISTORY_CHANGE_NEW], rel->counts[HISTORY_CHANGE_CHANGED],
               rel->counts[HISTORY_CHANGE_WITHDRAWN]);
    if (message && message[0])
        buf_printf(m, "%s\n\n", message);
    buf_printf(m, "Source-Commit: %s\n", rel->source ? rel->source : "none");
    if (rel->source_dirty)
        buf_printf(m, "Source-Dirty: %zu\n", rel->source_dirty);
    buf_printf(m,
               "Release-Tag: %s\nRelease-New: %zu\nRelease-Changed: %zu\nRelease-Withdrawn: %zu\n",
               rel->tag, rel->counts[HISTORY_CHANGE_NEW], rel->counts[HISTORY_CHANGE_CHANGED],
               rel->counts[HISTORY_CHANGE_WITHDRAWN]);
}

/* Refuse to move a branch that is checked out: its work tree would look
 * changed in every file. */
static int release_branch_check(history *h, const char *ref, diag_list *diags)
{
    if (release_ref_check(ref, "[publish] branch", h->cfg->publish_branch, diags) != 0)
        return -1;
    git_reference *head;
    if (git_reference_lookup(&head, h->repo, "HEAD") < 0)
        return 0;
    bool same = git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
                strcmp(git_reference_symbolic_target(head), ref) == 0;
    git_reference_free(head);
    if (!same)
        return 0;
    diag_add(diags, DIAG_ERROR, "GK605", "", 0, 0,
             "当前检出的正是发布分支 %s：请切换回源文件所在的分支再发布", h->cfg->publish_branch);
    return -1;
}

int history_release_prepare(history *h, const catalogue *cat, const char *message, time_t now,
                            diag_list *diags)
{
    if (!h->repo) {
        diag_add(diags, DIAG_ERROR, "GK601", "", 0, 0, "站点目录 %s 不在 git 仓库中，无法发布",
                 h->cfg->root);
        return -1;
    }
    buf ref = BUF_INIT, tag = BUF_INIT;
    buf_printf(&ref, "refs/heads/%s", h->cfg->publish_branch);
    struct tm tm;
    localtime_r(&now, &tm);
    int rc = release_branch_check(h, ref.ptr, diags);
    if (rc == 0)
        rc = release_tag_pick(h, &tm, &tag, diags);
    release_entry *old = NULL;
    size_t nold = 0;
    if (rc == 0)
        rc = release_previous(h, &old, &nold, diags);
    char head[41] = "";
    if (rc == 0)
        rc = history_head_read(h, head, diags);
    if (rc == 0) {
        release_entry *cur = xcalloc(cat->item_count + 1, sizeof *cur);
        size_t ncur = release_current(h, cat, cur);
        /* The pending release goes first: newest first. */
        h->releases =
            xgrow(h->releases, &h->release_cap, h->release_count + 1, sizeof *h->releases);
        memmove(h->releases + 1, h->releases, h->release_count * sizeof *h->releases);
        h->release_count++;
        history_release *rel = &h->releases[0];
        memset(rel, 0, sizeof *rel);
        rel->pending = true;
        rel->tag = arena_strdup(&h->mem, tag.ptr);
        if (head[0])
            rel->source = arena_strdup(&h->mem, head);
        rel->source_dirty = h->dirty;
        h->publish_time = (git_time){(git_time_t)now, (int)(tm.tm_gmtoff / 60), 0};
        rel->when = history_time_format(&h->mem, &h->publish_time, &rel->day);
        if (message && message[0])
            rel->message = arena_strdup(&h->mem, message);
        release_compare(h, rel, old, nold, cur, ncur);
        release_message_write(h, rel, message);
        free(cur);
    }
    free(old);
    buf_free(&ref);
    buf_free(&tag);
    return rc;
}

/* ---- committing ---------------------------------------------------------- */

static int release_file_write(const char *path, const buf *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < data->len) {
        ssize_t k = write(fd, data->ptr + done, data->len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)k;
    }
    return close(fd);
}

static int release_file_read(const char *path, buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    buf_reset(out);
    char chunk[65536];
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            close(fd);
            return -1;
        }
        if (k == 0)
            break;
        buf_put(out, chunk, (size_t)k);
    }
    close(fd);
    return 0;
}

/* The directory at `path` as a tree in the object database. Empty folders
 * have no place in git and are left out (*out zero). */
static int release_tree_write(history *h, const char *path, buf *data, git_oid *out,
                              diag_list *diags)
{
    DIR *d = opendir(path);
    if (!d) {
        diag_add(diags, DIAG_ERROR, "GK604", "", 0, 0, "无法读取生成的网站目录 %s：%s", path,
                 strerror(errno));
        return -1;
    }
    git_treebuilder *tb;
    if (git_treebuilder_new(&tb, h->repo, NULL) < 0) {
        closedir(d);
        return history_fail(diags, "GK604", "无法在 git 中建立目录树");
    }
    buf child = BUF_INIT;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        buf_reset(&child);
        buf_printf(&child, "%s/%s", path, e->d_name);
        struct stat st;
        git_oid id;
        if (lstat(child.ptr, &st) != 0) {
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            memset(&id, 0, sizeof id);
            rc = release_tree_write(h, child.ptr, data, &id, diags);
            if (rc == 0 && !git_oid_is_zero(&id) &&
                git_treebuilder_insert(NULL, tb, e->d_name, &id, GIT_FILEMODE_TREE) < 0)
                rc = history_fail(diags, "GK604", "无法在 git 中建立目录树");
        } else if (S_ISREG(st.st_mode)) {
            if (release_file_read(child.ptr, data) != 0) {
                diag_add(diags, DIAG_ERROR, "GK604", "", 0, 0, "无法读取生成的文件 %s：%s",
                         child.ptr, strerror(errno));
                rc = -1;
            } else if (git_blob_create_from_buffer(&id, h->repo, data->ptr, data->len) < 0 ||
                       git_treebuilder_insert(NULL, tb, e->d_name, &id, GIT_FILEMODE_BLOB) < 0) {
                rc = history_fail(diags, "GK604", "无法把生成的文件写入 git");
            }
        }
    }
    closedir(d);
    buf_free(&child);
    if (rc == 0 && git_treebuilder_entrycount(tb) > 0 && git_treebuilder_write(out, tb) < 0)
        rc = history_fail(diags, "GK604", "无法在 git 中建立目录树");
    git_treebuilder_free(tb);
    return rc;
}

/* Who publishes: the repository's user.name and user.email, else gongkai;
 * when: the time the release was prepared at. */
static int release_signature(history *h, git_signature **out)
{
    git_signature *user = NULL;
    const char *name = "gongkai publish", *email = "gongkai@localhost";
    if (git_signature_default(&user, h->repo) == 0) {
        name = user->name;
        email = user->email;
    }
    int rc = git_signature_new(out, name, email, h->publish_time.time, h->publish_time.offset);
    git_signature_free(user);
    return rc;
}

/* Add the release files to the built site. */
static int release_files_write(history *h, const char *dir, diag_list *diags)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, HISTORY_RELEASES_DIR);
    int rc = 0;
    if (mkdir(path.ptr, 0777) != 0 && errno != EEXIST)
        rc = -1;
    buf_reset(&path);
    buf_printf(&path, "%s/%s", dir, HISTORY_MANIFEST);
    if (rc == 0)
        rc = release_file_write(path.ptr, &h->manifest);
    buf_reset(&path);
    buf_printf(&path, "%s/%s", dir, HISTORY_CHANGES);
    if (rc == 0)
        rc = release_file_write(path.ptr, &h->changes);
    if (rc != 0)
        diag_add(diags, DIAG_ERROR, "GK604", "", 0, 0, "无法写入 %s：%s", path.ptr,
                 strerror(errno));
    buf_free(&path);
    return rc;
}

/* Point the tag, then the branch (only if it is still where it was read) at
 * the new objects; undo the tag when the branch cannot move. */
static int release_refs_move(history *h, const history_release *rel, const git_oid *commit,
                             const git_oid *tag, diag_list *diags)
{
    buf tag_ref = BUF_INIT, branch_ref = BUF_INIT, log = BUF_INIT;
    buf_printf(&tag_ref, "refs/tags/%s", rel->tag);
    buf_printf(&branch_ref, "refs/heads/%s", h->cfg->publish_branch);
    buf_printf(&log, "gongkai publish: %s", rel->tag);
    git_reference *tr = NULL, *br = NULL;
    int rc = 0;
    if (git_reference_create(&tr, h->repo, tag_ref.ptr, tag, 0, log.ptr) < 0) {
        rc = history_fail(diags, "GK604", "无法创建发布标签，发布分支和标签都没有改动");
    } else if ((h->has_tip
                    ? git_reference_create_matching(&br, h->repo, branch_ref.ptr, commit, 1,
                                                    &h->tip, log.ptr)
                    : git_reference_create(&br, h->repo, branch_ref.ptr, commit, 0, log.ptr)) < 0) {
        rc = history_fail(
            diags, "GK604",
            "无法更新发布分支（是否有另一次发布同时进行？），发布分支和标签都没有改动");
        git_reference_delete(tr);
    }
    git_reference_free(tr);
    git_reference_free(br);
    buf_free(&tag_ref);
    buf_free(&branch_ref);
    buf_free(&log);
    return rc;
}

int history_release_commit(history *h, const char *dir, diag_list *diags)
{
    if (!h->release_count || !h->releases[0].pending)
        return -1;
    history_release *rel = &h->releases[0];
    if (release_files_write(h, dir, diags) != 0)
        return -1;
    buf data = BUF_INIT;
    git_oid tree_id, commit_id, tag_id;
    memset(&tree_id, 0, sizeof tree_id);
    int rc = release_tree_write(h, dir, &data, &tree_id, diags);
    buf_free(&data);
    git_tree *tree = NULL;
    git_commit *parent = NULL;
    git_object *commit = NULL;
    git_signature *sig = NULL;
    if (rc == 0 &&
        (git_tree_lookup(&tree, h->repo, &tree_id) < 0 ||
         (h->has_tip && git_commit_lookup(&parent, h->repo, &h->tip) < 0) ||
         release_signature(h, &sig) < 0 ||
         git_commit_create(&commit_id, h->repo, NULL, sig, sig, "UTF-8", h->message.ptr, tree,
                           parent ? 1 : 0, (const git_commit **)&parent) < 0 ||
         git_object_lookup(&commit, h->repo, &commit_id, GIT_OBJECT_COMMIT) < 0 ||
         git_tag_annotation_create(&tag_id, h->repo, rel->tag, commit, sig, h->message.ptr) < 0))
        rc = history_fail(diags, "GK604", "无法在 git 中写入发布提交，发布分支和标签都没有改动");
    if (rc == 0)
        rc = release_refs_move(h, rel, &commit_id, &tag_id, diags);
    if (rc == 0) {
        git_oid_tostr(rel->commit, sizeof rel->commit, &commit_id);
        rel->pending = false;
        h->tip = commit_id;
        h->has_tip = true;
    }
    git_signature_free(sig);
    git_object_free(commit);
    git_commit_free(parent);
    git_tree_free(tree);
    return rc;
}
