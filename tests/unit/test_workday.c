/* The working-day calendar: weekends, statutory holidays and make-up days,
 * checked against the 2025 schedule and against a day-by-day count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/workday.h"

#include <stdlib.h>

/* The State Council's 2025 schedule (国办发明电〔2024〕12号), with one
 * duplicate and one make-up day that is also a holiday, as a careless
 * site.toml might have them. */
static const date holidays[] = {
    {2025, 1, 1},  {2025, 1, 28}, {2025, 1, 29}, {2025, 1, 30}, {2025, 1, 31}, {2025, 2, 1},
    {2025, 2, 2},  {2025, 2, 3},  {2025, 2, 4},  {2025, 4, 4},  {2025, 4, 5},  {2025, 4, 6},
    {2025, 5, 1},  {2025, 5, 2},  {2025, 5, 3},  {2025, 5, 4},  {2025, 5, 5},  {2025, 5, 31},
    {2025, 6, 1},  {2025, 6, 2},  {2025, 10, 1}, {2025, 10, 2}, {2025, 10, 3}, {2025, 10, 4},
    {2025, 10, 5}, {2025, 10, 6}, {2025, 10, 7}, {2025, 10, 8}, {2025, 10, 8}, {2025, 12, 20},
};
static const date workdays[] = {
    {2025, 1, 26}, {2025, 2, 8}, {2025, 4, 27}, {2025, 9, 28}, {2025, 10, 11}, {2025, 12, 20},
};

static workday_calendar cal2025(void)
{
    return (workday_calendar){holidays, sizeof holidays / sizeof *holidays, workdays,
                              sizeof workdays / sizeof *workdays};
}

static void test_days(void **state)
{
    (void)state;
    workday_calendar cal = cal2025();
    assert_true(workday_is(&cal, (date){2025, 9, 30}));   /* Tuesday */
    assert_false(workday_is(&cal, (date){2025, 10, 1}));  /* National Day */
    assert_false(workday_is(&cal, (date){2025, 10, 8}));  /* a Wednesday off */
    assert_true(workday_is(&cal, (date){2025, 9, 28}));   /* a Sunday on */
    assert_true(workday_is(&cal, (date){2025, 10, 11}));  /* a Saturday on */
    assert_false(workday_is(&cal, (date){2025, 10, 12})); /* an ordinary Sunday */
    assert_false(workday_is(&cal, (date){2025, 12, 20})); /* listed as both: a holiday */
}

static void test_count(void **state)
{
    (void)state;
    workday_calendar cal = cal2025();
    /* 15 September to 17 October 2025 across National Day: 24 weekdays,
     * minus 6 weekday holidays, plus 2 make-up days. */
    assert_int_equal(workday_count(&cal, (date){2025, 9, 15}, (date){2025, 10, 17}), 20);
    assert_int_equal(workday_count(&cal, (date){2025, 9, 15}, (date){2025, 10, 20}), 21);
    date due = workday_add(&cal, (date){2025, 9, 15}, 20);
    assert_int_equal(date_cmp(due, (date){2025, 10, 17}), 0);
    /* Spring Festival: formed on the eve, 20 working days later. */
    due = workday_add(&cal, (date){2025, 1, 27}, 20);
    assert_int_equal(date_cmp(due, (date){2025, 3, 3}), 0);
    assert_int_equal(workday_count(&cal, (date){2025, 10, 17}, (date){2025, 9, 15}), 0);
    assert_int_equal(workday_count(&cal, (date){2025, 9, 15}, (date){2025, 9, 15}), 0);

    workday_calendar none = {NULL, 0, NULL, 0};
    assert_int_equal(workday_count(&none, (date){2025, 9, 15}, (date){2025, 10, 17}), 24);
    /* Long spans, before the epoch too, against walking the weekdays. */
    srand(1900);
    for (int k = 0; k < 200; k++) {
        long from = date_to_days((date){1890, 1, 1}) + rand() % 70000;
        long to = from + rand() % 3000, walked = 0;
        for (long d = from + 1; d <= to; d++)
            walked += date_weekday(date_from_days(d)) < 6;
        assert_int_equal(workday_count(&none, date_from_days(from), date_from_days(to)), walked);
    }
}

/* workday_count and workday_add agree with walking day by day, over random
 * spans around the schedule. */
static void test_against_walking(void **state)
{
    (void)state;
    workday_calendar cal = cal2025();
    srand(20250101);
    long start = date_to_days((date){2024, 11, 1});
    for (int k = 0; k < 2000; k++) {
        long a = start + rand() % 500, b = a + rand() % 120;
        long walked = 0;
        for (long d = a + 1; d <= b; d++)
            walked += workday_is(&cal, date_from_days(d));
        assert_int_equal(workday_count(&cal, date_from_days(a), date_from_days(b)), walked);
        long n = 1 + rand() % 60;
        date due = workday_add(&cal, date_from_days(a), n);
        assert_true(workday_is(&cal, due));
        assert_int_equal(workday_count(&cal, date_from_days(a), due), n);
    }
}

static void test_years_known(void **state)
{
    (void)state;
    workday_calendar cal = cal2025();
    assert_true(workday_year_known(&cal, 2025));
    assert_false(workday_year_known(&cal, 2024));
    assert_false(workday_year_known(&cal, 2026));
    workday_calendar only_workdays = {NULL, 0, workdays, 1};
    assert_true(workday_year_known(&only_workdays, 2025));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_against_walking),
        cmocka_unit_test(test_years_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
