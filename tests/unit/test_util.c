/* util: dates, UTF-8, buffers, the value table, diagnostics, TSV fields,
 * files replaced whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/build.h"
#include "../../generator/util/atomic.h"
#include "../../generator/util/buf.h"
#include "../../generator/util/date.h"
#include "../../generator/util/diag.h"
#include "../../generator/util/fields.h"
#include "../../generator/util/tsv.h"
#include "../../generator/util/utf8.h"
#include "../../generator/util/value.h"
#include "../../generator/util/xalloc.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_date_validity(void **state)
{
    (void)state;
    date d;
    assert_int_equal(date_parse("2024-02-29", 10, &d), 0);
    assert_int_equal(d.year, 2024);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 29);
    assert_int_equal(date_parse("2026-02-29", 10, &d), -1);
    assert_int_equal(date_parse("2026-02-30", 10, &d), -1);
    assert_int_equal(date_parse("1900-02-29", 10, &d), -1);
    assert_int_equal(date_parse("2000-02-29", 10, &d), 0);
    assert_int_equal(date_parse("2026-13-01", 10, &d), -1);
    assert_int_equal(date_parse("2026-1-01", 9, &d), -1);
    assert_int_equal(date_parse("2026/01/01", 10, &d), -1);
    assert_int_equal(date_parse("2026-04-31", 10, &d), -1);
}

static void test_date_arithmetic(void **state)
{
    (void)state;
    date epoch = {1970, 1, 1};
    assert_int_equal(date_to_days(epoch), 0);
    assert_int_equal(date_weekday(epoch), 4); /* Thursday */
    date d = {2026, 11, 21};
    assert_int_equal(date_weekday(d), 6); /* Saturday */
    for (long z = -600000; z < 2000000; z += 997) {
        date r = date_from_days(z);
        assert_true(date_valid(r.year, r.month, r.day));
        assert_int_equal(date_to_days(r), z);
    }
    char s[11];
    date_format((date){2025, 3, 7}, s);
    assert_string_equal(s, "2025-03-07");
    assert_true(date_cmp((date){2025, 1, 2}, (date){2025, 1, 10}) < 0);
}

/* utf8_validate_text (or utf8_validate) of s[0..n) copied to memory of
 * exactly that size, so that the sanitizer sees any read past its end. */
static size_t utf8_validate_exact(const char *s, size_t n, bool text)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, s, n);
    size_t r = text ? utf8_validate_text(copy, n) : utf8_validate(copy, n);
    free(copy);
    return r;
}

/* Long texts are validated sixteen bytes at a time while they hold ASCII and
 * common three-byte characters: a fault is found at its exact offset
 * wherever it falls against those sixteen bytes, amid Chinese, ASCII and
 * the characters that go one at a time (two- and four-byte ones, 한 whose
 * lead byte ED also starts surrogates). */
