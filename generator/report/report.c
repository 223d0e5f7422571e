#include "report.h"

#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Proactively published: what the site shows as 主动公开, drafts never. */
static bool report_item_counted(const catalogue_item *ci)
{
    const content_item *it = ci->item;
    return catalogue_item_published(ci, false) && it->date.set &&
           it->disclosure == CONTENT_DISCLOSURE_PUBLIC;
}

static bool report_in_category_kind(const catalogue *cat, const category *c,
                                    category_periodic periodic)
{
    for (; c; c = c->parent >= 0 ? &cat->categories[c->parent] : NULL)
        if (c->periodic == periodic)
            return true;
    return false;
}

/* 规范性文件 made, amended, repealed, expired and in force (see report.h). */
static void report_normative(report *r, const content_item *it)
{
    date start = it->effective.set ? it->effective.day : it->date.day;
    bool ended = it->status == CONTENT_VALIDITY_REPEALED || it->status == CONTENT_VALIDITY_EXPIRED;
    bool has_end = it->expires.set || ended;
    date end = it->expires.set ? it->expires.day : it->date.day;
    if (start.year == r->year) {
        if (it->amends.s)
            r->normative_amended++;
        else
            r->normative_new++;
    }
    if (ended && end.year == r->year) {
        if (it->status == CONTENT_VALIDITY_REPEALED)
            r->normative_repealed++;
        else
            r->normative_expired++;
    }
    date year_end = {r->year, 12, 31};
    if (date_cmp(start, year_end) <= 0 && (!has_end || date_cmp(end, year_end) > 0))
        r->normative_in_force++;
}

static void report_timeliness(report *r, const site_config *cfg, const catalogue_item *ci,
                              size_t *late_cap)
{
    const content_item *it = ci->item;
    if (!it->created.set) {
        r->unmeasured++;
        return;
    }
    workday_calendar cal = config_calendar(cfg);
    long days = workday_count(&cal, it->created.day, it->date.day);
    if (days <= REPORT_DUE_WORKDAYS) {
        r->on_time++;
        return;
    }
    if (r->late == *late_cap) {
        *late_cap = *late_cap ? *late_cap * 2 : 16;
        r->late_items = xrealloc(r->late_items, *late_cap * sizeof *r->late_items);
    }
    r->late_items[r->late++] = (report_late){ci, days};
}

static int report_late_cmp(const void *pa, const void *pb)
{
    const content_item *a = ((const report_late *)pa)->item->item;
    const content_item *b = ((const report_late *)pb)->item->item;
    int c = date_cmp(a->date.day, b->date.day);
    return c ? c : strcmp(a->path, b->path);
}

/* Keep the rows with a count, in the order of `all`. */
static report_count *report_nonzero(arena *mem, const report_count *all, size_t n, size_t *kept)
{
    report_count *out = arena_alloc(mem, (n + 1) * sizeof *out);
    *kept = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].count)
            out[(*kept)++] = all[i];
    return out;
}

void report_compute(report *r, const site_config *cfg, const catalogue *cat, int year)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->mem);
    r->year = year;
    report_count *cats = xcalloc(cat->count + 1, sizeof *cats);
    report_count *depts = xcalloc(cfg->department_count + 1, sizeof *depts);
    for (size_t i = 0; i < cat->count; i++)
        cats[i] = (report_count){cat->categories[i].key, cat->categories[i].name, 0};
    r->townships = arena_alloc(&r->mem, (cfg->department_count + 1) * sizeof *r->townships);
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        depts[i] = (report_count){d->id, d->name, 0};
        if (d->kind == DEPARTMENT_KIND_TOWNSHIP)
            r->townships[r->township_count++].dept = d;
    }
    size_t late_cap = 0;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        const content_item *it = ci->item;
        if (!report_item_counted(ci))
            continue;
        if (ci->category->validity)
            report_normative(r, it);
        for (size_t t = 0; t < r->township_count; t++) {
            content_period q = catalogue_item_period(ci, CONTENT_PERIOD_QUARTER);
            if (it->dept == r->townships[t].dept && q.year == year &&
                report_in_category_kind(cat, ci->category, CATEGORY_PERIODIC_QUARTER))
                r->townships[t].quarters[q.n - 1]++;
        }
        if (it->date.day.year != year)
            continue;
        r->published++;
        cats[ci->category - cat->categories].count++;
        if (it->dept)
            depts[it->dept - cfg->departments].count++;
        report_timeliness(r, cfg, ci, &late_cap);
    }
    if (r->late)
        qsort(r->late_items, r->late, sizeof *r->late_items, report_late_cmp);
    for (size_t i = 0; i < cat->withdrawn_count; i++)
        if (cat->withdrawn[i].withdrawn.year == year)
            r->withdrawn++;
    r->categories = report_nonzero(&r->mem, cats, cat->count, &r->category_count);
    r->publishers = report_nonzero(&r->mem, depts, cfg->department_count, &r->publisher_count);
    free(cats);
    free(depts);
}

