/* The bounded sandbox's heap: small blocks from its own free lists, big ones
 * from malloc, every byte counted against the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/sandbox.h"

#include <lauxlib.h>

#include <string.h>

/* Run `code` in L; returns sandbox_call's result, the message in *err. */
static int run(lua_State *L, const char *code, buf *err)
{
    buf_reset(err);
    if (luaL_loadstring(L, code) != LUA_OK)
        fail_msg("%s", lua_tostring(L, -1));
    return sandbox_call(L, 0, 0, err);
}

static void test_contents_survive_growing_and_shrinking(void **state)
{
    (void)state;
    lua_State *L = sandbox_new_bounded((size_t)64 << 20);
    assert_non_null(L);
    buf err = BUF_INIT;
    /* Strings of every length up to well past the small blocks, tables
     * grown one slot at a time (their parts moving from class to class and
     * out to malloc), then emptied and regrown smaller, with collections
     * in between that hand blocks back and out again. */
    assert_int_equal(
        run(L,
            "words = {} "
            "for n = 1, 1500 do words[n] = string.rep(string.char(65 + n % 26), n) end "
            "list, map = {}, {} "
            "for i = 1, 3000 do list[i] = words[i % 1500 + 1]; map['k' .. i] = i end",
            &err),
        0);
    lua_gc(L, LUA_GCCOLLECT);
    assert_int_equal(run(L,
                         "for i = 3000, 11, -1 do list[i] = nil; map['k' .. i] = nil end "
                         "for i = 1, 10 do map['k' .. i] = -i end",
                         &err),
                     0);
    lua_gc(L, LUA_GCCOLLECT);
    assert_int_equal(run(L,
                         "for n = 1, 1500 do "
                         "  local w = words[n] "
                         "  assert(#w == n and w == string.rep(string.char(65 + n % 26), n)) "
                         "end "
                         "for i = 1, 10 do "
                         "  assert(list[i] == words[i % 1500 + 1] and map['k' .. i] == -i) "
                         "end "
                         "assert(#list == 10 and map.k11 == nil)",
                         &err),
                     0);
    buf_free(&err);
    sandbox_close(L);
}

static void test_bound_counts_live_bytes(void **state)
{
    (void)state;
    lua_State *L = sandbox_new_bounded((size_t)8 << 20);
    assert_non_null(L);
    buf err = BUF_INIT;
    /* 16 MiB of small tables live at once is past the bound... */
    assert_int_not_equal(run(L,
                             "local t = {} "
                             "for i = 1, 400000 do t[i] = {i} end",
                             &err),
                         0);
    assert_non_null(strstr(buf_cstr(&err), "not enough memory"));
    lua_gc(L, LUA_GCCOLLECT);
    /* ...and so is one big string, but the blocks given back count no
     * more: far more than the bound, made and dropped, fits in it. */
    assert_int_not_equal(run(L, "local s = string.rep('x', 9 << 20)", &err), 0);
    assert_int_equal(run(L,
                         "for i = 1, 200000 do local t = {i, tostring(i)} end "
                         "for i = 1, 20 do local s = string.rep('y', 1 << 20) end",
                         &err),
                     0);
    buf_free(&err);
    sandbox_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contents_survive_growing_and_shrinking),
        cmocka_unit_test(test_bound_counts_live_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
