/* The Lua page templates: output, layouts and partials, modules, where
 * templates are found, the compile cache, the sandbox and its bounds, and
 * the file and line in every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/template.h"

#include <lauxlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASIC "tests/fixtures/templates/basic"
#define THEME "tests/fixtures/templates/theme"

typedef struct fixture {
    site_config cfg;
    template_set *ts;
    lua_State *L;
    buf out, err;
} fixture;

static void open_site(fixture *f, const char *root, const char *theme,
                      const template_limits *limits)
{
    memset(f, 0, sizeof *f);
    f->cfg.root = root;
    f->cfg.theme = theme;
    buf err = BUF_INIT;
    if (template_set_new(&f->ts, &f->cfg, limits, &err) != 0)
        fail_msg("template_set_new: %s", buf_cstr(&err));
    buf_free(&err);
    f->L = template_set_lua(f->ts);
}

static void close_site(fixture *f)
{
    template_set_free(f->ts);
    buf_free(&f->out);
    buf_free(&f->err);
}

/* Push a context of string fields: key, value, ..., NULL. */
static void context_push(lua_State *L, ...)
{
    va_list ap;
    va_start(ap, L);
    lua_newtable(L);
    const char *key;
    while ((key = va_arg(ap, const char *))) {
        lua_pushstring(L, va_arg(ap, const char *));
        lua_setfield(L, -2, key);
    }
    va_end(ap);
}

/* Render with the context on top; checks the stack is left as it was. */
static int render(fixture *f, const char *name, const char *page)
{
    int top = lua_gettop(f->L) - 1;
    buf_reset(&f->out);
    buf_reset(&f->err);
    int rc = template_render(f->ts, name, page, &f->out, &f->err);
    assert_int_equal(lua_gettop(f->L), top);
    return rc;
}

static void assert_renders(fixture *f, const char *name, const char *want)
{
    if (render(f, name, NULL) != 0)
        fail_msg("%s: %s", name, buf_cstr(&f->err));
    assert_string_equal(buf_cstr(&f->out), want);
}

static void assert_error_has(const buf *err, const char *fragment)
{
    if (!strstr(buf_cstr(err), fragment))
        fail_msg("error \"%s\" lacks \"%s\"", buf_cstr(err), fragment);
}

/* Render a template that must fail with both fragments in its message. */
static void assert_render_fails(fixture *f, const char *name, const char *where, const char *what)
{
    if (render(f, name, NULL) == 0)
        fail_msg("%s rendered \"%s\"", name, buf_cstr(&f->out));
    assert_error_has(&f->err, where);
    assert_error_has(&f->err, what);
}

static void test_escaping(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, "title", "\"a\" & 'b'", "body", "<script>alert(1)</script>", NULL);
    lua_pushinteger(f.L, 42);
    lua_setfield(f.L, -2, "n");
    lua_pushboolean(f.L, 1);
    lua_setfield(f.L, -2, "flag");
    assert_renders(&f, "escape.html",
                   "<p title=\"&quot;a&quot; &amp; &#39;b&#39;\">"
                   "&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
                   "42||true|&lt;&amp;&gt;\n");
    context_push(f.L, "html", "<b>x</b>", NULL);
    assert_renders(&f, "raw.html", "<b>x</b>|&lt;b&gt;x&lt;/b&gt;\n");
    /* A NUL inside a string neither ends it nor stops the escaping. */
    context_push(f.L, NULL);
    lua_pushlstring(f.L, "a\0<b>\0", 6);
    lua_setfield(f.L, -2, "s");
    assert_int_equal(render(&f, "nul.html", NULL), 0);
    static const char nul_want[] = "a\0&lt;b&gt;\0|a\0&lt;b&gt;\0\n";
    assert_int_equal(f.out.len, sizeof nul_want - 1);
    assert_memory_equal(f.out.ptr, nul_want, sizeof nul_want - 1);
    /* Numbers and booleans are written as tostring writes them. */
    context_push(f.L, NULL);
    assert_renders(&f, "numbers.html",
                   "0=0|-7=-7|-9223372036854775808=-9223372036854775808|"
                   "9223372036854775807=9223372036854775807|1.5=1.5|"
                   "9.007199254741e+15=9.007199254741e+15|1e+100=1e+100|-0.0=-0.0|"
                   "falsetrue3\n");
    context_push(f.L, NULL);
    assert_render_fails(&f, "bad_value.html", "templates/bad_value.html:1:", "不能把 table 值");
    close_site(&f);
}

