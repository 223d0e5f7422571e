/* history: revisions from a temporary repository built with libgit2 (add,
 * edit twice, rename, delete, merge, uncommitted edits), file contents at
 * each revision, the walk's result kept and refused when it no longer
 * fits, and releases: prepare, commit, read back, tags, counts,
 * refusal of dirty sources, all-or-nothing reference updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/history/history.h"
#include "../../generator/util/atomic.h"
#include "../../generator/util/fields.h"

#include <git2.h>

#include "test_git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[64]; /* the temporary site, a git work tree */
static git_repository *repo;
static int clock_tick; /* commits are a day apart: 2026-01-01, 01-02, ... */

/* ---- the temporary repository ------------------------------------------- */

static int repo_setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/gk-history-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    git_libgit2_init();
    clock_tick = 0;
    if (git_repository_init(&repo, root, 0) < 0)
        return -1;
    git_config *cfg;
    git_repository_config(&cfg, repo);
    git_config_set_string(cfg, "user.name", "测试员");
    git_config_set_string(cfg, "user.email", "tester@example.org");
    git_config_free(cfg);
    return 0;
}

static int repo_teardown(void **state)
{
    (void)state;
    git_repository_free(repo);
    git_libgit2_shutdown();
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'-out*", root, root);
    return system(cmd) == 0 ? 0 : -1;
}

static void file_write(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void file_remove(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(unlink(path), 0);
}

static void file_rename(const char *from, const char *to)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/%s", root, from);
    snprintf(b, sizeof b, "%s/%s", root, to);
    assert_int_equal(rename(a, b), 0);
}

/* Commit everything in the work tree (adds, edits and deletions) on HEAD,
 * or with an extra parent for a merge, a day after the last. Returns the
 * new commit's id. */
static git_oid commit_all(const char *message, const git_oid *merge_parent)
{
    git_signature *sig;
    clock_tick++;
    assert_int_equal(git_signature_new(&sig, "测试员", "tester@example.org",
                                       1767232800 + (git_time_t)clock_tick * 86400, 480),
                     0);
    git_oid id = test_git_commit(repo, sig, message, merge_parent);
    git_signature_free(sig);
    return id;
}

static void hex(const git_oid *id, char out[41])
{
    git_oid_tostr(out, 41, id);
}

/* ---- a hand-made catalogue: only what history reads --------------------- */

typedef struct fixture {
    site_config cfg;
    catalogue cat;
    content_item items[8];
    catalogue_item citems[8];
    catalogue_withdrawn withdrawn[4];
    category cats[1];
    char *texts[8];
} fixture;

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->cfg.root = root;
    f->cfg.publish_branch = "site";
    f->cfg.publish_tag_pattern = "release-%Y%m%d-%n";
    f->cat.items = f->citems;
    f->cat.withdrawn = f->withdrawn;
    f->cat.categories = f->cats;
    f->cats[0].key = "gzdt";
    f->cats[0].name = "工作动态";
}

/* Add the item at content/<rel> as published with index number `no`,
 * reading its text from disk. */
