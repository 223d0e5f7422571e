/* Review before posting (审核): an item on a notice board whose site.toml
 * entry says review = true carries the supervision group's sign-off,
 * reviewed_by and reviewed_on, given before the item was published. */
#include "check_internal.h"

static void review_item(check_ctx *c, const content_item *it)
{
    const board *needs = NULL;
    for (size_t k = 0; k < it->boards.len && !needs; k++) {
        const board *b = config_board_find(c->cfg, it->boards.v[k].s);
        if (b && b->review_required)
            needs = b;
    }
    if (!needs)
        return;
    int line = it->front_line, col = 1;
    if (!it->reviewed_by.len || !it->reviewed_on.set) {
        content_item_where(it, "boards", &line, &col);
        check_diag(c, DIAG_WARNING, "GK218", it, line, col,
                   "这条信息张贴在须经审核的公开栏“%s”上，但没有审核签字：请在监督小组审核后填写 "
                   "reviewed_by（审核人）和 reviewed_on（审核日期）",
                   needs->id);
        return;
    }
    if (it->date.set && date_cmp(it->reviewed_on.day, it->date.day) > 0) {
        char on[11], when[11];
        date_format(it->reviewed_on.day, on);
        date_format(it->date.day, when);
        if (!content_item_where(it, "reviewed_on", &line, &col))
            content_item_where(it, "boards", &line, &col);
        check_diag(c, DIAG_WARNING, "GK218", it, line, col,
                   "审核日期 %s 晚于发布日期 %s：公开栏上的信息应先审核、后公开，请核对日期", on,
                   when);
    }
}

void check_review_run(check_ctx *c)
{
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (check_item_published(c, it))
            review_item(c, it);
    }
}
