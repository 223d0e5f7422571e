/* A Lua state with the site's model as tables, and the helpers every page
 * uses: the page table, breadcrumbs, rendering and writing. */
#include "revisions.h"
#include "site_internal.h"

#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

void site_error(site_builder *b, const char *code, const char *path, const char *msg)
{
    pthread_mutex_lock(&b->lock);
    diag_add(b->diags, DIAG_ERROR, code, path, 0, 0, "%s", msg);
    pthread_mutex_unlock(&b->lock);
}

/* A template error reads "templates/item.html:12: message": point the
 * diagnostic at that file and line. */
static void site_template_error(site_state *st, const char *msg)
{
    const char *colon = strchr(msg, ':');
    const char *file = "", *text = msg;
    long line = 0;
    if (colon && colon[1] >= '0' && colon[1] <= '9') {
        char *end;
        long n = strtol(colon + 1, &end, 10);
        if (*end == ':') {
            line = n;
            buf_reset(&st->scratch);
            buf_put(&st->scratch, msg, (size_t)(colon - msg));
            file = st->scratch.ptr;
            text = end + 1 + (end[1] == ' ');
        }
    }
    pthread_mutex_lock(&st->b->lock);
    diag_add(st->diags, DIAG_ERROR, "GK401", file, (int)line, line ? 1 : 0, "模板错误：%s", text);
    pthread_mutex_unlock(&st->b->lock);
}

/* ---- Lua table helpers --------------------------------------------------- */

void site_set_date(lua_State *L, const char *key, const content_when *w)
{
    if (!w->set)
        return;
    char s[11];
    date_format(w->day, s);
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}

void site_set_ref(lua_State *L, const char *key, int ref)
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

/* ---- the site's figures -----------------------------------------------------
 * How many items the site, each department and each category has, and the
 * date of the newest, change whenever an item comes or goes, yet most pages
 * never show them, or show a few. The tables serve them through a
 * metatable that notes whose a render reads (site_figure_note), so that
 * the build cache can keep a page when only figures it did not read
 * changed. pairs() lists them too; rawget does not see them. */

static const char key_figures = 'v';     /* table -> its figures {item_count=, updated=} */
static const char key_figure_slot = 'w'; /* table -> its figures' slot (site_figures_open) */

/* Note that the render read the figures of the table at index 1. */
static void site_figure_read(site_state *st, lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_figure_slot);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    site_figure_note(st, (size_t)lua_tointeger(L, -1));
    lua_pop(L, 2);
}

/* Push the figures of the table at index 1, or return false with nothing
 * pushed. */
static bool site_figures_push(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_figures);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
        lua_remove(L, -2);
        return true;
    }
    lua_pop(L, 2);
    return false;
}

/* __index(t, k) */
static int site_figure_index(lua_State *L)
{
    site_state *st = lua_touserdata(L, lua_upvalueindex(1));
    if (!site_figures_push(L))
        return 0;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL)
        site_figure_read(st, L);
    return 1;
}

/* The iterator __pairs gives: t's own fields, then its figures (those t
 * does not hold itself). */
static int site_figure_next(lua_State *L)
{
    site_state *st = lua_touserdata(L, lua_upvalueindex(1));
    lua_settop(L, 2);
    bool figures = site_figures_push(L); /* at 3 */
    bool in_figures = false;
    if (figures && !lua_isnil(L, 2)) {
        lua_pushvalue(L, 2);
        in_figures = lua_rawget(L, 3) != LUA_TNIL;
        lua_pushvalue(L, 2);
        in_figures = in_figures && lua_rawget(L, 1) == LUA_TNIL;
        lua_pop(L, 2);
    }
    if (!in_figures) {
        lua_pushvalue(L, 2);
        if (lua_next(L, 1))
            return 2;
        if (!figures)
            return 0;
        lua_pushnil(L);
    } else {
        lua_pushvalue(L, 2);
    }
    while (lua_next(L, 3)) {
        lua_pushvalue(L, -2);
        if (lua_rawget(L, 1) == LUA_TNIL) {
            lua_pop(L, 1);
            site_figure_read(st, L);
            return 2;
        }
        lua_pop(L, 2);
    }
    return 0;
}

