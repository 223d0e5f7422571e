/* Timeliness (时效): information is published within 20 working days of
 * being formed or changed, counted with site.toml's [calendar]: statutory
 * holidays off, make-up days (调休) on. A year the calendar does not cover
 * is counted with weekends only, and one warning names those years so the
 * webmaster adds the State Council's schedule. */
#include "check_internal.h"

#include "../util/buf.h"

#include <stdbool.h>

#define TIMELINESS_LIMIT 20

void check_timeliness_run(check_ctx *c)
{
    /* Years the counting touched that the calendar does not cover. */
    unsigned char unknown[10000 / 8 + 1] = {0};
    bool any_unknown = false;
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (!it->created.set || !it->date.set || !check_item_published(c, it))
            continue;
        date from = it->created.day, to = it->date.day;
        if (date_cmp(to, from) <= 0)
            continue;
        long days = workday_count(&c->cal, from, to);
        for (int y = from.year; y <= to.year; y++) {
            if (!workday_year_known(&c->cal, y)) {
                unknown[y / 8] |= (unsigned char)(1u << (y % 8));
                any_unknown = true;
            }
        }
        if (days <= TIMELINESS_LIMIT)
            continue;
        char created[11], due[11];
        date_format(from, created);
        date_format(workday_add(&c->cal, from, TIMELINESS_LIMIT), due);
        int line = it->front_line, col = 1;
        content_item_where(it, "date", &line, &col);
        check_diag(c, DIAG_WARNING, "GK211", it, line, col,
                   "发布日期距成文日期 %s 已有 %ld 个工作日，超过了 %d 个工作日的公开时限（应在 "
                   "%s 前公开）：请及时发布；如成文日期写错了，请改正 created",
                   created, days, TIMELINESS_LIMIT, due);
    }
    if (!any_unknown)
        return;
    buf years = BUF_INIT;
    for (int y = 1; y < 10000; y++)
        if (unknown[y / 8] & (1u << (y % 8)))
            buf_printf(&years, "%s%d", years.len ? "、" : "", y);
    diag_add(c->diags, DIAG_WARNING, "GK212", c->cfg->path, 0, 0,
             "[calendar] 中没有 %s 年的节假日和调休安排，这些年份按只有周六、周日休息计算工作日："
             "请在国务院办公厅发布节假日安排后，把放假日期加到 holidays、调休上班日期加到 "
             "workdays",
             years.ptr);
    buf_free(&years);
}
