#include "annual.h"
#include "facets.h"
#include "revisions.h"
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ------------------------------------------------------------ */

/* Newest first; equal dates by source path, so the order never depends on
 * anything but the content. */
static const catalogue *site_sort_catalogue;
static int site_item_cmp(const void *pa, const void *pb)
{
    const content_item *a = site_sort_catalogue->items[*(const size_t *)pa].item;
    const content_item *b = site_sort_catalogue->items[*(const size_t *)pb].item;
    int c = date_cmp(b->date.day, a->date.day);
    return c ? c : strcmp(a->path, b->path);
}

static int site_source_cmp(const void *pa, const void *pb)
{
    return strcmp(site_sort_catalogue->items[*(const size_t *)pa].item->path,
                  site_sort_catalogue->items[*(const size_t *)pb].item->path);
}

/* The published items in both orders, and the counts per department and
 * category. */
static void site_select_published(site_builder *b)
{
    const catalogue *cat = b->cat;
    b->published = xmalloc((cat->item_count + 1) * sizeof *b->published);
    for (size_t i = 0; i < cat->item_count; i++) {
        if (!catalogue_item_published(&cat->items[i], b->opt->drafts))
            continue;
        b->published[b->published_len++] = i;
        b->dept[cat->items[i].item->dept - b->cfg->departments].item_count++;
        for (int c = (int)(cat->items[i].category - cat->categories); c >= 0;
             c = cat->categories[c].parent)
            b->category[c].item_count++;
    }
    site_sort_catalogue = cat;
    qsort(b->published, b->published_len, sizeof *b->published, site_item_cmp);
    b->by_source = xmalloc((b->published_len + 1) * sizeof *b->by_source);
    memcpy(b->by_source, b->published, b->published_len * sizeof *b->by_source);
    qsort(b->by_source, b->published_len, sizeof *b->by_source, site_source_cmp);
    if (b->published_len)
        date_format(cat->items[b->published[0]].item->date.day, b->updated);
}

/* Everything naming.lua names on the pages, asked once here. Returns 0, or
 * -1 after naming.lua failed (it left a diagnostic). */
static int site_names_ask(site_builder *b)
{
    const site_config *cfg = b->cfg;
    const catalogue *cat = b->cat;
    b->dept = arena_alloc(&b->mem, (cfg->department_count + 1) * sizeof *b->dept);
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        site_dept_names *n = &b->dept[i];
        if (naming_subsite_name(b->names, &b->mem, d, &n->subsite_name) != 0 ||
            naming_department_url(b->names, &b->mem, d->id, &n->url) != 0)
            return -1;
        n->feed_url = arena_printf(&b->mem, "%sfeed.xml", n->url);
    }
    b->category = arena_alloc(&b->mem, (cat->count + 1) * sizeof *b->category);
    for (size_t i = 0; i < cat->count; i++)
        if (naming_category_url(b->names, &b->mem, cat->categories[i].key, &b->category[i].url) !=
            0)
            return -1;
    b->item = arena_alloc(&b->mem, (cat->item_count + 1) * sizeof *b->item);
    b->found = arena_alloc(&b->mem, (cat->item_count + 1) * sizeof *b->found);
    for (size_t i = 0; i < cat->item_count; i++) {
        const content_item *it = cat->items[i].item;
        b->found[i].working = -1;
        if (!catalogue_item_published(&cat->items[i], b->opt->drafts))
            continue;
        /* The catalogue stage has asked for every published item's but one
         * left empty (or one whose naming.lua failed, which stops the build
         * before this). */
        b->item[i].doc_number = cat->items[i].doc_number;
        if (it->doc_number.s && !b->item[i].doc_number &&
            naming_doc_number(b->names, &b->mem, it->doc_number.s, &b->item[i].doc_number) != 0)
            return -1;
        if (it->period.kind != CONTENT_PERIOD_NONE) {
            category_periodic kind = it->period.kind == CONTENT_PERIOD_QUARTER
                                         ? CATEGORY_PERIODIC_QUARTER
                                         : CATEGORY_PERIODIC_MONTH;
            if (naming_period_label(b->names, &b->mem, kind, it->period.year, it->period.n,
                                    &b->item[i].period_label) != 0)
                return -1;
        }
    }
    return 0;
}

/* h fed with the output folder however it was named ("public", "./public",
 * "public/"): by its parent's real path, which is there before the first
 * build made the folder itself. */
