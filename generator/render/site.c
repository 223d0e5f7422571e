#include "site.h"
#include "annual.h"
#include "markdown.h"
#include "output.h"
#include "qrcode.h"
#include "facets.h"
#include "revisions.h"
#include "search.h"
#include "template.h"

#include "../util/sandbox.h"

#include "../util/path.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Feeds list this many newest items. */
#define SITE_FEED_ITEMS 50
/* The home page shows this many newest items, a sub-site this many per category. */
#define SITE_HOME_ITEMS 15
#define SITE_DEPT_CATEGORY_ITEMS 5
/* Lua memory allowed per item for its table in the templates' state. */
#define SITE_MEMORY_PER_ITEM ((size_t)8 << 10)
/* Summaries are cut to this many characters. */
#define SITE_SUMMARY_CHARS 120

typedef struct site_builder {
    const site_config *cfg;
    const catalogue *cat;
    naming *names;
    arena mem; /* names from naming.lua */
    const render_options *opt;
    diag_list *diags;
    template_set *ts;
    lua_State *L;
    output out;
    buf html, err, path, scratch;
    size_t pages;
    char updated[11]; /* the newest item's date: the site's last change */

    int site_ref;
    int *dept_ref;     /* per department, site.toml order */
    int *category_ref; /* per category, catalogue order */
    int *item_ref;     /* per catalogue item; LUA_NOREF when not published */
    size_t *published; /* catalogue item indices, newest first */
    size_t published_len;
    size_t *by_source;    /* published items sorted by source path, for links */
    search_index *search; /* filled while the item pages are rendered */
    search_collector *collector;
} site_builder;

/* ---- errors ------------------------------------------------------------ */

/* A template error reads "templates/item.html:12: message": point the
 * diagnostic at that file and line. */
static void site_template_error(site_builder *b, const char *msg)
{
    const char *colon = strchr(msg, ':');
    int line = 0;
    if (colon && colon[1] >= '0' && colon[1] <= '9') {
        char *end;
        long n = strtol(colon + 1, &end, 10);
        if (*end == ':') {
            line = (int)n;
            buf_reset(&b->scratch);
            buf_put(&b->scratch, msg, (size_t)(colon - msg));
            diag_add(b->diags, DIAG_ERROR, "GK401", b->scratch.ptr, line, 1, "模板错误：%s",
                     end + 1 + (end[1] == ' '));
            return;
        }
    }
    diag_add(b->diags, DIAG_ERROR, "GK401", "", 0, 0, "模板错误：%s", msg);
}

/* ---- Lua table helpers --------------------------------------------------- */

static void site_set_date(lua_State *L, const char *key, const content_when *w)
{
    if (!w->set)
        return;
    char s[11];
    date_format(w->day, s);
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}

static void site_set_ref(lua_State *L, const char *key, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_setfield(L, -2, key);
}

static void site_set_list(lua_State *L, const char *key, const content_list *list)
{
    lua_createtable(L, (int)list->len, 0);
    for (size_t i = 0; i < list->len; i++) {
        lua_pushstring(L, list->v[i].s);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

/* ---- the model as Lua tables -------------------------------------------- */

static int site_build_departments(site_builder *b)
{
    lua_State *L = b->L;
    const site_config *cfg = b->cfg;
    b->dept_ref = xcalloc(cfg->department_count + 1, sizeof *b->dept_ref);
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        naming_department_push(L, d);
        lua_pushinteger(L, 0);
        lua_setfield(L, -2, "item_count");
        b->dept_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    /* Second pass: names that need the parent, and the URLs. */
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        const char *name, *url;
        if (naming_subsite_name(b->names, &b->mem, d, &name) != 0 ||
            naming_department_url(b->names, &b->mem, d->id, &url) != 0)
            return -1;
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[i]);
        if (d->parent) {
            const department *p = config_department_find(cfg, d->parent);
            site_set_ref(L, "parent", b->dept_ref[p - cfg->departments]);
        }
        sandbox_set_string(L, "subsite_name", name);
        sandbox_set_string(L, "url", url);
        sandbox_set_string(L, "feed_url", arena_printf(&b->mem, "%sfeed.xml", url));
        lua_pop(L, 1);
    }
    return 0;
}

static const char *site_periodic_name(category_periodic p)
{
    static const char *const names[] = {NULL, "quarter", "month", "year"};
    return names[p];
}

