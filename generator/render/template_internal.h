/* Shared between the template translator and the runtime. */
#ifndef GK_RENDER_TEMPLATE_INTERNAL_H
#define GK_RENDER_TEMPLATE_INTERNAL_H

#include "../util/buf.h"

#include <lauxlib.h>
#include <lua.h>

#include <stddef.h>

/* Translate a template into the source of a Lua chunk. The chunk is called
 * as chunk(env, pieces, escape, raw): it declares `env` as its _ENV and
 * appends its output, piece by piece, to the table `pieces`, passing the
 * value of each <%= %> through `escape` and of each <%- %> through `raw`.
 * Every line break of the template is a line break of the chunk, so that
 * Lua's messages name template lines. On error returns -1 with
 * "shown:line: ..." in *err. */
int template_translate(const char *text, size_t len, const char *shown, buf *lua, buf *err);

/* The writers the chunk gets as `escape` and `raw`: the text of the value
 * at index 1, HTML-escaped or not. escape is also the helper escape(v). */
int template_write_escaped(lua_State *L);
int template_write_raw(lua_State *L);

/* Push the table of globals that templates and modules see behind their
 * own variables (see template.h), with `helpers` added, and lock strings'
 * metatable. The libraries and _G in it are read-only proxies; the table
 * itself must never be handed to Lua code. */
void template_globals_push(lua_State *L, const luaL_Reg *helpers);

#endif
