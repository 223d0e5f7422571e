/* catalogue.lua: loading the category tree in the sandbox, and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"

#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    site_config cfg;
    catalogue cat;
    diag_list diags;
    int rc;
} fixture;

static void load(fixture *f, const char *site, const char *theme)
{
    memset(&f->cfg, 0, sizeof f->cfg);
    f->cfg.root = site;
    f->cfg.theme = theme;
    diag_list_init(&f->diags);
    f->rc = catalogue_load(&f->cat, &f->cfg, &f->diags);
}

static void release(fixture *f)
{
    catalogue_free(&f->cat);
    diag_list_free(&f->diags);
}

static void test_tree(void **state)
{
    (void)state;
    fixture f;
    load(&f, "tests/fixtures/catalogue/good", "default");
    assert_int_equal(f.rc, 0);
    assert_int_equal(f.diags.len, 0);
    assert_string_equal(f.cat.source, "templates/catalogue.lua");
    assert_int_equal(f.cat.count, 6);
    const category *c = catalogue_category_find(&f.cat, "规范性文件");
    assert_non_null(c);
    assert_string_equal(c->key, "gfxwj");
    assert_true(c->validity);
    assert_ptr_equal(catalogue_category_find(&f.cat, "gfxwj"), c);
    const category *sgjf = catalogue_category_find(&f.cat, "sgjf");
    assert_non_null(sgjf);
    assert_int_equal(sgjf->depth, 1);
    assert_string_equal(f.cat.categories[sgjf->parent].key, "czyjs");
    const category *xzzw = catalogue_category_find(&f.cat, "乡镇政务");
    assert_int_equal(xzzw->periodic, CATEGORY_PERIODIC_QUARTER);
    assert_int_equal(xzzw->scope, CATEGORY_SCOPE_TOWNSHIP);
    assert_true(catalogue_category_find(&f.cat, "jgzn")->fixed);
    assert_null(catalogue_category_find(&f.cat, "规范文件"));
    release(&f);
}

static void test_theme_supplies_catalogue(void **state)
{
    (void)state;
    fixture f;
    load(&f, "tests/fixtures/catalogue/theme", "plain");
    assert_int_equal(f.rc, 0);
    assert_string_equal(f.cat.source, "themes/plain/templates/catalogue.lua");
    assert_non_null(catalogue_category_find(&f.cat, "主题分类"));
    release(&f);
}

static void assert_error(const char *site, const char *fragment)
{
    fixture f;
    load(&f, site, "default");
    assert_int_equal(f.rc, -1);
    assert_true(f.diags.len >= 1);
    assert_string_equal(f.diags.items[0].code, "GK301");
    assert_int_equal(f.diags.items[0].severity, DIAG_ERROR);
    if (!strstr(f.diags.items[0].message, fragment))
        fail_msg("message \"%s\" lacks \"%s\"", f.diags.items[0].message, fragment);
    release(&f);
}

static void test_duplicate_name(void **state)
{
    (void)state;
    assert_error("tests/fixtures/catalogue/duplicate", "重复");
}

static void test_syntax_error_names_file_and_line(void **state)
{
    (void)state;
    assert_error("tests/fixtures/catalogue/syntax", "templates/catalogue.lua:3:");
}

static void test_runaway_loop_is_stopped(void **state)
{
    (void)state;
    assert_error("tests/fixtures/catalogue/loop", "指令上限");
}

static void test_no_file_access(void **state)
{
    (void)state;
    /* io is not in the sandbox: indexing it fails. */
    assert_error("tests/fixtures/catalogue/escape", "io");
}

static void test_missing_catalogue(void **state)
{
    (void)state;
    assert_error("tests/fixtures/catalogue/nowhere", "找不到");
}

int main(void)
{
    /* The installed defaults must not stand in for the fixtures' own files. */
    setenv("GONGKAI_DATADIR", "/nonexistent", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_theme_supplies_catalogue),
        cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_syntax_error_names_file_and_line),
        cmocka_unit_test(test_runaway_loop_is_stopped),
        cmocka_unit_test(test_no_file_access),
        cmocka_unit_test(test_missing_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