/* __pairs(t) */
static int site_figure_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* The registry's &key_figures: the figures of each table that has them,
 * and under "metatable" the metatable those tables share; its
 * &key_figure_slot: their slots; and the state's note of those read. */
static void site_figures_prepare(site_state *st)
{
    lua_State *L = st->L;
    lua_newtable(L);
    lua_createtable(L, 0, 3);
    lua_pushlightuserdata(L, st);
    lua_pushcclosure(L, site_figure_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushlightuserdata(L, st);
    lua_pushcclosure(L, site_figure_next, 1);
    lua_pushcclosure(L, site_figure_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setfield(L, -2, "metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_figures);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_figure_slot);
    st->figure_read = xcalloc(st->b->figure_count + 1, sizeof *st->figure_read);
    st->figures_read = xmalloc((st->b->figure_count + 1) * sizeof *st->figures_read);
}

/* Give the table on top its figures, those of `slot`: `n` items, and the
 * newest date. */
static void site_set_count(lua_State *L, size_t slot, size_t n, const char *updated)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_figure_slot);
    lua_pushvalue(L, -2);
    lua_pushinteger(L, (lua_Integer)slot);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_figures);
    lua_pushvalue(L, -2);
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, -2, "item_count");
    if (updated && updated[0])
        sandbox_set_string(L, "updated", updated);
    lua_rawset(L, -3);
    lua_getfield(L, -1, "metatable");
    lua_setmetatable(L, -3);
    lua_pop(L, 1);
}

static const char *site_status_name(content_validity v)
{
    static const char *const names[] = {NULL, "有效", "失效", "废止"};
    return names[v];
}

/* ---- an item's table -------------------------------------------------------
 * A state that renders listings makes a table for every item they show:
 * made whole, the tables of 10 000 items, some twenty fields each, were
 * most of a state's Lua heap, though a listing row reads a handful. So a
 * table holds at first only its item's number (under a key no template can
 * write) and what a render sets on it; a field is made when first read,
 * through the metatable's __index, and kept in the table. pairs() makes
 * every field first; rawget sees only those made. */

static const char key_item = 'n'; /* t[&key_item]: the item's index */
static const char key_item_meta = 'm';

typedef enum item_field {
    ITEM_TITLE,
    ITEM_URL,
    ITEM_PRINT_URL,
    ITEM_SOURCE,
    ITEM_INDEX_NO,
    ITEM_DEPT,
    ITEM_CATEGORY,
    ITEM_DATE,
    ITEM_CREATED,
    ITEM_EFFECTIVE,
    ITEM_EXPIRES,
    ITEM_REVIEWED_ON,
    ITEM_STATUS,
    ITEM_DISCLOSURE,
    ITEM_KEYWORDS,
    ITEM_REVIEWED_BY,
    ITEM_ATTACHMENTS,
    ITEM_DOC_NUMBER,
    ITEM_PERIOD,
    ITEM_PERIOD_LABEL,
    ITEM_FIELD_COUNT
} item_field;

static const char *const item_fields[ITEM_FIELD_COUNT] = {
    [ITEM_TITLE] = "title",
    [ITEM_URL] = "url",
    [ITEM_PRINT_URL] = "print_url",
    [ITEM_SOURCE] = "source",
    [ITEM_INDEX_NO] = "index_no",
    [ITEM_DEPT] = "dept",
    [ITEM_CATEGORY] = "category",
    [ITEM_DATE] = "date",
    [ITEM_CREATED] = "created",
    [ITEM_EFFECTIVE] = "effective",
    [ITEM_EXPIRES] = "expires",
    [ITEM_REVIEWED_ON] = "reviewed_on",
    [ITEM_STATUS] = "status",
    [ITEM_DISCLOSURE] = "disclosure",
    [ITEM_KEYWORDS] = "keywords",
    [ITEM_REVIEWED_BY] = "reviewed_by",
    [ITEM_ATTACHMENTS] = "attachments",
    [ITEM_DOC_NUMBER] = "doc_number",
    [ITEM_PERIOD] = "period",
    [ITEM_PERIOD_LABEL] = "period_label",
};