static int site_build_categories(site_builder *b)
{
    lua_State *L = b->L;
    const catalogue *cat = b->cat;
    b->category_ref = xcalloc(cat->count + 1, sizeof *b->category_ref);
    for (size_t i = 0; i < cat->count; i++) {
        const category *c = &cat->categories[i];
        lua_newtable(L);
        sandbox_set_string(L, "key", c->key);
        sandbox_set_string(L, "name", c->name);
        sandbox_set_string(L, "description", c->description);
        sandbox_set_string(L, "periodic", site_periodic_name(c->periodic));
        lua_pushinteger(L, c->depth);
        lua_setfield(L, -2, "depth");
        lua_pushboolean(L, c->validity);
        lua_setfield(L, -2, "validity");
        lua_pushboolean(L, c->fixed);
        lua_setfield(L, -2, "fixed");
        lua_pushinteger(L, 0);
        lua_setfield(L, -2, "item_count");
        lua_newtable(L);
        lua_setfield(L, -2, "children");
        if (c->parent >= 0) {
            site_set_ref(L, "parent", b->category_ref[c->parent]);
            lua_rawgeti(L, LUA_REGISTRYINDEX, b->category_ref[c->parent]);
            lua_getfield(L, -1, "children");
            lua_pushvalue(L, -3);
            lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
            lua_pop(L, 2);
        }
        const char *url;
        if (naming_category_url(b->names, &b->mem, c->key, &url) != 0) {
            lua_pop(L, 1);
            return -1;
        }
        sandbox_set_string(L, "url", url);
        b->category_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

static const char *site_status_name(content_validity v)
{
    static const char *const names[] = {NULL, "有效", "失效", "废止"};
    return names[v];
}

/* The first characters of the body as plain text, for listings and feeds. */
static void site_summary(cmark_node *doc, buf *out)
{
    cmark_iter *iter = cmark_iter_new(doc);
    size_t chars = 0;
    bool cut = false;
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE && !cut;) {
        cmark_node *n = cmark_iter_get_node(iter);
        cmark_node_type t = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) &&
            out->len && out->ptr[out->len - 1] != ' ')
            buf_putc(out, ' ');
        if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_TEXT && t != CMARK_NODE_CODE))
            continue;
        for (const unsigned char *p = (const unsigned char *)cmark_node_get_literal(n); *p; p++) {
            if ((*p & 0xc0) != 0x80 && chars++ == SITE_SUMMARY_CHARS) {
                cut = true;
                break;
            }
            buf_putc(out, (char)*p);
        }
    }
    cmark_iter_free(iter);
    while (out->len && out->ptr[out->len - 1] == ' ')
        out->ptr[--out->len] = '\0';
    if (cut)
        buf_puts(out, "…");
}

static int site_build_item(site_builder *b, size_t index)
{
    lua_State *L = b->L;
    const catalogue_item *ci = &b->cat->items[index];
    const content_item *it = ci->item;
    lua_newtable(L);
    sandbox_set_string(L, "title", it->title);
    sandbox_set_string(L, "url", ci->url);
    buf_reset(&b->scratch);
    buf_printf(&b->scratch, "%sprint/", ci->url);
    sandbox_set_string(L, "print_url", b->scratch.ptr);
    sandbox_set_string(L, "source", it->path);
    sandbox_set_string(L, "index_no", ci->index_no);
    site_set_ref(L, "dept", b->dept_ref[it->dept - b->cfg->departments]);
    site_set_ref(L, "category", b->category_ref[ci->category - b->cat->categories]);
    site_set_date(L, "date", &it->date);
    site_set_date(L, "created", &it->created);
    site_set_date(L, "effective", &it->effective);
    site_set_date(L, "expires", &it->expires);
    site_set_date(L, "reviewed_on", &it->reviewed_on);
    sandbox_set_string(L, "status", site_status_name(it->status));
    sandbox_set_string(L, "disclosure",
                       it->disclosure == CONTENT_DISCLOSURE_ON_REQUEST ? "依申请公开" : "主动公开");
    site_set_list(L, "keywords", &it->keywords);
    site_set_list(L, "reviewed_by", &it->reviewed_by);
    lua_newtable(L);
    for (size_t i = 0; i < it->attachments.len; i++) {
        lua_newtable(L);
        sandbox_set_string(L, "name", it->attachments.v[i].s);
        buf_reset(&b->scratch);
        buf_printf(&b->scratch, "%s%s", ci->url, it->attachments.v[i].s);
        sandbox_set_string(L, "url", b->scratch.ptr);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "attachments");
    const char *name;
    if (it->doc_number.s) {
        if (naming_doc_number(b->names, &b->mem, it->doc_number.s, &name) != 0) {
            lua_pop(L, 1);
            return -1;
        }
        sandbox_set_string(L, "doc_number", name);
    }
    if (it->period.kind != CONTENT_PERIOD_NONE) {
        category_periodic kind = it->period.kind == CONTENT_PERIOD_QUARTER
                                     ? CATEGORY_PERIODIC_QUARTER
                                     : CATEGORY_PERIODIC_MONTH;
        if (naming_period_label(b->names, &b->mem, kind, it->period.year, it->period.n, &name) !=
            0) {
            lua_pop(L, 1);
            return -1;
        }
        sandbox_set_string(L, "period", it->period_text);
        sandbox_set_string(L, "period_label", name);
    }
    b->item_ref[index] = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

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

/* The published item whose source file is `path`, or NULL. */
static const catalogue_item *site_item_by_source(const site_builder *b, const char *path)
{
    size_t lo = 0, hi = b->published_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const catalogue_item *ci = &b->cat->items[b->by_source[mid]];
        int c = strcmp(ci->item->path, path);
        if (c == 0)
            return ci;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void site_count(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_getfield(L, -1, "item_count");
    lua_Integer n = lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_pushinteger(L, n + 1);
    lua_setfield(L, -2, "item_count");
    lua_pop(L, 1);
}

static int site_build_items(site_builder *b)
{
    const catalogue *cat = b->cat;
    b->item_ref = xmalloc((cat->item_count + 1) * sizeof *b->item_ref);
    b->published = xmalloc((cat->item_count + 1) * sizeof *b->published);
    for (size_t i = 0; i < cat->item_count; i++) {
        b->item_ref[i] = LUA_NOREF;
        if (!catalogue_item_published(&cat->items[i], b->opt->drafts))
            continue;
        if (site_build_item(b, i) != 0)
            return -1;
        b->published[b->published_len++] = i;
        const content_item *it = cat->items[i].item;
        site_count(b->L, b->dept_ref[it->dept - b->cfg->departments]);
        for (int c = (int)(cat->items[i].category - cat->categories); c >= 0;
             c = cat->categories[c].parent)
            site_count(b->L, b->category_ref[c]);
    }
    site_sort_catalogue = cat;
    qsort(b->published, b->published_len, sizeof *b->published, site_item_cmp);
    b->by_source = xmalloc((b->published_len + 1) * sizeof *b->by_source);
    memcpy(b->by_source, b->published, b->published_len * sizeof *b->by_source);
    qsort(b->by_source, b->published_len, sizeof *b->by_source, site_source_cmp);
    return 0;
}

static void site_build_site(site_builder *b)
{
    lua_State *L = b->L;
    const site_config *cfg = b->cfg;
    lua_newtable(L);
    sandbox_set_string(L, "name", cfg->name);
    sandbox_set_string(L, "region", cfg->region);
    sandbox_set_string(L, "base_url", cfg->base_url);
    sandbox_set_string(L, "language", cfg->language);
    sandbox_set_string(L, "org_code", cfg->org_code);
    sandbox_set_string(L, "site_id", cfg->site_id);
    sandbox_set_string(L, "icp", cfg->icp);
    sandbox_set_string(L, "psb", cfg->psb);
    b->site_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Lists that need every department, category and item table. */
static void site_finish_site(site_builder *b)
{
    lua_State *L = b->L;
    const site_config *cfg = b->cfg;
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->site_ref);
    lua_newtable(L); /* departments */
    lua_newtable(L); /* townships */
    for (size_t i = 0; i < cfg->department_count; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[i]);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        if (cfg->departments[i].kind != DEPARTMENT_KIND_TOWNSHIP)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[i]);
        lua_newtable(L);
        for (size_t v = 0; v < cfg->department_count; v++) {
            const char *parent = cfg->departments[v].parent;
            if (cfg->departments[v].kind == DEPARTMENT_KIND_VILLAGE && parent &&
                strcmp(parent, cfg->departments[i].id) == 0) {
                lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[v]);
                lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
            }
        }
        lua_setfield(L, -2, "villages");
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -3, "townships");
    lua_setfield(L, -2, "departments");
    lua_newtable(L);
    for (size_t i = 0; i < b->cat->count; i++) {
        if (b->cat->categories[i].parent >= 0)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->category_ref[i]);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "categories");
    lua_pushinteger(L, (lua_Integer)b->published_len);
    lua_setfield(L, -2, "item_count");
    if (b->published_len) {
        date_format(b->cat->items[b->published[0]].item->date.day, b->updated);
        sandbox_set_string(L, "updated", b->updated);
    }
    lua_pop(L, 1);
}

