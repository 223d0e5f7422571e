/* Page templates: HTML with embedded Lua in the style of etlua, each file
 * compiled once per Lua state and run in the sandbox.
 *
 *   <% code %>     runs Lua
 *   <%= expr %>    writes the value HTML-escaped (& < > " '); nil writes
 *                  nothing, numbers and booleans go through tostring
 *   <%- expr %>    writes the value as it is
 *   ... -%>        any tag closed so drops the line break right after it
 *
 * A tag ends at the first "%>", even inside a Lua string.
 *
 * A template sees the fields of its context table as variables, and behind
 * them read-only globals: assert error getmetatable ipairs next pairs pcall
 * rawequal rawget rawlen rawset select setmetatable tonumber tostring type
 * xpcall _VERSION _G, the string, table, math (without random) and utf8
 * libraries, and
 *   escape(v)             v HTML-escaped, as <%= %> writes it
 *   partial(name [, ctx]) the output of template `name` as a string (write it
 *                         with <%-); ctx defaults to the caller's variables
 *   layout(name)          wrap this template's output in template `name`,
 *                         which sees the same variables plus `content`;
 *                         layouts may name layouts in turn
 *   require(name)         the value returned by the module <name>.lua,
 *                         loaded once per set and cached
 * Nothing reaches the machine: no os, io, debug, package, load, dofile,
 * string.dump, collectgarbage or print; strings' metatable is locked and
 * __gc refused. Globals a template assigns live only in that render (a
 * module keeps its own globals); fields it changes in the context's tables
 * are the caller's business.
 *
 * Templates and modules are found by config_template_find (the site's
 * templates/, then the theme's, then the installed defaults); names may use
 * only [A-Za-z0-9_./-], not start with "/" nor contain "..". */
#ifndef GK_RENDER_TEMPLATE_H
#define GK_RENDER_TEMPLATE_H

#include "../config/config.h"
#include "../util/buf.h"

#include <lua.h>

#include <stddef.h>

/* One Lua state and the templates and modules compiled in it. Not shared
 * between threads: each worker has its own. */
typedef struct template_set template_set;

typedef struct template_limits {
    int instructions; /* Lua instructions per template_render or template_call */
    size_t memory;    /* bytes the set's Lua state may hold, caches included */
    int depth;        /* partial and layout calls nested in one render (at most 40) */
} template_limits;

#define TEMPLATE_LIMITS_DEFAULT                                                                    \
    {                                                                                              \
        50000000, (size_t)256 << 20, 32                                                            \
    }

/* cfg must outlive the set. limits NULL means TEMPLATE_LIMITS_DEFAULT. */
int template_set_new(template_set **out, const site_config *cfg, const template_limits *limits,
                     buf *err);
void template_set_free(template_set *ts);
/* The set's state, to build context tables and arguments in. */
lua_State *template_set_lua(template_set *ts);

/* The files (templates and modules, as named in the template folders) that
 * renders and calls in this set have asked for since the last
 * template_used_reset, in the order first asked for, whether compiled then
 * or before: what a page made in between depends on. The names stay valid
 * as long as the set. */
void template_used_reset(template_set *ts);
size_t template_used(const template_set *ts, const char *const **files);

/* Render template `name` (e.g. "item.html") with the context table on top
 * of the stack, which is popped either way, appending the page to *out. A
 * context without a metatable is given one, which makes its missing fields
 * read as the globals templates see (so that variable lookups need no C
 * call); it is meant for this render, not for reading afterwards.
 * `page` (the page's URL, or NULL) is named in errors. On error returns -1
 * with a message naming the template file and line in *err. */
int template_render(template_set *ts, const char *name, const char *page, buf *out, buf *err);

/* Call function `func` of module `module` ("naming" or "naming.lua") with
 * the `nargs` arguments on top of the stack, under the same bounds. Leaves
 * `nresults` results (or LUA_MULTRET) in their place, as lua_pcall does;
 * on error returns -1 with the arguments popped. */
int template_call(template_set *ts, const char *module, const char *func, int nargs, int nresults,
                  buf *err);

#endif
