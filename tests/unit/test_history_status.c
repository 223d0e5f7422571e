/* history: the working flags kept between builds (history_status_keep)
 * are the flags of the whole status pass in every case: a rebuild with
 * nothing changed, an edit, an edit staged (the index changed), an edit
 * undone, a new untracked item, a commit (HEAD moved), a withdrawn item's
 * file gone, a damaged memo and one of another HEAD; a memo is used where
 * it fits (a flag planted in it shows) and written only through
 * history_status_keep. The repository is built with libgit2 in a
 * temporary folder. The items' stat data is what the content stage would
 * record, but dated long ago (racy files are never recorded, and a test
 * cannot wait for files to age): each write gets its own mtime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/history/history.h"
#include "../../generator/util/atomic.h"
#include "../../generator/util/fields.h"
#include "../../generator/util/hash.h"

#include "test_tree.h"

#include <git2.h>

#include "test_git.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

static char root[64]; /* the temporary site, a git work tree */
static char memo[96]; /* the memo: root/.gongkai/status.memo */
static git_repository *repo;
static int tick; /* each write's mtime: long ago, a second apart */

static int repo_setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/gk-status-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    snprintf(memo, sizeof memo, "%s/.gongkai/status.memo", root);
    git_libgit2_init();
    tick = 0;
    return git_repository_init(&repo, root, 0) < 0 ? -1 : 0;
}

static int repo_teardown(void **state)
{
    (void)state;
    git_repository_free(repo);
    git_libgit2_shutdown();
    test_tree_remove(AT_FDCWD, root);
    return 0;
}

