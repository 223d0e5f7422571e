#include "template.h"
#include "template_internal.h"

#include "../util/arena.h"
#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file renders have asked for. */
typedef struct known_file {
    const char *name;
    int pieces; /* the most pieces a render of it wrote: its output table's size */
} known_file;

struct template_set {
    lua_State *L;
    const site_config *cfg;
    template_limits limits;
    int depth;                  /* frames open in the current render */
    buf path, shown, text, lua; /* scratch for loading a file */
    buf joined;                 /* scratch for joining a frame's output */
    /* Every file name renders have asked for (kept in `names`), and those
     * asked for since template_used_reset, as pointers into it. */
    arena names;
    known_file *known;
    const char **used;
    size_t known_len, known_cap, used_len, used_cap;
};

/* Registry keys: only their addresses matter. */
static const char key_templates = 't'; /* name -> compiled template */
static const char key_modules = 'm';   /* name -> module value, or key_loading */
static const char key_loading = 'l';
static const char key_frames = 'f';  /* depth -> env, function, layout name */
static const char key_safe = 's';    /* the globals templates see behind their context */
static const char key_context = 'c'; /* the metatable given to a render's context */
/* In a metatable: the table falls back to the safe globals itself. */
static const char key_falls_back = 'b';

enum { FRAME_ENV, FRAME_FUNCTION, FRAME_LAYOUT, FRAME_SLOTS };

static template_set *set_of(lua_State *L)
{
    return *(template_set **)lua_getextraspace(L);
}

static size_t memory_mib(const template_set *ts)
{
    return (ts->limits.memory + ((size_t)1 << 20) - 1) >> 20;
}

/* Names of templates and modules stay inside the template directories. */
static void name_check(lua_State *L, const char *name, const char *what)
{
    bool ok = *name && *name != '/' && !strstr(name, "..");
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_' || *p == '.' || *p == '/' || *p == '-';
    if (!ok)
        luaL_error(L, "%s名“%s”不合法：只能由字母、数字和 _ . / - 组成，不能以 / 开头，也不能含 ..",
                   what, name);
}

/* Note that the render at hand reads `file`: a page depends on the files
 * its templates use, whichever template named them. Returns its index in
 * ts->known. */
static size_t used_note(template_set *ts, const char *file)
{
    size_t k = 0;
    while (k < ts->known_len && strcmp(ts->known[k].name, file) != 0)
        k++;
    if (k == ts->known_len) {
        ts->known = xgrow(ts->known, &ts->known_cap, ts->known_len + 1, sizeof *ts->known);
        ts->known[ts->known_len++] = (known_file){arena_strdup(&ts->names, file), 0};
    }
    const char *name = ts->known[k].name;
    for (size_t i = 0; i < ts->used_len; i++)
        if (ts->used[i] == name)
            return k;
    ts->used = xgrow(ts->used, &ts->used_cap, ts->used_len + 1, sizeof *ts->used);
    ts->used[ts->used_len++] = name;
    return k;
}

/* Find `file` and read it into ts->text, its shown name in ts->shown. */
static void file_load(lua_State *L, template_set *ts, const char *file, const char *what)
{
    if (config_template_find(ts->cfg, file, &ts->path, &ts->shown) != 0)
        luaL_error(L, "找不到%s %s（站点 templates/、主题 %s 和安装目录中都没有）", what, file,
                   ts->cfg->theme);
    buf_reset(&ts->text);
    if (buf_read_file(&ts->text, ts->path.ptr) != 0)
        luaL_error(L, "%s: 无法读取：%s", ts->shown.ptr, strerror(errno));
}

/* Compile Lua text as chunk "@shown" and push it, or raise the message. */
static void chunk_load(lua_State *L, const buf *source, const char *shown)
{
    lua_pushfstring(L, "@%s", shown);
    /* Text only ("t"): precompiled chunks can break the VM's invariants. */
    int rc = luaL_loadbufferx(L, buf_cstr(source), source->len, lua_tostring(L, -1), "t");
    lua_remove(L, -2);
    if (rc != LUA_OK)
        lua_error(L);
}

