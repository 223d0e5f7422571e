/* The build cache, <site>/.gongkai/items.cache: per item, the key of all
 * its pages were made from, the pages it wrote (site path and size) and what
 * the listings and the search index take from it that only rendering finds
 * out (the version label, the search entry with the summary). A rebuild
 * takes an item whose key is unchanged from the previous site instead of
 * rendering it again, without reading its body; so too a listing page
 * (site_listings.c, site_keep.c) or an annual report's page or CSV file
 * (site_reports.c), keyed by all it shows. A record's key covers, with
 * its data, the template files its pages used and, when they read them,
 * the site's figures (its dependency set, site_deps.c): a template edit
 * renders again only the pages that used it.
 *
 * The file is "GKCACHE5", the gongkai version, the site key, the number of
 * records; then the dependency sets: "DEPS", their number and per set what
 * of the site it read (the CACHE_READS_* bits, one decimal digit), its
 * number of files and their names;
 * then per item, sorted by source path: key, path, version (""
 * for none), working ("1", "0" or "-" when unknown), its dependency set's
 * index, its search entry's offset, length (0: none) and checksum, its QR
 * code's key, offset, length and checksum, the
 * number of pages, and each page's site path and size; then the listing
 * records: "LISTINGS", their number and per listing page, sorted by site
 * path: key, site path, size and dependency set. Every field ends with a
 * NUL; last comes the seal (fields_seal). A file that does not read so is
 * ignored with a warning (GK403): the build renders everything.
 *
 * The search entries (search_entry_write: a few KB each, the summary a
 * tenth of it) and the QR codes' modules (qrcode_matrix_write: some 140
 * bytes at a common URL's length) sit apart,
 * in items.entries beside it, so that a build holds
 * none but those it is adding and reads only those it reuses: "GKENTRY1", then
 * entries one after another; a record gives its entry's offset from the
 * start of the file and its length in decimal, and a 64-bit checksum of its
 * bytes in hex. A build appends the entries it makes; when more than half of
 * the file is entries no record points to, the build writes all of its
 * entries into items.entries.tmp instead, which is renamed over the old file
 * just before the records are written. Records are written last
 * (atomically), so a crash leaves the previous records, whose entries are
 * still where they were, unless the crash came between that rename and the
 * records: then their entries fail their checksums and those items are
 * rendered. An entry is trusted only when all its bytes, within the file,
 * read back with its record's checksum (else the item is rendered); a
 * missing or damaged entries file while records point into it drops the
 * whole cache with a GK403 warning. */
#ifndef GK_RENDER_CACHE_H
#define GK_RENDER_CACHE_H

#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/diag.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cache_page {
    const char *path; /* site path as written: "/czj/2025/x/" */
    size_t size;
} cache_page;

/* Where an item's search entry or QR code sits in the entries file: `len`
 * bytes at `off`, with checksum `sum`; len 0: none. */
typedef struct cache_entry {
    uint64_t off, sum;
    size_t len;
} cache_entry;

/* What a page depends on besides the data it shows: its inputs, by name,
 * sorted. The template files its render asked for (page template, layouts,
 * partials, modules); the site's figures it read, named from '#': "#site"
 * for the site's item count and newest date, "#dept:<id>" and
 * "#category:<key>" for their item counts; and the items' files its body
 * links to, named from '@': "@content/czj/2025/a.md" (which item is there,
 * if any, and its URL). No template name starts with either. Records name
 * theirs by index into the cache's list of sets. */
typedef struct cache_deps {
    const char **inputs;
    size_t input_count;
} cache_deps;

typedef struct cache_item {
    const char *path;    /* the source, from the site root; NULL: no record */
    uint64_t key;        /* of its data and of its dependency set's files as they were */
    const char *version; /* NULL: none */
    int working;         /* 1, 0, or -1: not known */
    cache_page *pages;
    size_t page_count;
    cache_entry entry;
    size_t deps; /* its dependency set */
    /* Its page's QR code: the key of the text it encodes (qrcode_key) and
     * its modules in the entries file (qrcode_matrix_write; len 0: none),
     * which a page rendered again draws from while the text is the same. */
    uint64_t qr_key;
    cache_entry qr;
} cache_item;

/* A listing page (catalogue, facet, sub-site page, feed, sitemap...): the
 * key of all it shows (the site, the page, and what each item it lists
 * shows there, never the bodies) and the file it wrote. */
