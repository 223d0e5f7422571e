/* gongkai sheets: the notice-board PDFs, one per board and period. */
#include "cli.h"

#include "../sheets/sheets.h"
#include "../util/buf.h"

#include <stdio.h>
#include <string.h>

typedef struct sheets_options {
    const char *site;
    const char *out;
    const char *paper;
    cli_board_selection sel; /* --period latest: each board's latest period with items */
} sheets_options;

static int sheets_option(int opt, const char *arg, void *ctx)
{
    sheets_options *o = ctx;
    if (opt == 's') {
        o->site = arg;
    } else if (opt == 'o') {
        o->out = arg;
    } else if (opt == 'P') {
        if (strcmp(arg, "A4") != 0 && strcmp(arg, "A3") != 0)
            return cli_usage_error("--paper 只能是 A4（竖排）或 A3（横排），而不是 %s", arg);
        o->paper = arg;
    }
    return cli_board_option(opt, arg, "各公开栏有信息的最近一期", &o->sel);
}

/* The period to print for board b: as given, the latest with items, or the
 * one today falls in. */
static content_period sheets_period(const sheets_options *o, const cli_model *m, const board *b)
{
    content_period p = catalogue_period_of(date_today(), catalogue_board_period_kind(b));
    if (o->sel.period_given)
        p = o->sel.period;
    else if (o->sel.latest)
        catalogue_board_latest_period(&m->cat, b, &p);
    return p;
}

static int sheets_board(const sheets_options *o, cli_model *m, const board *b, const char *out,
                        diag_list *diags)
{
    sheets_request req = {b, sheets_period(o, m, b), o->paper, out};
    sheets_result res;
    int r = sheets_write(&m->cfg, &m->cat, m->names, &req, &res, diags);
    if (r == 0)
        fprintf(stderr, "gongkai: 已生成 %s：%zu 条信息，%zu 页\n", res.path.ptr, res.items,
                res.pages);
    buf_free(&res.path);
    return r == 0 ? 0 : r == SHEETS_ERROR_IO ? EXIT_INTERNAL : EXIT_CONTENT;
}

int cli_sheets(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},  {"output", required_argument, NULL, 'o'},
        {"board", required_argument, NULL, 'b'}, {"period", required_argument, NULL, 'p'},
        {"paper", required_argument, NULL, 'P'}, {NULL, 0, NULL, 0},
    };
    sheets_options o = {.site = "."};
    int first;
    int rc = cli_options_parse(argc, argv, "s:o:", longs, sheets_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("sheets 不接受参数 %s", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    buf out = BUF_INIT;
    cli_output_path(&out, o.out, o.site, "sheets");
    if (cli_model_load(&m, o.site, 0, &diags) != 0) {
        rc = EXIT_CONTENT;
    } else if (o.sel.board && !config_board_find(&m.cfg, o.sel.board)) {
        rc = cli_usage_error("site.toml 中没有公开栏 %s（[[boards]] 的 id）", o.sel.board);
    } else {
        for (size_t i = 0; i < m.cfg.board_count && rc == 0; i++) {
            const board *b = &m.cfg.boards[i];
            if (!o.sel.board || strcmp(o.sel.board, b->id) == 0)
                rc = sheets_board(&o, &m, b, out.ptr, &diags);
        }
        if (!m.cfg.board_count)
            fprintf(stderr, "gongkai: site.toml 中没有公开栏（[[boards]]），没有要生成的 PDF。\n");
        /* An index number printed on paper is published: keep it. */
        bool written = false;
        if (rc == 0 && catalogue_lock_write(&m.cat, &written, &diags) != 0)
            rc = EXIT_INTERNAL;
        if (written)
            fprintf(stderr, "gongkai: catalogue.lock 已更新（请一并提交）。\n");
    }
    cli_diags_report(&diags, false);
    if (rc == EXIT_CONTENT || rc == EXIT_INTERNAL)
        fprintf(stderr, "gongkai: 有 %zu 个错误，公开栏 PDF 没有全部生成，已有的文件保持不变。\n",
                diag_list_count(&diags, DIAG_ERROR));
    buf_free(&out);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