static uint64_t site_out_key(uint64_t h, const char *dir)
{
    buf name = BUF_INIT;
    buf_puts(&name, dir);
    while (name.len > 1 && name.ptr[name.len - 1] == '/')
        name.ptr[--name.len] = '\0';
    char *slash = strrchr(name.ptr, '/');
    const char *base = slash ? slash + 1 : name.ptr;
    if (slash)
        *slash = '\0';
    char *parent = realpath(slash ? (name.ptr[0] ? name.ptr : "/") : ".", NULL);
    h = hash64_str(hash64_str(h, parent ? parent : name.ptr), base);
    free(parent);
    buf_free(&name);
    return h;
}

/* The keys of the build cache: what every page may show (the program, the
 * site's settings, the Lua modules, the output folder), the site's figures
 * (the counts and the newest date, which only the pages that read them
 * depend on), and where every item is (links between items). Page
 * templates are keyed by the pages that use them (site_deps.c). */
static void site_keys(site_builder *b)
{
    const site_config *cfg = b->cfg;
    uint64_t h = hash64_str(HASH64_INIT, GK_VERSION);
    h = site_out_key(h, b->opt->out_dir);
    h = hash64_int(h, b->opt->drafts);
    buf path = BUF_INIT, text = BUF_INIT, data = BUF_INIT;
    buf_printf(&path, "%s/site.toml", cfg->root);
    if (buf_read_file(&text, path.ptr) == 0)
        h = hash64(h, text.ptr, text.len);
    config_datadir(&data);
    const char *bases[] = {cfg->root, data.ptr};
    for (size_t i = 0; i < 2; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/templates", bases[i]);
        h = build_cache_tree_hash(h, path.ptr, ".lua");
        buf_reset(&path);
        buf_printf(&path, "%s/themes/%s/templates", bases[i], cfg->theme);
        h = build_cache_tree_hash(h, path.ptr, ".lua");
    }
    buf_free(&path);
    buf_free(&text);
    buf_free(&data);
    b->site_key = h;
    uint64_t counts = hash64_int(HASH64_INIT, (int64_t)b->published_len);
    counts = hash64_str(counts, b->updated);
    for (size_t i = 0; i < cfg->department_count; i++)
        counts = hash64_int(counts, (int64_t)b->dept[i].item_count);
    for (size_t i = 0; i < b->cat->count; i++)
        counts = hash64_int(counts, (int64_t)b->category[i].item_count);
    b->counts_key = counts;
    uint64_t links = HASH64_INIT;
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->by_source[k]];
        links = hash64_str(hash64_str(links, ci->item->path), ci->url);
    }
    b->links_key = links;
}

static void site_cache_open(site_builder *b)
{
    if (!b->opt->cache_file)
        return;
    site_keys(b);
    build_cache_load(&b->cache, b->opt->cache_file, b->site_key, b->diags);
    site_deps_open(b);
    b->next = xcalloc(b->cat->item_count + 1, sizeof *b->next);
}

/* The main state: the site's tables; an item's table is made when a page
 * first needs it (site_item_ref). */
static int site_main_open(site_builder *b)
{
    int rc = site_state_open(&b->main, b);
    if (rc != 0)
        return rc;
    b->item_ref = xmalloc((b->cat->item_count + 1) * sizeof *b->item_ref);
    for (size_t i = 0; i < b->cat->item_count; i++)
        b->item_ref[i] = LUA_NOREF;
    return 0;
}

/* ---- listings ------------------------------------------------------------- */

