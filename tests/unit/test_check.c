/* The compliance checks end to end on the fixture site tests/fixtures/check
 * (one file per rule: gk2xx-*.md must give exactly their diagnostics, ok-*.md
 * none), checked as of a fixed day; plus generated sites for the variants a
 * fixture cannot hold (allowed HTML, a partial model). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/check/check.h"
#include "../../generator/cli/cli.h"
#include "../../generator/render/markdown.h"
#include "../../generator/util/buf.h"
#include "test_files.h"
#include "test_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SITE "tests/fixtures/check"
static const date fixture_today = {2026, 3, 10};

typedef struct run {
    cli_model m;
    diag_list diags;
    int load_rc, check_rc;
} run;

static void run_site_memo(run *r, const char *site, date today, bool errors_only, bool drafts,
                          memo_map *memo)
{
    diag_list_init(&r->diags);
    r->load_rc = cli_model_load(&r->m, site, 0, &r->diags);
    check_options opt = {today, errors_only, drafts, memo};
    r->check_rc = cli_model_check(&r->m, &opt, &r->diags);
    diag_list_sort(&r->diags);
}

static void run_site(run *r, const char *site, date today, bool errors_only, bool drafts)
{
    run_site_memo(r, site, today, errors_only, drafts, NULL);
}

static void run_free(run *r)
{
    cli_model_free(&r->m);
    diag_list_free(&r->diags);
}

typedef struct want {
    const char *path;
    int line, col;
    const char *code;
} want;

/* The diagnostics are exactly these, in order (path, line, column). */
static void assert_diags(const run *r, const want *w, size_t n)
{
    bool same = r->diags.len == n;
    for (size_t i = 0; same && i < n; i++) {
        const diag *d = &r->diags.items[i];
        same =
            strcmp(d->path, w[i].path) == 0 && d->line == w[i].line && d->col == w[i].col &&
            strcmp(d->code, w[i].code) == 0 &&
            d->severity == (w[i].code[3] == '0' || w[i].code[2] != '2' ? DIAG_ERROR : DIAG_WARNING);
    }
    if (!same) {
        diag_list_print_text(&r->diags, stderr);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "want %s:%d:%d %s\n", w[i].path, w[i].line, w[i].col, w[i].code);
        fail_msg("diagnostics differ from the %zu expected", n);
    }
}

static const diag *find_diag(const run *r, const char *path, int line, const char *code)
{
    for (size_t i = 0; i < r->diags.len; i++) {
        const diag *d = &r->diags.items[i];
        if (strcmp(d->path, path) == 0 && d->line == line && strcmp(d->code, code) == 0)
            return d;
    }
    diag_list_print_text(&r->diags, stderr);
    fail_msg("no %s at %s:%d", code, path, line);
    return NULL;
}

static void assert_says(const run *r, const char *path, int line, const char *code,
                        const char *needle)
{
    const diag *d = find_diag(r, path, line, code);
    if (!strstr(d->message, needle))
        fail_msg("%s at %s:%d says \"%s\", not \"%s\"", code, path, line, d->message, needle);
}

