/* The page-template compiler on arbitrary text: it translates into a Lua
 * chunk or fails with a message naming the template, and compiling the
 * chunk is safe. Text without any tag must come out of the chunk exactly as
 * it went in: nothing in it (quotes, brackets, backslashes, control bytes)
 * can escape the string literals it is put in and become code (a leading
 * BOM is dropped). */
#include "fuzz.h"

#include "../../generator/render/template_internal.h"

#include <lauxlib.h>
#include <lualib.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Run the chunk (alone on the stack) and compare its output with text. */
static void fuzz_literal(lua_State *L, const uint8_t *text, size_t size)
{
    lua_newtable(L); /* pieces, kept at index 1 below the chunk */
    lua_insert(L, 1);
    lua_newtable(L); /* env */
    lua_pushvalue(L, 1);
    lua_pushnil(L); /* escape: never called without tags */
    lua_pushnil(L); /* raw */
    if (lua_pcall(L, 4, 0, 0) != LUA_OK)
        abort();
    buf out = BUF_INIT;
    for (lua_Integer i = 1; lua_rawgeti(L, 1, i) == LUA_TSTRING; i++) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        buf_put(&out, s, n);
        lua_pop(L, 1);
    }
    /* A leading UTF-8 BOM is an editor's artefact, not page text. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, size -= 3;
    if (out.len != size || (size && memcmp(out.ptr, text, size) != 0))
        abort();
    buf_free(&out);
}

static bool fuzz_has_tag(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '<' && data[i + 1] == '%')
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A state per input: one kept across inputs would look like a leak to
     * libFuzzer, which then runs LeakSanitizer after every input. */
    lua_State *L = luaL_newstate();
    buf lua = BUF_INIT, err = BUF_INIT;
    if (template_translate((const char *)data, size, "t.html", &lua, &err) == 0) {
        int rc = luaL_loadbufferx(L, buf_cstr(&lua), lua.len, "=t.html", "t");
        if (!fuzz_has_tag(data, size)) {
            if (rc != LUA_OK)
                abort();
            fuzz_literal(L, data, size);
        } else {
            lua_pop(L, 1); /* the chunk, or the template's own syntax error */
        }
    } else if (strncmp(buf_cstr(&err), "t.html:", 7) != 0) {
        abort();
    }
    lua_close(L);
    buf_free(&lua);
    buf_free(&err);
    return 0;
}
