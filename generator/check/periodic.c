/* Periodic disclosure (定期公开). A department that publishes in a periodic
 * category owes an item for every period since its first one, once the
 * period is due: quarters and months by the 5th of the following month (the
 * township rule: last quarter's 政务 is up before the 5th of the first month
 * of the next), years by 31 March (annual reports). A township's quarter
 * published after its due date is late. An item's period is its `period`;
 * without one, the period before its date (periodic items report on a
 * closed period), and for yearly categories the year before. */
#include "check_internal.h"

#include "../util/buf.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* How many missing periods a message lists by name. */
#define PERIODIC_SHOWN 12

typedef struct periodic_entry {
    size_t dept, cat;
    long first, last; /* periods covered, as numbers (see periodic_number) */
    const content_item *it;
} periodic_entry;

/* A period as one number: year*4+quarter-1, year*12+month-1, or the year. */
static long periodic_number(int year, int n, category_periodic kind)
{
    return kind == CATEGORY_PERIODIC_QUARTER ? year * 4L + n - 1
           : kind == CATEGORY_PERIODIC_MONTH ? year * 12L + n - 1
                                             : year;
}

static void periodic_split(long p, category_periodic kind, int *year, int *n)
{
    if (kind == CATEGORY_PERIODIC_QUARTER) {
        *year = (int)(p / 4);
        *n = (int)(p % 4) + 1;
    } else if (kind == CATEGORY_PERIODIC_MONTH) {
        *year = (int)(p / 12);
        *n = (int)(p % 12) + 1;
    } else {
        *year = (int)p;
        *n = 0;
    }
}

/* The day a period's item is due by. */
static date periodic_due(long p, category_periodic kind)
{
    int year, n;
    periodic_split(p, kind, &year, &n);
    if (kind == CATEGORY_PERIODIC_YEAR)
        return (date){year + 1, 3, 31};
    int end_month = kind == CATEGORY_PERIODIC_QUARTER ? n * 3 : n;
    return end_month == 12 ? (date){year + 1, 1, 5} : (date){year, end_month + 1, 5};
}

/* The periods [first, last] an item covers in a category of `kind`. */
static void periodic_covered(const content_item *it, category_periodic kind, long *first,
                             long *last)
{
    const content_period *p = &it->period;
    if (p->kind == CONTENT_PERIOD_NONE) {
        date d = it->date.day;
        long own = kind == CATEGORY_PERIODIC_QUARTER
                       ? periodic_number(d.year, (d.month + 2) / 3, kind)
                   : kind == CATEGORY_PERIODIC_MONTH ? periodic_number(d.year, d.month, kind)
                                                     : d.year;
        *first = *last = own - 1;
    } else if (kind == CATEGORY_PERIODIC_YEAR) {
        *first = *last = p->year;
    } else if (kind == CATEGORY_PERIODIC_QUARTER) {
        int q = p->kind == CONTENT_PERIOD_QUARTER ? p->n : (p->n + 2) / 3;
        *first = *last = periodic_number(p->year, q, kind);
    } else if (p->kind == CONTENT_PERIOD_MONTH) {
        *first = *last = periodic_number(p->year, p->n, kind);
    } else {
        *first = periodic_number(p->year, p->n * 3 - 2, kind);
        *last = *first + 2;
    }
}

static int periodic_cmp(const void *pa, const void *pb)
{
    const periodic_entry *a = pa, *b = pb;
    if (a->dept != b->dept)
        return a->dept < b->dept ? -1 : 1;
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    int k = date_cmp(a->it->date.day, b->it->date.day);
    return k ? k : strcmp(a->it->path, b->it->path);
}

static void periodic_label(check_ctx *c, long p, category_periodic kind, buf *out)
{
    int year, n;
    periodic_split(p, kind, &year, &n);
    const char *label;
    if (c->names && naming_period_label(c->names, &c->mem, kind, year, n, &label) == 0)
        buf_puts(out, label);
    else if (kind == CATEGORY_PERIODIC_QUARTER)
        buf_printf(out, "%d-Q%d", year, n);
    else if (kind == CATEGORY_PERIODIC_MONTH)
        buf_printf(out, "%d-%02d", year, n);
    else
        buf_printf(out, "%d", year);
}