#define C "content/"
/* Every diagnostic of the fixture site, errors and warnings. */
static const want fixture_all[] = {
    {C "baima/gk213-gk214-zw-2025q3.md", 3, 8, "GK214"},
    {C "baima/gk213-gk214-zw-2025q3.md", 5, 10, "GK213"},
    {C "baima/gk218-no-review.md", 1, 1, "GK218"},
    {C "baima/gk218-review-late.md", 7, 15, "GK218"},
    {C "czj/2025/gk203-docnum.md", 5, 14, "GK203"},
    {C "czj/att/gk204-dir.md", 5, 16, "GK204"},
    {C "czj/att/gk204-missing.md", 5, 16, "GK204"},
    {C "czj/att/gk205-absolute.md", 5, 16, "GK205"},
    {C "czj/att/gk205-dotdot.md", 5, 16, "GK205"},
    {C "czj/att/gk205-link.md", 5, 16, "GK205"},
    {C "czj/gfxwj/gk216-expired.md", 6, 10, "GK216"},
    {C "czj/gfxwj/gk217-uncleaned.md", 6, 10, "GK217"},
    {C "czj/gk201-draft.md", 6, 11, "GK201"},
    {C "czj/gk201-miji.md", 5, 5, "GK201"},
    {C "czj/gk201-secrecy.md", 5, 11, "GK201"},
    {C "czj/gk208-outside.md", 0, 0, "GK208"},
    {C "czj/links/gk206-links.md", 8, 2, "GK206"},
    {C "czj/links/gk206-links.md", 9, 2, "GK206"},
    {C "czj/links/gk206-links.md", 10, 23, "GK206"},
    {C "czj/links/gk206-links.md", 13, 1, "GK206"},
    {C "czj/links/gk207-html.md", 7, 4, "GK207"},
    {C "czj/links/gk207-html.md", 11, 1, "GK207"},
    {C "czj/links/gk207-html.md", 15, 1, "GK207"},
    {C "czj/time/gk211-gk212-2027.md", 3, 8, "GK211"},
    {C "czj/time/gk211-late.md", 3, 8, "GK211"},
    {C "mzj/fixed/gk215-lxfs.md", 3, 8, "GK215"},
    {C "mzj/gk202-card.md", 7, 6, "GK202"},
    {C "mzj/gk202-card.md", 8, 4, "GK202"},
    {C "mzj/gk202-id15.md", 7, 14, "GK202"},
    {C "mzj/gk202-id18.md", 10, 8, "GK202"},
    {C "mzj/gk202-id18.md", 14, 8, "GK202"},
    {C "mzj/gk202-mobile.md", 7, 11, "GK202"},
    {C "mzj/gk202-mobile.md", 8, 4, "GK202"},
    {C "mzj/gk202-mobile.md", 9, 10, "GK202"},
    {C "mzj/gk202-mobile.md", 10, 4, "GK202"},
    {C "mzj/gk202-title.md", 2, 12, "GK202"},
    {C "qingshi/gk213-cw-2026-01.md", 5, 10, "GK213"},
    {"site.toml", 0, 0, "GK212"},
};
#define FIXTURE_ALL (sizeof fixture_all / sizeof fixture_all[0])

static void test_fixture_site(void **state)
{
    (void)state;
    run r;
    run_site(&r, SITE, fixture_today, false, false);
    assert_diags(&r, fixture_all, FIXTURE_ALL);
    assert_int_equal(r.load_rc, -1); /* the symlink leaving content/ */
    assert_int_equal(r.check_rc, -1);

    /* What the messages say, and never a full number. */
    assert_says(&r, C "mzj/gk202-id18.md", 10, "GK202", "身份证号（4301**********1234）");
    assert_says(&r, C "mzj/gk202-id18.md", 14, "GK202", "1101**********002X");
    assert_says(&r, C "mzj/gk202-id15.md", 7, "GK202", "4301*******7123");
    assert_says(&r, C "mzj/gk202-mobile.md", 7, "GK202", "手机号码（138****5678）");
    assert_says(&r, C "mzj/gk202-mobile.md", 10, "GK202", "86137****5678");
    assert_says(&r, C "mzj/gk202-card.md", 7, "GK202", "银行卡号（6222***********0128）");
    assert_says(&r, C "mzj/gk202-card.md", 8, "GK202", "6228********5671");
    assert_says(&r, C "mzj/gk202-id18.md", 10, "GK202", "pii_allowed");
    for (size_t i = 0; i < r.diags.len; i++) {
        const char *msg = r.diags.items[i].message;
        assert_null(strstr(msg, "430102199003071234"));
        assert_null(strstr(msg, "13812345678"));
        assert_null(strstr(msg, "6222021234567890128"));
    }
    assert_says(&r, C "czj/gk201-miji.md", 5, "GK201", "“内部”");
    assert_says(&r, C "czj/2025/gk203-docnum.md", 5, "GK203", "示财发〔2025〕8号");
    assert_says(&r, C "czj/2025/gk203-docnum.md", 5, "GK203", C "czj/2025/ok-docnum-first.md");
    assert_says(&r, C "czj/att/gk205-link.md", 5, "GK205", "符号链接");
    assert_says(&r, C "czj/att/gk205-dotdot.md", 5, "GK205", "..");
    assert_says(&r, C "czj/att/gk205-absolute.md", 5, "GK205", "绝对路径");
    assert_says(&r, C "czj/links/gk206-links.md", 8, "GK206", C "czj/2025/nosuch.md");
    assert_says(&r, C "czj/links/gk206-links.md", 9, "GK206", "草稿");
    assert_says(&r, C "czj/links/gk206-links.md", 13, "GK206", "/czj/2025/gk206-links/missing.png");
    assert_says(&r, C "czj/links/gk207-html.md", 7, "GK207", "<br>");
    assert_says(&r, C "czj/links/gk207-html.md", 15, "GK207", "javascript:");
    assert_says(&r, C "czj/time/gk211-late.md", 3, "GK211", "21 个工作日");
    assert_says(&r, C "czj/time/gk211-late.md", 3, "GK211", "2025-10-17 前");
    assert_says(&r, C "czj/time/gk211-gk212-2027.md", 3, "GK211", "27 个工作日");
    assert_says(&r, "site.toml", 0, "GK212", "2027、2028 年");
    assert_says(&r, C "baima/gk213-gk214-zw-2025q3.md", 5, "GK213", "缺少 2025年第四季度 的");
    assert_says(&r, C "baima/gk213-gk214-zw-2025q3.md", 3, "GK214", "晚了 5 天");
    assert_says(&r, C "qingshi/gk213-cw-2026-01.md", 5, "GK213", "2025年12月、2026年2月");
    assert_says(&r, C "mzj/fixed/gk215-lxfs.md", 3, "GK215", "2025-01-10");
    assert_says(&r, C "czj/gfxwj/gk216-expired.md", 6, "GK216", "2026-01-31");
    assert_says(&r, C "czj/gfxwj/gk217-uncleaned.md", 6, "GK217", "2023-12-01");
    assert_says(&r, C "baima/gk218-no-review.md", 1, "GK218", "reviewed_by");
    assert_says(&r, C "baima/gk218-review-late.md", 7, "GK218", "晚于发布日期");
    run_free(&r);
}

