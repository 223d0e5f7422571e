/* The build cache file: what is saved reads back, item and listing
 * records; a damaged file, one of another version or of another site key is
 * never trusted. Search entries: one reads back as it was written, through
 * its bytes and through the entries file; bytes cut short or damaged, an
 * entries file truncated, damaged or deleted are never trusted; the file is
 * appended to while most of it is live and written anew when not, QR
 * codes' modules counting as live. The pool:
 * every worker runs once with its own number. FNV-1a against its published
 * test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/cache.h"
#include "../../generator/render/markdown.h"
#include "../../generator/render/search.h"
#include "../../generator/render/search_internal.h"
#include "../../generator/util/fields.h"
#include "../../generator/util/hash.h"
#include "../../generator/util/pool.h"
#include "search_site.h"

#include <lauxlib.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The loaded record of source `path`, or NULL. */
static const cache_item *record_of(const build_cache *c, const char *path)
{
    for (size_t i = 0; i < c->len; i++)
        if (strcmp(c->items[i].path, path) == 0)
            return &c->items[i];
    return NULL;
}

static char dir[64];
static char file[128];
static char entries[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gk-cache-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(file, sizeof file, "%s/.gongkai/items.cache", dir);
    snprintf(entries, sizeof entries, "%s/.gongkai/items.entries", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(file);
    unlink(entries);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/.gongkai", dir);
    rmdir(sub);
    rmdir(dir);
    return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* The dependency sets records name: the first set is everyone's unless a
 * record says otherwise. */
static const char *deps_item[] = {"item.html", "layouts/base.html", "print.html"};
/* A listing's inputs: the figures it read ("#...") and the item file it
 * links to ("@...") among its templates. */
static const char *deps_listing[] = {"#category:zcwj", "#site", "@content/zfb/a.md",
                                     "category.html", "layouts/base.html"};
static const cache_deps deps_two[] = {{deps_item, 3}, {deps_listing, 5}};

static int save_records(uint64_t site_key, const cache_item *items, size_t n,
                        const cache_listing *listings, size_t listing_n, buf *err)
{
    cache_records rec = {deps_two, 2, items, n, listings, listing_n};
    return build_cache_save(file, site_key, &rec, err);
}

/* The cache at `file` under site key `key`, read without a warning. */
static void load_clean(build_cache *c, diag_list *d, uint64_t key)
{
    diag_list_init(d);
    build_cache_load(c, file, key, d);
    assert_int_equal(d->len, 0);
}

/* Two records, one pointing into an entries file (of bytes that are no
 * entry: loading does not read entries). */
static void save_two(uint64_t site_key)
{
    cache_page pages_a[] = {{"/czj/2025/a/", 1234}, {"/czj/2025/a/print/", 99}};
    cache_item items[] = {
        {"content/zfb/b.md", 0xfeedfacecafebeefULL, NULL, -1, NULL, 0, {0, 0, 0}, 0, 0, {0, 0, 0}},
        {NULL, 0, NULL, 0, NULL, 0, {0, 0, 0}, 0, 0, {0, 0, 0}}, /* an item not rendered: no record
                                                                  */
        {"content/czj/a.md",
         42,
         "v3",
         1,
         pages_a,
         2,
         {8, 0xabcdef, 77},
         1,
         0x0123456789abcdefULL,
         {85, 0xfedcba9876543210ULL, 138}},
    };
    /* Listing pages, in the order a build renders them. */
    cache_listing listings[] = {
        {"/xxgk/ml/gkzn/page/2/", 0x0123456789abcdefULL, 5678, 0},
        {"/feed.xml", 1, 0, 0},
        {"/xzsp/", 0xffffffffffffffffULL, 31, 1},
    };
    buf err = BUF_INIT;
    assert_int_equal(save_records(site_key, items, 3, listings, 3, &err), 0);
    buf_free(&err);
    char some[100] = "GKENTRY1";
    write_file(entries, some, sizeof some);
}

static void test_round_trip(void **state)
{
    (void)state;
    save_two(7);
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
    assert_int_equal(c.len, 2);
    const cache_item *a = record_of(&c, "content/czj/a.md");
    assert_non_null(a);
    assert_true(a->key == 42);
    assert_string_equal(a->version, "v3");
    assert_int_equal(a->working, 1);
    assert_int_equal(a->page_count, 2);
    assert_string_equal(a->pages[1].path, "/czj/2025/a/print/");
    assert_int_equal(a->pages[0].size, 1234);
    assert_true(a->entry.off == 8 && a->entry.sum == 0xabcdef && a->entry.len == 77);
    assert_true(a->qr_key == 0x0123456789abcdefULL);
    assert_true(a->qr.off == 85 && a->qr.sum == 0xfedcba9876543210ULL && a->qr.len == 138);
    assert_int_equal(a->deps, 1);
    /* The dependency sets as saved. */
    assert_int_equal(c.deps_len, 2);
    assert_int_equal(c.deps[0].input_count, 3);
    assert_string_equal(c.deps[0].inputs[2], "print.html");
    assert_int_equal(c.deps[1].input_count, 5);
    assert_string_equal(c.deps[1].inputs[0], "#category:zcwj");
    assert_string_equal(c.deps[1].inputs[1], "#site");
    assert_string_equal(c.deps[1].inputs[2], "@content/zfb/a.md");
    assert_string_equal(c.deps[1].inputs[4], "layouts/base.html");
    const cache_item *b = record_of(&c, "content/zfb/b.md");
    assert_non_null(b);
    assert_true(b->key == 0xfeedfacecafebeefULL);
    assert_null(b->version);
    assert_int_equal(b->working, -1);
    assert_int_equal(b->entry.len, 0);
    assert_int_equal(b->qr.len, 0);
    assert_int_equal(b->deps, 0);
    assert_null(record_of(&c, "content/czj/c.md"));

    assert_int_equal(c.listing_len, 3);
    const cache_listing *l = build_cache_listing_find(&c, "/xxgk/ml/gkzn/page/2/");
    assert_non_null(l);
    assert_true(l->key == 0x0123456789abcdefULL);
    assert_int_equal(l->size, 5678);
    l = build_cache_listing_find(&c, "/xzsp/");
    assert_non_null(l);
    assert_true(l->key == 0xffffffffffffffffULL);
    assert_int_equal(l->size, 31);
    assert_int_equal(l->deps, 1);
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
    cache_listing listings[] = {{"/b/", 1, 10, 0},
                                {"/a/", 2, 20, 0},
                                {"/b/", 3, 30, 0},
                                {"/c/", 4, 40, 0},
                                {"/b/", 5, 50, 0}};
    buf err = BUF_INIT;
    assert_int_equal(save_records(7, NULL, 0, listings, 5, &err), 0);
    buf_free(&err);
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
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
    assert_int_equal(save_records(7, NULL, 0, NULL, 0, &err), 0);
    buf_free(&err);
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
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
    write_file(file, data, len);
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

/* The file ends in a seal (fields_seal) that any change breaks; the
 * records are checked all the same: the fields body[0..len) sealed anew must
 * be refused too. */
static void load_sealed_expect_warning(const char *body, size_t len)
{
    buf sealed = BUF_INIT;
    buf_put(&sealed, body, len);
    fields_seal(&sealed);
    load_expect_warning(sealed.ptr, sealed.len);
    buf_free(&sealed);
}

/* The length of the saved file's fields, before its seal. */
static size_t sealed_body(const buf *text)
{
    size_t body = 0;
    assert_true(fields_sealed(text->ptr, text->len, &body));
    return body;
}

static void test_damaged(void **state)
{
    (void)state;
    save_two(7);
    buf text = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    size_t body = sealed_body(&text);
    /* Every cut short of the whole file is refused, never half trusted,
     * sealed again or not. */
    for (size_t cut = 1; cut < text.len; cut += 7)
        load_expect_warning(text.ptr, cut);
    for (size_t cut = 1; cut < body; cut += 7)
        load_sealed_expect_warning(text.ptr, cut);
    buf copy = BUF_INIT;
    buf_put(&copy, text.ptr, text.len);
    char *size = NULL;
    for (size_t i = 0; i + 4 <= copy.len && !size; i++)
        if (memcmp(copy.ptr + i, "1234", 4) == 0)
            size = copy.ptr + i;
    assert_non_null(size);
    memcpy(size, "12x4", 4);
    load_expect_warning(copy.ptr, copy.len);
    load_sealed_expect_warning(copy.ptr, body);
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

/* Loading in two steps (the first on the prefetch thread, before the site
 * key is known) comes to what build_cache_load does: records of the same
 * key kept; damaged records of another key dropped without a word, as a
 * template change drops them; damage found before the key, or records of
 * this key damaged, warned about. */
static void test_read_then_open(void **state)
{
    (void)state;
    save_two(7);
    build_cache c;
    diag_list d;
    build_cache_read(&c, file);
    assert_true(c.keyed);
    assert_true(c.file_key == 7);
    assert_int_equal(c.len, 2);
    diag_list_init(&d);
    build_cache_open(&c, file, 7, &d);
    assert_int_equal(d.len, 0);
    assert_int_equal(c.len, 2);
    assert_non_null(record_of(&c, "content/czj/a.md"));
    assert_non_null(build_cache_listing_find(&c, "/feed.xml"));
    build_cache_free(&c);
    diag_list_free(&d);

    buf text = BUF_INIT, copy = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    size_t body = sealed_body(&text);
    buf_put(&copy, text.ptr, body);
    char *size = copy.ptr + offset_of(&copy, "1234", 4);
    memcpy(size, "12x4", 4);
    fields_seal(&copy);
    write_file(file, copy.ptr, copy.len);
    for (uint64_t key = 7; key <= 8; key++) {
        build_cache_read(&c, file);
        assert_int_equal(c.len, 0);
        diag_list_init(&d);
        build_cache_open(&c, file, key, &d);
        assert_int_equal(c.len, 0);
        assert_int_equal(d.len, key == 7 ? 1 : 0);
        build_cache_free(&c);
        diag_list_free(&d);
    }
    buf_reset(&copy);
    buf_put(&copy, text.ptr, text.len);
    memcpy(copy.ptr + 9, "9", 1); /* the version: 9.1.0 */
    write_file(file, copy.ptr, copy.len);
    build_cache_read(&c, file);
    diag_list_init(&d);
    build_cache_open(&c, file, 8, &d);
    assert_int_equal(d.len, 1);
    build_cache_free(&c);
    diag_list_free(&d);
    buf_free(&text);
    buf_free(&copy);
}

/* A dependency section that does not read, or a record naming a set there
 * is not, is never trusted. */
static void test_deps_damaged(void **state)
{
    (void)state;
    save_two(7);
    buf text = BUF_INIT, copy = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    size_t body = sealed_body(&text);
    patched(&copy, &text, "DEPS", "DEPZ");
    load_sealed_expect_warning(copy.ptr, body);
    size_t head = offset_of(&text, "DEPS", 5);
    assert_int_equal(text.ptr[head + 5], '2'); /* the number of sets */
    patched(&copy, &text, "DEPS", "DEPS");
    copy.ptr[head + 5] = '1'; /* the listing's set gone */
    load_sealed_expect_warning(copy.ptr, body);
    copy.ptr[head + 5] = '9';
    load_sealed_expect_warning(copy.ptr, body);
    /* A set that claims more inputs than it has takes the next set's. */
    assert_int_equal(text.ptr[head + 7], '3'); /* the first set's inputs */
    patched(&copy, &text, "DEPS", "DEPS");
    copy.ptr[head + 7] = '9';
    load_sealed_expect_warning(copy.ptr, body);
    buf_free(&text);
    buf_free(&copy);
}

static void test_listings_damaged(void **state)
{
    (void)state;
    save_two(7);
    buf text = BUF_INIT, copy = BUF_INIT;
    assert_int_equal(buf_read_file(&text, file), 0);
    size_t body = sealed_body(&text);
    /* The section cut off after the item records, as an older file ends. */
    size_t head = offset_of(&text, "LISTINGS", 9);
    load_sealed_expect_warning(text.ptr, head);
    patched(&copy, &text, "LISTINGS", "LISTINGZ");
    load_sealed_expect_warning(copy.ptr, body);
    assert_int_equal(text.ptr[head + 9], '3'); /* the number of records */
    patched(&copy, &text, "LISTINGS", "LISTINGS");
    copy.ptr[head + 9] = '2'; /* a record left over */
    load_sealed_expect_warning(copy.ptr, body);
    copy.ptr[head + 9] = '9'; /* records missing */
    load_sealed_expect_warning(copy.ptr, body);
    patched(&copy, &text, "5678", "5x78"); /* a size */
    load_sealed_expect_warning(copy.ptr, body);
    patched(&copy, &text, "0123456789abcdef", "0123456789abcdeg"); /* a key */
    load_sealed_expect_warning(copy.ptr, body);
    patched(&copy, &text, "/xzsp/", "xzsp//"); /* not a site path */
    load_sealed_expect_warning(copy.ptr, body);
    patched(&copy, &text, "/xxgk/ml/", "/aaaa/ml/"); /* out of order */
    load_sealed_expect_warning(copy.ptr, body);
    /* Anything after the section. */
    buf_reset(&copy);
    buf_put(&copy, text.ptr, body);
    buf_put(&copy, "x", 2);
    load_sealed_expect_warning(copy.ptr, copy.len);
    buf_free(&text);
    buf_free(&copy);
}

static void test_missing_is_empty(void **state)
{
    (void)state;
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 1, &d);
    assert_int_equal(c.len, 0);
    assert_int_equal(d.len, 0);
    build_cache_free(&c);
    diag_list_free(&d);
}

/* ---- search entries ------------------------------------------------------ */

/* The entry of a small item whose summary is `summary`. */
static search_entry *make_entry(const char *title, const char *summary)
{
    search_collector *c = search_collector_new(&test_cfg, &test_cat);
    lua_State *L = luaL_newstate();
    lua_newtable(L);
    const char *fields[][2] = {{"title", title},
                               {"url", "/czj/2025/a/"},
                               {"date", "2025-03-01"},
                               {"doc_number", "某财〔2025〕3号"},
                               {"index_no", "czj-2025-03"},
                               {"summary", summary}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        lua_pushstring(L, fields[i][1]);
        lua_setfield(L, -2, fields[i][0]);
    }
    lua_newtable(L);
    lua_pushstring(L, "ysjs");
    lua_setfield(L, -2, "key");
    lua_setfield(L, -2, "category");
    lua_newtable(L);
    lua_pushstring(L, "czj");
    lua_setfield(L, -2, "id");
    lua_pushstring(L, "财政局");
    lua_setfield(L, -2, "name");
    lua_setfield(L, -2, "dept");
    const char *text =
        "# 预算\n\n**２０２５年**预算公开，含三公经费。\n\n| 项目 | 金额 |\n|---|---|\n| "
        "公务接待 | 12 |\n";
    cmark_node *body = markdown_parse(text, strlen(text));
    search_entry *e = search_collect(c, L, -1, body);
    cmark_node_free(body);
    lua_close(L);
    search_collector_free(c);
    return e;
}

static void assert_same_entry(const search_entry *a, const search_entry *b)
{
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++)
        assert_string_equal(a->doc.string[k], b->doc.string[k]);
    assert_int_equal(a->doc.dept, b->doc.dept);
    assert_int_equal(a->doc.category, b->doc.category);
    assert_int_equal(a->strings_len, b->strings_len);
    assert_int_equal(a->token_count, b->token_count);
    for (size_t i = 0; i < a->token_count; i++) {
        const search_entry_token *x = &a->tokens[i], *y = &b->tokens[i];
        assert_int_equal(x->len, y->len);
        assert_memory_equal(a->text + x->off, b->text + y->off, x->len);
        assert_int_equal(x->hash, y->hash);
        assert_true(x->head == y->head);
        assert_int_equal(x->mask, y->mask);
    }
}

/* e's bytes read back as e; cut short, one byte longer or with any byte
 * changed they give no entry or one within its bytes (ASan). Returns e's
 * bytes in *bytes. */
static void assert_entry_bytes(const search_entry *e, buf *bytes)
{
    search_entry_write(e, bytes);
    search_entry *back = search_entry_read(bytes->ptr, bytes->len);
    assert_non_null(back);
    assert_same_entry(e, back);
    search_entry_free(back);
    for (size_t cut = 0; cut < bytes->len; cut++)
        assert_null(search_entry_read(bytes->ptr, cut));
    buf longer = BUF_INIT;
    buf_put(&longer, bytes->ptr, bytes->len);
    buf_putc(&longer, 'x');
    assert_null(search_entry_read(longer.ptr, longer.len));
    for (size_t i = 0; i < bytes->len; i++)
        for (int v = 0; v < 3; v++) {
            buf_reset(&longer);
            buf_put(&longer, bytes->ptr, bytes->len);
            longer.ptr[i] = (char)(v == 0 ? 0 : v == 1 ? 0xff : longer.ptr[i] ^ 0x40);
            search_entry_free(search_entry_read(longer.ptr, longer.len));
        }
    buf_free(&longer);
}

static void test_entry_bytes(void **state)
{
    (void)state;
    search_entry *e = make_entry("二〇二五年预算公开", "预算公开，含三公经费。");
    assert_true(e->token_count > 20);
    assert_int_equal(e->doc.dept, 1);
    assert_int_equal(e->doc.category, 1);
    buf bytes = BUF_INIT;
    assert_entry_bytes(e, &bytes);
    search_entry *back = search_entry_read(bytes.ptr, bytes.len);
    assert_string_equal(search_entry_summary(back), "预算公开，含三公经费。");
    search_entry_free(back);

    /* A token count beyond what the bytes could hold, a mask of no field. */
    buf copy = BUF_INIT;
    buf_put(&copy, "\xff\xff\xff\x7f", 4);
    buf_put(&copy, bytes.ptr + 1, bytes.len - 1);
    assert_null(search_entry_read(copy.ptr, copy.len));
    buf_reset(&copy);
    buf_put(&copy,
            "\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00"
            "a",
            12);
    assert_null(search_entry_read(copy.ptr, copy.len));
    copy.ptr[10] = 1;
    search_entry *one = search_entry_read(copy.ptr, copy.len);
    assert_non_null(one);
    assert_int_equal(one->token_count, 1);
    assert_int_equal(one->doc.dept, -1);
    search_entry_free(one);

    buf_free(&copy);
    buf_free(&bytes);
    search_entry_free(e);
}

/* Words of every length up to the longest (32 code points, 128 bytes in
 * 4-byte letters: a length of two varint bytes) read back with the hash
 * and head their collector gave them, however they sit in the bytes. */
static void test_entry_bytes_words(void **state)
{
    (void)state;
    buf title = BUF_INIT;
    for (int n = 1; n <= 33; n++) {
        for (int k = 0; k < n; k++)
            buf_putc(&title, (char)('a' + (n + k) % 26));
        buf_putc(&title, ' ');
    }
    for (int k = 0; k < 32; k++)
        buf_puts(&title, "\xf0\x90\x8c\x80"); /* 𐌀, an Old Italic letter */
    search_entry *e = make_entry(title.ptr, "");
    size_t longest = 0;
    for (size_t i = 0; i < e->token_count; i++)
        if (e->tokens[i].len > longest)
            longest = e->tokens[i].len;
    assert_int_equal(longest, 128);
    buf bytes = BUF_INIT;
    assert_entry_bytes(e, &bytes);
    buf_free(&bytes);
    buf_free(&title);
    search_entry_free(e);
}

/* A cache with its entries as a build leaves it: records of items a, b, c
 * (rendered: their entries appended), committed and saved. */
static void build_three(buf *bytes)
{
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
    cache_item items[3] = {{"content/a.md", 1, NULL, -1, NULL, 0, {0, 0, 0}, 0, 0, {0, 0, 0}},
                           {"content/b.md", 2, NULL, -1, NULL, 0, {0, 0, 0}, 0, 0, {0, 0, 0}},
                           {"content/c.md", 3, NULL, -1, NULL, 0, {0, 0, 0}, 0, 0, {0, 0, 0}}};
    const char *titles[3] = {"甲项目", "乙项目", "丙项目"}, *summaries[3] = {"甲", "", "丙"};
    for (size_t i = 0; i < 3; i++) {
        search_entry *e = make_entry(titles[i], summaries[i]);
        buf_reset(&bytes[i]);
        search_entry_write(e, &bytes[i]);
        search_entry_free(e);
        build_cache_entry_append(&c, bytes[i].ptr, bytes[i].len, &items[i].entry);
        assert_int_equal(items[i].entry.len, bytes[i].len);
    }
    buf err = BUF_INIT;
    assert_int_equal(build_cache_entries_commit(&c, &err), 0);
    assert_int_equal(save_records(7, items, 3, NULL, 0, &err), 0);
    buf_free(&err);
    build_cache_free(&c);
    diag_list_free(&d);
}

/* Which of a, b, c read back as they were written. */
static unsigned readable(const build_cache *c, const buf *bytes)
{
    static const char *const paths[] = {"content/a.md", "content/b.md", "content/c.md"};
    unsigned ok = 0;
    buf got = BUF_INIT;
    for (unsigned i = 0; i < 3; i++) {
        const cache_item *it = record_of(c, paths[i]);
        if (it && build_cache_entry_read(c, &it->entry, &got) == 0) {
            assert_int_equal(got.len, bytes[i].len);
            assert_memory_equal(got.ptr, bytes[i].ptr, got.len);
            ok |= 1u << i;
        }
    }
    buf_free(&got);
    return ok;
}

static size_t file_size(const char *path)
{
    buf text = BUF_INIT;
    assert_int_equal(buf_read_file(&text, path), 0);
    size_t n = text.len;
    buf_free(&text);
    return n;
}

static void test_entries_file(void **state)
{
    (void)state;
    buf bytes[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    build_three(bytes);
    size_t size = file_size(entries);
    assert_int_equal(size, 8 + bytes[0].len + bytes[1].len + bytes[2].len);

    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
    assert_int_equal(readable(&c, bytes), 7);
    /* All of the file is live: entries are appended to it, and kept ones
     * stay where they are. */
    assert_null(c.out_path);
    cache_entry kept, added;
    const cache_item *a = record_of(&c, "content/a.md");
    build_cache_entry_keep(&c, &a->entry, bytes[0].ptr, bytes[0].len, &kept);
    assert_true(kept.off == a->entry.off && kept.len == a->entry.len);
    build_cache_entry_append(&c, bytes[1].ptr, bytes[1].len, &added);
    assert_true(added.off == size);
    buf err = BUF_INIT;
    assert_int_equal(build_cache_entries_commit(&c, &err), 0);
    assert_int_equal(file_size(entries), size + bytes[1].len);
    build_cache_free(&c);
    diag_list_free(&d);
    buf_free(&err);
    for (size_t i = 0; i < 3; i++)
        buf_free(&bytes[i]);
}

/* The cache loaded, no warning: which entries read back. */
static unsigned load_readable(const buf *bytes)
{
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
    unsigned ok = readable(&c, bytes);
    build_cache_free(&c);
    diag_list_free(&d);
    return ok;
}

static void load_refused(const char *why)
{
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(c.len, 0);
    assert_int_equal(diag_list_count(&d, DIAG_WARNING), 1);
    assert_string_equal(d.items[0].code, "GK403");
    assert_non_null(strstr(d.items[0].message, why));
    build_cache_free(&c);
    diag_list_free(&d);
}

static void test_entries_damaged(void **state)
{
    (void)state;
    buf bytes[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    build_three(bytes);
    buf good = BUF_INIT, copy = BUF_INIT;
    assert_int_equal(buf_read_file(&good, entries), 0);
    size_t b_at = 8 + bytes[0].len, c_at = b_at + bytes[1].len;

    /* Cut anywhere: the entries wholly before the cut still read. */
    for (size_t cut = 8; cut <= good.len; cut++) {
        write_file(entries, good.ptr, cut);
        unsigned want =
            (cut >= b_at ? 1u : 0) | (cut >= c_at ? 2u : 0) | (cut == good.len ? 4u : 0);
        assert_int_equal(load_readable(bytes), want);
    }
    /* One byte changed anywhere in an entry: that entry alone is refused. */
    for (size_t i = 8; i < good.len; i++) {
        buf_reset(&copy);
        buf_put(&copy, good.ptr, good.len);
        copy.ptr[i] ^= 0x20;
        write_file(entries, copy.ptr, copy.len);
        unsigned bad = i < b_at ? 1u : i < c_at ? 2u : 4u;
        assert_int_equal(load_readable(bytes), 7 & ~bad);
    }
    /* A record pointing beyond the file is refused before anything is read. */
    write_file(entries, good.ptr, good.len);
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    buf got = BUF_INIT;
    cache_entry beyond[] = {{8, 0, (size_t)1 << 40}, {good.len, 0, 1}, {UINT64_MAX, 0, 2}};
    for (size_t i = 0; i < sizeof beyond / sizeof *beyond; i++)
        assert_int_equal(build_cache_entry_read(&c, &beyond[i], &got), -1);
    buf_free(&got);
    build_cache_free(&c);
    diag_list_free(&d);

    /* Entries moved (another build's file): none is trusted. */
    buf_reset(&copy);
    buf_put(&copy, good.ptr, 8);
    buf_put(&copy, good.ptr + b_at, good.len - b_at);
    buf_put(&copy, good.ptr + 8, b_at - 8);
    write_file(entries, copy.ptr, copy.len);
    assert_int_equal(load_readable(bytes), 0);

    /* No entries file, or not one, while records point into it. */
    write_file(entries, "GKENTRY2", 8);
    load_refused("已损坏");
    write_file(entries, good.ptr, 5);
    load_refused("已损坏");
    unlink(entries);
    load_refused("缺失");
    buf_free(&good);
    buf_free(&copy);
    for (size_t i = 0; i < 3; i++)
        buf_free(&bytes[i]);
}

static void test_entries_compacted(void **state)
{
    (void)state;
    buf bytes[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    build_three(bytes);
    buf before = BUF_INIT;
    assert_int_equal(buf_read_file(&before, entries), 0);

    /* Only c is kept by the next build: more than half of the file would
     * be dead, so its entries go to a new file. */
    build_cache c;
    diag_list d;
    diag_list_init(&d);
    build_cache_load(&c, file, 7, &d);
    buf err = BUF_INIT;
    assert_int_equal(save_records(7, record_of(&c, "content/c.md"), 1, NULL, 0, &err), 0);
    build_cache_free(&c);
    build_cache_load(&c, file, 7, &d);
    assert_int_equal(d.len, 0);
    assert_non_null(c.out_path);
    const cache_item *prev = record_of(&c, "content/c.md");
    assert_non_null(prev);
    buf got = BUF_INIT;
    assert_int_equal(build_cache_entry_read(&c, &prev->entry, &got), 0);
    cache_item next = *prev;
    build_cache_entry_keep(&c, &prev->entry, got.ptr, got.len, &next.entry);
    assert_true(next.entry.off == 8);

    /* Given up before its commit, the new file is gone, the old one as it was. */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s", c.out_path);
    assert_int_equal(access(tmp, F_OK), 0);
    build_cache_free(&c);
    assert_int_equal(access(tmp, F_OK), -1);
    buf now = BUF_INIT;
    assert_int_equal(buf_read_file(&now, entries), 0);
    assert_int_equal(now.len, before.len);

    /* Committed, the new file replaces the old one and holds c alone. */
    build_cache_load(&c, file, 7, &d);
    prev = record_of(&c, "content/c.md");
    assert_int_equal(build_cache_entry_read(&c, &prev->entry, &got), 0);
    next = *prev;
    build_cache_entry_keep(&c, &prev->entry, got.ptr, got.len, &next.entry);
    assert_int_equal(build_cache_entries_commit(&c, &err), 0);
    assert_int_equal(save_records(7, &next, 1, NULL, 0, &err), 0);
    build_cache_free(&c);
    assert_int_equal(file_size(entries), 8 + bytes[2].len);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(load_readable(bytes), 4);

    diag_list_free(&d);
    buf_free(&err);
    buf_free(&got);
    buf_free(&now);
    buf_free(&before);
    for (size_t i = 0; i < 3; i++)
        buf_free(&bytes[i]);
}

/* QR codes' modules are entries too: an entries file of them alone is
 * live (appended to, not written anew), and records pointing into it are
 * refused without it. */
static void test_entries_qr(void **state)
{
    (void)state;
    build_cache c;
    diag_list d;
    load_clean(&c, &d, 7);
    cache_item items[2] = {{"content/a.md", 1, NULL, -1, NULL, 0, {0, 0, 0}, 0, 11, {0, 0, 0}},
                           {"content/b.md", 2, NULL, -1, NULL, 0, {0, 0, 0}, 0, 22, {0, 0, 0}}};
    unsigned char modules[2][56];
    for (size_t i = 0; i < 2; i++) {
        memset(modules[i], (int)(0x11 * (i + 1)), sizeof modules[i]);
        build_cache_entry_append(&c, modules[i], sizeof modules[i], &items[i].qr);
        assert_int_equal(items[i].qr.len, sizeof modules[i]);
    }
    buf err = BUF_INIT;
    assert_int_equal(build_cache_entries_commit(&c, &err), 0);
    assert_int_equal(save_records(7, items, 2, NULL, 0, &err), 0);
    build_cache_free(&c);
    diag_list_free(&d);

    load_clean(&c, &d, 7);
    assert_null(c.out_path);
    buf got = BUF_INIT;
    for (size_t i = 0; i < 2; i++) {
        const cache_item *it = record_of(&c, items[i].path);
        assert_non_null(it);
        assert_true(it->qr_key == items[i].qr_key);
        assert_int_equal(build_cache_entry_read(&c, &it->qr, &got), 0);
        assert_int_equal(got.len, sizeof modules[i]);
        assert_memory_equal(got.ptr, modules[i], got.len);
    }
    build_cache_free(&c);
    diag_list_free(&d);
    unlink(entries);
    load_refused("缺失");
    buf_free(&got);
    buf_free(&err);
}

static void test_hash64(void **state)
{
    (void)state;
    /* FNV-1a 64 test vectors (Fowler/Noll/Vo). */
    assert_true(hash64(HASH64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(hash64(HASH64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(hash64(HASH64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    /* Eight bytes at a time past the first few: pinned too, and every byte
     * of a longer text counts. */
    assert_true(hash64(HASH64_INIT, "gongkai 政务公开", 20) == 0x7255ac8fa27ee695ULL);
    char text[41] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    uint64_t whole = hash64(HASH64_INIT, text, 40);
    for (size_t i = 0; i < 40; i++) {
        text[i] ^= 1;
        assert_true(hash64(HASH64_INIT, text, 40) != whole);
        text[i] ^= 1;
    }
    assert_true(hash64_str(hash64_str(HASH64_INIT, "ab"), "c") !=
                hash64_str(hash64_str(HASH64_INIT, "a"), "bc"));
    assert_true(hash64_str(HASH64_INIT, NULL) != hash64_str(HASH64_INIT, ""));
    /* hash64_block's values are kept in caches: pinned. Every length from
     * 0 to 17 and every single-byte change of a 17-byte block differ. */
    assert_true(hash64_block("", 0) == 0x877e2011d918dd23ULL);
    assert_true(hash64_block("gongkai 政务公开", 20) == 0x5f985bc8d34ddb33ULL);
    char block[17] = "0123456789abcdef";
    uint64_t seen[18 + 17];
    size_t n = 0;
    for (size_t len = 0; len <= 17; len++)
        seen[n++] = hash64_block(block, len);
    for (size_t i = 0; i < 17; i++) {
        block[i] ^= 1;
        seen[n++] = hash64_block(block, 17);
        block[i] ^= 1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            assert_true(seen[i] != seen[k]);
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

static void pool_count(void *ctx, size_t i)
{
    atomic_fetch_add(&((_Atomic int *)ctx)[i], 1);
}

/* pool_for calls every index once, whatever the chunk and the threads. */
static void test_pool_for(void **state)
{
    (void)state;
    enum { N = 1000 };
    static _Atomic int calls[N];
    const size_t sizes[] = {0, 1, 7, 256, N};
    const size_t chunks[] = {0, 1, 3, 256, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
            for (size_t workers = 1; workers <= 4; workers++) {
                for (size_t i = 0; i < N; i++)
                    atomic_store(&calls[i], 0);
                pool_for(workers, sizes[s], chunks[c], pool_count, calls);
                for (size_t i = 0; i < N; i++)
                    assert_int_equal(atomic_load(&calls[i]), i < sizes[s] ? 1 : 0);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_site_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_then_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listing_written_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listings_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deps_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_is_empty, setup, teardown),
        cmocka_unit_test(test_entry_bytes),
        cmocka_unit_test(test_entry_bytes_words),
        cmocka_unit_test_setup_teardown(test_entries_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entries_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entries_compacted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entries_qr, setup, teardown),
        cmocka_unit_test(test_hash64),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_pool_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