static void fixture_item(fixture *f, const char *rel, const char *no, const char *title)
{
    size_t i = f->cat.item_count++;
    content_item *it = &f->items[i];
    char path[512];
    snprintf(path, sizeof path, "%s/content/%s", root, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *text = calloc(1, 65536);
    size_t len = fread(text, 1, 65535, fp);
    fclose(fp);
    f->texts[i] = text;
    it->path = strdup(path + strlen(root) + 1);
    it->rel = it->path + strlen("content/");
    it->text = text;
    it->text_len = len;
    it->title = title;
    it->ok = true;
    f->citems[i].item = it;
    f->citems[i].category = &f->cats[0];
    f->citems[i].index_no = no;
    f->citems[i].url = strdup(path + strlen(root) + strlen("/content"));
}

static void fixture_withdrawn(fixture *f, const char *path, const char *no)
{
    catalogue_withdrawn *w = &f->withdrawn[f->cat.withdrawn_count++];
    w->path = path;
    w->index_no = no;
}

/* Item i's file moved to content/<rel>. */
static void fixture_move(fixture *f, size_t i, const char *rel)
{
    content_item *it = &f->items[i];
    char path[512];
    snprintf(path, sizeof path, "content/%s", rel);
    free((char *)it->path);
    it->path = strdup(path);
    it->rel = it->path + strlen("content/");
}

/* The last item no longer in the catalogue. */
static void fixture_drop_last(fixture *f)
{
    size_t i = --f->cat.item_count;
    free(f->texts[i]);
    free((char *)f->items[i].path);
    free((char *)f->citems[i].url);
}

static void fixture_free(fixture *f)
{
    for (size_t i = 0; i < f->cat.item_count; i++) {
        free(f->texts[i]);
        free((char *)f->items[i].path);
        free((char *)f->citems[i].url);
    }
}

static history *history_walked(fixture *f, diag_list *d)
{
    history *h;
    assert_int_equal(history_open(&h, &f->cfg, d), 0);
    assert_true(history_is_repository(h));
    assert_int_equal(history_revisions_walk(h, &f->cat, d), 0);
    return h;
}

static void assert_text_at(history *h, const history_revision *r, const char *want)
{
    diag_list d;
    diag_list_init(&d);
    buf text = BUF_INIT;
    assert_int_equal(history_revision_read(h, r, &text, &d), 0);
    assert_string_equal(buf_cstr(&text), want);
    buf_free(&text);
    diag_list_free(&d);
}

/* ---- revisions ----------------------------------------------------------- */

#define V1 "+++\ntitle = \"通知\"\n+++\n\n第一段。\n\n第二段。\n"
#define V2 "+++\ntitle = \"通知\"\n+++\n\n第一段。\n\n第二段，改过。\n"
#define V3 "+++\ntitle = \"通知（修订）\"\n+++\n\n第一段。\n\n第二段，改过。\n\n第三段。\n"
#define V4                                                                                         \
    "+++\ntitle = \"通知（修订）\"\n+++\n\n第一段。\n\n第二段，改过。\n\n第三段。\n\n附言。\n"
#define GONE "+++\ntitle = \"将被删除\"\n+++\n\n删除前的正文，足够长以免被当作改名。\n"
#define TWO "+++\ntitle = \"另一条\"\n+++\n\n另一条信息的正文内容。\n"

/* Add, edit twice, rename with an edit, delete another, rename a third
 * without an edit. */
static void history_fixture_commits(git_oid ids[6])
{
    file_write("site.toml", "[site]\nname = \"测试\"\n");
    file_write("content/a/one.md", V1);
    file_write("content/a/gone.md", GONE);
    ids[0] = commit_all("新增两条信息", NULL);
    file_write("content/a/one.md", V2);
    ids[1] = commit_all("修改第二段", NULL);
    file_write("content/a/one.md", V3);
    file_write("content/b/two.md", TWO);
    ids[2] = commit_all("修订标题\n\n正文也补了一段。", NULL);
    file_rename("content/a/one.md", "content/a/uno.md");
    file_write("content/a/uno.md", V4);
    ids[3] = commit_all("改名并加附言", NULL);
    file_remove("content/a/gone.md");
    file_write("README", "与内容无关的提交不算版本\n");
    ids[4] = commit_all("删除一条", NULL);
    file_rename("content/b/two.md", "content/b/deux.md");
    ids[5] = commit_all("只改名", NULL);
}

static void test_revisions_follow_edits_renames_deletes(void **state)
{
    (void)state;
    git_oid ids[6];
    history_fixture_commits(ids);
    char c[6][41];
    for (int i = 0; i < 6; i++)
        hex(&ids[i], c[i]);

    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/uno.md", "X/2026-00001", "通知（修订）");
    fixture_item(&f, "b/deux.md", "X/2026-00002", "另一条");
    fixture_withdrawn(&f, "content/a/gone.md", "X/2026-00003");
    diag_list d;
    diag_list_init(&d);
    history *h = history_walked(&f, &d);
    assert_int_equal(d.len, 0);

    const history_revisions *r = history_item_revisions(h, 0);
    assert_int_equal(r->len, 4);
    assert_false(r->working);
    const char *messages[] = {"新增两条信息", "修改第二段", "修订标题", "改名并加附言"};
    const char *texts[] = {V1, V2, V3, V4};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r->v[i].number, i + 1);
        assert_string_equal(r->v[i].commit, c[i]);
        assert_memory_equal(r->v[i].short_id, c[i], 7);
        assert_string_equal(r->v[i].message, messages[i]);
        assert_text_at(h, &r->v[i], texts[i]);
    }
    assert_string_equal(r->v[0].path, "content/a/one.md");
    assert_string_equal(r->v[2].path, "content/a/one.md");
    assert_string_equal(r->v[3].path, "content/a/uno.md");
    /* Author time in the author's zone (+08:00): 2026-01-02 10:00. */
    assert_string_equal(r->v[0].when, "2026-01-02 10:00");
    assert_int_equal(r->v[3].day.day, 5);

    /* A pure rename is no new version. */
    r = history_item_revisions(h, 1);
    assert_int_equal(r->len, 1);
    assert_string_equal(r->v[0].commit, c[2]);
    assert_string_equal(r->v[0].path, "content/b/two.md");

    /* The deleted item keeps its revisions; the deletion is none. */
    r = history_withdrawn_revisions(h, 0);
    assert_int_equal(r->len, 1);
    assert_string_equal(r->v[0].commit, c[0]);
    assert_text_at(h, &r->v[0], GONE);
    history_close(h);

    /* Uncommitted: an edit makes a working version, so does a new file. */
    file_write("content/a/uno.md", V4 "未提交的一段。\n");
    file_write("content/c/three.md", TWO);
    fixture_item(&f, "c/three.md", "X/2026-00004", "第三条");
    h = history_walked(&f, &d);
    assert_true(history_item_revisions(h, 0)->working);
    assert_int_equal(history_item_revisions(h, 0)->len, 4);
    assert_false(history_item_revisions(h, 1)->working);
    assert_true(history_item_revisions(h, 2)->working);
    assert_int_equal(history_item_revisions(h, 2)->len, 0);
    history_close(h);
    fixture_free(&f);
    diag_list_free(&d);
}

