/* The annual report's figures on tests/fixtures/report/site, whose counts
 * are known item by item (see its site.toml): published per category and
 * publisher, 规范性文件 made, amended, repealed, expired and in force,
 * withdrawn, timeliness across the National Day holidays, township
 * coverage; the working-day count; the CSV's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/cli/cli.h"
#include "../../generator/report/report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cli_model M;
static diag_list D;

static int model_setup(void **state)
{
    (void)state;
    diag_list_init(&D);
    if (cli_model_load(&M, "tests/fixtures/report/site", 0, &D) != 0) {
        diag_list_print_text(&D, stderr);
        return -1;
    }
    return 0;
}

static int model_teardown(void **state)
{
    (void)state;
    cli_model_free(&M);
    diag_list_free(&D);
    return 0;
}

static size_t count_of(const report_count *rows, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].key, key) == 0)
            return rows[i].count;
    return 0;
}

static void test_published(void **state)
{
    (void)state;
    report r;
    report_compute(&r, &M.cfg, &M.cat, 2025);
    /* 依申请公开, drafts and items dated in other years are left out. */
    assert_int_equal(r.published, 13);
    assert_int_equal(r.category_count, 5);
    assert_int_equal(count_of(r.categories, r.category_count, "gfxwj"), 4);
    assert_int_equal(count_of(r.categories, r.category_count, "czyjs-ys"), 1);
    assert_int_equal(count_of(r.categories, r.category_count, "gzdt"), 4);
    assert_int_equal(count_of(r.categories, r.category_count, "xzzw"), 3);
    assert_int_equal(count_of(r.categories, r.category_count, "hnbt"), 1);
    assert_int_equal(r.publisher_count, 4);
    assert_int_equal(count_of(r.publishers, r.publisher_count, "czj"), 5);
    assert_int_equal(count_of(r.publishers, r.publisher_count, "mzj"), 4);
    assert_int_equal(count_of(r.publishers, r.publisher_count, "baima"), 3);
    assert_int_equal(count_of(r.publishers, r.publisher_count, "qingshi"), 1);
    assert_int_equal(count_of(r.publishers, r.publisher_count, "hetang"), 0);
    assert_int_equal(r.withdrawn, 1);
    report_free(&r);
}

static void test_normative(void **state)
{
    (void)state;
    report r;
    report_compute(&r, &M.cfg, &M.cat, 2025);
    /* new.md and no-effective.md (its date stands in); amend.md names the
     * document it amends; next-year.md starts in 2026. */
    assert_int_equal(r.normative_new, 2);
    assert_int_equal(r.normative_amended, 1);
    assert_int_equal(r.normative_repealed, 1);
    assert_int_equal(r.normative_expired, 1);
    /* new, amend, no-effective and the 2024 one still valid. */
    assert_int_equal(r.normative_in_force, 4);
    report_free(&r);

    /* A year on: the repealed one was made in 2024, whatever it is now. */
    report_compute(&r, &M.cfg, &M.cat, 2024);
    assert_int_equal(r.published, 3);
    assert_int_equal(r.normative_new, 2);
    assert_int_equal(r.normative_repealed, 0);
    assert_int_equal(r.normative_in_force, 3);
    assert_int_equal(r.withdrawn, 1);
    report_free(&r);
}

static void test_timeliness(void **state)
{
    (void)state;
    report r;
    report_compute(&r, &M.cfg, &M.cat, 2025);
    assert_int_equal(r.on_time, 10);
    assert_int_equal(r.late, 2);
    assert_int_equal(r.unmeasured, 1);
    assert_int_equal(report_on_time_permille(&r), 833);
    assert_string_equal(r.late_items[0].item->item->path, "content/czj/2025/late.md");
    assert_int_equal(r.late_items[0].workdays, 28);
    assert_string_equal(r.late_items[1].item->item->path, "content/czj/2025/boundary-late.md");
    assert_int_equal(r.late_items[1].workdays, 21);
    report_free(&r);
}