/* Push template `name`'s function, translating and compiling it on first
 * use. Returns its index in ts->known. */
static size_t template_push(lua_State *L, template_set *ts, const char *name)
{
    size_t file = used_note(ts, name);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_templates);
    if (lua_getfield(L, -1, name) == LUA_TFUNCTION) {
        lua_remove(L, -2);
        return file;
    }
    lua_pop(L, 1);
    name_check(L, name, "模板");
    file_load(L, ts, name, "模板");
    buf_reset(&ts->lua);
    buf msg = BUF_INIT;
    if (template_translate(ts->text.ptr, ts->text.len, ts->shown.ptr, &ts->lua, &msg) != 0) {
        lua_pushstring(L, msg.ptr);
        buf_free(&msg);
        lua_error(L);
    }
    chunk_load(L, &ts->lua, ts->shown.ptr);
    /* The chunk declares its own _ENV; its upvalue, the state's real
     * globals, must not stay reachable. */
    lua_pushnil(L);
    lua_setupvalue(L, -2, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
    lua_remove(L, -2);
    return file;
}

/* __index of a template's variables when the parent is a table of the
 * caller's: the parent, then the safe globals. */
static int env_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    if (lua_gettable(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
    return 1;
}

/* Whether the table at `idx` falls back to the safe globals itself: a
 * template's variables, or a render's context. */
static bool falls_back(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return false;
    bool yes = lua_rawgetp(L, -1, &key_falls_back) != LUA_TNIL;
    lua_pop(L, 2);
    return yes;
}

/* Push the metatable of a table that falls back to `index` (at that
 * stack index), which must end at the safe globals. */
static void falls_back_meta_push(lua_State *L, int index)
{
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1);
    lua_rawsetp(L, -2, &key_falls_back);
}

/* Push a fresh table of variables that falls back to the value at
 * `parent` and then to the safe globals, holding `content` if non-zero.
 * When the parent falls back to the safe globals itself (the enclosing
 * template's variables, a render's context), it is the __index table, so
 * that Lua follows the chain without calling C for each variable read;
 * a table of the caller's gets env_index. */
static void env_push(lua_State *L, int parent, int content)
{
    lua_createtable(L, 0, content ? 1 : 0);
    if (content) {
        lua_pushvalue(L, content);
        lua_setfield(L, -2, "content");
    }
    if (falls_back(L, parent)) {
        falls_back_meta_push(L, parent);
    } else {
        lua_pushvalue(L, parent);
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_safe);
        lua_pushcclosure(L, env_index, 2);
        falls_back_meta_push(L, lua_gettop(L));
        lua_remove(L, -2);
    }
    lua_setmetatable(L, -2);
}

static void frame_slot_set(lua_State *L, int depth, int slot, int value)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_frames);
    if (value)
        lua_pushvalue(L, value);
    else
        lua_pushnil(L);
    lua_rawseti(L, -2, (lua_Integer)depth * FRAME_SLOTS + slot);
    lua_pop(L, 1);
}

static int frame_slot_push(lua_State *L, int depth, int slot)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_frames);
    int type = lua_rawgeti(L, -1, (lua_Integer)depth * FRAME_SLOTS + slot);
    lua_remove(L, -2);
    return type;
}

/* The file of the template running at `depth`, for errors Lua gives no
 * position for; `fallback` when no template runs. */
static const char *frame_source(lua_State *L, int depth, const char *fallback)
{
    if (depth <= 0 || frame_slot_push(L, depth, FRAME_FUNCTION) != LUA_TFUNCTION) {
        lua_pop(L, depth > 0);
        return fallback;
    }
    lua_Debug ar;
    lua_getinfo(L, ">S", &ar);
    /* The chunk name lives as long as the cached function. */
    return ar.source[0] == '@' ? ar.source + 1 : ar.source;
}

/* Pieces read onto the stack at a time when joining a frame's output. */
#define PIECES_BATCH 64
/* The largest output table made in advance. */
#define PIECES_HINT_MAX (1 << 20)