/* A merge counts for a file only where it differs from every parent: the
 * side branch's own commit is the revision, not the merge. */
static void test_revisions_through_a_merge(void **state)
{
    (void)state;
    file_write("content/a/x.md", V1);
    file_write("content/a/y.md", TWO);
    git_oid base = commit_all("起点", NULL);
    git_reference *head;
    assert_int_equal(git_repository_head(&head, repo), 0);
    char *main_branch = strdup(git_reference_name(head));
    git_reference_free(head);
    file_write("content/a/x.md", V2);
    git_oid main_edit = commit_all("主线修改", NULL);
    /* A side branch from base that edits y. */
    git_commit *b;
    assert_int_equal(git_commit_lookup(&b, repo, &base), 0);
    git_reference *ref;
    assert_int_equal(git_branch_create(&ref, repo, "side", b, 0), 0);
    git_reference_free(ref);
    assert_int_equal(git_repository_set_head(repo, "refs/heads/side"), 0);
    git_checkout_options co;
    git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    assert_int_equal(git_checkout_head(repo, &co), 0);
    git_commit_free(b);
    file_write("content/a/y.md", TWO "支线补充。\n");
    git_oid side_edit = commit_all("支线修改", NULL);
    assert_int_equal(git_repository_set_head(repo, main_branch), 0);
    free(main_branch);
    assert_int_equal(git_checkout_head(repo, &co), 0);
    file_write("content/a/y.md", TWO "支线补充。\n");
    commit_all("合并支线", &side_edit);

    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/x.md", "X/1", "x");
    fixture_item(&f, "a/y.md", "X/2", "y");
    diag_list d;
    diag_list_init(&d);
    history *h = history_walked(&f, &d);
    char want[41];
    const history_revisions *x = history_item_revisions(h, 0), *y = history_item_revisions(h, 1);
    assert_int_equal(x->len, 2);
    hex(&main_edit, want);
    assert_string_equal(x->v[1].commit, want);
    assert_int_equal(y->len, 2);
    hex(&side_edit, want);
    assert_string_equal(y->v[1].commit, want);
    assert_false(y->working);
    history_close(h);
    fixture_free(&f);
    diag_list_free(&d);
}

/* A shallow clone lacks the commits before its edge: history starts there
 * (libgit2's revwalk would stop with an error). */
static void test_revisions_shallow(void **state)
{
    (void)state;
    file_write("content/a/x.md", V1);
    git_oid first = commit_all("边界之前", NULL);
    file_write("content/a/x.md", V2);
    git_oid second = commit_all("边界", NULL);
    file_write("content/a/x.md", V3);
    commit_all("最新", NULL);
    char hexid[41], path[600];
    hex(&first, hexid);
    snprintf(path, sizeof path, "%s/.git/objects/%.2s/%s", root, hexid, hexid + 2);
    assert_int_equal(unlink(path), 0);

    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/x.md", "X/1", "x");
    diag_list d;
    diag_list_init(&d);
    history *h = history_walked(&f, &d);
    assert_int_equal(d.len, 0);
    const history_revisions *r = history_item_revisions(h, 0);
    assert_int_equal(r->len, 2);
    hex(&second, hexid);
    assert_string_equal(r->v[0].commit, hexid);
    assert_text_at(h, &r->v[0], V2);
    history_close(h);
    fixture_free(&f);
    diag_list_free(&d);
}

/* ---- the walk's result kept --------------------------------------------- */

static history *history_kept_walked(fixture *f, const char *keep, diag_list *d)
{
    history *h;
    assert_int_equal(history_open(&h, &f->cfg, d), 0);
    history_revisions_keep(h, keep);
    assert_int_equal(history_revisions_walk(h, &f->cat, d), 0);
    return h;
}

