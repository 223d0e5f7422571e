/* catalogue.lock: index numbers assigned once and kept through added,
 * renamed, moved, edited, deleted and restored items; URLs that never break;
 * a malformed lock refused with its line; writes only on change, atomic.
 * Every test runs twice: without the memo of earlier runs, and with it,
 * when every build is made a second time without it first and must come
 * out the same, catalogue.lock byte for byte. Then the memo itself: used
 * when whole, ignored when damaged or of another naming.lua or site.toml,
 * and never hiding an error of naming.lua. First the register's maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"
#include "../../generator/catalogue/catalogue_internal.h"
#include "../../generator/util/fields.h"
#include "test_files.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const date TODAY = {2026, 3, 1};

static char root[64];  /* the temporary site of the running test */
static bool with_memo; /* builds keep and use the memo in root/.gongkai */

/* ---- the temporary site ------------------------------------------------- */

static int site_setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/gk-lock-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp -R tests/fixtures/lock/site/. '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static int site_teardown(void **state)
{
    (void)state;
    chmod(root, 0755);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void site_path(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/%s", root, rel);
}

static void make_parents(const char *path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
}

static void file_write(const char *rel, const char *text)
{
    char path[512];
    site_path(path, sizeof path, rel);
    make_parents(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The whole file (malloc'd), or NULL when absent. */
static char *file_read(const char *rel)
{
    char path[512];
    site_path(path, sizeof path, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *s = malloc(cap);
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[len] = '\0';
    return s;
}

static void file_move(const char *from, const char *to)
{
    char a[512], b[512];
    site_path(a, sizeof a, from);
    site_path(b, sizeof b, to);
    make_parents(b);
    assert_int_equal(rename(a, b), 0);
}

static void file_remove(const char *rel)
{
    char path[512];
    site_path(path, sizeof path, rel);
    assert_int_equal(unlink(path), 0);
}

/* Replace the first `from` in a file by `to`. */
static void file_edit(const char *rel, const char *from, const char *to)
{
    char *s = file_read(rel);
    assert_non_null(s);
    char *at = strstr(s, from);
    if (!at)
        fail_msg("%s has no \"%s\"", rel, from);
    size_t len = strlen(s) + strlen(to) + 1;
    char *out = malloc(len);
    snprintf(out, len, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    file_write(rel, out);
    free(s);
    free(out);
}

/* No temporary file of the writer is left in the site directory. */
static void assert_no_temp_files(void)
{
    DIR *d = opendir(root);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, ".catalogue.lock", 15) == 0)
            fail_msg("temporary file %s left behind", e->d_name);
    closedir(d);
}

/* ---- a build: config → catalogue → content → catalogue.lock ------------- */

typedef struct build {
    site_config cfg;
    catalogue cat;
    content_set set;
    naming *n;
    diag_list diags;
    int rc;       /* of catalogue_lock_apply */
    int write_rc; /* of catalogue_lock_write, when asked */
    bool written;
} build;

static void assert_ok(build *b, int rc, const char *what)
{
    if (rc != 0) {
        diag_list_print_text(&b->diags, stderr);
        fail_msg("%s failed", what);
    }
}

/* One build, with the memo or not. Like `gongkai build`, it saves the memo
 * only when the lock applied without error. */
static void build_once(build *b, date today, bool write, bool memo)
{
    memset(b, 0, sizeof *b);
    diag_list_init(&b->diags);
    assert_ok(b, config_load(&b->cfg, root, &b->diags), "config_load");
    assert_ok(b, catalogue_load(&b->cat, &b->cfg, &b->diags), "catalogue_load");
    assert_ok(b, content_load(&b->set, &b->cfg, 0, NULL, &b->diags), "content_load");
    assert_ok(b, catalogue_items_resolve(&b->cat, &b->set, &b->diags), "resolve");
    assert_ok(b, naming_open(&b->n, &b->cfg, &b->diags), "naming_open");
    char dir[128];
    snprintf(dir, sizeof dir, "%s/.gongkai", root);
    catalogue_memo *m = memo ? catalogue_memo_open(dir, &b->cfg) : NULL;
    b->rc = catalogue_lock_apply(&b->cat, &b->set, b->n, &b->cfg, today, 0, m, &b->diags);
    if (b->rc == 0)
        catalogue_memo_save(m);
    catalogue_memo_free(m);
    if (write && b->rc == 0)
        b->write_rc = catalogue_lock_write(&b->cat, &b->written, &b->diags);
}

static void build_free(build *b);

static void assert_same_diags(const build *a, const build *b)
{
    assert_int_equal(a->diags.len, b->diags.len);
    for (size_t i = 0; i < a->diags.len; i++) {
        assert_string_equal(a->diags.items[i].code, b->diags.items[i].code);
        assert_string_equal(a->diags.items[i].message, b->diags.items[i].message);
        assert_int_equal(a->diags.items[i].line, b->diags.items[i].line);
    }
}

static void build_run(build *b, date today, bool write)
{
    if (!with_memo || !write) {
        build_once(b, today, write, with_memo);
        return;
    }
    /* The same build without the memo first, its lock put back after: the
     * build with the memo must do just what it did. */
    char *before = file_read("catalogue.lock");
    build plain;
    build_once(&plain, today, true, false);
    char *plain_lock = file_read("catalogue.lock");
    if (plain.written) {
        if (before)
            file_write("catalogue.lock", before);
        else
            file_remove("catalogue.lock");
    }
    build_once(b, today, true, true);
    assert_int_equal(b->rc, plain.rc);
    assert_int_equal(b->write_rc, plain.write_rc);
    assert_int_equal(b->written, plain.written);
    assert_same_diags(b, &plain);
    char *memo_lock = file_read("catalogue.lock");
    if (plain_lock || memo_lock) {
        assert_non_null(plain_lock);
        assert_non_null(memo_lock);
        assert_string_equal(memo_lock, plain_lock);
    }
    free(before);
    free(plain_lock);
    free(memo_lock);
    build_free(&plain);
}

/* A build that must succeed and write only when `expect_write`. */
static void build_clean(build *b, bool expect_write)
{
    build_run(b, TODAY, true);
    assert_ok(b, b->rc, "catalogue_lock_apply");
    assert_ok(b, b->write_rc, "catalogue_lock_write");
    assert_int_equal(diag_list_count(&b->diags, DIAG_ERROR), 0);
    assert_int_equal(b->written, expect_write);
    assert_no_temp_files();
}

static void build_free(build *b)
{
    naming_close(b->n);
    catalogue_free(&b->cat);
    content_free(&b->set);
    config_free(&b->cfg);
    diag_list_free(&b->diags);
}

/* A clean build that writes the lock, of which nothing else is kept: the
 * site as the next build finds it. */
static void build_lock_written(void)
{
    build b;
    build_clean(&b, true);
    build_free(&b);
}

static const catalogue_item *item_at(const build *b, const char *rel)
{
    for (size_t i = 0; i < b->cat.item_count; i++)
        if (strcmp(b->cat.items[i].item->rel, rel) == 0)
            return &b->cat.items[i];
    fail_msg("no item content/%s", rel);
    return NULL;
}

static const diag *find_code(const build *b, const char *code)
{
    for (size_t i = 0; i < b->diags.len; i++)
        if (strcmp(b->diags.items[i].code, code) == 0)
            return &b->diags.items[i];
    fail_msg("no %s diagnostic", code);
    return NULL;
}

/* ---- the lock as written ------------------------------------------------ */

enum {
    F_INDEX,
    F_DEPT,
    F_YEAR,
    F_SEQ,
    F_ID,
    F_PATH,
    F_URL,
    F_ALIASES,
    F_TITLE_FP,
    F_BODY_FP,
    F_WITHDRAWN,
    F_REASON,
    F_TITLE,
    F_COUNT
};

typedef struct lock_line {
    char *f[F_COUNT];
} lock_line;

typedef struct lockfile {
    char *text;
    lock_line *v;
    size_t len;
} lockfile;

static void lockfile_load(lockfile *lf)
{
    lf->text = file_read("catalogue.lock");
    assert_non_null(lf->text);
    lf->len = 0;
    lf->v = calloc(256, sizeof *lf->v);
    for (char *line = strtok(lf->text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        lock_line *l = &lf->v[lf->len++];
        size_t n = 0;
        for (char *p = line;; p++) {
            l->f[n++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p = '\0';
            assert_true(n < F_COUNT);
        }
        assert_int_equal(n, F_COUNT);
    }
}

static void lockfile_free(lockfile *lf)
{
    free(lf->text);
    free(lf->v);
    memset(lf, 0, sizeof *lf);
}

static const lock_line *lockfile_by_id(const lockfile *lf, const char *id)
{
    for (size_t i = 0; i < lf->len; i++)
        if (strcmp(lf->v[i].f[F_ID], id) == 0)
            return &lf->v[i];
    return NULL;
}

static const lock_line *lockfile_by_index(const lockfile *lf, const char *index_no)
{
    for (size_t i = 0; i < lf->len; i++)
        if (strcmp(lf->v[i].f[F_INDEX], index_no) == 0)
            return &lf->v[i];
    fail_msg("no lock line for %s", index_no);
    return NULL;
}

static bool url_listed(const lock_line *l, const char *url)
{
    if (strcmp(l->f[F_URL], url) == 0)
        return true;
    size_t n = strlen(url);
    for (const char *p = l->f[F_ALIASES]; (p = strstr(p, url)); p++)
        if ((p == l->f[F_ALIASES] || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* Between two states of the lock: every entry is still there with the same
 * number and every URL it had still belongs to it; numbers are unique. */
static void assert_stable(const lockfile *before, const lockfile *after)
{
    assert_true(after->len >= before->len);
    for (size_t i = 0; i < before->len; i++) {
        const lock_line *a = &before->v[i];
        const lock_line *b = lockfile_by_id(after, a->f[F_ID]);
        if (!b)
            fail_msg("entry %s (%s) disappeared", a->f[F_ID], a->f[F_INDEX]);
        assert_string_equal(a->f[F_INDEX], b->f[F_INDEX]);
        assert_string_equal(a->f[F_DEPT], b->f[F_DEPT]);
        assert_string_equal(a->f[F_SEQ], b->f[F_SEQ]);
        if (!url_listed(b, a->f[F_URL]))
            fail_msg("%s lost its URL %s", a->f[F_INDEX], a->f[F_URL]);
    }
    for (size_t i = 0; i < after->len; i++)
        for (size_t k = i + 1; k < after->len; k++) {
            assert_string_not_equal(after->v[i].f[F_INDEX], after->v[k].f[F_INDEX]);
            assert_string_not_equal(after->v[i].f[F_ID], after->v[k].f[F_ID]);
        }
}

/* One build that must write, checked against the lock before it. */
static void step(build *b, lockfile *lf)
{
    build_clean(b, true);
    lockfile next;
    lockfile_load(&next);
    assert_stable(lf, &next);
    lockfile_free(lf);
    *lf = next;
}

/* ---- tests -------------------------------------------------------------- */

static void test_first_build(void **state)
{
    (void)state;
    build b;
    build_clean(&b, true);
    assert_int_equal(b.cat.withdrawn_count, 0);
    /* Numbered per department and year in order of date. */
    const catalogue_item *yusuan = item_at(&b, "czj/2025/yusuan-2025.md");
    assert_string_equal(yusuan->index_no, "11339901MB0001222Q/2025-00001");
    assert_string_equal(yusuan->url, "/czj/2025/yusuan-2025/");
    assert_int_equal(yusuan->alias_count, 0);
    assert_int_equal(strlen(yusuan->id), 16);
    assert_string_equal(item_at(&b, "czj/2025/shoufei-mulu.md")->index_no,
                        "11339901MB0001222Q/2025-00002");
    assert_string_equal(item_at(&b, "czj/2025/juesuan-2024.md")->index_no,
                        "11339901MB0001222Q/2025-00003");
    const catalogue_item *shuoming = item_at(&b, "czj/2025/预算 说明.md");
    assert_string_equal(shuoming->index_no, "11339901MB0001222Q/2025-00004");
    assert_string_equal(shuoming->url, "/czj/2025/item-00004/");
    assert_string_equal(item_at(&b, "czj/2024/zijin-banfa.md")->index_no,
                        "11339901MB0001222Q/2024-00001");
    assert_string_equal(item_at(&b, "mzj/2025/dibao.md")->index_no,
                        "11339901MB000129XK/2025-00001");
    /* The township has no org code of its own: the site's, with its id. */
    assert_string_equal(item_at(&b, "baima/2025/zw-2025q1.md")->index_no,
                        "11339901MB00010119-BAIMA/2025-00001");
    /* Drafts and 不予公开 are not published: no number, no URL. */
    assert_null(item_at(&b, "czj/2025/caogao.md")->index_no);
    assert_null(item_at(&b, "czj/2025/neibu.md")->url);

    lockfile lf;
    lockfile_load(&lf);
    assert_int_equal(lf.len, 7);
    assert_true(strncmp(lf.text, "# catalogue.lock", 16) == 0);
    /* Sorted by index number. */
    assert_string_equal(lf.v[0].f[F_INDEX], "11339901MB00010119-BAIMA/2025-00001");
    assert_string_equal(lf.v[1].f[F_INDEX], "11339901MB0001222Q/2024-00001");
    assert_string_equal(lf.v[2].f[F_INDEX], "11339901MB0001222Q/2025-00001");
    assert_string_equal(lf.v[6].f[F_INDEX], "11339901MB000129XK/2025-00001");
    const lock_line *l = &lf.v[2];
    assert_string_equal(l->f[F_DEPT], "czj");
    assert_string_equal(l->f[F_YEAR], "2025");
    assert_string_equal(l->f[F_SEQ], "1");
    assert_string_equal(l->f[F_ID], yusuan->id);
    assert_string_equal(l->f[F_PATH], "content/czj/2025/yusuan-2025.md");
    assert_string_equal(l->f[F_URL], "/czj/2025/yusuan-2025/");
    assert_string_equal(l->f[F_ALIASES], "-");
    assert_int_equal(strlen(l->f[F_TITLE_FP]), 16);
    assert_int_equal(strlen(l->f[F_BODY_FP]), 16);
    assert_string_equal(l->f[F_WITHDRAWN], "-");
    assert_string_equal(l->f[F_REASON], "-");
    assert_string_equal(l->f[F_TITLE], "示例县2025年一般公共预算收支预算");
    lockfile_free(&lf);
    build_free(&b);
}

/* The same input gives the same bytes, whichever directory it is built in. */
static void test_deterministic(void **state)
{
    (void)state;
    build_lock_written();
    char *first = file_read("catalogue.lock");
    file_remove("catalogue.lock");
    build_lock_written();
    char *second = file_read("catalogue.lock");
    assert_string_equal(first, second);
    free(first);
    free(second);
}

static void test_history(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    lockfile lf;
    lockfile_load(&lf);

    /* (a) A back-dated item takes the next number, not the first. */
    file_write("content/czj/2025/yizhi.md", "+++\ntitle = \"补登的一月份通知\"\ndate = 2025-01-05\n"
                                            "category = \"czyjs\"\n+++\n\n"
                                            "这是一份一月份就已形成、现在才补充登记公开的通知。\n");
    step(&b, &lf);
    assert_string_equal(item_at(&b, "czj/2025/yizhi.md")->index_no,
                        "11339901MB0001222Q/2025-00005");
    build_free(&b);

    /* (b) Renamed: same number, new URL, the old one kept as an alias. */
    file_move("content/czj/2025/yusuan-2025.md", "content/czj/2025/yusuan.md");
    step(&b, &lf);
    const catalogue_item *ci = item_at(&b, "czj/2025/yusuan.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00001");
    assert_string_equal(ci->url, "/czj/2025/yusuan/");
    assert_int_equal(ci->alias_count, 1);
    assert_string_equal(ci->aliases[0], "/czj/2025/yusuan-2025/");
    const lock_line *l = lockfile_by_index(&lf, ci->index_no);
    assert_string_equal(l->f[F_PATH], "content/czj/2025/yusuan.md");
    assert_string_equal(l->f[F_ALIASES], "/czj/2025/yusuan-2025/");
    build_free(&b);

    /* (c) Moved to another folder of the department: number and URL kept. */
    file_move("content/czj/2025/shoufei-mulu.md", "content/czj/guidang/shoufei-mulu.md");
    step(&b, &lf);
    ci = item_at(&b, "czj/guidang/shoufei-mulu.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00002");
    assert_string_equal(ci->url, "/czj/2025/shoufei-mulu/");
    assert_int_equal(ci->alias_count, 0);
    build_free(&b);

    /* (d) Deleted: withdrawn, its URL kept; its number is not reused. */
    file_remove("content/czj/2025/juesuan-2024.md");
    file_write("content/czj/2025/xin.md", "+++\ntitle = \"新的通知\"\ndate = 2025-12-01\n"
                                          "category = \"czyjs\"\n+++\n\n"
                                          "删除一条信息之后新增的通知，应当取得新的顺序号。\n");
    step(&b, &lf);
    assert_int_equal(b.cat.withdrawn_count, 1);
    const catalogue_withdrawn *w = &b.cat.withdrawn[0];
    assert_string_equal(w->index_no, "11339901MB0001222Q/2025-00003");
    assert_string_equal(w->url, "/czj/2025/juesuan-2024/");
    assert_string_equal(w->title, "示例县2024年财政决算");
    assert_string_equal(w->dept, "czj");
    assert_non_null(w->department);
    assert_int_equal(date_cmp(w->withdrawn, TODAY), 0);
    assert_null(w->reason);
    assert_string_equal(item_at(&b, "czj/2025/xin.md")->index_no, "11339901MB0001222Q/2025-00006");
    assert_string_equal(lockfile_by_index(&lf, w->index_no)->f[F_WITHDRAWN], "2026-03-01");
    build_free(&b);

    /* A different item under the deleted file's name: a number of its own,
     * and not the withdrawn item's URL. */
    file_write(
        "content/czj/2025/juesuan-2024.md",
        "+++\ntitle = \"关于决算公开工作的补充说明\"\ndate = 2025-12-10\n"
        "category = \"czyjs\"\n+++\n\n对今年决算公开工作中群众关心的几个问题作出补充说明。\n");
    step(&b, &lf);
    ci = item_at(&b, "czj/2025/juesuan-2024.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00007");
    assert_string_equal(ci->url, "/czj/2025/juesuan-2024-00007/");
    assert_int_equal(b.cat.withdrawn_count, 1);
    build_free(&b);

    /* (e) Title and body edited in place: same number. */
    file_edit("content/czj/2024/zijin-banfa.md", "示例县财政专项资金管理办法",
              "示例县财政专项资金管理办法（修订）");
    file_edit("content/czj/2024/zijin-banfa.md", "第一条", "第一条（修订）");
    step(&b, &lf);
    ci = item_at(&b, "czj/2024/zijin-banfa.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2024-00001");
    assert_string_equal(lockfile_by_index(&lf, ci->index_no)->f[F_TITLE],
                        "示例县财政专项资金管理办法（修订）");
    build_free(&b);

    /* (f) The webmaster writes the reason: it is read, and kept as written. */
    file_edit("catalogue.lock", "2026-03-01\t-\t", "2026-03-01\t职能调整，已由新文件替代\t");
    build_clean(&b, false);
    assert_string_equal(b.cat.withdrawn[0].reason, "职能调整，已由新文件替代");
    build_free(&b);
    lockfile_free(&lf);
    lockfile_load(&lf);

    /* (g) The deleted item comes back under another name: its own number,
     * withdrawn no more, its first URL now an alias. */
    file_write(
        "content/czj/2025/juesuan-2024-huifu.md",
        "+++\ntitle = \"示例县2024年财政决算\"\ndate = 2025-08-20\ncategory = \"czyjs\"\n+++\n\n"
        "示例县2024年财政决算已经县人民代表大会常务委员会批准，现将决算情况公开如下。\n");
    step(&b, &lf);
    ci = item_at(&b, "czj/2025/juesuan-2024-huifu.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00003");
    assert_string_equal(ci->url, "/czj/2025/juesuan-2024-huifu/");
    assert_string_equal(ci->aliases[0], "/czj/2025/juesuan-2024/");
    assert_int_equal(b.cat.withdrawn_count, 0);
    l = lockfile_by_index(&lf, ci->index_no);
    assert_string_equal(l->f[F_WITHDRAWN], "-");
    assert_string_equal(l->f[F_REASON], "-");
    build_free(&b);

    /* (h) Turned into a draft: withdrawn where it is; published again: back. */
    file_edit("content/mzj/2025/dibao.md", "category: shjz", "category: shjz\ndraft: true");
    step(&b, &lf);
    assert_null(item_at(&b, "mzj/2025/dibao.md")->index_no);
    assert_int_equal(b.cat.withdrawn_count, 1);
    assert_string_equal(b.cat.withdrawn[0].index_no, "11339901MB000129XK/2025-00001");
    assert_string_equal(b.cat.withdrawn[0].url, "/mzj/2025/dibao/");
    build_free(&b);
    file_edit("content/mzj/2025/dibao.md", "\ndraft: true", "");
    step(&b, &lf);
    assert_string_equal(item_at(&b, "mzj/2025/dibao.md")->index_no,
                        "11339901MB000129XK/2025-00001");
    assert_int_equal(b.cat.withdrawn_count, 0);
    build_free(&b);
    lockfile_free(&lf);
}

/* A rename with an edited body is still found by its title, but only in the
 * same department; an unchanged body is found anywhere. */
static void test_moves_by_fingerprint(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    lockfile lf;
    lockfile_load(&lf);

    file_move("content/czj/2025/juesuan-2024.md", "content/czj/2025/juesuan.md");
    file_edit("content/czj/2025/juesuan.md", "现将决算情况公开如下", "现将决算情况和说明公开如下");
    /* Same title as a czj item, other department, other body: a new item. */
    file_write("content/mzj/2025/yusuan.md",
               "+++\ntitle = \"示例县2025年一般公共预算收支预算\"\ndate = 2025-06-01\n"
               "category = "
               "\"czyjs\"\n+++\n\n民政局转载的预算信息，正文与财政局发布的不同，是另一条信息。\n");
    file_remove("content/czj/2025/yusuan-2025.md");
    step(&b, &lf);
    assert_string_equal(item_at(&b, "czj/2025/juesuan.md")->index_no,
                        "11339901MB0001222Q/2025-00003");
    assert_string_equal(item_at(&b, "mzj/2025/yusuan.md")->index_no,
                        "11339901MB000129XK/2025-00002");
    assert_int_equal(b.cat.withdrawn_count, 1);
    assert_string_equal(b.cat.withdrawn[0].index_no, "11339901MB0001222Q/2025-00001");
    build_free(&b);

    /* Moved to another department's folder unchanged: the same item. */
    file_move("content/czj/2025/shoufei-mulu.md", "content/mzj/2025/shoufei-mulu.md");
    step(&b, &lf);
    const catalogue_item *ci = item_at(&b, "mzj/2025/shoufei-mulu.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00002");
    assert_string_equal(ci->url, "/mzj/2025/shoufei-mulu/");
    assert_string_equal(ci->aliases[0], "/czj/2025/shoufei-mulu/");
    build_free(&b);
    lockfile_free(&lf);
}

/* Only a match that is unique both ways is a move; a short body is no
 * fingerprint. */
static void test_doubtful_moves_are_new_items(void **state)
{
    (void)state;
    file_write("content/czj/2025/fujian.md", "+++\ntitle = \"收费标准附件\"\ndate = 2025-06-01\n"
                                             "category = \"czyjs\"\n+++\n\n见附件。\n");
    build b;
    build_lock_written();
    lockfile lf;
    lockfile_load(&lf);

    /* Two copies of a deleted item: neither is that item. */
    char *text = file_read("content/czj/2025/juesuan-2024.md");
    file_remove("content/czj/2025/juesuan-2024.md");
    file_write("content/czj/2025/juesuan-a.md", text);
    file_write("content/czj/2025/juesuan-b.md", text);
    /* Another "见附件。" with another title: not the deleted fujian.md. */
    file_remove("content/czj/2025/fujian.md");
    file_write("content/czj/2025/fujian-2.md", "+++\ntitle = \"采购目录附件\"\ndate = 2025-06-02\n"
                                               "category = \"czyjs\"\n+++\n\n见附件。\n");
    step(&b, &lf);
    /* fujian.md was 3 and juesuan-2024.md 4; new ones follow in date order. */
    assert_string_equal(item_at(&b, "czj/2025/fujian-2.md")->index_no,
                        "11339901MB0001222Q/2025-00006");
    assert_string_equal(item_at(&b, "czj/2025/juesuan-a.md")->index_no,
                        "11339901MB0001222Q/2025-00007");
    assert_string_equal(item_at(&b, "czj/2025/juesuan-b.md")->index_no,
                        "11339901MB0001222Q/2025-00008");
    assert_int_equal(b.cat.withdrawn_count, 2);
    assert_string_equal(b.cat.withdrawn[0].index_no, "11339901MB0001222Q/2025-00003");
    assert_string_equal(b.cat.withdrawn[1].index_no, "11339901MB0001222Q/2025-00004");
    build_free(&b);

    /* One copy goes back to the old path: it is the withdrawn item again,
     * however many entries share its body. */
    file_move("content/czj/2025/juesuan-a.md", "content/czj/2025/juesuan-2024.md");
    file_remove("content/czj/2025/juesuan-b.md");
    step(&b, &lf);
    assert_string_equal(item_at(&b, "czj/2025/juesuan-2024.md")->index_no,
                        "11339901MB0001222Q/2025-00004");
    assert_int_equal(b.cat.withdrawn_count, 3);
    build_free(&b);
    free(text);
    lockfile_free(&lf);
}

/* A file whose front matter breaks is left out by the content stage: its
 * entry must stay as it was, not be withdrawn. */
static void test_unreadable_item_is_not_withdrawn(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *before = file_read("catalogue.lock");
    file_edit("content/czj/2025/shoufei-mulu.md", "+++\ntitle", "+++\ntitle = = ");
    memset(&b, 0, sizeof b);
    diag_list_init(&b.diags);
    assert_int_equal(config_load(&b.cfg, root, &b.diags), 0);
    assert_int_equal(catalogue_load(&b.cat, &b.cfg, &b.diags), 0);
    assert_int_equal(content_load(&b.set, &b.cfg, 0, NULL, &b.diags), -1); /* GK106 */
    assert_int_equal(catalogue_items_resolve(&b.cat, &b.set, &b.diags), 0);
    assert_int_equal(naming_open(&b.n, &b.cfg, &b.diags), 0);
    assert_int_equal(catalogue_lock_apply(&b.cat, &b.set, b.n, &b.cfg, TODAY, 0, NULL, &b.diags),
                     0);
    assert_int_equal(b.cat.withdrawn_count, 0);
    bool written = true;
    assert_int_equal(catalogue_lock_write(&b.cat, &written, &b.diags), 0);
    assert_false(written);
    build_free(&b);
    char *after = file_read("catalogue.lock");
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Two files whose names give the same URL: the second asks again. */
static void test_url_clash(void **state)
{
    (void)state;
    file_write("content/czj/2025/sub/yusuan-2025.md",
               "+++\ntitle = \"另一份同名文件\"\ndate = 2025-10-01\ncategory = \"czyjs\"\n+++\n\n"
               "放在子文件夹中、文件名与另一条信息相同的信息，网址不能相同。\n");
    build b;
    build_clean(&b, true);
    assert_string_equal(item_at(&b, "czj/2025/yusuan-2025.md")->url, "/czj/2025/yusuan-2025/");
    const catalogue_item *ci = item_at(&b, "czj/2025/sub/yusuan-2025.md");
    assert_string_equal(ci->index_no, "11339901MB0001222Q/2025-00005");
    assert_string_equal(ci->url, "/czj/2025/yusuan-2025-00005/");
    build_free(&b);
}

static void file_stat(const char *rel, struct stat *st)
{
    char path[512];
    site_path(path, sizeof path, rel);
    assert_int_equal(stat(path, st), 0);
}

static void test_unchanged_is_not_rewritten(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    struct stat before, after;
    file_stat("catalogue.lock", &before);
    build_clean(&b, false);
    build_free(&b);
    /* Another day changes nothing either: dates only mark new withdrawals. */
    build_run(&b, (date){2027, 1, 1}, true);
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.write_rc, 0);
    assert_false(b.written);
    build_free(&b);
    file_stat("catalogue.lock", &after);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

/* A lock saved with CRLF line ends (a Windows checkout) reads the same. */
static void test_crlf_lock(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *text = file_read("catalogue.lock");
    size_t len = strlen(text);
    char *crlf = malloc(2 * len + 1), *o = crlf;
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            *o++ = '\r';
        *o++ = *p;
    }
    *o = '\0';
    file_write("catalogue.lock", crlf);
    build_clean(&b, false);
    assert_string_equal(item_at(&b, "czj/2025/yusuan-2025.md")->index_no,
                        "11339901MB0001222Q/2025-00001");
    build_free(&b);
    free(text);
    free(crlf);
}

/* Lines put out of order by hand are read, and written back in order. */
static void test_unsorted_lock(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *sorted = file_read("catalogue.lock");
    /* The first two entries the other way round. */
    char *first = strstr(sorted, "\n11339901MB");
    assert_non_null(first);
    first++;
    char *second = strchr(first, '\n') + 1, *third = strchr(second, '\n') + 1;
    size_t len = strlen(sorted);
    char *swapped = malloc(len + 1);
    size_t head = (size_t)(first - sorted), a = (size_t)(second - first);
    size_t c = (size_t)(third - second);
    memcpy(swapped, sorted, head);
    memcpy(swapped + head, second, c);
    memcpy(swapped + head + c, first, a);
    strcpy(swapped + head + c + a, third);
    assert_string_not_equal(swapped, sorted);
    file_write("catalogue.lock", swapped);
    build_clean(&b, true);
    assert_string_equal(item_at(&b, "czj/2025/yusuan-2025.md")->index_no,
                        "11339901MB0001222Q/2025-00001");
    build_free(&b);
    char *again = file_read("catalogue.lock");
    assert_string_equal(again, sorted);
    free(sorted);
    free(swapped);
    free(again);
}

/* The 1-based line of the lock whose text contains `needle`. */
static int lock_line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    assert_non_null(at);
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Damage the lock by replacing `from` with `to`; the build must refuse with
 * GK303 at the line (and column) and leave the file as it is. */
static void assert_malformed(const char *from, const char *to, int col, const char *fragment)
{
    build b;
    build_lock_written();
    file_edit("catalogue.lock", from, to);
    char *damaged = file_read("catalogue.lock");
    int line = lock_line_of(damaged, to);
    build_run(&b, TODAY, true);
    assert_int_equal(b.rc, -1);
    const diag *d = find_code(&b, "GK303");
    assert_string_equal(d->path, "catalogue.lock");
    assert_int_equal(d->line, line);
    if (col)
        assert_int_equal(d->col, col);
    if (!strstr(d->message, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", d->message, fragment);
    /* Nothing is written after a refused lock, even when asked. */
    assert_int_equal(catalogue_lock_write(&b.cat, NULL, &b.diags), -1);
    build_free(&b);
    char *after = file_read("catalogue.lock");
    assert_string_equal(damaged, after);
    free(damaged);
    free(after);
}

/* Each way a lock can be damaged (assert_malformed, on a lock written
 * afresh each time): the text replaced, the column of the diagnostic (0:
 * not asserted) and what its message must say. */
static const struct {
    const char *what, *from, *to;
    int col;
    const char *fragment;
} malformed[] = {
    /* index_no (29) + tab + czj + tab: the year starts at column 35. */
    {"year", "\tczj\t2024\t1\t", "\tczj\t20x4\t1\t", 35, "年份"},
    {"columns", "\tczj\t2024\t1\t", "\tczj\t2024 1\t", 0, "13 列"},
    {"duplicate number", "11339901MB0001222Q/2025-00002\tczj\t2025\t2\t",
     "11339901MB0001222Q/2025-00001\tczj\t2025\t2\t", 1, "重复"},
    /* A URL that would climb out of the site is never trusted. */
    {"url", "\t/czj/2024/zijin-banfa/\t", "\t/czj/../../etc/\t", 0, "网址"},
    /* In order by index number, but a sequence number used before. */
    {"duplicate sequence number", "11339901MB0001222Q/2025-00002\tczj\t2025\t2\t",
     "11339901MB0001222Q/2025-00002\tczj\t2025\t1\t", 40, "顺序号 1 与第"},
    {"merge conflict", "11339901MB0001222Q/2024-00001",
     "<<<<<<< HEAD\n11339901MB0001222Q/2024-00001", 1, "合并冲突"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        print_message("damaged: %s\n", malformed[i].what);
        assert_malformed(malformed[i].from, malformed[i].to, malformed[i].col,
                         malformed[i].fragment);
        file_remove("catalogue.lock"); /* refused, it was left as it was */
    }
}

/* A line of a big lock: ZZ/<i>, withdrawn, its file gone. */
static void big_line(buf *out, int i, const char *year, unsigned id, int tabs, int url)
{
    buf_printf(out,
               "ZZ/%05d\tczj\t%s\t%d\t%016x\tcontent/czj/2019/gone-%d.md\t/czj/2019/gone-%d/\t-\t"
               "%016x\t%016x\t2025-01-01\t-\t%s旧信息 %d\n",
               i, year, i, id, i, url, (unsigned)i, (unsigned)i, tabs == 13 ? "" : "\t", i);
}

/* A lock of thousands of lines, read in blocks on several threads: read
 * whole, and its errors reported in the order of its lines, with their
 * lines and columns, as when read line after line. */
static void test_big_lock(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *text = file_read("catalogue.lock");
    buf big = BUF_INIT;
    buf_puts(&big, text);
    for (int i = 1; i <= 3000; i++)
        big_line(&big, i, "2019", 0x100000u + (unsigned)i, 13, i);
    file_write("catalogue.lock", big.ptr);
    build_clean(&b, false);
    assert_int_equal(b.cat.withdrawn_count, 3000);
    build_free(&b);

    /* Three errors in three blocks: a bad year, an id used on a line in
     * the first block, a tab too many. */
    buf_reset(&big);
    buf_puts(&big, text);
    for (int i = 1; i <= 3000; i++)
        big_line(&big, i, i == 1500 ? "20x9" : "2019", 0x100000u + (unsigned)(i == 2500 ? 10 : i),
                 i == 2900 ? 14 : 13, i);
    file_write("catalogue.lock", big.ptr);
    int year_line = lock_line_of(big.ptr, "ZZ/01500\t"),
        id_line = lock_line_of(big.ptr, "ZZ/02500\t");
    int first_line = lock_line_of(big.ptr, "ZZ/00010\t");
    int tab_line = lock_line_of(big.ptr, "ZZ/02900\t");
    build_run(&b, TODAY, true);
    assert_int_equal(b.rc, -1);
    assert_int_equal(b.diags.len, 4);
    const diag *d = b.diags.items;
    assert_int_equal(d[0].line, year_line);
    assert_int_equal(d[0].col, 14);
    assert_non_null(strstr(d[0].message, "年份"));
    assert_int_equal(d[1].line, id_line);
    assert_int_equal(d[1].col, 24);
    char expect[64];
    snprintf(expect, sizeof expect, "与第 %d 行重复", first_line);
    if (!strstr(d[1].message, expect))
        fail_msg("message \"%s\" lacks \"%s\"", d[1].message, expect);
    assert_int_equal(d[2].line, tab_line);
    assert_non_null(strstr(d[2].message, "这一行有 14 列"));
    assert_int_equal(d[3].line, 0);
    assert_non_null(strstr(d[3].message, "有 3 处错误"));
    build_free(&b);

    /* Only duplicates, each line well formed: an id and a URL used on
     * lines in the first block. */
    buf_reset(&big);
    buf_puts(&big, text);
    for (int i = 1; i <= 3000; i++)
        big_line(&big, i, "2019", 0x100000u + (unsigned)(i == 2500 ? 10 : i), 13,
                 i == 2600 ? 20 : i);
    file_write("catalogue.lock", big.ptr);
    int url_line = lock_line_of(big.ptr, "ZZ/02600\t");
    int url_owner = lock_line_of(big.ptr, "ZZ/00020\t");
    const char *url_at = strstr(strstr(big.ptr, "ZZ/02600\t"), "\t/czj/") + 1;
    int url_col = (int)(url_at - strstr(big.ptr, "ZZ/02600\t")) + 1;
    build_run(&b, TODAY, true);
    assert_int_equal(b.rc, -1);
    assert_int_equal(b.diags.len, 3);
    d = b.diags.items;
    assert_int_equal(d[0].line, id_line);
    assert_int_equal(d[0].col, 24);
    if (!strstr(d[0].message, expect))
        fail_msg("message \"%s\" lacks \"%s\"", d[0].message, expect);
    assert_int_equal(d[1].line, url_line);
    assert_int_equal(d[1].col, url_col);
    snprintf(expect, sizeof expect, "已属于第 %d 行的信息", url_owner);
    if (!strstr(d[1].message, expect))
        fail_msg("message \"%s\" lacks \"%s\"", d[1].message, expect);
    assert_non_null(strstr(d[2].message, "有 2 处错误"));
    build_free(&b);
    buf_free(&big);
    free(text);
}

/* naming.lua giving a number already taken: GK302, nothing numbered. */
static void test_index_number_taken(void **state)
{
    (void)state;
    FILE *f = fopen("templates/naming.lua", "rb");
    assert_non_null(f);
    char text[65536];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    file_write("templates/naming.lua", text);
    file_edit("templates/naming.lua", "\"%s/%04d-%05d\", org, a.year, a.seq",
              "\"%s/%04d\", org, a.year");
    build b;
    build_run(&b, TODAY, true);
    assert_int_equal(b.rc, -1);
    const diag *d = find_code(&b, "GK302");
    if (!strstr(d->message, "11339901MB0001222Q/2025 已经属于"))
        fail_msg("message \"%s\"", d->message);
    build_free(&b);
    assert_null(file_read("catalogue.lock"));
}

/* Make the build after this one have something to write. */
static void change_content(void)
{
    file_write("content/czj/2025/bianhua.md", "+++\ntitle = \"新增信息\"\ndate = 2025-11-01\n"
                                              "category = \"czyjs\"\n+++\n\n"
                                              "新增一条信息，使索引号登记簿需要改写。\n");
}

/* A failed write reports GK304 and leaves the old lock as it was. */
static void assert_write_fails(const char *old)
{
    build b;
    build_run(&b, TODAY, true);
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.write_rc, -1);
    assert_false(b.written);
    assert_non_null(find_code(&b, "GK304"));
    build_free(&b);
    char *now = file_read("catalogue.lock");
    assert_string_equal(now, old);
    free(now);
}

static void test_write_failure_keeps_old_lock(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *old = file_read("catalogue.lock");
    change_content();
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s/.catalogue.lock.%ld.tmp", root, (long)getpid());
    if (geteuid() != 0) {
        assert_int_equal(chmod(root, 0555), 0);
        assert_write_fails(old);
        assert_int_equal(chmod(root, 0755), 0);
    } else {
        /* Root writes anywhere: block the temporary file's name instead. */
        assert_int_equal(mkdir(tmp, 0755), 0);
        assert_write_fails(old);
        assert_int_equal(rmdir(tmp), 0);
    }
    assert_no_temp_files();

    /* Failing halfway through (a full disk): the partial file is removed. */
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 64;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    build_run(&b, TODAY, true);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(b.write_rc, -1);
    const diag *d = find_code(&b, "GK304");
    if (!strstr(d->message, "原文件保持不变"))
        fail_msg("message \"%s\"", d->message);
    build_free(&b);
    assert_no_temp_files();
    char *now = file_read("catalogue.lock");
    assert_string_equal(now, old);
    free(now);

    /* Once the directory is writable again, the change is written. */
    build_clean(&b, true);
    assert_string_equal(item_at(&b, "czj/2025/bianhua.md")->index_no,
                        "11339901MB0001222Q/2025-00005");
    build_free(&b);
    free(old);
}

/* Another build wrote the lock between this one's read and write: this one
 * must not overwrite numbers the other may have published. */
static void test_concurrent_change_is_not_overwritten(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    change_content();
    build_run(&b, TODAY, false);
    assert_int_equal(b.rc, 0);
    file_edit("catalogue.lock", "# catalogue.lock", "# catalogue.lock (changed meanwhile)");
    char *theirs = file_read("catalogue.lock");
    assert_int_equal(catalogue_lock_write(&b.cat, NULL, &b.diags), -1);
    if (!strstr(find_code(&b, "GK304")->message, "被改动"))
        fail_msg("message \"%s\"", find_code(&b, "GK304")->message);
    build_free(&b);
    char *now = file_read("catalogue.lock");
    assert_string_equal(now, theirs);
    free(theirs);
    free(now);
    assert_no_temp_files();
}

/* Whether this process's temporary lock file is there. */
static bool temp_file_there(void)
{
    char tmp[512];
    struct stat st;
    snprintf(tmp, sizeof tmp, "%s/.catalogue.lock.%ld.tmp", root, (long)getpid());
    return stat(tmp, &st) == 0;
}

/* catalogue_lock_stage writes the new text beside the lock ahead, and
 * catalogue_lock_write then puts exactly what it would have written in
 * place; a build that never writes removes the staged file; another
 * writer meanwhile is still noticed; a clean lock stages nothing. */
static void test_staged_write(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    char *old = file_read("catalogue.lock");
    change_content();
    build_run(&b, TODAY, true);
    char *direct = file_read("catalogue.lock");
    assert_string_not_equal(direct, old);
    build_free(&b);

    file_write("catalogue.lock", old);
    build_run(&b, TODAY, false);
    catalogue_lock_stage(&b.cat);
    assert_true(temp_file_there());
    char *still = file_read("catalogue.lock");
    assert_string_equal(still, old);
    bool written = false;
    assert_int_equal(catalogue_lock_write(&b.cat, &written, &b.diags), 0);
    assert_true(written);
    assert_false(temp_file_there());
    char *staged = file_read("catalogue.lock");
    assert_string_equal(staged, direct);
    build_free(&b);

    /* Staged, never written (the site failed): the file goes, the lock
     * stays as it was. */
    file_write("catalogue.lock", old);
    build_run(&b, TODAY, false);
    catalogue_lock_stage(&b.cat);
    assert_true(temp_file_there());
    build_free(&b);
    assert_no_temp_files();
    free(still);
    still = file_read("catalogue.lock");
    assert_string_equal(still, old);

    /* Staged, then another build wrote the lock: nothing is put in place. */
    build_run(&b, TODAY, false);
    catalogue_lock_stage(&b.cat);
    file_edit("catalogue.lock", "# catalogue.lock", "# catalogue.lock (changed meanwhile)");
    char *theirs = file_read("catalogue.lock");
    assert_int_equal(catalogue_lock_write(&b.cat, NULL, &b.diags), -1);
    assert_non_null(strstr(find_code(&b, "GK304")->message, "被改动"));
    build_free(&b);
    assert_no_temp_files();
    char *now = file_read("catalogue.lock");
    assert_string_equal(now, theirs);

    /* A lock with nothing to change stages nothing. */
    file_write("catalogue.lock", direct);
    build_run(&b, TODAY, false);
    catalogue_lock_stage(&b.cat);
    assert_false(temp_file_there());
    assert_int_equal(catalogue_lock_write(&b.cat, &written, &b.diags), 0);
    assert_false(written);
    build_free(&b);
    free(old);
    free(direct);
    free(still);
    free(staged);
    free(theirs);
    free(now);
}

/* The same, when the other writer left the file just as long: one byte
 * differs (the writer compares bytes, not sizes or times). */
static void test_concurrent_same_size_change(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    change_content();
    build_run(&b, TODAY, false);
    assert_int_equal(b.rc, 0);
    char *before = file_read("catalogue.lock");
    file_edit("catalogue.lock", "# catalogue.lock", "# Catalogue.lock");
    char *theirs = file_read("catalogue.lock");
    assert_int_equal(strlen(theirs), strlen(before));
    assert_int_equal(catalogue_lock_write(&b.cat, NULL, &b.diags), -1);
    assert_non_null(find_code(&b, "GK304"));
    build_free(&b);
    char *now = file_read("catalogue.lock");
    assert_string_equal(now, theirs);
    free(before);
    free(theirs);
    free(now);
    assert_no_temp_files();
}

/* ---- the memo of earlier runs ------------------------------------------ */

/* A file of the site as bytes (it may hold NULs); NULL when absent. */
static char *bytes_read(const char *rel, size_t *len)
{
    char path[512];
    site_path(path, sizeof path, rel);
    return test_file_read(path, len);
}

static void bytes_write(const char *rel, const char *data, size_t len)
{
    char path[512];
    site_path(path, sizeof path, rel);
    test_file_write(path, data, len);
}

/* data[0..len) sealed as a memo file ends (fields_seal), written to rel. */
static void bytes_write_sealed(const char *rel, const char *data, size_t len)
{
    char path[512];
    site_path(path, sizeof path, rel);
    test_file_write_sealed(path, data, len);
}

/* Replace every `from` in file rel by `to` (both without NULs); sealed
 * again when `seal`, as if a run had written it. Returns how many. */
static int bytes_replace(const char *rel, const char *from, const char *to, bool seal)
{
    size_t len, flen = strlen(from), tlen = strlen(to);
    char *data = bytes_read(rel, &len);
    assert_non_null(data);
    char *out = malloc(len * (tlen + 1) + 1);
    size_t n = 0, body = seal ? len - 17 : len;
    int count = 0;
    for (size_t i = 0; i < body;) {
        if (i + flen <= body && memcmp(data + i, from, flen) == 0) {
            memcpy(out + n, to, tlen);
            n += tlen;
            i += flen;
            count++;
        } else {
            out[n++] = data[i++];
        }
    }
    if (seal) {
        bytes_write_sealed(rel, out, n);
    } else {
        memcpy(out + n, data + body, len - body);
        bytes_write(rel, out, n + len - body);
    }
    free(data);
    free(out);
    return count;
}

/* Whether file rel holds `what` (which may hold NULs: `len` bytes). */
static bool bytes_hold(const char *rel, const char *what, size_t len)
{
    size_t n;
    char *data = bytes_read(rel, &n);
    assert_non_null(data);
    bool found = false;
    for (size_t i = 0; i + len <= n && !found; i++)
        found = memcmp(data + i, what, len) == 0;
    free(data);
    return found;
}

#define FP_MEMO ".gongkai/fingerprints.cache"
#define NAMING_MEMO ".gongkai/naming.cache"
#define POISON_FP "0123456789abcdef"
#define YUSUAN_URL "/czj/2025/yusuan-2025/"
#define POISON_URL "/czj/2025/poisoned/"

/* Every body fingerprint of the memo made POISON_FP, sealed again: as no
 * body gives, so that a fingerprint taken from it shows. */
static void poison_fingerprints(void)
{
    char path[512];
    site_path(path, sizeof path, FP_MEMO);
    test_memo_values_set(path, POISON_FP);
}

/* yusuan-2025.md's URL in the memo made POISON_URL, sealed again. */
static void poison_url(void)
{
    assert_int_equal(bytes_replace(NAMING_MEMO, YUSUAN_URL, POISON_URL, true), 1);
}

/* The site's own naming.lua: the default with `edit` applied to it. */
static void naming_override(const char *from, const char *to)
{
    FILE *f = fopen("templates/naming.lua", "rb");
    assert_non_null(f);
    char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, from);
    assert_non_null(at);
    char *out = malloc(n + strlen(to) + 1);
    snprintf(out, n + strlen(to) + 1, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    file_write("templates/naming.lua", out);
    free(out);
}

/* What a run keeps, the next uses without asking: a fingerprint or a URL
 * taken from the memo shows once the memo says what no body or naming.lua
 * would. */
static void test_memo_used(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    poison_fingerprints();
    build_once(&b, TODAY, true, true);
    assert_int_equal(b.rc, 0);
    assert_true(b.written);
    build_free(&b);
    lockfile lf;
    lockfile_load(&lf);
    for (size_t i = 0; i < lf.len; i++)
        assert_string_equal(lf.v[i].f[F_BODY_FP], POISON_FP);
    lockfile_free(&lf);

    poison_url();
    build_once(&b, TODAY, true, true);
    assert_int_equal(b.rc, 0);
    const catalogue_item *ci = item_at(&b, "czj/2025/yusuan-2025.md");
    assert_string_equal(ci->url, POISON_URL);
    assert_int_equal(ci->alias_count, 1);
    assert_string_equal(ci->aliases[0], YUSUAN_URL);
    build_free(&b);
}

/* A new naming.lua or site.toml makes naming.lua's answers worthless, not
 * the fingerprints. */
static void test_memo_other_key(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    poison_url();
    file_edit("site.toml", "[site]", "# edited\n[site]");
    build_clean(&b, false);
    assert_string_equal(item_at(&b, "czj/2025/yusuan-2025.md")->url, YUSUAN_URL);
    build_free(&b);

    poison_url();
    naming_override("local naming = {}", "-- edited\nlocal naming = {}");
    build_clean(&b, false);
    assert_string_equal(item_at(&b, "czj/2025/yusuan-2025.md")->url, YUSUAN_URL);
    build_free(&b);

    poison_fingerprints();
    file_edit("site.toml", "# edited\n", "");
    build_once(&b, TODAY, true, true);
    assert_true(b.written);
    build_free(&b);
    lockfile lf;
    lockfile_load(&lf);
    assert_string_equal(lf.v[0].f[F_BODY_FP], POISON_FP);
    lockfile_free(&lf);
}

/* A damaged memo file, or one of another program version, is not used at
 * all: the build is the one without the memo (build_run compares). Each
 * starts from a poisoned file, which would show if it were used. */
static void test_memo_damaged(void **state)
{
    (void)state;
    build b;
    build_lock_written();
    const char *files[] = {FP_MEMO, NAMING_MEMO};
    for (size_t k = 0; k < 2; k++) {
        if (k == 0)
            poison_fingerprints();
        else
            poison_url();
        size_t len;
        char *good = bytes_read(files[k], &len);
        for (size_t cut = 0; cut < len; cut += cut < 64 || cut > len - 64 ? 1 : 97) {
            bytes_write(files[k], good, cut);
            build_clean(&b, false);
            build_free(&b);
            /* Sealed after the cut, as no run writes it. */
            if (cut < len - 17) {
                bytes_write_sealed(files[k], good, cut);
                build_clean(&b, false);
                build_free(&b);
            }
        }
        const struct {
            const char *from, *to;
            bool seal;
        } edits[] = {
            {"gongkai", "gongkaj", false},     /* any byte, not sealed again */
            {GK_VERSION, "0.0.0-other", true}, /* another program */
            {"gongkai", "gongkaj", true},      /* the magic */
            {POISON_FP, "0123456789abcdeg", true},
            {POISON_FP, "0123456789ABCDEF", true},
            {POISON_URL, "/czj/../poisoned/", true},
            {"+czyjs", "*czyjs", true}, /* a category neither given nor none */
        };
        for (size_t e = 0; e < sizeof edits / sizeof *edits; e++) {
            bytes_write(files[k], good, len);
            if (bytes_replace(files[k], edits[e].from, edits[e].to, edits[e].seal) == 0)
                continue; /* not in this file */
            build_clean(&b, false);
            build_free(&b);
        }
        file_remove(files[k]); /* poisoned still, when no edit applied last */
        free(good);
    }
}

/* What naming.lua fails on is asked again on every run and reported as
 * without the memo (build_run compares), never kept. */
static void test_memo_naming_error(void **state)
{
    (void)state;
    naming_override("function naming.item_url(a)\n",
                    "function naming.item_url(a)\n"
                    "  if a.slug == \"bad-name\" then error(\"这个文件名不行\") end\n");
    build b;
    build_lock_written();
    file_write("content/czj/2024/bad-name.md",
               "+++\ntitle = \"起错名字的信息\"\ndate = 2024-05-01\n"
               "category = \"czyjs\"\n+++\n\n"
               "这条信息的文件名让命名规则出错，每次构建都应报告。\n");
    for (int run = 0; run < 2; run++) {
        build_run(&b, TODAY, true);
        assert_int_equal(b.rc, -1);
        const diag *d = find_code(&b, "GK302");
        if (!strstr(d->message, "这个文件名不行"))
            fail_msg("message \"%s\"", d->message);
        build_free(&b);
    }
    assert_false(bytes_hold(NAMING_MEMO, "bad-name", 8));
}

/* The memo holds what this run asked and found, not what earlier runs did:
 * a renamed file's question goes, a deleted file's fingerprint too. */
static void test_memo_kept_for_this_run(void **state)
{
    (void)state;
    build_lock_written();
    size_t len;
    char *before = bytes_read(FP_MEMO, &len);
    free(before);
    assert_true(bytes_hold(NAMING_MEMO, "czj/2025/yusuan-2025.md", 24));
    file_move("content/czj/2025/yusuan-2025.md", "content/czj/2025/yusuan.md");
    file_remove("content/czj/2025/juesuan-2024.md");
    build_lock_written();
    assert_false(bytes_hold(NAMING_MEMO, "czj/2025/yusuan-2025.md", 24));
    assert_true(bytes_hold(NAMING_MEMO, "czj/2025/yusuan.md", 19));
    size_t after;
    free(bytes_read(FP_MEMO, &after));
    assert_int_equal(after, len - 34); /* one record of two 17-byte fields */
}

/* ---- the register's maps ------------------------------------------------ */

/* Keys kept or copied, values set and read back, through growth far beyond
 * the size the map was made for. */
static void test_lock_map(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    lock_map *m = lock_map_new(&mem, 4);
    enum { KEYS = 5000 };
    char **keys = calloc(KEYS, sizeof *keys);
    for (int i = 0; i < KEYS; i++) {
        keys[i] = arena_printf(&mem, "content/czj/%d/item-%05d.md", 2000 + i % 25, i);
        assert_int_equal(lock_map_get(m, keys[i]), -1);
        int *v = lock_map_at(&mem, m, keys[i], false);
        assert_int_equal(*v, -1);
        *v = i;
    }
    char key[64];
    for (int i = 0; i < KEYS; i++) {
        assert_int_equal(lock_map_get(m, keys[i]), i);
        snprintf(key, sizeof key, "content/czj/%d/item-%05d.md", 2000 + i % 25, i);
        assert_int_equal(*lock_map_at(&mem, m, key, false), i); /* found: not kept */
    }
    lock_map_put(&mem, m, keys[7], 70);
    assert_int_equal(lock_map_get(m, keys[7]), 70);
    /* A key on the stack is copied when asked. */
    snprintf(key, sizeof key, "czj/2025");
    *lock_map_at(&mem, m, key, true) = 3;
    snprintf(key, sizeof key, "mzj/2025");
    assert_int_equal(lock_map_get(m, "czj/2025"), 3);
    assert_int_equal(lock_map_get(m, "mzj/2025"), -1);
    assert_int_equal(lock_map_get(m, ""), -1);
    *lock_map_at(&mem, m, "", false) = 0;
    assert_int_equal(lock_map_get(m, ""), 0);
    free(keys);
    arena_free(&mem);
}

/* The writer's lines, byte for byte: escapes in the index number, path,
 * reason and title, aliases, a withdrawn date, numbers of every width. */
static void test_lock_format(void **state)
{
    (void)state;
    const char *aliases[] = {"/a/old-1/", "/a/old-2/"};
    lock_entry v[] = {
        {.index_no = "N/2025-00001",
         .dept = "czj",
         .year = 2025,
         .seq = 1,
         .id = "0123456789abcdef",
         .path = "content/czj/2025/a.md",
         .url = "/czj/2025/a/",
         .title_fp = 0x1b2c3d4e5f607182ULL,
         .body_fp = 0,
         .title = "标题"},
        {.index_no = "N\\t/2024-123456789",
         .dept = "mzj",
         .year = 2024,
         .seq = 123456789,
         .id = "fedcba9876543210",
         .path = "content/mzj/2024/b\tc.md",
         .url = "/mzj/2024/b/",
         .aliases = aliases,
         .alias_count = 2,
         .title_fp = 0xffffffffffffffffULL,
         .body_fp = 0x10,
         .withdrawn = true,
         .withdrawn_on = {2026, 3, 1},
         .reason = "已废止\t见\\通知\n第二行\r",
         .title = "含\t制表符\\与\n换行"},
        {.index_no = "N/1999-00010",
         .dept = "baima",
         .year = 999,
         .seq = 10,
         .id = "00000000000000ff",
         .path = "content/baima/x.md",
         .url = "/baima/x/",
         .withdrawn = true,
         .withdrawn_on = {2025, 12, 31},
         .reason = "",
         .title = "t"},
    };
    catalogue_lock lk = {.v = v, .len = 3};
    buf out = BUF_INIT;
    lock_file_format(&lk, &out);
    const char *body = strstr(buf_cstr(&out), "title\n");
    assert_non_null(body);
    assert_true(strncmp(buf_cstr(&out), "# catalogue.lock", 16) == 0);
    assert_string_equal(body + 6,
                        "N/2025-00001\tczj\t2025\t1\t0123456789abcdef\tcontent/czj/2025/a.md\t"
                        "/czj/2025/a/\t-\t1b2c3d4e5f607182\t0000000000000000\t-\t-\t标题\n"
                        "N\\\\t/2024-123456789\tmzj\t2024\t123456789\tfedcba9876543210\t"
                        "content/mzj/2024/b\\tc.md\t/mzj/2024/b/\t/a/old-1/,/a/old-2/\t"
                        "ffffffffffffffff\t0000000000000010\t2026-03-01\t"
                        "已废止\\t见\\\\通知\\n第二行\\r\t含\\t制表符\\\\与\\n换行\n"
                        "N/1999-00010\tbaima\t999\t10\t00000000000000ff\tcontent/baima/x.md\t"
                        "/baima/x/\t-\t0000000000000000\t0000000000000000\t2025-12-31\t-\tt\n");
    assert_int_equal(out.len, strlen(out.ptr));
    buf_free(&out);
}

/* A lock of thousands of lines, written in blocks on several threads: the
 * same bytes as each line written alone, in order. */
static void test_lock_format_blocks(void **state)
{
    (void)state;
    enum { N = 2500 };
    arena mem;
    arena_init(&mem);
    lock_entry *v = arena_alloc(&mem, N * sizeof *v);
    for (int i = 0; i < N; i++) {
        v[i] = (lock_entry){.index_no = arena_printf(&mem, "N/%05d", i),
                            .dept = "czj",
                            .year = 2000 + i % 30,
                            .seq = i + 1,
                            .id = arena_printf(&mem, "%016x", (unsigned)i),
                            .path = arena_printf(&mem, "content/czj/%d.md", i),
                            .url = arena_printf(&mem, "/czj/%d/", i),
                            .title_fp = (uint64_t)i * 0x9e3779b97f4a7c15ULL,
                            .withdrawn = i % 7 == 0,
                            .withdrawn_on = {2026, 1 + i % 12, 1 + i % 28},
                            .title = arena_printf(&mem, "标题\t%d", i)};
    }
    catalogue_lock lk = {.v = v, .len = N, .workers = 2};
    buf all = BUF_INIT, one = BUF_INIT, joined = BUF_INIT;
    lock_file_format(&lk, &all);
    for (int i = 0; i < N; i++) {
        catalogue_lock single = {.v = &v[i], .len = 1};
        buf_reset(&one);
        lock_file_format(&single, &one);
        const char *line = strstr(one.ptr, "title\n") + 6;
        if (i == 0)
            buf_put(&joined, one.ptr, (size_t)(line - one.ptr));
        buf_puts(&joined, line);
    }
    assert_int_equal(all.len, joined.len);
    assert_string_equal(all.ptr, joined.ptr);
    buf_free(&all);
    buf_free(&one);
    buf_free(&joined);
    arena_free(&mem);
}

#define SITE_TEST(f) cmocka_unit_test_setup_teardown(f, site_setup, site_teardown)

static int memo_on(void **state)
{
    (void)state;
    with_memo = true;
    return 0;
}

int main(void)
{
    /* The repository's templates/naming.lua is the installed default. */
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    setenv("GONGKAI_DATADIR", cwd, 1);
    const struct CMUnitTest tests[] = {
        SITE_TEST(test_first_build),
        SITE_TEST(test_deterministic),
        SITE_TEST(test_history),
        SITE_TEST(test_moves_by_fingerprint),
        SITE_TEST(test_doubtful_moves_are_new_items),
        SITE_TEST(test_unreadable_item_is_not_withdrawn),
        SITE_TEST(test_url_clash),
        SITE_TEST(test_unchanged_is_not_rewritten),
        SITE_TEST(test_crlf_lock),
        SITE_TEST(test_unsorted_lock),
        SITE_TEST(test_malformed),
        SITE_TEST(test_big_lock),
        SITE_TEST(test_index_number_taken),
        SITE_TEST(test_write_failure_keeps_old_lock),
        SITE_TEST(test_concurrent_change_is_not_overwritten),
        SITE_TEST(test_concurrent_same_size_change),
        SITE_TEST(test_staged_write),
    };
    const struct CMUnitTest memo_tests[] = {
        SITE_TEST(test_memo_used),
        SITE_TEST(test_memo_other_key),
        SITE_TEST(test_memo_damaged),
        SITE_TEST(test_memo_naming_error),
        SITE_TEST(test_memo_kept_for_this_run),
    };
    const struct CMUnitTest map_tests[] = {
        cmocka_unit_test(test_lock_map),
        cmocka_unit_test(test_lock_format),
        cmocka_unit_test(test_lock_format_blocks),
    };
    int failed = cmocka_run_group_tests_name("the register's maps", map_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("without the memo", tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("with the memo", tests, memo_on, NULL);
    failed += cmocka_run_group_tests_name("the memo", memo_tests, memo_on, NULL);
    return failed;
}
