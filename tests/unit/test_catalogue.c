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

/* Items name their category by key or by name: every key and name of the
 * tree resolves to what catalogue_category_find gives, near misses to none
 * (GK111, at the line and column the category was written). */
static void test_items_resolve(void **state)
{
    (void)state;
    fixture f;
    load(&f, "tests/fixtures/catalogue/good", "default");
    assert_int_equal(f.rc, 0);
    const char *misses[] = {"规范文件", "GFXWJ", "gfxwj ", "", "czyjs/sgjf"};
    size_t n = 2 * f.cat.count + sizeof misses / sizeof misses[0];
    content_set set;
    content_init(&set);
    set.items = calloc(n, sizeof *set.items);
    for (size_t i = 0; i < n; i++) {
        content_item *it = &set.items[set.len++];
        it->path = "content/czj/a.md";
        it->category.s = i < 2 * f.cat.count
                             ? (i % 2 ? f.cat.categories[i / 2].name : f.cat.categories[i / 2].key)
                             : misses[i - 2 * f.cat.count];
        it->category.line = (int)i + 1;
        it->category.col = 3;
    }
    assert_int_equal(catalogue_items_resolve(&f.cat, &set, &f.diags), -1);
    for (size_t i = 0; i < n; i++) {
        const content_item *it = &set.items[i];
        assert_ptr_equal(f.cat.items[i].category,
                         it->category.s[0] ? catalogue_category_find(&f.cat, it->category.s)
                                           : NULL);
        if (i < 2 * f.cat.count)
            assert_ptr_equal(f.cat.items[i].category, &f.cat.categories[i / 2]);
    }
    /* The empty one was the content stage's to report. */
    assert_int_equal(f.diags.len, 4);
    for (size_t i = 0; i < f.diags.len; i++) {
        assert_string_equal(f.diags.items[i].code, "GK111");
        assert_int_equal(f.diags.items[i].col, 3);
    }
    assert_int_equal(f.diags.items[0].line, (int)(2 * f.cat.count + 1));
    content_free(&set);
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
        cmocka_unit_test(test_items_resolve),
        cmocka_unit_test(test_theme_supplies_catalogue),
        cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_syntax_error_names_file_and_line),
        cmocka_unit_test(test_runaway_loop_is_stopped),
        cmocka_unit_test(test_no_file_access),
        cmocka_unit_test(test_missing_catalogue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
