#include "cli.h"

#include "../util/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "gongkai: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n请运行 gongkai --help 查看用法。\n");
    return EXIT_USAGE;
}

int cli_options_parse(int argc, char **argv, const char *shorts, const struct option *longs,
                      cli_option_fn take, void *ctx, int *first)
{
    char spec[64];
    snprintf(spec, sizeof spec, ":%s", shorts);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, spec, longs, NULL)) != -1) {
        if (c == ':')
            return cli_usage_error("选项 %s 缺少参数", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error("这个命令不支持选项 %s", argv[optind - 1]);
        int rc = take(c, optarg, ctx);
        if (rc)
            return rc;
    }
    *first = optind;
    return 0;
}

/* Load as far as the errors allow, so that one run reports every problem:
 * a broken catalogue does not stop the items from being read. With `dir`
 * (the site's .gongkai), what earlier runs found out is opened into *memo
 * (once the site is known) and used, and the items' texts are taken from
 * the text store opened into *keep where their files did not change. */
static int model_load(cli_model *m, const char *site, size_t workers, const char *dir,
                      catalogue_memo **memo, content_keep **keep, diag_list *diags)
{
    memset(m, 0, sizeof *m);
    m->workers = workers;
    int rc = config_load(&m->cfg, site, diags);
    m->has_cfg = true;
    if (!m->cfg.parsed)
        return -1; /* without departments every item would be misreported */
    if (dir) {
        *memo = catalogue_memo_open(dir, &m->cfg);
        *keep = content_keep_open(dir);
    }
    rc |= catalogue_load(&m->cat, &m->cfg, diags);
    m->has_cat = true;
    rc |= content_load(&m->content, &m->cfg, workers, dir ? *keep : NULL, diags);
    m->has_content = true;
    if (!m->cat.count)
        return -1;
    rc |= catalogue_items_resolve(&m->cat, &m->content, diags);
    if (naming_open(&m->names, &m->cfg, diags) != 0)
        return -1;
    rc |= catalogue_lock_apply(&m->cat, &m->content, m->names, &m->cfg, date_today(), workers,
                               dir ? *memo : NULL, diags);
    return rc ? -1 : 0;
}

int cli_model_load(cli_model *m, const char *site, size_t workers, diag_list *diags)
{
    return model_load(m, site, workers, NULL, NULL, NULL, diags);
}

int cli_history_load(history **h, cli_model *m, diag_list *diags)
{
    if (history_open(h, &m->cfg, diags) != 0)
        return -1;
    buf keep = BUF_INIT;
    buf_printf(&keep, "%s/.gongkai/revisions.cache", m->cfg.root);
    history_revisions_keep(*h, keep.ptr);
    buf_reset(&keep);
    buf_printf(&keep, "%s/.gongkai/status.memo", m->cfg.root);
    history_status_keep(*h, keep.ptr);
    buf_free(&keep);
    if (history_revisions_walk(*h, &m->cat, diags) != 0 || history_releases_read(*h, diags) != 0)
        return -1;
    return 0;
}

static int model_check(cli_model *m, const check_options *opt, catalogue_memo *memo,
                       diag_list *diags);

/* The memos and the text store, written on a thread of their own while
 * the build goes on: they hold what the load and the checks found, which
 * nothing after them changes, and the items' texts, which the model keeps
 * until cli_model_free joins the thread. */
struct cli_saves {
    pthread_t thread;
    catalogue_memo *memo;
    memo_map *checks;
    content_keep *keep;
};

static void *model_saves_run(void *arg)
{
    cli_saves *s = arg;
    catalogue_memo_save(s->memo);
    memo_map_save(s->checks);
    content_keep_save(s->keep);
    catalogue_memo_free(s->memo);
    memo_map_free(s->checks);
    content_keep_free(s->keep);
    return NULL;
}

/* Save (on a thread unless one thread was asked for) or, when the site
 * failed, only free. */
static void model_saves_start(cli_model *m, cli_saves *s, bool save)
{
    if (save && m->workers != 1) {
        m->saves = xmalloc(sizeof *m->saves);
        *m->saves = *s;
        if (pthread_create(&m->saves->thread, NULL, model_saves_run, m->saves) == 0)
            return;
        free(m->saves);
        m->saves = NULL;
    }
    if (save) {
        model_saves_run(s);
        return;
    }
    catalogue_memo_free(s->memo);
    memo_map_free(s->checks);
    content_keep_free(s->keep);
}

