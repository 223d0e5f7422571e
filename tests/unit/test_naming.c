/* naming.lua through the C API: the default rules of templates/naming.lua
 * (document numbers, period labels, unit and board names, URLs, index
 * numbers) and how a broken naming.lua is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    site_config cfg;
    diag_list diags;
    naming *n;
    arena mem;
} fixture;

/* The example units of tests/fixtures/naming/site with the default rules. */
static int setup_defaults(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    diag_list_init(&f->diags);
    arena_init(&f->mem);
    if (config_load(&f->cfg, "tests/fixtures/naming/site", &f->diags) != 0 ||
        naming_open(&f->n, &f->cfg, &f->diags) != 0) {
        diag_list_print_text(&f->diags, stderr);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    naming_close(f->n);
    config_free(&f->cfg);
    diag_list_free(&f->diags);
    arena_free(&f->mem);
    free(f);
    return 0;
}

static const char *doc_number(fixture *f, const char *raw)
{
    const char *out = NULL;
    assert_int_equal(naming_doc_number(f->n, &f->mem, raw, &out), 0);
    return out;
}

static void test_default_source(void **state)
{
    fixture *f = *state;
    assert_string_equal(naming_source(f->n), "./templates/naming.lua");
}

static void test_doc_number_brackets(void **state)
{
    fixture *f = *state;
    static const char *const forms[] = {
        "示政办发[2012]52号",   "示政办发［2012］52号", "示政办发„2012‟52号",
        "示政办发(2012)52号",   "示政办发（2012）52号", "示政办发〔2012〕52号",
        "示政办发【2012】52号", "示政办发{2012}52号",   "示政办发｛2012｝52号",
        "示政办发〖2012〗52号",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        assert_string_equal(doc_number(f, forms[i]), "示政办发〔2012〕52号");
    /* Blanks at the ends (ideographic space included) and around the year go. */
    assert_string_equal(doc_number(f, " \t示财发 [ 2025 ] 3号\u3000"), "示财发〔2025〕3号");
    /* Forms without 发 stay as written. */
    assert_string_equal(doc_number(f, "示政办函〔2025〕27号"), "示政办函〔2025〕27号");
    assert_string_equal(doc_number(f, "示政办函(2025)27号"), "示政办函〔2025〕27号");
    /* Not a bracketed four-digit year: untouched apart from the trimming. */
    assert_string_equal(doc_number(f, " 示政办发[12012]1号 "), "示政办发[12012]1号");
    assert_string_equal(doc_number(f, "示政办发(二〇一二)1号"), "示政办发(二〇一二)1号");
    assert_string_equal(doc_number(f, "无文号"), "无文号");
    assert_string_equal(doc_number(f, ""), "");
    assert_int_equal(f->diags.len, 0);
}

static void test_doc_number_parts(void **state)
{
    fixture *f = *state;
    naming_doc_parts p = {0};
    assert_int_equal(naming_doc_number_parts(f->n, &f->mem, "示政办发[2025]012号", &p), 1);
    assert_string_equal(p.issuer, "示政办发");
    assert_int_equal(p.year, 2025);
    assert_int_equal(p.seq, 12);
    assert_int_equal(naming_doc_number_parts(f->n, &f->mem, "示政办函〔2024〕第27号", &p), 1);
    assert_string_equal(p.issuer, "示政办函");
    assert_int_equal(p.year, 2024);
    assert_int_equal(p.seq, 27);
    assert_int_equal(naming_doc_number_parts(f->n, &f->mem, "〔2024〕27号", &p), 0);
    assert_int_equal(naming_doc_number_parts(f->n, &f->mem, "示政办发〔2024〕", &p), 0);
    assert_int_equal(naming_doc_number_parts(f->n, &f->mem, "无文号", &p), 0);
    assert_int_equal(f->diags.len, 0);
}

static const char *period(fixture *f, category_periodic kind, int year, int num)
{
    const char *out = NULL;
    assert_int_equal(naming_period_label(f->n, &f->mem, kind, year, num, &out), 0);
    return out;
}

static void test_period_labels(void **state)
{
    fixture *f = *state;
    assert_string_equal(period(f, CATEGORY_PERIODIC_QUARTER, 2026, 1), "2026年第一季度");
    assert_string_equal(period(f, CATEGORY_PERIODIC_QUARTER, 2026, 3), "2026年第三季度");
    assert_string_equal(period(f, CATEGORY_PERIODIC_QUARTER, 2025, 4), "2025年第四季度");
    assert_string_equal(period(f, CATEGORY_PERIODIC_MONTH, 2026, 9), "2026年9月");
    assert_string_equal(period(f, CATEGORY_PERIODIC_MONTH, 2026, 12), "2026年12月");
    assert_string_equal(period(f, CATEGORY_PERIODIC_YEAR, 2026, 0), "2026年度");
    assert_int_equal(f->diags.len, 0);
}

static const char *subsite(fixture *f, const char *id)
{
    const char *out = NULL;
    const department *d = config_department_find(&f->cfg, id);
    assert_non_null(d);
    assert_int_equal(naming_subsite_name(f->n, &f->mem, d, &out), 0);
    return out;
}

static void test_subsite_names(void **state)
{
    fixture *f = *state;
    assert_string_equal(subsite(f, "czj"), "示例县财政局");
    assert_string_equal(subsite(f, "fgw"), "示例县发展和改革局"); /* full_name defaulted */
    assert_string_equal(subsite(f, "baima"), "示例县白马镇人民政府");
    assert_string_equal(subsite(f, "chengguan"), "示例县城关街道办事处");
    /* The unified pattern, not the full_name written in site.toml. */
    assert_string_equal(subsite(f, "dongfeng"), "示例县白马镇东风村村民委员会");
    assert_string_equal(subsite(f, "xinhua"), "示例县城关街道新华社区居民委员会");
    assert_int_equal(f->diags.len, 0);
}

static const char *board_title(fixture *f, const char *id)
{
    const char *out = NULL;
    const board *b = config_board_find(&f->cfg, id);
    assert_non_null(b);
    assert_int_equal(naming_board_title(f->n, &f->mem, b, &out), 0);
    return out;
}

static void test_board_titles(void **state)
{
    fixture *f = *state;
    assert_string_equal(board_title(f, "baima-zw"), "示例县白马镇政务公开栏");
    assert_string_equal(board_title(f, "dongfeng-cw"), "示例县白马镇东风村村务公开栏");
    assert_string_equal(board_title(f, "xinhua-jw"), "示例县城关街道新华社区居务公开栏");
    /* A board's own name wins. */
    assert_string_equal(board_title(f, "chengguan-zw"), "城关街道便民服务中心公开栏");
    assert_int_equal(f->diags.len, 0);
}

static const char *item_url(fixture *f, const char *slug, int clash)
{
    naming_item it = {"czj", 2025, 12, "czyjs", slug, NULL, clash};
    const char *out = NULL;
    assert_int_equal(naming_item_url(f->n, &f->mem, &it, &out), 0);
    return out;
}

static void test_urls(void **state)
{
    fixture *f = *state;
    assert_string_equal(item_url(f, "yusuan-2025", 0), "/czj/2025/yusuan-2025/");
    assert_string_equal(item_url(f, "zhuanxiang_zijin", 0), "/czj/2025/zhuanxiang_zijin/");
    /* Not URL-safe: lower case, one - per run of anything else, trimmed. */
    assert_string_equal(item_url(f, "Report 2025", 0), "/czj/2025/report-2025/");
    assert_string_equal(item_url(f, "2025年yusuan（修订）", 0), "/czj/2025/2025-yusuan/");
    assert_string_equal(item_url(f, " 预算 说明 ", 0), "/czj/2025/item-00012/");
    assert_string_equal(item_url(f, "2025年 预算说明", 0), "/czj/2025/item-00012/");
    /* A taken URL: the sequence number makes it unique. */
    assert_string_equal(item_url(f, "yusuan", 1), "/czj/2025/yusuan-00012/");
    assert_string_equal(item_url(f, "yusuan", 2), "/czj/2025/yusuan-00012-2/");

    const char *out = NULL;
    assert_int_equal(naming_department_url(f->n, &f->mem, "czj", &out), 0);
    assert_string_equal(out, "/czj/");
    assert_int_equal(naming_category_url(f->n, &f->mem, "czyjs-ys", &out), 0);
    assert_string_equal(out, "/xxgk/ml/czyjs-ys/");
    assert_int_equal(naming_department_category_url(f->n, &f->mem, "baima", "xzzw", &out), 0);
    assert_string_equal(out, "/baima/ml/xzzw/");
    assert_int_equal(f->diags.len, 0);
}

static void test_index_numbers(void **state)
{
    fixture *f = *state;
    const char *out = NULL;
    naming_item it = {"czj", 2025, 12, "czyjs", NULL, NULL, 0};
    assert_int_equal(naming_index_number(f->n, &f->mem, &it, &out), 0);
    assert_string_equal(out, "11339901MB0001222Q/2025-00012");
    /* A department without an org code numbers under the site's code and
     * its id, so two such departments never share a number. */
    naming_item township = {"baima", 2026, 3, "xzzw", NULL, NULL, 0};
    assert_int_equal(naming_index_number(f->n, &f->mem, &township, &out), 0);
    assert_string_equal(out, "11339901MB00010119-BAIMA/2026-00003");
    assert_int_equal(f->diags.len, 0);
}

static void assert_diag(const diag *d, int line, const char *fragment)
{
    assert_string_equal(d->code, "GK302");
    assert_int_equal(d->severity, DIAG_ERROR);
    assert_string_equal(d->path, "templates/naming.lua");
    assert_int_equal(d->line, line);
    if (!strstr(d->message, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", d->message, fragment);
}

/* Neither the department nor the site has an org code: the rule says so. */
static void test_index_number_without_org_code(void **state)
{
    (void)state;
    fixture f = {0};
    diag_list_init(&f.diags);
    arena_init(&f.mem);
    f.cfg.root = "tests/fixtures/naming/site";
    f.cfg.theme = "none";
    assert_int_equal(naming_open(&f.n, &f.cfg, &f.diags), 0);
    naming_item it = {"czj", 2025, 1, NULL, NULL, NULL, 0};
    const char *out = NULL;
    assert_int_equal(naming_index_number(f.n, &f.mem, &it, &out), -1);
    assert_int_equal(f.diags.len, 1);
    assert_string_equal(f.diags.items[0].path, "./templates/naming.lua");
    if (!strstr(f.diags.items[0].message, "org_code"))
        fail_msg("message \"%s\" lacks org_code", f.diags.items[0].message);
    naming_close(f.n);
    diag_list_free(&f.diags);
    arena_free(&f.mem);
}

/* A naming.lua from tests/fixtures/naming/<name>/templates alone. */
static int open_fixture(fixture *f, const char *name)
{
    memset(f, 0, sizeof *f);
    diag_list_init(&f->diags);
    arena_init(&f->mem);
    static char root[128];
    snprintf(root, sizeof root, "tests/fixtures/naming/%s", name);
    f->cfg.root = root;
    f->cfg.theme = "none";
    f->cfg.region = "示例县";
    return naming_open(&f->n, &f->cfg, &f->diags);
}

static void close_fixture(fixture *f)
{
    naming_close(f->n);
    diag_list_free(&f->diags);
    arena_free(&f->mem);
}

static void test_syntax_error(void **state)
{
    (void)state;
    fixture f;
    assert_int_equal(open_fixture(&f, "syntax"), -1);
    assert_null(f.n);
    assert_int_equal(f.diags.len, 1);
    assert_diag(&f.diags.items[0], 3, "naming.lua 有错误");
    close_fixture(&f);
}

static void test_not_a_table(void **state)
{
    (void)state;
    fixture f;
    assert_int_equal(open_fixture(&f, "notable"), -1);
    assert_diag(&f.diags.items[0], 0, "返回了 string");
    close_fixture(&f);
}

static void test_missing_functions(void **state)
{
    (void)state;
    fixture f;
    assert_int_equal(open_fixture(&f, "missing"), -1);
    assert_int_equal(f.diags.len, 1);
    assert_diag(&f.diags.items[0], 0, "缺少函数：doc_number_parts、period_label");
    close_fixture(&f);
}

static void test_not_found(void **state)
{
    (void)state;
    fixture f;
    setenv("GONGKAI_DATADIR", "/nonexistent", 1); /* no installed default either */
    int rc = open_fixture(&f, "nowhere");
    setenv("GONGKAI_DATADIR", ".", 1);
    assert_int_equal(rc, -1);
    assert_null(f.n);
    assert_diag(&f.diags.items[0], 0, "找不到命名规则");
    close_fixture(&f);
}

/* Every wrong answer is an error against naming.lua, never a crash, and a
 * rule that failed is reported once however often it is called. */
static void test_wrong_answers(void **state)
{
    (void)state;
    fixture f;
    assert_int_equal(open_fixture(&f, "broken"), 0);
    const char *out = "unchanged";
    naming_item it = {"czj", 2025, 1, NULL, "a", "czj/2025/a.md", 0};
    assert_int_equal(naming_index_number(f.n, &f.mem, &it, &out), -1);
    assert_diag(&f.diags.items[0], 4, "应返回字符串，却返回了 number");
    assert_int_equal(naming_item_url(f.n, &f.mem, &it, &out), -1);
    assert_diag(&f.diags.items[1], 10, "content/czj/2025/a.md");
    assert_int_equal(naming_department_url(f.n, &f.mem, "czj", &out), -1);
    assert_diag(&f.diags.items[2], 13, "不能有 . 或 .. 路径段");
    assert_int_equal(naming_category_url(f.n, &f.mem, "gfxwj", &out), -1);
    assert_diag(&f.diags.items[3], 18, "没有这个分类：gfxwj");
    assert_int_equal(naming_department_category_url(f.n, &f.mem, "czj", "gfxwj", &out), -1);
    assert_diag(&f.diags.items[4], 21, "//");
    department d = {.id = "czj", .name = "财政局"};
    assert_int_equal(naming_subsite_name(f.n, &f.mem, &d, &out), -1);
    assert_diag(&f.diags.items[5], 25, "控制字符");
    board b = {.id = "b", .department = "czj"};
    assert_int_equal(naming_board_title(f.n, &f.mem, &b, &out), -1);
    assert_diag(&f.diags.items[6], 29, "空字符串");
    assert_int_equal(naming_doc_number(f.n, &f.mem, "示财发〔2025〕1号", &out), -1);
    assert_diag(&f.diags.items[7], 33, "UTF-8");
    naming_doc_parts p;
    assert_int_equal(naming_doc_number_parts(f.n, &f.mem, "示财发〔2025〕1号", &p), -1);
    assert_diag(&f.diags.items[8], 37, "year 应为年份");
    assert_int_equal(naming_period_label(f.n, &f.mem, CATEGORY_PERIODIC_YEAR, 2025, 0, &out), -1);
    assert_diag(&f.diags.items[9], 41, "返回了 nil");
    assert_string_equal(out, "unchanged");
    assert_int_equal(f.diags.len, 10);

    /* Reported once: the second call fails without another diagnostic. */
    assert_int_equal(naming_item_url(f.n, &f.mem, &it, &out), -1);
    assert_int_equal(naming_index_number(f.n, &f.mem, &it, &out), -1);
    assert_int_equal(f.diags.len, 10);
    close_fixture(&f);
}

static void test_bad_period_is_reported(void **state)
{
    fixture *f = *state;
    size_t before = f->diags.len;
    const char *out = NULL;
    assert_int_equal(naming_period_label(f->n, &f->mem, CATEGORY_PERIODIC_QUARTER, 2026, 5, &out),
                     -1);
    assert_int_equal(f->diags.len, before + 1);
    assert_string_equal(f->diags.items[before].code, "GK302");
    if (!strstr(f->diags.items[before].message, "季度应为 1 到 4"))
        fail_msg("message \"%s\"", f->diags.items[before].message);
}

int main(void)
{
    /* The repository's own templates/naming.lua is the installed default. */
    setenv("GONGKAI_DATADIR", ".", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_source, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_doc_number_brackets, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_doc_number_parts, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_period_labels, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_subsite_names, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_board_titles, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_urls, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_index_numbers, setup_defaults, teardown),
        cmocka_unit_test_setup_teardown(test_bad_period_is_reported, setup_defaults, teardown),
        cmocka_unit_test(test_index_number_without_org_code),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_not_a_table),
        cmocka_unit_test(test_missing_functions),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_wrong_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
