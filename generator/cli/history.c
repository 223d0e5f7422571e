/* gongkai history ITEM: an item's versions in the terminal, newest first,
 * and the releases that carried each. ITEM is its file (content/...), its
 * index number or its URL; withdrawn items too. */
#include "cli.h"

#include "../render/revisions.h"
#include "../util/buf.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct history_options {
    const char *site;
} history_options;

static int history_option(int opt, const char *arg, void *ctx)
{
    history_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    return 0;
}

/* The item named `what`: *item or *withdrawn set to its index. */
static bool history_item_find(const catalogue *cat, const char *site, const char *what,
                              size_t *item, size_t *withdrawn)
{
    /* A path given from the current directory through -s SITE. */
    size_t n = strlen(site);
    if (strncmp(what, site, n) == 0 && what[n] == '/' && strcmp(site, ".") != 0)
        what += n + 1;
    if (strncmp(what, "./", 2) == 0)
        what += 2;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        if (strcmp(ci->item->path, what) == 0 || strcmp(ci->item->rel, what) == 0 ||
            (ci->index_no && strcmp(ci->index_no, what) == 0) ||
            (ci->url && strcmp(ci->url, what) == 0)) {
            *item = i;
            return true;
        }
    }
    for (size_t i = 0; i < cat->withdrawn_count; i++) {
        const catalogue_withdrawn *w = &cat->withdrawn[i];
        if (strcmp(w->path, what) == 0 || strcmp(w->index_no, what) == 0 ||
            strcmp(w->url, what) == 0) {
            *withdrawn = i;
            return true;
        }
    }
    return false;
}

/* Per version, the tags of the releases that carried it; the last slot is
 * for content no version has (published with --allow-dirty). */
typedef struct history_carried {
    const history_revisions *rv;
    buf *tags;               /* rv->len + 1 */
    const char *latest_blob; /* in the newest release */
} history_carried;

static void history_carry(const history_release *rel, const char *blob, void *ctx)
{
    history_carried *c = ctx;
    c->latest_blob = blob;
    if (!blob)
        return;
    size_t i = 0;
    while (i < c->rv->len && strcmp(c->rv->v[i].blob, blob) != 0)
        i++;
    buf *b = &c->tags[i];
    buf_printf(b, "%s%s", b->len ? "、" : "", rel->tag ? rel->tag : rel->commit);
}

/* Why each earlier version gets no page on the site (NULL: it gets one),
 * as the build decides; a version that cannot be read counts as shown. */
static const char **history_hidden(history *h, const site_config *cfg, const history_revisions *rv,
                                   const content_item *current)
{
    const char **why = xcalloc(rv->len + 1, sizeof *why);
    diag_list ignored;
    diag_list_init(&ignored);
    revision_set rs;
    revision_set_init(&rs, h, cfg, rv, current, false);
    for (size_t k = 0; k < rs.earlier && revision_set_load(&rs, k, &ignored) == 0; k++)
        why[k] = revision_set_hidden(&rs, k);
    revision_set_free(&rs);
    diag_list_free(&ignored);
    return why;
}

static void history_print(history *h, const site_config *cfg, const history_revisions *rv,
                          const char *index_no, const content_item *current,
                          const char *current_path)
{
    bool has_current = current != NULL;
    const char **hidden = history_hidden(h, cfg, rv, current);
    history_carried c = {rv, xcalloc(rv->len + 1, sizeof(buf)), NULL};
    if (index_no)
        history_releases_carrying(h, index_no, history_carry, &c);
    size_t total = rv->len + (has_current && rv->working);
    if (!total)
        printf("没有版本记录：这个文件从未提交到 git。\n");
    if (has_current && rv->working)
        printf("v%zu（现行，未提交）  尚未提交到 git 的修改\n", total);
    for (size_t i = rv->len; i-- > 0;) {
        const history_revision *r = &rv->v[i];
        bool now = has_current && !rv->working && i + 1 == rv->len;
        printf("v%d%s  %s  %s  %s\n", r->number, now ? "（现行）" : "", r->when, r->short_id,
               r->message);
        if (current_path && strcmp(r->path, current_path) != 0)
            printf("      当时的文件：%s\n", r->path);
        printf("      %s%s\n", c.tags[i].len ? "已发布：" : "未发布过",
               c.tags[i].len ? c.tags[i].ptr : "");
        if (hidden[i])
            printf("      网站上没有这个版本的页面（当时%s）\n", hidden[i]);
    }
    if (c.tags[rv->len].len)
        printf("未提交的内容（--allow-dirty）已发布：%s\n", c.tags[rv->len].ptr);
    if (index_no && c.latest_blob == NULL) {
        size_t n;
        history_release_list(h, &n);
        if (n)
            printf("最近一次发布中没有这条信息。\n");
    }
    for (size_t i = 0; i <= rv->len; i++)
        buf_free(&c.tags[i]);
    free(c.tags);
    free(hidden);
}

int cli_history(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    history_options o = {"."};
    int first;
    int rc = cli_options_parse(argc, argv, "s:", longs, history_option, &o, &first);
    if (rc)
        return rc;
    if (first >= argc)
        return cli_usage_error("%s", "history 需要一个参数：信息的文件路径、索引号或网址");
    if (first + 1 < argc)
        return cli_usage_error("history 只接受一个信息，多出了 %s", argv[first + 1]);
    const char *what = argv[first];
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    history *h = NULL;
    /* Errors of other items do not matter here, only a model to look in. */
    cli_model_load(&m, o.site, 0, &diags);
    size_t item = SIZE_MAX, gone = SIZE_MAX;
    if (!m.cat.items) {
        cli_diags_report(&diags, false);
        rc = EXIT_CONTENT;
    } else if (!history_item_find(&m.cat, o.site, what, &item, &gone)) {
        rc = cli_usage_error("找不到信息 %s：请给出 content/ 下的文件路径、索引号或网址", what);
    } else if (history_open(&h, &m.cfg, &diags) != 0 ||
               history_revisions_walk(h, &m.cat, &diags) != 0 ||
               history_releases_read(h, &diags) != 0) {
        cli_diags_report(&diags, false);
        rc = EXIT_INTERNAL;
    } else if (!history_is_repository(h)) {
        fprintf(stderr, "gongkai: 站点目录 %s 不在 git 仓库中，没有版本记录。\n", o.site);
        rc = EXIT_CONTENT;
    } else if (item != SIZE_MAX) {
        const catalogue_item *ci = &m.cat.items[item];
        printf("《%s》\n  文件：%s\n", ci->item->title, ci->item->path);
        if (ci->index_no)
            printf("  索引号：%s\n  网址：%s\n", ci->index_no, ci->url);
        printf("\n");
        history_print(h, &m.cfg, history_item_revisions(h, item), ci->index_no, ci->item,
                      ci->item->path);
    } else {
        const catalogue_withdrawn *w = &m.cat.withdrawn[gone];
        char day[11];
        date_format(w->withdrawn, day);
        printf("《%s》（已于 %s 撤回）\n  文件：%s\n  索引号：%s\n  网址：%s\n\n", w->title, day,
               w->path, w->index_no, w->url);
        history_print(h, &m.cfg, history_withdrawn_revisions(h, gone), w->index_no, NULL, w->path);
    }
    history_close(h);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
