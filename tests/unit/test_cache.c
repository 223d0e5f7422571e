/* The build cache file: what is saved reads back, item and listing
 * records; a damaged file, one of another version or of another site key is
 * never trusted. The pool: every
 * worker runs once with its own number. FNV-1a against its published
 * test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/cache.h"
#include "../../generator/util/hash.h"
#include "../../generator/util/pool.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char file[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gk-cache-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(file, sizeof file, "%s/.gongkai/items.cache", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(file);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/.gongkai", dir);
    rmdir(sub);
    rmdir(dir);
    return 0;
}

static void save_two(uint64_t site_key)
{
    cache_page pages_a[] = {{"/czj/2025/a/", 1234}, {"/czj/2025/a/print/", 99}};
    cache_item items[] = {
        {"content/zfb/b.md", 0xfeedfacecafebeefULL, NULL, -1, NULL, 0},
        {NULL, 0, NULL, 0, NULL, 0}, /* an item not rendered: no record */
        {"content/czj/a.md", 42, "v3", 1, pages_a, 2},
    };
    /* Listing pages, in the order a build renders them. */
    cache_listing listings[] = {
        {"/xxgk/ml/gkzn/page/2/", 0x0123456789abcdefULL, 5678},
        {"/feed.xml", 1, 0},
        {"/xzsp/", 0xffffffffffffffffULL, 31},
    };
    buf err = BUF_INIT;
    assert_int_equal(build_cache_save(file, site_key, items, 3, listings, 3, &err), 0);
    buf_free(&err);
}

static void test_round_trip(void **state)
{
    (void)state;
    save_two(7);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(d.len, 0);
    assert_int_equal(c.len, 2);
    const cache_item *a = build_cache_find(&c, "content/czj/a.md");
    assert_non_null(a);
    assert_true(a->key == 42);
    assert_string_equal(a->version, "v3");
    assert_int_equal(a->working, 1);
    assert_int_equal(a->page_count, 2);
    assert_string_equal(a->pages[1].path, "/czj/2025/a/print/");
    assert_int_equal(a->pages[0].size, 1234);
    const cache_item *b = build_cache_find(&c, "content/zfb/b.md");
    assert_non_null(b);
    assert_true(b->key == 0xfeedfacecafebeefULL);
    assert_null(b->version);
    assert_int_equal(b->working, -1);
    assert_null(build_cache_find(&c, "content/czj/c.md"));

    assert_int_equal(c.listing_len, 3);
    const cache_listing *l = build_cache_listing_find(&c, "/xxgk/ml/gkzn/page/2/");
    assert_non_null(l);
    assert_true(l->key == 0x0123456789abcdefULL);
    assert_int_equal(l->size, 5678);
    l = build_cache_listing_find(&c, "/xzsp/");
    assert_non_null(l);
    assert_true(l->key == 0xffffffffffffffffULL);
    assert_int_equal(l->size, 31);
    l = build_cache_listing_find(&c, "/feed.xml");
    assert_non_null(l);
    assert_true(l->key == 1);
    assert_int_equal(l->size, 0);
    assert_null(build_cache_listing_find(&c, "/xxgk/ml/gkzn/"));
    assert_null(build_cache_listing_find(&c, "/zzz/"));
    build_cache_free(&c);
    diag_list_free(&d);
}

/* Two pages written at one path: neither record is kept, and the file
 * still reads. */
static void test_listing_written_twice(void **state)
{
    (void)state;
    cache_listing listings[] = {
        {"/b/", 1, 10}, {"/a/", 2, 20}, {"/b/", 3, 30}, {"/c/", 4, 40}, {"/b/", 5, 50}};
    buf err = BUF_INIT;
    assert_int_equal(build_cache_save(file, 7, NULL, 0, listings, 5, &err), 0);
    buf_free(&err);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(d.len, 0);
    assert_int_equal(c.listing_len, 2);
    assert_null(build_cache_listing_find(&c, "/b/"));
    assert_int_equal(build_cache_listing_find(&c, "/a/")->size, 20);
    assert_int_equal(build_cache_listing_find(&c, "/c/")->size, 40);
    build_cache_free(&c);
    diag_list_free(&d);
}

/* No items and no listings: still a cache that reads. */
static void test_empty_round_trip(void **state)
{
    (void)state;
    buf err = BUF_INIT;
    assert_int_equal(build_cache_save(file, 7, NULL, 0, NULL, 0, &err), 0);
    buf_free(&err);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(d.len, 0);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.listing_len, 0);
    assert_null(build_cache_listing_find(&c, "/"));
    build_cache_free(&c);
    diag_list_free(&d);
}

static void test_other_site_key(void **state)
{
    (void)state;
    save_two(7);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 8, &d);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.listing_len, 0);
    assert_int_equal(d.len, 0); /* a template changed: no warning needed */
    build_cache_free(&c);
    diag_list_free(&d);
}

static void load_expect_warning(const char *data, size_t len)
{
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.listing_len, 0);
    assert_null(build_cache_listing_find(&c, "/feed.xml"));
    assert_int_equal(diag_list_count(&d, DIAG_WARNING), 1);
    assert_string_equal(d.items[0].code, "GK403");
    build_cache_free(&c);
    diag_list_free(&d);
}