/* ---- pages ------------------------------------------------------------- */

/* url(path) in a template: the link from the page being rendered. */
static int site_url_fn(lua_State *L)
{
    const char *from = lua_tostring(L, lua_upvalueindex(1));
    const char *base = lua_tostring(L, lua_upvalueindex(2));
    const char *to = luaL_checkstring(L, 1);
    if (to[0] != '/') {
        lua_settop(L, 1); /* absolute URLs and fragments stay as written */
        return 1;
    }
    buf link = BUF_INIT;
    if (base)
        buf_printf(&link, "%s%s", base, to + 1);
    else
        output_link(from, to, &link);
    lua_pushlstring(L, buf_cstr(&link), link.len);
    buf_free(&link);
    return 1;
}

/* Start a page table for `kind` at site path `url`: leaves it on the stack. */
static void site_page_begin(site_builder *b, const char *kind, const char *url, const char *title)
{
    lua_State *L = b->L;
    lua_newtable(L);
    sandbox_set_string(L, "kind", kind);
    sandbox_set_string(L, "url", url);
    sandbox_set_string(L, "title", title);
    buf_reset(&b->scratch);
    buf_printf(&b->scratch, "%s%s", b->cfg->base_url, url + 1);
    sandbox_set_string(L, "abs_url", b->scratch.ptr);
}

/* Add {title, url} to the page's breadcrumbs (the page table on top). */
static void site_crumb(lua_State *L, const char *title, const char *url)
{
    if (lua_getfield(L, -1, "breadcrumbs") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "breadcrumbs");
    }
    lua_newtable(L);
    sandbox_set_string(L, "title", title);
    sandbox_set_string(L, "url", url);
    lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    lua_pop(L, 1);
}

/* A breadcrumb to a department's sub-site home. */
static void site_crumb_dept(site_builder *b, size_t dept)
{
    lua_State *L = b->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[dept]);
    lua_getfield(L, -1, "subsite_name");
    lua_getfield(L, -2, "url");
    lua_pushvalue(L, -4); /* the page, above the strings that must stay alive */
    site_crumb(L, lua_tostring(L, -3), lua_tostring(L, -2));
    lua_pop(L, 4);
}

/* Render `template` with the page table on top of the stack (popped) and
 * write it at `file` (a site path; NULL: the page's own url). */
