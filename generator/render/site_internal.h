/* The page builder's parts (site.c: the build; site_state.c: a Lua state
 * with the site's tables, and the page helpers; site_items.c: the item
 * pages, site_listings.c: the listing pages, each on a pool of threads).
 *
 * Everything naming.lua decides is asked once, on the calling thread, and
 * kept in the builder (site_names); each state builds its tables from those,
 * so that the item pages can be rendered in several states at once. */
#ifndef GK_RENDER_SITE_INTERNAL_H
#define GK_RENDER_SITE_INTERNAL_H

#include "cache.h"
#include "facets.h"
#include "output.h"
#include "search.h"
#include "site.h"
#include "template.h"

#include "../report/report.h"
#include "../util/arena.h"

#include <lua.h>
#include <pthread.h>

/* Feeds list this many newest items. */
#define SITE_FEED_ITEMS 50
/* The home page shows this many newest items, a sub-site this many per category. */
#define SITE_HOME_ITEMS 15
#define SITE_DEPT_CATEGORY_ITEMS 5
/* Lua memory allowed per item for its table in the templates' state. */
#define SITE_MEMORY_PER_ITEM ((size_t)8 << 10)
/* Summaries are cut to this many characters. */
#define SITE_SUMMARY_CHARS 120

typedef struct site_builder site_builder;

/* A page input's hash in this build (site_deps.c): a template file's, or
 * one of the site's figures'. */
typedef struct site_dep_file {
    const char *name;
    uint64_t hash;
} site_dep_file;

/* Per department, category and item: what naming.lua said, and the counts. */
typedef struct site_dept_names {
    const char *subsite_name, *url, *feed_url;
    size_t item_count;
} site_dept_names;

typedef struct site_category_names {
    const char *url;
    size_t item_count; /* with its children's */
} site_category_names;

typedef struct site_item_names {
    const char *doc_number;   /* as naming.lua writes it, or NULL */
    const char *period_label; /* or NULL */
} site_item_names;

/* What an item's page found out that listings show: set on the item's table
 * in the state that renders the listings once the item pages are done. */
typedef struct site_item_found {
    const char *summary; /* NULL: none (依申请公开) */
    const char *version; /* "v3", or NULL */
    int working;         /* -1: not known (the site is not in git) */
} site_item_found;

/* One Lua state with the templates compiled in it and the site's tables:
 * `site`, a table per department and per category (as registry refs). */
typedef struct site_state {
    site_builder *b;
    template_set *ts;
    lua_State *L;
    arena mem;
    buf html, err, path, scratch;
    buf link; /* url()'s result, while a page renders */
    int site_ref;
    int *dept_ref;     /* per department, site.toml order */
    int *category_ref; /* per category, catalogue order */
    size_t pages;      /* pages this state rendered */
    /* The site's figures renders read since site_deps_begin, by slot
     * (site_figures_open), each once: a flag per slot and their list; and
     * the items' files their bodies link to, as inputs ("@content/..."). */
    bool *figure_read;
    uint32_t *figures_read;
    size_t figures_read_len;
    const char **links_read;
    size_t links_read_len, links_read_cap;
    diag_list *diags; /* where its template errors go: b->diags, or a listing worker's */
    /* Kept pages whose files are not yet on the output's list: put there a
     * batch at a time (site_keep_flush), not each under its lock. */
    const char *keeping[64];
    size_t keeping_len;
    bool logging; /* note each page written in `log`, for the build cache */
    cache_page *log;
    size_t log_len, log_cap;
} site_state;

struct site_builder {
    const site_config *cfg;
    const catalogue *cat;
    naming *names;
    const render_options *opt;
    diag_list *diags;
    output out;
    arena mem;
    /* Held for what one thread at a time may touch while the item pages
     * are rendered: diags, naming.lua, the git repository, progress. */
    pthread_mutex_t lock;

    site_dept_names *dept;
    site_category_names *category;
    site_item_names *item;  /* per catalogue item */
    site_item_found *found; /* per catalogue item */
    char updated[11];       /* the newest item's date: the site's last change */

    size_t *published; /* catalogue item indices, newest first */
    size_t published_len;
    size_t *by_source; /* published items sorted by source path, for links */

