/* site.toml: defaults, validation, and each diagnostic at its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/config/config.h"

#include <string.h>

typedef struct fixture {
    site_config cfg;
    diag_list diags;
    int rc;
} fixture;

static void parse(fixture *f, const char *text)
{
    diag_list_init(&f->diags);
    f->rc = config_parse(&f->cfg, "/site", "site.toml", text, strlen(text), &f->diags);
}

static void release(fixture *f)
{
    config_free(&f->cfg);
    diag_list_free(&f->diags);
}

/* The one diagnostic with this code, checked for its position. */
static const diag *find_diag(const fixture *f, const char *code)
{
    for (size_t i = 0; i < f->diags.len; i++)
        if (strcmp(f->diags.items[i].code, code) == 0)
            return &f->diags.items[i];
    return NULL;
}

static void assert_diag(const fixture *f, const char *code, diag_severity sev, int line)
{
    const diag *d = find_diag(f, code);
    if (!d) {
        diag_list_print_text(&f->diags, stderr);
        fail_msg("no diagnostic %s", code);
    }
    assert_int_equal(d->severity, sev);
    assert_string_equal(d->path, "site.toml");
    assert_int_equal(d->line, line);
}

static const char *const good_site = "[site]\n"
                                     "name = \"示例县人民政府\"\n"
                                     "region = \"示例县\"\n"
                                     "base_url = \"https://www.shili.gov.cn\"\n"
                                     "[[departments]]\n"
                                     "id = \"czj\"\n"
                                     "name = \"财政局\"\n"
                                     "abbr = \"示财\"\n"
                                     "[[departments]]\n"
                                     "id = \"baima\"\n"
                                     "name = \"白马镇\"\n"
                                     "kind = \"township\"\n"
                                     "[[departments]]\n"
                                     "id = \"dongcun\"\n"
                                     "name = \"东村\"\n"
                                     "kind = \"village\"\n"
                                     "parent = \"baima\"\n"
                                     "[[boards]]\n"
                                     "id = \"baima-zw\"\n"
                                     "department = \"baima\"\n"
                                     "paper = \"A3\"\n"
                                     "review = true\n"
                                     "[calendar]\n"
                                     "holidays = [2025-10-02, \"2025-10-01\"]\n"
                                     "workdays = [2025-09-28]\n";

static void test_good_site_with_defaults(void **state)
{
    (void)state;
    fixture f;
    parse(&f, good_site);
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.diags.len, 0);
    assert_string_equal(f.cfg.name, "示例县人民政府");
    assert_string_equal(f.cfg.base_url, "https://www.shili.gov.cn/");
    assert_string_equal(f.cfg.theme, "default");
    assert_string_equal(f.cfg.publish_branch, "site");
    assert_false(f.cfg.allow_html);
    assert_int_equal(f.cfg.department_count, 3);
    const department *czj = config_department_find(&f.cfg, "czj");
    assert_non_null(czj);
    assert_int_equal(czj->kind, DEPARTMENT_KIND_DEPARTMENT);
    assert_string_equal(czj->full_name, "示例县财政局");
    assert_int_equal(config_department_find(&f.cfg, "dongcun")->kind, DEPARTMENT_KIND_VILLAGE);
    const board *b = config_board_find(&f.cfg, "baima-zw");
    assert_non_null(b);
    assert_string_equal(b->paper, "A3");
    assert_int_equal(b->period, BOARD_PERIOD_QUARTER);
    assert_true(b->review_required);
    assert_int_equal(f.cfg.holiday_count, 2);
    assert_int_equal(f.cfg.holidays[0].day, 1); /* sorted */
    assert_int_equal(f.cfg.workday_count, 1);
    assert_null(config_department_find(&f.cfg, "nope"));
    release(&f);
}

static void test_syntax_error_has_position(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"示例县\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK002", DIAG_ERROR, 2);
    release(&f);
}

static void test_unknown_key_is_a_warning(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"x\"\ntitel = \"y\"\n");
    assert_int_equal(f.rc, 0);
    assert_diag(&f, "GK003", DIAG_WARNING, 3);
    assert_non_null(strstr(find_diag(&f, "GK003")->message, "titel"));
    release(&f);
}

static void test_wrong_type_is_an_error(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = 3\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK004", DIAG_ERROR, 2);
    release(&f);
}

static void test_duplicate_ids(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"x\"\n"
              "[[departments]]\nid = \"czj\"\nname = \"财政局\"\n"
              "[[departments]]\nid = \"czj\"\nname = \"财政局二\"\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK005", DIAG_ERROR, 6);
    assert_int_equal(f.cfg.department_count, 1);
    release(&f);
}

static void test_missing_required(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"x\"\n[[departments]]\nid = \"czj\"\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK006", DIAG_ERROR, 3);
    assert_non_null(strstr(find_diag(&f, "GK006")->message, "name"));
    release(&f);
}

static void test_invalid_values(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"x\"\n"
              "[[departments]]\nid = \"czj\"\nname = \"财政局\"\nkind = \"ministry\"\n"
              "[[boards]]\nid = \"b\"\ndepartment = \"ghost\"\npaper = \"A5\"\n");
    assert_int_equal(f.rc, -1);
    size_t gk007 = 0;
    for (size_t i = 0; i < f.diags.len; i++)
        gk007 += strcmp(f.diags.items[i].code, "GK007") == 0;
    assert_int_equal(gk007, 3); /* kind, unknown department, paper */
    release(&f);
}

static void test_village_needs_township_parent(void **state)
{
    (void)state;
    fixture f;
    parse(&f,
          "[site]\nname = \"x\"\n"
          "[[departments]]\nid = \"czj\"\nname = \"财政局\"\n"
          "[[departments]]\nid = \"v\"\nname = \"东村\"\nkind = \"village\"\nparent = \"czj\"\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK007", DIAG_ERROR, 6);
    release(&f);
}

static void test_bad_calendar_date(void **state)
{
    (void)state;
    fixture f;
    parse(&f, "[site]\nname = \"x\"\n[calendar]\nholidays = [\"2025-02-30\"]\n");
    assert_int_equal(f.rc, -1);
    assert_diag(&f, "GK007", DIAG_ERROR, 4);
    release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_site_with_defaults),
        cmocka_unit_test(test_syntax_error_has_position),
        cmocka_unit_test(test_unknown_key_is_a_warning),
        cmocka_unit_test(test_wrong_type_is_an_error),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_invalid_values),
        cmocka_unit_test(test_village_needs_township_parent),
        cmocka_unit_test(test_bad_calendar_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