/* Append the pieces a template wrote (the table at `pieces`) to *to: read a
 * batch onto the stack, then copy it, so that the stack is cut once per
 * batch rather than once per piece. */
static void pieces_put(lua_State *L, int pieces, buf *to)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, pieces);
    int top = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; i += PIECES_BATCH) {
        int m = n - i + 1 < PIECES_BATCH ? (int)(n - i + 1) : PIECES_BATCH;
        for (int j = 0; j < m; j++)
            if (lua_rawgeti(L, pieces, i + j) != LUA_TSTRING)
                luaL_error(L, "模板的代码改写了输出表 _gk_o");
        for (int j = 1; j <= m; j++) {
            size_t len;
            const char *s = lua_tolstring(L, top + j, &len);
            buf_put(to, s, len);
        }
        lua_settop(L, top);
    }
}

/* Push the pieces at `pieces` joined into one string. They are joined in
 * the set's scratch buffer, which no Lua code can reach meanwhile, so that
 * a page costs one copy and no garbage besides its string. */
static void pieces_push(lua_State *L, template_set *ts, int pieces)
{
    buf_reset(&ts->joined);
    pieces_put(L, pieces, &ts->joined);
    lua_pushlstring(L, buf_cstr(&ts->joined), ts->joined.len);
}

/* Run template `name` with variables falling back to the value at
 * `parent` (plus `content` for a layout), wrapped in the layouts it names.
 * Its output is appended to *sink, or pushed as a string when sink is
 * NULL (for a partial's caller or a layout's `content`). Raises on error. */
static void frame_run(lua_State *L, template_set *ts, const char *name, int parent, int content,
                      buf *sink)
{
    luaL_checkstack(L, 12 + PIECES_BATCH, "模板嵌套太深");
    if (ts->depth >= ts->limits.depth)
        luaL_error(L, "模板嵌套超过 %d 层（打开 %s 时；partial 或 layout 可能在循环调用）",
                   ts->limits.depth, name);
    int base = lua_gettop(L);
    int fn = base + 1, env = base + 2, pieces = base + 3, layout = base + 4, output = base + 5;
    size_t file = template_push(L, ts, name);
    env_push(L, parent, content);
    /* Sized for as many pieces as the template ever wrote, so that the
     * table is not rehashed as the output grows. */
    lua_createtable(L, ts->known[file].pieces ? ts->known[file].pieces : 32, 0);
    int depth = ++ts->depth;
    frame_slot_set(L, depth, FRAME_ENV, env);
    frame_slot_set(L, depth, FRAME_FUNCTION, fn);
    frame_slot_set(L, depth, FRAME_LAYOUT, 0);
    lua_pushvalue(L, fn);
    lua_pushvalue(L, env);
    lua_pushvalue(L, pieces);
    lua_pushcfunction(L, template_write_escaped);
    lua_pushcfunction(L, template_write_raw);
    lua_call(L, 4, 0);
    lua_Unsigned written = lua_rawlen(L, pieces);
    if (written > (lua_Unsigned)ts->known[file].pieces && written <= PIECES_HINT_MAX)
        ts->known[file].pieces = (int)written;
    if (frame_slot_push(L, depth, FRAME_LAYOUT) == LUA_TSTRING) {
        pieces_push(L, ts, pieces);
        /* Still at this depth, so that layouts naming each other hit the limit. */
        frame_run(L, ts, lua_tostring(L, layout), env, output, sink);
    } else if (sink) {
        pieces_put(L, pieces, sink);
    } else {
        pieces_push(L, ts, pieces);
    }
    frame_slot_set(L, depth, FRAME_ENV, 0);
    frame_slot_set(L, depth, FRAME_FUNCTION, 0);
    ts->depth = depth - 1;
    if (sink) {
        lua_settop(L, base);
        return;
    }
    lua_replace(L, fn);
    lua_settop(L, fn);
}