/* Set field f (item_fields[f]) of catalogue item `index` on the table on
 * top; a field the item lacks (an unset date...) is left nil. */
static void item_field_set(site_state *st, size_t index, item_field f)
{
    lua_State *L = st->L;
    const site_builder *b = st->b;
    const catalogue_item *ci = &b->cat->items[index];
    const content_item *it = ci->item;
    const char *name = item_fields[f];
    switch (f) {
    case ITEM_TITLE:
        sandbox_set_string(L, name, it->title);
        break;
    case ITEM_URL:
        sandbox_set_string(L, name, ci->url);
        break;
    case ITEM_PRINT_URL:
        buf_reset(&st->scratch);
        buf_puts(&st->scratch, ci->url);
        buf_puts(&st->scratch, "print/");
        sandbox_set_string(L, name, st->scratch.ptr);
        break;
    case ITEM_SOURCE:
        sandbox_set_string(L, name, it->path);
        break;
    case ITEM_INDEX_NO:
        sandbox_set_string(L, name, ci->index_no);
        break;
    case ITEM_DEPT:
        site_set_ref(L, name, st->dept_ref[it->dept - b->cfg->departments]);
        break;
    case ITEM_CATEGORY:
        site_set_ref(L, name, st->category_ref[ci->category - b->cat->categories]);
        break;
    case ITEM_DATE:
        site_set_date(L, name, &it->date);
        break;
    case ITEM_CREATED:
        site_set_date(L, name, &it->created);
        break;
    case ITEM_EFFECTIVE:
        site_set_date(L, name, &it->effective);
        break;
    case ITEM_EXPIRES:
        site_set_date(L, name, &it->expires);
        break;
    case ITEM_REVIEWED_ON:
        site_set_date(L, name, &it->reviewed_on);
        break;
    case ITEM_STATUS:
        sandbox_set_string(L, name, site_status_name(it->status));
        break;
    case ITEM_DISCLOSURE:
        sandbox_set_string(
            L, name, it->disclosure == CONTENT_DISCLOSURE_ON_REQUEST ? "依申请公开" : "主动公开");
        break;
    case ITEM_KEYWORDS:
        site_set_list(L, name, &it->keywords);
        break;
    case ITEM_REVIEWED_BY:
        site_set_list(L, name, &it->reviewed_by);
        break;
    case ITEM_ATTACHMENTS:
        lua_newtable(L);
        for (size_t i = 0; i < it->attachments.len; i++) {
            lua_createtable(L, 0, 2);
            sandbox_set_string(L, "name", it->attachments.v[i].s);
            buf_reset(&st->scratch);
            buf_puts(&st->scratch, ci->url);
            buf_puts(&st->scratch, it->attachments.v[i].s);
            sandbox_set_string(L, "url", st->scratch.ptr);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, name);
        break;
    case ITEM_DOC_NUMBER:
        sandbox_set_string(L, name, b->item[index].doc_number);
        break;
    case ITEM_PERIOD:
        if (b->item[index].period_label)
            sandbox_set_string(L, name, it->period_text);
        break;
    case ITEM_PERIOD_LABEL:
        sandbox_set_string(L, name, b->item[index].period_label);
        break;
    case ITEM_FIELD_COUNT:
        break;
    }
}