typedef struct cache_listing {
    const char *path; /* site path as written: "/xxgk/ml/gkzn/page/2/", "/feed.xml" */
    uint64_t key;
    size_t size;
    size_t deps; /* its dependency set */
} cache_listing;

/* What a build saves: the dependency sets and the records naming them. */
typedef struct cache_records {
    const cache_deps *deps;
    size_t deps_len;
    const cache_item *items; /* those with a path */
    size_t item_len;
    const cache_listing *listings; /* but those of a path written twice */
    size_t listing_len;
} cache_records;

typedef struct build_cache {
    arena mem;
    uint64_t site_key;
    cache_deps *deps; /* the previous build's dependency sets */
    size_t deps_len;
    cache_item *items; /* the previous build's records, sorted by path */
    size_t len;
    cache_listing *listings; /* the previous build's listing pages, sorted by path */
    size_t listing_len;
    /* What build_cache_read found before the site key was known: the
     * file's key (when `keyed`), and why its records cannot be used. */
    uint64_t file_key;
    bool keyed;
    const char *damage; /* NULL: they can */
    /* The entries file: the previous build's, read from (-1: none), and
     * where this build's go, the same file when appending to it, else a
     * new one at `out_path` until build_cache_entries_commit. */
    const char *entries_path; /* NULL: the cache was never loaded */
    int entries_fd, out_fd;
    uint64_t entries_size; /* of the previous file: no entry lies beyond */
    const char *out_path;  /* NULL: appending */
    uint64_t out_start;
    _Atomic uint64_t out_end;
    _Atomic int out_errno; /* the first write error, or 0 */
} build_cache;

/* Read the cache at `file` (a missing file is an empty cache). Records
 * made under another site key are dropped: everything on every item page
 * may have changed. Never fails: what cannot be used is dropped, with a
 * GK403 warning when the file was damaged or written by another version. */
void build_cache_load(build_cache *c, const char *file, uint64_t site_key, diag_list *diags);
/* build_cache_load in two steps, the first of which needs no site key and
 * may run on another thread: read the records, then (on the build's
 * thread) drop them when they are another site key's or unusable, warn,
 * and open the entries file. */
void build_cache_read(build_cache *c, const char *file);
void build_cache_open(build_cache *c, const char *file, uint64_t site_key, diag_list *diags);
/* Item's entry (at `at`, from a previous record) into `out`, replacing its
 * contents. Returns 0, or -1 when it is not there whole with its checksum.
 * Any thread may read at once. */
int build_cache_entry_read(const build_cache *c, const cache_entry *at, buf *out);
/* An entry of this build (at `at`, as build_cache_entry_append or
 * build_cache_entry_keep said), before build_cache_entries_commit: as
 * build_cache_entry_read. */
int build_cache_entry_reread(build_cache *c, const cache_entry *at, buf *out);
/* Append an entry of this build; *at says where, for its record (len 0 when
 * it could not be written: build_cache_entries_commit reports why). Any
 * thread may append at once. */
void build_cache_entry_append(build_cache *c, const void *data, size_t len, cache_entry *at);
/* A reused entry (data[0..len), as read from `prev`; data NULL: not read,
 * and read here when it must be copied): *at is where it stays, or where
 * it went in the new file (len 0 when it did not read back). */
void build_cache_entry_keep(build_cache *c, const cache_entry *prev, const void *data, size_t len,
                            cache_entry *at);
/* Finish this build's entries and put a new entries file in place (not
 * flushed to disk: the records' checksums find what a power failure lost),
 * before build_cache_save. Returns 0, or -1 with a message in *err. */
int build_cache_entries_commit(build_cache *c, buf *err);

/* The previous record of the listing page written at site path `path`, or NULL. */
const cache_listing *build_cache_listing_find(const build_cache *c, const char *path);
/* Write `rec` as the cache at `file`, whole or not at all, sealed
 * (fields_seal) and not flushed to disk, creating its folder.
 * Returns 0, or -1 with a message in *err. */
int build_cache_save(const char *file, uint64_t site_key, const cache_records *rec, buf *err);
void build_cache_free(build_cache *c);

/* h fed with every file under `dir` whose name ends in `suffix` ("" for
 * all), names and bytes, in name order; a missing folder counts too. */
uint64_t build_cache_tree_hash(uint64_t h, const char *dir, const char *suffix);

#endif