static void test_utf8_validation_blocks(void **state)
{
    (void)state;
    static const char *const fillers[] = {
        "中", "a", "，", "\xc2\xb7", "\xed\x95\x9c", "\xf0\x9f\x98\x80"};
    static const struct {
        const char *bytes;
        size_t len, at; /* the fault's bytes, and where validation stops in them */
    } faults[] = {
        {"\xff", 1, 0},
        {"\x80", 1, 0},             /* a continuation byte with no lead */
        {"中\xbf", 4, 3},           /* one continuation byte too many */
        {"\xe4\xb8", 2, 0},         /* a character cut short */
        {"\xed\xa0\x80", 3, 0},     /* a surrogate */
        {"\xe0\x80\x80", 3, 0},     /* overlong */
        {"\xc0\xaf", 2, 0},         /* overlong */
        {"\xf4\x90\x80\x80", 4, 0}, /* past U+10FFFF */
        {"\0", 1, 0},               /* valid UTF-8, but not text */
    };
    char text[400];
    for (size_t f = 0; f < sizeof fillers / sizeof *fillers; f++) {
        size_t flen = strlen(fillers[f]);
        for (size_t k = 0; k < sizeof faults / sizeof *faults; k++) {
            for (size_t before = 0; before < 40; before++) {
                size_t n = 0;
                for (size_t i = 0; i < before; i++) {
                    const char *c = i % 3 ? "中" : fillers[f];
                    memcpy(text + n, c, strlen(c));
                    n += strlen(c);
                }
                size_t fault = n;
                memcpy(text + n, faults[k].bytes, faults[k].len);
                n += faults[k].len;
                for (size_t i = 0; i < 30; i++, n += flen)
                    memcpy(text + n, fillers[f], flen);
                size_t want = fault + faults[k].at;
                bool nul = faults[k].bytes[0] == '\0';
                size_t as_text = utf8_validate_exact(text, n, true);
                size_t as_utf8 = utf8_validate_exact(text, n, false);
                if (as_text != want || as_utf8 != (nul ? n : want))
                    fail_msg("filler %zu, fault %zu after %zu characters: %zu, %zu, want %zu", f, k,
                             before, as_text, as_utf8, want);
            }
        }
        /* A character cut short by the end of the text. */
        for (size_t before = 0; before < 40; before++) {
            size_t n = 0;
            for (size_t i = 0; i < before; i++, n += flen)
                memcpy(text + n, fillers[f], flen);
            memcpy(text + n, "\xe4\xb8", 2);
            assert_int_equal(utf8_validate_exact(text, n + 2, false), n);
            assert_int_equal(utf8_validate_exact(text, n, true), n);
        }
    }
}

static void test_utf8_validation_position(void **state)
{
    (void)state;
    const char ok[] = "标题\n正文";
    assert_int_equal(utf8_validate(ok, sizeof ok - 1), sizeof ok - 1);
    const char bad[] = "第一行\n中文\xff后";
    size_t off = utf8_validate(bad, sizeof bad - 1);
    assert_int_equal(off, strlen("第一行\n中文"));
    int line, col;
    utf8_position(bad, off, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
    /* overlong, surrogate, beyond U+10FFFF, truncated */
    assert_int_equal(utf8_validate("\xc0\xaf", 2), 0);
    assert_int_equal(utf8_validate("\xed\xa0\x80", 3), 0);
    assert_int_equal(utf8_validate("\xf4\x90\x80\x80", 4), 0);
    assert_int_equal(utf8_validate("a\xe4\xb8", 3), 1);
    char enc[4];
    uint32_t cp;
    assert_int_equal(utf8_encode(0x4dae, enc), 3); /* 䶮 */
    assert_int_equal(utf8_decode(enc, 3, &cp), 3);
    assert_int_equal(cp, 0x4dae);
}

static void test_gbk_detection(void **state)
{
    (void)state;
    /* "关于印发政务公开工作要点的通知" in GBK */
    const char gbk[] = "\xb9\xd8\xd3\xda\xd3\xa1\xb7\xa2\xd5\xfe\xce\xf1\xb9\xab\xbf\xaa"
                       "\xb9\xa4\xd7\xf7\xd2\xaa\xb5\xe3\xb5\xc4\xcd\xa8\xd6\xaa";
    assert_true(utf8_looks_like_gbk(gbk, sizeof gbk - 1));
    const char latin1[] = "caf\xe9 cr\xe8me";
    assert_false(utf8_looks_like_gbk(latin1, sizeof latin1 - 1));
    char nul[64] = {0};
    assert_false(utf8_looks_like_gbk(nul, sizeof nul));
}

static void test_buf_json(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    buf_put_json_string(&b, "a\"b\\c\n\x01中", strlen("a\"b\\c\n\x01中"));
    assert_string_equal(b.ptr, "a\\\"b\\\\c\\n\\u0001中");
    buf_reset(&b);
    buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.ptr, "42-x");
    assert_int_equal(b.len, 4);
    buf_free(&b);
}