/* build runs the refusals only: the same errors, no warning. */
static void test_errors_only(void **state)
{
    (void)state;
    run r;
    run_site(&r, SITE, fixture_today, true, false);
    want w[FIXTURE_ALL];
    size_t n = 0;
    for (size_t i = 0; i < FIXTURE_ALL; i++)
        if (fixture_all[i].code[3] == '0')
            w[n++] = fixture_all[i];
    assert_int_equal(n, 27);
    assert_diags(&r, w, n);
    run_free(&r);
}

/* Building drafts publishes the draft: the link to it is no longer broken. */
static void test_drafts(void **state)
{
    (void)state;
    run r;
    run_site(&r, SITE, fixture_today, true, true);
    for (size_t i = 0; i < r.diags.len; i++)
        assert_false(strstr(r.diags.items[i].message, "草稿"));
    assert_int_equal(diag_list_count(&r.diags, DIAG_ERROR), 26);
    run_free(&r);
}

/* The day matters: a year later more periods are due and more is stale. */
static void test_today(void **state)
{
    (void)state;
    run r;
    run_site(&r, SITE, (date){2025, 11, 1}, false, false);
    for (size_t i = 0; i < r.diags.len; i++) {
        const diag *d = &r.diags.items[i];
        /* Nothing was due or stale yet, and the document had not expired. */
        assert_true(strcmp(d->code, "GK213") != 0 || strstr(d->path, "qingshi") == NULL);
        assert_true(strcmp(d->code, "GK215") != 0);
        assert_true(strcmp(d->code, "GK216") != 0);
        assert_true(strcmp(d->code, "GK217") != 0);
    }
    run_free(&r);
    run_site(&r, SITE, (date){2027, 5, 1}, false, false);
    assert_says(&r, C "baima/gk213-gk214-zw-2025q3.md", 5, "GK213",
                "2025年第四季度、2026年第一季度、2026年第二季度、2026年第三季度、2026年第四季度、"
                "2027年第一季度 的");
    assert_says(&r, C "czj/nb/ok-nianbao-2024.md", 4, "GK213", "2025年度、2026年度");
    assert_says(&r, C "mzj/fixed/ok-gkzn-new.md", 3, "GK215", "2025-12-01");
    assert_says(&r, C "czj/gfxwj/ok-cleaned.md", 6, "GK217", "2025-04-15");
    run_free(&r);
}

/* ---- generated sites ------------------------------------------------------ */

