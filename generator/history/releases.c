/* Reading the release branch: one release per commit on its first-parent
 * line, newest first; its tag, its source commit and the webmaster's message
 * from the commit message, its changes from releases/changes.tsv. */
#include "history_internal.h"

#include "../util/tsv.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const release_kinds[HISTORY_CHANGE_KINDS] = {"new", "changed", "withdrawn"};

/* A commit's tag names: the references under refs/tags/ peeled to commits. */
typedef struct release_tag {
    git_oid commit;
    const char *name;
} release_tag;

typedef struct release_tags {
    release_tag *v;
    size_t len, cap;
    history *h;
} release_tags;

static int release_tag_collect(const char *name, void *ctx)
{
    release_tags *t = ctx;
    git_reference *ref;
    git_object *target;
    if (git_reference_lookup(&ref, t->h->repo, name) < 0)
        return 0;
    if (git_reference_peel(&target, ref, GIT_OBJECT_COMMIT) == 0) {
        t->v = xgrow(t->v, &t->cap, t->len + 1, sizeof *t->v);
        git_oid_cpy(&t->v[t->len].commit, git_object_id(target));
        t->v[t->len++].name = arena_strdup(&t->h->mem, name + strlen("refs/tags/"));
        git_object_free(target);
    }
    git_reference_free(ref);
    return 0;
}

/* Of two tags on one release, the later by name: tag patterns put the date
 * and the day's number first, and the answer must not depend on the order
 * libgit2 lists references in (loose ones before packed ones). */
static const char *release_tag_find(const release_tags *t, const git_oid *commit)
{
    const char *found = NULL;
    for (size_t i = 0; i < t->len; i++)
        if (git_oid_equal(&t->v[i].commit, commit) && (!found || strcmp(t->v[i].name, found) > 0))
            found = t->v[i].name;
    return found;
}

/* The lines of releases/changes.tsv: kind, index_no, blob, url, title. */
static int release_changes_parse(history *h, history_release *rel, const char *text, size_t len)
{
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\n';
    history_change *v = arena_alloc(&h->mem, (count + 1) * sizeof *v);
    size_t n = 0;
    for (const char *line = text, *end = text + len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        const char *f[5];
        size_t fl[5];
        if (ll && line[0] != '#') {
            if (tsv_fields_split(line, ll, f, fl, 5) != 5)
                return -1;
            history_change *c = &v[n];
            int k = 0;
            while (k < HISTORY_CHANGE_KINDS && !(strlen(release_kinds[k]) == fl[0] &&
                                                 memcmp(release_kinds[k], f[0], fl[0]) == 0))
                k++;
            c->kind = (history_change_kind)k;
            c->index_no = tsv_field_read(&h->mem, f[1], fl[1]);
            c->blob = tsv_field_read(&h->mem, f[2], fl[2]);
            c->url = tsv_field_read(&h->mem, f[3], fl[3]);
            c->title = tsv_field_read(&h->mem, f[4], fl[4]);
            if (k == HISTORY_CHANGE_KINDS || !c->index_no || !c->blob || !c->url || !c->title)
                return -1;
            rel->counts[k]++;
            n++;
        }
        line += ll + 1;
    }
    rel->changes = v;
    rel->change_count = n;
    return 0;
}

/* The message publish writes: a summary line, the webmaster's message, and a
 * last paragraph of trailers (Source-Commit:, Source-Dirty:, ...). */
static void release_message_parse(history *h, history_release *rel, const char *msg)
{
    const char *body = strstr(msg, "\n\n");
    if (!body)
        return;
    body += 2;
    const char *trailers = strstr(body, "Source-Commit: ");
    while (trailers && trailers != body && !(trailers[-1] == '\n' && trailers[-2] == '\n'))
        trailers = strstr(trailers + 1, "Source-Commit: ");
    if (!trailers)
        return;
    size_t n = (size_t)(trailers - body);
    while (n && body[n - 1] == '\n')
        n--;
    if (n)
        rel->message = arena_strndup(&h->mem, body, n);
    const char *src = trailers + strlen("Source-Commit: ");
    size_t hex = strspn(src, "0123456789abcdef");
    if (hex == 40)
        rel->source = arena_strndup(&h->mem, src, hex);
    const char *dirty = strstr(trailers, "\nSource-Dirty: ");
    if (dirty)
        rel->source_dirty = strtoul(dirty + strlen("\nSource-Dirty: "), NULL, 10);
}