/* Where to point at an item's period: its `period`, else its category. */
static void periodic_where(const content_item *it, int *line, int *col)
{
    *line = it->category.line;
    *col = it->category.col;
    content_item_where(it, "period", line, col);
}

/* Warn about the periods of one department and category that are due and
 * have no item: e[0..n) sorted by period. */
static void periodic_group(check_ctx *c, const periodic_entry *e, size_t n, const category *cat)
{
    category_periodic kind = cat->periodic;
    long last = e[0].first;
    for (size_t i = 0; i < n; i++)
        if (e[i].last > last)
            last = e[i].last;
    /* Extend to the last period that is due by today. */
    while (date_cmp(periodic_due(last + 1, kind), c->opt->today) < 0)
        last++;
    buf list = BUF_INIT;
    size_t missing = 0, k = 0;
    long covered_to = e[0].first - 1;
    for (long p = e[0].first; p <= last; p++) {
        while (k < n && e[k].first <= p) {
            if (e[k].last > covered_to)
                covered_to = e[k].last;
            k++;
        }
        if (p <= covered_to || date_cmp(periodic_due(p, kind), c->opt->today) >= 0)
            continue;
        if (missing++ < PERIODIC_SHOWN) {
            if (list.len)
                buf_puts(&list, "、");
            periodic_label(c, p, kind, &list);
        }
    }
    if (missing) {
        if (missing > PERIODIC_SHOWN)
            buf_printf(&list, "等 %zu 期", missing);
        const periodic_entry *latest = &e[n - 1];
        int line, col;
        periodic_where(latest->it, &line, &col);
        check_diag(c, DIAG_WARNING, "GK213", latest->it, line, col,
                   "%s在“%s”栏目定期公开，但缺少 %s 的信息（已过公开期限）：请补发，以后按期发布",
                   latest->it->dept->name, cat->name, list.ptr);
    }
    buf_free(&list);
}

/* A township's quarter is up by the 5th of the month after the quarter. */
static void periodic_late(check_ctx *c, const content_item *it, const category *cat)
{
    if (cat->periodic != CATEGORY_PERIODIC_QUARTER || it->period.kind != CONTENT_PERIOD_QUARTER ||
        it->dept->kind == DEPARTMENT_KIND_DEPARTMENT)
        return;
    long p = periodic_number(it->period.year, it->period.n, CATEGORY_PERIODIC_QUARTER);
    date due = periodic_due(p, CATEGORY_PERIODIC_QUARTER);
    if (date_cmp(it->date.day, due) <= 0)
        return;
    char when[11], by[11];
    date_format(due, by);
    date_format(it->date.day, when);
    buf label = BUF_INIT;
    periodic_label(c, p, CATEGORY_PERIODIC_QUARTER, &label);
    int line = it->front_line, col = 1;
    content_item_where(it, "date", &line, &col);
    check_diag(c, DIAG_WARNING, "GK214", it, line, col,
               "%s的政务公开应在 %s 前上栏（下季度第一个月 5 日前），本条 %s 才发布，晚了 %ld 天",
               label.ptr, by, when, date_to_days(it->date.day) - date_to_days(due));
    buf_free(&label);
}

void check_periodic_run(check_ctx *c)
{
    if (!c->cat || c->cat->item_count != c->set->len)
        return;
    periodic_entry *e = xmalloc((c->set->len + 1) * sizeof *e);
    size_t n = 0;
    for (size_t i = 0; i < c->set->len; i++) {
        const catalogue_item *ci = check_catalogue_item(c, i);
        const content_item *it = ci->item;
        if (!ci->category || ci->category->periodic == CATEGORY_PERIODIC_NONE || !it->dept ||
            !it->date.set || !check_item_published(c, it))
            continue;
        periodic_late(c, it, ci->category);
        periodic_entry *x = &e[n++];
        x->dept = (size_t)(it->dept - c->cfg->departments);
        x->cat = (size_t)(ci->category - c->cat->categories);
        x->it = it;
        periodic_covered(it, ci->category->periodic, &x->first, &x->last);
    }
    qsort(e, n, sizeof *e, periodic_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && e[j].dept == e[i].dept && e[j].cat == e[i].cat)
            j++;
        periodic_group(c, e + i, j - i, &c->cat->categories[e[i].cat]);
        i = j;
    }
    free(e);
}