static void test_workdays(void **state)
{
    (void)state;
    workday_calendar cal = config_calendar(&M.cfg);
    const workday_calendar *c = &cal;
    /* Friday 19 September: the make-up Sunday 28 September and Saturday 11
     * October count, 1-8 October do not; the 20th working day is 23 October
     * (by weekends alone it would be 17 October). */
    assert_int_equal(workday_count(c, (date){2025, 9, 19}, (date){2025, 10, 23}), 20);
    assert_int_equal(workday_count(c, (date){2025, 9, 19}, (date){2025, 10, 17}), 16);
    assert_int_equal(workday_count(c, (date){2025, 9, 30}, (date){2025, 10, 8}), 0);
    assert_int_equal(workday_count(c, (date){2025, 10, 10}, (date){2025, 10, 11}), 1);
    assert_int_equal(workday_count(c, (date){2025, 3, 3}, (date){2025, 3, 3}), 0);
    assert_int_equal(workday_count(c, (date){2025, 3, 5}, (date){2025, 3, 3}), 0);
    /* A year the calendar does not list: weekends only. */
    assert_int_equal(workday_count(c, (date){2030, 1, 4}, (date){2030, 1, 11}), 5);
}

static void test_coverage(void **state)
{
    (void)state;
    report r;
    report_compute(&r, &M.cfg, &M.cat, 2025);
    assert_int_equal(r.township_count, 3);
    /* baima: Q4's item went out in January 2026 but belongs to 2025-Q4. */
    static const size_t baima[4] = {1, 1, 0, 1}, qingshi[4] = {0, 0, 1, 0};
    assert_string_equal(r.townships[0].dept->id, "baima");
    assert_string_equal(r.townships[1].dept->id, "qingshi");
    assert_string_equal(r.townships[2].dept->id, "hetang");
    for (int q = 0; q < 4; q++) {
        assert_int_equal(r.townships[0].quarters[q], baima[q]);
        assert_int_equal(r.townships[1].quarters[q], qingshi[q]);
        assert_int_equal(r.townships[2].quarters[q], 0);
    }
    report_free(&r);
}

static void test_years(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    size_t n;
    const int *years = report_years(&M.cat, &mem, &n);
    assert_int_equal(n, 4);
    assert_int_equal(years[0], 2026);
    assert_int_equal(years[1], 2025);
    assert_int_equal(years[2], 2024);
    assert_int_equal(years[3], 2023);
    arena_free(&mem);
}

static void test_csv(void **state)
{
    (void)state;
    report r;
    report_compute(&r, &M.cfg, &M.cat, 2025);
    buf csv = BUF_INIT;
    report_csv(&r, &csv);
    assert_memory_equal(csv.ptr, "\xEF\xBB\xBFsection,key,name,value\r\nyear,year,年度,2025\r\n",
                        strlen("\xEF\xBB\xBFsection,key,name,value\r\nyear,year,年度,2025\r\n"));
    assert_non_null(strstr(csv.ptr, "\r\nnormative,amended,规范性文件：修订,1\r\n"));
    assert_non_null(strstr(csv.ptr, "\r\ntimeliness,on_time_share,按时公开率,83.3%\r\n"));
    assert_non_null(strstr(csv.ptr, "\r\ncoverage,baima/2025-Q4,白马镇,1\r\n"));
    /* A title with a comma and quotes is quoted, its quotes doubled. */
    assert_non_null(strstr(csv.ptr, ",\"关于\"\"加快\"\"支出进度, 的通知\",28\r\n"));
    buf_free(&csv);
    report_free(&r);

    /* No measured item: the share is left empty rather than 0%. */
    report_compute(&r, &M.cfg, &M.cat, 2019);
    assert_int_equal(report_on_time_permille(&r), -1);
    report_csv(&r, &csv);
    assert_non_null(strstr(csv.ptr, "\r\ntimeliness,on_time_share,按时公开率,\r\n"));
    buf_free(&csv);
    report_free(&r);
}

int main(void)
{
    /* The repository's templates/ (catalogue.lua, naming.lua) are the defaults. */
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    setenv("GONGKAI_DATADIR", cwd, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published),  cmocka_unit_test(test_normative),
        cmocka_unit_test(test_timeliness), cmocka_unit_test(test_workdays),
        cmocka_unit_test(test_coverage),   cmocka_unit_test(test_years),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, model_setup, model_teardown);
}