/* frame_entry(name, parent, sink), name and sink as light userdata:
 * frame_run, called protected. */
static int frame_entry(lua_State *L)
{
    buf *sink = lua_touserdata(L, 3);
    lua_settop(L, 2);
    frame_run(L, set_of(L), lua_touserdata(L, 1), 2, 0, sink);
    return sink ? 0 : 1;
}

/* True when the message starts "file:line:", as Lua's positioned ones do. */
static bool message_positioned(const char *msg)
{
    const char *p = msg;
    while (*p && *p != ':' && *p != ' ' && *p != '\n')
        p++;
    if (p == msg || *p++ != ':' || !(*p >= '0' && *p <= '9'))
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == ':';
}

/* Message handler: runs where the error was raised, so an error without a
 * position (error(x, 0), a non-string value, one raised from C) gets the
 * file and line of the innermost template or module running. */
static int template_msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "（抛出的错误值是 %s，不是字符串）", luaL_typename(L, 1));
    if (message_positioned(msg)) {
        lua_pushstring(L, msg);
        return 1;
    }
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
            return 1;
        }
    }
    lua_pushstring(L, msg);
    return 1;
}

/* The instruction bound. Once hit, every further instruction fails too, so
 * that a pcall in the template cannot outlast it. */
static void template_hook(lua_State *L, lua_Debug *ar)
{
    lua_sethook(L, template_hook, LUA_MASKCOUNT, 1);
    lua_getinfo(L, "Sl", ar);
    lua_pushfstring(L, "%s:%d: 运行超过指令上限（%d 条），可能是死循环", ar->short_src,
                    ar->currentline, set_of(L)->limits.instructions);
    lua_error(L);
}

/* partial(name [, ctx]) */
static int helper_partial(lua_State *L)
{
    template_set *ts = set_of(L);
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 2);
    if (lua_isnil(L, 2)) {
        if (ts->depth == 0)
            return luaL_error(L, "在模板之外调用 partial 时要给出上下文表");
        frame_slot_push(L, ts->depth, FRAME_ENV);
        lua_replace(L, 2);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    int depth = ts->depth;
    lua_pushcfunction(L, template_msgh);
    lua_pushcfunction(L, frame_entry);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushvalue(L, 2);
    lua_pushlightuserdata(L, NULL);
    /* Protected, so that the depth is right again when a pcall in the
     * template catches the error. */
    int rc = lua_pcall(L, 3, 1, 3);
    int failed_at = ts->depth;
    ts->depth = depth;
    if (rc == LUA_ERRMEM)
        return luaL_error(L, "内存用量超出上限（%d MiB），发生在 %s 中", (int)memory_mib(ts),
                          failed_at > depth ? frame_source(L, failed_at, name) : name);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

/* layout(name). The layout is compiled here, so that a missing or broken
 * one is reported at this line rather than after the page has run. */
static int helper_layout(lua_State *L)
{
    template_set *ts = set_of(L);
    const char *name = luaL_checkstring(L, 1);
    if (ts->depth == 0)
        return luaL_error(L, "layout 只能在模板中调用");
    template_push(L, ts, name);
    frame_slot_set(L, ts->depth, FRAME_LAYOUT, 1);
    return 0;
}

/* Push the value of module `name`, loading it on first use. Its globals
 * are its own table, falling back to the safe globals. */
static void module_push(lua_State *L, template_set *ts, const char *name)
{
    luaL_checkstack(L, 8, NULL);
    name_check(L, name, "模块");
    size_t len = strlen(name);
    /* Cached by file, so that "naming" and "naming.lua" are one module. */
    const char *file = len > 4 && strcmp(name + len - 4, ".lua") == 0
                           ? lua_pushstring(L, name)
                           : lua_pushfstring(L, "%s.lua", name);
    used_note(ts, file);
    int top = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_modules);
    int modules = top + 1;
    int type = lua_getfield(L, modules, file);
    if (type == LUA_TLIGHTUSERDATA)
        luaL_error(L, "模块 %s 在载入过程中又被 require（循环引用）", file);
    if (type != LUA_TNIL) {
        lua_replace(L, top);
        lua_settop(L, top);
        return;
    }
    lua_pop(L, 1);
    file_load(L, ts, file, "模块");
    lua_pushcfunction(L, template_msgh);
    chunk_load(L, &ts->text, ts->shown.ptr);
    lua_newtable(L);
    lua_createtable(L, 0, 2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_safe);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setupvalue(L, -2, 1);
    lua_pushlightuserdata(L, (void *)&key_loading);
    lua_setfield(L, modules, file);
    int rc = lua_pcall(L, 0, 1, -2);
    if (rc != LUA_OK) {
        lua_pushnil(L);
        lua_setfield(L, modules, file);
        if (rc == LUA_ERRMEM)
            luaL_error(L, "内存用量超出上限（%d MiB），发生在载入模块 %s 时", (int)memory_mib(ts),
                       file);
        lua_error(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, modules, file);
    lua_replace(L, top);
    lua_settop(L, top);
}

/* require(name) */
static int helper_require(lua_State *L)
{
    module_push(L, set_of(L), luaL_checkstring(L, 1));
    return 1;
}

/* Run protected from template_set_new: fill the registry. */
static int set_prepare(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_templates);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_modules);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_frames);
    static const luaL_Reg helpers[] = {
        {"escape", template_write_escaped},
        {"partial", helper_partial},
        {"layout", helper_layout},
        {"require", helper_require},
        {NULL, NULL},
    };
    template_globals_push(L, helpers);
    falls_back_meta_push(L, lua_gettop(L));
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_context);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_safe);
    return 0;
}