static void assert_same_list(const history_revisions *a, const history_revisions *b)
{
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->working, b->working);
    for (size_t i = 0; i < a->len; i++) {
        assert_int_equal(a->v[i].number, b->v[i].number);
        assert_string_equal(a->v[i].commit, b->v[i].commit);
        assert_memory_equal(a->v[i].short_id, b->v[i].short_id, sizeof a->v[i].short_id);
        assert_string_equal(a->v[i].blob, b->v[i].blob);
        assert_string_equal(a->v[i].path, b->v[i].path);
        assert_string_equal(a->v[i].when, b->v[i].when);
        assert_memory_equal(&a->v[i].day, &b->v[i].day, sizeof a->v[i].day);
        assert_string_equal(a->v[i].message, b->v[i].message);
    }
}

/* A walk through the kept file gives what a walk without it gives. */
static void assert_kept_equals_fresh(fixture *f, const char *keep)
{
    diag_list d;
    diag_list_init(&d);
    history *kept = history_kept_walked(f, keep, &d), *fresh = history_walked(f, &d);
    assert_int_equal(d.len, 0);
    for (size_t i = 0; i < f->cat.item_count; i++)
        assert_same_list(history_item_revisions(kept, i), history_item_revisions(fresh, i));
    for (size_t i = 0; i < f->cat.withdrawn_count; i++)
        assert_same_list(history_withdrawn_revisions(kept, i),
                         history_withdrawn_revisions(fresh, i));
    history_close(kept);
    history_close(fresh);
    diag_list_free(&d);
}

/* Rewrite the kept file with every `from` replaced by `to` (same length),
 * sealed again as the program seals it: a file a walk would use. */
static void kept_file_edit(const char *keep, const char *from, const char *to)
{
    buf data = BUF_INIT;
    assert_int_equal(buf_read_file(&data, keep), 0);
    size_t len;
    assert_true(fields_sealed(data.ptr, data.len, &len));
    data.len = len;
    size_t n = strlen(from), hits = 0;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data.ptr + i, from, n) == 0) {
            memcpy(data.ptr + i, to, n);
            hits++;
        }
    assert_true(hits > 0);
    fields_seal(&data);
    buf err = BUF_INIT;
    assert_int_equal(atomic_replace(keep, data.ptr, data.len, &err), 0);
    buf_free(&err);
    buf_free(&data);
}

/* The first revision's message of item 0 through the kept file. */
static void assert_first_message(fixture *f, const char *keep, const char *want)
{
    diag_list d;
    diag_list_init(&d);
    history *h = history_kept_walked(f, keep, &d);
    assert_string_equal(history_item_revisions(h, 0)->v[0].message, want);
    history_close(h);
    diag_list_free(&d);
}

static void kept_file_put(const char *keep, const buf *data)
{
    buf err = BUF_INIT;
    assert_int_equal(atomic_replace(keep, data->ptr, data->len, &err), 0);
    buf_free(&err);
}

/* The kept file as a full walk of HEAD writes it, its bytes into *out. */
static void kept_file_fresh(fixture *f, const char *keep, buf *out)
{
    unlink(keep);
    assert_kept_equals_fresh(f, keep);
    buf_reset(out);
    assert_int_equal(buf_read_file(out, keep), 0);
}

/* After a change to the commits or the items: a walk through `before`,
 * the kept file as it was, gives what a fresh walk gives, and draws on
 * that file (`drawn`: its first commit's summary, edited there, shows
 * through) or walks in full. */
static void assert_kept_after(fixture *f, const char *keep, const buf *before, bool drawn)
{
    kept_file_put(keep, before);
    assert_kept_equals_fresh(f, keep);
    kept_file_put(keep, before);
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    assert_first_message(f, keep, drawn ? "新增两条消息" : "新增两条信息");
}

/* The commits of history_fixture_commits (ids), the kept file's path
 * (keep, 128 bytes) and the items of today. */
static void kept_fixture(fixture *f, git_oid ids[6], char *keep)
{
    history_fixture_commits(ids);
    snprintf(keep, 128, "%s-out/.gongkai/revisions.cache", root);
    fixture_init(f);
    fixture_item(f, "a/uno.md", "X/2026-00001", "通知（修订）");
    fixture_item(f, "b/deux.md", "X/2026-00002", "另一条");
    fixture_withdrawn(f, "content/a/gone.md", "X/2026-00003");
}

