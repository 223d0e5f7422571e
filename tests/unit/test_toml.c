/* config/toml: the values, their positions, the redefinition rules, error
 * positions and messages, and the limits that keep hostile input harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/config/toml.h"
#include "../../generator/util/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static value *parse_ok_n(arena *mem, const char *text, size_t len, int line_base)
{
    value *root = NULL;
    toml_error err;
    if (toml_parse(mem, text, len, line_base, &root, &err) != 0)
        fail_msg("unexpected error %d:%d: %s", err.line, err.col, err.message);
    assert_non_null(root);
    assert_int_equal(root->type, VALUE_TABLE);
    return root;
}

static value *parse_ok(arena *mem, const char *text)
{
    return parse_ok_n(mem, text, strlen(text), 1);
}

/* Parse text[0..len) expecting an error; returns it for more checks. */
static toml_error parse_err_n(const char *text, size_t len)
{
    arena mem;
    arena_init(&mem);
    value *root = NULL;
    toml_error err;
    int r = toml_parse(&mem, text, len, 1, &root, &err);
    arena_free(&mem);
    if (r != -1)
        fail_msg("accepted invalid TOML: %s", text);
    assert_null(root);
    return err;
}

static void expect_error(const char *text, int line, int col, const char *message)
{
    toml_error err = parse_err_n(text, strlen(text));
    if (err.line != line || err.col != col || strcmp(err.message, message) != 0)
        fail_msg("for %s\nwant %d:%d: %s\ngot  %d:%d: %s", text, line, col, message, err.line,
                 err.col, err.message);
}

/* The value at a dotted path of bare keys, array elements as [n]. */
static value *at(value *v, const char *path)
{
    char part[64];
    while (*path) {
        size_t n = strcspn(path, ".");
        assert_true(n < sizeof part);
        memcpy(part, path, n);
        part[n] = '\0';
        path += n + (path[n] == '.');
        if (part[0] == '[') {
            size_t i = (size_t)atoi(part + 1);
            assert_int_equal(v->type, VALUE_ARRAY);
            assert_true(i < v->u.array.len);
            v = v->u.array.items[i];
        } else {
            value *next = value_table_get(v, part);
            if (!next)
                fail_msg("no key %s", part);
            v = next;
        }
    }
    return v;
}

static void test_scalars(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "s = \"示例县\\t\\u00e9\\U0001F600\"\n"
                                 "lit = 'C:\\path'\n"
                                 "i = -17\n"
                                 "hex = 0xdead_BEEF\n"
                                 "oct = 0o755\n"
                                 "bin = 0b1101\n"
                                 "f = 6.626e-34\n"
                                 "ninf = -inf\n"
                                 "n = nan\n"
                                 "yes = true\n"
                                 "no = false\n"
                                 "big = 1_000_000\n");
    value *s = at(root, "s");
    assert_int_equal(s->type, VALUE_STRING);
    assert_string_equal(s->u.str.ptr, "示例县\té😀");
    assert_int_equal(s->u.str.len, strlen("示例县\té😀"));
    assert_string_equal(at(root, "lit")->u.str.ptr, "C:\\path");
    assert_int_equal(at(root, "i")->u.integer, -17);
    assert_int_equal(at(root, "hex")->u.integer, 0xdeadbeef);
    assert_int_equal(at(root, "oct")->u.integer, 0755);
    assert_int_equal(at(root, "bin")->u.integer, 13);
    assert_int_equal(at(root, "f")->type, VALUE_FLOAT);
    assert_true(at(root, "f")->u.real == 6.626e-34);
    assert_true(isinf(at(root, "ninf")->u.real) && at(root, "ninf")->u.real < 0);
    assert_true(isnan(at(root, "n")->u.real));
    assert_int_equal(at(root, "yes")->type, VALUE_BOOL);
    assert_true(at(root, "yes")->u.boolean);
    assert_false(at(root, "no")->u.boolean);
    assert_int_equal(at(root, "big")->u.integer, 1000000);
    /* Keys keep the order they were written in. */
    assert_int_equal(root->u.table.len, 12);
    assert_string_equal(root->u.table.entries[0].key, "s");
    assert_string_equal(root->u.table.entries[11].key, "big");
    arena_free(&mem);
}

