/* search_fold takes the common characters (ASCII, CJK ideographs, the usual
 * punctuation, fullwidth ASCII) without utf8proc: it must give exactly what
 * running all of the text through utf8proc gives, for every character of the
 * Basic Multilingual Plane, alone, between common ones and before the marks
 * that compose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/search.h"
#include "../../generator/util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The fold as search_fold defines it: NFKC of the whole text by utf8proc,
 * then lower case code point by code point. */
static int fold_reference(const char *text, size_t len, buf *out)
{
    utf8proc_uint8_t *nfkc = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &nfkc,
                                      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE);
    if (n < 0)
        return -1;
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        i += utf8proc_iterate(nfkc + i, n - i, &cp);
        char enc[4];
        buf_put(out, enc, utf8_encode((uint32_t)utf8proc_tolower(cp), enc));
    }
    free(nfkc);
    return 0;
}

/* Both folds of text[0..len) agree, after `prefix` already in the buffer. */
static void assert_same_fold(const char *text, size_t len)
{
    buf want = BUF_INIT, got = BUF_INIT;
    buf_puts(&want, "prefix ");
    buf_puts(&got, "prefix ");
    int want_rc = fold_reference(text, len, &want);
    int got_rc = search_fold(text, len, &got);
    if (want_rc != got_rc || want.len != got.len || memcmp(want.ptr, got.ptr, want.len) != 0) {
        fprintf(stderr, "fold differs (%d, %d) for %zu bytes:", want_rc, got_rc, len);
        for (size_t i = 0; i < len && i < 48; i++)
            fprintf(stderr, " %02x", (unsigned char)text[i]);
        fprintf(stderr, "%s\n", len > 48 ? " ..." : "");
        fail();
    }
    if (got_rc != 0)
        assert_string_equal(buf_cstr(&got), "prefix "); /* nothing appended */
    buf_free(&want);
    buf_free(&got);
}

/* Append cp as UTF-8, also a surrogate (which makes the text invalid). */
static void put_cp(buf *b, uint32_t cp)
{
    char enc[4];
    if (cp >= 0xd800 && cp <= 0xdfff) {
        enc[0] = (char)0xed;
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        enc[2] = (char)(0x80 | (cp & 0x3f));
        buf_put(b, enc, 3);
    } else {
        buf_put(b, enc, utf8_encode(cp, enc));
    }
}

/* Characters of each kind the fast way handles, and some it does not. */
static const uint32_t neighbours[] = {
    'a',
    'Z',
    '<',
    '9',
    ' ',
    0x4e2d /* 中 */,
    0x9fff,
    0x3001 /* 、 */,
    0x3002 /* 。 */,
    0x3000 /* ideographic space */,
    0xff0c /* ， */,
    0xff21 /* Ａ */,
    0xff5e,
    0x201c /* “ */,
    0x2014 /* — */,
    0x00e9 /* é */,
    0xac00 /* 가 */,
};
#define NEIGHBOURS (sizeof neighbours / sizeof *neighbours)

static void test_every_bmp_character(void **state)
{
    (void)state;
    buf text = BUF_INIT;
    for (uint32_t cp = 0; cp <= 0xffff; cp++) {
        buf_reset(&text);
        put_cp(&text, cp);
        assert_same_fold(text.ptr, text.len);
        /* After and before each neighbour, twice in a row. */
        buf_reset(&text);
        for (size_t n = 0; n < NEIGHBOURS; n++) {
            put_cp(&text, neighbours[n]);
            put_cp(&text, cp);
            put_cp(&text, cp);
        }
        assert_same_fold(text.ptr, text.len);
    }
    buf_free(&text);
}

/* Characters that may compose with the one before them: combining marks,
 * Hangul vowel and final jamo, and the other second halves of compositions. */
static bool composes_after(uint32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    return p->combining_class != 0 || (cp >= 0x1161 && cp <= 0x11c2) ||
           (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000);
}

