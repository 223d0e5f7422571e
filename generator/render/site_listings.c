/* The listing pages: the home page and the 政府信息公开 column, the
 * catalogue and facet pages, the sub-sites, the feeds, the sitemap, the
 * search page and its index. Each page is first collected as a job, in the
 * order a single thread would render them; then the build's workers take
 * them in that order, each deciding whether the build cache keeps the page
 * (at ten thousand items ~2 000 of them, while another worker writes the
 * search index) and rendering it when not, each in its own Lua state
 * (worker 0 in the main state, which keeps the item tables it made for the
 * item pages). What a build records of the pages
 * (their cache records, diagnostics) is taken from the jobs in their order
 * afterwards, so the site and the cache do not depend on the number of
 * workers, and a failed page reports what it would on one thread. */
#include "annual.h"
#include "facets.h"
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/pool.h"
#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct listing_worker listing_worker;
typedef struct listing_job listing_job;

/* Add to the page table on top (site_page_begin made it) what the page
 * shows. */
typedef void (*listing_fill_fn)(listing_worker *w, const listing_job *j);

struct listing_job {
    listing_fill_fn fill; /* NULL: the search index, not a page */
    const char *kind, *url, *title;
    const char *template;
    const char *file;  /* where it is written; NULL: at url */
    const size_t *idx; /* the items it shows */
    size_t n;
    const char *base;   /* a listing split into pages: its first page, */
    size_t page, count; /* this page's number and the number of pages */
    int category, dept; /* a catalogue page's (-1: none) */
    const void *arg;    /* what the fill needs besides */
    uint64_t key;       /* its record key before its dependencies */
    bool record;        /* recorded in the build cache */
    bool kept;          /* kept from the previous build, as `prev` */
    cache_listing prev;
    /* Set by the worker that renders it. */
    bool done;
    int rc;
    size_t worker, diag_from, diag_to; /* its diagnostics in the worker's list */
    size_t size;                       /* of the page written */
    const char **used;                 /* its inputs (site_deps_inputs), sorted */
    size_t used_len;
};

struct listing_worker {
    site_builder *b;
    site_state *st;
    int *item_ref; /* per catalogue item, in st when it is not b->main */
    diag_list diags;
    /* pager.pages of the listing whose page it rendered last, the same on
     * every page of it (a listing of P pages made P*P tables otherwise):
     * a registry ref in st, and the listing's base and page count. */
    int pages_ref;
    const char *pages_base;
    size_t pages_count;
};

typedef struct listings {
    site_builder *b;
    arena mem; /* the jobs' strings and what their fills point to */
    listing_job *jobs;
    size_t len, cap;
    listing_worker *workers;
    _Atomic size_t next;
    _Atomic int failed; /* a job or a worker's state failed */
    _Atomic int open_rc;
    /* What the jobs point to, freed after the render. */
    size_t **groups; /* site_groups arrays */
    size_t group_len, group_cap;
} listings;