static void test_integer_limits(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "max = 9223372036854775807\n"
                                 "min = -9223372036854775808\n"
                                 "hmax = 0x7fffffffffffffff\n");
    assert_true(at(root, "max")->u.integer == INT64_MAX);
    assert_true(at(root, "min")->u.integer == INT64_MIN);
    assert_true(at(root, "hmax")->u.integer == INT64_MAX);
    arena_free(&mem);

    expect_error("a = 9223372036854775808", 1, 5, "整数超出 64 位范围");
    expect_error("a = -9223372036854775809", 1, 5, "整数超出 64 位范围");
    expect_error("a = 0x8000000000000000", 1, 5, "整数超出 64 位范围");
    expect_error("a = 99999999999999999999999", 1, 5, "整数超出 64 位范围");
    expect_error("a = 1__0", 1, 6, "数字中的下划线必须位于两个数字之间");
    expect_error("a = 012", 1, 5, "数字不能有前导零");
    expect_error("a = -0x1", 1, 5, "十六进制、八进制和二进制整数不能带正负号");
    expect_error("a = 1e999", 1, 5, "小数超出范围");
}

static void test_datetimes(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "odt = 1979-05-27T07:32:00.999999-07:30\n"
                                 "ldt = 1979-05-27 07:32:00.5\n"
                                 "ld = 2026-02-28\n"
                                 "lt = 00:32:00.1234567891\n");
    value *v = at(root, "odt");
    assert_int_equal(v->type, VALUE_DATETIME);
    assert_int_equal(v->u.dt.year, 1979);
    assert_int_equal(v->u.dt.month, 5);
    assert_int_equal(v->u.dt.day, 27);
    assert_int_equal(v->u.dt.hour, 7);
    assert_int_equal(v->u.dt.minute, 32);
    assert_int_equal(v->u.dt.nanosecond, 999999000);
    assert_int_equal(v->u.dt.frac_digits, 6);
    assert_int_equal(v->u.dt.offset_minutes, -450);
    v = at(root, "ldt");
    assert_int_equal(v->type, VALUE_DATETIME_LOCAL);
    assert_int_equal(v->u.dt.nanosecond, 500000000);
    assert_int_equal(v->u.dt.frac_digits, 1);
    v = at(root, "ld");
    assert_int_equal(v->type, VALUE_DATE_LOCAL);
    assert_int_equal(v->u.dt.day, 28);
    /* Digits past nanoseconds are dropped, not rounded. */
    v = at(root, "lt");
    assert_int_equal(v->type, VALUE_TIME_LOCAL);
    assert_int_equal(v->u.dt.nanosecond, 123456789);
    assert_int_equal(v->u.dt.frac_digits, 9);
    arena_free(&mem);

    expect_error("d = 2026-02-29", 1, 5, "日期无效");
    expect_error("d = 2026-13-01", 1, 5, "日期无效");
    expect_error("d = 2026-1-01", 1, 11, "日期格式应为 YYYY-MM-DD");
    expect_error("t = 24:00:00", 1, 5, "时间无效");
    expect_error("t = 07:32", 1, 10, "时间格式应为 HH:MM:SS");
    expect_error("d = 1979-05-27T07:32:00+24:00", 1, 24, "时区偏移无效");
}

static void test_strings(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "ml = \"\"\"\n第一行\r\n  second \\\n\n    third\"\"\"\n"
                                 "quotes = \"\"\"\"\"a\"\"\"\"\"\n"
                                 "raw = '''\n\\n is kept'''\n"
                                 "nul = \"a\\u0000b\"\n");
    assert_string_equal(at(root, "ml")->u.str.ptr, "第一行\n  second third");
    assert_string_equal(at(root, "quotes")->u.str.ptr, "\"\"a\"\"");
    assert_string_equal(at(root, "raw")->u.str.ptr, "\\n is kept");
    /* An escaped NUL is data: the length says where the string ends. */
    value *nul = at(root, "nul");
    assert_int_equal(nul->u.str.len, 3);
    assert_memory_equal(nul->u.str.ptr, "a\0b", 3);
    arena_free(&mem);

    expect_error("s = \"abc", 1, 5, "字符串未结束");
    expect_error("s = \"abc\ntail = 1", 1, 5, "字符串未结束");
    expect_error("s = \"\"\"abc\n\nmore", 1, 5, "多行字符串未结束");
    expect_error("s = \"a\\x41\"", 1, 7, "无效的转义序列 \\x");
    expect_error("s = \"\\uD800\"", 1, 6, "转义序列 \\uD800 不是有效的 Unicode 字符");
    expect_error("s = \"\\u12\"", 1, 10, "转义序列 \\u 后应有 4 位十六进制数字");
    expect_error("s = \"\"\"a \\ b\"\"\"", 1, 10, "反斜杠后不能是\" \"");
    expect_error("s = 'tab\tok, bell\a not'", 1, 18, "字符串中不允许控制字符 U+0007");
    expect_error("s = \"\"\"\n\"\"\"\"\"\"", 2, 6, "此处应换行，而不是\"\"\"");
}