static void test_value_table_many_keys(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    value *t = value_new(&mem, VALUE_TABLE, 1, 1);
    char key[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(key, sizeof key, "key%d", i);
        value *v = value_new(&mem, VALUE_INTEGER, i + 1, 1);
        v->u.integer = i;
        assert_null(value_table_find(t, key, (size_t)n));
        value_table_add(&mem, t, key, (size_t)n, v, i + 1, 1);
    }
    for (int i = 0; i < 20000; i += 7) {
        int n = snprintf(key, sizeof key, "key%d", i);
        value_entry *e = value_table_find(t, key, (size_t)n);
        assert_non_null(e);
        assert_int_equal(e->val->u.integer, i);
    }
    assert_string_equal(t->u.table.entries[19999].key, "key19999"); /* insertion order */
    assert_null(value_table_get(t, "key20000"));
    arena_free(&mem);
}

static void test_diag_sort_and_json(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    diag_add(&d, DIAG_WARNING, "GK112", "content/b.md", 3, 1, "未知字段“%s”", "titel");
    diag_add(&d, DIAG_ERROR, "GK107", "content/a.md", 9, 2, "缺少 title");
    diag_add(&d, DIAG_ERROR, "GK106", "content/a.md", 2, 5, "语法错误 \"x\"");
    diag_list_sort(&d);
    assert_string_equal(d.items[0].code, "GK106");
    assert_string_equal(d.items[1].code, "GK107");
    assert_string_equal(d.items[2].code, "GK112");
    assert_int_equal(diag_list_count(&d, DIAG_ERROR), 2);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    diag_list_print_json(&d, out);
    fclose(out);
    assert_non_null(strstr(text, "{\"file\":\"content/a.md\",\"line\":2,\"column\":5,"
                                 "\"severity\":\"error\",\"code\":\"GK106\","
                                 "\"message\":\"语法错误 \\\"x\\\"\"}"));
    assert_non_null(strstr(text, "\"errors\":2,\"warnings\":1}"));
    free(text);
    out = open_memstream(&text, &len);
    diag_list_print_text(&d, out);
    fclose(out);
    assert_non_null(strstr(text, "content/b.md:3:1: 警告 [GK112]: 未知字段“titel”\n"));
    free(text);
    diag_list_free(&d);
}

/* Any string survives a field's round trip; a line splits at its tabs only. */
static void test_tsv_fields(void **state)
{
    (void)state;
    buf line = BUF_INIT;
    tsv_field_put(&line, "a\tb\\c\nd\re");
    buf_putc(&line, '\t');
    tsv_field_put(&line, "标题");
    assert_string_equal(line.ptr, "a\\tb\\\\c\\nd\\re\t标题");
    const char *f[3];
    size_t n[3];
    assert_int_equal(tsv_fields_split(line.ptr, line.len, f, n, 3), 2);
    arena mem;
    arena_init(&mem);
    assert_string_equal(tsv_field_read(&mem, f[0], n[0]), "a\tb\\c\nd\re");
    assert_string_equal(tsv_field_read(&mem, f[1], n[1]), "标题");
    assert_null(tsv_field_read(&mem, "x\\q", 3));
    assert_null(tsv_field_read(&mem, "x\\", 2));
    assert_null(tsv_field_read(&mem, "x\001", 2));
    assert_int_equal(tsv_fields_split("a\t\tb\t", 5, f, n, 1), 4);
    assert_int_equal(n[0], 1);
    /* In place: the field decoded where it lies, the NUL at most at its end. */
    char in_place[] = "x\\ty\\\\z\tnext";
    assert_ptr_equal(tsv_field_decode(in_place, 7), in_place);
    assert_string_equal(in_place, "x\ty\\z");
    assert_string_equal(in_place + 8, "next");
    char plain[] = "标题\tnext";
    assert_string_equal(tsv_field_decode(plain, strlen("标题")), "标题");
    assert_string_equal(plain + strlen("标题") + 1, "next");
    char bad[] = "a\x7f";
    assert_null(tsv_field_decode(bad, 2));
    /* Past the first eight bytes, where they are looked at a word at a time. */
    char late[] = "0123456789abcdef\\n中文字符串";
    assert_string_equal(tsv_field_decode(late, strlen(late)), "0123456789abcdef\n中文字符串");
    const char *late_bad[] = {"0123456789\001bcdef", "0123456789abcd\x7f", "中文字符串中文\r字"};
    for (size_t i = 0; i < 3; i++) {
        char copy[64];
        strcpy(copy, late_bad[i]);
        assert_null(tsv_field_decode(copy, strlen(copy)));
    }
    /* Written past the first eight bytes, where runs are found a word at a
     * time, and read back. */
    const char *longer[] = {"0123456789abcdef\t中文字符串\\末尾", "中文字符串中文字符串\n",
                            "\001控制字符不转义但照抄\r\n", "0123456789abcdef0123456789"};
    const char *written[] = {"0123456789abcdef\\t中文字符串\\\\末尾", "中文字符串中文字符串\\n",
                             "\001控制字符不转义但照抄\\r\\n", "0123456789abcdef0123456789"};
    for (size_t i = 0; i < 4; i++) {
        buf_reset(&line);
        tsv_field_put(&line, longer[i]);
        assert_string_equal(line.ptr, written[i]);
    }
    char spaces[] = "                 ~~~~~~~~~~~~~~~~";
    assert_string_equal(tsv_field_decode(spaces, strlen(spaces)),
                        "                 ~~~~~~~~~~~~~~~~");
    arena_free(&mem);
    buf_free(&line);
}

