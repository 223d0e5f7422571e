/* Fixed content (固定内容: functions, leaders, contacts, the guide) is
 * refreshed at least yearly. For each department and fixed category the
 * newest item counts: older versions are history, not staleness. */
#include "check_internal.h"

#include "../util/xalloc.h"

#include <stdlib.h>

void check_fixed_run(check_ctx *c)
{
    if (!c->cat || c->cat->item_count != c->set->len)
        return;
    size_t ncat = c->cat->count, ndept = c->cfg->department_count;
    /* The newest item per department and category, by index + 1. */
    size_t *newest = xcalloc(ndept * ncat + 1, sizeof *newest);
    for (size_t i = 0; i < c->set->len; i++) {
        const catalogue_item *ci = check_catalogue_item(c, i);
        const content_item *it = ci->item;
        if (!ci->category || !ci->category->fixed || !it->dept || !it->date.set ||
            !check_item_published(c, it))
            continue;
        size_t k = (size_t)(it->dept - c->cfg->departments) * ncat +
                   (size_t)(ci->category - c->cat->categories);
        if (!newest[k] || date_cmp(c->set->items[newest[k] - 1].date.day, it->date.day) < 0)
            newest[k] = i + 1;
    }
    for (size_t k = 0; k < ndept * ncat; k++) {
        if (!newest[k])
            continue;
        const content_item *it = &c->set->items[newest[k] - 1];
        date due = check_add_years(it->date.day, 1);
        if (date_cmp(due, c->opt->today) >= 0)
            continue;
        char when[11];
        date_format(it->date.day, when);
        int line = it->front_line, col = 1;
        content_item_where(it, "date", &line, &col);
        check_diag(c, DIAG_WARNING, "GK215", it, line, col,
                   "“%s”是固定内容，每年至少更新一次，上次更新是 %s，已超过一年：请核对内容，更新后"
                   "改写 date",
                   c->cat->categories[k % ncat].name, when);
    }
    free(newest);
}
