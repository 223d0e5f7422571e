/* naming.lua through C: one sandbox holding the rules, a call per decision,
 * and a strict check of every answer, because what naming.lua returns ends up
 * in file paths, URLs and catalogue.lock. */
#include "catalogue_internal.h"

#include "../util/sandbox.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdlib.h>
#include <string.h>

typedef enum naming_fn {
    NAMING_INDEX_NUMBER,
    NAMING_ITEM_URL,
    NAMING_DEPARTMENT_URL,
    NAMING_CATEGORY_URL,
    NAMING_DEPARTMENT_CATEGORY_URL,
    NAMING_SUBSITE_NAME,
    NAMING_BOARD_TITLE,
    NAMING_DOC_NUMBER,
    NAMING_DOC_NUMBER_PARTS,
    NAMING_PERIOD_LABEL,
    NAMING_FN_COUNT
} naming_fn;

static const char *const naming_fn_names[NAMING_FN_COUNT] = {
    "index_number", "item_url",    "department_url", "category_url",     "department_category_url",
    "subsite_name", "board_title", "doc_number",     "doc_number_parts", "period_label",
};

struct naming {
    lua_State *L;
    const site_config *cfg;
    diag_list *diags;
    arena mem;
    const char *source; /* naming.lua as shown */
    int table;          /* registry reference of the table naming.lua returned */
    bool failed[NAMING_FN_COUNT];
};

/* What a result must look like. */
enum { NAMING_TEXT = 0, NAMING_MAY_BE_EMPTY = 1, NAMING_URL = 2 };

/* t[key] onto the stack without metamethods: an __index written in
 * naming.lua would otherwise run outside the sandbox's instruction bound. */
static int naming_rawfield(lua_State *L, int t, const char *key)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

/* Push function fn of the table naming.lua returned. */
static int naming_push_fn(naming *n, naming_fn fn)
{
    lua_rawgeti(n->L, LUA_REGISTRYINDEX, n->table);
    int type = naming_rawfield(n->L, -1, naming_fn_names[fn]);
    lua_remove(n->L, -2);
    return type;
}

/* Add a GK302 error. A Lua message starts "<source>:<line>: " when Lua knows
 * where it was raised: that becomes the diagnostic's line. */
static void naming_error(naming *n, int line, const char *lead, const char *msg)
{
    size_t len = strlen(n->source);
    if (strncmp(msg, n->source, len) == 0 && msg[len] == ':' && msg[len + 1] >= '0' &&
        msg[len + 1] <= '9') {
        char *end;
        long l = strtol(msg + len + 1, &end, 10);
        if (*end == ':') {
            line = (int)l;
            msg = end + 1 + (end[1] == ' ');
        }
    }
    diag_add(n->diags, DIAG_ERROR, "GK302", n->source, line, 0, "%s%s", lead, msg);
}

