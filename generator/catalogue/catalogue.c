#include "catalogue_internal.h"

#include "../util/buf.h"
#include "../util/sandbox.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdlib.h>
#include <string.h>

typedef struct catalogue_reader {
    catalogue *cat;
    diag_list *diags;
    lua_State *L;
    size_t cap;
    int errors;
} catalogue_reader;

static void catalogue_error(catalogue_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void catalogue_error(catalogue_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->diags, DIAG_ERROR, "GK301", r->cat->source, 0, 0, fmt, ap);
    va_end(ap);
    r->errors++;
}

/* t[field] as a string copied into the catalogue, or NULL when absent. */
static const char *catalogue_string_field(catalogue_reader *r, int t, const char *field,
                                          const char *where)
{
    const char *s = NULL;
    int type = lua_getfield(r->L, t, field);
    if (type == LUA_TSTRING)
        s = arena_strdup(&r->cat->mem, lua_tostring(r->L, -1));
    else if (type != LUA_TNIL)
        catalogue_error(r, "%s 的 %s 应为字符串", where, field);
    lua_pop(r->L, 1);
    return s;
}

static bool catalogue_bool_field(catalogue_reader *r, int t, const char *field, const char *where)
{
    bool b = false;
    int type = lua_getfield(r->L, t, field);
    if (type == LUA_TBOOLEAN)
        b = lua_toboolean(r->L, -1);
    else if (type != LUA_TNIL)
        catalogue_error(r, "%s 的 %s 应为 true 或 false", where, field);
    lua_pop(r->L, 1);
    return b;
}

/* Match s against names[], returning its index, 0 when absent. */
static int catalogue_enum_field(catalogue_reader *r, int t, const char *field, const char *where,
                                const char *const names[])
{
    const char *s = catalogue_string_field(r, t, field, where);
    if (!s)
        return 0;
    for (int i = 1; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (strcmp(s, names[0]) != 0)
        catalogue_error(r, "%s 的 %s 不能是“%s”", where, field, s);
    return 0;
}

static void catalogue_read_list(catalogue_reader *r, int list, int parent, int depth);

static void catalogue_read_entry(catalogue_reader *r, int t, int parent, int depth)
{
    static const char *const periodic_names[] = {"none", "quarter", "month", "year", NULL};
    static const char *const scope_names[] = {"both", "government", "department", "township", NULL};
    catalogue *cat = r->cat;
    char where[64];
    snprintf(where, sizeof where, "第 %zu 个分类", cat->count + 1);

    category c = {0};
    c.parent = parent;
    c.depth = depth;
    c.key = catalogue_string_field(r, t, "key", where);
    c.name = catalogue_string_field(r, t, "name", where);
    c.description = catalogue_string_field(r, t, "description", where);
    c.validity = catalogue_bool_field(r, t, "validity", where);
    c.fixed = catalogue_bool_field(r, t, "fixed", where);
    c.periodic = (category_periodic)catalogue_enum_field(r, t, "periodic", where, periodic_names);
    c.scope = (category_scope)catalogue_enum_field(r, t, "scope", where, scope_names);
    if (!c.key || !c.name) {
        catalogue_error(r, "%s 缺少 key 或 name", where);
        return;
    }
    if (!config_id_valid(c.key)) {
        catalogue_error(r, "分类 key“%s”只能由小写字母、数字、- 和 _ 组成", c.key);
        return;
    }
    if (catalogue_category_find(cat, c.key) || catalogue_category_find(cat, c.name)) {
        catalogue_error(r, "分类“%s”（%s）的 key 或名称与前面的分类重复", c.name, c.key);
        return;
    }
    cat->categories = xgrow(cat->categories, &r->cap, cat->count + 1, sizeof *cat->categories);
    int self = (int)cat->count;
    cat->categories[cat->count++] = c;

    if (lua_getfield(r->L, t, "children") == LUA_TTABLE)
        catalogue_read_list(r, lua_gettop(r->L), self, depth + 1);
    else if (!lua_isnil(r->L, -1))
        catalogue_error(r, "分类“%s”的 children 应为表", c.name);
    lua_pop(r->L, 1);
}

static void catalogue_read_list(catalogue_reader *r, int list, int parent, int depth)
{
    if (depth > 8) {
        catalogue_error(r, "分类层级太深（最多 8 层）");
        return;
    }
    lua_Integer n = luaL_len(r->L, list);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(r->L, list, i) == LUA_TTABLE)
            catalogue_read_entry(r, lua_gettop(r->L), parent, depth);
        else
            catalogue_error(r, "categories 的第 %lld 项应为表", (long long)i);
        lua_pop(r->L, 1);
    }
}

