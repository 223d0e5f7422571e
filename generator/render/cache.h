/* The build cache, <site>/.gongkai/items.cache: per item, the key of all
 * its pages were made from, the pages it wrote (site path and size) and what
 * the listings show of it that only rendering finds out (the version label).
 * A rebuild takes an item whose key is unchanged from the previous site
 * instead of rendering it again; so too a listing page (site.c,
 * site_keep.c), keyed by all it shows.
 *
 * The file is "GKCACHE2", the gongkai version, the site key, the number of
 * records, then per item,
 * sorted by source path: key, path, version ("" for none), working ("1",
 * "0" or "-" when unknown), the number of pages, and each page's site path
 * and size; then the listing records: "LISTINGS", their number and per
 * listing page, sorted by site path: key, site path and size. Every field
 * ends with a NUL. A file that does not read so is ignored with a warning
 * (GK403): the build renders everything. */
#ifndef GK_RENDER_CACHE_H
#define GK_RENDER_CACHE_H

#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/diag.h"

#include <stdint.h>

typedef struct cache_page {
    const char *path; /* site path as written: "/czj/2025/x/" */
    size_t size;
} cache_page;

typedef struct cache_item {
    const char *path; /* the source, from the site root; NULL: no record */
    uint64_t key;
    const char *version; /* NULL: none */
    int working;         /* 1, 0, or -1: not known */
    cache_page *pages;
    size_t page_count;
} cache_item;

/* A listing page (catalogue, facet, sub-site page, feed, sitemap...): the
 * key of all it shows (the site, the page, and what each item it lists
 * shows there, never the bodies) and the file it wrote. */
typedef struct cache_listing {
    const char *path; /* site path as written: "/xxgk/ml/gkzn/page/2/", "/feed.xml" */
    uint64_t key;
    size_t size;
} cache_listing;

typedef struct build_cache {
    arena mem;
    uint64_t site_key;
    cache_item *items; /* the previous build's records, sorted by path */
    size_t len;
    cache_listing *listings; /* the previous build's listing pages, sorted by path */
    size_t listing_len;
} build_cache;

/* Read the cache at `file` (a missing file is an empty cache). Records
 * made under another site key are dropped: everything on every item page
 * may have changed. Never fails: what cannot be used is dropped, with a
 * GK403 warning when the file was damaged or written by another version. */
void build_cache_load(build_cache *c, const char *file, uint64_t site_key, diag_list *diags);
/* The previous record of source `path`, or NULL. */
const cache_item *build_cache_find(const build_cache *c, const char *path);
/* The previous record of the listing page written at site path `path`, or NULL. */
const cache_listing *build_cache_listing_find(const build_cache *c, const char *path);
/* Write the records items[0..n) (those with a path) and the listing pages
 * listings[0..listing_n) (but those of a path written twice) as the cache
 * at `file`, atomically, creating its folder. Returns 0, or -1 with a
 * message in *err. */
int build_cache_save(const char *file, uint64_t site_key, const cache_item *items, size_t n,
                     const cache_listing *listings, size_t listing_n, buf *err);
void build_cache_free(build_cache *c);

/* h fed with every file under `dir`, names and bytes, in name order; a
 * missing folder counts too. */
uint64_t build_cache_tree_hash(uint64_t h, const char *dir);

#endif
