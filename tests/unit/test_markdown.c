/* Markdown to HTML: the GitHub extensions and the raw-HTML policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/markdown.h"

#include <stdlib.h>
#include <string.h>

static char *render(const char *md, bool allow_html)
{
    cmark_node *doc = markdown_parse(md, strlen(md));
    assert_non_null(doc);
    buf out = BUF_INIT;
    markdown_render_html(doc, allow_html, &out);
    cmark_node_free(doc);
    return out.ptr;
}

static void assert_contains(const char *html, const char *fragment)
{
    if (!strstr(html, fragment))
        fail_msg("\"%s\" not in:\n%s", fragment, html);
}

static void test_table_with_alignment(void **state)
{
    (void)state;
    char *html =
        render("| 项目 | 金额（万元） |\n| --- | ---: |\n| 基本支出 | 1,234.50 |\n", false);
    assert_contains(html, "<table>");
    assert_contains(html, "<th>项目</th>");
    assert_contains(html, "<td style=\"text-align: right\">1,234.50</td>");
    free(html);
}

static void test_strikethrough_and_autolink(void **state)
{
    (void)state;
    char *html = render("~~废止~~ 见 https://www.shili.gov.cn/zfb/", false);
    assert_contains(html, "<del>废止</del>");
    assert_contains(html, "<a href=\"https://www.shili.gov.cn/zfb/\">");
    free(html);
}

static void test_raw_html_dropped_by_default(void **state)
{
    (void)state;
    char *html = render("正文<span style=\"color:red\">红字</span>\n\n<div>块</div>\n", false);
    assert_null(strstr(html, "<span"));
    assert_null(strstr(html, "<div>"));
    assert_contains(html, "红字");
    free(html);
    html = render("[点我](javascript:alert(1))", false);
    assert_null(strstr(html, "javascript:"));
    free(html);
}

static void test_raw_html_opt_in_still_filters_script(void **state)
{
    (void)state;
    char *html = render("<div class=\"note\">块</div>\n\n<script>alert(1)</script>\n", true);
    assert_contains(html, "<div class=\"note\">");
    assert_null(strstr(html, "<script>"));
    assert_contains(html, "&lt;script>");
    free(html);
}

static void test_headings_lists(void **state)
{
    (void)state;
    char *html = render("## 一、办理程序\n\n1. 申请\n2. 受理\n\n- 材料\n", false);
    assert_contains(html, "<h2>一、办理程序</h2>");
    assert_contains(html, "<ol>\n<li>申请</li>");
    assert_contains(html, "<ul>\n<li>材料</li>");
    free(html);
}

int main(void)
{
    markdown_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_with_alignment),
        cmocka_unit_test(test_strikethrough_and_autolink),
        cmocka_unit_test(test_raw_html_dropped_by_default),
        cmocka_unit_test(test_raw_html_opt_in_still_filters_script),
        cmocka_unit_test(test_headings_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