int template_set_new(template_set **out, const site_config *cfg, const template_limits *limits,
                     buf *err)
{
    static const template_limits defaults = TEMPLATE_LIMITS_DEFAULT;
    *out = NULL;
    limits = limits ? limits : &defaults;
    /* Each nesting level takes a few of Lua's 200 C calls. */
    if (limits->instructions <= 0 || limits->memory == 0 || limits->depth <= 0 ||
        limits->depth > 40) {
        buf_puts(err, "模板的运行限额无效（指令数和内存要大于 0，嵌套层数在 1 到 40 之间）");
        return -1;
    }
    template_set *ts = xcalloc(1, sizeof *ts);
    arena_init(&ts->names);
    ts->cfg = cfg;
    ts->limits = *limits;
    ts->L = sandbox_new_bounded(limits->memory);
    if (!ts->L) {
        buf_puts(err, "无法创建模板的 Lua 运行环境（内存不足）");
        free(ts);
        return -1;
    }
    *(template_set **)lua_getextraspace(ts->L) = ts;
    /* Renders make garbage that dies young (each page's tables, closures
     * and strings) beside tables that live as long as the set (the site,
     * departments, categories, the main state's items): the generational
     * collector leaves the old ones alone on most collections, where the
     * incremental one marks and sweeps them all every cycle. */
    lua_gc(ts->L, LUA_GCGEN, 0, 0);
    lua_pushcfunction(ts->L, set_prepare);
    if (lua_pcall(ts->L, 0, 0, 0) != LUA_OK) {
        buf_printf(err, "无法准备模板的 Lua 运行环境：%s", lua_tostring(ts->L, -1));
        template_set_free(ts);
        return -1;
    }
    *out = ts;
    return 0;
}

void template_set_free(template_set *ts)
{
    if (!ts)
        return;
    sandbox_close(ts->L);
    free(ts->known);
    free(ts->used);
    arena_free(&ts->names);
    buf_free(&ts->path);
    buf_free(&ts->shown);
    buf_free(&ts->text);
    buf_free(&ts->lua);
    buf_free(&ts->joined);
    free(ts);
}

lua_State *template_set_lua(template_set *ts)
{
    return ts->L;
}

void template_used_reset(template_set *ts)
{
    ts->used_len = 0;
}

size_t template_used(const template_set *ts, const char *const **files)
{
    *files = ts->used;
    return ts->used_len;
}