/* NUL-ended fields: read in order; the first one missing or not a number
 * turns the reader bad for good, and fields then read as "" and 0. */
static void test_fields_reader(void **state)
{
    (void)state;
    static const char data[] = "GK\0"
                               "00ff\0"
                               "12\0"
                               "-3\0"
                               "9";
    fields_reader r;
    fields_reader_init(&r, data, sizeof data - 1);
    assert_string_equal(fields_next(&r), "GK");
    assert_true(fields_number(&r, 16) == 0xff);
    assert_true(fields_number(&r, 10) == 12);
    assert_false(r.bad);
    assert_true(fields_number(&r, 10) == 0); /* a sign */
    assert_true(r.bad);
    assert_string_equal(fields_next(&r), "");
    fields_reader_init(&r, data + 14, 1); /* "9" without its NUL */
    assert_string_equal(fields_next(&r), "");
    assert_true(r.bad);
    static const char big[] = "18446744073709551616";
    fields_reader_init(&r, big, sizeof big);
    assert_true(fields_number(&r, 10) == 0 && r.bad);
    fields_reader_init(&r, "", 0);
    assert_true(fields_number(&r, 10) == 0 && r.bad);
}

/* A hex id field: exactly so many lower-case hex digits, then its NUL,
 * which is never read past: fewer, more, upper case, no NUL within the
 * data all turn the reader bad. */
static void test_fields_hex(void **state)
{
    (void)state;
    static const char data[] = "0af9\0"
                               "0af\0"
                               "0af9e\0"
                               "0AF9\0";
    fields_reader r;
    fields_reader_init(&r, data, sizeof data - 1);
    assert_string_equal(fields_hex(&r, 4), "0af9");
    assert_false(r.bad);
    assert_string_equal(fields_hex(&r, 4), "");
    assert_true(r.bad);
    static const size_t at[] = {5, 9, 15};
    for (size_t i = 0; i < 3; i++) {
        fields_reader_init(&r, data + at[i], sizeof data - 1 - at[i]);
        assert_string_equal(fields_hex(&r, 4), "");
        assert_true(r.bad);
    }
    fields_reader_init(&r, data, 4); /* "0af9" without its NUL */
    assert_string_equal(fields_hex(&r, 4), "");
    assert_true(r.bad);
}

/* A number field reads as strtoull reads the digits alone (hex in lower
 * case, as the writers put it): the largest
 * 64-bit numbers and one beyond, leading zeros, and random runs of digits,
 * letters and signs. */
