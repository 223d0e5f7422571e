#include "template_internal.h"

#include <lauxlib.h>
#include <lualib.h>

#include <string.h>

static const char key_readonly = 'r'; /* registry: proxy -> true, for rawset to refuse */

/* Push an integer as "%lld" writes it, without going through printf. */
static void integer_push(lua_State *L, lua_Integer n)
{
    char text[24], *p = text + sizeof text;
    unsigned long long u = n < 0 ? 0 - (unsigned long long)n : (unsigned long long)n;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (n < 0)
        *--p = '-';
    lua_pushlstring(L, p, (size_t)(text + sizeof text - p));
}

/* The text <%= %> and <%- %> write for the value at index 1, left alone
 * at index 1 as the only value on the stack. Numbers and booleans get the
 * text tostring gives them (numbers cannot have a metatable here): only
 * other values go through tostring itself. */
static void value_text(lua_State *L)
{
    if (lua_gettop(L) != 1)
        lua_settop(L, 1);
    switch (lua_type(L, 1)) {
    case LUA_TNIL:
        lua_pushliteral(L, "");
        break;
    case LUA_TSTRING:
        return;
    case LUA_TNUMBER:
        if (!lua_isinteger(L, 1)) {
            lua_tolstring(L, 1, NULL); /* in place */
            return;
        }
        integer_push(L, lua_tointeger(L, 1));
        break;
    case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, 1) ? "true" : "false");
        break;
    default:
        if (luaL_getmetafield(L, 1, "__tostring") == LUA_TNIL)
            luaL_error(L, "不能把 %s 值写进页面（只能写字符串、数字和有 __tostring 的值）",
                       luaL_typename(L, 1));
        lua_pop(L, 1);
        luaL_tolstring(L, 1, NULL);
    }
    lua_replace(L, 1);
}

int template_write_raw(lua_State *L)
{
    value_text(L);
    return 1;
}

/* The entity of each byte HTML escaping replaces, NULL for the others. */
static const char *const html_entity[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};

int template_write_escaped(lua_State *L)
{
    value_text(L);
    size_t len;
    const unsigned char *s = (const unsigned char *)lua_tolstring(L, 1, &len);
    /* Lua ends every string with a NUL, so strcspn stops at len at the
     * latest; it only needs restarting after a NUL inside the string. */
    size_t i = strcspn((const char *)s, "&<>\"'");
    while (i < len && !s[i])
        i += 1 + strcspn((const char *)s + i + 1, "&<>\"'");
    if (i >= len)
        return 1; /* the common case: nothing to escape, no copy */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t run = 0;
    for (; i < len; i++) {
        const char *entity = html_entity[s[i]];
        if (!entity)
            continue;
        luaL_addlstring(&b, (const char *)s + run, i - run);
        luaL_addstring(&b, entity);
        run = i + 1;
    }
    luaL_addlstring(&b, (const char *)s + run, len - run);
    luaL_pushresult(&b);
    return 1;
}

/* rawset, refusing the read-only tables (their proxies would otherwise
 * take the value and hand it to every later render). */
static int lib_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_readonly);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) != LUA_TNIL)
        return luaL_error(L, "不能修改只读的表（_G 和 string、table、math、utf8 都是只读的）");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* setmetatable, refusing __gc: a finalizer runs whenever the collector
 * gets to it, outside any render and its instruction bound. */
static int lib_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int type = lua_type(L, 2);
    luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
    if (type == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "模板中不能设置 __gc 元方法");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int readonly_newindex(lua_State *L)
{
    return luaL_error(L, "不能给只读的表赋值（_G 和 string、table、math、utf8 都是只读的）");
}

/* __pairs of a proxy: walk the table behind it. */
static int readonly_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushnil(L);
    return 3;
}

/* Replace the table on top by a read-only proxy of it. */
static void readonly_wrap(lua_State *L)
{
    int table = lua_gettop(L);
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, table);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_getglobal(L, "next");
    lua_pushvalue(L, table);
    lua_pushcclosure(L, readonly_pairs, 2);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_readonly);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_replace(L, table);
}

/* A copy of library `name` without the functions in `except`, read-only,
 * as field `name` of the table at `safe`. */
static void library_add(lua_State *L, int safe, const char *name, const char *const *except)
{
    lua_newtable(L);
    lua_getglobal(L, name);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -5);
    }
    lua_pop(L, 1);
    for (const char *const *e = except; *e; e++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *e);
    }
    readonly_wrap(L);
    lua_setfield(L, safe, name);
}

void template_globals_push(lua_State *L, const luaL_Reg *helpers)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_readonly);
    /* Strings' metatable is shared by every render: lock it. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    lua_newtable(L);
    int safe = lua_gettop(L);
    static const char *const base[] = {
        "assert",   "error",    "getmetatable", "ipairs",   "next",   "pairs",
        "pcall",    "rawequal", "rawget",       "rawlen",   "select", "tonumber",
        "tostring", "type",     "xpcall",       "_VERSION", NULL,
    };
    for (const char *const *name = base; *name; name++) {
        lua_getglobal(L, *name);
        lua_setfield(L, safe, *name);
    }
    static const luaL_Reg guarded[] = {
        {"rawset", lib_rawset},
        {"setmetatable", lib_setmetatable},
        {NULL, NULL},
    };
    luaL_setfuncs(L, guarded, 0);
    luaL_setfuncs(L, helpers, 0);
    static const char *const none[] = {NULL};
    /* Pages must come out the same on every build. */
    static const char *const random[] = {"random", "randomseed", NULL};
    library_add(L, safe, LUA_STRLIBNAME, none);
    library_add(L, safe, LUA_TABLIBNAME, none);
    library_add(L, safe, LUA_MATHLIBNAME, random);
    library_add(L, safe, LUA_UTF8LIBNAME, none);
    lua_pushvalue(L, safe);
    readonly_wrap(L);
    lua_setfield(L, safe, "_G");
}
