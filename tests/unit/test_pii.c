/* The personal-data scanner on its own: what is found, where, how it is
 * masked, and the many numbers in government text that are not personal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/check/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FOUND 8

typedef struct found {
    check_pii_match m[MAX_FOUND];
    size_t n;
} found;

static void collect(const check_pii_match *m, void *ctx)
{
    found *f = ctx;
    assert_true(f->n < MAX_FOUND);
    f->m[f->n++] = *m;
}

static found scan(const char *text)
{
    found f = {.n = 0};
    check_pii_scan(text, strlen(text), collect, &f);
    return f;
}

/* text[0..n) copied to memory of exactly that size, so that the sanitizer
 * sees any read past its end. */
static found scan_exact(const char *text, size_t n)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    found f = {.n = 0};
    check_pii_scan(copy, n, collect, &f);
    free(copy);
    return f;
}

/* text holds exactly one match: this kind, at the byte offset of `at` in
 * text, this long, masked so. */
static void one(const char *text, check_pii_kind kind, const char *at, size_t len,
                const char *masked)
{
    found f = scan(text);
    if (f.n != 1)
        fail_msg("%zu matches in \"%s\", want 1", f.n, text);
    assert_int_equal(f.m[0].kind, kind);
    assert_int_equal(f.m[0].off, (size_t)(strstr(text, at) - text));
    assert_int_equal(f.m[0].len, len);
    assert_string_equal(f.m[0].masked, masked);
}

static void none(const char *text)
{
    found f = scan(text);
    if (f.n)
        fail_msg("\"%s\" matched %s at %zu", text, f.m[0].masked, f.m[0].off);
}

static void test_id_numbers(void **state)
{
    (void)state;
    one("430102199003071234", CHECK_PII_ID18, "4301", 18, "4301**********1234");
    one("身份证号：430102199003071234。", CHECK_PII_ID18, "4301", 18, "4301**********1234");
    one("11010519491231002X", CHECK_PII_ID18, "1101", 18, "1101**********002X");
    one("11010519491231002x号码", CHECK_PII_ID18, "1101", 18, "1101**********002X");
    one("430102 19900307 1234", CHECK_PII_ID18, "4301", 20, "4301**********1234");
    one("刘某 430102900307123 补助", CHECK_PII_ID15, "4301", 15, "4301*******7123");
    /* Full-width digits are digits. */
    one("证号４３０１０２１９９００３０７１２３４", CHECK_PII_ID18, "\xef\xbc\x94", 54,
        "4301**********1234");

    none("430102199003071235");   /* wrong check digit */
    none("510129197802300014");   /* 30 February, though the check digit fits */
    none("990102199003071238");   /* no such province */
    none("43010218990307123X");   /* born 1899 */
    none("430102901307123");      /* month 13 */
    none("4301**********1234");   /* masked already */
    none("430102********1234");   /* masked already */
    none("43010219900307123412"); /* a longer run of digits */
    none("91330100MA2CD3XK1P");   /* 统一社会信用代码 */
    none("11010519491231002XY");  /* part of a longer code */
}

static void test_mobiles(void **state)
{
    (void)state;
    one("手机 13812345678。", CHECK_PII_MOBILE, "138", 11, "138****5678");
    one("13812345678", CHECK_PII_MOBILE, "138", 11, "138****5678");
    one("电话：138 1234 5678", CHECK_PII_MOBILE, "138", 13, "138****5678");
    one("电话：138-1234-5678", CHECK_PII_MOBILE, "138", 13, "138****5678");
    one("+86 19912345678", CHECK_PII_MOBILE, "199", 11, "199****5678");
    one("8619912345678", CHECK_PII_MOBILE, "86", 13, "86199****5678");
    one("**13812345678**", CHECK_PII_MOBILE, "138", 11, "138****5678");
    one("[13812345678](tel:x)", CHECK_PII_MOBILE, "138", 11, "138****5678");
    one("邮箱 13812345678@163.com", CHECK_PII_MOBILE, "138", 11, "138****5678");
    found f = scan("甲 13812345678 乙 15912345678");
    assert_int_equal(f.n, 2);
    assert_string_equal(f.m[1].masked, "159****5678");
    f = scan("13812345678 15912345678"); /* two numbers, not one in groups */
    assert_int_equal(f.n, 2);

    none("12812345678");                 /* 12x is not a mobile prefix */
    none("1381234567");                  /* ten digits */
    none("138123456789");                /* twelve */
    none("示民发〔2025〕13812345678号"); /* a 文号's sequence number */
    none("示民发[2025]13812345678号");
    none("第13812345678号");
    none("11339901MB0001222Q/2025-13812345678"); /* an index number */
    none("编号 2025-13812345678");               /* joined by a hyphen */
    none("金额 13812345678.50 元");              /* an amount */
    none("0.13812345678");
    none("https://example.com/a/13812345678/");
    none("?id=13812345678");
    none("abc13812345678");
    none("13812345678abc");
    none("138****5678");
    none("0000-6201001");
    none("2025-10-01");
}

