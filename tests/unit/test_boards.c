/* Which items go on which notice board and period: boards given or by
 * department, period items against the date, finer and coarser periods,
 * items that never print, the order on the sheet, the latest period. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"

#include <string.h>

static const category CATEGORY = {"xzzw",
                                  "乡镇政务",
                                  NULL,
                                  -1,
                                  0,
                                  false,
                                  false,
                                  CATEGORY_PERIODIC_QUARTER,
                                  CATEGORY_SCOPE_TOWNSHIP};
static const board QUARTERLY = {"baima-zw",           "baima", NULL, "A3", "0000-6301234",
                                BOARD_PERIOD_QUARTER, true,    1};
static const board MONTHLY = {"dongfeng-cw",  "dongfeng",         NULL, "A4",
                              "0000-6305678", BOARD_PERIOD_MONTH, true, 2};

#define MAX_ITEMS 16

typedef struct fixture {
    content_item items[MAX_ITEMS];
    content_str boards[MAX_ITEMS];
    catalogue_item cis[MAX_ITEMS];
    catalogue cat;
    arena mem;
} fixture;

static fixture F;

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof F);
    F.cat.items = F.cis;
    arena_init(&F.mem);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&F.mem);
    return 0;
}

/* A published item dated `day` ("2025-09-30"), on board `board_id`, with a
 * period ("2025-Q3", "2025-10") or none. */
static content_item *add(const char *path, const char *day, const char *board_id,
                         const char *period)
{
    size_t i = F.cat.item_count++;
    content_item *it = &F.items[i];
    it->path = path;
    it->ok = true;
    it->date.set = true;
    assert_int_equal(date_parse(day, strlen(day), &it->date.day), 0);
    F.boards[i] = (content_str){board_id, 0, 0};
    it->boards = (content_list){&F.boards[i], 1};
    if (period)
        assert_true(content_period_parse(period, &it->period));
    F.cis[i] = (catalogue_item){it,
                                &CATEGORY,
                                "11339901MB0001783E/2025-00001",
                                "0000000000000001",
                                "/baima/2025/x/",
                                NULL,
                                0,
                                NULL,
                                false,
                                {NULL, 0, 0}};
    return it;
}

static content_period period(const char *s)
{
    content_period p;
    assert_true(content_period_parse(s, &p));
    return p;
}

static size_t select_on(const board *b, const char *p, const catalogue_item ***out)
{
    size_t n;
    *out = catalogue_board_items(&F.cat, b, period(p), &F.mem, &n);
    return n;
}

static void test_period_arithmetic(void **state)
{
    (void)state;
    content_period q = catalogue_period_of((date){2026, 11, 21}, CONTENT_PERIOD_QUARTER);
    assert_int_equal(q.kind, CONTENT_PERIOD_QUARTER);
    assert_int_equal(q.year, 2026);
    assert_int_equal(q.n, 4);
    content_period m = catalogue_period_of((date){2024, 2, 29}, CONTENT_PERIOD_MONTH);
    assert_int_equal(m.n, 2);
    assert_int_equal(catalogue_period_last_day(m).day, 29);
    date first = catalogue_period_first_day(period("2026-Q3"));
    date last = catalogue_period_last_day(period("2026-Q3"));
    assert_int_equal(date_cmp(first, (date){2026, 7, 1}), 0);
    assert_int_equal(date_cmp(last, (date){2026, 9, 30}), 0);
    content_period next = catalogue_period_next(period("2025-Q4"));
    assert_int_equal(next.year, 2026);
    assert_int_equal(next.n, 1);
    next = catalogue_period_next(period("2025-12"));
    assert_int_equal(next.year, 2026);
    assert_int_equal(next.kind, CONTENT_PERIOD_MONTH);
    assert_int_equal(next.n, 1);
    assert_true(catalogue_period_cmp(period("2025-Q3"), period("2025-Q4")) < 0);
    assert_true(catalogue_period_cmp(period("2026-01"), period("2025-Q4")) > 0);
    assert_int_equal(catalogue_period_cmp(period("2025-10"), period("2025-10")), 0);
    char s[16];
    catalogue_period_format(period("2025-Q3"), s);
    assert_string_equal(s, "2025-Q3");
    catalogue_period_format(period("2025-09"), s);
    assert_string_equal(s, "2025-09");
    assert_int_equal(catalogue_board_period_kind(&QUARTERLY), CONTENT_PERIOD_QUARTER);
    assert_int_equal(catalogue_board_period_kind(&MONTHLY), CONTENT_PERIOD_MONTH);
    assert_int_equal(catalogue_period_periodic(CONTENT_PERIOD_MONTH), CATEGORY_PERIODIC_MONTH);
}

static void test_period_wins_over_date(void **state)
{
    (void)state;
    /* Q2's report goes up in July: it belongs to Q2 all the same. */
    add("content/baima/2025/zw-2025q2.md", "2025-07-03", "baima-zw", "2025-Q2");
    add("content/baima/2025/butie.md", "2025-05-20", "baima-zw", NULL);
    add("content/baima/2025/zw-2025q3.md", "2025-09-30", "baima-zw", "2025-Q3");
    const catalogue_item **got;
    assert_int_equal(select_on(&QUARTERLY, "2025-Q2", &got), 2);
    /* Oldest first: the subsidy list of May, then the report of July. */
    assert_string_equal(got[0]->item->path, "content/baima/2025/butie.md");
    assert_string_equal(got[1]->item->path, "content/baima/2025/zw-2025q2.md");
    assert_int_equal(select_on(&QUARTERLY, "2025-Q3", &got), 1);
    assert_string_equal(got[0]->item->path, "content/baima/2025/zw-2025q3.md");
}

