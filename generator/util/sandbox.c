#include "sandbox.h"

#include <lauxlib.h>
#include <lualib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    luaL_error(L, "运行超出指令上限（%d 亿条），可能是死循环",
               (int)(SANDBOX_INSTRUCTION_LIMIT / 100000000L));
}

lua_State *sandbox_new(void)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return NULL;
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* Everything in base that compiles code from strings or reads files. */
    static const char *const unsafe[] = {"dofile",  "loadfile",       "load",
                                         "require", "collectgarbage", NULL};
    for (const char *const *name = unsafe; *name; name++) {
        lua_pushnil(L);
        lua_setglobal(L, *name);
    }
    /* string.dump yields bytecode, which the loader would otherwise trust. */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    return L;
}

void sandbox_close(lua_State *L)
{
    if (L)
        lua_close(L);
}

static int sandbox_pcall(lua_State *L, int nargs, int nresults, buf *err)
{
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, (int)SANDBOX_INSTRUCTION_LIMIT);
    int rc = lua_pcall(L, nargs, nresults, 0);
    lua_sethook(L, NULL, 0, 0);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        buf_puts(err, msg ? msg : "（Lua 错误没有说明）");
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

int sandbox_run_file(lua_State *L, const char *path, const char *name, int nresults, buf *err)
{
    buf text = BUF_INIT;
    FILE *f = fopen(path, "rb");
    if (!f) {
        buf_printf(err, "%s: 无法打开：%s", name, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&text, chunk, n);
    fclose(f);
    /* Text only ("t"): precompiled chunks can break the VM's invariants. */
    lua_pushfstring(L, "@%s", name);
    int rc = luaL_loadbufferx(L, buf_cstr(&text), text.len, lua_tostring(L, -1), "t");
    buf_free(&text);
    lua_remove(L, -2);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        buf_puts(err, msg ? msg : "无法加载");
        lua_pop(L, 1);
        return -1;
    }
    return sandbox_pcall(L, 0, nresults, err);
}

int sandbox_call(lua_State *L, int nargs, int nresults, buf *err)
{
    return sandbox_pcall(L, nargs, nresults, err);
}