    /* The build cache: the previous build's records, and this build's per
     * catalogue item (filled by whichever worker renders the item); `next`
     * is NULL when the build has no cache. */
    build_cache cache;
    uint64_t site_key; /* what every page may show */
    cache_item *next;
    const cache_item **prev; /* per catalogue item: the previous record, or NULL */
    bool *there;             /* per record: its pages in the site (render_prefetch); NULL: look */
    bool *listed_there;      /* per listing record: its page in the site, the same */
    uint64_t *listed_key;    /* per catalogue item: what listings show of it */
    facet_set facets;        /* the published items by keyword and year */
    report *reports;         /* per year with published items, newest first */
    size_t report_len;
    pthread_t side; /* the side thread (site_side.c), while side_running */
    bool side_running, side_done;
    cache_listing *listed; /* this build's listing pages, for the next build */
    size_t listed_len, listed_cap;
    /* Dependency sets (site_deps.c): this build's with their keys, the key
     * now of each of the previous build's (cache.deps), the template files
     * hashed so far, and the site's figures: each slot's name, and their
     * hashes by name. */
    cache_deps *deps;
    uint64_t *deps_key;
    size_t deps_len, deps_cap, deps_key_cap;
    uint64_t *prev_deps_key;
    site_dep_file *dep_files;
    size_t dep_file_len, dep_file_cap;
    const char **figure_name;
    site_dep_file *figures;
    size_t figure_count;

    site_state main;     /* worker 0 of the item pages and of the listings */
    site_state *workers; /* the other workers' states, kept for their records */
    size_t worker_count;
    int *item_ref; /* per catalogue item, in `main`; LUA_NOREF until made (site_item_ref) */
    search_index *search;
};

/* ---- site_state.c -------------------------------------------------------- */

/* A state with the templates and the site, department and category tables.
 * Returns 0, or RENDER_ERROR_TEMPLATE after a diagnostic. */
int site_state_open(site_state *st, site_builder *b);
void site_state_close(site_state *st);
/* Push the table of catalogue item `index` (see templates/README.md). */
void site_item_push(site_state *st, size_t index);
/* Set what the item pages found (summary, version) on the item table on top. */
void site_item_found_set(lua_State *L, const site_item_found *f);
/* The registry ref of published item `index`'s table in the main state,
 * made on the first call with what is found of it so far. Listings that
 * the build cache keeps never need their items' tables. */
int site_item_ref(site_builder *b, size_t index);

/* A diagnostic, from any thread. */
void site_error(site_builder *b, const char *code, const char *path, const char *msg);

void site_set_ref(lua_State *L, const char *key, int ref);
void site_set_date(lua_State *L, const char *key, const content_when *w);
/* Start a page table for `kind` at site path `url`: leaves it on the stack. */
void site_page_begin(site_state *st, const char *kind, const char *url, const char *title);
/* Add {title, url} to the page's breadcrumbs (the page table on top). */
void site_crumb(lua_State *L, const char *title, const char *url);
/* A breadcrumb to a department's sub-site home. */
void site_crumb_dept(site_state *st, size_t dept);
/* Render `template` with the page table on top of the stack (popped) and
 * write it at `file` (a site path; NULL: the page's own url). */
int site_page_finish(site_state *st, const char *template, const char *file);
/* The pages of an item's earlier versions and their diffs, then its
 * version list on the table `ref` (the item, or a withdrawn item: `key`). */
int site_render_versions(site_state *st, const history_revisions *rv, const content_item *current,
                         const char *url, const char *title, const department *dept,
                         const char *key, int ref);

/* ---- site_items.c -------------------------------------------------------- */

/* Every published item's page and print view, earlier versions and
 * attachments, rendered by render_options.jobs workers; adds the items to
 * the search index in order and sets what listings need on the tables of
 * b->main. The output does not depend on the number of workers. */
int site_render_items(site_builder *b);
/* Catalogue item i's search entry made afresh from its file, as its pages'
 * render made it, as bytes (search_entry_write) in *out: for an index that
 * must be made whole after the items when the build cache cannot give an
 * unchanged item's entry back. On the main state. */
void site_item_entry(site_builder *b, size_t i, buf *out);
/* The published item whose source file is `path`, or NULL. */
const catalogue_item *site_item_by_source(const site_builder *b, const char *path);
/* A revision_links_fn for the site_state `state`: links in an earlier
 * version's body to items' files lead to those items' pages. */
void site_links_aim(void *state, cmark_node *doc, const char *source, const char *page);

/* ---- site_listings.c ----------------------------------------------------- */

/* Every listing page (home, column, catalogue, facets, sub-sites, feeds,
 * sitemap, search) and the search index, rendered by render_options.jobs
 * workers once the item pages are done; the site, the build cache's records
 * and the diagnostics do not depend on the number of workers. */
int site_render_listings(site_builder *b);

/* ---- site_deps.c ---------------------------------------------------------- */

/* The site's figures (its item count and newest date, each department's
 * and each category's item count), which the state's tables serve and a
 * page depends on only when it reads them, each by its slot. Name and hash
 * each: once the published items are counted, before any state opens. */