static void items_push(lua_State *L)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "a");
    lua_rawseti(L, -2, 1);
    lua_pushliteral(L, "b");
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, "items");
}

static void test_loop_trimming(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    items_push(f.L);
    assert_renders(&f, "loop.html", "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
    items_push(f.L);
    assert_renders(&f, "loop_untrimmed.html", "<ul>\n\n  <li>a</li>\n\n  <li>b</li>\n\n</ul>\n");
    close_site(&f);
}

static void test_literal_text_and_comments(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    FILE *file = fopen(BASIC "/templates/literal.html", "rb");
    assert_non_null(file);
    char text[512];
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = '\0';
    context_push(f.L, NULL);
    assert_renders(&f, "literal.html", text);
    context_push(f.L, NULL);
    assert_renders(&f, "comments.html", "a1bcx]]y\n");
    close_site(&f);
}

static void test_layouts(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, "title", "T&C", NULL);
    /* page -> base.html -> outer.html; base sees the page's global too. */
    assert_renders(&f, "page.html",
                   "<html lang=\"zh-CN\"><main title=\"T&amp;C\" data-h=\"标题：T&amp;C\">"
                   "<h1>标题：T&amp;C</h1>\n</main>\n</html>\n");
    close_site(&f);
}

static void test_partials_with_own_context(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, "site", "S", NULL);
    lua_newtable(f.L);
    context_push(f.L, "name", "ab", NULL);
    lua_rawseti(f.L, -2, 1);
    context_push(f.L, "name", "xyz", NULL);
    lua_rawseti(f.L, -2, 2);
    lua_setfield(f.L, -2, "items");
    /* Rows see only their own context (no `site`), the badge its own; the
     * footer, given no context, sees the list's. */
    assert_renders(&f, "list.html",
                   "<ul>\n<li>ab[]<b>2</b>\n</li>\n<li>xyz[]<b>3</b>\n</li>\n</ul>\n"
                   "<footer>S 注</footer>\n\n");
    close_site(&f);
}

static void test_context_shadows_globals(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    /* The context's escape hides the helper in the page, its layout and a
     * partial given no context; a partial with a context of its own sees
     * the helper again. */
    context_push(f.L, "escape", "mine", NULL);
    assert_renders(&f, "shadow.html", "string|string|function\n|string|table|nil\n");
    close_site(&f);
}

static void test_partial_errors(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, NULL);
    assert_render_fails(&f, "missing_partial.html", "templates/missing_partial.html:2: ",
                        "找不到模板 nope.html（站点 templates/、主题 t 和安装目录中都没有）");
    /* A pcall that catches a failed partial leaves the page able to name
     * its layout. */
    context_push(f.L, NULL);
    assert_renders(&f, "partial_error.html", "<html lang=\"zh-CN\">false\n</html>\n");
    context_push(f.L, "name", "nope.html", NULL);
    assert_render_fails(&f, "layout_name.html",
                        "templates/layout_name.html:2: ", "找不到模板 nope.html");
    context_push(f.L, "name", "../outer.html", NULL);
    assert_render_fails(&f, "layout_name.html", "templates/layout_name.html:2: ", "不合法");
    static const char *const bad[] = {"../basic/outside.lua", "/etc/passwd", "a b.html",
                                      "x/../../y.html", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        context_push(f.L, "name", bad[i], NULL);
        assert_render_fails(&f, "partial_name.html", "templates/partial_name.html:1: ", "不合法");
    }
    close_site(&f);
}