static history_release *release_add(history *h)
{
    h->releases = xgrow(h->releases, &h->release_cap, h->release_count + 1, sizeof *h->releases);
    history_release *rel = &h->releases[h->release_count++];
    memset(rel, 0, sizeof *rel);
    return rel;
}

static int release_read_one(history *h, git_commit *c, const release_tags *tags, diag_list *diags)
{
    history_release *rel = release_add(h);
    git_oid_tostr(rel->commit, sizeof rel->commit, git_commit_id(c));
    rel->tag = release_tag_find(tags, git_commit_id(c));
    git_time t = {git_commit_time(c), git_commit_time_offset(c), 0};
    rel->when = history_time_format(&h->mem, &t, &rel->day);
    release_message_parse(h, rel, git_commit_message(c));
    git_tree *tree;
    if (git_commit_tree(&tree, c) < 0)
        return history_fail(diags, "GK603", "无法读取发布分支上的提交");
    buf text = BUF_INIT;
    int found = history_tree_file(h, tree, HISTORY_CHANGES, &text);
    git_tree_free(tree);
    if (found < 0) {
        buf_free(&text);
        return history_fail(diags, "GK603", "无法读取发布记录 " HISTORY_CHANGES);
    }
    if (!found || release_changes_parse(h, rel, buf_cstr(&text), text.len) != 0) {
        memset(rel->counts, 0, sizeof rel->counts);
        rel->change_count = 0;
        diag_add(diags, DIAG_WARNING, "GK606", "", 0, 0,
                 "发布分支 %s 上的提交 %.7s 没有可读的 %s：它不是 gongkai publish "
                 "写的发布，发布记录中只列出它的日期",
                 h->cfg->publish_branch, rel->commit, HISTORY_CHANGES);
    }
    buf_free(&text);
    return 0;
}

int history_releases_read(history *h, diag_list *diags)
{
    if (!h->repo)
        return 0;
    buf name = BUF_INIT;
    buf_printf(&name, "refs/heads/%s", h->cfg->publish_branch);
    int e = git_reference_name_to_id(&h->tip, h->repo, name.ptr);
    buf_free(&name);
    if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC)
        return 0; /* nothing published yet (a bad name is reported by publish) */
    if (e < 0)
        return history_fail(diags, "GK603", "无法读取发布分支");
    h->has_tip = true;
    release_tags tags = {NULL, 0, 0, h};
    int rc = 0;
    if (git_reference_foreach_glob(h->repo, "refs/tags/*", release_tag_collect, &tags) < 0)
        rc = history_fail(diags, "GK603", "无法读取 git 标签");
    git_oid id = h->tip;
    while (rc == 0) {
        git_commit *c;
        if (git_commit_lookup(&c, h->repo, &id) < 0) {
            rc = history_fail(diags, "GK603", "无法读取发布分支上的提交");
            break;
        }
        rc = release_read_one(h, c, &tags, diags);
        bool more = git_commit_parentcount(c) > 0;
        if (more)
            git_oid_cpy(&id, git_commit_parent_id(c, 0));
        git_commit_free(c);
        if (!more)
            break;
    }
    free(tags.v);
    return rc;
}

const history_release *history_release_list(const history *h, size_t *n)
{
    *n = h ? h->release_count : 0;
    return h ? h->releases : NULL;
}

const char *history_release_tag_find(const history *h, const char *source)
{
    for (size_t r = 0; h && r < h->release_count; r++) {
        const history_release *rel = &h->releases[r];
        if (rel->tag && rel->source && strcmp(rel->source, source) == 0)
            return rel->tag;
    }
    return NULL;
}

void history_releases_carrying(const history *h, const char *index_no, history_carry_fn fn,
                               void *ctx)
{
    const char *blob = NULL;
    for (size_t r = h ? h->release_count : 0; r-- > 0;) {
        const history_release *rel = &h->releases[r];
        for (size_t i = 0; i < rel->change_count; i++)
            if (strcmp(rel->changes[i].index_no, index_no) == 0)
                blob =
                    rel->changes[i].kind == HISTORY_CHANGE_WITHDRAWN ? NULL : rel->changes[i].blob;
        fn(rel, blob, ctx);
    }
}
