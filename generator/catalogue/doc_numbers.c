/* Every 文号 in its standard form and split, asked of naming.lua once per
 * item and kept on the catalogue item, so that the duplicate-number rule,
 * the clean-up rule and the pages share one answer. naming.lua is slow at
 * this (two calls an item), so the items are shared out over threads, each
 * asking on its own handle (naming_fork). naming.lua reports an error once
 * and then fails quietly, so errors cannot be merged from several handles:
 * when any worker meets one, all their work is dropped and the numbers are
 * asked again on the caller's handle, one by one, in item order, which
 * reports the error exactly as a single thread would. Numbers the memo of
 * earlier runs knows (naming_memo.c) are not asked at all; when it knows them
 * all, no naming.lua runs. */
#include "catalogue_internal.h"

#include "../util/pool.h"
#include "../util/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Fewer numbers than this are not worth a naming.lua per thread. */
#define DOC_PARALLEL_MIN 64

bool catalogue_doc_number_wanted(const content_item *it, bool drafts)
{
    return it->doc_number.s && it->doc_number.s[0] && it->dept && it->date.set &&
           it->disclosure != CONTENT_DISCLOSURE_WITHHELD && (!it->draft || drafts);
}

int catalogue_doc_number_ask(naming *n, arena *mem, const char *raw, const char **shown,
                             naming_doc_parts *parts)
{
    if (naming_doc_number(n, mem, raw, shown) != 0)
        return -1;
    return naming_doc_number_parts(n, mem, raw, parts);
}

/* Ask about item i into its catalogue item; false when naming.lua failed. */
static bool doc_ask_one(catalogue *cat, naming *n, arena *mem, size_t i)
{
    catalogue_item *ci = &cat->items[i];
    const char *shown;
    naming_doc_parts parts;
    int r = catalogue_doc_number_ask(n, mem, ci->item->doc_number.s, &shown, &parts);
    if (r < 0)
        return false;
    ci->doc_number = shown;
    ci->doc_split = r == 1;
    if (ci->doc_split)
        ci->doc_parts = parts;
    return true;
}

typedef struct doc_par {
    catalogue *cat;
    bool drafts;
    naming **names;   /* per worker */
    diag_list *diags; /* per worker */
    arena *mem;       /* per worker */
    atomic_size_t next;
    atomic_bool failed;
} doc_par;

static void doc_worker(void *ctx, size_t w)
{
    doc_par *p = ctx;
    while (!atomic_load(&p->failed)) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->cat->item_count)
            break;
        if (!catalogue_doc_number_wanted(p->cat->items[i].item, p->drafts) ||
            p->cat->items[i].doc_number)
            continue;
        if (!doc_ask_one(p->cat, p->names[w], &p->mem[w], i) || p->diags[w].len) {
            atomic_store(&p->failed, true);
            break;
        }
    }
}

/* Ask the `missing` numbers the memo did not answer on `workers` threads;
 * false when that was not done (one thread, few numbers, or an error from
 * naming.lua). */
static bool doc_ask_parallel(catalogue *cat, naming *n, bool drafts, size_t workers, size_t missing)
{
    if (workers < 2 || missing < DOC_PARALLEL_MIN)
        return false;
    doc_par p = {cat,
                 drafts,
                 xcalloc(workers, sizeof *p.names),
                 xcalloc(workers, sizeof *p.diags),
                 xcalloc(workers, sizeof *p.mem),
                 0,
                 false};
    bool forked = true;
    for (size_t w = 0; w < workers; w++) {
        diag_list_init(&p.diags[w]);
        arena_init(&p.mem[w]);
        if (forked && naming_fork(&p.names[w], n, &p.diags[w]) != 0)
            forked = false;
    }
    if (forked)
        pool_run(workers, doc_worker, &p);
    bool ok = forked && !atomic_load(&p.failed);
    for (size_t w = 0; w < workers; w++) {
        naming_close(p.names[w]);
        diag_list_free(&p.diags[w]);
        arena_adopt(&cat->mem, &p.mem[w]);
    }
    free(p.names);
    free(p.diags);
    free(p.mem);
    return ok;
}

/* Keep what naming.lua answered in this run for the next. */
static void doc_memo_keep_all(catalogue *cat, bool drafts, naming_memo *names)
{
    for (size_t i = 0; names && i < cat->item_count; i++)
        if (catalogue_doc_number_wanted(cat->items[i].item, drafts))
            memo_doc_keep(names, &cat->items[i]);
}

int catalogue_doc_numbers_apply(catalogue *cat, naming *n, bool drafts, size_t workers,
                                catalogue_memo *memo)
{
    naming_memo *names = memo ? memo->names : NULL;
    size_t missing = 0;
    for (size_t i = 0; i < cat->item_count; i++)
        if (catalogue_doc_number_wanted(cat->items[i].item, drafts) &&
            !memo_doc_answer(names, &cat->mem, &cat->items[i]))
            missing++;
    if (!missing)
        return 0;
    if (doc_ask_parallel(cat, n, drafts, workers ? workers : pool_default_workers(), missing)) {
        doc_memo_keep_all(cat, drafts, names);
        return 0;
    }
    /* In item order on the caller's handle, from nothing: once naming.lua
     * has failed, later items are left unanswered, memo or not, as they
     * would be without it. */
    for (size_t i = 0; i < cat->item_count; i++) {
        cat->items[i].doc_number = NULL;
        cat->items[i].doc_split = false;
    }
    bool ok = true;
    for (size_t i = 0; i < cat->item_count; i++) {
        catalogue_item *ci = &cat->items[i];
        if (!catalogue_doc_number_wanted(ci->item, drafts) ||
            (ok && memo_doc_answer(names, &cat->mem, ci)))
            continue;
        if (!doc_ask_one(cat, n, &cat->mem, i))
            ok = false;
    }
    doc_memo_keep_all(cat, drafts, names);
    return ok ? 0 : -1;
}
