/* Which items go on which notice board, for which period (DOMAIN items 3-5):
 * the selection the sheets print and the archive files. */
#include "catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool catalogue_item_printable(const catalogue_item *ci)
{
    const content_item *it = ci->item;
    return it->ok && ci->category && ci->index_no && ci->url && !it->draft &&
           it->disclosure == CONTENT_DISCLOSURE_PUBLIC && !it->secrecy.s && it->date.set;
}

bool catalogue_item_on_board(const catalogue_item *ci, const board *b)
{
    const content_list *boards = &ci->item->boards;
    for (size_t i = 0; i < boards->len; i++)
        if (boards->v[i].s && strcmp(boards->v[i].s, b->id) == 0)
            return true;
    return false;
}

content_period catalogue_period_of(date d, content_period_kind kind)
{
    if (kind == CONTENT_PERIOD_QUARTER)
        return (content_period){CONTENT_PERIOD_QUARTER, d.year, (d.month - 1) / 3 + 1};
    return (content_period){CONTENT_PERIOD_MONTH, d.year, d.month};
}

content_period_kind catalogue_board_period_kind(const board *b)
{
    return b->period == BOARD_PERIOD_QUARTER ? CONTENT_PERIOD_QUARTER : CONTENT_PERIOD_MONTH;
}

category_periodic catalogue_period_periodic(content_period_kind kind)
{
    return kind == CONTENT_PERIOD_QUARTER ? CATEGORY_PERIODIC_QUARTER : CATEGORY_PERIODIC_MONTH;
}

date catalogue_period_first_day(content_period p)
{
    int month = p.kind == CONTENT_PERIOD_QUARTER ? (p.n - 1) * 3 + 1 : p.n;
    return (date){p.year, month, 1};
}

date catalogue_period_last_day(content_period p)
{
    int month = p.kind == CONTENT_PERIOD_QUARTER ? p.n * 3 : p.n;
    return (date){p.year, month, date_days_in_month(p.year, month)};
}

content_period catalogue_period_next(content_period p)
{
    date after = date_from_days(date_to_days(catalogue_period_last_day(p)) + 1);
    return catalogue_period_of(after, p.kind);
}

int catalogue_period_cmp(content_period a, content_period b)
{
    int c = date_cmp(catalogue_period_first_day(a), catalogue_period_first_day(b));
    if (c)
        return c;
    return date_cmp(catalogue_period_last_day(a), catalogue_period_last_day(b));
}

void catalogue_period_format(content_period p, char *out)
{
    if (p.kind == CONTENT_PERIOD_QUARTER)
        snprintf(out, 16, "%04d-Q%d", p.year, p.n);
    else
        snprintf(out, 16, "%04d-%02d", p.year, p.n);
}

content_period catalogue_item_period(const catalogue_item *ci, content_period_kind kind)
{
    const content_item *it = ci->item;
    content_period own = it->period;
    if (own.kind == kind)
        return own;
    /* A month lies inside one quarter; a quarter spans several months, and
     * goes up in the month it was posted. */
    if (own.kind == CONTENT_PERIOD_MONTH && kind == CONTENT_PERIOD_QUARTER)
        return catalogue_period_of(catalogue_period_first_day(own), kind);
    return catalogue_period_of(it->date.day, kind);
}

static int board_item_cmp(const void *pa, const void *pb)
{
    const content_item *a = (*(const catalogue_item *const *)pa)->item;
    const content_item *b = (*(const catalogue_item *const *)pb)->item;
    int c = date_cmp(a->date.day, b->date.day);
    return c ? c : strcmp(a->path, b->path);
}

static bool board_item_selected(const catalogue_item *ci, const board *b)
{
    return catalogue_item_printable(ci) && catalogue_item_on_board(ci, b);
}

const catalogue_item **catalogue_board_items(const catalogue *cat, const board *b, content_period p,
                                             arena *mem, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->item_count; i++)
        n += board_item_selected(&cat->items[i], b);
    const catalogue_item **out = arena_alloc(mem, (n ? n : 1) * sizeof *out);
    n = 0;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        if (board_item_selected(ci, b) &&
            catalogue_period_cmp(catalogue_item_period(ci, p.kind), p) == 0)
            out[n++] = ci;
    }
    qsort(out, n, sizeof *out, board_item_cmp);
    *count = n;
    return out;
}

bool catalogue_board_latest_period(const catalogue *cat, const board *b, content_period *out)
{
    content_period_kind kind = catalogue_board_period_kind(b);
    bool found = false;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        if (!board_item_selected(ci, b))
            continue;
        content_period p = catalogue_item_period(ci, kind);
        if (!found || catalogue_period_cmp(p, *out) > 0)
            *out = p;
        found = true;
    }
    return found;
}