static void test_require(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    /* Loaded once: its call count goes on across renders; its globals stay
     * its own. */
    context_push(f.L, "word", "hi", NULL);
    assert_renders(&f, "require.html", "HI!1|true|true|\n");
    context_push(f.L, "word", "yo", NULL);
    assert_renders(&f, "require.html", "YO!2|true|true|\n");
    static const struct {
        const char *name, *what;
    } refused[] = {
        {"../outside", "不合法"},    {"/etc/passwd", "不合法"},
        {"a b", "不合法"},           {"outside", "找不到模块 outside.lua"},
        {"os", "找不到模块 os.lua"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        context_push(f.L, "mod", refused[i].name, NULL);
        assert_render_fails(&f, "require_name.html",
                            "templates/require_name.html:2: ", refused[i].what);
    }
    close_site(&f);
}

/* Each file a render asks for is noted once, in first-use order, whether
 * it was compiled then or before; a reset starts a new record. */
static void assert_used(fixture *f, const char *want)
{
    const char *const *files;
    size_t n = template_used(f->ts, &files);
    buf got = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_printf(&got, "%s%s", i ? " " : "", files[i]);
    assert_string_equal(buf_cstr(&got), want);
    buf_free(&got);
}

static void test_used_files(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    assert_used(&f, "");
    context_push(f.L, "title", "T", NULL);
    assert_renders(&f, "page.html",
                   "<html lang=\"zh-CN\"><main title=\"T\" data-h=\"标题：T\">"
                   "<h1>标题：T</h1>\n</main>\n</html>\n");
    assert_used(&f, "page.html base.html outer.html");
    /* Compiled already: still noted, after a reset. */
    template_used_reset(f.ts);
    context_push(f.L, "word", "hi", NULL);
    assert_renders(&f, "require.html", "HI!1|true|true|\n");
    assert_used(&f, "require.html util.lua");
    template_used_reset(f.ts);
    context_push(f.L, "site", "S", NULL);
    lua_newtable(f.L);
    context_push(f.L, "name", "ab", NULL);
    lua_rawseti(f.L, -2, 1);
    context_push(f.L, "name", "xyz", NULL);
    lua_rawseti(f.L, -2, 2);
    lua_setfield(f.L, -2, "items");
    assert_int_equal(template_render(f.ts, "list.html", NULL, &f.out, &f.err), 0);
    assert_used(&f, "list.html row.html badge.html footer.html");
    /* A module called from C counts as well. */
    template_used_reset(f.ts);
    lua_pushliteral(f.L, "x");
    assert_int_equal(template_call(f.ts, "util", "shout", 1, 1, &f.err), 0);
    lua_pop(f.L, 1);
    assert_used(&f, "util.lua");
    close_site(&f);
}

static void test_call(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    int top = lua_gettop(f.L);
    lua_pushliteral(f.L, "abc");
    assert_int_equal(template_call(f.ts, "util", "shout", 1, 1, &f.err), 0);
    assert_int_equal(lua_gettop(f.L), top + 1);
    assert_string_equal(lua_tostring(f.L, -1), "ABC!1");
    lua_pop(f.L, 1);
    /* The same module value as require gives templates. */
    context_push(f.L, "word", "hi", NULL);
    assert_renders(&f, "require.html", "HI!2|true|true|\n");

    assert_int_equal(template_call(f.ts, "util.lua", "nope", 0, 1, &f.err), -1);
    assert_error_has(&f.err, "没有函数 nope");
    buf_reset(&f.err);
    lua_pushnil(f.L);
    assert_int_equal(template_call(f.ts, "util", "fail", 1, 1, &f.err), -1);
    assert_string_equal(buf_cstr(&f.err), "templates/util.lua:12: attempt to index a nil "
                                          "value (local 'x')（调用 util 的 fail 时）");
    buf_reset(&f.err);
    assert_int_equal(template_call(f.ts, "util", "spin", 0, 0, &f.err), -1);
    assert_error_has(&f.err, "templates/util.lua:9: 运行超过指令上限");
    assert_int_equal(lua_gettop(f.L), top);
    close_site(&f);
}

static void test_theme_and_defaults_order(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, THEME, "t", NULL);
    /* The site's templates/ over the theme's, the site's partial finding
     * the theme's template. */
    context_push(f.L, NULL);
    assert_renders(&f, "both.html", "site both theme only\n");
    /* The theme's over the installed defaults. */
    context_push(f.L, NULL);
    assert_renders(&f, "theme_vs_default.html", "theme over default\n");
    /* The defaults, modules included, when neither has it. */
    context_push(f.L, NULL);
    assert_renders(&f, "default_only.html", "default only from defaults\n");
    close_site(&f);

    open_site(&f, THEME, "other", NULL);
    context_push(f.L, NULL);
    assert_renders(&f, "theme_vs_default.html", "default under theme\n");
    context_push(f.L, NULL);
    assert_int_equal(render(&f, "theme_only.html", "/p/"), -1);
    assert_string_equal(buf_cstr(&f.err), "找不到模板 theme_only.html（站点 templates/、"
                                          "主题 other 和安装目录中都没有）（渲染页面 /p/ 时）");
    close_site(&f);
}