static void test_positions(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "\"名称\" = \"示例县\"\n"
                                 "\n"
                                 "ml = '''\n"
                                 "two\n"
                                 "lines'''  # done\n");
    /* Columns count code points: "名称" = is seven of them. */
    assert_int_equal(root->u.table.entries[0].line, 1);
    assert_int_equal(root->u.table.entries[0].col, 1);
    value *v = root->u.table.entries[0].val;
    assert_int_equal(v->line, 1);
    assert_int_equal(v->col, 8);
    assert_int_equal(at(root, "ml")->line, 3);
    assert_int_equal(at(root, "ml")->col, 6);
    arena_free(&mem);

    /* The line after a multi-line string knows its number. */
    expect_error("ml = '''\ntwo\nlines'''  ;\n", 3, 11, "此处应换行，而不是\";\"");

    arena_init(&mem);
    root = parse_ok(&mem, "top = 1\n"
                          "[site]\n"
                          "  name = { short = \"县\", list = [ 1,\n"
                          "     2 ] }\n"
                          "[[boards]]\n"
                          "id = \"a\"\n"
                          "[[boards]]\n"
                          "  id = \"b\"\n");
    value *site = at(root, "site");
    assert_int_equal(site->line, 2);
    assert_int_equal(site->col, 1);
    assert_int_equal(root->u.table.entries[1].line, 2);
    assert_int_equal(root->u.table.entries[1].col, 2);
    assert_int_equal(at(root, "site.name")->line, 3);
    assert_int_equal(at(root, "site.name")->col, 10);
    assert_int_equal(at(root, "site.name.short")->col, 20);
    assert_int_equal(at(root, "site.name.list.[1]")->line, 4);
    assert_int_equal(at(root, "site.name.list.[1]")->col, 6);
    value *second = at(root, "boards.[1]");
    assert_int_equal(second->line, 7);
    assert_int_equal(at(root, "boards.[1].id")->line, 8);
    assert_int_equal(at(root, "boards.[1].id")->col, 8);
    arena_free(&mem);
}

static void test_line_base(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    const char *text = "title = \"通知\"\ndate = 2026-09-01\n";
    value *root = parse_ok_n(&mem, text, strlen(text), 5);
    assert_int_equal(root->u.table.entries[0].line, 5);
    assert_int_equal(at(root, "date")->line, 6);
    assert_int_equal(at(root, "date")->col, 8);

    value *out = NULL;
    toml_error err;
    const char *bad = "title = \"通知\"\ndate = 2026-02-30\n";
    assert_int_equal(toml_parse(&mem, bad, strlen(bad), 5, &out, &err), -1);
    assert_int_equal(err.line, 6);
    assert_int_equal(err.col, 8);
    assert_string_equal(err.message, "日期无效");
    arena_free(&mem);
}

static void test_tables(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *root = parse_ok(&mem, "[a.b.c]\n"
                                 "x = 1\n"
                                 "[a]\n" /* an implicit table may be defined once */
                                 "y = 2\n"
                                 "[fruit]\n"
                                 "apple.color = \"red\"\n"
                                 "apple.taste.sweet = true\n"
                                 "[fruit.apple.texture]\n" /* sub-tables of dotted ones are fine */
                                 "smooth = true\n"
                                 "[[list]]\n"
                                 "n = 1\n"
                                 "[list.sub]\n"
                                 "m = 1\n"
                                 "[[list]]\n"
                                 "n = 2\n"
                                 "[list.sub]\n"
                                 "m = 2\n"
                                 "inline = { p.q = 1, p.r = 2 }\n");
    assert_int_equal(at(root, "a.b.c.x")->u.integer, 1);
    assert_int_equal(at(root, "a.y")->u.integer, 2);
    assert_string_equal(at(root, "fruit.apple.color")->u.str.ptr, "red");
    assert_true(at(root, "fruit.apple.taste.sweet")->u.boolean);
    assert_true(at(root, "fruit.apple.texture.smooth")->u.boolean);
    assert_int_equal(at(root, "list")->u.array.len, 2);
    assert_int_equal(at(root, "list.[1].sub.m")->u.integer, 2);
    assert_int_equal(at(root, "list.[1].sub.inline.p.r")->u.integer, 2);
    /* The implicit table [a] took the position of its header. */
    assert_int_equal(at(root, "a")->line, 3);
    arena_free(&mem);
}

