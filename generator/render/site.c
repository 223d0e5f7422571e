#include "revisions.h"
#include "site_internal.h"

#include "../util/build.h"
#include "../util/hash.h"
#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ------------------------------------------------------------ */

static const catalogue *site_sort_catalogue;
static int site_source_cmp(const void *pa, const void *pb)
{
    return strcmp(site_sort_catalogue->items[*(const size_t *)pa].item->path,
                  site_sort_catalogue->items[*(const size_t *)pb].item->path);
}

/* A published item in the newest-first order: its date and catalogue index. */
typedef struct site_order {
    date day;
    size_t item;
} site_order;

/* Sort v[0..n) newest first, stably (equal dates keep their order), with
 * tmp for n more: a merge sort whose comparison is inlined, where qsort's
 * call per comparison cost a rebuild milliseconds at ten thousand items.
 * Returns where the sorted run ended: v or tmp. */
static const site_order *site_order_sort(site_order *v, site_order *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n, a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = date_cmp(v[b].day, v[a].day) > 0 ? v[b++] : v[a++];
            while (a < mid)
                tmp[o++] = v[a++];
            while (b < hi)
                tmp[o++] = v[b++];
        }
        site_order *swap = v;
        v = tmp;
        tmp = swap;
    }
    return v;
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
    size_t n = b->published_len;
    b->by_source = xmalloc((n + 1) * sizeof *b->by_source);
    memcpy(b->by_source, b->published, n * sizeof *b->by_source);
    /* The content comes in path order, which a glance confirms. */
    for (size_t k = 1; k < n; k++)
        if (strcmp(cat->items[b->by_source[k - 1]].item->path,
                   cat->items[b->by_source[k]].item->path) >= 0) {
            site_sort_catalogue = cat;
            qsort(b->by_source, n, sizeof *b->by_source, site_source_cmp);
            break;
        }
    /* Newest first; equal dates by source path, so the order never depends
     * on anything but the content. */
    site_order *order = xmalloc((2 * n + 1) * sizeof *order);
    for (size_t k = 0; k < n; k++)
        order[k] = (site_order){cat->items[b->by_source[k]].item->date.day, b->by_source[k]};
    const site_order *sorted = site_order_sort(order, order + n, n);
    for (size_t k = 0; k < n; k++)
        b->published[k] = sorted[k].item;
    free(order);
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

/* The key of the build cache: what every page may show (the program, the
 * site's settings, the Lua modules, the output folder). Page templates,
 * the site's figures and links between items are keyed by the pages that
 * use them (site_deps.c). */
static void site_keys(site_builder *b)
{
    const site_config *cfg = b->cfg;
    uint64_t h = hash64_str(HASH64_INIT, build_version());
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
}

static void site_cache_open(site_builder *b)
{
    if (!b->opt->cache_file)
        return;
    site_keys(b);
    if (b->opt->prefetch) {
        site_prefetch_take(b->opt->prefetch, &b->cache, &b->there, &b->listed_there);
        build_cache_open(&b->cache, b->opt->cache_file, b->site_key, b->diags);
    } else {
        build_cache_load(&b->cache, b->opt->cache_file, b->site_key, b->diags);
    }
    site_deps_open(b);
    b->next = xcalloc(b->cat->item_count + 1, sizeof *b->next);
    b->prev = xcalloc(b->cat->item_count + 1, sizeof *b->prev);
    /* The records and b->by_source are both sorted by source path: one walk
     * finds every published item's, not a search per item. */
    const build_cache *c = &b->cache;
    for (size_t k = 0, r = 0; k < b->published_len && r < c->len; k++) {
        const char *path = b->cat->items[b->by_source[k]].item->path;
        int cmp = -1;
        while (r < c->len && (cmp = strcmp(c->items[r].path, path)) < 0)
            r++;
        if (r < c->len && cmp == 0)
            b->prev[b->by_source[k]] = &c->items[r];
    }
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
    site_figures_open(b);
    site_side_start(b);
    site_cache_open(b);
    site_search_keep(b);
    int rc = site_main_open(b);
    /* Items first: their pages give the summaries that listings show. */
    if (rc == 0)
        rc = site_render_items(b);
    if (rc == 0)
        site_keep_item_keys(b);
    if (rc == 0)
        rc = site_render_listings(b);
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
    site_side_join(&b);
    facets_free(&b.facets);
    site_reports_free(&b);
    site_state_close(&b.main);
    for (size_t w = 1; w < b.worker_count; w++)
        site_state_close(&b.workers[w]);
    free(b.workers);
    free(b.next);
    free(b.prev);
    free(b.there);
    free(b.listed_there);
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