/* Make field f of the item table at index 1. */
static void item_field_make(lua_State *L, item_field f)
{
    site_state *st = lua_touserdata(L, lua_upvalueindex(1));
    lua_rawgetp(L, 1, &key_item);
    size_t index = (size_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    item_field_set(st, index, f);
    lua_pop(L, 1);
}

/* __index(t, k) */
static int site_item_index(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    for (item_field f = 0; k && f < ITEM_FIELD_COUNT; f++)
        if (strcmp(k, item_fields[f]) == 0) {
            item_field_make(L, f);
            lua_pushvalue(L, 2);
            lua_rawget(L, 1);
            return 1;
        }
    return 0;
}

/* The iterator __pairs gives: the table's fields without the item's index. */
static int site_item_next(lua_State *L)
{
    lua_settop(L, 2);
    while (lua_next(L, 1)) {
        if (lua_type(L, -2) != LUA_TLIGHTUSERDATA)
            return 2;
        lua_pop(L, 1);
    }
    return 0;
}

/* __pairs(t): every field made, then the table's own. */
static int site_item_pairs(lua_State *L)
{
    for (item_field f = 0; f < ITEM_FIELD_COUNT; f++) {
        lua_getfield(L, 1, item_fields[f]);
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void site_item_prepare(site_state *st)
{
    lua_State *L = st->L;
    lua_createtable(L, 0, 3);
    lua_pushlightuserdata(L, st);
    lua_pushcclosure(L, site_item_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcclosure(L, site_item_next, 0);
    lua_pushcclosure(L, site_item_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_item_meta);
}

void site_item_push(site_state *st, size_t index)
{
    lua_State *L = st->L;
    /* Room for the fields a listing row reads and those a render sets. */
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, (lua_Integer)index);
    lua_rawsetp(L, -2, &key_item);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_item_meta);
    lua_setmetatable(L, -2);
}

/* ---- the model as Lua tables -------------------------------------------- */

static void site_state_departments(site_state *st)
{
    lua_State *L = st->L;
    const site_config *cfg = st->b->cfg;
    st->dept_ref = xcalloc(cfg->department_count + 1, sizeof *st->dept_ref);
    for (size_t i = 0; i < cfg->department_count; i++) {
        naming_department_push(L, &cfg->departments[i]);
        const site_dept_names *n = &st->b->dept[i];
        site_set_count(L, site_figures_dept(i), n->item_count, NULL);
        sandbox_set_string(L, "subsite_name", n->subsite_name);
        sandbox_set_string(L, "url", n->url);
        sandbox_set_string(L, "feed_url", n->feed_url);
        st->dept_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        if (!d->parent)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->dept_ref[i]);
        site_set_ref(L, "parent",
                     st->dept_ref[config_department_find(cfg, d->parent) - cfg->departments]);
        lua_pop(L, 1);
    }
}

static const char *site_periodic_name(category_periodic p)
{
    static const char *const names[] = {NULL, "quarter", "month", "year"};
    return names[p];
}

static void site_state_categories(site_state *st)
{
    lua_State *L = st->L;
    const catalogue *cat = st->b->cat;
    st->category_ref = xcalloc(cat->count + 1, sizeof *st->category_ref);
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
        site_set_count(L, site_figures_category(st->b, i), st->b->category[i].item_count, NULL);
        lua_newtable(L);
        lua_setfield(L, -2, "children");
        if (c->parent >= 0) {
            site_set_ref(L, "parent", st->category_ref[c->parent]);
            lua_rawgeti(L, LUA_REGISTRYINDEX, st->category_ref[c->parent]);
            lua_getfield(L, -1, "children");
            lua_pushvalue(L, -3);
            lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
            lua_pop(L, 2);
        }
        sandbox_set_string(L, "url", st->b->category[i].url);
        st->category_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
}

/* The site table, with the lists that need every department and category. */
static void site_state_site(site_state *st)
{
    lua_State *L = st->L;
    const site_config *cfg = st->b->cfg;
    naming_site_push(L, cfg);
    sandbox_set_string(L, "icp", cfg->icp);
    sandbox_set_string(L, "psb", cfg->psb);
    lua_newtable(L); /* departments */
    lua_newtable(L); /* townships */
    for (size_t i = 0; i < cfg->department_count; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->dept_ref[i]);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        if (cfg->departments[i].kind != DEPARTMENT_KIND_TOWNSHIP)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->dept_ref[i]);
        lua_newtable(L);
        for (size_t v = 0; v < cfg->department_count; v++) {
            const char *parent = cfg->departments[v].parent;
            if (cfg->departments[v].kind == DEPARTMENT_KIND_VILLAGE && parent &&
                strcmp(parent, cfg->departments[i].id) == 0) {
                lua_rawgeti(L, LUA_REGISTRYINDEX, st->dept_ref[v]);
                lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
            }
        }
        lua_setfield(L, -2, "villages");
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -3, "townships");
    lua_setfield(L, -2, "departments");
    lua_newtable(L);
    for (size_t i = 0; i < st->b->cat->count; i++) {
        if (st->b->cat->categories[i].parent >= 0)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->category_ref[i]);
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, "categories");
    site_set_count(L, SITE_FIGURES_SITE, st->b->published_len, st->b->updated);
    st->site_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