static void test_revisions_kept(void **state)
{
    (void)state;
    git_oid ids[6];
    char keep[128];
    fixture f;
    kept_fixture(&f, ids, keep);

    /* Written by the first walk, read by the next at the same HEAD: an
     * edited (and sealed again) file shows through. */
    assert_kept_equals_fresh(&f, keep);
    assert_int_equal(access(keep, F_OK), 0);
    assert_kept_equals_fresh(&f, keep);
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    assert_first_message(&f, keep, "新增两条消息");

    /* Of another program version: not used. */
    kept_file_edit(keep, GK_VERSION, "9.9.9");
    assert_kept_equals_fresh(&f, keep);
    assert_first_message(&f, keep, "新增两条信息");

    /* Damaged: not used, no word said (assert_kept_equals_fresh counts). */
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    FILE *fp = fopen(keep, "r+b");
    assert_non_null(fp);
    fseek(fp, 100, SEEK_SET);
    fputc('#', fp);
    fclose(fp);
    assert_kept_equals_fresh(&f, keep);
    assert_first_message(&f, keep, "新增两条信息");

    /* Uncommitted edits: the status pass runs with the kept result. */
    file_write("content/b/deux.md", TWO "未提交。\n");
    assert_kept_equals_fresh(&f, keep);
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    assert_first_message(&f, keep, "新增两条消息");
    diag_list d;
    diag_list_init(&d);
    history *h = history_kept_walked(&f, keep, &d);
    assert_true(history_item_revisions(h, 1)->working);
    assert_false(history_item_revisions(h, 0)->working);
    history_close(h);

    /* Another item, at a path no commit changed (the slots differ, HEAD
     * is the same): drawn on (test_revisions_kept_extended has more). */
    buf before = BUF_INIT;
    kept_file_fresh(&f, keep, &before);
    file_write("content/c/three.md", V1);
    fixture_item(&f, "c/three.md", "X/2026-00004", "第三条");
    assert_kept_after(&f, keep, &before, true);

    /* A new commit: drawn on; then history rewritten (HEAD no descendant
     * of the kept one): walked again. */
    kept_file_fresh(&f, keep, &before);
    commit_all("新增第三条", NULL);
    assert_kept_after(&f, keep, &before, true);
    kept_file_fresh(&f, keep, &before);
    git_object *back;
    assert_int_equal(git_object_lookup(&back, repo, &ids[3], GIT_OBJECT_COMMIT), 0);
    assert_int_equal(git_reset(repo, back, GIT_RESET_SOFT, NULL), 0);
    git_object_free(back);
    commit_all("重写的历史", NULL);
    assert_kept_after(&f, keep, &before, false);
    buf_free(&before);

    /* A shallow clone's edge moved: walked again. */
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    char edge[64], path[600];
    hex(&ids[0], edge);
    strcat(edge, "\n");
    snprintf(path, sizeof path, "%s/.git/shallow", root);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(edge, fp);
    fclose(fp);
    assert_kept_equals_fresh(&f, keep);
    assert_first_message(&f, keep, "新增两条信息");

    /* Another rename limit (renames are paired anew): walked again. */
    kept_file_edit(keep, "新增两条信息", "新增两条消息");
    git_config *cfg;
    assert_int_equal(git_repository_config(&cfg, repo), 0);
    assert_int_equal(git_config_set_int32(cfg, "diff.renameLimit", 50), 0);
    git_config_free(cfg);
    assert_kept_equals_fresh(&f, keep);
    assert_first_message(&f, keep, "新增两条信息");

    /* Without history_revisions_keep nothing is read or written. */
    assert_int_equal(unlink(keep), 0);
    history_close(history_walked(&f, &d));
    assert_int_not_equal(access(keep, F_OK), 0);
    diag_list_free(&d);
    fixture_free(&f);
}

/* New commits on HEAD since the kept walk: only they are walked, when
 * they are a line of single-parent commits and the items that only one
 * walk follows cannot change the other's result; else a full walk. Each
 * step is checked against a fresh walk. */