static void test_fields_number_like_strtoull(void **state)
{
    (void)state;
    static const char *const given[] = {
        "0",
        "00",
        "7",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999",
        "ffffffffffffffff",
        "10000000000000000",
        "0000000000000000000000000001",
        "FFff",
        "0x1f",
        "1 ",
        " 1",
        "+1",
        "-0",
        "1e3",
        "g",
    };
    const char alphabet[] = "0123456789abcdefABCDEFxg+- ";
    srand(7);
    for (int n = 0; n < 20000; n++) {
        char s[40];
        size_t len =
            (size_t)n < sizeof given / sizeof given[0] ? strlen(given[n]) : (size_t)(rand() % 22);
        if ((size_t)n < sizeof given / sizeof given[0])
            memcpy(s, given[n], len);
        else
            for (size_t i = 0; i < len; i++)
                s[i] = n % 3 ? "0123456789abcdef"[rand() % (n % 2 ? 16 : 10)]
                             : alphabet[rand() % (int)(sizeof alphabet - 1)];
        s[len] = '\0';
        for (int base = 10; base <= 16; base += 6) {
            const char *digits = base == 10 ? "0123456789" : "0123456789abcdef";
            bool plain = len > 0 && strspn(s, digits) == len;
            errno = 0;
            char *end;
            unsigned long long want = strtoull(s, &end, base);
            bool fits = plain && errno == 0;
            fields_reader r;
            fields_reader_init(&r, s, len + 1);
            uint64_t got = fields_number(&r, base);
            assert_int_equal(r.bad, !fits);
            if (fits)
                assert_true(got == want);
            else
                assert_true(got == 0);
        }
    }
}

/* What the writers put reads back the same, at the edges of the range; a
 * number with anything but digits of its base, or beyond 64 bits, is bad. */
static void test_fields_writers(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    fields_put(&b, "路径/a");
    fields_put(&b, "");
    fields_put_number(&b, 0);
    fields_put_number(&b, UINT64_MAX);
    fields_put_hex(&b, 0);
    fields_put_hex(&b, 0x0123456789abcdefULL);
    fields_put_hex(&b, UINT64_MAX);
    static const char want[] = "路径/a\0\0"
                               "0\0"
                               "18446744073709551615\0"
                               "0000000000000000\0"
                               "0123456789abcdef\0"
                               "ffffffffffffffff";
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.ptr, want, sizeof want);
    fields_reader r;
    fields_reader_init(&r, b.ptr, b.len);
    assert_string_equal(fields_next(&r), "路径/a");
    assert_string_equal(fields_next(&r), "");
    assert_true(fields_number(&r, 10) == 0);
    assert_true(fields_number(&r, 10) == UINT64_MAX);
    assert_true(fields_number(&r, 16) == 0);
    assert_true(fields_number(&r, 16) == 0x0123456789abcdefULL);
    assert_true(fields_number(&r, 16) == UINT64_MAX);
    assert_false(r.bad);
    assert_true(r.p == r.end);
    static const char *const bad[] = {"0x10", "1a", "1 ", " 1", "+1", "10000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fields_reader_init(&r, bad[i], strlen(bad[i]) + 1);
        assert_true(fields_number(&r, i == 5 ? 16 : 10) == 0);
        assert_true(r.bad);
    }
    fields_reader_init(&r, "FF", 3); /* hex as written: lower case */
    assert_true(fields_number(&r, 16) == 0 && r.bad);
    buf_free(&b);
}

/* A sealed file ends in the checksum of the bytes before it: any byte
 * changed, or any cut, no longer reads as sealed. */
static void test_fields_seal(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    buf_put(&b,
            "GK\0"
            "12\0",
            6);
    fields_seal(&b);
    assert_int_equal(b.len, 6 + 17);
    assert_int_equal(b.ptr[b.len - 1], '\0');
    size_t body = 0;
    assert_true(fields_sealed(b.ptr, b.len, &body));
    assert_int_equal(body, 6);
    for (size_t i = 0; i < b.len; i++) {
        b.ptr[i] ^= 1;
        assert_false(fields_sealed(b.ptr, b.len, &body));
        b.ptr[i] ^= 1;
    }
    for (size_t cut = 0; cut < b.len; cut++)
        assert_false(fields_sealed(b.ptr, cut, &body));
    buf empty = BUF_INIT;
    fields_seal(&empty);
    assert_true(fields_sealed(empty.ptr, empty.len, &body));
    assert_int_equal(body, 0);
    buf_free(&b);
    buf_free(&empty);
}

