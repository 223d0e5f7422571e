/* Front matter: splitting a file into front matter and body (+++ and ---, BOM,
 * CRLF, unclosed), and the YAML reader's types, positions and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/content/content.h"
#include "../../generator/util/buf.h"

#include <string.h>

static int split(arena *mem, const char *text, content_frontmatter *fm)
{
    return content_frontmatter_split(mem, text, strlen(text), fm);
}

static void test_split_toml(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    const char *text = "+++\ntitle = \"预算\"\ndate = 2026-01-05\n+++\n\n正文\n";
    assert_int_equal(split(&mem, text, &fm), 0);
    assert_int_equal(fm.problem, CONTENT_SPLIT_OK);
    assert_int_equal(fm.format, CONTENT_FORMAT_TOML);
    assert_int_equal(fm.line, 1);
    assert_int_equal(fm.text_line, 2);
    assert_string_equal(fm.text, "title = \"预算\"\ndate = 2026-01-05\n");
    assert_int_equal(fm.len, strlen(fm.text));
    assert_int_equal(fm.body_line, 5);
    assert_ptr_equal(fm.body, strstr(text, "\n\n正文") + 1);
    assert_int_equal(fm.body_len, strlen("\n正文\n"));
    arena_free(&mem);
}

static void test_split_yaml(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    assert_int_equal(split(&mem, "---\ntitle: 预算\n---\n正文", &fm), 0);
    assert_int_equal(fm.format, CONTENT_FORMAT_YAML);
    assert_string_equal(fm.text, "title: 预算\n");
    assert_int_equal(fm.body_line, 4);
    assert_int_equal(fm.body_len, strlen("正文"));
    assert_memory_equal(fm.body, "正文", fm.body_len);
    arena_free(&mem);
}

static void test_split_bom_crlf_blanks(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    const char *text = "\xef\xbb\xbf+++  \r\ntitle = \"a\"\r\nx = 1\r\n+++\t\r\nbody\r\nmore\r\n";
    assert_int_equal(split(&mem, text, &fm), 0);
    assert_int_equal(fm.format, CONTENT_FORMAT_TOML);
    assert_string_equal(fm.text, "title = \"a\"\nx = 1\n");
    assert_int_equal(fm.text_line, 2);
    assert_int_equal(fm.body_line, 5);
    assert_int_equal(fm.body_len, strlen("body\r\nmore\r\n"));
    assert_memory_equal(fm.body, "body\r\nmore\r\n", fm.body_len);
    arena_free(&mem);
}

static void test_split_empty_and_eof(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    assert_int_equal(split(&mem, "+++\n+++\n", &fm), 0);
    assert_int_equal(fm.len, 0);
    assert_string_equal(fm.text, "");
    assert_int_equal(fm.body_line, 3);
    assert_int_equal(fm.body_len, 0);
    assert_int_equal(split(&mem, "---\na: 1\n---", &fm), 0);
    assert_int_equal(fm.body_len, 0);
    assert_int_equal(fm.body_line, 4);
    arena_free(&mem);
}

static void test_split_problems(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    assert_int_equal(split(&mem, "+++\ntitle = \"a\"\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_UNCLOSED);
    assert_int_equal(fm.line, 1);
    /* The closing line must repeat the opening delimiter. */
    assert_int_equal(split(&mem, "+++\ntitle = \"a\"\n---\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_UNCLOSED);
    assert_int_equal(split(&mem, "+++", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_UNCLOSED);

    assert_int_equal(split(&mem, "# 标题\n正文\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_MISSING);
    assert_int_equal(fm.line, 0);
    assert_int_equal(split(&mem, "\n  \r\n+++\n+++\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_MISSING);
    assert_int_equal(fm.line, 3);
    assert_int_equal(split(&mem, " +++\n+++\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_MISSING);
    assert_int_equal(split(&mem, "++++\n++++\n", &fm), -1);
    assert_int_equal(fm.problem, CONTENT_SPLIT_MISSING);
    arena_free(&mem);
}

/* ---- YAML --------------------------------------------------------------- */

static value *yaml_ok(arena *mem, const char *text, int line_base)
{
    value *v = NULL;
    content_error err;
    memset(&err, 0, sizeof err);
    if (content_yaml_parse(mem, text, strlen(text), line_base, &v, &err) < 0)
        fail_msg("unexpected YAML error %d:%d: %s", err.line, err.col, err.message);
    assert_non_null(v);
    assert_int_equal(v->type, VALUE_TABLE);
    return v;
}

static void yaml_bad(const char *text, int line_base, int line, int col, const char *needle)
{
    arena mem;
    arena_init(&mem);
    value *v = NULL;
    content_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(content_yaml_parse(&mem, text, strlen(text), line_base, &v, &err), -1);
    if (err.line != line || err.col != col || !strstr(err.message, needle))
        fail_msg("got %d:%d %s, want %d:%d with \"%s\"", err.line, err.col, err.message, line, col,
                 needle);
    arena_free(&mem);
}

static const value *get(const value *t, const char *key, value_type type)
{
    const value *v = value_table_get(t, key);
    if (!v)
        fail_msg("no key %s", key);
    if (v->type != type)
        fail_msg("key %s is %s, want %s", key, value_type_name(v->type), value_type_name(type));
    return v;
}

static void test_yaml_scalars(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *t = yaml_ok(&mem,
                       "title: 关于 2026 年预算的公告\n"
                       "quoted: \"2026-01-05\"\n"
                       "single: 'true'\n"
                       "date: 2026-01-05\n"
                       "at: 2026-01-05 09:30\n"
                       "at_t: 2026-01-05T09:30:15\n"
                       "zoned: 2026-01-05T09:30:00+08:00\n"
                       "utc: 2026-01-05 09:30:00.25 Z\n"
                       "not_real: 2026-02-30\n"
                       "bad_time: 2026-01-05 25:00\n"
                       "short: 2026-1-5\n"
                       "yes: true\n"
                       "no: FALSE\n"
                       "norway: no\n"
                       "n: 42\n"
                       "neg: -7\n"
                       "big: 99999999999999999999\n"
                       "x: 3.5\n"
                       "e: 1e3\n"
                       "empty:\n"
                       "tilde: ~\n"
                       "forced: !!str 5\n"
                       "period: 2026-09\n",
                       2);
    assert_string_equal(get(t, "title", VALUE_STRING)->u.str.ptr, "关于 2026 年预算的公告");
    assert_string_equal(get(t, "quoted", VALUE_STRING)->u.str.ptr, "2026-01-05");
    assert_string_equal(get(t, "single", VALUE_STRING)->u.str.ptr, "true");
    const value *d = get(t, "date", VALUE_DATE_LOCAL);
    assert_int_equal(d->u.dt.year, 2026);
    assert_int_equal(d->u.dt.month, 1);
    assert_int_equal(d->u.dt.day, 5);
    d = get(t, "at", VALUE_DATETIME_LOCAL);
    assert_int_equal(d->u.dt.hour, 9);
    assert_int_equal(d->u.dt.minute, 30);
    assert_int_equal(d->u.dt.second, 0);
    d = get(t, "at_t", VALUE_DATETIME_LOCAL);
    assert_int_equal(d->u.dt.second, 15);
    d = get(t, "zoned", VALUE_DATETIME);
    assert_int_equal(d->u.dt.offset_minutes, 480);
    d = get(t, "utc", VALUE_DATETIME);
    assert_int_equal(d->u.dt.offset_minutes, 0);
    assert_int_equal(d->u.dt.nanosecond, 250000000);
    assert_int_equal(d->u.dt.frac_digits, 2);
    assert_string_equal(get(t, "not_real", VALUE_STRING)->u.str.ptr, "2026-02-30");
    assert_string_equal(get(t, "bad_time", VALUE_STRING)->u.str.ptr, "2026-01-05 25:00");
    assert_string_equal(get(t, "short", VALUE_STRING)->u.str.ptr, "2026-1-5");
    assert_true(get(t, "yes", VALUE_BOOL)->u.boolean);
    assert_false(get(t, "no", VALUE_BOOL)->u.boolean);
    assert_string_equal(get(t, "norway", VALUE_STRING)->u.str.ptr, "no");
    assert_int_equal(get(t, "n", VALUE_INTEGER)->u.integer, 42);
    assert_int_equal(get(t, "neg", VALUE_INTEGER)->u.integer, -7);
    assert_string_equal(get(t, "big", VALUE_STRING)->u.str.ptr, "99999999999999999999");
    assert_true(get(t, "x", VALUE_FLOAT)->u.real == 3.5);
    assert_true(get(t, "e", VALUE_FLOAT)->u.real == 1000.0);
    assert_string_equal(get(t, "empty", VALUE_STRING)->u.str.ptr, "");
    assert_string_equal(get(t, "tilde", VALUE_STRING)->u.str.ptr, "");
    assert_string_equal(get(t, "forced", VALUE_STRING)->u.str.ptr, "5");
    assert_string_equal(get(t, "period", VALUE_STRING)->u.str.ptr, "2026-09");
    arena_free(&mem);
}

static void test_yaml_structure_and_positions(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *t = yaml_ok(&mem,
                       "# 注释\n"
                       "标题: 值\n"
                       "keywords: [预算, \"决算\"]\n"
                       "boards:\n"
                       "  - baima-board\n"
                       "  - 'x'\n"
                       "extra:\n"
                       "  a: 1\n"
                       "  b: {c: [1, 2]}\n"
                       "body: |\n"
                       "  第一行\n"
                       "  第二行\n",
                       2);
    assert_int_equal(t->u.table.len, 5);
    const value_entry *e = value_table_find(t, "标题", strlen("标题"));
    assert_non_null(e);
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 1);
    assert_int_equal(e->val->line, 3);
    assert_int_equal(e->val->col, 5); /* columns count characters, not bytes */
    assert_string_equal(t->u.table.entries[0].key, "标题");
    assert_string_equal(t->u.table.entries[4].key, "body");

    const value *k = get(t, "keywords", VALUE_ARRAY);
    assert_int_equal(k->u.array.len, 2);
    assert_string_equal(k->u.array.items[1]->u.str.ptr, "决算");
    assert_int_equal(k->u.array.items[1]->line, 4);
    assert_int_equal(k->u.array.items[1]->col, 16);

    const value *b = get(t, "boards", VALUE_ARRAY);
    assert_int_equal(b->u.array.len, 2);
    assert_int_equal(b->u.array.items[0]->line, 6);
    assert_int_equal(b->u.array.items[0]->col, 5);

    const value *x = get(t, "extra", VALUE_TABLE);
    const value *bb = get(x, "b", VALUE_TABLE);
    const value *c = get(bb, "c", VALUE_ARRAY);
    assert_int_equal(c->u.array.items[1]->u.integer, 2);
    assert_string_equal(get(t, "body", VALUE_STRING)->u.str.ptr, "第一行\n第二行\n");
    arena_free(&mem);
}

static void test_yaml_empty(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    assert_int_equal(yaml_ok(&mem, "", 2)->u.table.len, 0);
    assert_int_equal(yaml_ok(&mem, "# 只有注释\n", 2)->u.table.len, 0);
    arena_free(&mem);
}

static void test_yaml_refusals(void **state)
{
    (void)state;
    yaml_bad("只是一句话\n", 2, 2, 1, "顶层必须是");
    yaml_bad("- a\n- b\n", 2, 2, 1, "顶层必须是");
    yaml_bad("a: &x 1\nb: *x\n", 2, 2, 4, "锚点");
    yaml_bad("a: 1\nb: *x\n", 2, 3, 4, "别名");
    yaml_bad("title: 一\ndate: 2026-01-05\ntitle: 二\n", 5, 7, 1, "第 5 行");
    yaml_bad("? [a, b]\n: 1\n", 2, 2, 3, "键必须是");
    yaml_bad("a: 1\n---\nb: 2\n", 2, 3, 1, "只能有一个");
}

static void test_yaml_syntax_errors(void **state)
{
    (void)state;
    yaml_bad("title: a\nlist: [1, 2\n", 10, 12, 1, "“]”");
    yaml_bad("title: a: b\n", 2, 2, 9, "冒号");
    yaml_bad("a:\n\t- b\n", 2, 3, 1, "Tab");
    yaml_bad("title: \"未闭合\n", 2, 3, 1, "意外结束");
    yaml_bad("a: 1\nb: \x01\n", 2, 3, 4, "控制字符");
}

static void test_yaml_depth(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    buf_puts(&b, "a: ");
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, '[');
    yaml_bad(buf_cstr(&b), 2, 2, 4 + 63, "嵌套超过");

    buf_reset(&b);
    for (int i = 0; i < 100; i++) {
        for (int k = 0; k < i; k++)
            buf_puts(&b, " ");
        buf_puts(&b, "k:\n");
    }
    /* The 64th mapping is the value of the key on line 64. */
    yaml_bad(buf_cstr(&b), 1, 65, 65, "嵌套超过");
    buf_free(&b);
}

/* ---- the parser a delimiter names --------------------------------------- */

static void test_parse_dispatch(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    content_error err;
    value *v;
    assert_int_equal(split(&mem, "+++\r\ntitle = \"标题\"\r\ndate = 2026-01-05\r\n+++\r\n", &fm),
                     0);
    assert_int_equal(content_frontmatter_parse(&mem, &fm, &v, &err), 0);
    const value_entry *e = value_table_find(v, "date", 4);
    assert_int_equal(e->line, 3);
    assert_int_equal(e->val->type, VALUE_DATE_LOCAL);

    assert_int_equal(split(&mem, "+++\ntitle = \"a\"\ndate = 2026-02-30\n+++\n", &fm), 0);
    assert_int_equal(content_frontmatter_parse(&mem, &fm, &v, &err), -1);
    assert_int_equal(err.line, 3);
    assert_true(err.message[0] != '\0');

    assert_int_equal(split(&mem, "\xef\xbb\xbf---\r\ntitle: 标题\r\ntags: [a,\r\n---\r\n", &fm), 0);
    assert_int_equal(content_frontmatter_parse(&mem, &fm, &v, &err), -1);
    assert_int_equal(err.line, 4);
    arena_free(&mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_toml),
        cmocka_unit_test(test_split_yaml),
        cmocka_unit_test(test_split_bom_crlf_blanks),
        cmocka_unit_test(test_split_empty_and_eof),
        cmocka_unit_test(test_split_problems),
        cmocka_unit_test(test_yaml_scalars),
        cmocka_unit_test(test_yaml_structure_and_positions),
        cmocka_unit_test(test_yaml_empty),
        cmocka_unit_test(test_yaml_refusals),
        cmocka_unit_test(test_yaml_syntax_errors),
        cmocka_unit_test(test_yaml_depth),
        cmocka_unit_test(test_parse_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