static int site_page_finish(site_builder *b, const char *template, const char *file)
{
    lua_State *L = b->L;
    lua_getfield(L, -1, "url");
    buf_reset(&b->path);
    buf_puts(&b->path, lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, -1, "kind");
    bool absolute = strcmp(lua_tostring(L, -1), "404") == 0;
    lua_pop(L, 1);

    lua_newtable(L); /* the context */
    lua_insert(L, -2);
    lua_setfield(L, -2, "page");
    site_set_ref(L, "site", b->site_ref);
    lua_pushstring(L, b->path.ptr);
    if (absolute) {
        /* The 404 page is served for any missing path: links must not
         * depend on where it is shown. */
        const char *host = strstr(b->cfg->base_url, "://");
        const char *path = host ? strchr(host + 3, '/') : b->cfg->base_url;
        lua_pushstring(L, path ? path : "/");
    } else {
        lua_pushnil(L);
    }
    lua_pushcclosure(L, site_url_fn, 2);
    lua_setfield(L, -2, "url");

    buf_reset(&b->html);
    buf_reset(&b->err);
    if (template_render(b->ts, template, b->path.ptr, &b->html, &b->err) != 0) {
        site_template_error(b, b->err.ptr);
        return RENDER_ERROR_TEMPLATE;
    }
    buf_reset(&b->err);
    if (output_write(&b->out, file ? file : b->path.ptr, buf_cstr(&b->html), b->html.len,
                     &b->err) != 0) {
        diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->err.ptr);
        return RENDER_ERROR_IO;
    }
    b->pages++;
    return 0;
}

/* page.items = the published items idx[0..n). */
static void site_set_items(site_builder *b, const char *key, const size_t *idx, size_t n)
{
    lua_State *L = b->L;
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->item_ref[idx[i]]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

/* A listing split into pages of page_size: base/, base/page/2/, ... The
 * caller's `describe` fills the page table (title, crumbs, category...). */
typedef void (*site_describe_fn)(site_builder *b, const void *arg);

static int site_listing(site_builder *b, const char *kind, const char *base, const size_t *idx,
                        size_t n, site_describe_fn describe, const void *arg, const char *title)
{
    lua_State *L = b->L;
    size_t size = (size_t)b->cfg->page_size;
    size_t count = n ? (n + size - 1) / size : 1;
    buf url = BUF_INIT;
    int rc = 0;
    for (size_t p = 1; p <= count && rc == 0; p++) {
        buf_reset(&url);
        buf_puts(&url, base);
        if (p > 1)
            buf_printf(&url, "page/%zu/", p);
        site_page_begin(b, kind, url.ptr, title);
        describe(b, arg);
        size_t first = (p - 1) * size;
        site_set_items(b, "items", idx + first, n - first < size ? n - first : size);
        lua_newtable(L); /* pager */
        lua_pushinteger(L, (lua_Integer)p);
        lua_setfield(L, -2, "number");
        lua_pushinteger(L, (lua_Integer)count);
        lua_setfield(L, -2, "count");
        lua_newtable(L);
        for (size_t k = 1; k <= count; k++) {
            lua_newtable(L);
            lua_pushinteger(L, (lua_Integer)k);
            lua_setfield(L, -2, "number");
            buf_reset(&b->scratch);
            buf_puts(&b->scratch, base);
            if (k > 1)
                buf_printf(&b->scratch, "page/%zu/", k);
            sandbox_set_string(L, "url", b->scratch.ptr);
            lua_rawseti(L, -2, (lua_Integer)k);
        }
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
        rc = site_page_finish(b, template, NULL);
    }
    buf_free(&url);
    return rc;
}

/* Whether catalogue item `i` falls in category `c` or one of its children. */
static bool site_in_category(const catalogue *cat, size_t i, int c)
{
    for (int k = (int)(cat->items[i].category - cat->categories); k >= 0;
         k = cat->categories[k].parent)
        if (k == c)
            return true;
    return false;
}

typedef struct site_listing_arg {
    int category; /* index, or -1 */
    int dept;     /* index, or -1 */
} site_listing_arg;

static void site_describe_listing(site_builder *b, const void *p)
{
    const site_listing_arg *a = p;
    lua_State *L = b->L;
    site_crumb(L, "首页", "/");
    if (a->dept >= 0) {
        site_crumb_dept(b, (size_t)a->dept);
    } else {
        site_crumb(L, "政府信息公开", "/xxgk/");
    }
    if (a->dept >= 0)
        site_set_ref(L, "dept", b->dept_ref[a->dept]);
    if (a->category >= 0)
        site_set_ref(L, "category", b->category_ref[a->category]);
}

/* The pages of an item's earlier versions and of their diffs against the
 * next version (render/revisions.c), then its version list on the table
 * `ref` (the item, or a withdrawn item: `key`). */
static int site_render_versions(site_builder *b, const history_revisions *rv,
                                const content_item *current, const char *url, const char *title,
                                const department *dept, const char *key, int ref)
{
    lua_State *L = b->L;
    revision_set rs;
    revision_set_init(&rs, b->opt->history, b->cfg, rv, current, b->opt->drafts);
    buf page = BUF_INIT, name = BUF_INIT;
    int rc = 0;
    for (size_t k = 0; k < rs.earlier && rc == 0; k++) {
        if (revision_set_load(&rs, k, b->diags) != 0) {
            rc = RENDER_ERROR_IO;
            break;
        }
        int v = rv->v[k].number;
        for (int diff = 0; diff < 2 && rc == 0 && rs.shown[k]; diff++) {
            if (diff && !revision_set_diffable(&rs, k))
                break;
            buf_reset(&page);
            buf_printf(&page, "%sv%d/%s", url, v, diff ? "diff/" : "");
            buf_reset(&name);
            if (diff)
                buf_printf(&name, "%s（v%d 与 v%d 的比较）", title, v, v + 1);
            else
                buf_printf(&name, "%s（历史版本 v%d）", title, v);
            site_page_begin(b, diff ? "diff" : "revision", page.ptr, name.ptr);
            site_crumb(L, "首页", "/");
            if (dept)
                site_crumb_dept(b, (size_t)(dept - b->cfg->departments));
            site_crumb(L, title, url);
            site_set_ref(L, key, ref);
            if (diff) {
                revision_set_diff(&rs, L, k, url, b->cfg->allow_html);
            } else if (revision_set_page(&rs, L, k, url, b->names, &b->mem) != 0) {
                lua_pop(L, 1);
                rc = RENDER_ERROR_TEMPLATE;
                break;
            }
            rc = site_page_finish(b, diff ? "diff.html" : "revision.html", NULL);
        }
    }
    if (rc == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        revision_set_list(&rs, L, url);
        lua_pop(L, 1);
    }
    revision_set_free(&rs);
    buf_free(&page);
    buf_free(&name);
    return rc;
}

/* The file `name` in the folder `dir`, appended to dir: as written, or the
 * one whose name is the same once normalised (NFC vs NFD file names). */
static void site_attachment_find(site_builder *b, buf *dir, const char *name)
{
    size_t base = dir->len;
    buf_printf(dir, "/%s", name);
    if (access(dir->ptr, F_OK) == 0)
        return;
    dir->ptr[dir->len = base] = '\0';
    const char *want = utf8_nfc(&b->mem, name), *found = name;
    DIR *d = opendir(dir->ptr);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(utf8_nfc(&b->mem, e->d_name), want) == 0) {
            found = arena_strdup(&b->mem, e->d_name);
            break;
        }
    if (d)
        closedir(d);
    buf_printf(dir, "/%s", found);
}