static void test_cards(void **state)
{
    (void)state;
    one("收款账号：6222021234567890128", CHECK_PII_CARD, "6222", 19, "6222***********0128");
    one("卡号 6228 4800 1234 5671", CHECK_PII_CARD, "6228", 19, "6228********5671");
    one("卡号 6228-4800-1234-5671", CHECK_PII_CARD, "6228", 19, "6228********5671");
    one("Visa 4367421234567896", CHECK_PII_CARD, "4367", 16, "4367********7896");

    none("6222021234567890127");  /* fails Luhn */
    none("1234567812345670");     /* passes Luhn, but no card starts with 1 */
    none("913301001234567890");   /* 18 digits that are not UnionPay */
    none("6222***********0128");  /* masked */
    none("62220212345678901280"); /* twenty digits */
    none("6228 4800 1234 567 1"); /* not grouped in fours */
}

/* Bytes that are not UTF-8, digits at both ends, a NUL, nothing at all. */
static void test_edges(void **state)
{
    (void)state;
    none("");
    none("1");
    one("\xff\xfe"
        "13812345678"
        "\xff",
        CHECK_PII_MOBILE, "138", 11, "138****5678");
    const char with_nul[] = "13812345678\0"
                            "13912345678";
    found f = {.n = 0};
    check_pii_scan(with_nul, sizeof with_nul - 1, collect, &f);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.m[1].off, 12);
    /* A buffer that ends inside a full-width digit. */
    const char cut[] = "13812345678 \xef\xbc";
    f.n = 0;
    check_pii_scan(cut, sizeof cut - 1, collect, &f);
    assert_int_equal(f.n, 1);
    /* A very long run of digits, and many groups. */
    char longrun[4000];
    memset(longrun, '7', sizeof longrun - 1);
    longrun[sizeof longrun - 1] = '\0';
    none(longrun);
    none("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
    one("1 2 3 4 5 6 13812345678", CHECK_PII_MOBILE, "138", 11, "138****5678");
    assert_string_equal(check_pii_kind_name(CHECK_PII_CARD), "银行卡号");
}

/* The scanner passes over sixteen bytes at a time where no digit starts: a
 * number is found wherever it falls against those sixteen bytes and the end
 * of the text, written in ASCII or full-width digits, after or before
 * Chinese text and full-width punctuation (EF BC xx like a full-width digit,
 * but not one). */
static void test_any_offset(void **state)
{
    (void)state;
    static const struct {
        const char *number, *masked;
    } numbers[] = {
        {"13812345678", "138****5678"},
        {"\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
         "\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96\xef\xbc\x97\xef\xbc\x98",
         "138****5678"},
        {"４３０１０２１９９００３０７１２３４", "4301**********1234"},
        /* Twelve digits, not a mobile number: found only when the number
         * is seen to start at its first digit, 0 or 9, ASCII or full-width. */
        {"013812345678", NULL},
        {"913812345678", NULL},
        {"０13812345678", NULL},
        {"９13812345678", NULL},
    };
    static const char *const before[] = {" ", "中", "，", "：", "；", "\xef\xbc\x8f" /* ／ */};
    static const char *const after[] = {"", "。", "，", "；", " 乙"};
    char text[256];
    for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++) {
        size_t nlen = strlen(numbers[k].number);
        for (size_t b = 0; b < sizeof before / sizeof *before; b++) {
            for (size_t a = 0; a < sizeof after / sizeof *after; a++) {
                for (size_t pad = 0; pad < 40; pad++) {
                    memset(text, ' ', pad);
                    size_t n = pad;
                    memcpy(text + n, before[b], strlen(before[b]));
                    n += strlen(before[b]);
                    size_t at = n;
                    memcpy(text + n, numbers[k].number, nlen);
                    n += nlen;
                    memcpy(text + n, after[a], strlen(after[a]));
                    n += strlen(after[a]);
                    found f = scan_exact(text, n);
                    size_t want = numbers[k].masked ? 1 : 0;
                    if (f.n != want || (want && (f.m[0].off != at || f.m[0].len != nlen)))
                        fail_msg("number %zu after %zu spaces: %zu matches", k, pad, f.n);
                    if (want)
                        assert_string_equal(f.m[0].masked, numbers[k].masked);
                }
            }
        }
    }
    /* A full-width digit cut off by the end of the text, at every offset:
     * the ASCII number before it is found, nothing is read past the end. */
    for (size_t pad = 0; pad < 40; pad++) {
        memset(text, ' ', pad);
        memcpy(text + pad, "13812345678 \xef\xbc", 14);
        found f = scan_exact(text, pad + 14);
        assert_int_equal(f.n, 1);
        assert_int_equal(f.m[0].off, pad);
    }
    /* Long Chinese text with no digit, then one number at the very end. */
    size_t n = 0;
    for (int i = 0; i < 60; i++, n += 3)
        memcpy(text + n, i % 7 ? "中" : "，", 3);
    memcpy(text + n, "15912345678", 11);
    found f = scan_exact(text, n + 11);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.m[0].off, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_numbers), cmocka_unit_test(test_mobiles),
        cmocka_unit_test(test_cards),      cmocka_unit_test(test_edges),
        cmocka_unit_test(test_any_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
