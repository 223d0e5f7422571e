/* gongkai check: every rule on every item, all problems in one run. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct check_options {
    const char *site;
    bool json;
} check_options;

static int check_option(int opt, const char *arg, void *ctx)
{
    check_options *o = ctx;
    if (opt == 's') {
        o->site = arg;
    } else if (opt == 'f') {
        if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0)
            return cli_usage_error("--format 只能是 text 或 json，而不是 %s", arg);
        o->json = strcmp(arg, "json") == 0;
    }
    return 0;
}

int cli_check(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    check_options o = {".", false};
    int first;
    int rc = cli_options_parse(argc, argv, "s:", longs, check_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("check 不接受参数 %s", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    cli_model_load(&m, o.site, &diags);
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