/* Attachments sit beside the item's file and are published beside its page. */
static int site_copy_attachments(site_builder *b, const catalogue_item *ci)
{
    const content_item *it = ci->item;
    const char *slash = strrchr(it->path, '/');
    int rc = 0;
    for (size_t k = 0; k < it->attachments.len && rc == 0; k++) {
        buf from = BUF_INIT, to = BUF_INIT;
        buf_printf(&from, "%s/%.*s", b->cfg->root, (int)(slash - it->path), it->path);
        site_attachment_find(b, &from, it->attachments.v[k].s);
        buf_printf(&to, "%s%s", ci->url, it->attachments.v[k].s);
        buf_reset(&b->err);
        if (output_copy_file(&b->out, from.ptr, to.ptr, &b->err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", it->path, 0, 0, "%s", b->err.ptr);
            rc = RENDER_ERROR_IO;
        }
        buf_free(&from);
        buf_free(&to);
    }
    return rc;
}

/* Editors link one item to another by its file (../2024/banfa.md), as they
 * see it; on the site such a link leads from the page at hand to the other
 * item's page. */
typedef struct site_link {
    cmark_node *node;
    const char *target;   /* the other item's URL */
    const char *fragment; /* "#..." of the link as written, or "" */
} site_link;

typedef struct site_links {
    site_link *v;
    size_t len, cap;
    arena mem;
} site_links;

static void site_links_collect(const site_builder *b, cmark_node *doc, const content_item *it,
                               site_links *out)
{
    buf dir = BUF_INIT, path = BUF_INIT, joined = BUF_INIT;
    const char *slash = strrchr(it->path, '/');
    buf_put(&dir, it->path, slash ? (size_t)(slash - it->path) : 0);
    cmark_iter *iter = cmark_iter_new(doc);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *n = cmark_iter_get_node(iter);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK)
            continue;
        const char *url = cmark_node_get_url(n);
        size_t len = strcspn(url, "?#");
        if (strchr(url, ':') || url[0] == '/' || len < 4 || strncmp(url + len - 3, ".md", 3) != 0)
            continue;
        buf_reset(&path);
        buf_put(&path, url, len);
        if (path_join(&joined, buf_cstr(&dir), path.ptr, strlen("content")) != 0)
            continue;
        const catalogue_item *target = site_item_by_source(b, joined.ptr);
        if (!target)
            continue; /* the check refuses such a link before a build gets here */
        out->v = xgrow(out->v, &out->cap, out->len + 1, sizeof *out->v);
        out->v[out->len++] = (site_link){n, target->url, arena_strdup(&out->mem, url + len)};
    }
    cmark_iter_free(iter);
    buf_free(&dir);
    buf_free(&path);
    buf_free(&joined);
}

/* Point the collected links at their targets as seen from `page`. */
static void site_links_aim(site_links *links, const char *page)
{
    buf link = BUF_INIT;
    for (size_t i = 0; i < links->len; i++) {
        buf_reset(&link);
        output_link(page, links->v[i].target, &link);
        buf_puts(&link, links->v[i].fragment);
        cmark_node_set_url(links->v[i].node, link.ptr);
    }
    buf_free(&link);
}

