/* The catalogue by keyword and year: groups, their order, their URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/facets.h"

#include <stdio.h>
#include <string.h>

static void assert_slug(const char *keyword, const char *want)
{
    buf out = BUF_INIT;
    facets_slug(keyword, &out);
    assert_string_equal(buf_cstr(&out), want);
    buf_free(&out);
}

static void test_slugs(void **state)
{
    (void)state;
    assert_slug("预算", "预算");
    assert_slug("三公经费2025", "三公经费2025");
    assert_slug("GB", "GB");
    /* Anything but letters and digits: the hex of the bytes. */
    assert_slug("a/b", "x-612f62");
    assert_slug("..", "x-2e2e");
    assert_slug("“三公”", "x-e2809ce4b889e585ace2809d");
    assert_slug("a b", "x-612062");
    assert_slug("", "x-");
}

static void test_groups(void **state)
{
    (void)state;
    content_str kw0[] = {{"预算", 0, 0}, {"三公经费", 0, 0}};
    content_str kw1[] = {{"预算", 0, 0}, {"预算", 0, 0}, {"", 0, 0}};
    content_str kw2[] = {{"三公经费", 0, 0}, {"决算", 0, 0}};
    content_item items[3];
    memset(items, 0, sizeof items);
    items[0].keywords = (content_list){kw0, 2};
    items[0].date.day = (date){2025, 3, 1};
    items[1].keywords = (content_list){kw1, 3};
    items[1].date.day = (date){2024, 12, 31};
    items[2].keywords = (content_list){kw2, 2};
    items[2].date.day = (date){2024, 1, 2};
    catalogue_item ci[3] = {{.item = &items[0]}, {.item = &items[1]}, {.item = &items[2]}};
    catalogue cat = {.items = ci, .item_count = 3};
    /* Newest first, as the site orders them. */
    size_t published[] = {0, 1, 2};
    facet_set f;
    facets_build(&f, &cat, published, 3);

    assert_int_equal(f.keyword_count, 3);
    /* Most items first; ties by label (byte order: 三 before 决). */
    assert_string_equal(f.keywords[0].label, "三公经费");
    assert_int_equal(f.keywords[0].count, 2);
    assert_int_equal(f.keywords[0].items[0], 0);
    assert_int_equal(f.keywords[0].items[1], 2);
    assert_string_equal(f.keywords[1].label, "预算");
    assert_int_equal(f.keywords[1].count, 2); /* item 1 lists it twice: counted once */
    assert_string_equal(f.keywords[1].url, "/xxgk/ztc/预算/");
    assert_string_equal(f.keywords[2].label, "决算");
    assert_int_equal(f.keywords[2].count, 1);

    assert_int_equal(f.year_count, 2);
    assert_string_equal(f.years[0].label, "2025");
    assert_string_equal(f.years[0].url, "/xxgk/nd/2025/");
    assert_int_equal(f.years[0].count, 1);
    assert_string_equal(f.years[1].label, "2024");
    assert_int_equal(f.years[1].count, 2);
    assert_int_equal(f.years[1].items[0], 1);
    assert_int_equal(f.years[1].items[1], 2);
    facets_free(&f);

    facets_build(&f, &cat, published, 0);
    assert_int_equal(f.keyword_count, 0);
    assert_int_equal(f.year_count, 0);
    facets_free(&f);
}

/* Many keywords, blank ones among them: every item lands in its keyword's
 * group, in the order given, and blanks in none. */
static void test_many_groups(void **state)
{
    (void)state;
    enum { ITEMS = 300, KEYWORDS = 100 };
    static char names[KEYWORDS][16];
    static content_str kw[ITEMS][2];
    static content_item items[ITEMS];
    static catalogue_item ci[ITEMS];
    static size_t published[ITEMS];
    for (int k = 0; k < KEYWORDS; k++)
        snprintf(names[k], sizeof names[k], "k%03d", k);
    for (int i = 0; i < ITEMS; i++) {
        kw[i][0] = (content_str){names[i % KEYWORDS], 0, 0};
        kw[i][1] = (content_str){"", 0, 0};
        items[i].keywords = (content_list){kw[i], 2};
        items[i].date.day = (date){2025, 1, 1};
        ci[i].item = &items[i];
        published[i] = (size_t)(ITEMS - 1 - i);
    }
    catalogue cat = {.items = ci, .item_count = ITEMS};
    facet_set f;
    facets_build(&f, &cat, published, ITEMS);
    assert_int_equal(f.keyword_count, KEYWORDS);
    for (int g = 0; g < KEYWORDS; g++) {
        /* Equal counts: by label. */
        assert_string_equal(f.keywords[g].label, names[g]);
        assert_int_equal(f.keywords[g].count, ITEMS / KEYWORDS);
        for (size_t n = 0; n < f.keywords[g].count; n++)
            assert_int_equal(f.keywords[g].items[n] % KEYWORDS, (size_t)g);
        for (size_t n = 1; n < f.keywords[g].count; n++)
            assert_true(f.keywords[g].items[n] < f.keywords[g].items[n - 1]);
    }
    facets_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slugs),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_many_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
