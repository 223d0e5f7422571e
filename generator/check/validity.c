/* Normative documents (规范性文件, the categories with validity): one past
 * its `expires` date cannot still be 有效, and a valid one must have been
 * cleaned up (清理) within two years. A clean-up counts for a document when
 * a published item with 清理 in its title, dated after the document, cites
 * the document's 文号; otherwise the document's own date is its last review. */
#include "check_internal.h"

#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void validity_expired(check_ctx *c, const content_item *it)
{
    if (!it->expires.set || date_cmp(it->expires.day, c->opt->today) >= 0)
        return;
    char when[11];
    date_format(it->expires.day, when);
    int line = it->front_line, col = 1;
    content_item_where(it, "status", &line, &col);
    check_diag(c, DIAG_WARNING, "GK216", it, line, col,
               "失效日期 %s 已过，有效性却仍是“有效”：请改为 status = \"失效\"（或已废止的改为"
               "“废止”）；如已延期，请更新 expires",
               when);
}

/* Whether the clean-up item `q` cites the document number of `ci`, as
 * written or in the form naming.lua gave the catalogue (asked here when it
 * did not). */
static bool validity_cites(check_ctx *c, const content_item *q, const catalogue_item *ci)
{
    const char *raw = ci->item->doc_number.s, *norm = ci->doc_number ? ci->doc_number : raw;
    if (c->names && !ci->doc_number)
        naming_doc_number(c->names, &c->mem, raw, &norm);
    return strstr(q->text, raw) || strstr(q->text, norm);
}

static void validity_cleanup(check_ctx *c, const catalogue_item *ci, const content_item **cleanups,
                             size_t ncleanups)
{
    const content_item *it = ci->item;
    date last = it->date.day;
    for (size_t k = 0; it->doc_number.s && k < ncleanups; k++) {
        const content_item *q = cleanups[k];
        if (date_cmp(q->date.day, last) > 0 && validity_cites(c, q, ci))
            last = q->date.day;
    }
    if (date_cmp(check_add_years(last, 2), c->opt->today) >= 0)
        return;
    char when[11];
    date_format(last, when);
    int line = it->front_line, col = 1;
    content_item_where(it, "status", &line, &col);
    check_diag(
        c, DIAG_WARNING, "GK217", it, line, col,
        "这份规范性文件自 %s 以来已超过两年没有清理（规范性文件每两年清理一次）：请组织清理，"
        "公布清理结果（标题含“清理”，列出本文件文号）；清理后失效或废止的，改写 status",
        when);
}

void check_validity_run(check_ctx *c)
{
    if (!c->cat || c->cat->item_count != c->set->len)
        return;
    const content_item **cleanups = xmalloc((c->set->len + 1) * sizeof *cleanups);
    size_t ncleanups = 0;
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (it->date.set && it->title && strstr(it->title, "清理") && check_item_published(c, it))
            cleanups[ncleanups++] = it;
    }
    for (size_t i = 0; i < c->set->len; i++) {
        const catalogue_item *ci = check_catalogue_item(c, i);
        const content_item *it = ci->item;
        if (!ci->category || !ci->category->validity || it->status != CONTENT_VALIDITY_VALID ||
            !it->date.set || !check_item_published(c, it))
            continue;
        validity_expired(c, it);
        validity_cleanup(c, ci, cleanups, ncleanups);
    }
    free(cleanups);
}
