/* The search index kept from build to build (search.h): the build cache's
 * records say which entries the previous build had for this build's docs,
 * and where the index reads them and this build's back. */
#include "site_internal.h"

#include "../util/pool.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The file beside the build cache's records: items.cache, items.search. */
static void site_search_file(const site_builder *b, buf *out)
{
    size_t stem = strlen(b->opt->cache_file);
    if (stem > 6 && strcmp(b->opt->cache_file + stem - 6, ".cache") == 0)
        stem -= 6;
    buf_put(out, b->opt->cache_file, stem);
    buf_puts(out, ".search");
}

static int site_search_prev_entry(void *ctx, size_t doc, buf *out)
{
    site_builder *b = ctx;
    const cache_item *prev = b->prev[b->published[doc]];
    return prev ? build_cache_entry_read(&b->cache, &prev->entry, out) : -1;
}

/* This build's entry of a doc: as the cache holds it, or else (the cache
 * damaged) made again from the item's file, never a failed build. */
static int site_search_entry(void *ctx, size_t doc, buf *out)
{
    site_builder *b = ctx;
    size_t i = b->published[doc];
    if (build_cache_entry_reread(&b->cache, &b->next[i].entry, out) != 0)
        site_item_entry(b, i, out);
    return 0;
}

/* Per published item, the checksum of the entry the previous build's
 * record of it has, when it has one. */
static search_prev_doc *site_search_prev(const site_builder *b)
{
    size_t n = b->published_len;
    search_prev_doc *prev = xmalloc((n + 1) * sizeof *prev);
    for (size_t k = 0; k < n; k++) {
        const cache_item *was = b->prev[b->published[k]];
        prev[k] = was && was->entry.len ? (search_prev_doc){was->entry.sum, true}
                                        : (search_prev_doc){0, false};
    }
    return prev;
}

void site_search_keep(site_builder *b)
{
    if (!b->next)
        return;
    buf file = BUF_INIT;
    site_search_file(b, &file);
    search_prev_doc *prev = site_search_prev(b);
    search_keep_io io = {site_search_prev_entry, site_search_entry, b};
    size_t workers = b->opt->jobs ? b->opt->jobs : pool_default_workers();
    search_index_keep(b->search, file.ptr, prev, b->published_len, &b->out, &io, workers, b->diags);
    free(prev);
    buf_free(&file);
}

int site_search_save(site_builder *b, buf *err)
{
    if (!b->next)
        return 0;
    uint64_t *sums = xmalloc((b->published_len + 1) * sizeof *sums);
    for (size_t k = 0; k < b->published_len; k++)
        sums[k] = b->next[b->published[k]].entry.sum;
    int rc = search_index_save(b->search, sums, b->published_len, err);
    free(sums);
    return rc;
}