static void test_redefinitions(void **state)
{
    (void)state;
    expect_error("a = 1\na = 2", 2, 1, "键 \"a\" 重复定义");
    expect_error("a.b = 1\na.b = 2", 2, 3, "键 \"a.b\" 重复定义");
    expect_error("[t]\n[t]", 2, 2, "表 \"t\" 重复定义");
    expect_error("[t.u]\n[t]\n[t]", 3, 2, "表 \"t\" 重复定义");
    expect_error("a = {x = 1}\n[a]", 2, 2, "内联表 \"a\" 已完整定义，不能再用表头扩展");
    expect_error("a = {x = 1}\na.y = 2", 2, 1, "内联表 \"a\" 已完整定义，不能再添加内容");
    expect_error("a = {b = {c = 1}, b.d = 2}", 1, 19, "内联表 \"b\" 已完整定义，不能再添加内容");
    expect_error("[fruit]\napple.color = 1\n[fruit.apple]", 3, 8,
                 "表 \"fruit.apple\" 已由点分键定义，不能再用表头定义");
    expect_error("[a.b.c]\n[a]\nb.c.t = 1", 3, 1, "表 \"b\" 已由表头定义，不能再用点分键添加内容");
    expect_error("a = [1]\n[[a]]", 2, 3, "数组 \"a\" 是静态数组，不能用 [[...]] 追加");
    expect_error("a = [{}]\n[a.b]", 2, 2, "数组 \"a\" 是静态数组，不能再添加内容");
    expect_error("[[a]]\n[a]", 2, 2, "\"a\" 是表数组，应写作 [[...]]");
    expect_error("[a]\n[[a]]", 2, 3, "键 \"a\" 已定义为表，不能再作为表数组");
    expect_error("[[a.b]]\n[a]\nb.y = 2", 3, 1, "表数组 \"b\" 不能用点分键添加内容");
    expect_error("a = true\na.b = 1", 2, 1, "键 \"a\" 已定义为布尔值，不能再作为表");
    expect_error("x = {a = 1, a = 2}", 1, 13, "键 \"a\" 重复定义");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("a = 1 b = 2", 1, 7, "此处应换行，而不是\"b\"");
    expect_error("a = \n", 1, 5, "此处应为值，而不是换行");
    expect_error("a = hello", 1, 5, "无效的值 \"hello\"（字符串需要加引号）");
    expect_error("a = True", 1, 5, "布尔值只能写作小写的 true 或 false");
    expect_error("a = [1 2]", 1, 8, "数组元素之间应有逗号，而不是\"2\"");
    expect_error("a = [1,\n2", 1, 5, "数组未结束");
    expect_error("a = {x = 1,}", 1, 11, "内联表的最后一项后面不能有逗号");
    expect_error("a = {x = 1,\ny = 2}", 1, 12, "内联表必须写在一行内");
    expect_error("[a\n", 1, 3, "表头应以 \"]\" 结束，而不是换行");
    expect_error("\"\"\"k\"\"\" = 1", 1, 1, "键不能是多行字符串");
    expect_error("a = 1\r\nb = 2\rc = 3", 2, 6, "回车符 (CR) 后面必须紧跟换行符 (LF)");
    expect_error("# ok\n# bell \a\n", 2, 8, "注释中不允许控制字符 U+0007");
    expect_error("a = 1 # 注释里的 \x7f\n", 1, 14, "注释中不允许控制字符 U+007F");
    expect_error("a = \"\xff\", b", 1, 6, "无效的 UTF-8 编码");
    expect_error("\xef\xbb\xbf\xef\xbb\xbf = 1", 1, 1, "此处应为键，而不是U+FEFF");
}

static void test_gbk_file(void **state)
{
    (void)state;
    /* "标题 = \"通知公告\"" saved as GBK. */
    const char gbk[] = "\xb1\xea\xcc\xe2 = \"\xcd\xa8\xd6\xaa\xb9\xab\xb8\xe6\"\n";
    toml_error err = parse_err_n(gbk, sizeof gbk - 1);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 1);
    assert_non_null(strstr(err.message, "GBK"));
}

