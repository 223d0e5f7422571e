/* The paragraph diff of the version pages: Markdown cut into blocks (fenced
 * code kept whole, CRLF, stray blanks), lines, and the longest common
 * subsequence with removals before additions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static arena mem;

static int mem_setup(void **state)
{
    (void)state;
    arena_init(&mem);
    return 0;
}

static int mem_teardown(void **state)
{
    (void)state;
    arena_free(&mem);
    return 0;
}

static void assert_piece(const diff_piece *p, const char *want)
{
    assert_int_equal(p->len, strlen(want));
    assert_memory_equal(p->s, want, p->len);
}

static void test_blocks(void **state)
{
    (void)state;
    const char *text = "\n\n# 标题\n\n第一段，\n仍是第一段。  \n\n\n- 一\n- 二\n\n```\n代码\n\n"
                       "仍是代码\n```\n最后一段\n \t\n";
    diff_piece *b;
    size_t n = diff_blocks_split(&mem, text, strlen(text), &b);
    assert_int_equal(n, 4);
    assert_piece(&b[0], "# 标题");
    assert_piece(&b[1], "第一段，\n仍是第一段。");
    assert_piece(&b[2], "- 一\n- 二");
    assert_piece(&b[3], "```\n代码\n\n仍是代码\n```\n最后一段");

    /* CRLF, a tilde fence that a backtick line does not close, no final
     * line end, nothing at all. */
    text = "甲\r\n\r\n~~~~ lua\r\nx\r\n\r\n```\r\n~~~~\r\n\r\n乙";
    n = diff_blocks_split(&mem, text, strlen(text), &b);
    assert_int_equal(n, 3);
    assert_piece(&b[0], "甲");
    assert_piece(&b[1], "~~~~ lua\r\nx\r\n\r\n```\r\n~~~~");
    assert_piece(&b[2], "乙");
    assert_int_equal(diff_blocks_split(&mem, "", 0, &b), 0);
    assert_int_equal(diff_blocks_split(&mem, "\n \n", 3, &b), 0);

    /* An unclosed fence runs to the end. */
    text = "```\na\n\nb\n";
    n = diff_blocks_split(&mem, text, strlen(text), &b);
    assert_int_equal(n, 1);
    assert_piece(&b[0], "```\na\n\nb");
}

static void test_lines(void **state)
{
    (void)state;
    diff_piece *l;
    size_t n = diff_lines_split(&mem, "a\r\nb\n\nc", 7, &l);
    assert_int_equal(n, 4);
    assert_piece(&l[0], "a");
    assert_piece(&l[1], "b");
    assert_piece(&l[2], "");
    assert_piece(&l[3], "c");
}

/* The script as a string: " x" kept, "-x" removed, "+x" added. */
static const char *script(const char *old, const char *cur)
{
    diff_piece *a, *b;
    size_t na = diff_lines_split(&mem, old, strlen(old), &a);
    size_t nb = diff_lines_split(&mem, cur, strlen(cur), &b);
    diff_op *ops;
    size_t n = diff_compare(&mem, a, na, b, nb, &ops);
    char *out = arena_alloc(&mem, 3 * (na + nb) + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        const diff_piece *p = ops[i].kind == DIFF_ADDED ? &b[ops[i].index] : &a[ops[i].index];
        *o++ = ops[i].kind == DIFF_SAME ? ' ' : ops[i].kind == DIFF_REMOVED ? '-' : '+';
        memcpy(o, p->s, p->len);
        o += p->len;
    }
    *o = '\0';
    return out;
}

static void test_compare(void **state)
{
    (void)state;
    assert_string_equal(script("a\nb\nc", "a\nb\nc"), " a b c");
    assert_string_equal(script("a\nb\nc", "a\nx\nb\nc"), " a+x b c");
    assert_string_equal(script("a\nb\nc", "a\nc"), " a-b c");
    assert_string_equal(script("a\nb\nc", "a\ny\nc"), " a-b+y c");
    assert_string_equal(script("", "a\nb"), "+a+b");
    assert_string_equal(script("a\nb", ""), "-a-b");
    assert_string_equal(script("", ""), "");
    /* Moved blocks: the longest common run is kept. */
    assert_string_equal(script("a\nb\nc\nd", "c\nd\na\nb"), "-a-b c d+a+b");
    assert_string_equal(script("x\na\ny\nb\nz", "a\nq\nb"), "-x a-y+q b-z");
}

/* Past DIFF_MAX_CELLS the middle is replaced wholesale, quickly. */
static void test_compare_large(void **state)
{
    (void)state;
    size_t n = 3000;
    diff_piece *a = arena_alloc(&mem, n * sizeof *a), *b = arena_alloc(&mem, n * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        char *s = arena_printf(&mem, "a%zu", i);
        a[i] = (diff_piece){s, strlen(s)};
        s = arena_printf(&mem, "%s%zu", i == 0 || i == n - 1 ? "a" : "b", i);
        b[i] = (diff_piece){s, strlen(s)};
    }
    diff_op *ops;
    size_t k = diff_compare(&mem, a, n, b, n, &ops);
    assert_int_equal(k, 2 + 2 * (n - 2));
    assert_int_equal(ops[0].kind, DIFF_SAME);
    assert_int_equal(ops[1].kind, DIFF_REMOVED);
    assert_int_equal(ops[n - 1].kind, DIFF_ADDED);
    assert_int_equal(ops[k - 1].kind, DIFF_SAME);
    assert_int_equal(ops[k - 1].index, n - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blocks, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(test_lines, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(test_compare, mem_setup, mem_teardown),
        cmocka_unit_test_setup_teardown(test_compare_large, mem_setup, mem_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