int site_state_open(site_state *st, site_builder *b)
{
    memset(st, 0, sizeof *st);
    st->b = b;
    st->diags = b->diags;
    arena_init(&st->mem);
    /* The state that renders the listings also holds a table per item: its
     * memory bound grows with the site, so that only a template's own
     * run-away use hits it. */
    template_limits limits = TEMPLATE_LIMITS_DEFAULT;
    limits.memory += b->cat->item_count * SITE_MEMORY_PER_ITEM;
    if (template_set_new(&st->ts, b->cfg, &limits, &st->err) != 0) {
        site_error(b, "GK401", "", st->err.ptr);
        return RENDER_ERROR_TEMPLATE;
    }
    st->L = template_set_lua(st->ts);
    site_figures_prepare(st);
    site_item_prepare(st);
    site_state_departments(st);
    site_state_categories(st);
    site_state_site(st);
    return 0;
}

void site_state_close(site_state *st)
{
    template_set_free(st->ts);
    arena_free(&st->mem);
    free(st->dept_ref);
    free(st->category_ref);
    free(st->figure_read);
    free(st->figures_read);
    free(st->links_read);
    free(st->log);
    buf_free(&st->html);
    buf_free(&st->err);
    buf_free(&st->path);
    buf_free(&st->scratch);
    buf_free(&st->link);
}

void site_item_found_set(lua_State *L, const site_item_found *f)
{
    sandbox_set_string(L, "summary", f->summary);
    sandbox_set_string(L, "version", f->version);
    if (f->working >= 0) {
        lua_pushboolean(L, f->working);
        lua_setfield(L, -2, "working");
    }
}

int site_item_ref(site_builder *b, size_t index)
{
    if (b->item_ref[index] == LUA_NOREF) {
        site_item_push(&b->main, index);
        site_item_found_set(b->main.L, &b->found[index]);
        b->item_ref[index] = luaL_ref(b->main.L, LUA_REGISTRYINDEX);
    }
    return b->item_ref[index];
}

/* ---- pages ------------------------------------------------------------- */

/* url(path) in a template: the link from the page being rendered. Made in
 * the state's own buffer (upvalue 3), so that a link costs no allocation
 * besides its string. */
static int site_url_fn(lua_State *L)
{
    const char *to = luaL_checkstring(L, 1);
    if (to[0] != '/') {
        lua_settop(L, 1); /* absolute URLs and fragments stay as written */
        return 1;
    }
    const char *base = lua_tostring(L, lua_upvalueindex(2));
    site_state *st = lua_touserdata(L, lua_upvalueindex(3));
    buf_reset(&st->link);
    if (base) {
        buf_puts(&st->link, base);
        buf_puts(&st->link, to + 1);
    } else {
        output_link(lua_tostring(L, lua_upvalueindex(1)), to, &st->link);
    }
    lua_pushlstring(L, buf_cstr(&st->link), st->link.len);
    return 1;
}

void site_page_begin(site_state *st, const char *kind, const char *url, const char *title)
{
    lua_State *L = st->L;
    /* Room for what every page gets and what most add. */
    lua_createtable(L, 0, 8);
    sandbox_set_string(L, "kind", kind);
    sandbox_set_string(L, "url", url);
    sandbox_set_string(L, "title", title);
    buf_reset(&st->scratch);
    buf_puts(&st->scratch, st->b->cfg->base_url);
    buf_puts(&st->scratch, url + 1);
    sandbox_set_string(L, "abs_url", st->scratch.ptr);
}

void site_crumb(lua_State *L, const char *title, const char *url)
{
    if (lua_getfield(L, -1, "breadcrumbs") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "breadcrumbs");
    }
    lua_createtable(L, 0, 2);
    sandbox_set_string(L, "title", title);
    sandbox_set_string(L, "url", url);
    lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    lua_pop(L, 1);
}

void site_crumb_dept(site_state *st, size_t dept)
{
    site_crumb(st->L, st->b->dept[dept].subsite_name, st->b->dept[dept].url);
}

