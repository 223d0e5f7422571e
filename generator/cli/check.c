/* gongkai check: every rule on every item, all problems in one run. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct check_cli_options {
    const char *site;
    bool json;
    bool drafts;
    date today;
    size_t jobs; /* 0: one per core */
} check_cli_options;

static int check_option(int opt, const char *arg, void *ctx)
{
    check_cli_options *o = ctx;
    if (opt == 's') {
        o->site = arg;
    } else if (opt == 'f') {
        if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0)
            return cli_usage_error("--format 只能是 text 或 json，而不是 %s", arg);
        o->json = strcmp(arg, "json") == 0;
    } else if (opt == 'd') {
        o->drafts = true;
    } else if (opt == 't') {
        if (date_parse(arg, strlen(arg), &o->today) != 0)
            return cli_usage_error("--today 应为 YYYY-MM-DD 格式的真实日期，而不是 %s", arg);
    } else if (opt == 'j') {
        return cli_jobs_parse(arg, &o->jobs);
    }
    return 0;
}

int cli_check(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'}, {"format", required_argument, NULL, 'f'},
        {"drafts", no_argument, NULL, 'd'},     {"today", required_argument, NULL, 't'},
        {"jobs", required_argument, NULL, 'j'}, {NULL, 0, NULL, 0},
    };
    check_cli_options o = {".", false, false, date_today(), 0};
    int first;
    int rc = cli_options_parse(argc, argv, "s:j:", longs, check_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("check 不接受参数 %s", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    cli_model_load(&m, o.site, o.jobs, &diags);
    check_options copt = {o.today, false, o.drafts, NULL};
    cli_model_check(&m, &copt, &diags);
    size_t errors = diag_list_count(&diags, DIAG_ERROR);
    size_t warnings = diag_list_count(&diags, DIAG_WARNING);
    cli_diags_report(&diags, o.json);
    if (!o.json)
        fprintf(stderr, "检查了 %zu 条信息：%zu 个错误，%zu 个警告\n", m.content.len, errors,
                warnings);
    cli_model_free(&m);
    diag_list_free(&diags);
    return errors ? EXIT_CONTENT : 0;
}