/* Write root/rel, dated a second after the previous write, long ago. */
static void file_write(const char *rel, const char *text)
{
    test_tree_write_text(root, rel, text);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    struct timespec times[2] = {{1700000000 + ++tick, 0}, {1700000000 + tick, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* Stage and commit the work tree on HEAD. */
static void commit_all(const char *message)
{
    git_signature *sig;
    assert_int_equal(git_signature_new(&sig, "测试员", "tester@example.org", 1767232800, 480), 0);
    test_git_commit(repo, sig, message, NULL);
    git_signature_free(sig);
}

/* ---- a hand-made catalogue: only what history reads --------------------- */

/* The items tested, then FILLERS committed ones that never change: asking
 * about more than a quarter of the files is left to the whole pass. */
#define ITEMS 4
#define FILLERS 8

typedef struct fixture {
    site_config cfg;
    catalogue cat;
    content_item items[ITEMS + FILLERS];
    catalogue_item citems[ITEMS + FILLERS];
    catalogue_withdrawn withdrawn[1];
    char texts[ITEMS + FILLERS][256]; /* each item's bytes, as the content stage reads them */
} fixture;

static const char *const item_paths[ITEMS] = {"content/a/one.md", "content/a/two.md",
                                              "content/b/three.md", "content/new/four.md"};
static char filler_paths[FILLERS][32];

/* The committed files that never change. */
static void fillers_write(void)
{
    for (size_t i = 0; i < FILLERS; i++) {
        snprintf(filler_paths[i], sizeof filler_paths[i], "content/z/f%zu.md", i);
        file_write(filler_paths[i], "+++\ntitle = \"不变\"\n+++\n\n不变的正文。\n");
    }
}

/* The first `n` items of item_paths[] and the fillers, with their stat
 * data and bytes as the content stage takes them (ctime read as the
 * mtime: see above), and `gone`, when not NULL, withdrawn. */
static void fixture_make(fixture *f, size_t n, const char *gone)
{
    memset(f, 0, sizeof *f);
    f->cfg.root = root;
    f->cat.items = f->citems;
    f->cat.item_count = n + FILLERS;
    for (size_t i = 0; i < n + FILLERS; i++) {
        content_item *it = &f->items[i];
        it->path = i < n ? item_paths[i] : filler_paths[i - n];
        it->rel = it->path + strlen("content/");
        char full[256];
        snprintf(full, sizeof full, "%s/%s", root, it->path);
        struct stat st;
        assert_int_equal(lstat(full, &st), 0);
        content_stat_take(&it->stat, &st);
        it->stat.ctime = it->stat.mtime;
        it->stat_known = true;
        FILE *fp = fopen(full, "rb");
        assert_non_null(fp);
        it->text_len = fread(f->texts[i], 1, sizeof f->texts[i], fp);
        assert_true(it->text_len < sizeof f->texts[i]);
        fclose(fp);
        it->text = f->texts[i];
        f->citems[i].item = it;
    }
    f->cat.withdrawn = f->withdrawn;
    if (gone) {
        f->withdrawn[0].path = gone;
        f->cat.withdrawn_count = 1;
    }
}

/* The flags of a walk through the memo, or of the whole pass without it:
 * the items' and then the withdrawn one's. */
static void flags_walked(const fixture *f, bool kept, bool *out)
{
    diag_list d;
    diag_list_init(&d);
    history *h;
    assert_int_equal(history_open(&h, &f->cfg, &d), 0);
    if (kept)
        history_status_keep(h, memo);
    assert_int_equal(history_revisions_walk(h, &f->cat, &d), 0);
    assert_int_equal(d.len, 0);
    for (size_t i = 0; i < f->cat.item_count; i++)
        out[i] = history_item_revisions(h, i)->working;
    for (size_t i = 0; i < f->cat.withdrawn_count; i++)
        out[f->cat.item_count + i] = history_withdrawn_revisions(h, i)->working;
    history_close(h);
    diag_list_free(&d);
}

/* The memo's flags equal the whole pass's, which are `want` ("1" working,
 * "0" not, one per item tested, then the withdrawn one's; the fillers'
 * are 0), and the memo exists. */
static void assert_flags(const fixture *f, const char *want)
{
    bool kept[ITEMS + FILLERS + 1], full[ITEMS + FILLERS + 1];
    flags_walked(f, true, kept);
    flags_walked(f, false, full);
    size_t n = f->cat.item_count + f->cat.withdrawn_count, tested = f->cat.item_count - FILLERS;
    assert_int_equal(strlen(want), n - FILLERS);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(kept[i], full[i]);
        bool filler = i >= tested && i < f->cat.item_count;
        assert_int_equal(kept[i], !filler && want[i < tested ? i : i - FILLERS] == '1');
    }
    assert_int_equal(access(memo, F_OK), 0);
}

/* Write root/rel, then the flags of the first n items are `want`, as in
 * assert_flags. */
static void assert_flags_after(fixture *f, size_t n, const char *rel, const char *text,
                               const char *want)
{
    file_write(rel, text);
    fixture_make(f, n, NULL);
    assert_flags(f, want);
}

/* Set the mode of content/b/three.md, then the flags of the first three
 * items are `want`. */
static void assert_flags_after_chmod(fixture *f, mode_t mode, const char *want)
{
    char path[256];
    snprintf(path, sizeof path, "%s/content/b/three.md", root);
    assert_int_equal(chmod(path, mode), 0);
    fixture_make(f, 3, NULL);
    assert_flags(f, want);
}

/* The record of `path` in the memo's bytes data[0..len): its key. */
static char *memo_record_find(char *data, size_t len, const char *path)
{
    char key[17];
    snprintf(key, sizeof key, "%016" PRIx64, hash64_str(HASH64_INIT, path));
    for (size_t i = 0; i + 17 <= len; i++)
        if (memcmp(data + i, key, 16) == 0 && data[i + 16] == '\0')
            return data + i;
    return NULL;
}

/* The low bits of a record's value: the flag, and that the index may
 * differ from HEAD for the file (status.c). */
#define FLAG_BIT 1
#define STAGED_BIT 2

/* Rewrite the memo with `bits` of the value of `path` turned over, sealed
 * again as the program seals it: a file a walk would use. */
static void memo_bits_flip(const char *path, int bits)
{
    buf data = BUF_INIT;
    assert_int_equal(buf_read_file(&data, memo), 0);
    size_t len;
    assert_true(fields_sealed(data.ptr, data.len, &len));
    data.len = len;
    char *at = memo_record_find(data.ptr, len, path);
    assert_non_null(at);
    char *last = at + 17 + 15; /* the value's last hex digit holds the bits */
    static const char digits[] = "0123456789abcdef";
    *last = digits[(strchr(digits, *last) - digits) ^ bits];
    fields_seal(&data);
    buf err = BUF_INIT;
    assert_int_equal(atomic_replace(memo, data.ptr, data.len, &err), 0);
    buf_free(&err);
    buf_free(&data);
}

static bool flag_kept(const fixture *f, size_t item)
{
    bool kept[ITEMS + FILLERS + 1];
    flags_walked(f, true, kept);
    return kept[item];
}

/* Whether the memo answers for the file of item `item`: a flag planted in
 * it shows, and is taken out again; when not, the walk wrote the memo
 * anew. */
static void assert_memo_used(const fixture *f, size_t item, bool used)
{
    bool full[ITEMS + FILLERS + 1];
    flags_walked(f, false, full);
    memo_bits_flip(f->items[item].path, FLAG_BIT);
    assert_int_equal(flag_kept(f, item), used ? !full[item] : full[item]);
    if (used)
        memo_bits_flip(f->items[item].path, FLAG_BIT);
}

/* A commit of HEAD's own tree: HEAD moves, the index stays as it is. */
static void commit_same_tree(void)
{
    git_oid head, id;
    assert_int_equal(git_reference_name_to_id(&head, repo, "HEAD"), 0);
    git_commit *parent;
    git_tree *tree;
    assert_int_equal(git_commit_lookup(&parent, repo, &head), 0);
    assert_int_equal(git_commit_tree(&tree, parent), 0);
    git_signature *sig;
    assert_int_equal(git_signature_new(&sig, "测试员", "tester@example.org", 1767232900, 480), 0);
    const git_commit *parents[1] = {parent};
    assert_int_equal(
        git_commit_create(&id, repo, "HEAD", sig, sig, "UTF-8", "空提交", tree, 1, parents), 0);
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(parent);
}

#define ONE "+++\ntitle = \"一\"\n+++\n\n第一条。\n"
#define TWO "+++\ntitle = \"二\"\n+++\n\n第二条。\n"
#define THREE "+++\ntitle = \"三\"\n+++\n\n第三条。\n"
#define FOUR "+++\ntitle = \"四\"\n+++\n\n第四条。\n"

/* Three items in two folders, and the fillers, committed. */
static void three_items_committed(void)
{
    file_write("content/a/one.md", ONE);
    file_write("content/a/two.md", TWO);
    file_write("content/b/three.md", THREE);
    fillers_write();
    commit_all("三条信息");
}

static void test_status_kept(void **state)
{
    (void)state;
    three_items_committed();
    fixture f;

    /* Nothing changed: the memo is written, then answers. */
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");
    assert_flags(&f, "000");
    assert_memo_used(&f, 1, true);

    /* An edit of a tracked file: asked about; the others still from the
     * memo. */
    file_write("content/a/one.md", ONE "补充。\n");
    fixture_make(&f, 3, NULL);
    assert_memo_used(&f, 0, false);
    assert_memo_used(&f, 1, true);
    assert_memo_used(&f, 0, true);
    assert_flags(&f, "100");

    /* Staged: the index changed; the staged file is working by that, the
     * others keep their records (test_status_moved). */
    test_git_stage(repo);
    assert_memo_used(&f, 1, true);
    assert_flags(&f, "100");
    assert_memo_used(&f, 1, true);

    /* Undone to HEAD's bytes in the work tree: it differs from the index
     * still; unstaged too, it is clean again. */
    assert_flags_after(&f, 3, "content/a/one.md", ONE, "100");
    git_object *head;
    assert_int_equal(git_revparse_single(&head, repo, "HEAD"), 0);
    char *one[] = {"content/a/one.md"};
    git_strarray spec = {one, 1};
    assert_int_equal(git_reset_default(repo, head, &spec), 0);
    git_object_free(head);
    assert_flags(&f, "000");
    /* An edit undone without staging: working, then not (the file
     * compared with HEAD's blob: test_status_from_head). */
    assert_flags_after(&f, 3, "content/b/three.md", THREE "改。\n", "001");
    assert_flags_after(&f, 3, "content/b/three.md", THREE, "000");
    assert_memo_used(&f, 1, true);

    /* A new untracked item in a new folder: asked about, working. */
    file_write("content/new/four.md", FOUR);
    fixture_make(&f, 4, NULL);
    assert_memo_used(&f, 1, true);
    assert_flags(&f, "0001");

    /* A commit: HEAD moved; the committed file is looked at again. */
    commit_all("第四条");
    assert_memo_used(&f, 3, false);
    assert_flags(&f, "0000");

    /* A withdrawn item's file removed (not staged): working. */
    char gone[256];
    snprintf(gone, sizeof gone, "%s/content/b/three.md", root);
    assert_int_equal(unlink(gone), 0);
    fixture_make(&f, 2, "content/b/three.md");
    assert_flags(&f, "001");
    assert_flags(&f, "001");
    assert_memo_used(&f, 0, true);
}

static void test_status_memo_refused(void **state)
{
    (void)state;
    three_items_committed();
    fixture f;
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");
    assert_memo_used(&f, 1, true);

    /* Damaged: not used, no word said (flags_walked counts). */
    memo_bits_flip("content/a/two.md", FLAG_BIT);
    FILE *fp = fopen(memo, "r+b");
    assert_non_null(fp);
    fseek(fp, 40, SEEK_SET);
    fputc('#', fp);
    fclose(fp);
    assert_false(flag_kept(&f, 1));
    assert_flags(&f, "000");

    /* Of another HEAD with the same tree (the index and every file as they
     * were): the records still hold, a planted flag too. */
    memo_bits_flip("content/a/two.md", FLAG_BIT);
    commit_same_tree();
    assert_true(flag_kept(&f, 1));
    memo_bits_flip("content/a/two.md", FLAG_BIT);
    assert_flags(&f, "000");
    assert_memo_used(&f, 1, true);
    /* Of other settings (the magic's rules): not used. */
    buf other = BUF_INIT;
    assert_int_equal(buf_read_file(&other, memo), 0);
    size_t len;
    assert_true(fields_sealed(other.ptr, other.len, &len));
    other.len = len;
    char *rules = strchr(strchr(strchr(other.ptr, ' ') + 1, ' ') + 1, ' ') + 1;
    *rules = *rules == '0' ? '1' : '0';
    fields_seal(&other);
    buf err = BUF_INIT;
    assert_int_equal(atomic_replace(memo, other.ptr, other.len, &err), 0);
    buf_free(&err);
    buf_free(&other);
    memo_bits_flip("content/a/two.md", FLAG_BIT);
    assert_false(flag_kept(&f, 1));
    assert_flags(&f, "000");

    /* Another .gitignore at the top: the whole pass runs. */
    file_write(".gitignore", "*.tmp\n");
    assert_memo_used(&f, 1, false);

    /* A racy file (changed within 2 s of the asking) is recorded under no
     * file's stat data: the next build asks about it again. */
    fixture_make(&f, 3, NULL);
    f.items[1].stat.mtime = f.items[1].stat.ctime = (int64_t)time(NULL) * 1000000000;
    assert_flags(&f, "000");
    buf data = BUF_INIT;
    assert_int_equal(buf_read_file(&data, memo), 0);
    assert_non_null(memo_record_find(data.ptr, data.len, "content/a/two.md"));
    buf_free(&data);
    assert_memo_used(&f, 1, false);
    assert_memo_used(&f, 0, true);

    /* Without history_status_keep nothing is read or written. */
    assert_int_equal(unlink(memo), 0);
    bool full[ITEMS + FILLERS + 1];
    flags_walked(&f, false, full);
    assert_int_not_equal(access(memo, F_OK), 0);
}

/* A file asked about whose record says its index entry is HEAD's is
 * compared with HEAD's blob, not asked of git: an edit staged and then
 * undone in the work tree is working (the index differs), which git says
 * while the record says so too; with that bit planted off, the file is
 * compared with HEAD instead, and reads as not working. */
static void test_status_from_head(void **state)
{
    (void)state;
    three_items_committed();
    fixture f;
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");

    /* The executable bit set: git is asked, and finds a change. */
    assert_flags_after_chmod(&f, 0755, "001");
    assert_flags_after_chmod(&f, 0644, "000");

    /* Filters that make a file's bytes as git adds them differ from its
     * own (the folders' .gitattributes, which the memo's magic does not
     * cover): git is asked, and finds the file the same as HEAD's (an
     * ident of the same length; CRLF line ends). */
    test_tree_write_text(root, "content/a/.gitattributes", "*.md ident\n");
    test_tree_write_text(root, "content/b/.gitattributes", "*.md text\n");
    file_write("content/a/one.md", ONE "$Id: aaaa $\n");
    file_write("content/b/three.md", THREE "\r\n改。\n");
    commit_all("过滤");
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");
    file_write("content/a/one.md", ONE "$Id: bbbb $\n");
    assert_flags_after(&f, 3, "content/b/three.md", THREE "\n改。\r\n", "000");
    file_write("content/a/one.md", ONE);
    file_write("content/b/three.md", THREE);
    commit_all("不再过滤");
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");

    /* A file HEAD has not, at a path an earlier commit had (so that its
     * item has versions and the flag counts): untracked, working; ignored
     * by its folder's .gitignore (which the magic does not cover: the file
     * is written again to be looked at), not. */
    file_write("content/new/four.md", FOUR);
    commit_all("第四条");
    char four[256];
    snprintf(four, sizeof four, "%s/content/new/four.md", root);
    assert_int_equal(unlink(four), 0);
    commit_all("撤下第四条");
    assert_flags_after(&f, 4, "content/new/four.md", FOUR "改。\n", "0001");
    assert_flags_after(&f, 4, "content/new/four.md", FOUR, "0001");
    test_tree_write_text(root, "content/new/.gitignore", "four.md\n");
    assert_flags_after(&f, 4, "content/new/four.md", FOUR "改。\n", "0000");
    assert_flags_after(&f, 4, "content/new/four.md", FOUR, "0000");
    /* Ignored and added all the same: git is asked, working. */
    git_index *index;
    assert_int_equal(git_repository_index(&index, repo), 0);
    assert_int_equal(git_index_add_bypath(index, "content/new/four.md"), 0);
    assert_int_equal(git_index_write(index), 0);
    git_index_free(index);
    fixture_make(&f, 4, NULL);
    assert_flags(&f, "0001");
    assert_flags_after(&f, 4, "content/new/four.md", FOUR "改。\n", "0001");

    /* Staged, then HEAD's bytes again in the work tree: working. */
    file_write("content/a/one.md", ONE "补充。\n");
    test_git_stage(repo);
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "100");
    assert_flags_after(&f, 3, "content/a/one.md", ONE, "100");

    /* The record's staged bit planted off: compared with HEAD. */
    memo_bits_flip("content/a/one.md", STAGED_BIT);
    file_write("content/a/one.md", ONE);
    fixture_make(&f, 3, NULL);
    bool full[ITEMS + FILLERS + 1];
    flags_walked(&f, false, full);
    assert_true(full[0]);
    assert_false(flag_kept(&f, 0));
}

/* Records across a move of HEAD: a file whose stat data, HEAD's entry and
 * index entry are as they were keeps its record (a planted flag shows);
 * one whose entry changed is looked at again. */
static void test_status_moved(void **state)
{
    (void)state;
    three_items_committed();
    fixture f;
    fixture_make(&f, 3, NULL);
    assert_flags(&f, "000");

    /* An edit committed: the edited file looked at again, the others as
     * recorded. */
    assert_flags_after(&f, 3, "content/a/two.md", TWO "补充。\n", "010");
    commit_all("补充");
    buf before = BUF_INIT, err = BUF_INIT;
    assert_int_equal(buf_read_file(&before, memo), 0);
    assert_memo_used(&f, 0, true);
    assert_int_equal(atomic_replace(memo, before.ptr, before.len, &err), 0);
    assert_flags(&f, "000");

    /* HEAD moved back alone (a soft reset): the index and the work tree
     * keep the edit, staged now; the others as recorded. */
    git_object *first;
    assert_int_equal(git_revparse_single(&first, repo, "HEAD~1"), 0);
    assert_int_equal(git_reset(repo, first, GIT_RESET_SOFT, NULL), 0);
    git_object_free(first);
    buf_reset(&before);
    assert_int_equal(buf_read_file(&before, memo), 0);
    assert_memo_used(&f, 2, true);
    assert_int_equal(atomic_replace(memo, before.ptr, before.len, &err), 0);
    assert_flags(&f, "010");

    /* HEAD's bytes in the work tree, then HEAD moved to a commit of the
     * same tree: the index differs still, working. */
    assert_flags_after(&f, 3, "content/a/two.md", TWO, "010");
    commit_same_tree();
    assert_flags(&f, "010");

    /* Unstaged: its index entry is HEAD's again, its record (staged) is
     * not used, and the file is compared with HEAD. */
    git_object *head;
    assert_int_equal(git_revparse_single(&head, repo, "HEAD"), 0);
    char *two[] = {"content/a/two.md"};
    git_strarray spec = {two, 1};
    assert_int_equal(git_reset_default(repo, head, &spec), 0);
    git_object_free(head);
    assert_memo_used(&f, 1, false);
    assert_flags(&f, "000");

    /* The executable bit set, then committed: the commit changed the
     * file's mode alone, and the file is looked at again. */
    assert_flags_after_chmod(&f, 0755, "001");
    commit_all("可执行");
    assert_flags(&f, "000");
    buf_free(&err);
    buf_free(&before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_kept, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_status_memo_refused, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_status_from_head, repo_setup, repo_teardown),
        cmocka_unit_test_setup_teardown(test_status_moved, repo_setup, repo_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