static const char site_toml[] = "[site]\nname = \"示例县人民政府\"\nregion = \"示例县\"\n"
                                "base_url = \"https://www.shili.gov.cn/\"\n"
                                "org_code = \"11339901MB00010119\"\n"
                                "[markdown]\nallow_html = true\n"
                                "[[departments]]\nid = \"czj\"\nname = \"财政局\"\n";

/* With allow_html the site takes HTML, but never what runs code. */
static void test_allowed_html(void **state)
{
    (void)state;
    char root[] = "/tmp/gk-check-XXXXXX";
    assert_non_null(mkdtemp(root));
    test_tree_write_text(root, "site.toml", site_toml);
    test_tree_write_text(root, "content/czj/html.md",
                         "+++\ntitle = \"HTML\"\ndate = 2025-05-06\ncategory = \"gzdt\"\n+++\n"
                         "\n"
                         "<div align=\"center\">居中</div>\n"
                         "\n"
                         "第一行<br>第二行<span style=\"color:red\">红字</span>\n"
                         "\n"
                         "<script>alert(1)</script>\n"
                         "\n"
                         "文字<img src=\"x.png\" onerror=\"alert(1)\">\n"
                         "\n"
                         "<a href=\"JavaScript:alert(1)\">点</a>\n"
                         "\n"
                         "<p>\n段落\n<iframe src=\"https://example.com/\"></iframe>\n</p>\n");
    run r;
    run_site(&r, root, fixture_today, true, false);
    const want w[] = {
        {"content/czj/html.md", 11, 1, "GK207"},
        {"content/czj/html.md", 13, 3, "GK207"},
        {"content/czj/html.md", 15, 1, "GK207"},
        {"content/czj/html.md", 19, 1, "GK207"},
    };
    assert_diags(&r, w, 4);
    assert_says(&r, "content/czj/html.md", 11, "GK207", "<script>");
    assert_says(&r, "content/czj/html.md", 13, "GK207", "事件属性");
    assert_says(&r, "content/czj/html.md", 15, "GK207", "javascript:");
    assert_says(&r, "content/czj/html.md", 19, "GK207", "<iframe");
    run_free(&r);
    test_tree_remove(AT_FDCWD, root);
}

/* ---- facts kept across runs (check/memo.c) -------------------------------- */

/* A run with the memo of `dir` (.gongkai), saved after it. */
static void run_remembering(run *r, const char *site, const char *dir)
{
    memo_map *memo = check_memo_open(dir);
    run_site_memo(r, site, fixture_today, false, false, memo);
    memo_map_save(memo);
    memo_map_free(memo);
}

/* Every record of the memo in `dir` made to say all the facts it keeps. */
static void memo_poison(const char *dir)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%s/checks.cache", dir);
    test_memo_values_set(path.ptr, "0000000000000003");
    buf_free(&path);
}

/* With the memo every run reports what a run without it does; the memo is
 * what lets a run skip a text: made to say that every text it knows is
 * clean, it hides their findings. */
static void test_memo_fixture(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-check-memo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    run r;
    for (int pass = 0; pass < 2; pass++) {
        run_remembering(&r, SITE, dir);
        assert_diags(&r, fixture_all, FIXTURE_ALL);
        run_free(&r);
    }
    memo_poison(dir);
    run_remembering(&r, SITE, dir);
    for (size_t i = 0; i < r.diags.len; i++) {
        const diag *d = &r.diags.items[i];
        assert_false(strcmp(d->path, C "mzj/gk202-mobile.md") == 0 &&
                     strcmp(d->code, "GK202") == 0);
        assert_false(strcmp(d->path, C "czj/links/gk206-links.md") == 0 &&
                     strcmp(d->code, "GK206") == 0);
    }
    find_diag(&r, C "czj/2025/gk203-docnum.md", 5, "GK203"); /* not a text fact */
    run_free(&r);
    buf path = BUF_INIT;
    buf_printf(&path, "%s/checks.cache", dir);
    assert_int_equal(unlink(path.ptr), 0);
    buf_free(&path);
    assert_int_equal(rmdir(dir), 0);
}