static void file_write(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void test_compiled_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-template-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char templates[64], file[96];
    snprintf(templates, sizeof templates, "%s/templates", dir);
    snprintf(file, sizeof file, "%s/cached.html", templates);
    assert_int_equal(mkdir(templates, 0700), 0);
    file_write(file, "v1 <%= x %>\n");

    fixture f;
    open_site(&f, dir, "t", NULL);
    context_push(f.L, "x", "a", NULL);
    assert_renders(&f, "cached.html", "v1 a\n");
    file_write(file, "v2 <%= x %>\n");
    context_push(f.L, "x", "b", NULL);
    assert_renders(&f, "cached.html", "v1 b\n");
    assert_int_equal(unlink(file), 0);
    context_push(f.L, "x", "c", NULL);
    assert_renders(&f, "cached.html", "v1 c\n");
    close_site(&f);

    /* A new set reads the file again: gone now. */
    open_site(&f, dir, "t", NULL);
    context_push(f.L, "x", "d", NULL);
    assert_render_fails(&f, "cached.html", "找不到模板 cached.html", "主题 t");

    /* Lines count the way Lua counts them, with CR LF too. */
    snprintf(file, sizeof file, "%s/crlf.html", templates);
    file_write(file, "a\r\n<% x = nil -%>\r\n\r\n<%= x.y %>\r\n");
    context_push(f.L, NULL);
    assert_render_fails(&f, "crlf.html", "templates/crlf.html:4: ", "global 'x'");
    assert_int_equal(unlink(file), 0);
    close_site(&f);
    assert_int_equal(rmdir(templates), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_globals_do_not_leak(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, "title", "orig", NULL);
    lua_pushvalue(f.L, -1);
    assert_renders(&f, "leak_set.html", "yes\n");
    /* The assignments went to the render's own variables, not the context. */
    assert_int_equal(lua_getfield(f.L, -1, "leaked"), LUA_TNIL);
    lua_getfield(f.L, -2, "title");
    assert_string_equal(lua_tostring(f.L, -1), "orig");
    lua_pop(f.L, 3);
    context_push(f.L, "title", "t2", NULL);
    assert_renders(&f, "leak_get.html", "nil|t2\n");
    close_site(&f);
}

static void test_forbidden_operations(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        int line;
        const char *what;
    } ops[] = {
        {"os", 2, "global 'os'"},
        {"io", 4, "global 'io'"},
        {"debug", 6, "global 'debug'"},
        {"load", 8, "global 'load'"},
        {"loadstring", 10, "global 'loadstring'"},
        {"dofile", 12, "global 'dofile'"},
        {"loadfile", 14, "global 'loadfile'"},
        {"require", 16, "找不到模块 os.lua"},
        {"dump", 18, "field 'dump'"},
        {"collectgarbage", 20, "global 'collectgarbage'"},
        {"rawset", 22, "不能修改只读的表"},
        {"strmeta", 24, "boolean value"},
        {"setmeta", 26, "protected metatable"},
        {"libwrite", 28, "不能给只读的表赋值"},
        {"librawset", 30, "不能修改只读的表"},
        {"gc", 32, "__gc"},
        {"print", 34, "global 'print'"},
        {"package", 36, "global 'package'"},
        {"random", 38, "field 'random'"},
    };
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        context_push(f.L, "op", ops[i].op, NULL);
        char where[64];
        snprintf(where, sizeof where, "templates/forbidden.html:%d: ", ops[i].line);
        assert_render_fails(&f, "forbidden.html", where, ops[i].what);
    }
    /* Nothing was changed for the renders that follow. */
    context_push(f.L, "op", "none", NULL);
    assert_renders(&f, "forbidden.html", "ok X\n");
    close_site(&f);
}

static void test_runaway_is_stopped(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, NULL);
    assert_render_fails(&f, "runaway.html",
                        "templates/runaway.html:2: ", "运行超过指令上限（50000000 条）");
    /* Catching the error in the template does not buy more time. */
    context_push(f.L, NULL);
    assert_render_fails(&f, "runaway_pcall.html", "templates/runaway_pcall.html:", "指令上限");
    context_push(f.L, NULL);
    assert_render_fails(&f, "recurse.html", "templates/recurse.html:1: ", "嵌套超过 32 层");
    context_push(f.L, NULL);
    assert_render_fails(&f, "layout_loop.html", "打开 layout_loop.html 时", "嵌套超过 32 层");
    /* The bound is per render: the next one runs. */
    context_push(f.L, "html", "ok", NULL);
    assert_renders(&f, "raw.html", "ok|ok\n");
    close_site(&f);

    template_limits small = {100000, (size_t)64 << 20, 3};
    open_site(&f, BASIC, "t", &small);
    context_push(f.L, NULL);
    assert_render_fails(&f, "runaway.html", "templates/runaway.html:2: ", "（100000 条）");
    context_push(f.L, NULL);
    assert_render_fails(&f, "recurse.html", "templates/recurse.html:1: ", "嵌套超过 3 层");
    close_site(&f);
}