static void test_damaged(void **state)
{
    (void)state;
    save_two(7);
    buf text = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    /* Every cut short of the whole file is refused, never half trusted. */
    for (size_t cut = 1; cut < text.len; cut += 7)
        load_expect_warning(text.ptr, cut);
    buf copy = BUF_INIT;
    buf_put(&copy, text.ptr, text.len);
    char *size = NULL;
    for (size_t i = 0; i + 4 <= copy.len && !size; i++)
        if (memcmp(copy.ptr + i, "1234", 4) == 0)
            size = copy.ptr + i;
    assert_non_null(size);
    memcpy(size, "12x4", 4);
    load_expect_warning(copy.ptr, copy.len);
    buf_reset(&copy);
    buf_put(&copy, text.ptr, text.len);
    memcpy(copy.ptr + 9, "9", 1); /* the version: 9.1.0 */
    load_expect_warning(copy.ptr, copy.len);
    buf_free(&text);
    buf_free(&copy);
}

/* Where the bytes from[0..n) first are in `text`. */
static size_t offset_of(const buf *text, const char *from, size_t n)
{
    for (size_t i = 0; i + n <= text->len; i++)
        if (memcmp(text->ptr + i, from, n) == 0)
            return i;
    fail_msg("%s not in the cache file", from);
    return 0;
}

/* The copy of `text` with the first `from` replaced by `to` (as long). */
static void patched(buf *copy, const buf *text, const char *from, const char *to)
{
    assert_int_equal(strlen(to), strlen(from));
    buf_reset(copy);
    buf_put(copy, text->ptr, text->len);
    memcpy(copy->ptr + offset_of(text, from, strlen(from)), to, strlen(to));
}

static void test_listings_damaged(void **state)
{
    (void)state;
    save_two(7);
    buf text = BUF_INIT, copy = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    /* The section cut off after the item records, as an older file ends. */
    size_t head = offset_of(&text, "LISTINGS", 9);
    load_expect_warning(text.ptr, head);
    patched(&copy, &text, "LISTINGS", "LISTINGZ");
    load_expect_warning(copy.ptr, copy.len);
    assert_int_equal(text.ptr[head + 9], '3'); /* the number of records */
    patched(&copy, &text, "LISTINGS", "LISTINGS");
    copy.ptr[head + 9] = '2'; /* a record left over */
    load_expect_warning(copy.ptr, copy.len);
    copy.ptr[head + 9] = '9'; /* records missing */
    load_expect_warning(copy.ptr, copy.len);
    patched(&copy, &text, "5678", "5x78"); /* a size */
    load_expect_warning(copy.ptr, copy.len);
    patched(&copy, &text, "0123456789abcdef", "0123456789abcdeg"); /* a key */
    load_expect_warning(copy.ptr, copy.len);
    patched(&copy, &text, "/xzsp/", "xzsp//"); /* not a site path */
    load_expect_warning(copy.ptr, copy.len);
    patched(&copy, &text, "/xxgk/ml/", "/aaaa/ml/"); /* out of order */
    load_expect_warning(copy.ptr, copy.len);
    /* Anything after the section. */
    buf_reset(&copy);
    buf_put(&copy, text.ptr, text.len);
    buf_put(&copy, "x", 2);
    load_expect_warning(copy.ptr, copy.len);
    buf_free(&text);
    buf_free(&copy);
}

static void test_missing_is_empty(void **state)
{
    (void)state;
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, "/nonexistent/gk/items.cache", 1, &d);
    assert_int_equal(c.len, 0);
    assert_int_equal(d.len, 0);
    build_cache_free(&c);
    diag_list_free(&d);
}

static void test_hash64(void **state)
{
    (void)state;
    /* FNV-1a 64 test vectors (Fowler/Noll/Vo). */
    assert_true(hash64(HASH64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(hash64(HASH64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(hash64(HASH64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    assert_true(hash64_str(hash64_str(HASH64_INIT, "ab"), "c") !=
                hash64_str(hash64_str(HASH64_INIT, "a"), "bc"));
    assert_true(hash64_str(HASH64_INIT, NULL) != hash64_str(HASH64_INIT, ""));
}

typedef struct pool_seen {
    _Atomic unsigned mask;
    _Atomic int calls;
} pool_seen;

static void pool_note(void *ctx, size_t worker)
{
    pool_seen *s = ctx;
    atomic_fetch_or(&s->mask, 1u << worker);
    atomic_fetch_add(&s->calls, 1);
}

static void test_pool(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 5; n++) {
        pool_seen s = {0, 0};
        assert_int_equal(pool_run(n, pool_note, &s), n);
        assert_int_equal(s.calls, (int)n);
        assert_int_equal(s.mask, (1u << n) - 1);
    }
    pool_seen s = {0, 0};
    assert_int_equal(pool_run(0, pool_note, &s), 1); /* the caller at least */
    assert_int_equal(s.mask, 1);
    assert_true(pool_default_workers() >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_site_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listing_written_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listings_damaged, setup, teardown),
        cmocka_unit_test(test_missing_is_empty),
        cmocka_unit_test(test_hash64),
        cmocka_unit_test(test_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
