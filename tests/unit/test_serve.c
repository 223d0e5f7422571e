/* The preview server's pure parts: request paths, content types, where the
 * reload script goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/serve/serve.h"

#include <string.h>

static void assert_path(const char *target, const char *want)
{
    buf out = BUF_INIT;
    assert_int_equal(serve_path_normalise(target, &out), SERVE_PATH_OK);
    assert_string_equal(buf_cstr(&out), want);
    buf_free(&out);
}

static void assert_refused(const char *target)
{
    buf out = BUF_INIT;
    if (serve_path_normalise(target, &out) != SERVE_PATH_BAD)
        fail_msg("%s was not refused (gave %s)", target, buf_cstr(&out));
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_paths_normalised(void **state)
{
    (void)state;
    assert_path("/", "");
    assert_path("/czj/", "czj/");
    assert_path("/czj", "czj");
    assert_path("/css/site.css", "css/site.css");
    assert_path("/a/./b//c/", "a/b/c/");
    assert_path("/.", "");
    assert_path("/%E9%A2%84%E7%AE%97/", "预算/");
    assert_path("/a%20b.txt", "a b.txt");
    assert_path("/..a/b..", "..a/b..");
}

static void test_paths_refused(void **state)
{
    (void)state;
    assert_refused("/../etc/passwd");
    assert_refused("/czj/../../etc/passwd");
    assert_refused("/..");
    assert_refused("/%2e%2e/etc/passwd");
    assert_refused("/%2E%2E/%2e%2e/etc/passwd");
    assert_refused("/.%2e/x");
    assert_refused("/a/%2e%2e");
    assert_refused("//etc/passwd");          /* network-path reference */
    assert_refused("http://evil.example/x"); /* absolute-form */
    assert_refused("etc/passwd");            /* not a path at all */
    assert_refused("*");
    assert_refused("/%2fetc/passwd"); /* encoded slash */
    assert_refused("/a%5c..%5cb");    /* encoded backslash */
    assert_refused("/a\\..\\b");
    assert_refused("/index.html%00.png"); /* NUL */
    assert_refused("/a%0ab");             /* control byte */
    assert_refused("/a%zz");              /* bad escapes */
    assert_refused("/a%4");
    assert_refused("/a%");
}

static void test_mime_types(void **state)
{
    (void)state;
    assert_string_equal(serve_mime_type("czj/index.html"), "text/html; charset=utf-8");
    assert_string_equal(serve_mime_type("css/site.css"), "text/css; charset=utf-8");
    assert_string_equal(serve_mime_type("js/search.js"), "text/javascript; charset=utf-8");
    assert_string_equal(serve_mime_type("search/index.json"), "application/json; charset=utf-8");
    assert_string_equal(serve_mime_type("feed.xml"), "application/xml; charset=utf-8");
    assert_string_equal(serve_mime_type("a/B.PDF"), "application/pdf");
    assert_string_equal(serve_mime_type("qr.svg"), "image/svg+xml");
    assert_string_equal(serve_mime_type("search/s/3.bin"), "application/octet-stream");
    assert_string_equal(serve_mime_type("v1.2/README"), "application/octet-stream");
}

static void test_inject_offset(void **state)
{
    (void)state;
    const char *page = "<html><body><p>x</p></body></html>";
    assert_int_equal(serve_inject_offset(page, strlen(page)), strlen("<html><body><p>x</p>"));
    /* The last </BODY>, in any case: an earlier one may sit in a comment. */
    const char *two = "<!-- </body> --><body></BODY>";
    assert_int_equal(serve_inject_offset(two, strlen(two)), strlen("<!-- </body> --><body>"));
    assert_int_equal(serve_inject_offset("<p>", 3), 3);
    assert_int_equal(serve_inject_offset("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_normalised),
        cmocka_unit_test(test_paths_refused),
        cmocka_unit_test(test_mime_types),
        cmocka_unit_test(test_inject_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