static void test_memory_bound(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    /* Lua refuses this one itself; the next, 2 GB, is the bound's. */
    context_push(f.L, NULL);
    lua_pushnumber(f.L, 1e10);
    lua_setfield(f.L, -2, "n");
    assert_render_fails(&f, "bigmem.html", "templates/bigmem.html:2: ", "too large");
    context_push(f.L, NULL);
    lua_pushnumber(f.L, 2e9);
    lua_setfield(f.L, -2, "n");
    assert_render_fails(&f, "bigmem.html",
                        "templates/bigmem.html: ", "内存用量超出上限（256 MiB）");
    close_site(&f);

    template_limits small = {50000000, (size_t)16 << 20, 32};
    open_site(&f, BASIC, "t", &small);
    context_push(f.L, NULL);
    assert_render_fails(&f, "growing.html", "templates/growing.html", "内存用量超出上限（16 MiB）");
    /* Inside a partial, named with the call's line. */
    context_push(f.L, "name", "growing.html", NULL);
    assert_render_fails(&f, "partial_name.html",
                        "templates/partial_name.html:1: ", "发生在 templates/growing.html 中");
    /* The state recovers. */
    context_push(f.L, "html", "ok", NULL);
    assert_renders(&f, "raw.html", "ok|ok\n");
    close_site(&f);
}

static void test_error_lines(void **state)
{
    (void)state;
    fixture f;
    open_site(&f, BASIC, "t", NULL);
    context_push(f.L, "title", "x", NULL);
    assert_render_fails(&f, "syntax.html", "templates/syntax.html:4: ", "expected");
    context_push(f.L, NULL);
    assert_int_equal(render(&f, "runtime.html", "/czj/2025/yusuan/"), -1);
    assert_string_equal(buf_cstr(&f.err),
                        "templates/runtime.html:5: attempt to index a nil value (global "
                        "'item')（渲染页面 /czj/2025/yusuan/ 时）");
    context_push(f.L, NULL);
    assert_render_fails(&f, "unclosed.html", "templates/unclosed.html:2: ", "标签 <%= 没有闭合");
    context_push(f.L, NULL);
    assert_render_fails(&f, "open_string.html", "templates/open_string.html:2: ", "没有结束");
    context_push(f.L, NULL);
    assert_render_fails(&f, "error_value.html", "templates/error_value.html:2: ", "错误值是 table");
    context_push(f.L, NULL);
    assert_render_fails(&f, "nope.html", "找不到模板 nope.html", "主题 t");
    /* The context must be a table. */
    lua_pushinteger(f.L, 1);
    assert_int_equal(render(&f, "raw.html", NULL), -1);
    assert_error_has(&f.err, "上下文不是表");
    close_site(&f);
}

static void test_bad_limits(void **state)
{
    (void)state;
    site_config cfg = {0};
    template_set *ts = NULL;
    buf err = BUF_INIT;
    template_limits deep = {1000, 1 << 20, 1000};
    assert_int_equal(template_set_new(&ts, &cfg, &deep, &err), -1);
    assert_null(ts);
    assert_true(err.len > 0);
    buf_free(&err);
}

int main(void)
{
    /* Installed defaults come from the fixture, not from the machine. */
    setenv("GONGKAI_DATADIR", "tests/fixtures/templates/datadir", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_loop_trimming),
        cmocka_unit_test(test_literal_text_and_comments),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_partials_with_own_context),
        cmocka_unit_test(test_context_shadows_globals),
        cmocka_unit_test(test_partial_errors),
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_used_files),
        cmocka_unit_test(test_theme_and_defaults_order),
        cmocka_unit_test(test_compiled_once),
        cmocka_unit_test(test_globals_do_not_leak),
        cmocka_unit_test(test_forbidden_operations),
        cmocka_unit_test(test_runaway_is_stopped),
        cmocka_unit_test(test_memory_bound),
        cmocka_unit_test(test_error_lines),
        cmocka_unit_test(test_bad_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