/* lua_pcall under the instruction bound, with template_msgh at `msgh`. On
 * error the message, naming `what` when Lua knows no better, goes to *err
 * and the stack is cut to below msgh. */
static int set_pcall(template_set *ts, int nargs, int nresults, int msgh, const char *what,
                     buf *err)
{
    lua_State *L = ts->L;
    ts->depth = 0;
    lua_sethook(L, template_hook, LUA_MASKCOUNT, ts->limits.instructions);
    int rc = lua_pcall(L, nargs, nresults, msgh);
    lua_sethook(L, NULL, 0, 0);
    if (rc == LUA_OK) {
        lua_remove(L, msgh);
        return 0;
    }
    /* Lua reports running out of memory without a position: name the
     * template that was running. */
    if (rc == LUA_ERRMEM)
        buf_printf(err, "%s: 内存用量超出上限（%d MiB）", frame_source(L, ts->depth, what),
                   (int)memory_mib(ts));
    else
        buf_puts(err, lua_tostring(L, -1) ? lua_tostring(L, -1) : "（Lua 错误没有说明）");
    lua_settop(L, msgh - 1);
    return -1;
}

int template_render(template_set *ts, const char *name, const char *page, buf *out, buf *err)
{
    lua_State *L = ts->L;
    int ctx = lua_gettop(L);
    if (!lua_istable(L, ctx) || !lua_checkstack(L, 8)) {
        buf_printf(err, "渲染模板 %s 时上下文不是表", name);
        lua_settop(L, ctx - 1);
        return -1;
    }
    /* A context without a metatable of its own falls back to the safe
     * globals itself: templates cannot reach it, only read its fields. */
    if (!lua_getmetatable(L, ctx)) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_context);
        lua_setmetatable(L, ctx);
    } else {
        lua_pop(L, 1);
    }
    lua_pushcfunction(L, template_msgh);
    lua_pushcfunction(L, frame_entry);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushvalue(L, ctx);
    lua_pushlightuserdata(L, out);
    /* The page goes straight into *out: no Lua string is made of it. */
    size_t had = out->len;
    int rc = set_pcall(ts, 3, 0, ctx + 1, name, err);
    if (rc != 0) {
        if (out->ptr)
            out->ptr[out->len = had] = '\0';
        if (page)
            buf_printf(err, "（渲染页面 %s 时）", page);
    }
    lua_settop(L, ctx - 1);
    return rc;
}

/* call_entry(module, func as light userdata, args...) */
static int call_entry(lua_State *L)
{
    const char *module = lua_touserdata(L, 1), *func = lua_touserdata(L, 2);
    module_push(L, set_of(L), module);
    if (!lua_istable(L, -1) || lua_getfield(L, -1, func) != LUA_TFUNCTION)
        return luaL_error(L, "模块 %s 没有函数 %s", module, func);
    lua_replace(L, 2);
    lua_pop(L, 1);
    lua_call(L, lua_gettop(L) - 2, LUA_MULTRET);
    return lua_gettop(L) - 1;
}

int template_call(template_set *ts, const char *module, const char *func, int nargs, int nresults,
                  buf *err)
{
    lua_State *L = ts->L;
    int base = lua_gettop(L) - nargs;
    if (!lua_checkstack(L, 8)) {
        buf_printf(err, "调用 %s 的 %s 时 Lua 栈空间不足", module, func);
        lua_settop(L, base);
        return -1;
    }
    lua_pushcfunction(L, template_msgh);
    lua_insert(L, base + 1);
    lua_pushcfunction(L, call_entry);
    lua_insert(L, base + 2);
    lua_pushlightuserdata(L, (void *)module);
    lua_insert(L, base + 3);
    lua_pushlightuserdata(L, (void *)func);
    lua_insert(L, base + 4);
    if (set_pcall(ts, nargs + 2, nresults, base + 1, module, err) != 0) {
        buf_printf(err, "（调用 %s 的 %s 时）", module, func);
        return -1;
    }
    return 0;
}
