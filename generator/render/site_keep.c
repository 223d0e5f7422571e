/* Listing pages kept from the previous build. A listing (a catalogue or
 * facet page, a sub-site page, a feed, the sitemap...) shows the site and,
 * of each item it lists, what the item's table holds: the front matter and
 * what the generator and the item pages made of it, never the body itself.
 * Its key is computed from those before any Lua table is built, so that a
 * page whose key the build cache holds, with its file as it was, is kept
 * without rendering it. */
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/pool.h"
#include "../util/xalloc.h"

#include <string.h>

/* What the table of catalogue item i (site_item_push, plus what the item
 * pages found) may show: the file up to its body, where the item is and
 * what naming.lua called it (keep_item_front_key), its summary and version
 * (keep_item_key). The department and category tables it points to are the
 * site key's. */
static uint64_t keep_item_front_key(const site_builder *b, size_t i)
{
    const catalogue_item *ci = &b->cat->items[i];
    const content_item *it = ci->item;
    size_t front = it->text_len;
    if (it->body && it->body >= it->text && it->body <= it->text + it->text_len)
        front = (size_t)(it->body - it->text);
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)hash64_block(it->text, front));
    h = hash64_str(h, it->path);
    h = hash64_str(h, ci->url);
    h = hash64_str(h, ci->index_no);
    h = hash64_int(h, ci->category - b->cat->categories);
    h = hash64_int(h, it->dept ? it->dept - b->cfg->departments : -1);
    h = hash64_str(h, b->item[i].doc_number);
    return hash64_str(h, b->item[i].period_label);
}

static uint64_t keep_item_key(const site_builder *b, size_t i, uint64_t front)
{
    const site_item_found *f = &b->found[i];
    uint64_t h = hash64_str(front, f->summary);
    h = hash64_str(h, f->version);
    return hash64_int(h, f->working);
}

void site_keep_item_front_keys(site_builder *b)
{
    if (!b->opt->cache_file)
        return;
    b->listed_key = xcalloc(b->cat->item_count + 1, sizeof *b->listed_key);
    for (size_t k = 0; k < b->published_len; k++)
        b->listed_key[b->published[k]] = keep_item_front_key(b, b->published[k]);
}

static void keep_item_key_set(void *ctx, size_t k)
{
    site_builder *b = ctx;
    size_t i = b->published[k];
    b->listed_key[i] = keep_item_key(b, i, b->listed_key[i]);
}

void site_keep_item_keys(site_builder *b)
{
    if (!b->next)
        return;
    site_side_wait(b);
    pool_for(b->opt->jobs ? b->opt->jobs : pool_default_workers(), b->published_len, 256,
             keep_item_key_set, b);
}

uint64_t site_keep_page_key(const site_builder *b, const char *kind, const char *url,
                            const char *title)
{
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)b->site_key);
    return hash64_str(hash64_str(hash64_str(h, kind), url), title);
}

uint64_t site_keep_items_key(const site_builder *b, uint64_t h, const size_t *idx, size_t n)
{
    h = hash64_int(h, (int64_t)n);
    for (size_t i = 0; b->listed_key && i < n; i++)
        h = hash64_int(h, (int64_t)b->listed_key[idx[i]]);
    return h;
}

bool site_keep_page(site_builder *b, const char *file, uint64_t key, cache_listing *rec)
{
    if (!b->next)
        return false;
    const cache_listing *prev = build_cache_listing_find(&b->cache, file);
    size_t deps;
    if (!prev || !site_deps_keep(b, key, prev->key, prev->deps, &deps))
        return false;
    if (b->listed_there && b->out.target_fd >= 0) {
        if (!b->listed_there[prev - b->cache.listings]) /* the prefetch looked */
            return false;
    } else if (!output_keepable(&b->out, file, prev->size)) {
        return false;
    }
    output_keep(&b->out, file);
    *rec = *prev;
    rec->deps = deps;
    return true;
}

void site_keep_record(site_builder *b, const cache_listing *rec)
{
    b->listed = xgrow(b->listed, &b->listed_cap, b->listed_len + 1, sizeof *b->listed);
    b->listed[b->listed_len++] = *rec;
}
