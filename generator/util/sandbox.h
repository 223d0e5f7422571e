/* A Lua 5.4 state that site data (catalogue.lua, naming.lua, themes) can run
 * in without touching the machine: only the base, string, table, math and utf8
 * libraries, minus everything that loads code or reaches files, and a bound on
 * the instructions one call may execute. */
#ifndef GK_UTIL_SANDBOX_H
#define GK_UTIL_SANDBOX_H

#include <lua.h>

#include <stddef.h>

#include "buf.h"

/* Instructions one sandbox_call may run before it is stopped. */
#define SANDBOX_INSTRUCTION_LIMIT 200000000L

/* NULL when out of memory. */
lua_State *sandbox_new(void);
/* The same sandbox, with every allocation of the state counted: past
 * `memory_limit` bytes an allocation fails and Lua raises "not enough memory"
 * (LUA_ERRMEM) inside the protected call, instead of the process growing
 * until the kernel kills it. */
lua_State *sandbox_new_bounded(size_t memory_limit);
void sandbox_close(lua_State *L);

/* Load the Lua file at `path` (shown in errors as `name`) and run it with
 * `nresults` results left on the stack. On error returns -1 with the message
 * ("name:line: ...") in *err and the stack as it was. */
int sandbox_run_file(lua_State *L, const char *path, const char *name, int nresults, buf *err);
/* Call the function below `nargs` arguments on the stack, like lua_pcall
 * under the instruction bound. */
int sandbox_call(lua_State *L, int nargs, int nresults, buf *err);

/* t[key] = s on the table on top of the stack; nothing when s is NULL, so
 * an absent value stays nil for the Lua side. */
void sandbox_set_string(lua_State *L, const char *key, const char *s);

#endif