/* a.md, its body `body` padded with x to `len` bytes in all. */
static void write_item(const char *root, const char *body, size_t len)
{
    buf text = BUF_INIT;
    buf_printf(&text, "+++\ntitle = \"a\"\ndate = 2025-05-06\ncategory = \"gzdt\"\n+++\n\n%s",
               body);
    while (text.len + 1 < len)
        buf_putc(&text, 'x');
    buf_putc(&text, '\n');
    assert_int_equal(text.len, len);
    test_tree_write_text(root, "content/czj/a.md", text.ptr);
    buf_free(&text);
}

/* A text that changed is scanned again, whatever the memo knew of the file
 * at that path before, even at the same length; so is one whose site
 * address changed, for the bare URLs that link to it. */
static void test_memo_changed_text(void **state)
{
    (void)state;
    char root[] = "/tmp/gk-check-XXXXXX";
    assert_non_null(mkdtemp(root));
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/.gongkai", root);
    test_tree_write_text(root, "site.toml", site_toml);
    const char *clean = "正文。见 https://www.other.gov.cn/czj/nosuch/ 。";
    const char *dirty = "电话 13812345678，见[b](b.md)。";
    size_t len = 128;
    write_item(root, clean, len);
    run r;
    run_remembering(&r, root, dir.ptr);
    assert_int_equal(r.diags.len, 0);
    run_free(&r);

    write_item(root, dirty, len);
    run_remembering(&r, root, dir.ptr);
    find_diag(&r, "content/czj/a.md", 7, "GK202");
    find_diag(&r, "content/czj/a.md", 7, "GK206");
    assert_int_equal(r.diags.len, 2);
    run_free(&r);

    write_item(root, clean, len);
    run_remembering(&r, root, dir.ptr);
    assert_int_equal(r.diags.len, 0);
    run_free(&r);
    /* Now the site is at that address: the bare URL is a broken link. */
    const char *host = strstr(site_toml, "www.shili.gov.cn");
    assert_non_null(host);
    buf toml = BUF_INIT;
    buf_put(&toml, site_toml, (size_t)(host - site_toml));
    buf_printf(&toml, "www.other.gov.cn%s", host + strlen("www.shili.gov.cn"));
    test_tree_write_text(root, "site.toml", toml.ptr);
    run_remembering(&r, root, dir.ptr);
    assert_int_equal(r.diags.len, 1);
    assert_string_equal(r.diags.items[0].code, "GK206");
    assert_non_null(strstr(r.diags.items[0].message, "/czj/nosuch/"));
    run_free(&r);
    buf_free(&toml);
    buf_free(&dir);
    test_tree_remove(AT_FDCWD, root);
}

/* A catalogue that fails to load leaves the rules that need it out; the
 * others still run, so one check reports everything it can. */
static void test_partial_model(void **state)
{
    (void)state;
    char root[] = "/tmp/gk-check-XXXXXX";
    assert_non_null(mkdtemp(root));
    test_tree_write_text(root, "site.toml", site_toml);
    test_tree_write_text(root, "templates/catalogue.lua", "return {");
    test_tree_write_text(
        root, "content/czj/a.md",
        "+++\ntitle = \"a\"\ndate = 2025-05-06\ncategory = \"gzdt\"\nsecrecy = \"秘密\"\n"
        "+++\n\n电话 13812345678，见[b](b.md)与[站内](/nowhere/)。\n");
    run r;
    run_site(&r, root, fixture_today, false, false);
    assert_int_equal(r.load_rc, -1);
    assert_int_equal(r.check_rc, -1);
    find_diag(&r, "templates/catalogue.lua", 0, "GK301");
    find_diag(&r, "content/czj/a.md", 5, "GK201");
    find_diag(&r, "content/czj/a.md", 8, "GK202");
    /* The .md link needs no catalogue; the site path does, and is skipped. */
    const diag *d = find_diag(&r, "content/czj/a.md", 8, "GK206");
    assert_non_null(strstr(d->message, "b.md"));
    assert_int_equal(r.diags.len, 4);
    run_free(&r);
    test_tree_remove(AT_FDCWD, root);
}

int main(void)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    setenv("GONGKAI_DATADIR", cwd, 1); /* naming.lua and the theme from the repository */
    markdown_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_site), cmocka_unit_test(test_errors_only),
        cmocka_unit_test(test_drafts),       cmocka_unit_test(test_today),
        cmocka_unit_test(test_allowed_html), cmocka_unit_test(test_partial_model),
        cmocka_unit_test(test_memo_fixture), cmocka_unit_test(test_memo_changed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