/* The line naming.lua defines function fn on, or 0. */
static int naming_fn_line(naming *n, naming_fn fn)
{
    lua_State *L = n->L;
    if (naming_push_fn(n, fn) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    return ar.linedefined > 0 ? ar.linedefined : 0;
}

/* Report that fn (called about `what`) answered badly; later calls fail. */
static void naming_fail(naming *n, naming_fn fn, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void naming_fail(naming *n, naming_fn fn, const char *what, const char *fmt, ...)
{
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_printf(&msg, "命名规则 %s（%s）", naming_fn_names[fn], what);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag_add(n->diags, DIAG_ERROR, "GK302", n->source, naming_fn_line(n, fn), 0, "%s",
             buf_cstr(&msg));
    buf_free(&msg);
    n->failed[fn] = true;
}

int naming_open(naming **out, const site_config *cfg, diag_list *diags)
{
    *out = NULL;
    naming *n = xcalloc(1, sizeof *n);
    n->cfg = cfg;
    n->diags = diags;
    n->table = LUA_NOREF;
    arena_init(&n->mem);
    buf path = BUF_INIT, shown = BUF_INIT, err = BUF_INIT;
    int rc = -1;
    if (config_template_find(cfg, "naming.lua", &path, &shown) != 0) {
        diag_add(diags, DIAG_ERROR, "GK302", "templates/naming.lua", 0, 0,
                 "找不到命名规则 naming.lua（站点 templates/、主题“%s”和安装目录中都没有）",
                 cfg->theme ? cfg->theme : "");
        goto out;
    }
    n->source = arena_strdup(&n->mem, shown.ptr);
    n->L = sandbox_new();
    if (!n->L) {
        diag_add(diags, DIAG_ERROR, "GK302", n->source, 0, 0, "无法创建 Lua 运行环境（内存不足）");
        goto out;
    }
    if (sandbox_run_file(n->L, path.ptr, n->source, 1, &err) != 0) {
        naming_error(n, 0, "命名规则 naming.lua 有错误：", buf_cstr(&err));
        goto out;
    }
    if (!lua_istable(n->L, -1)) {
        diag_add(diags, DIAG_ERROR, "GK302", n->source, 0, 0,
                 "naming.lua 应返回一个由命名函数组成的表，却返回了 %s", luaL_typename(n->L, -1));
        goto out;
    }
    buf missing = BUF_INIT;
    for (int i = 0; i < NAMING_FN_COUNT; i++) {
        if (naming_rawfield(n->L, -1, naming_fn_names[i]) != LUA_TFUNCTION)
            buf_printf(&missing, "%s%s", missing.len ? "、" : "", naming_fn_names[i]);
        lua_pop(n->L, 1);
    }
    if (missing.len)
        diag_add(diags, DIAG_ERROR, "GK302", n->source, 0, 0,
                 "naming.lua 缺少函数：%s（修改命名规则时请保留默认文件中的全部函数）",
                 missing.ptr);
    else
        rc = 0;
    buf_free(&missing);
    n->table = luaL_ref(n->L, LUA_REGISTRYINDEX);
out:
    buf_free(&path);
    buf_free(&shown);
    buf_free(&err);
    if (rc == 0)
        *out = n;
    else
        naming_close(n);
    return rc;
}

int naming_fork(naming **out, const naming *n, diag_list *diags)
{
    if (naming_open(out, n->cfg, diags) != 0)
        return -1;
    memcpy((*out)->failed, n->failed, sizeof n->failed);
    return 0;
}

void naming_close(naming *n)
{
    if (!n)
        return;
    sandbox_close(n->L);
    arena_free(&n->mem);
    free(n);
}

const char *naming_source(const naming *n)
{
    return n->source;
}

/* ---- calling ------------------------------------------------------------ */

/* Push function fn, ready for its argument. -1 when it failed before. */
static int naming_begin(naming *n, naming_fn fn)
{
    if (n->failed[fn])
        return -1;
    naming_push_fn(n, fn);
    return 0;
}

/* Call fn with the one argument pushed since naming_begin, leaving its
 * result on the stack; on error nothing is left. */
static int naming_finish(naming *n, naming_fn fn, const char *what)
{
    buf err = BUF_INIT;
    int rc = sandbox_call(n->L, 1, 1, &err);
    if (rc != 0) {
        buf lead = BUF_INIT;
        buf_printf(&lead, "命名规则 %s（%s）出错：", naming_fn_names[fn], what);
        naming_error(n, 0, lead.ptr, buf_cstr(&err));
        n->failed[fn] = true;
        buf_free(&lead);
    }
    buf_free(&err);
    return rc;
}

/* Output files are written at these paths, so nothing may climb out of the
 * site or need escaping. */
const char *catalogue_url_problem(const char *s, size_t len)
{
    if (len < 2 || s[0] != '/' || s[len - 1] != '/')
        return "应以 / 开头、以 / 结尾，且不能只是 /";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        if (!ok)
            return "只能由英文字母、数字和 - . _ ~ / 组成";
    }
    /* Segment by segment: s is not always NUL-terminated at len. */
    for (size_t start = 1, i = 1; i < len; i++) {
        if (s[i] != '/')
            continue;
        size_t n = i - start;
        if (n == 0)
            return "不能有空的路径段（//）";
        if ((n == 1 && s[start] == '.') || (n == 2 && s[start] == '.' && s[start + 1] == '.'))
            return "不能有 . 或 .. 路径段";
        start = i + 1;
    }
    return NULL;
}

/* Take fn's string result (popped) into *out, checked against `flags`. */
static int naming_take_string(naming *n, naming_fn fn, const char *what, int flags, arena *mem,
                              const char **out)
{
    lua_State *L = n->L;
    int rc = -1;
    size_t len;
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    if (!s) {
        naming_fail(n, fn, what, "应返回字符串，却返回了 %s", luaL_typename(L, -1));
        goto out;
    }
    if (utf8_validate(s, len) != len) {
        naming_fail(n, fn, what, "返回的文字不是有效的 UTF-8");
        goto out;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            naming_fail(n, fn, what, "返回的文字含有控制字符（如换行、制表符）");
            goto out;
        }
    if (len == 0 && !(flags & NAMING_MAY_BE_EMPTY)) {
        naming_fail(n, fn, what, "返回了空字符串");
        goto out;
    }
    const char *why = (flags & NAMING_URL) ? catalogue_url_problem(s, len) : NULL;
    if (why) {
        naming_fail(n, fn, what, "返回的网址“%s”不可用：%s", s, why);
        goto out;
    }
    *out = arena_strndup(mem, s, len);
    rc = 0;
out:
    lua_pop(L, 1);
    return rc;
}

/* Call fn with the argument on the stack and take its string result. */
static int naming_string(naming *n, naming_fn fn, const char *what, int flags, arena *mem,
                         const char **out)
{
    if (naming_finish(n, fn, what) != 0)
        return -1;
    return naming_take_string(n, fn, what, flags, mem, out);
}

/* ---- argument tables ---------------------------------------------------- */

static void naming_set_integer(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

void naming_department_push(lua_State *L, const department *d)
{
    lua_createtable(L, 0, 12);
    sandbox_set_string(L, "id", d->id);
    sandbox_set_string(L, "name", d->name);
    sandbox_set_string(L, "full_name", d->full_name);
    sandbox_set_string(L, "kind",
                       d->kind == DEPARTMENT_KIND_TOWNSHIP  ? "township"
                       : d->kind == DEPARTMENT_KIND_VILLAGE ? "village"
                                                            : "department");
    sandbox_set_string(L, "abbr", d->abbr);
    sandbox_set_string(L, "org_code", d->org_code);
    sandbox_set_string(L, "contact", d->contact);
    sandbox_set_string(L, "contact_title", d->contact_title);
    sandbox_set_string(L, "phone", d->phone);
    sandbox_set_string(L, "address", d->address);
}

/* A unit as the table naming.lua (and the page templates) know; a village's
 * township as its `parent`. */
static void naming_push_department(naming *n, const department *d, bool with_parent)
{
    lua_State *L = n->L;
    naming_department_push(L, d);
    const department *parent = d->parent ? config_department_find(n->cfg, d->parent) : NULL;
    if (with_parent && parent) {
        naming_push_department(n, parent, false);
        lua_setfield(L, -2, "parent");
    }
}

void naming_site_push(lua_State *L, const site_config *cfg)
{
    lua_createtable(L, 0, 8);
    sandbox_set_string(L, "name", cfg->name);
    sandbox_set_string(L, "region", cfg->region);
    sandbox_set_string(L, "base_url", cfg->base_url);
    sandbox_set_string(L, "org_code", cfg->org_code);
    sandbox_set_string(L, "site_id", cfg->site_id);
    sandbox_set_string(L, "language", cfg->language);
}

/* The fields index_number and item_url share. */
static void naming_push_item(naming *n, const naming_item *it)
{
    lua_State *L = n->L;
    lua_createtable(L, 0, 8);
    sandbox_set_string(L, "dept", it->dept);
    naming_set_integer(L, "year", it->year);
    naming_set_integer(L, "seq", it->seq);
    sandbox_set_string(L, "category", it->category);
}

/* ---- the rules ---------------------------------------------------------- */

int naming_index_number(naming *n, arena *mem, const naming_item *it, const char **out)
{
    if (naming_begin(n, NAMING_INDEX_NUMBER) != 0)
        return -1;
    const department *d = config_department_find(n->cfg, it->dept);
    naming_push_item(n, it);
    sandbox_set_string(n->L, "org_code", d ? d->org_code : NULL);
    sandbox_set_string(n->L, "site_org_code", n->cfg->org_code);
    char what[160];
    snprintf(what, sizeof what, "%s %d 年第 %d 号", it->dept, it->year, it->seq);
    return naming_string(n, NAMING_INDEX_NUMBER, what, NAMING_TEXT, mem, out);
}

int naming_item_url(naming *n, arena *mem, const naming_item *it, const char **out)
{
    if (naming_begin(n, NAMING_ITEM_URL) != 0)
        return -1;
    naming_push_item(n, it);
    sandbox_set_string(n->L, "slug", it->slug);
    sandbox_set_string(n->L, "rel", it->rel);
    naming_set_integer(n->L, "clash", it->clash);
    buf what = BUF_INIT;
    buf_printf(&what, "content/%s", it->rel ? it->rel : it->slug);
    int rc = naming_string(n, NAMING_ITEM_URL, what.ptr, NAMING_URL, mem, out);
    buf_free(&what);
    return rc;
}

int naming_department_url(naming *n, arena *mem, const char *dept_id, const char **out)
{
    if (naming_begin(n, NAMING_DEPARTMENT_URL) != 0)
        return -1;
    lua_createtable(n->L, 0, 1);
    sandbox_set_string(n->L, "id", dept_id);
    return naming_string(n, NAMING_DEPARTMENT_URL, dept_id, NAMING_URL, mem, out);
}

int naming_category_url(naming *n, arena *mem, const char *key, const char **out)
{
    if (naming_begin(n, NAMING_CATEGORY_URL) != 0)
        return -1;
    lua_createtable(n->L, 0, 1);
    sandbox_set_string(n->L, "key", key);
    return naming_string(n, NAMING_CATEGORY_URL, key, NAMING_URL, mem, out);
}

int naming_department_category_url(naming *n, arena *mem, const char *dept_id, const char *key,
                                   const char **out)
{
    if (naming_begin(n, NAMING_DEPARTMENT_CATEGORY_URL) != 0)
        return -1;
    lua_createtable(n->L, 0, 2);
    sandbox_set_string(n->L, "dept", dept_id);
    sandbox_set_string(n->L, "key", key);
    buf what = BUF_INIT;
    buf_printf(&what, "%s/%s", dept_id, key);
    int rc = naming_string(n, NAMING_DEPARTMENT_CATEGORY_URL, what.ptr, NAMING_URL, mem, out);
    buf_free(&what);
    return rc;
}

int naming_subsite_name(naming *n, arena *mem, const department *dept, const char **out)
{
    if (naming_begin(n, NAMING_SUBSITE_NAME) != 0)
        return -1;
    lua_createtable(n->L, 0, 2);
    naming_push_department(n, dept, true);
    lua_setfield(n->L, -2, "dept");
    naming_site_push(n->L, n->cfg);
    lua_setfield(n->L, -2, "site");
    return naming_string(n, NAMING_SUBSITE_NAME, dept->id, NAMING_TEXT, mem, out);
}

int naming_board_title(naming *n, arena *mem, const board *b, const char **out)
{
    if (naming_begin(n, NAMING_BOARD_TITLE) != 0)
        return -1;
    lua_State *L = n->L;
    lua_createtable(L, 0, 4);
    lua_createtable(L, 0, 4);
    sandbox_set_string(L, "id", b->id);
    sandbox_set_string(L, "name", b->name);
    sandbox_set_string(L, "department", b->department);
    sandbox_set_string(L, "period", b->period == BOARD_PERIOD_MONTH ? "month" : "quarter");
    lua_setfield(L, -2, "board");
    const department *d = b->department ? config_department_find(n->cfg, b->department) : NULL;
    const department *p = d && d->parent ? config_department_find(n->cfg, d->parent) : NULL;
    if (d) {
        naming_push_department(n, d, true);
        lua_setfield(L, -2, "dept");
    }
    if (p) {
        naming_push_department(n, p, false);
        lua_setfield(L, -2, "parent");
    }
    naming_site_push(n->L, n->cfg);
    lua_setfield(L, -2, "site");
    return naming_string(n, NAMING_BOARD_TITLE, b->id, NAMING_TEXT, mem, out);
}

int naming_doc_number(naming *n, arena *mem, const char *raw, const char **out)
{
    if (naming_begin(n, NAMING_DOC_NUMBER) != 0)
        return -1;
    lua_pushstring(n->L, raw);
    return naming_string(n, NAMING_DOC_NUMBER, raw, NAMING_MAY_BE_EMPTY, mem, out);
}

/* t[key] as an integer into *v; false when it is not one. */
static bool naming_integer_field(lua_State *L, const char *key, lua_Integer *v)
{
    naming_rawfield(L, -1, key);
    int isnum = 0;
    *v = lua_tointegerx(L, -1, &isnum);
    bool ok = isnum && lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 1);
    return ok;
}

int naming_doc_number_parts(naming *n, arena *mem, const char *s, naming_doc_parts *out)
{
    if (naming_begin(n, NAMING_DOC_NUMBER_PARTS) != 0)
        return -1;
    lua_State *L = n->L;
    lua_pushstring(L, s);
    if (naming_finish(n, NAMING_DOC_NUMBER_PARTS, s) != 0)
        return -1;
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_istable(L, -1)) {
        naming_fail(n, NAMING_DOC_NUMBER_PARTS, s,
                    "应返回 nil 或 {issuer = 字符串, year = 年份, seq = 序号}，却返回了 %s",
                    luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    lua_Integer year = 0, seq = 0;
    if (!naming_integer_field(L, "year", &year) || !naming_integer_field(L, "seq", &seq) ||
        year <= 0 || year > 9999 || seq < 0 || seq > 2147483647) {
        naming_fail(n, NAMING_DOC_NUMBER_PARTS, s,
                    "返回的表中 year 应为年份、seq 应为序号（都是整数）");
        lua_pop(L, 1);
        return -1;
    }
    naming_rawfield(L, -1, "issuer");
    lua_remove(L, -2);
    if (naming_take_string(n, NAMING_DOC_NUMBER_PARTS, s, NAMING_TEXT, mem, &out->issuer) != 0)
        return -1;
    out->year = (int)year;
    out->seq = (long)seq;
    return 1;
}

int naming_period_label(naming *n, arena *mem, category_periodic kind, int year, int num,
                        const char **out)
{
    static const char *const kinds[] = {NULL, "quarter", "month", "year"};
    if (naming_begin(n, NAMING_PERIOD_LABEL) != 0)
        return -1;
    lua_State *L = n->L;
    lua_createtable(L, 0, 3);
    sandbox_set_string(L, "kind", kinds[kind]);
    naming_set_integer(L, "year", year);
    if (kind != CATEGORY_PERIODIC_YEAR)
        naming_set_integer(L, "n", num);
    char what[48];
    if (kind == CATEGORY_PERIODIC_QUARTER)
        snprintf(what, sizeof what, "%d-Q%d", year, num);
    else if (kind == CATEGORY_PERIODIC_MONTH)
        snprintf(what, sizeof what, "%d-%02d", year, num);
    else
        snprintf(what, sizeof what, "%d", year);
    return naming_string(n, NAMING_PERIOD_LABEL, what, NAMING_TEXT, mem, out);
}