void site_figures_open(site_builder *b);
#define SITE_FIGURES_SITE 0
static inline size_t site_figures_dept(size_t i)
{
    return 1 + i;
}
static inline size_t site_figures_category(const site_builder *b, size_t i)
{
    return 1 + b->cfg->department_count + i;
}
/* Note that the render at hand read the figures of `slot`. */
void site_figure_note(site_state *st, size_t slot);
/* Note that the render at hand links to the item file at `path` (from the
 * site root), whether an item is there or not. */
void site_link_note(site_state *st, const char *path);
/* The current keys of the previous build's dependency sets: once the cache
 * is loaded and the figures open. */
void site_deps_open(site_builder *b);
/* Start noting what a page or an item's pages depend on. */
void site_deps_begin(site_state *st);
/* The record key of the pages rendered since site_deps_begin: data_key
 * (what they show) with their dependency set's key; *deps its index. */
uint64_t site_deps_note(site_state *st, uint64_t data_key, size_t *deps);
/* The inputs of the pages rendered since site_deps_begin (cache_deps:
 * the template files they used, the figures they read and the item files
 * they link to, by name), sorted, in a new array (free it); *n their
 * number. Names live as long as the state. */
const char **site_deps_inputs(site_state *st, size_t *n);
/* The record key of pages of data_key made from the sorted `inputs`;
 * *deps their set's index. */
uint64_t site_deps_key(site_builder *b, uint64_t data_key, const char *const *inputs, size_t n,
                       size_t *deps);
/* Whether a previous record (stored_key, made under set prev_deps) is
 * what pages of data_key would be now; *deps is then its set's index in
 * this build. */
bool site_deps_keep(site_builder *b, uint64_t data_key, uint64_t stored_key, size_t prev_deps,
                    size_t *deps);
void site_deps_free(site_builder *b);

/* ---- site_search.c ------------------------------------------------------- */

/* Wait for the prefetch thread and take what it found: the cache's
 * records read (build_cache_read), b->there and b->listed_there. */
void site_prefetch_take(render_prefetch *p, build_cache *c, bool **there, bool **listed_there);

/* Keep the previous build's search index, when the cache has it (search.h):
 * once the cache is open, before the items. */
void site_search_keep(site_builder *b);
/* Save it for the next build: after the cache's records. Returns 0, or -1
 * with a message in *err. */
int site_search_save(site_builder *b, buf *err);

/* ---- site_reports.c ------------------------------------------------------ */

/* The figures of every year with published items (b->reports). */
void site_reports_compute(site_builder *b);
/* The annual reports' statistics pages and their CSV files, each kept when
 * the cache has it from the same figures. */
int site_render_reports(site_builder *b);
void site_reports_free(site_builder *b);

/* ---- site_side.c --------------------------------------------------------- */

/* What the listings and reports need that does not wait for the item
 * pages (b->facets, b->reports, the first part of b->listed_key: see
 * site_keep_item_front_keys), made on a thread of its own from the
 * published items on, while the main thread opens the cache and the items
 * render; on one thread (-j1), made when first waited for. */
void site_side_start(site_builder *b);
/* Wait until they are made. */
void site_side_wait(site_builder *b);
/* Wait for the thread only, if it runs (a build that failed before). */
void site_side_join(site_builder *b);

/* ---- site_keep.c --------------------------------------------------------- */

/* Per published item, the part of the key of what listings show of it
 * (b->listed_key) known before its pages are rendered. Nothing without a
 * build cache. */
void site_keep_item_front_keys(site_builder *b);
/* Per published item, the key of what listings show of it (b->listed_key):
 * once site_render_items has found the summaries and versions. Nothing
 * without a build cache. */
void site_keep_item_keys(site_builder *b);
/* The key of a listing page of `kind` at site path `url`, before what it
 * lists: the site's and the page's own. */
uint64_t site_keep_page_key(const site_builder *b, const char *kind, const char *url,
                            const char *title);
/* h fed with what the items idx[0..n) show on a listing. */
uint64_t site_keep_items_key(const site_builder *b, uint64_t h, const size_t *idx, size_t n);
/* Whether the previous build wrote the page at site path `file` from the
 * same key and the file is still as it wrote it: then it is kept in the new
 * site, its record for the next build is *rec (see site_keep_record), and
 * it need not be rendered. Called by any listing worker. */
bool site_keep_page(site_builder *b, const char *file, uint64_t key, cache_listing *rec);
/* Add a listing page's record for the next build (b->listed). */
void site_keep_record(site_builder *b, const cache_listing *rec);

#endif