static size_t site_min(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Add job j; whether the previous build's page is kept is decided by the
 * worker that takes it. */
static void listings_add(listings *ls, listing_job j)
{
    ls->jobs = xgrow(ls->jobs, &ls->cap, ls->len + 1, sizeof *ls->jobs);
    ls->jobs[ls->len++] = j;
}

/* ---- what the pages show --------------------------------------------------- */

/* The ref of item `index`'s table in the worker's state, made when first
 * needed with what the item pages found. */
static int listing_item_ref(listing_worker *w, size_t index)
{
    site_builder *b = w->b;
    if (w->st == &b->main)
        return site_item_ref(b, index);
    if (w->item_ref[index] == LUA_NOREF) {
        site_item_push(w->st, index);
        site_item_found_set(w->st->L, &b->found[index]);
        w->item_ref[index] = luaL_ref(w->st->L, LUA_REGISTRYINDEX);
    }
    return w->item_ref[index];
}

/* page[key] = the published items idx[0..n). */
static void listing_set_items(listing_worker *w, const char *key, const size_t *idx, size_t n)
{
    lua_State *L = w->st->L;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, listing_item_ref(w, idx[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

static void fill_latest(listing_worker *w, const listing_job *j)
{
    listing_set_items(w, "latest", j->idx, j->n);
}

static void fill_feed(listing_worker *w, const listing_job *j)
{
    if (j->dept >= 0)
        site_set_ref(w->st->L, "dept", w->st->dept_ref[j->dept]);
    listing_set_items(w, "entries", j->idx, j->n);
}

static void fill_nothing(listing_worker *w, const listing_job *j)
{
    (void)w;
    (void)j;
}

static void fill_home_crumb(listing_worker *w, const listing_job *j)
{
    (void)j;
    site_crumb(w->st->L, "首页", "/");
}

/* page.reports on the 政府信息公开 column: {{year, url}} of the years with
 * an annual report, newest first. */
static void fill_column(listing_worker *w, const listing_job *j)
{
    lua_State *L = w->st->L;
    const int *years = j->arg;
    site_crumb(L, "首页", "/");
    lua_createtable(L, (int)j->n, 0);
    for (size_t i = 0; i < j->n; i++) {
        lua_newtable(L);
        lua_pushinteger(L, years[i]);
        lua_setfield(L, -2, "year");
        buf_reset(&w->st->scratch);
        annual_page_url(years[i], &w->st->scratch);
        sandbox_set_string(L, "url", w->st->scratch.ptr);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "reports");
}

static void fill_sitemap(listing_worker *w, const listing_job *j)
{
    (void)j;
    site_builder *b = w->b;
    lua_State *L = w->st->L;
    buf *s = &w->st->scratch;
    lua_newtable(L);
    static const char *const fixed[] = {"/", "/xxgk/", "/releases/"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        lua_newtable(L);
        buf_reset(s);
        buf_printf(s, "%s%s", b->cfg->base_url, fixed[i] + 1);
        sandbox_set_string(L, "url", s->ptr);
        sandbox_set_string(L, "date", b->updated[0] ? b->updated : NULL);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        lua_newtable(L);
        buf_reset(s);
        buf_printf(s, "%s%s", b->cfg->base_url, ci->url + 1);
        sandbox_set_string(L, "url", s->ptr);
        site_set_date(L, "date", &ci->item->date);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "entries");
}

/* The items of one page of a listing and its pager. */
static void fill_pager(listing_worker *w, const listing_job *j)
{
    lua_State *L = w->st->L;
    listing_set_items(w, "items", j->idx, j->n);
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)j->page);
    lua_setfield(L, -2, "number");
    lua_pushinteger(L, (lua_Integer)j->count);
    lua_setfield(L, -2, "count");
    if (w->pages_ref == LUA_NOREF || w->pages_count != j->count ||
        strcmp(w->pages_base, j->base) != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, w->pages_ref);
        lua_createtable(L, (int)j->count, 0);
        for (size_t k = 1; k <= j->count; k++) {
            lua_createtable(L, 0, 2);
            lua_pushinteger(L, (lua_Integer)k);
            lua_setfield(L, -2, "number");
            buf_reset(&w->st->scratch);
            buf_puts(&w->st->scratch, j->base);
            if (k > 1)
                buf_printf(&w->st->scratch, "page/%zu/", k);
            sandbox_set_string(L, "url", w->st->scratch.ptr);
            lua_rawseti(L, -2, (lua_Integer)k);
        }
        w->pages_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        w->pages_base = j->base;
        w->pages_count = j->count;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, w->pages_ref);
    lua_setfield(L, -2, "pages");
    if (j->page > 1) {
        lua_getfield(L, -1, "pages");
        lua_rawgeti(L, -1, (lua_Integer)j->page - 1);
        lua_getfield(L, -1, "url");
        lua_setfield(L, -4, "prev_url");
        lua_pop(L, 2);
    }
    if (j->page < j->count) {
        lua_getfield(L, -1, "pages");
        lua_rawgeti(L, -1, (lua_Integer)j->page + 1);
        lua_getfield(L, -1, "url");
        lua_setfield(L, -4, "next_url");
        lua_pop(L, 2);
    }
    lua_setfield(L, -2, "pager");
}

/* A page of a category, overall or in a sub-site. */
static void fill_category(listing_worker *w, const listing_job *j)
{
    lua_State *L = w->st->L;
    site_crumb(L, "首页", "/");
    if (j->dept >= 0)
        site_crumb_dept(w->st, (size_t)j->dept);
    else
        site_crumb(L, "政府信息公开", "/xxgk/");
    if (j->dept >= 0)
        site_set_ref(L, "dept", w->st->dept_ref[j->dept]);
    if (j->category >= 0)
        site_set_ref(L, "category", w->st->category_ref[j->category]);
    fill_pager(w, j);
}

typedef struct facet_arg {
    const char *kind; /* "keyword" or "year" */
    const facet_group *group;
} facet_arg;

static void fill_facet(listing_worker *w, const listing_job *j)
{
    const facet_arg *a = j->arg;
    lua_State *L = w->st->L;
    site_crumb(L, "首页", "/");
    site_crumb(L, "政府信息公开", "/xxgk/");
    site_crumb(L, "分类导航", "/xxgk/fl/");
    lua_newtable(L);
    sandbox_set_string(L, "kind", a->kind);
    sandbox_set_string(L, "name", a->group->label);
    lua_pushinteger(L, (lua_Integer)a->group->count);
    lua_setfield(L, -2, "item_count");
    lua_setfield(L, -2, "facet");
    fill_pager(w, j);
}

/* page[key] = {{name, url, item_count}, ...} */
static void listing_set_facets(lua_State *L, const char *key, const facet_group *g, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_newtable(L);
        sandbox_set_string(L, "name", g[i].label);
        sandbox_set_string(L, "url", g[i].url);
        lua_pushinteger(L, (lua_Integer)g[i].count);
        lua_setfield(L, -2, "item_count");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

static void fill_facets(listing_worker *w, const listing_job *j)
{
    const facet_set *f = j->arg;
    lua_State *L = w->st->L;
    site_crumb(L, "首页", "/");
    site_crumb(L, "政府信息公开", "/xxgk/");
    listing_set_facets(L, "keywords", f->keywords, f->keyword_count);
    listing_set_facets(L, "years", f->years, f->year_count);
}

/* Items grouped by category: each category's with its children's, in the
 * order given, found in one pass over the items. */
typedef struct site_groups {
    size_t *items;       /* the groups one after the other */
    size_t *first, *len; /* per category: where its group starts, its length */
} site_groups;

/* A sub-site's home page: its categories, each with its newest items. */
typedef struct dept_arg {
    size_t d;
    site_groups g;
    const char **urls; /* per category with items of the unit */
} dept_arg;

static void fill_department(listing_worker *w, const listing_job *j)
{
    const dept_arg *a = j->arg;
    const site_builder *b = w->b;
    lua_State *L = w->st->L;
    site_crumb(L, "首页", "/");
    lua_newtable(L);
    for (size_t c = 0; c < b->cat->count; c++) {
        if (!a->g.len[c])
            continue;
        lua_newtable(L);
        sandbox_set_string(L, "url", a->urls[c]);
        site_set_ref(L, "category", w->st->category_ref[c]);
        lua_pushinteger(L, (lua_Integer)a->g.len[c]);
        lua_setfield(L, -2, "item_count");
        listing_set_items(w, "items", a->g.items + a->g.first[c],
                          site_min(a->g.len[c], SITE_DEPT_CATEGORY_ITEMS));
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "categories");
    site_set_ref(L, "dept", w->st->dept_ref[a->d]);
    listing_set_items(w, "latest", j->idx, j->n);
}

/* ---- the jobs, in page order ------------------------------------------------ */

/* A listing split into pages of page_size: base/, base/page/2/, ...; `j`
 * has what every page has (fill, kind, title, category, dept, arg);
 * `described` is the key of what its fill adds besides the items. */
static void listings_add_pages(listings *ls, listing_job j, const size_t *idx, size_t n,
                               uint64_t described)
{
    site_builder *b = ls->b;
    size_t size = (size_t)b->cfg->page_size;
    size_t count = n ? (n + size - 1) / size : 1;
    buf url = BUF_INIT;
    j.template = arena_printf(&ls->mem, "%s.html", j.kind);
    j.count = count;
    j.record = true;
    for (size_t p = 1; p <= count; p++) {
        buf_reset(&url);
        buf_puts(&url, j.base);
        if (p > 1)
            buf_printf(&url, "page/%zu/", p);
        size_t first = (p - 1) * size;
        j.url = arena_strdup(&ls->mem, url.ptr);
        j.page = p;
        j.idx = idx + first;
        j.n = n - first < size ? n - first : size;
        /* The pager's links all follow from the base and the count. */
        uint64_t key = site_keep_page_key(b, j.kind, j.url, j.title);
        key = hash64_int(hash64_int(hash64_str(key, j.base), (int64_t)p), (int64_t)count);
        j.key = site_keep_items_key(b, hash64_int(key, (int64_t)described), j.idx, j.n);
        listings_add(ls, j);
    }
    buf_free(&url);
}

/* What fill_category adds: the tables it refers to are the site key's. */
static uint64_t category_arg_key(int cat_index, int dept_index)
{
    return hash64_int(hash64_int(HASH64_INIT, cat_index), dept_index);
}

static void listings_groups_build(listings *ls, site_groups *g, const size_t *idx, size_t n)
{
    const catalogue *cat = ls->b->cat;
    g->first = arena_alloc(&ls->mem, (cat->count + 1) * sizeof *g->first);
    g->len = arena_alloc(&ls->mem, (cat->count + 1) * sizeof *g->len);
    memset(g->len, 0, (cat->count + 1) * sizeof *g->len);
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        for (int c = (int)(cat->items[idx[k]].category - cat->categories); c >= 0;
             c = cat->categories[c].parent, total++)
            g->len[c]++;
    for (size_t c = 0, at = 0; c < cat->count; c++) {
        g->first[c] = at;
        at += g->len[c];
        g->len[c] = 0;
    }
    g->items = xmalloc((total + 1) * sizeof *g->items);
    ls->groups = xgrow(ls->groups, &ls->group_cap, ls->group_len + 1, sizeof *ls->groups);
    ls->groups[ls->group_len++] = g->items;
    for (size_t k = 0; k < n; k++)
        for (int c = (int)(cat->items[idx[k]].category - cat->categories); c >= 0;
             c = cat->categories[c].parent)
            g->items[g->first[c] + g->len[c]++] = idx[k];
}

/* The home page, the column, the 404 page, the site's feed, the sitemap. */
static void listings_fixed(listings *ls)
{
    site_builder *b = ls->b;
    size_t n = b->published_len;
    uint64_t key = site_keep_page_key(b, "home", "/", b->cfg->name);
    size_t home = site_min(n, SITE_HOME_ITEMS), feed = site_min(n, SITE_FEED_ITEMS);
    listings_add(ls, (listing_job){.fill = fill_latest,
                                   .kind = "home",
                                   .url = "/",
                                   .title = b->cfg->name,
                                   .template = "home.html",
                                   .idx = b->published,
                                   .n = home,
                                   .key = site_keep_items_key(b, key, b->published, home),
                                   .record = true});

    size_t years_len;
    const int *years = report_years(b->cat, &ls->mem, &years_len);
    key = site_keep_page_key(b, "column", "/xxgk/", "政府信息公开");
    key = hash64(hash64_int(key, (int64_t)years_len), years, years_len * sizeof *years);
    listings_add(ls, (listing_job){.fill = fill_column,
                                   .kind = "column",
                                   .url = "/xxgk/",
                                   .title = "政府信息公开",
                                   .template = "column.html",
                                   .n = years_len,
                                   .arg = years,
                                   .key = key,
                                   .record = true});
    listings_add(ls, (listing_job){.fill = fill_nothing,
                                   .kind = "404",
                                   .url = "/404.html",
                                   .title = "页面不存在",
                                   .template = "404.html"});

    key = site_keep_page_key(b, "feed", "/", b->cfg->name);
    listings_add(ls, (listing_job){.fill = fill_feed,
                                   .kind = "feed",
                                   .url = "/",
                                   .title = b->cfg->name,
                                   .template = "feed.xml",
                                   .file = "/feed.xml",
                                   .idx = b->published,
                                   .n = feed,
                                   .dept = -1,
                                   .key = site_keep_items_key(b, key, b->published, feed),
                                   .record = true});

    /* The sitemap shows every item's URL and date. */
    key = site_keep_page_key(b, "sitemap", "/sitemap.xml", "sitemap");
    key = hash64_int(key, (int64_t)b->published_len);
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        const content_when *w = &ci->item->date;
        key = hash64_str(key, ci->url);
        key = hash64_int(key, w->set ? w->day.year * 10000 + w->day.month * 100 + w->day.day : -1);
    }
    listings_add(ls, (listing_job){.fill = fill_sitemap,
                                   .kind = "sitemap",
                                   .url = "/sitemap.xml",
                                   .title = "sitemap",
                                   .template = "sitemap.xml",
                                   .key = key,
                                   .record = true});
}

static void listings_catalogue(listings *ls)
{
    site_builder *b = ls->b;
    site_groups g;
    listings_groups_build(ls, &g, b->published, b->published_len);
    for (size_t c = 0; c < b->cat->count; c++)
        listings_add_pages(ls,
                           (listing_job){.fill = fill_category,
                                         .kind = "category",
                                         .title = b->cat->categories[c].name,
                                         .base = b->category[c].url,
                                         .category = (int)c,
                                         .dept = -1},
                           g.items + g.first[c], g.len[c], category_arg_key((int)c, -1));
}

/* h fed with what listing_set_facets shows of the groups g[0..n). */
static uint64_t facets_key(uint64_t h, const facet_group *g, size_t n)
{
    h = hash64_int(h, (int64_t)n);
    for (size_t i = 0; i < n; i++)
        h = hash64_int(hash64_str(hash64_str(h, g[i].label), g[i].url), (int64_t)g[i].count);
    return h;
}

static uint64_t facet_arg_key(const facet_arg *a)
{
    uint64_t h = hash64_str(hash64_str(HASH64_INIT, a->kind), a->group->label);
    return hash64_int(h, (int64_t)a->group->count);
}

/* The catalogue by 主题词 and by year. */
static void listings_facets(listings *ls)
{
    site_builder *b = ls->b;
    site_side_wait(b);
    const facet_set *f = &b->facets;
    uint64_t key = site_keep_page_key(b, "facets", "/xxgk/fl/", "分类导航");
    key = facets_key(facets_key(key, f->keywords, f->keyword_count), f->years, f->year_count);
    listings_add(ls, (listing_job){.fill = fill_facets,
                                   .kind = "facets",
                                   .url = "/xxgk/fl/",
                                   .title = "分类导航",
                                   .template = "facets.html",
                                   .arg = f,
                                   .key = key,
                                   .record = true});
    for (int years = 0; years < 2; years++) {
        const facet_group *g = years ? f->years : f->keywords;
        size_t n = years ? f->year_count : f->keyword_count;
        for (size_t i = 0; i < n; i++) {
            facet_arg *a = arena_alloc(&ls->mem, sizeof *a);
            *a = (facet_arg){years ? "year" : "keyword", &g[i]};
            const char *title = years ? arena_printf(&ls->mem, "%s年", g[i].label) : g[i].label;
            listings_add_pages(ls,
                               (listing_job){.fill = fill_facet,
                                             .kind = "facet",
                                             .title = title,
                                             .base = g[i].url,
                                             .arg = a},
                               g[i].items, g[i].count, facet_arg_key(a));
        }
    }
}

/* Sub-site d: its catalogue, its home page and its feed, over its items
 * idx[0..n), newest first. Returns 0, or -1 when naming.lua failed. */
static int listings_department(listings *ls, size_t d, const size_t *idx, size_t n)
{
    site_builder *b = ls->b;
    const department *dept = &b->cfg->departments[d];
    const char *home = b->dept[d].url, *title = b->dept[d].subsite_name;
    dept_arg *a = arena_alloc(&ls->mem, sizeof *a);
    a->d = d;
    listings_groups_build(ls, &a->g, idx, n);
    a->urls = arena_alloc(&ls->mem, (b->cat->count + 1) * sizeof *a->urls);
    memset(a->urls, 0, (b->cat->count + 1) * sizeof *a->urls);

    /* The sub-site's view of each category that has items of this unit; the
     * home page lists them, each with its newest items. */
    uint64_t key = hash64_int(site_keep_page_key(b, "department", home, title), (int64_t)d);
    for (size_t c = 0; c < b->cat->count; c++) {
        const size_t *group = a->g.items + a->g.first[c];
        size_t len = a->g.len[c];
        if (!len)
            continue;
        if (naming_department_category_url(b->names, &b->mem, dept->id, b->cat->categories[c].key,
                                           &a->urls[c]) != 0)
            return -1;
        key = hash64_int(hash64_str(hash64_int(key, (int64_t)c), a->urls[c]), (int64_t)len);
        key = site_keep_items_key(b, key, group, site_min(len, SITE_DEPT_CATEGORY_ITEMS));
        listings_add_pages(ls,
                           (listing_job){.fill = fill_category,
                                         .kind = "category",
                                         .title = b->cat->categories[c].name,
                                         .base = a->urls[c],
                                         .category = (int)c,
                                         .dept = (int)d},
                           group, len, category_arg_key((int)c, (int)d));
    }
    size_t latest = site_min(n, SITE_HOME_ITEMS), feed = site_min(n, SITE_FEED_ITEMS);
    listings_add(ls, (listing_job){.fill = fill_department,
                                   .kind = "department",
                                   .url = home,
                                   .title = title,
                                   .template = "department.html",
                                   .idx = idx,
                                   .n = latest,
                                   .arg = a,
                                   .key = site_keep_items_key(b, key, idx, latest),
                                   .record = true});
    key = hash64_int(site_keep_page_key(b, "feed", home, title), (int64_t)d);
    listings_add(ls, (listing_job){.fill = fill_feed,
                                   .kind = "feed",
                                   .url = home,
                                   .title = title,
                                   .template = "feed.xml",
                                   .file = b->dept[d].feed_url,
                                   .idx = idx,
                                   .n = feed,
                                   .dept = (int)d,
                                   .key = site_keep_items_key(b, key, idx, feed),
                                   .record = true});
    return 0;
}

/* Every sub-site, the items of each unit found in one pass. */
static int listings_departments(listings *ls)
{
    site_builder *b = ls->b;
    size_t count = b->cfg->department_count;
    size_t *first = xcalloc(count + 1, sizeof *first), *len = xcalloc(count + 1, sizeof *len);
    for (size_t d = 0, at = 0; d < count; d++) {
        first[d] = at;
        at += b->dept[d].item_count;
    }
    size_t *items = xmalloc((b->published_len + 1) * sizeof *items);
    ls->groups = xgrow(ls->groups, &ls->group_cap, ls->group_len + 1, sizeof *ls->groups);
    ls->groups[ls->group_len++] = items;
    for (size_t k = 0; k < b->published_len; k++) {
        size_t i = b->published[k];
        size_t d = (size_t)(b->cat->items[i].item->dept - b->cfg->departments);
        items[first[d] + len[d]++] = i;
    }
    int rc = 0;
    for (size_t d = 0; d < count && rc == 0; d++)
        rc = listings_department(ls, d, items + first[d], len[d]);
    free(first);
    free(len);
    return rc;
}

/* ---- rendering --------------------------------------------------------------- */

/* The search index: files, not a page. */
static int listing_search_index(listing_worker *w)
{
    search_stats stats;
    buf_reset(&w->st->err);
    if (search_index_write(w->b->search, &w->b->out, &stats, &w->st->err) != 0) {
        diag_add(&w->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", w->st->err.ptr);
        return RENDER_ERROR_IO;
    }
    search_index_release(w->b->search);
    return 0;
}

static int listing_render(listing_worker *w, listing_job *j)
{
    if (!j->fill)
        return listing_search_index(w);
    site_state *st = w->st;
    site_deps_begin(st);
    site_page_begin(st, j->kind, j->url, j->title);
    j->fill(w, j);
    int rc = site_page_finish(st, j->template, j->file);
    if (rc == 0 && j->record && w->b->next) {
        j->size = st->html.len;
        j->used = site_deps_inputs(st, &j->used_len);
    }
    return rc;
}

static void listings_worker(void *ctx, size_t worker)
{
    listings *ls = ctx;
    site_builder *b = ls->b;
    listing_worker *w = &ls->workers[worker];
    if (worker > 0 && !w->st->L) {
        int rc = site_state_open(w->st, b);
        if (rc != 0) {
            int none = 0;
            atomic_compare_exchange_strong(&ls->open_rc, &none, rc);
            atomic_store(&ls->failed, 1);
            return;
        }
    }
    w->st->diags = &w->diags;
    while (atomic_load(&ls->failed) == 0) {
        size_t k = atomic_fetch_add(&ls->next, 1);
        if (k >= ls->len)
            break;
        listing_job *j = &ls->jobs[k];
        j->kept = j->record && site_keep_page(b, j->file ? j->file : j->url, j->key, &j->prev);
        if (j->kept)
            continue;
        j->worker = worker;
        j->diag_from = w->diags.len;
        j->rc = listing_render(w, j);
        j->diag_to = w->diags.len;
        j->done = true;
        if (j->rc != 0)
            atomic_store(&ls->failed, 1);
    }
    w->st->diags = b->diags;
}

/* The jobs' records and diagnostics, in their order: up to the first that
 * failed, as one thread would have stopped there. */
static int listings_merge(listings *ls)
{
    site_builder *b = ls->b;
    int rc = 0;
    for (size_t k = 0; k < ls->len && rc == 0; k++) {
        listing_job *j = &ls->jobs[k];
        if (j->kept) {
            site_keep_record(b, &j->prev);
            continue;
        }
        if (!j->done)
            break;
        const diag_list *from = &ls->workers[j->worker].diags;
        for (size_t i = j->diag_from; i < j->diag_to; i++) {
            const diag *d = &from->items[i];
            diag_add(b->diags, d->severity, d->code, d->path, d->line, d->col, "%s", d->message);
        }
        rc = j->rc;
        if (rc == 0 && j->record && b->next) {
            size_t deps;
            uint64_t key = site_deps_key(b, j->key, j->used, j->used_len, &deps);
            site_keep_record(b, &(cache_listing){arena_strdup(&b->mem, j->file ? j->file : j->url),
                                                 key, j->size, deps});
        }
    }
    return rc ? rc : atomic_load(&ls->open_rc);
}

/* Render the jobs on the build's workers. */
static int listings_render(listings *ls)
{
    site_builder *b = ls->b;
    /* As many as the item pages had, no more: the states' tables point to
     * where the states are, so b->workers must stay where it is. */
    size_t workers = b->worker_count < ls->len ? b->worker_count : ls->len;
    ls->workers = xcalloc(workers, sizeof *ls->workers);
    for (size_t w = 0; w < workers; w++) {
        listing_worker *lw = &ls->workers[w];
        lw->b = b;
        lw->st = w ? &b->workers[w] : &b->main;
        lw->pages_ref = LUA_NOREF;
        diag_list_init(&lw->diags);
        if (w) {
            lw->item_ref = xmalloc((b->cat->item_count + 1) * sizeof *lw->item_ref);
            for (size_t i = 0; i < b->cat->item_count; i++)
                lw->item_ref[i] = LUA_NOREF;
        }
    }
    pool_run(workers, listings_worker, ls);
    int rc = listings_merge(ls);
    for (size_t w = 0; w < workers; w++) {
        listing_worker *lw = &ls->workers[w];
        if (w)
            b->main.pages += lw->st->pages;
        if (w)
            lw->st->pages = 0;
        luaL_unref(lw->st->L, LUA_REGISTRYINDEX, lw->pages_ref);
        diag_list_free(&lw->diags);
        free(lw->item_ref);
    }
    free(ls->workers);
    return rc;
}

int site_render_listings(site_builder *b)
{
    listings ls;
    memset(&ls, 0, sizeof ls);
    ls.b = b;
    arena_init(&ls.mem);
    /* The search index first: it is the longest job, and shows on no page. */
    listings_add(&ls, (listing_job){.kind = "search index"});
    listings_fixed(&ls);
    listings_catalogue(&ls);
    listings_facets(&ls);
    int rc = listings_departments(&ls) != 0 ? RENDER_ERROR_TEMPLATE : 0;
    listings_add(&ls, (listing_job){.fill = fill_home_crumb,
                                    .kind = "search",
                                    .url = "/search/",
                                    .title = "站内搜索",
                                    .template = "search.html"});
    if (rc == 0)
        rc = listings_render(&ls);
    for (size_t i = 0; i < ls.len; i++)
        free(ls.jobs[i].used);
    free(ls.jobs);
    for (size_t i = 0; i < ls.group_len; i++)
        free(ls.groups[i]);
    free(ls.groups);
    arena_free(&ls.mem);
    return rc;
}
