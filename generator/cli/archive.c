/* gongkai archive: one zip per notice board and period (建档), or --verify
 * an archive against its manifest. */
#include "cli.h"

#include "../archive/archive.h"
#include "../util/buf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct archive_options {
    const char *site;
    const char *out;
    const char *verify;
    cli_board_selection sel; /* --period latest: each board's latest closed period with items */
} archive_options;

static int archive_option(int opt, const char *arg, void *ctx)
{
    archive_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    else if (opt == 'o')
        o->out = arg;
    else if (opt == 'V')
        o->verify = arg;
    return cli_board_option(opt, arg, "各公开栏已结束且有信息的最近一期", &o->sel);
}

static int archive_verify_run(const char *path)
{
    diag_list diags;
    diag_list_init(&diags);
    archive_verify_result res;
    int r = archive_verify(path, &res, &diags);
    cli_diags_report(&diags, false);
    int rc = r == ARCHIVE_ERROR_IO ? EXIT_INTERNAL : r != 0 || res.problems ? EXIT_CONTENT : 0;
    if (rc == 0)
        fprintf(stderr, "gongkai: %s：%zu 个文件与 manifest.json 的记录一致。\n", path, res.files);
    else if (r == 0)
        fprintf(stderr, "gongkai: %s：核对了 %zu 个文件，发现 %zu 处不符。\n", path, res.files,
                res.problems);
    diag_list_free(&diags);
    return rc;
}

/* Whether board b is archived in this run, and for which period. */
static bool archive_board_period(const archive_options *o, const cli_model *m, const board *b,
                                 content_period *p)
{
    if (o->sel.board && strcmp(o->sel.board, b->id) != 0)
        return false;
    if (o->sel.period_given) {
        *p = o->sel.period;
        return o->sel.period.kind == catalogue_board_period_kind(b);
    }
    if (archive_board_latest_closed(&m->cat, b, date_today(), p))
        return true;
    fprintf(stderr, "gongkai: 公开栏 %s 还没有已结束且有公开事项的一期，不建档。\n", b->id);
    return false;
}

static int archive_boards(const archive_options *o, cli_model *m, history *h, const char *out,
                          diag_list *diags)
{
    archive_session *s = NULL;
    int rc = 0;
    size_t done = 0;
    for (size_t i = 0; i < m->cfg.board_count && rc == 0; i++) {
        const board *b = &m->cfg.boards[i];
        content_period p;
        if (!archive_board_period(o, m, b, &p))
            continue;
        done++;
        int r = s ? 0 : archive_session_open(&s, &m->cfg, &m->cat, m->names, h, out, diags);
        archive_result res;
        if (r == 0)
            r = archive_period_write(s, b, p, &res, diags);
        if (r == 0)
            fprintf(stderr, "gongkai: 已建档 %s：%zu 条信息，%zu 个文件，共 %" PRIu64 " 字节。\n",
                    res.path.ptr, res.items, res.files, res.bytes);
        if (r == 0)
            buf_free(&res.path);
        rc = r == 0 ? 0 : r == ARCHIVE_ERROR_IO ? EXIT_INTERNAL : EXIT_CONTENT;
    }
    archive_session_close(s);
    if (!done && o->sel.period_given)
        fprintf(stderr, "gongkai: site.toml 中没有按%s公开的公开栏，没有要建档的。\n",
                o->sel.period.kind == CONTENT_PERIOD_QUARTER ? "季度" : "月");
    return rc;
}

int cli_archive(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},   {"output", required_argument, NULL, 'o'},
        {"board", required_argument, NULL, 'b'},  {"period", required_argument, NULL, 'p'},
        {"verify", required_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
    };
    archive_options o = {.site = "."};
    int first;
    int rc = cli_options_parse(argc, argv, "s:o:", longs, archive_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("archive 不接受参数 %s", argv[first]);
    if (o.verify)
        return archive_verify_run(o.verify);
    if (!o.sel.latest && !o.sel.period_given)
        return cli_usage_error("请用 --period 指定建档的一期，例如 --period %s 或 --period latest",
                               "2026-Q3");
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    buf out = BUF_INIT;
    cli_output_path(&out, o.out, o.site, "archive");
    const board *only = NULL;
    history *h = NULL;
    /* What is filed is what would be published: the same refusals as build. */
    rc = cli_model_ready(&m, o.site, false, 0, &h, &diags);
    if (rc == 0 && o.sel.board && !(only = config_board_find(&m.cfg, o.sel.board))) {
        rc = cli_usage_error("site.toml 中没有公开栏 %s（[[boards]] 的 id）", o.sel.board);
    } else if (rc == 0 && only && o.sel.period_given &&
               o.sel.period.kind != catalogue_board_period_kind(only)) {
        rc = cli_usage_error("这个公开栏按%s公开，--period 请写成那样的一期",
                             only->period == BOARD_PERIOD_QUARTER ? "季度（如 2026-Q3）"
                                                                  : "月（如 2026-09）");
    } else if (rc == 0) {
        rc = archive_boards(&o, &m, h, out.ptr, &diags);
        /* An index number filed in an archive is published: keep it. */
        bool written = false;
        if (rc == 0 && catalogue_lock_write(&m.cat, &written, &diags) != 0)
            rc = EXIT_INTERNAL;
        if (written)
            fprintf(stderr, "gongkai: catalogue.lock 已更新（请一并提交）。\n");
    }
    cli_diags_report(&diags, false);
    if (rc == EXIT_CONTENT || rc == EXIT_INTERNAL)
        fprintf(stderr, "gongkai: 有 %zu 个错误，建档没有全部完成；已有的压缩包保持不变。\n",
                diag_list_count(&diags, DIAG_ERROR));
    buf_free(&out);
    history_close(h);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