int site_page_finish(site_state *st, const char *template, const char *file)
{
    lua_State *L = st->L;
    const site_config *cfg = st->b->cfg;
    lua_getfield(L, -1, "url");
    buf_reset(&st->path);
    buf_puts(&st->path, lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, -1, "kind");
    bool absolute = strcmp(lua_tostring(L, -1), "404") == 0;
    lua_pop(L, 1);

    lua_createtable(L, 0, 3); /* the context */
    lua_insert(L, -2);
    lua_setfield(L, -2, "page");
    site_set_ref(L, "site", st->site_ref);
    lua_pushstring(L, st->path.ptr);
    if (absolute) {
        /* The 404 page is served for any missing path: links must not
         * depend on where it is shown. */
        const char *host = strstr(cfg->base_url, "://");
        const char *path = host ? strchr(host + 3, '/') : cfg->base_url;
        lua_pushstring(L, path ? path : "/");
    } else {
        lua_pushnil(L);
    }
    lua_pushlightuserdata(L, st);
    lua_pushcclosure(L, site_url_fn, 3);
    lua_setfield(L, -2, "url");

    buf_reset(&st->html);
    buf_reset(&st->err);
    if (template_render(st->ts, template, st->path.ptr, &st->html, &st->err) != 0) {
        site_template_error(st, st->err.ptr);
        return RENDER_ERROR_TEMPLATE;
    }
    buf_reset(&st->err);
    if (output_write(&st->b->out, file ? file : st->path.ptr, buf_cstr(&st->html), st->html.len,
                     &st->err) != 0) {
        pthread_mutex_lock(&st->b->lock);
        diag_add(st->diags, DIAG_ERROR, "GK402", "", 0, 0, "%s", st->err.ptr);
        pthread_mutex_unlock(&st->b->lock);
        return RENDER_ERROR_IO;
    }
    if (st->logging) {
        st->log = xgrow(st->log, &st->log_cap, st->log_len + 1, sizeof *st->log);
        st->log[st->log_len++] =
            (cache_page){arena_strdup(&st->mem, file ? file : st->path.ptr), st->html.len};
    }
    st->pages++;
    return 0;
}

/* ---- versions ------------------------------------------------------------ */

/* revision_set_load reads git and revision_set_page asks naming.lua: both
 * are one thread's at a time. */
static int site_version_load(site_state *st, revision_set *rs, size_t k)
{
    pthread_mutex_lock(&st->b->lock);
    int rc = revision_set_load(rs, k, st->b->diags);
    pthread_mutex_unlock(&st->b->lock);
    return rc;
}

static int site_version_page(site_state *st, revision_set *rs, size_t k, const char *url)
{
    pthread_mutex_lock(&st->b->lock);
    int rc = revision_set_page(rs, st->L, k, url, st->b->names, &st->mem);
    pthread_mutex_unlock(&st->b->lock);
    return rc;
}

int site_render_versions(site_state *st, const history_revisions *rv, const content_item *current,
                         const char *url, const char *title, const department *dept,
                         const char *key, int ref)
{
    site_builder *b = st->b;
    lua_State *L = st->L;
    revision_set rs;
    revision_set_init(&rs, b->opt->history, b->cfg, rv, current, b->opt->drafts);
    rs.links = site_links_aim;
    rs.links_ctx = st;
    buf page = BUF_INIT, name = BUF_INIT;
    int rc = 0;
    for (size_t k = 0; k < rs.earlier && rc == 0; k++) {
        if (site_version_load(st, &rs, k) != 0) {
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
            site_page_begin(st, diff ? "diff" : "revision", page.ptr, name.ptr);
            site_crumb(L, "首页", "/");
            if (dept)
                site_crumb_dept(st, (size_t)(dept - b->cfg->departments));
            site_crumb(L, title, url);
            site_set_ref(L, key, ref);
            if (diff) {
                revision_set_diff(&rs, L, k, url, b->cfg->allow_html);
            } else if (site_version_page(st, &rs, k, url) != 0) {
                lua_pop(L, 1);
                rc = RENDER_ERROR_TEMPLATE;
                break;
            }
            rc = site_page_finish(st, diff ? "diff.html" : "revision.html", NULL);
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