static int site_render_items(site_builder *b)
{
    lua_State *L = b->L;
    for (size_t k = 0; k < b->published_len; k++) {
        if (b->opt->progress && k % 100 == 0)
            b->opt->progress(b->opt->progress_ctx, k, b->published_len);
        size_t i = b->published[k];
        const catalogue_item *ci = &b->cat->items[i];
        const content_item *it = ci->item;
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->item_ref[i]);
        cmark_node *doc = NULL;
        site_links links = {NULL, 0, 0, {NULL}};
        arena_init(&links.mem);
        if (it->disclosure == CONTENT_DISCLOSURE_PUBLIC) {
            /* One parse serves the page, its summary (listings and feeds
             * read it later) and the search index. An item given on request
             * only has neither body nor summary. */
            doc = markdown_parse(it->body, it->body_len);
            buf_reset(&b->scratch);
            site_summary(doc, &b->scratch);
            sandbox_set_string(L, "summary", b->scratch.ptr);
            site_links_collect(b, doc, it, &links);
            site_links_aim(&links, ci->url);
            buf_reset(&b->html);
            markdown_render_html(doc, b->cfg->allow_html, &b->html);
            search_index_add(b->search, search_collect(b->collector, L, -1, doc));
            sandbox_set_string(L, "body_html", buf_cstr(&b->html));
        } else {
            search_index_add(b->search, search_collect(b->collector, L, -1, NULL));
        }
        buf_reset(&b->scratch);
        buf_printf(&b->scratch, "%s%s", b->cfg->base_url, ci->url + 1);
        buf_reset(&b->html);
        if (qrcode_svg(b->scratch.ptr, "本页网址的二维码", &b->html) == 0)
            sandbox_set_string(L, "qr_svg_html", b->html.ptr);
        lua_pop(L, 1);
        int rc = site_render_versions(b, history_item_revisions(b->opt->history, i), it, ci->url,
                                      it->title, it->dept, "item", b->item_ref[i]);
        for (int print = 0; print < 2 && rc == 0; print++) {
            buf_reset(&b->path);
            buf_printf(&b->path, "%s%s", ci->url, print ? "print/" : "");
            if (print && links.len) {
                /* The print view sits a folder deeper: aim the links anew. */
                site_links_aim(&links, b->path.ptr);
                buf_reset(&b->html);
                markdown_render_html(doc, b->cfg->allow_html, &b->html);
                lua_rawgeti(L, LUA_REGISTRYINDEX, b->item_ref[i]);
                sandbox_set_string(L, "body_html", buf_cstr(&b->html));
                lua_pop(L, 1);
            }
            site_page_begin(b, print ? "print" : "item", b->path.ptr, it->title);
            site_crumb(L, "首页", "/");
            site_crumb_dept(b, (size_t)(it->dept - b->cfg->departments));
            site_set_ref(L, "item", b->item_ref[i]);
            rc = site_page_finish(b, print ? "print.html" : "item.html", NULL);
        }
        if (rc == 0)
            rc = site_copy_attachments(b, ci);
        if (doc)
            cmark_node_free(doc);
        free(links.v);
        arena_free(&links.mem);
        if (rc)
            return rc;
        /* Bodies are needed by this page only: let them go. */
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->item_ref[i]);
        lua_pushnil(L);
        lua_setfield(L, -2, "body_html");
        lua_pushnil(L);
        lua_setfield(L, -2, "qr_svg_html");
        lua_pushnil(L);
        lua_setfield(L, -2, "revisions");
        lua_pop(L, 1);
    }
    return 0;
}

/* The published items, newest first, of category `cat_index` (with its
 * children) and department `dept`; -1 for any. */
static size_t site_select(site_builder *b, int cat_index, int dept, size_t *out)
{
    size_t n = 0;
    for (size_t k = 0; k < b->published_len; k++) {
        size_t i = b->published[k];
        const content_item *it = b->cat->items[i].item;
        if (dept >= 0 && it->dept != &b->cfg->departments[dept])
            continue;
        if (cat_index >= 0 && !site_in_category(b->cat, i, cat_index))
            continue;
        out[n++] = i;
    }
    return n;
}

static int site_render_catalogue(site_builder *b, size_t *scratch)
{
    int rc = 0;
    for (size_t c = 0; c < b->cat->count && rc == 0; c++) {
        size_t n = site_select(b, (int)c, -1, scratch);
        site_listing_arg arg = {(int)c, -1};
        lua_rawgeti(b->L, LUA_REGISTRYINDEX, b->category_ref[c]);
        lua_getfield(b->L, -1, "url");
        buf base = BUF_INIT;
        buf_puts(&base, lua_tostring(b->L, -1));
        lua_pop(b->L, 2);
        rc = site_listing(b, "category", base.ptr, scratch, n, site_describe_listing, &arg,
                          b->cat->categories[c].name);
        buf_free(&base);
    }
    return rc;
}