/* page.items = the published items idx[0..n). */
static void site_set_items(site_builder *b, const char *key, const size_t *idx, size_t n)
{
    lua_State *L = b->main.L;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, site_item_ref(b, idx[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

/* A registry ref to the pages of a listing at `base` split into `count`:
 * {{number, url}, ...}. */
static int site_pages_ref(site_builder *b, const char *base, size_t count)
{
    lua_State *L = b->main.L;
    lua_createtable(L, (int)count, 0);
    for (size_t k = 1; k <= count; k++) {
        lua_createtable(L, 0, 2);
        lua_pushinteger(L, (lua_Integer)k);
        lua_setfield(L, -2, "number");
        buf_reset(&b->main.scratch);
        buf_puts(&b->main.scratch, base);
        if (k > 1)
            buf_printf(&b->main.scratch, "page/%zu/", k);
        sandbox_set_string(L, "url", b->main.scratch.ptr);
        lua_rawseti(L, -2, (lua_Integer)k);
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* A listing split into pages of page_size: base/, base/page/2/, ... The
 * caller's `describe` fills the page table (title, crumbs, category...);
 * `described` is the key of what it adds. */
typedef void (*site_describe_fn)(site_builder *b, const void *arg);

static int site_listing(site_builder *b, const char *kind, const char *base, const size_t *idx,
                        size_t n, site_describe_fn describe, const void *arg, uint64_t described,
                        const char *title)
{
    lua_State *L = b->main.L;
    size_t size = (size_t)b->cfg->page_size;
    size_t count = n ? (n + size - 1) / size : 1;
    buf url = BUF_INIT;
    int rc = 0;
    int pages = LUA_NOREF; /* pager.pages, the same on every page: made once */
    for (size_t p = 1; p <= count && rc == 0; p++) {
        buf_reset(&url);
        buf_puts(&url, base);
        if (p > 1)
            buf_printf(&url, "page/%zu/", p);
        size_t first = (p - 1) * size, shown = n - first < size ? n - first : size;
        /* The pager's links all follow from the base and the count. */
        uint64_t key = site_keep_page_key(b, kind, url.ptr, title);
        key = hash64_int(hash64_int(hash64_str(key, base), (int64_t)p), (int64_t)count);
        key = site_keep_items_key(b, hash64_int(key, (int64_t)described), idx + first, shown);
        if (site_keep_page(b, url.ptr, key))
            continue;
        site_page_begin(&b->main, kind, url.ptr, title);
        describe(b, arg);
        site_set_items(b, "items", idx + first, shown);
        lua_newtable(L); /* pager */
        lua_pushinteger(L, (lua_Integer)p);
        lua_setfield(L, -2, "number");
        lua_pushinteger(L, (lua_Integer)count);
        lua_setfield(L, -2, "count");
        if (pages == LUA_NOREF)
            pages = site_pages_ref(b, base, count);
        lua_rawgeti(L, LUA_REGISTRYINDEX, pages);
        lua_setfield(L, -2, "pages");
        if (p > 1) {
            lua_getfield(L, -1, "pages");
            lua_rawgeti(L, -1, (lua_Integer)p - 1);
            lua_getfield(L, -1, "url");
            lua_setfield(L, -4, "prev_url");
            lua_pop(L, 2);
        }
        if (p < count) {
            lua_getfield(L, -1, "pages");
            lua_rawgeti(L, -1, (lua_Integer)p + 1);
            lua_getfield(L, -1, "url");
            lua_setfield(L, -4, "next_url");
            lua_pop(L, 2);
        }
        lua_setfield(L, -2, "pager");
        char template[64];
        snprintf(template, sizeof template, "%s.html", kind);
        rc = site_keep_finish(b, template, NULL, key);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, pages);
    buf_free(&url);
    return rc;
}

/* Items grouped by category: each category's with its children's, in the
 * order given, found in one pass over the items. */
typedef struct site_groups {
    size_t *items;       /* the groups one after the other */
    size_t *first, *len; /* per category: where its group starts, its length */
} site_groups;

static void site_groups_build(site_groups *g, const site_builder *b, const size_t *idx, size_t n)
{
    const catalogue *cat = b->cat;
    g->first = xcalloc(cat->count + 1, sizeof *g->first);
    g->len = xcalloc(cat->count + 1, sizeof *g->len);
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
    for (size_t k = 0; k < n; k++)
        for (int c = (int)(cat->items[idx[k]].category - cat->categories); c >= 0;
             c = cat->categories[c].parent)
            g->items[g->first[c] + g->len[c]++] = idx[k];
}

static void site_groups_free(site_groups *g)
{
    free(g->items);
    free(g->first);
    free(g->len);
}

typedef struct site_listing_arg {
    int category; /* index, or -1 */
    int dept;     /* index, or -1 */
} site_listing_arg;

static void site_describe_listing(site_builder *b, const void *p)
{
    const site_listing_arg *a = p;
    lua_State *L = b->main.L;
    site_crumb(L, "首页", "/");
    if (a->dept >= 0) {
        site_crumb_dept(&b->main, (size_t)a->dept);
    } else {
        site_crumb(L, "政府信息公开", "/xxgk/");
    }
    if (a->dept >= 0)
        site_set_ref(L, "dept", b->main.dept_ref[a->dept]);
    if (a->category >= 0)
        site_set_ref(L, "category", b->main.category_ref[a->category]);
}

/* What site_describe_listing adds: the tables it refers to are the site
 * key's. */
static uint64_t site_listing_arg_key(const site_listing_arg *a)
{
    return hash64_int(hash64_int(HASH64_INIT, a->category), a->dept);
}

static int site_render_catalogue(site_builder *b)
{
    site_groups g;
    site_groups_build(&g, b, b->published, b->published_len);
    int rc = 0;
    for (size_t c = 0; c < b->cat->count && rc == 0; c++) {
        site_listing_arg arg = {(int)c, -1};
        rc = site_listing(b, "category", b->category[c].url, g.items + g.first[c], g.len[c],
                          site_describe_listing, &arg, site_listing_arg_key(&arg),
                          b->cat->categories[c].name);
    }
    site_groups_free(&g);
    return rc;
}

static size_t site_min(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Sub-site d: its catalogue, its home page and its feed, over its items
 * idx[0..n), newest first. */
static int site_render_department(site_builder *b, size_t d, const size_t *idx, size_t n)
{
    lua_State *L = b->main.L;
    const department *dept = &b->cfg->departments[d];
    const char *home = b->dept[d].url, *title = b->dept[d].subsite_name;
    site_groups g;
    site_groups_build(&g, b, idx, n);
    const char **urls = xcalloc(b->cat->count + 1, sizeof *urls);

    /* The sub-site's view of each category that has items of this unit; the
     * home page lists them, each with its newest items. */
    uint64_t key = hash64_int(site_keep_page_key(b, "department", home, title), (int64_t)d);
    int rc = 0;
    for (size_t c = 0; c < b->cat->count && rc == 0; c++) {
        const size_t *group = g.items + g.first[c];
        size_t len = g.len[c];
        if (!len)
            continue;
        if (naming_department_category_url(b->names, &b->mem, dept->id, b->cat->categories[c].key,
                                           &urls[c]) != 0) {
            rc = RENDER_ERROR_TEMPLATE;
            break;
        }
        key = hash64_int(hash64_str(hash64_int(key, (int64_t)c), urls[c]), (int64_t)len);
        key = site_keep_items_key(b, key, group, site_min(len, SITE_DEPT_CATEGORY_ITEMS));
        site_listing_arg arg = {(int)c, (int)d};
        rc = site_listing(b, "category", urls[c], group, len, site_describe_listing, &arg,
                          site_listing_arg_key(&arg), b->cat->categories[c].name);
    }
    key = site_keep_items_key(b, key, idx, site_min(n, SITE_HOME_ITEMS));
    if (rc == 0 && !site_keep_page(b, home, key)) {
        site_page_begin(&b->main, "department", home, title);
        site_crumb(L, "首页", "/");
        lua_newtable(L);
        for (size_t c = 0; c < b->cat->count; c++) {
            if (!g.len[c])
                continue;
            lua_newtable(L);
            sandbox_set_string(L, "url", urls[c]);
            site_set_ref(L, "category", b->main.category_ref[c]);
            lua_pushinteger(L, (lua_Integer)g.len[c]);
            lua_setfield(L, -2, "item_count");
            site_set_items(b, "items", g.items + g.first[c],
                           site_min(g.len[c], SITE_DEPT_CATEGORY_ITEMS));
            lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
        }
        lua_setfield(L, -2, "categories");
        site_set_ref(L, "dept", b->main.dept_ref[d]);
        site_set_items(b, "latest", idx, site_min(n, SITE_HOME_ITEMS));
        rc = site_keep_finish(b, "department.html", NULL, key);
    }
    uint64_t feed = hash64_int(site_keep_page_key(b, "feed", home, title), (int64_t)d);
    feed = site_keep_items_key(b, feed, idx, site_min(n, SITE_FEED_ITEMS));
    if (rc == 0 && !site_keep_page(b, b->dept[d].feed_url, feed)) {
        site_page_begin(&b->main, "feed", home, title);
        site_set_ref(L, "dept", b->main.dept_ref[d]);
        site_set_items(b, "entries", idx, site_min(n, SITE_FEED_ITEMS));
        rc = site_keep_finish(b, "feed.xml", b->dept[d].feed_url, feed);
    }
    free(urls);
    site_groups_free(&g);
    return rc;
}

/* Every sub-site, the items of each unit found in one pass. */
static int site_render_departments(site_builder *b)
{
    size_t count = b->cfg->department_count;
    size_t *first = xcalloc(count + 1, sizeof *first), *len = xcalloc(count + 1, sizeof *len);
    for (size_t d = 0, at = 0; d < count; d++) {
        first[d] = at;
        at += b->dept[d].item_count;
    }
    size_t *items = xmalloc((b->published_len + 1) * sizeof *items);
    for (size_t k = 0; k < b->published_len; k++) {
        size_t i = b->published[k];
        size_t d = (size_t)(b->cat->items[i].item->dept - b->cfg->departments);
        items[first[d] + len[d]++] = i;
    }
    int rc = 0;
    for (size_t d = 0; d < count && rc == 0; d++)
        rc = site_render_department(b, d, items + first[d], len[d]);
    free(items);
    free(first);
    free(len);
    return rc;
}

/* ---- facets: the catalogue by 主题词 and by year ------------------------- */

typedef struct site_facet_arg {
    const char *kind; /* "keyword" or "year" */
    const facet_group *group;
} site_facet_arg;

static void site_describe_facet(site_builder *b, const void *p)
{
    const site_facet_arg *a = p;
    lua_State *L = b->main.L;
    site_crumb(L, "首页", "/");
    site_crumb(L, "政府信息公开", "/xxgk/");
    site_crumb(L, "分类导航", "/xxgk/fl/");
    lua_newtable(L);
    sandbox_set_string(L, "kind", a->kind);
    sandbox_set_string(L, "name", a->group->label);
    lua_pushinteger(L, (lua_Integer)a->group->count);
    lua_setfield(L, -2, "item_count");
    lua_setfield(L, -2, "facet");
}

static uint64_t site_facet_arg_key(const site_facet_arg *a)
{
    uint64_t h = hash64_str(hash64_str(HASH64_INIT, a->kind), a->group->label);
    return hash64_int(h, (int64_t)a->group->count);
}

/* h fed with what site_set_facets shows of the groups g[0..n). */
static uint64_t site_facets_key(uint64_t h, const facet_group *g, size_t n)
{
    h = hash64_int(h, (int64_t)n);
    for (size_t i = 0; i < n; i++)
        h = hash64_int(hash64_str(hash64_str(h, g[i].label), g[i].url), (int64_t)g[i].count);
    return h;
}

/* page[key] = {{name, url, item_count}, ...} */
static void site_set_facets(lua_State *L, const char *key, const facet_group *g, size_t n)
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

static int site_render_facets(site_builder *b)
{
    facet_set f;
    facets_build(&f, b->cat, b->published, b->published_len);
    uint64_t key = site_keep_page_key(b, "facets", "/xxgk/fl/", "分类导航");
    key = site_facets_key(site_facets_key(key, f.keywords, f.keyword_count), f.years, f.year_count);
    int rc = 0;
    if (!site_keep_page(b, "/xxgk/fl/", key)) {
        site_page_begin(&b->main, "facets", "/xxgk/fl/", "分类导航");
        site_crumb(b->main.L, "首页", "/");
        site_crumb(b->main.L, "政府信息公开", "/xxgk/");
        site_set_facets(b->main.L, "keywords", f.keywords, f.keyword_count);
        site_set_facets(b->main.L, "years", f.years, f.year_count);
        rc = site_keep_finish(b, "facets.html", NULL, key);
    }
    for (size_t i = 0; i < f.keyword_count && rc == 0; i++) {
        site_facet_arg arg = {"keyword", &f.keywords[i]};
        rc = site_listing(b, "facet", f.keywords[i].url, f.keywords[i].items, f.keywords[i].count,
                          site_describe_facet, &arg, site_facet_arg_key(&arg), f.keywords[i].label);
    }
    for (size_t i = 0; i < f.year_count && rc == 0; i++) {
        site_facet_arg arg = {"year", &f.years[i]};
        char title[32];
        snprintf(title, sizeof title, "%s年", f.years[i].label);
        rc = site_listing(b, "facet", f.years[i].url, f.years[i].items, f.years[i].count,
                          site_describe_facet, &arg, site_facet_arg_key(&arg), title);
    }
    facets_free(&f);
    return rc;
}

/* The sitemap shows every item's URL and date. */
static uint64_t site_sitemap_key(const site_builder *b)
{
    uint64_t h = site_keep_page_key(b, "sitemap", "/sitemap.xml", "sitemap");
    h = hash64_int(h, (int64_t)b->published_len);
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        const content_when *w = &ci->item->date;
        h = hash64_str(h, ci->url);
        h = hash64_int(h, w->set ? w->day.year * 10000 + w->day.month * 100 + w->day.day : -1);
    }
    return h;
}

static int site_render_sitemap(site_builder *b)
{
    lua_State *L = b->main.L;
    uint64_t key = site_sitemap_key(b);
    if (site_keep_page(b, "/sitemap.xml", key))
        return 0;
    site_page_begin(&b->main, "sitemap", "/sitemap.xml", "sitemap");
    lua_newtable(L);
    static const char *const fixed[] = {"/", "/xxgk/", "/releases/"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        lua_newtable(L);
        buf_reset(&b->main.scratch);
        buf_printf(&b->main.scratch, "%s%s", b->cfg->base_url, fixed[i] + 1);
        sandbox_set_string(L, "url", b->main.scratch.ptr);
        sandbox_set_string(L, "date", b->updated[0] ? b->updated : NULL);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        lua_newtable(L);
        buf_reset(&b->main.scratch);
        buf_printf(&b->main.scratch, "%s%s", b->cfg->base_url, ci->url + 1);
        sandbox_set_string(L, "url", b->main.scratch.ptr);
        site_set_date(L, "date", &ci->item->date);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "entries");
    return site_keep_finish(b, "sitemap.xml", NULL, key);
}

/* 政府信息公开工作年度报告: each year with items gets its statistics page
 * and the same figures as CSV beside it. */
static int site_render_reports(site_builder *b)
{
    arena mem;
    arena_init(&mem);
    size_t n;
    const int *years = report_years(b->cat, &mem, &n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        report r;
        report_compute(&r, b->cfg, b->cat, years[i]);
        buf url = BUF_INIT, title = BUF_INIT, csv = BUF_INIT;
        annual_page_url(years[i], &url);
        buf_printf(&title, "%d年政府信息公开工作年度报告统计数据", years[i]);
        site_page_begin(&b->main, "report", url.ptr, title.ptr);
        site_crumb(b->main.L, "首页", "/");
        site_crumb(b->main.L, "政府信息公开", "/xxgk/");
        annual_table_push(b->main.L, &r);
        lua_setfield(b->main.L, -2, "report");
        rc = site_page_finish(&b->main, "report.html", NULL);
        report_csv(&r, &csv);
        buf_reset(&url);
        annual_csv_url(years[i], &url);
        buf_reset(&b->main.err);
        if (rc == 0 && output_write(&b->out, url.ptr, csv.ptr, csv.len, &b->main.err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->main.err.ptr);
            rc = RENDER_ERROR_IO;
        }
        buf_free(&url);
        buf_free(&title);
        buf_free(&csv);
        report_free(&r);
    }
    arena_free(&mem);
    return rc;
}

/* page.reports on the 政府信息公开 column: {{year, url}} of years[0..n),
 * newest first. */
static void site_set_reports(site_builder *b, const int *years, size_t n)
{
    lua_createtable(b->main.L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_newtable(b->main.L);
        lua_pushinteger(b->main.L, years[i]);
        lua_setfield(b->main.L, -2, "year");
        buf_reset(&b->main.scratch);
        annual_page_url(years[i], &b->main.scratch);
        sandbox_set_string(b->main.L, "url", b->main.scratch.ptr);
        lua_rawseti(b->main.L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(b->main.L, -2, "reports");
}

/* The 政府信息公开 column: fixed, but for the years with an annual report. */
static int site_render_column(site_builder *b)
{
    arena mem;
    arena_init(&mem);
    size_t n;
    const int *years = report_years(b->cat, &mem, &n);
    uint64_t key = site_keep_page_key(b, "column", "/xxgk/", "政府信息公开");
    key = hash64(hash64_int(key, (int64_t)n), years, n * sizeof *years);
    int rc = 0;
    if (!site_keep_page(b, "/xxgk/", key)) {
        site_page_begin(&b->main, "column", "/xxgk/", "政府信息公开");
        site_crumb(b->main.L, "首页", "/");
        site_set_reports(b, years, n);
        rc = site_keep_finish(b, "column.html", NULL, key);
    }
    arena_free(&mem);
    return rc;
}

static int site_render_fixed_pages(site_builder *b)
{
    size_t n = b->published_len;
    int rc = 0;
    uint64_t key = site_keep_page_key(b, "home", "/", b->cfg->name);
    key = site_keep_items_key(b, key, b->published, site_min(n, SITE_HOME_ITEMS));
    if (!site_keep_page(b, "/", key)) {
        site_page_begin(&b->main, "home", "/", b->cfg->name);
        site_set_items(b, "latest", b->published, site_min(n, SITE_HOME_ITEMS));
        rc = site_keep_finish(b, "home.html", NULL, key);
    }
    if (rc == 0)
        rc = site_render_column(b);
    if (rc == 0) {
        site_page_begin(&b->main, "404", "/404.html", "页面不存在");
        rc = site_page_finish(&b->main, "404.html", NULL);
    }
    key = site_keep_page_key(b, "feed", "/", b->cfg->name);
    key = site_keep_items_key(b, key, b->published, site_min(n, SITE_FEED_ITEMS));
    if (rc == 0 && !site_keep_page(b, "/feed.xml", key)) {
        site_page_begin(&b->main, "feed", "/", b->cfg->name);
        site_set_items(b, "entries", b->published, site_min(n, SITE_FEED_ITEMS));
        rc = site_keep_finish(b, "feed.xml", "/feed.xml", key);
    }
    return rc ? rc : site_render_sitemap(b);
}

static int site_copy_static(site_builder *b)
{
    buf dir = BUF_INIT;
    int rc = 0;
    if (config_theme_dir(b->cfg, &dir) == 0) {
        buf_puts(&dir, "/static");
        buf_reset(&b->main.err);
        if (output_copy_tree(&b->out, dir.ptr, &b->main.err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->main.err.ptr);
            rc = RENDER_ERROR_IO;
        }
    }
    buf_free(&dir);
    return rc;
}

/* Every former URL keeps a page: a redirect to where the item is now. */
static int site_render_redirect(site_builder *b, const char *from, const char *to,
                                const char *title)
{
    site_page_begin(&b->main, "redirect", from, title);
    sandbox_set_string(b->main.L, "target", to);
    return site_page_finish(&b->main, "redirect.html", NULL);
}

/* A withdrawn item's URL says when and why it went, never 404. */
static int site_render_withdrawn(site_builder *b)
{
    lua_State *L = b->main.L;
    int rc = 0;
    for (size_t i = 0; i < b->cat->withdrawn_count && rc == 0; i++) {
        const catalogue_withdrawn *w = &b->cat->withdrawn[i];
        lua_newtable(L);
        sandbox_set_string(L, "title", w->title);
        sandbox_set_string(L, "index_no", w->index_no);
        char when[11];
        date_format(w->withdrawn, when);
        sandbox_set_string(L, "date", when);
        sandbox_set_string(L, "reason", w->reason);
        if (w->department)
            site_set_ref(L, "dept", b->main.dept_ref[w->department - b->cfg->departments]);
        int ref = luaL_ref(L, LUA_REGISTRYINDEX);
        rc = site_render_versions(&b->main, history_withdrawn_revisions(b->opt->history, i), NULL,
                                  w->url, w->title, w->department, "withdrawn", ref);
        if (rc == 0) {
            site_page_begin(&b->main, "withdrawn", w->url, w->title);
            site_crumb(L, "首页", "/");
            site_set_ref(L, "withdrawn", ref);
            rc = site_page_finish(&b->main, "withdrawn.html", NULL);
        }
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
        for (size_t a = 0; a < w->alias_count && rc == 0; a++)
            rc = site_render_redirect(b, w->aliases[a], w->url, w->title);
    }
    for (size_t k = 0; k < b->published_len && rc == 0; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        for (size_t a = 0; a < ci->alias_count && rc == 0; a++)
            rc = site_render_redirect(b, ci->aliases[a], ci->url, ci->item->title);
    }
    return rc;
}

/* The search page and the index its script reads. */
static int site_render_search(site_builder *b)
{
    search_stats stats;
    buf_reset(&b->main.err);
    if (search_index_write(b->search, &b->out, &stats, &b->main.err) != 0) {
        diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->main.err.ptr);
        return RENDER_ERROR_IO;
    }
    site_page_begin(&b->main, "search", "/search/", "站内搜索");
    site_crumb(b->main.L, "首页", "/");
    return site_page_finish(&b->main, "search.html", NULL);
}

/* The release log (发布记录): every release on the release branch. */
static int site_render_releases(site_builder *b)
{
    site_page_begin(&b->main, "releases", "/releases/", "发布记录");
    site_crumb(b->main.L, "首页", "/");
    revisions_releases_set(b->main.L, b->opt->history, b->cfg);
    return site_page_finish(&b->main, "releases.html", NULL);
}

static int site_render_all(site_builder *b)
{
    if (site_names_ask(b) != 0)
        return RENDER_ERROR_TEMPLATE;
    site_select_published(b);
    site_cache_open(b);
    site_search_keep(b);
    int rc = site_main_open(b);
    /* Items first: their pages give the summaries that listings show. */
    if (rc == 0)
        rc = site_render_items(b);
    if (rc == 0)
        site_keep_item_keys(b);
    if (rc == 0)
        rc = site_render_fixed_pages(b);
    if (rc == 0)
        rc = site_render_catalogue(b);
    if (rc == 0)
        rc = site_render_facets(b);
    if (rc == 0)
        rc = site_render_departments(b);
    if (rc == 0)
        rc = site_render_search(b);
    if (rc == 0)
        rc = site_render_withdrawn(b);
    if (rc == 0)
        rc = site_render_releases(b);
    if (rc == 0)
        rc = site_render_reports(b);
    if (rc == 0)
        rc = site_copy_static(b);
    return rc;
}

/* The list of the site's files beside the build cache (items.cache:
 * items.files), outside the site, which may be served as it is. */
static void site_files_list(site_builder *b)
{
    if (!b->opt->cache_file)
        return;
    buf path = BUF_INIT;
    size_t stem = strlen(b->opt->cache_file);
    if (stem > 6 && strcmp(b->opt->cache_file + stem - 6, ".cache") == 0)
        stem -= 6;
    buf_put(&path, b->opt->cache_file, stem);
    buf_puts(&path, ".files");
    output_list_use(&b->out, path.ptr);
    buf_free(&path);
}

int render_site(const site_config *cfg, const catalogue *cat, naming *names,
                const render_options *opt, render_stats *stats, diag_list *diags)
{
    site_builder b;
    memset(&b, 0, sizeof b);
    b.cfg = cfg;
    b.cat = cat;
    b.names = names;
    arena_init(&b.mem);
    b.opt = opt;
    b.diags = diags;
    pthread_mutex_init(&b.lock, NULL);
    b.search = search_index_new(cfg, cat);
    buf err = BUF_INIT;
    int rc;
    if (output_open(&b.out, opt->out_dir, &err) != 0) {
        diag_add(diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", err.ptr);
        rc = RENDER_ERROR_IO;
    } else {
        site_files_list(&b);
        rc = site_render_all(&b);
        if (rc == 0 && output_commit(&b.out, &err) != 0) {
            diag_add(diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", err.ptr);
            rc = RENDER_ERROR_IO;
        }
        /* The site is built whatever happens to the cache: a cache that
         * cannot be written only makes the next build a full one. */
        if (rc == 0 && b.next &&
            (build_cache_entries_commit(&b.cache, &err) != 0 ||
             build_cache_save(opt->cache_file, b.site_key,
                              &(cache_records){b.deps, b.deps_len, b.next, cat->item_count,
                                               b.listed, b.listed_len},
                              &err) != 0 ||
             site_search_save(&b, &err) != 0))
            diag_add(diags, DIAG_WARNING, "GK403", opt->cache_file, 0, 0, "%s", err.ptr);
    }
    if (rc == 0) {
        stats->items = b.published_len;
        stats->pages = b.main.pages;
        stats->files = b.out.files;
        stats->unchanged = b.out.unchanged;
        output_free(&b.out);
    } else {
        output_abort(&b.out);
    }
    site_state_close(&b.main);
    for (size_t w = 1; w < b.worker_count; w++)
        site_state_close(&b.workers[w]);
    free(b.workers);
    free(b.next);
    free(b.listed_key);
    site_deps_free(&b);
    free(b.listed);
    build_cache_free(&b.cache);
    search_index_free(b.search);
    arena_free(&b.mem);
    free(b.item_ref);
    free(b.published);
    free(b.by_source);
    buf_free(&err);
    pthread_mutex_destroy(&b.lock);
    return rc;
}