static void test_only_its_own_boards(void **state)
{
    (void)state;
    add("content/baima/2025/a.md", "2025-08-01", "baima-zw", NULL);
    add("content/dongfeng/2025/b.md", "2025-08-02", "dongfeng-cw", NULL);
    const catalogue_item **got;
    assert_int_equal(select_on(&QUARTERLY, "2025-Q3", &got), 1);
    assert_string_equal(got[0]->item->path, "content/baima/2025/a.md");
    assert_true(catalogue_item_on_board(&F.cis[1], &MONTHLY));
    assert_false(catalogue_item_on_board(&F.cis[1], &QUARTERLY));
}

static void test_never_printed(void **state)
{
    (void)state;
    add("content/baima/2025/ok.md", "2025-08-01", "baima-zw", NULL);
    add("content/baima/2025/draft.md", "2025-08-01", "baima-zw", NULL)->draft = true;
    add("content/baima/2025/request.md", "2025-08-01", "baima-zw", NULL)->disclosure =
        CONTENT_DISCLOSURE_ON_REQUEST;
    add("content/baima/2025/withheld.md", "2025-08-01", "baima-zw", NULL)->disclosure =
        CONTENT_DISCLOSURE_WITHHELD;
    add("content/baima/2025/secret.md", "2025-08-01", "baima-zw", NULL)->secrecy =
        (content_str){"秘密", 3, 10};
    add("content/baima/2025/broken.md", "2025-08-01", "baima-zw", NULL)->ok = false;
    add("content/baima/2025/unnumbered.md", "2025-08-01", "baima-zw", NULL);
    F.cis[F.cat.item_count - 1].index_no = NULL;
    const catalogue_item **got;
    assert_int_equal(select_on(&QUARTERLY, "2025-Q3", &got), 1);
    assert_string_equal(got[0]->item->path, "content/baima/2025/ok.md");
    for (size_t i = 1; i < F.cat.item_count; i++)
        assert_false(catalogue_item_printable(&F.cis[i]));
}

static void test_finer_and_coarser_periods(void **state)
{
    (void)state;
    /* October's village accounts, posted in November. */
    add("content/dongfeng/2025/caiwu-10.md", "2025-11-05", "dongfeng-cw", "2025-10");
    /* A quarterly report on a monthly board goes up in the month it was
     * posted. */
    add("content/dongfeng/2025/q3.md", "2025-10-09", "dongfeng-cw", "2025-Q3");
    const catalogue_item **got;
    assert_int_equal(select_on(&MONTHLY, "2025-10", &got), 2);
    assert_string_equal(got[0]->item->path, "content/dongfeng/2025/q3.md");
    assert_int_equal(select_on(&MONTHLY, "2025-11", &got), 0);
    assert_int_equal(select_on(&MONTHLY, "2025-09", &got), 0);
    /* The whole quarter of a monthly board: October falls in Q4. */
    assert_int_equal(select_on(&MONTHLY, "2025-Q4", &got), 1);
    assert_string_equal(got[0]->item->path, "content/dongfeng/2025/caiwu-10.md");
    content_period p = catalogue_item_period(&F.cis[0], CONTENT_PERIOD_QUARTER);
    assert_int_equal(p.n, 4);
}

static void test_empty_period(void **state)
{
    (void)state;
    add("content/baima/2025/a.md", "2025-08-01", "baima-zw", NULL);
    const catalogue_item **got;
    assert_int_equal(select_on(&QUARTERLY, "2026-Q3", &got), 0);
    assert_non_null(got);
}

static void test_latest_period(void **state)
{
    (void)state;
    content_period p = {CONTENT_PERIOD_NONE, 0, 0};
    assert_false(catalogue_board_latest_period(&F.cat, &QUARTERLY, &p));
    assert_int_equal(p.kind, CONTENT_PERIOD_NONE);
    add("content/baima/2025/q2.md", "2025-07-03", "baima-zw", "2025-Q2");
    add("content/baima/2025/q3.md", "2025-09-30", "baima-zw", "2025-Q3");
    add("content/baima/2025/q4-draft.md", "2025-11-18", "baima-zw", "2025-Q4")->draft = true;
    add("content/dongfeng/2025/later.md", "2026-01-05", "dongfeng-cw", NULL);
    assert_true(catalogue_board_latest_period(&F.cat, &QUARTERLY, &p));
    assert_int_equal(p.kind, CONTENT_PERIOD_QUARTER);
    assert_int_equal(p.year, 2025);
    assert_int_equal(p.n, 3);
    assert_true(catalogue_board_latest_period(&F.cat, &MONTHLY, &p));
    assert_int_equal(p.kind, CONTENT_PERIOD_MONTH);
    assert_int_equal(p.year, 2026);
    assert_int_equal(p.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_period_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_period_wins_over_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_its_own_boards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_printed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finer_and_coarser_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_period, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