static void test_common_characters_before_marks(void **state)
{
    (void)state;
    uint32_t *marks = malloc(0x10000 * sizeof *marks);
    size_t mark_count = 0;
    for (uint32_t cp = 0; cp <= 0xffff; cp++)
        if (!(cp >= 0xd800 && cp <= 0xdfff) && composes_after(cp))
            marks[mark_count++] = cp;
    assert_true(mark_count > 500);
    buf text = BUF_INIT;
    /* Every character of the blocks the fast way knows (a sample of the
     * ideographs), each followed by every such mark. */
    static const uint32_t blocks[][3] = {
        {0x0000, 0x007f, 1}, {0x2000, 0x206f, 1},  {0x3000, 0x303f, 1},
        {0xff00, 0xffef, 1}, {0x4e00, 0x9fff, 37},
    };
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        for (uint32_t cp = blocks[b][0]; cp <= blocks[b][1]; cp += blocks[b][2]) {
            buf_reset(&text);
            for (size_t m = 0; m < mark_count; m++) {
                put_cp(&text, cp);
                put_cp(&text, marks[m]);
            }
            assert_same_fold(text.ptr, text.len);
        }
    }
    buf_free(&text);
    free(marks);
}

static void test_mixed_strings(void **state)
{
    (void)state;
    /* Pieces of Chinese bulletins and the odd things pasted into them. */
    static const char *const pieces[] = {
        "关于",
        "印发",
        "〔2024〕",
        "３号",
        "，",
        "。",
        "、",
        "；",
        "：",
        "（",
        "）",
        "“",
        "”",
        "《",
        "》",
        "——",
        "…",
        "　",
        " ",
        "\n",
        "ＧＢ／Ｔ",
        "Straße",
        "ÉCOLE",
        "e\xcc\x81",
        "A\xcc\x8a",
        "<\xcc\xb8",
        "\xef\xbc\x9c\xcc\xb8",
        "\xe1\x84\x80\xe1\x85\xa1",
        "\xea\xb0\x80\xe1\x86\xa8",
        "ﾃｽﾄ",
        "ｶﾞ",
        "か\xe3\x82\x99",
        "①",
        "㈠",
        "Ⅻ",
        "ﬁ",
        "㎡",
        "\xe2\x84\xab",
        "\xef\xac\x80",
        "中\xcc\x81",
        "，\xcc\x81",
        "Ａ\xcc\x81",
        "\xf0\xa0\x80\x80",
        "\xf0\x9f\x98\x80",
        "\xc2\xa0",
        "\x00",
        "İ",
        "Σ",
    };
    const size_t count = sizeof pieces / sizeof *pieces;
    buf text = BUF_INIT;
    unsigned long seed = 12345;
    for (int round = 0; round < 20000; round++) {
        buf_reset(&text);
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        int n = 1 + (int)((seed >> 33) % 12);
        for (int k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            const char *p = pieces[(seed >> 33) % count];
            buf_put(&text, p, *p ? strlen(p) : 1);
        }
        assert_same_fold(text.ptr, text.len);
    }
    /* Not UTF-8, at the start, in the middle and at the end. */
    static const char *const broken[] = {"\xe4\xb8",
                                         "中\xe4\xb8",
                                         "\xe4\xb8中",
                                         "ab\xff"
                                         "cd",
                                         "\xc3"
                                         "A",
                                         "中\xed\xa0\x80文",
                                         "，\x80"};
    for (size_t b = 0; b < sizeof broken / sizeof *broken; b++)
        assert_same_fold(broken[b], strlen(broken[b]));
    /* Longer than the fast way's buffer for one utf8proc call. */
    buf_reset(&text);
    for (int k = 0; k < 300; k++)
        buf_puts(&text, "\xef\xb7\xba"); /* U+FDFA, 18 characters in NFKC */
    assert_same_fold(text.ptr, text.len);
    buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bmp_character),
        cmocka_unit_test(test_common_characters_before_marks),
        cmocka_unit_test(test_mixed_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