int cli_model_ready(cli_model *m, const char *site, bool drafts, size_t workers, history **h,
                    diag_list *diags)
{
    /* The checks run even when loading failed, so that one run reports
     * every error. What the catalogue found out (naming.lua's answers, the
     * fingerprints) and what the checks found absent from texts are kept
     * beside the build cache, and written only when the site passed, as
     * the site is; so are the items' texts. `check` keeps none of them: it
     * loads through cli_model_load and writes nothing into the site. */
    cli_saves saves = {0};
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/.gongkai", site);
    int loaded = model_load(m, site, workers, dir.ptr, &saves.memo, &saves.keep, diags);
    check_options copt = {date_today(), true, drafts, check_memo_open(dir.ptr)};
    buf_free(&dir);
    int checked = model_check(m, &copt, saves.memo, diags);
    saves.checks = copt.memo;
    model_saves_start(m, &saves, checked == 0 && loaded == 0);
    if (checked != 0 || loaded != 0)
        return EXIT_CONTENT;
    return cli_history_load(h, m, diags) != 0 ? EXIT_INTERNAL : 0;
}

void cli_output_path(buf *out, const char *given, const char *site, const char *fallback)
{
    if (given)
        buf_puts(out, given);
    else
        buf_printf(out, "%s/%s", site, fallback);
}

int cli_board_option(int opt, const char *arg, const char *latest_means, cli_board_selection *sel)
{
    if (opt == 'b') {
        sel->board = arg;
    } else if (opt == 'p') {
        cli_period p;
        int rc = cli_period_parse(arg, latest_means, &p);
        if (rc)
            return rc;
        sel->latest = p.latest;
        sel->period_given = p.given;
        sel->period = p.period;
    }
    return 0;
}

int cli_model_check(cli_model *m, const check_options *opt, diag_list *diags)
{
    return model_check(m, opt, NULL, diags);
}

static int model_check(cli_model *m, const check_options *opt, catalogue_memo *memo,
                       diag_list *diags)
{
    if (!m->has_content || !m->cfg.parsed)
        return 0;
    /* The checks and the pages share naming.lua's 文号, asked once here. */
    int named = 0;
    if (m->names && m->cat.item_count == m->content.len)
        named = catalogue_doc_numbers_apply(&m->cat, m->names, opt->drafts, m->workers, memo);
    int checked = check_run(&m->cfg, &m->cat, &m->content, m->names, opt, m->workers, diags);
    return named || checked ? -1 : 0;
}

void cli_model_free(cli_model *m)
{
    if (m->saves) {
        pthread_join(m->saves->thread, NULL);
        free(m->saves);
    }
    naming_close(m->names);
    if (m->has_content)
        content_free(&m->content);
    if (m->has_cat)
        catalogue_free(&m->cat);
    if (m->has_cfg)
        config_free(&m->cfg);
}

void cli_diags_report(diag_list *diags, bool json)
{
    diag_list_sort_grouped(diags);
    if (json) {
        diag_list_print_json(diags, stdout);
        return;
    }
    diag_list_print_text(diags, stderr);
}

int cli_jobs_parse(const char *arg, size_t *jobs)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg < '0' || *arg > '9' || *end || n < 1 || n > 256)
        return cli_usage_error("-j 应是 1 到 256 之间的线程数，而不是 %s", arg);
    *jobs = (size_t)n;
    return 0;
}

int cli_period_parse(const char *arg, const char *latest_means, cli_period *out)
{
    out->latest = strcmp(arg, "latest") == 0;
    out->given = !out->latest;
    if (out->given && !content_period_parse(arg, &out->period)) {
        fprintf(stderr,
                "gongkai: --period %s 格式不对：季度写成 2026-Q3，月份写成 2026-09，或写 "
                "latest（%s）\n请运行 gongkai --help 查看用法。\n",
                arg, latest_means);
        return EXIT_USAGE;
    }
    return 0;
}
