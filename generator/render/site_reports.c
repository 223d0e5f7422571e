/* 政府信息公开工作年度报告: each year with items gets its statistics page
 * and the same figures as CSV beside it. The figures are computed on the
 * side thread (site_side.c); a rebuild keeps the page and the file of a
 * year whose figures, and the templates the page used, are as the build
 * cache recorded them, with the file still as written: eight Lua renders
 * and file comparisons at ten thousand items otherwise, in every build. */
#include "annual.h"
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/xalloc.h"

#include <stdlib.h>

/* Record for the next build the page or file just written at `path`. */
static void reports_record(site_builder *b, const char *path, uint64_t key, size_t size,
                           const char *const *used, size_t used_len)
{
    size_t deps;
    key = site_deps_key(b, key, used, used_len, &deps);
    site_keep_record(b, &(cache_listing){arena_strdup(&b->mem, path), key, size, deps});
}

/* The statistics page of r->year at url, kept or rendered. */
static int reports_page(site_builder *b, const report *r, const char *url, const char *title)
{
    uint64_t key = annual_key(site_keep_page_key(b, "report", url, title), r);
    cache_listing kept;
    if (site_keep_page(b, url, key, &kept)) {
        site_keep_record(b, &kept);
        return 0;
    }
    site_state *st = &b->main;
    site_deps_begin(st);
    site_page_begin(st, "report", url, title);
    site_crumb(st->L, "首页", "/");
    site_crumb(st->L, "政府信息公开", "/xxgk/");
    annual_table_push(st->L, r);
    lua_setfield(st->L, -2, "report");
    int rc = site_page_finish(st, "report.html", NULL);
    if (rc == 0 && b->next) {
        size_t used_len;
        const char **used = site_deps_inputs(st, &used_len);
        reports_record(b, url, key, st->html.len, used, used_len);
        free(used);
    }
    return rc;
}

/* Its CSV at url: its key is its bytes. */
static int reports_csv(site_builder *b, const report *r, const char *url)
{
    buf csv = BUF_INIT;
    report_csv(r, &csv);
    uint64_t key = hash64(site_keep_page_key(b, "report.csv", url, ""), csv.ptr, csv.len);
    cache_listing kept;
    int rc = 0;
    if (site_keep_page(b, url, key, &kept)) {
        site_keep_record(b, &kept);
    } else {
        buf_reset(&b->main.err);
        if (output_write(&b->out, url, csv.ptr, csv.len, &b->main.err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->main.err.ptr);
            rc = RENDER_ERROR_IO;
        } else if (b->next) {
            reports_record(b, url, key, csv.len, NULL, 0);
        }
    }
    buf_free(&csv);
    return rc;
}

void site_reports_compute(site_builder *b)
{
    arena mem;
    arena_init(&mem);
    const int *years = report_years(b->cat, &mem, &b->report_len);
    b->reports = xcalloc(b->report_len + 1, sizeof *b->reports);
    for (size_t i = 0; i < b->report_len; i++)
        report_compute(&b->reports[i], b->cfg, b->cat, years[i]);
    arena_free(&mem);
}

int site_render_reports(site_builder *b)
{
    site_side_wait(b);
    int rc = 0;
    for (size_t i = 0; i < b->report_len && rc == 0; i++) {
        const report *r = &b->reports[i];
        buf url = BUF_INIT, title = BUF_INIT;
        annual_page_url(r->year, &url);
        buf_printf(&title, "%d年政府信息公开工作年度报告统计数据", r->year);
        rc = reports_page(b, r, url.ptr, title.ptr);
        buf_reset(&url);
        annual_csv_url(r->year, &url);
        if (rc == 0)
            rc = reports_csv(b, r, url.ptr);
        buf_free(&url);
        buf_free(&title);
    }
    return rc;
}

void site_reports_free(site_builder *b)
{
    for (size_t i = 0; i < b->report_len; i++)
        report_free(&b->reports[i]);
    free(b->reports);
}
