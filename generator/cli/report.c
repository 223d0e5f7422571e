/* gongkai report: the 政府信息公开工作年度报告 statistics of one year as CSV
 * (the same figures are on the site at /xxgk/nb/<year>/). */
#include "cli.h"

#include "../report/report.h"
#include "../util/atomic.h"
#include "../util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct report_options {
    const char *site;
    const char *out;
    int year;
} report_options;

static int report_option(int opt, const char *arg, void *ctx)
{
    report_options *o = ctx;
    if (opt == 's') {
        o->site = arg;
    } else if (opt == 'o') {
        o->out = arg;
    } else if (opt == 'y') {
        char *end;
        long y = strtol(arg, &end, 10);
        if (*end || end - arg != 4 || y < 1949)
            return cli_usage_error("--year %s 应是四位数的年份，例如 --year 2026", arg);
        o->year = (int)y;
    }
    return 0;
}

static void report_summary(const report *r, const char *path)
{
    fprintf(stderr,
            "gongkai: 已生成 %s：%d 年主动公开 %zu 条，撤下 %zu 条；规范性文件新制发 %zu、"
            "修订 %zu、废止 %zu、失效 %zu 件；",
            path, r->year, r->published, r->withdrawn, r->normative_new, r->normative_amended,
            r->normative_repealed, r->normative_expired);
    int permille = report_on_time_permille(r);
    if (permille >= 0)
        fprintf(stderr, "%d 个工作日内公开率 %d.%d%%（超时 %zu 条）。\n", REPORT_DUE_WORKDAYS,
                permille / 10, permille % 10, r->late);
    else
        fprintf(stderr, "没有可计算时效的信息。\n");
    if (r->published)
        fprintf(stderr, "gongkai: 网页版在网站的 /xxgk/nb/%d/（gongkai build 生成）。\n", r->year);
}

int cli_report(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"year", required_argument, NULL, 'y'},
        {NULL, 0, NULL, 0},
    };
    report_options o = {".", NULL, 0};
    int first;
    int rc = cli_options_parse(argc, argv, "s:o:", longs, report_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("report 不接受参数 %s", argv[first]);
    if (!o.year)
        return cli_usage_error("请用 --year 指定年度，例如 --year %s", "2026");
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    buf path = BUF_INIT, csv = BUF_INIT, err = BUF_INIT;
    if (o.out)
        buf_puts(&path, o.out);
    else
        buf_printf(&path, "%s/report-%d.csv", o.site, o.year);
    if (cli_model_load(&m, o.site, 0, &diags) != 0) {
        rc = EXIT_CONTENT;
    } else {
        report r;
        report_compute(&r, &m.cfg, &m.cat, o.year);
        if (!r.published && !r.withdrawn)
            diag_add(&diags, DIAG_WARNING, "GK808", "", 0, 0,
                     "%d 年没有主动公开的信息，统计数字全为 0：请检查 --year 是否写对", o.year);
        report_csv(&r, &csv);
        if (atomic_write(path.ptr, csv.ptr, csv.len, &err) != 0) {
            diag_add(&diags, DIAG_ERROR, "GK801", "", 0, 0, "%s", err.ptr);
            rc = EXIT_INTERNAL;
        } else {
            report_summary(&r, path.ptr);
        }
        report_free(&r);
    }
    cli_diags_report(&diags, false);
    if (rc)
        fprintf(stderr, "gongkai: 有 %zu 个错误，没有生成年度报告统计表。\n",
                diag_list_count(&diags, DIAG_ERROR));
    buf_free(&path);
    buf_free(&csv);
    buf_free(&err);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