static void test_nul_bytes(void **state)
{
    (void)state;
    const char in_string[] = "s = \"a\0b\"\n";
    toml_error err = parse_err_n(in_string, sizeof in_string - 1);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 7);
    assert_string_equal(err.message, "字符串中不允许控制字符 U+0000");

    const char bare[] = "a = 1\n\0";
    err = parse_err_n(bare, sizeof bare - 1);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.message, "此处应为键，而不是控制字符 U+0000");

    const char after[] = "a = 1\0";
    err = parse_err_n(after, sizeof after - 1);
    assert_int_equal(err.col, 6);
}

/* Nesting of every kind ends in an error at the 129th level, not in a
 * stack overflow. */
static void test_deep_nesting(void **state)
{
    (void)state;
    enum { N = 100000 };
    buf b = BUF_INIT;
    buf_puts(&b, "a = ");
    for (int i = 0; i < N; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < N; i++)
        buf_putc(&b, ']');
    toml_error err = parse_err_n(b.ptr, b.len);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 5 + 128);
    assert_string_equal(err.message, "嵌套层数超过 128 层");

    buf_reset(&b);
    buf_puts(&b, "a = ");
    for (int i = 0; i < N; i++)
        buf_puts(&b, "{b=[");
    err = parse_err_n(b.ptr, b.len);
    assert_string_equal(err.message, "嵌套层数超过 128 层");

    buf_reset(&b);
    buf_putc(&b, '[');
    for (int i = 0; i < N; i++)
        buf_puts(&b, i ? ".k" : "k");
    buf_puts(&b, "]\n");
    err = parse_err_n(b.ptr, b.len);
    assert_string_equal(err.message, "嵌套层数超过 128 层");

    /* Right at the limit everything is still accepted. */
    buf_reset(&b);
    buf_puts(&b, "a = ");
    for (int i = 0; i < 128; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 128; i++)
        buf_putc(&b, ']');
    arena mem;
    arena_init(&mem);
    value *v = at(parse_ok_n(&mem, b.ptr, b.len, 1), "a");
    int depth = 0;
    for (; v->u.array.len; v = v->u.array.items[0])
        depth++;
    assert_int_equal(depth, 127);
    arena_free(&mem);
    buf_free(&b);
}

static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 10000 };
    buf b = BUF_INIT;
    buf_puts(&b, "[big]\n");
    for (int i = 0; i < N; i++)
        buf_printf(&b, "key%d = %d\n", i, i * 3);
    arena mem;
    arena_init(&mem);
    value *big = at(parse_ok_n(&mem, b.ptr, b.len, 1), "big");
    assert_int_equal(big->u.table.len, N);
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "key%d", i);
        value_entry *e = value_table_find(big, key, strlen(key));
        assert_non_null(e);
        assert_int_equal(e->line, i + 2);
        assert_int_equal(e->val->u.integer, i * 3);
    }
    arena_free(&mem);

    /* A duplicate among them is still found. */
    buf_puts(&b, "key5000 = 1\n");
    toml_error err = parse_err_n(b.ptr, b.len);
    assert_int_equal(err.line, N + 2);
    assert_string_equal(err.message, "键 \"key5000\" 重复定义");
    buf_free(&b);
}

static void test_big_string(void **state)
{
    (void)state;
    enum { N = 10 * 1024 * 1024 };
    buf b = BUF_INIT;
    buf_puts(&b, "s = \"");
    for (int i = 0; i < N / 8; i++)
        buf_puts(&b, "abc\\t汉字");
    buf_puts(&b, "\"\nafter = 1\n");
    arena mem;
    arena_init(&mem);
    value *root = parse_ok_n(&mem, b.ptr, b.len, 1);
    value *s = at(root, "s");
    assert_int_equal(s->u.str.len, (size_t)N / 8 * strlen("abc\t汉字"));
    assert_memory_equal(s->u.str.ptr + s->u.str.len - 10, "abc\t汉字", 10);
    assert_int_equal(at(root, "after")->line, 2);
    arena_free(&mem);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),       cmocka_unit_test(test_integer_limits),
        cmocka_unit_test(test_datetimes),     cmocka_unit_test(test_strings),
        cmocka_unit_test(test_positions),     cmocka_unit_test(test_line_base),
        cmocka_unit_test(test_tables),        cmocka_unit_test(test_redefinitions),
        cmocka_unit_test(test_syntax_errors), cmocka_unit_test(test_gbk_file),
        cmocka_unit_test(test_nul_bytes),     cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_many_keys),     cmocka_unit_test(test_big_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