void report_free(report *r)
{
    free(r->late_items);
    arena_free(&r->mem);
}

static int report_year_cmp(const void *a, const void *b)
{
    return *(const int *)b - *(const int *)a;
}

int *report_years(const catalogue *cat, arena *mem, size_t *count)
{
    int *years = arena_alloc(mem, (cat->item_count + 1) * sizeof *years);
    size_t n = 0;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        const content_item *it = ci->item;
        if (!catalogue_item_published(ci, false) || !it->date.set)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = years[k] == it->date.day.year;
        if (!seen)
            years[n++] = it->date.day.year;
    }
    qsort(years, n, sizeof *years, report_year_cmp);
    *count = n;
    return years;
}

int report_on_time_permille(const report *r)
{
    size_t measured = r->on_time + r->late;
    if (!measured)
        return -1;
    return (int)((r->on_time * 1000 + measured / 2) / measured);
}

/* ---- CSV ------------------------------------------------------------------ */

static void report_csv_field(buf *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(out, s);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

static void report_csv_row(buf *out, const char *section, const char *key, const char *name,
                           const char *val)
{
    report_csv_field(out, section);
    buf_putc(out, ',');
    report_csv_field(out, key);
    buf_putc(out, ',');
    report_csv_field(out, name);
    buf_putc(out, ',');
    report_csv_field(out, val);
    buf_puts(out, "\r\n");
}

static void report_csv_count(buf *out, const char *section, const char *key, const char *name,
                             size_t n)
{
    char val[32];
    snprintf(val, sizeof val, "%zu", n);
    report_csv_row(out, section, key, name, val);
}

void report_csv(const report *r, buf *out)
{
    char key[64], val[32];
    buf_puts(out, "\xEF\xBB\xBF");
    report_csv_row(out, "section", "key", "name", "value");
    snprintf(val, sizeof val, "%d", r->year);
    report_csv_row(out, "year", "year", "年度", val);
    report_csv_count(out, "published", "total", "主动公开信息", r->published);
    for (size_t i = 0; i < r->category_count; i++)
        report_csv_count(out, "category", r->categories[i].key, r->categories[i].name,
                         r->categories[i].count);
    for (size_t i = 0; i < r->publisher_count; i++)
        report_csv_count(out, "publisher", r->publishers[i].key, r->publishers[i].name,
                         r->publishers[i].count);
    report_csv_count(out, "normative", "new", "规范性文件：新制发", r->normative_new);
    report_csv_count(out, "normative", "amended", "规范性文件：修订", r->normative_amended);
    report_csv_count(out, "normative", "repealed", "规范性文件：废止", r->normative_repealed);
    report_csv_count(out, "normative", "expired", "规范性文件：失效", r->normative_expired);
    report_csv_count(out, "normative", "in_force", "规范性文件：年末现行有效",
                     r->normative_in_force);
    report_csv_count(out, "withdrawn", "total", "撤下的信息", r->withdrawn);
    report_csv_count(out, "timeliness", "on_time", "20个工作日内公开", r->on_time);
    report_csv_count(out, "timeliness", "late", "超过20个工作日公开", r->late);
    report_csv_count(out, "timeliness", "unmeasured", "未填成文日期、无法计算", r->unmeasured);
    int permille = report_on_time_permille(r);
    if (permille >= 0)
        snprintf(val, sizeof val, "%d.%d%%", permille / 10, permille % 10);
    else
        val[0] = '\0';
    report_csv_row(out, "timeliness", "on_time_share", "按时公开率", val);
    for (size_t i = 0; i < r->late; i++) {
        const catalogue_item *ci = r->late_items[i].item;
        snprintf(val, sizeof val, "%ld", r->late_items[i].workdays);
        report_csv_row(out, "late", ci->index_no, ci->item->title, val);
    }
    for (size_t t = 0; t < r->township_count; t++) {
        const report_township *tw = &r->townships[t];
        for (int q = 0; q < 4; q++) {
            snprintf(key, sizeof key, "%s/%04d-Q%d", tw->dept->id, r->year, q + 1);
            report_csv_count(out, "coverage", key, tw->dept->name, tw->quarters[q]);
        }
    }
}