static void test_revisions_kept_extended(void **state)
{
    (void)state;
    git_oid ids[6];
    char keep[128];
    fixture f;
    kept_fixture(&f, ids, keep);
    buf before = BUF_INIT;

    /* Three commits: an edit, one outside content/, a rename (its slot
     * meets the kept one at the old path). */
    kept_file_fresh(&f, keep, &before);
    file_write("content/a/uno.md", V4 "再补一句。\n");
    commit_all("补一句", NULL);
    file_write("README", "说明改了\n");
    commit_all("只改说明", NULL);
    file_rename("content/b/deux.md", "content/b/zwei.md");
    fixture_move(&f, 1, "b/zwei.md");
    commit_all("再改名", NULL);
    assert_kept_after(&f, keep, &before, true);

    /* An uncommitted item, at a path no commit changed: drawn on; then
     * committed (the kept slot it had, with no revisions, is continued by
     * none): drawn on. */
    kept_file_fresh(&f, keep, &before);
    file_write("content/c/neu.md", TWO "新的一条。\n");
    fixture_item(&f, "c/neu.md", "X/2026-00004", "新一条");
    assert_kept_after(&f, keep, &before, true);
    kept_file_fresh(&f, keep, &before);
    commit_all("新增一条", NULL);
    assert_kept_after(&f, keep, &before, true);

    /* An item at a path a commit changed (uno's before its rename): its
     * history below is unknown, walked in full. Dropped again, with no
     * revisions of its own: drawn on. */
    kept_file_fresh(&f, keep, &before);
    file_write("content/a/one.md", V1);
    fixture_item(&f, "a/one.md", "X/2026-00005", "旧路径上的新条");
    assert_kept_after(&f, keep, &before, false);
    kept_file_fresh(&f, keep, &before);
    fixture_drop_last(&f);
    assert_kept_after(&f, keep, &before, true);

    /* An item with revisions no longer followed: walked in full. */
    kept_file_fresh(&f, keep, &before);
    fixture_drop_last(&f);
    assert_kept_after(&f, keep, &before, false);

    /* A file added and deleted, no item's: an item at its path later has
     * its revision, which only a full walk finds. */
    file_write("content/d/tmp.md", GONE);
    commit_all("临时加一条", NULL);
    file_remove("content/d/tmp.md");
    commit_all("又删了", NULL);
    kept_file_fresh(&f, keep, &before);
    file_write("content/d/tmp.md", V1);
    fixture_item(&f, "d/tmp.md", "X/2026-00006", "同一路径上的新条");
    assert_kept_after(&f, keep, &before, false);
    diag_list d;
    diag_list_init(&d);
    history *h = history_walked(&f, &d);
    assert_int_equal(history_item_revisions(h, f.cat.item_count - 1)->len, 1);
    history_close(h);
    diag_list_free(&d);
    fixture_drop_last(&f);

    /* A merge among the new commits: walked in full. */
    kept_file_fresh(&f, keep, &before);
    file_write("content/a/uno.md", V4);
    commit_all("合并旧提交", &ids[4]);
    assert_kept_after(&f, keep, &before, false);

    buf_free(&before);
    fixture_free(&f);
}

static void test_not_a_repository(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-norepo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    site_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.root = dir;
    catalogue cat;
    memset(&cat, 0, sizeof cat);
    diag_list d;
    diag_list_init(&d);
    history *h;
    assert_int_equal(history_open(&h, &cfg, &d), 0);
    assert_false(history_is_repository(h));
    assert_int_equal(history_revisions_walk(h, &cat, &d), 0);
    assert_int_equal(history_releases_read(h, &d), 0);
    size_t n;
    history_release_list(h, &n);
    assert_int_equal(n, 0);
    assert_int_equal(history_source_check(h, false, &d), -1);
    assert_string_equal(d.items[0].code, "GK601");
    history_close(h);
    diag_list_free(&d);
    rmdir(dir);
}

/* ---- releases ------------------------------------------------------------ */

static const time_t PUBLISH_TIME = 1772330400; /* 2026-03-01 10:00 +08:00 */

/* The built site of a release, beside the repository: a page or two and an
 * empty folder (which git cannot hold). */