/* A file replaced, flushed or not, holds the new bytes, and nothing else
 * is left in its folder; a folder that is not there is an error. */
/* The program as caches know it: its version and its build ID, the same at
 * every call (the linker gives every build of the code an ID). */
static void test_build_version(void **state)
{
    (void)state;
    const char *v = build_version();
    size_t n = strlen(GK_VERSION);
    assert_memory_equal(v, GK_VERSION, n);
    assert_int_equal(v[n], '+');
    assert_true(strlen(v + n + 1) >= 16 && strlen(v + n + 1) % 2 == 0);
    assert_int_equal(strspn(v + n + 1, "0123456789abcdef"), strlen(v + n + 1));
    assert_ptr_equal(build_version(), v);
}

static void test_atomic_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-atomic-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    buf err = BUF_INIT, back = BUF_INIT;
    assert_int_equal(atomic_write(path, "first", 5, &err), 0);
    assert_int_equal(atomic_replace(path, "second", 6, &err), 0);
    assert_int_equal(buf_read_file(&back, path), 0);
    assert_string_equal(buf_cstr(&back), "second");
    DIR *d = opendir(dir);
    size_t entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.' || strlen(e->d_name) > 2;
    closedir(d);
    assert_int_equal(entries, 1);
    char missing[80];
    snprintf(missing, sizeof missing, "%s/no/f", dir);
    assert_int_equal(atomic_replace(missing, "x", 1, &err), -1);
    assert_non_null(strstr(buf_cstr(&err), "无法写入"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    buf_free(&err);
    buf_free(&back);
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
/* ASan's allocator is not the heap xalloc_heap_prepare tunes. */
static void test_heap_prepare(void **state)
{
    (void)state;
    skip();
}
#else
/* Whether the kernel backs memory that asks for it with huge pages. */
static bool test_thp_available(void)
{
    buf mode = BUF_INIT;
    bool on = buf_read_file(&mode, "/sys/kernel/mm/transparent_hugepage/enabled") == 0 &&
              !strstr(buf_cstr(&mode), "[never]");
    buf_free(&mode);
    return on;
}

/* Whether a [heap] mapping of this process is advised to use huge pages
 * ("hg" among its VmFlags). */
static bool test_heap_advised(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool in_heap = false, advised = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmFlags:", 8) == 0)
            advised |= in_heap && strstr(line, " hg") != NULL;
        else if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' '))
            in_heap = strstr(line, "[heap]") != NULL;
    }
    fclose(f);
    return advised;
}

static void test_heap_prepare(void **state)
{
    (void)state;
    assert_false(test_heap_advised());
    xalloc_heap_prepare();
    assert_int_equal(test_heap_advised(), test_thp_available());
    /* A block of a few MiB now comes from the heap, below its end, and its
     * memory stays there for the next one. */
    char *block = malloc(4 << 20);
    assert_non_null(block);
    assert_true(block < (char *)sbrk(0));
    memset(block, 1, 4 << 20);
    free(block);
    char *again = malloc(4 << 20);
    assert_ptr_equal(again, block);
    free(again);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_validity),
        cmocka_unit_test(test_date_arithmetic),
        cmocka_unit_test(test_utf8_validation_position),
        cmocka_unit_test(test_utf8_validation_blocks),
        cmocka_unit_test(test_gbk_detection),
        cmocka_unit_test(test_buf_json),
        cmocka_unit_test(test_value_table_many_keys),
        cmocka_unit_test(test_diag_sort_and_json),
        cmocka_unit_test(test_tsv_fields),
        cmocka_unit_test(test_fields_reader),
        cmocka_unit_test(test_fields_hex),
        cmocka_unit_test(test_fields_number_like_strtoull),
        cmocka_unit_test(test_fields_writers),
        cmocka_unit_test(test_fields_seal),
        cmocka_unit_test(test_build_version),
        cmocka_unit_test(test_atomic_files),
        cmocka_unit_test(test_heap_prepare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