int catalogue_load(catalogue *cat, const site_config *cfg, diag_list *diags)
{
    memset(cat, 0, sizeof *cat);
    arena_init(&cat->mem);
    buf path = BUF_INIT, shown = BUF_INIT, err = BUF_INIT;
    catalogue_reader r = {cat, diags, NULL, 0, 0};
    if (config_template_find(cfg, "catalogue.lua", &path, &shown) != 0) {
        cat->source = "templates/catalogue.lua";
        catalogue_error(
            &r, "找不到分类目录 catalogue.lua（站点 templates/、主题“%s”和安装目录中都没有）",
            cfg->theme);
        goto out;
    }
    cat->source = arena_strdup(&cat->mem, shown.ptr);
    r.L = sandbox_new();
    if (!r.L) {
        catalogue_error(&r, "无法创建 Lua 运行环境（内存不足）");
        goto out;
    }
    if (sandbox_run_file(r.L, path.ptr, cat->source, 1, &err) != 0) {
        catalogue_error(&r, "%s", err.ptr);
        goto out;
    }
    if (!lua_istable(r.L, -1) || lua_getfield(r.L, -1, "categories") != LUA_TTABLE) {
        catalogue_error(&r, "catalogue.lua 应返回一个表，其中 categories 是分类列表");
        goto out;
    }
    catalogue_read_list(&r, lua_gettop(r.L), -1, 0);
    if (!r.errors && cat->count == 0)
        catalogue_error(&r, "分类目录是空的");
out:
    sandbox_close(r.L);
    buf_free(&path);
    buf_free(&shown);
    buf_free(&err);
    return r.errors ? -1 : 0;
}

void catalogue_free(catalogue *cat)
{
    if (cat->lock)
        lock_file_free(cat->lock);
    free(cat->categories);
    free(cat->items);
    arena_free(&cat->mem);
    memset(cat, 0, sizeof *cat);
}

const category *catalogue_category_find(const catalogue *cat, const char *key_or_name)
{
    for (size_t i = 0; i < cat->count; i++) {
        const category *c = &cat->categories[i];
        if (strcmp(c->key, key_or_name) == 0 || strcmp(c->name, key_or_name) == 0)
            return c;
    }
    return NULL;
}

/* How many code points of `want` also occur in `name`: a cheap likeness for
 * suggesting 财政预算 → 财政预决算. */
static int catalogue_likeness(const char *want, const char *name)
{
    int score = 0;
    size_t wn = strlen(want), nn = strlen(name);
    for (size_t i = 0; i < wn;) {
        uint32_t cp;
        size_t k = utf8_decode(want + i, wn - i, &cp);
        if (!k)
            break;
        for (size_t j = 0; j + k <= nn; j++)
            if (memcmp(name + j, want + i, k) == 0) {
                score++;
                break;
            }
        i += k;
    }
    return score;
}

static void catalogue_suggest(const catalogue *cat, const char *want, buf *out)
{
    int best[3] = {-1, -1, -1}, score[3] = {0, 0, 0};
    for (size_t i = 0; i < cat->count; i++) {
        int s = catalogue_likeness(want, cat->categories[i].name);
        for (int k = 0; k < 3; k++) {
            if (s > score[k] && s >= 2) {
                for (int m = 2; m > k; m--) {
                    best[m] = best[m - 1];
                    score[m] = score[m - 1];
                }
                best[k] = (int)i;
                score[k] = s;
                break;
            }
        }
    }
    for (int k = 0; k < 3 && best[k] >= 0; k++)
        buf_printf(out, "%s“%s”", k ? "、" : "，是否是指 ", cat->categories[best[k]].name);
    if (best[0] >= 0)
        buf_puts(out, "？");
}

int catalogue_items_resolve(catalogue *cat, const content_set *set, diag_list *diags)
{
    int errors = 0;
    cat->items = xcalloc(set->len ? set->len : 1, sizeof *cat->items);
    cat->item_count = set->len;
    /* Each item's category by a map of the keys and names, which are all
     * distinct (catalogue_read_entry sees to it): what
     * catalogue_category_find gives, without a walk per item. */
    lock_map *named = lock_map_new(&cat->mem, 2 * cat->count);
    for (size_t c = 0; c < cat->count; c++) {
        lock_map_put(&cat->mem, named, cat->categories[c].key, (int)c);
        lock_map_put(&cat->mem, named, cat->categories[c].name, (int)c);
    }
    buf hint = BUF_INIT;
    for (size_t i = 0; i < set->len; i++) {
        const content_item *it = &set->items[i];
        cat->items[i].item = it;
        if (!it->category.s || !it->category.s[0])
            continue; /* missing: the content stage reported it */
        int c = lock_map_get(named, it->category.s);
        if (c >= 0) {
            cat->items[i].category = &cat->categories[c];
            continue;
        }
        buf_reset(&hint);
        catalogue_suggest(cat, it->category.s, &hint);
        diag_add(diags, DIAG_ERROR, "GK111", it->path, it->category.line, it->category.col,
                 "未知分类“%s”：category 应为 %s 中某个分类的名称或 key%s", it->category.s,
                 cat->source, buf_cstr(&hint));
        errors++;
    }
    buf_free(&hint);
    return errors ? -1 : 0;
}

bool catalogue_item_published(const catalogue_item *ci, bool drafts)
{
    const content_item *it = ci->item;
    return it->ok && ci->category && ci->index_no &&
           it->disclosure != CONTENT_DISCLOSURE_WITHHELD && (!it->draft || drafts);
}