static void built_site(char *dir, size_t size, const char *name, const char *home)
{
    snprintf(dir, size, "%s-%s", root, name);
    char path[700];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(home, fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/a", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/a/index.html", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("<p>a</p>\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/empty", dir);
    mkdir(path, 0755);
}

static char *blob_text(git_tree *tree, const char *path)
{
    git_tree_entry *e;
    if (git_tree_entry_bypath(&e, tree, path) != 0)
        return NULL;
    git_blob *blob;
    assert_int_equal(git_blob_lookup(&blob, repo, git_tree_entry_id(e)), 0);
    char *s = strndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
    git_blob_free(blob);
    git_tree_entry_free(e);
    return s;
}

static int publish(fixture *f, const char *message, const char *dir, time_t when, diag_list *d)
{
    history *h;
    assert_int_equal(history_open(&h, &f->cfg, d), 0);
    int rc = history_source_check(h, false, d);
    if (rc == 0)
        rc = history_releases_read(h, d);
    if (rc == 0)
        rc = history_release_prepare(h, &f->cat, message, when, d);
    if (rc == 0)
        rc = history_release_commit(h, dir, d);
    history_close(h);
    return rc;
}

static void test_releases_commit_tag_and_count(void **state)
{
    (void)state;
    file_write("content/a/one.md", V1);
    file_write("content/a/two.md", TWO);
    git_oid src1 = commit_all("两条信息", NULL);
    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/one.md", "X/2026-00001", "通知");
    fixture_item(&f, "a/two.md", "X/2026-00002", "另一条");
    diag_list d;
    diag_list_init(&d);
    char dir[600];
    built_site(dir, sizeof dir, "out1", "<p>第一版</p>\n");
    assert_int_equal(publish(&f, "首次发布", dir, PUBLISH_TIME, &d), 0);
    assert_int_equal(d.len, 0);

    /* The branch, its commit and tree, the annotated tag. */
    git_oid tip;
    assert_int_equal(git_reference_name_to_id(&tip, repo, "refs/heads/site"), 0);
    git_commit *c;
    assert_int_equal(git_commit_lookup(&c, repo, &tip), 0);
    assert_int_equal(git_commit_parentcount(c), 0);
    char src_hex[41];
    hex(&src1, src_hex);
    const char *msg = git_commit_message(c);
    assert_non_null(
        strstr(msg, "发布 release-20260301-1：新增 2 条，修改 0 条，撤回 0 条\n\n首次发布\n"));
    assert_non_null(strstr(msg, src_hex));
    git_tree *tree;
    assert_int_equal(git_commit_tree(&tree, c), 0);
    char *home = blob_text(tree, "index.html");
    assert_string_equal(home, "<p>第一版</p>\n");
    free(home);
    char *manifest = blob_text(tree, "releases/manifest.tsv");
    assert_non_null(strstr(manifest, "X/2026-00001\t"));
    assert_non_null(strstr(manifest, "\t/a/two.md\t另一条\n"));
    free(manifest);
    assert_null(blob_text(tree, "empty"));
    git_tree_free(tree);
    git_commit_free(c);
    git_object *tag;
    assert_int_equal(git_revparse_single(&tag, repo, "refs/tags/release-20260301-1"), 0);
    assert_int_equal(git_object_type(tag), GIT_OBJECT_TAG);
    assert_true(git_oid_equal(git_tag_target_id((git_tag *)tag), &tip));
    git_object_free(tag);

    /* Edit one, delete the other, publish the same day. */
    file_write("content/a/one.md", V2);
    file_remove("content/a/two.md");
    commit_all("修改并删除", NULL);
    fixture g;
    fixture_init(&g);
    fixture_item(&g, "a/one.md", "X/2026-00001", "通知");
    built_site(dir, sizeof dir, "out2", "<p>第二版</p>\n");
    assert_int_equal(publish(&g, NULL, dir, PUBLISH_TIME + 3600, &d), 0);
    git_oid tip2;
    assert_int_equal(git_reference_name_to_id(&tip2, repo, "refs/heads/site"), 0);
    assert_int_equal(git_commit_lookup(&c, repo, &tip2), 0);
    assert_true(git_oid_equal(git_commit_parent_id(c, 0), &tip));
    assert_non_null(
        strstr(git_commit_message(c),
               "发布 release-20260301-2：新增 0 条，修改 1 条，撤回 1 条\n\nSource-Commit: "));
    git_commit_free(c);

    /* Read back: newest first, tags, counts, changes, messages. */
    history *h;
    assert_int_equal(history_open(&h, &g.cfg, &d), 0);
    assert_int_equal(history_releases_read(h, &d), 0);
    size_t n;
    const history_release *rel = history_release_list(h, &n);
    assert_int_equal(n, 2);
    assert_string_equal(rel[0].tag, "release-20260301-2");
    assert_string_equal(rel[1].tag, "release-20260301-1");
    assert_string_equal(rel[1].message, "首次发布");
    assert_null(rel[0].message);
    assert_string_equal(rel[1].source, src_hex);
    assert_string_equal(rel[1].when, "2026-03-01 10:00");
    assert_int_equal(rel[1].counts[HISTORY_CHANGE_NEW], 2);
    assert_int_equal(rel[0].counts[HISTORY_CHANGE_CHANGED], 1);
    assert_int_equal(rel[0].counts[HISTORY_CHANGE_WITHDRAWN], 1);
    assert_int_equal(rel[0].change_count, 2);
    assert_int_equal(rel[0].changes[0].kind, HISTORY_CHANGE_CHANGED);
    assert_string_equal(rel[0].changes[0].index_no, "X/2026-00001");
    assert_int_equal(rel[0].changes[1].kind, HISTORY_CHANGE_WITHDRAWN);
    assert_string_equal(rel[0].changes[1].title, "另一条");
    assert_string_equal(rel[0].changes[1].url, "/a/two.md");
    history_close(h);
    fixture_free(&f);
    fixture_free(&g);
    diag_list_free(&d);
}

/* Uncommitted sources are refused, file by file; nothing moves. */
static void test_releases_refuse_dirty_sources(void **state)
{
    (void)state;
    file_write("content/a/one.md", V1);
    commit_all("一条", NULL);
    file_write("content/a/one.md", V2);
    file_write("content/a/new.md", TWO);
    file_write("notes.txt", "站点源文件之外的文件不算\n");
    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/one.md", "X/1", "通知");
    diag_list d;
    diag_list_init(&d);
    char dir[600];
    built_site(dir, sizeof dir, "out", "<p></p>\n");
    assert_int_equal(publish(&f, NULL, dir, PUBLISH_TIME, &d), -1);
    assert_int_equal(d.len, 2);
    diag_list_sort(&d);
    assert_string_equal(d.items[0].path, "content/a/new.md");
    assert_string_equal(d.items[1].path, "content/a/one.md");
    assert_string_equal(d.items[1].code, "GK602");
    assert_int_equal(d.items[1].severity, DIAG_ERROR);
    git_oid id;
    assert_int_equal(git_reference_name_to_id(&id, repo, "refs/heads/site"), GIT_ENOTFOUND);

    /* --allow-dirty: warnings, and the release says how many. */
    diag_list_free(&d);
    diag_list_init(&d);
    history *h;
    assert_int_equal(history_open(&h, &f.cfg, &d), 0);
    assert_int_equal(history_source_check(h, true, &d), 0);
    assert_int_equal(d.items[0].severity, DIAG_WARNING);
    assert_int_equal(history_releases_read(h, &d), 0);
    assert_int_equal(history_release_prepare(h, &f.cat, NULL, PUBLISH_TIME, &d), 0);
    assert_int_equal(history_release_commit(h, dir, &d), 0);
    size_t n;
    assert_int_equal(history_release_list(h, &n)[0].source_dirty, 2);
    history_close(h);
    git_commit *c;
    assert_int_equal(git_reference_name_to_id(&id, repo, "refs/heads/site"), 0);
    assert_int_equal(git_commit_lookup(&c, repo, &id), 0);
    assert_non_null(strstr(git_commit_message(c), "\nSource-Dirty: 2\n"));
    git_commit_free(c);
    fixture_free(&f);
    diag_list_free(&d);
}

/* When the branch cannot move (another publish holds its lock), the tag is
 * taken back: branch and tags exactly as before. */
static void test_releases_all_or_nothing(void **state)
{
    (void)state;
    file_write("content/a/one.md", V1);
    commit_all("一条", NULL);
    fixture f;
    fixture_init(&f);
    fixture_item(&f, "a/one.md", "X/1", "通知");
    diag_list d;
    diag_list_init(&d);
    char dir[600], lock[600];
    built_site(dir, sizeof dir, "out", "<p></p>\n");
    snprintf(lock, sizeof lock, "%s/.git/refs/heads/site.lock", root);
    FILE *fp = fopen(lock, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(publish(&f, NULL, dir, PUBLISH_TIME, &d), -1);
    assert_string_equal(d.items[d.len - 1].code, "GK604");
    git_oid id;
    assert_int_equal(git_reference_name_to_id(&id, repo, "refs/heads/site"), GIT_ENOTFOUND);
    assert_int_equal(git_reference_name_to_id(&id, repo, "refs/tags/release-20260301-1"),
                     GIT_ENOTFOUND);
    unlink(lock);

    /* A bad pattern is refused before anything is written. */
    diag_list_free(&d);
    diag_list_init(&d);
    f.cfg.publish_tag_pattern = "rel %q";
    assert_int_equal(publish(&f, NULL, dir, PUBLISH_TIME, &d), -1);
    assert_string_equal(d.items[0].code, "GK605");
    f.cfg.publish_tag_pattern = "release-%Y";
    assert_int_equal(publish(&f, NULL, dir, PUBLISH_TIME, &d), 0);
    diag_list_free(&d);
    diag_list_init(&d);
    assert_int_equal(publish(&f, NULL, dir, PUBLISH_TIME, &d), -1);
    assert_string_equal(d.items[0].code, "GK605"); /* release-2026 exists, no %n */
    fixture_free(&f);
    diag_list_free(&d);
}

int main(void)
{
    /* Release dates and tags are local time: make it China's. */
    setenv("TZ", "CST-8", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_revisions_follow_edits_renames_deletes, repo_setup,
                                        repo_teardown),
        cmocka_unit_test_setup_teardown(test_revisions_through_a_merge, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_revisions_shallow, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_revisions_kept, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_revisions_kept_extended, repo_setup, repo_teardown),
        cmocka_unit_test(test_not_a_repository),
        cmocka_unit_test_setup_teardown(test_releases_commit_tag_and_count, repo_setup,
                                        repo_teardown),
        cmocka_unit_test_setup_teardown(test_releases_refuse_dirty_sources, repo_setup,
                                        repo_teardown),
        cmocka_unit_test_setup_teardown(test_releases_all_or_nothing, repo_setup, repo_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