static int site_render_department(site_builder *b, size_t d, size_t *scratch)
{
    lua_State *L = b->L;
    const department *dept = &b->cfg->departments[d];
    int rc = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, b->dept_ref[d]);
    lua_getfield(L, -1, "url");
    lua_getfield(L, -2, "subsite_name");
    buf home = BUF_INIT, title = BUF_INIT;
    buf_puts(&home, lua_tostring(L, -2));
    buf_puts(&title, lua_tostring(L, -1));
    lua_pop(L, 3);

    /* The sub-site's view of each category that has items of this unit. */
    lua_newtable(L); /* the sub-site home's `categories`, kept below the pages */
    for (size_t c = 0; c < b->cat->count && rc == 0; c++) {
        size_t n = site_select(b, (int)c, (int)d, scratch);
        if (!n)
            continue;
        const char *url;
        if (naming_department_category_url(b->names, &b->mem, dept->id, b->cat->categories[c].key,
                                           &url) != 0) {
            rc = RENDER_ERROR_TEMPLATE;
            break;
        }
        lua_newtable(L);
        sandbox_set_string(L, "url", url);
        site_set_ref(L, "category", b->category_ref[c]);
        lua_pushinteger(L, (lua_Integer)n);
        lua_setfield(L, -2, "item_count");
        site_set_items(b, "items", scratch,
                       n < SITE_DEPT_CATEGORY_ITEMS ? n : SITE_DEPT_CATEGORY_ITEMS);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
        site_listing_arg arg = {(int)c, (int)d};
        rc = site_listing(b, "category", url, scratch, n, site_describe_listing, &arg,
                          b->cat->categories[c].name);
    }
    if (rc == 0) {
        site_page_begin(b, "department", home.ptr, title.ptr);
        site_crumb(L, "首页", "/");
        lua_insert(L, -2);
        lua_setfield(L, -2, "categories");
        site_set_ref(L, "dept", b->dept_ref[d]);
        size_t n = site_select(b, -1, (int)d, scratch);
        site_set_items(b, "latest", scratch, n < SITE_HOME_ITEMS ? n : SITE_HOME_ITEMS);
        rc = site_page_finish(b, "department.html", NULL);
    } else {
        lua_pop(L, 1);
    }
    if (rc == 0) {
        size_t n = site_select(b, -1, (int)d, scratch);
        site_page_begin(b, "feed", home.ptr, title.ptr);
        site_set_ref(L, "dept", b->dept_ref[d]);
        site_set_items(b, "entries", scratch, n < SITE_FEED_ITEMS ? n : SITE_FEED_ITEMS);
        buf_printf(&home, "feed.xml");
        rc = site_page_finish(b, "feed.xml", home.ptr);
    }
    buf_free(&home);
    buf_free(&title);
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
    lua_State *L = b->L;
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
    site_page_begin(b, "facets", "/xxgk/fl/", "分类导航");
    site_crumb(b->L, "首页", "/");
    site_crumb(b->L, "政府信息公开", "/xxgk/");
    site_set_facets(b->L, "keywords", f.keywords, f.keyword_count);
    site_set_facets(b->L, "years", f.years, f.year_count);
    int rc = site_page_finish(b, "facets.html", NULL);
    for (size_t i = 0; i < f.keyword_count && rc == 0; i++) {
        site_facet_arg arg = {"keyword", &f.keywords[i]};
        rc = site_listing(b, "facet", f.keywords[i].url, f.keywords[i].items, f.keywords[i].count,
                          site_describe_facet, &arg, f.keywords[i].label);
    }
    for (size_t i = 0; i < f.year_count && rc == 0; i++) {
        site_facet_arg arg = {"year", &f.years[i]};
        char title[32];
        snprintf(title, sizeof title, "%s年", f.years[i].label);
        rc = site_listing(b, "facet", f.years[i].url, f.years[i].items, f.years[i].count,
                          site_describe_facet, &arg, title);
    }
    facets_free(&f);
    return rc;
}

