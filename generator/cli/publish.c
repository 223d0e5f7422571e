/* gongkai publish: check, refuse uncommitted sources, build the site into
 * a scratch directory and commit it onto the release branch with a tag
 * (history/release.c). Nothing moves unless every step succeeded. */
#include "cli.h"

#include "../util/path.h"

#include "../render/output.h"
#include "../render/site.h"
#include "../util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct publish_options {
    const char *site;
    const char *message;
    bool allow_dirty;
} publish_options;

static int publish_option(int opt, const char *arg, void *ctx)
{
    publish_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    else if (opt == 'm')
        o->message = arg;
    else if (opt == 'd')
        o->allow_dirty = true;
    return 0;
}

/* Build into a scratch directory and commit it. Returns an exit status. */
static int publish_release(cli_model *m, history *h, const char *message, diag_list *diags,
                           bool *lock_written)
{
    if (history_revisions_walk(h, &m->cat, diags) != 0 || history_releases_read(h, diags) != 0)
        return EXIT_INTERNAL;
    if (history_release_prepare(h, &m->cat, message, time(NULL), diags) != 0)
        return EXIT_CONTENT;
    const char *tmp = getenv("TMPDIR");
    buf dir = BUF_INIT, out = BUF_INIT;
    buf_printf(&dir, "%s/gongkai-publish-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir.ptr)) {
        diag_add(diags, DIAG_ERROR, "GK402", "", 0, 0, "无法创建临时目录 %s", dir.ptr);
        buf_free(&dir);
        return EXIT_INTERNAL;
    }
    buf_printf(&out, "%s/site", dir.ptr);
    render_options ropt = {.out_dir = out.ptr, .history = h};
    render_stats stats = {0};
    int r = render_site(&m->cfg, &m->cat, m->names, &ropt, &stats, diags);
    int rc = r == RENDER_ERROR_IO ? EXIT_INTERNAL : r != 0 ? EXIT_CONTENT : 0;
    /* New index numbers are kept before the release that shows them. */
    if (rc == 0 && catalogue_lock_write(&m->cat, lock_written, diags) != 0)
        rc = EXIT_INTERNAL;
    if (rc == 0 && history_release_commit(h, out.ptr, diags) != 0)
        rc = EXIT_INTERNAL;
    path_remove_tree(dir.ptr);
    buf_free(&dir);
    buf_free(&out);
    return rc;
}

int cli_publish(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"message", required_argument, NULL, 'm'},
        {"allow-dirty", no_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    publish_options o = {".", NULL, false};
    int first;
    int rc = cli_options_parse(argc, argv, "s:m:", longs, publish_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("publish 不接受参数 %s（说明请用 -m）", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    history *h = NULL;
    /* Check errors and uncommitted files are reported together. */
    int loaded = cli_model_load(&m, o.site, 0, &diags);
    check_options copt = {date_today(), true, false, NULL};
    if (cli_model_check(&m, &copt, &diags) != 0 || loaded != 0)
        rc = EXIT_CONTENT;
    if (m.cfg.parsed) {
        if (history_open(&h, &m.cfg, &diags) != 0)
            rc = EXIT_INTERNAL;
        else if (history_source_check(h, o.allow_dirty, &diags) != 0 && rc == 0)
            rc = EXIT_CONTENT;
    }
    bool lock_written = false;
    if (rc == 0)
        rc = publish_release(&m, h, o.message, &diags, &lock_written);
    cli_diags_report(&diags, false);
    if (rc == 0) {
        size_t n;
        const history_release *rel = history_release_list(h, &n);
        printf("已发布 %s（分支 %s，提交 %.7s）：新增 %zu 条，修改 %zu 条，撤回 %zu 条。\n",
               rel->tag, m.cfg.publish_branch, rel->commit, rel->counts[HISTORY_CHANGE_NEW],
               rel->counts[HISTORY_CHANGE_CHANGED], rel->counts[HISTORY_CHANGE_WITHDRAWN]);
        if (lock_written)
            fprintf(stderr, "gongkai: catalogue.lock 已更新（新分配了索引号），请提交到 git。\n");
    } else {
        fprintf(stderr, "gongkai: 有 %zu 个错误，没有发布：发布分支 %s 和标签都没有改动。\n",
                diag_list_count(&diags, DIAG_ERROR),
                m.cfg.publish_branch ? m.cfg.publish_branch : "site");
    }
    history_close(h);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