static int site_render_sitemap(site_builder *b)
{
    lua_State *L = b->L;
    site_page_begin(b, "sitemap", "/sitemap.xml", "sitemap");
    lua_newtable(L);
    static const char *const fixed[] = {"/", "/xxgk/", "/releases/"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        lua_newtable(L);
        buf_reset(&b->scratch);
        buf_printf(&b->scratch, "%s%s", b->cfg->base_url, fixed[i] + 1);
        sandbox_set_string(L, "url", b->scratch.ptr);
        sandbox_set_string(L, "date", b->updated[0] ? b->updated : NULL);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    for (size_t k = 0; k < b->published_len; k++) {
        const catalogue_item *ci = &b->cat->items[b->published[k]];
        lua_newtable(L);
        buf_reset(&b->scratch);
        buf_printf(&b->scratch, "%s%s", b->cfg->base_url, ci->url + 1);
        sandbox_set_string(L, "url", b->scratch.ptr);
        site_set_date(L, "date", &ci->item->date);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "entries");
    return site_page_finish(b, "sitemap.xml", NULL);
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
        site_page_begin(b, "report", url.ptr, title.ptr);
        site_crumb(b->L, "首页", "/");
        site_crumb(b->L, "政府信息公开", "/xxgk/");
        annual_table_push(b->L, &r);
        lua_setfield(b->L, -2, "report");
        rc = site_page_finish(b, "report.html", NULL);
        report_csv(&r, &csv);
        buf_reset(&url);
        annual_csv_url(years[i], &url);
        buf_reset(&b->err);
        if (rc == 0 && output_write(&b->out, url.ptr, csv.ptr, csv.len, &b->err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->err.ptr);
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

/* page.reports on the 政府信息公开 column: {{year, url}}, newest first. */
static void site_set_reports(site_builder *b)
{
    arena mem;
    arena_init(&mem);
    size_t n;
    const int *years = report_years(b->cat, &mem, &n);
    lua_createtable(b->L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_newtable(b->L);
        lua_pushinteger(b->L, years[i]);
        lua_setfield(b->L, -2, "year");
        buf_reset(&b->scratch);
        annual_page_url(years[i], &b->scratch);
        sandbox_set_string(b->L, "url", b->scratch.ptr);
        lua_rawseti(b->L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(b->L, -2, "reports");
    arena_free(&mem);
}

static int site_render_fixed_pages(site_builder *b)
{
    lua_State *L = b->L;
    size_t n = b->published_len;
    site_page_begin(b, "home", "/", b->cfg->name);
    site_set_items(b, "latest", b->published, n < SITE_HOME_ITEMS ? n : SITE_HOME_ITEMS);
    int rc = site_page_finish(b, "home.html", NULL);
    if (rc == 0) {
        site_page_begin(b, "column", "/xxgk/", "政府信息公开");
        site_crumb(L, "首页", "/");
        site_set_reports(b);
        rc = site_page_finish(b, "column.html", NULL);
    }
    if (rc == 0) {
        site_page_begin(b, "404", "/404.html", "页面不存在");
        rc = site_page_finish(b, "404.html", NULL);
    }
    if (rc == 0) {
        site_page_begin(b, "feed", "/", b->cfg->name);
        site_set_items(b, "entries", b->published, n < SITE_FEED_ITEMS ? n : SITE_FEED_ITEMS);
        rc = site_page_finish(b, "feed.xml", "/feed.xml");
    }
    return rc ? rc : site_render_sitemap(b);
}

static int site_copy_static(site_builder *b)
{
    buf dir = BUF_INIT;
    int rc = 0;
    if (config_theme_dir(b->cfg, &dir) == 0) {
        buf_puts(&dir, "/static");
        buf_reset(&b->err);
        if (output_copy_tree(&b->out, dir.ptr, &b->err) != 0) {
            diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->err.ptr);
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
    site_page_begin(b, "redirect", from, title);
    sandbox_set_string(b->L, "target", to);
    return site_page_finish(b, "redirect.html", NULL);
}

/* A withdrawn item's URL says when and why it went, never 404. */
static int site_render_withdrawn(site_builder *b)
{
    lua_State *L = b->L;
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
            site_set_ref(L, "dept", b->dept_ref[w->department - b->cfg->departments]);
        int ref = luaL_ref(L, LUA_REGISTRYINDEX);
        rc = site_render_versions(b, history_withdrawn_revisions(b->opt->history, i), NULL, w->url,
                                  w->title, w->department, "withdrawn", ref);
        if (rc == 0) {
            site_page_begin(b, "withdrawn", w->url, w->title);
            site_crumb(L, "首页", "/");
            site_set_ref(L, "withdrawn", ref);
            rc = site_page_finish(b, "withdrawn.html", NULL);
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
    buf_reset(&b->err);
    if (search_index_write(b->search, &b->out, &stats, &b->err) != 0) {
        diag_add(b->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b->err.ptr);
        return RENDER_ERROR_IO;
    }
    site_page_begin(b, "search", "/search/", "站内搜索");
    site_crumb(b->L, "首页", "/");
    return site_page_finish(b, "search.html", NULL);
}

/* The release log (发布记录): every release on the release branch. */
static int site_render_releases(site_builder *b)
{
    site_page_begin(b, "releases", "/releases/", "发布记录");
    site_crumb(b->L, "首页", "/");
    revisions_releases_set(b->L, b->opt->history, b->cfg);
    return site_page_finish(b, "releases.html", NULL);
}

static int site_render_all(site_builder *b)
{
    site_build_site(b);
    if (site_build_departments(b) != 0 || site_build_categories(b) != 0 || site_build_items(b) != 0)
        return RENDER_ERROR_TEMPLATE;
    site_finish_site(b);

    size_t *scratch = xmalloc((b->published_len + 1) * sizeof *scratch);
    /* Items first: their pages give the summaries that listings show. */
    int rc = site_render_items(b);
    if (rc == 0)
        rc = site_render_fixed_pages(b);
    if (rc == 0)
        rc = site_render_catalogue(b, scratch);
    if (rc == 0)
        rc = site_render_facets(b);
    for (size_t d = 0; d < b->cfg->department_count && rc == 0; d++)
        rc = site_render_department(b, d, scratch);
    free(scratch);
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
    /* The templates' state also holds the model they see, a table per item:
     * its memory bound grows with the site, so that only a template's own
     * run-away use hits it. */
    template_limits limits = TEMPLATE_LIMITS_DEFAULT;
    limits.memory += cat->item_count * SITE_MEMORY_PER_ITEM;
    if (template_set_new(&b.ts, cfg, &limits, &b.err) != 0) {
        diag_add(diags, DIAG_ERROR, "GK401", "", 0, 0, "%s", b.err.ptr);
        buf_free(&b.err);
        return RENDER_ERROR_TEMPLATE;
    }
    b.L = template_set_lua(b.ts);
    b.search = search_index_new(cfg, cat);
    b.collector = search_collector_new(cfg, cat);
    int rc;
    if (output_open(&b.out, opt->out_dir, &b.err) != 0) {
        diag_add(diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b.err.ptr);
        rc = RENDER_ERROR_IO;
    } else {
        rc = site_render_all(&b);
        if (rc == 0 && output_commit(&b.out, &b.err) != 0) {
            diag_add(diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", b.err.ptr);
            rc = RENDER_ERROR_IO;
        }
    }
    if (rc == 0) {
        stats->items = b.published_len;
        stats->pages = b.pages;
        stats->files = b.out.files;
        stats->unchanged = b.out.unchanged;
        output_free(&b.out);
    } else {
        output_abort(&b.out);
    }
    template_set_free(b.ts);
    search_index_free(b.search);
    search_collector_free(b.collector);
    arena_free(&b.mem);
    free(b.dept_ref);
    free(b.category_ref);
    free(b.item_ref);
    free(b.published);
    free(b.by_source);
    buf_free(&b.html);
    buf_free(&b.err);
    buf_free(&b.path);
    buf_free(&b.scratch);
    return rc;
}
