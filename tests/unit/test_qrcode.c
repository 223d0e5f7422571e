/* QR codes kept as module matrices: encoding gives libqrencode's modules;
 * a matrix written and read back draws the same SVG as a fresh encode, for
 * URLs short and long (up to version 40); bytes that are no code's (a
 * length or width no code has, a bit set past the last module) are
 * refused; the key follows the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/qrcode.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

/* A URL of `len` bytes. */
static char *url_of(size_t len)
{
    static const char stem[] = "https://www.shili.gov.cn/xxgk/";
    char *s = malloc(len + 1);
    assert_non_null(s);
    for (size_t i = 0; i < len; i++)
        s[i] = i < sizeof stem - 1 ? stem[i] : (char)('a' + i % 26);
    s[len] = '\0';
    return s;
}

static int dark(const qrcode_matrix *m, int x, int y)
{
    size_t at = (size_t)y * (size_t)m->width + (size_t)x;
    return (m->bits[at / 8] >> (7 - at % 8)) & 1;
}

/* URL lengths from a version 2 code to version 40's most (2953 bytes at
 * level L): widths 25 to 177. */
static const size_t lengths[] = {31, 60, 120, 400, 1000, 2953};

static void test_encode_is_libqrencode(void **state)
{
    (void)state;
    int widest = 0;
    for (size_t n = 0; n < sizeof lengths / sizeof *lengths; n++) {
        char *text = url_of(lengths[n]);
        qrcode_matrix m;
        assert_int_equal(qrcode_encode(text, &m), 0);
        QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
        assert_non_null(qr);
        assert_int_equal(m.width, qr->width);
        for (int y = 0; y < m.width; y++)
            for (int x = 0; x < m.width; x++)
                assert_int_equal(dark(&m, x, y), qr->data[y * qr->width + x] & 1);
        size_t n_modules = (size_t)m.width * (size_t)m.width;
        if (n_modules % 8)
            assert_int_equal(m.bits[n_modules / 8] & (0xff >> (n_modules % 8)), 0);
        widest = m.width > widest ? m.width : widest;
        QRcode_free(qr);
        free(text);
    }
    assert_int_equal(widest, QRCODE_MAX_WIDTH);
}

static void test_round_trip_same_svg(void **state)
{
    (void)state;
    for (size_t n = 0; n < sizeof lengths / sizeof *lengths; n++) {
        char *text = url_of(lengths[n]);
        qrcode_matrix fresh, back;
        assert_int_equal(qrcode_encode(text, &fresh), 0);
        buf svg = BUF_INIT, bytes = BUF_INIT, again = BUF_INIT;
        qrcode_matrix_svg(&fresh, "本页网址的二维码", &svg);
        qrcode_matrix_write(&fresh, &bytes);
        assert_int_equal(bytes.len, 1 + ((size_t)fresh.width * (size_t)fresh.width + 7) / 8);
        /* Read from a copy of their own: nothing of `fresh` is left over. */
        memset(&back, 0xa5, sizeof back);
        assert_int_equal(qrcode_matrix_read(bytes.ptr, bytes.len, &back), 0);
        qrcode_matrix_svg(&back, "本页网址的二维码", &again);
        assert_int_equal(again.len, svg.len);
        assert_memory_equal(again.ptr, svg.ptr, svg.len);
        assert_non_null(strstr(svg.ptr, "aria-label=\"本页网址的二维码\""));
        assert_int_equal(strncmp(svg.ptr, "<svg ", 5), 0);
        assert_string_equal(svg.ptr + svg.len - 9, "\"/></svg>");
        buf_free(&svg);
        buf_free(&bytes);
        buf_free(&again);
        free(text);
    }
}

/* The SVG's path: a run of dark modules per segment, offset by the
 * quiet zone; the first row of every code starts with the finder
 * pattern's seven dark modules. */
static void test_svg_path(void **state)
{
    (void)state;
    qrcode_matrix m;
    assert_int_equal(qrcode_encode("https://a.cn/", &m), 0);
    assert_int_equal(m.width, 21);
    buf svg = BUF_INIT;
    qrcode_matrix_svg(&m, "a<b", &svg);
    assert_non_null(strstr(svg.ptr, "viewBox=\"0 0 29 29\""));
    assert_non_null(strstr(svg.ptr, "aria-label=\"a&lt;b\""));
    assert_non_null(strstr(svg.ptr, "d=\"M4 4h7v1h-7z"));
    buf_free(&svg);
}

static void expect_refused(const unsigned char *data, size_t len)
{
    qrcode_matrix m;
    assert_int_equal(qrcode_matrix_read(data, len, &m), -1);
}

static void test_damaged(void **state)
{
    (void)state;
    char *text = url_of(60);
    qrcode_matrix m;
    assert_int_equal(qrcode_encode(text, &m), 0);
    buf bytes = BUF_INIT;
    qrcode_matrix_write(&m, &bytes);
    unsigned char *p = (unsigned char *)bytes.ptr;
    size_t len = bytes.len;

    /* Cut short, one byte more, nothing at all. */
    for (size_t cut = 0; cut < len; cut++)
        expect_refused(p, cut);
    unsigned char *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, p, len);
    longer[len] = 0;
    expect_refused(longer, len + 1);
    free(longer);

    /* A width no code has, or another code's width for these bytes. */
    static const int widths[] = {0, 1, 17, 20, 22, 23, 24, 178, 181, 255};
    unsigned char was = p[0];
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        p[0] = (unsigned char)widths[w];
        expect_refused(p, len);
    }
    p[0] = (unsigned char)(was + 4);
    expect_refused(p, len);
    p[0] = (unsigned char)(was - 4);
    expect_refused(p, len);
    p[0] = was;

    /* A bit set past the last module: a code's width is odd, so some bits
     * of the last byte are no module's. */
    size_t modules = (size_t)m.width * (size_t)m.width;
    assert_int_not_equal(modules % 8, 0);
    for (unsigned bit = 0; bit < 8 - modules % 8; bit++) {
        p[len - 1] ^= (unsigned char)(1u << bit);
        expect_refused(p, len);
        p[len - 1] ^= (unsigned char)(1u << bit);
    }
    qrcode_matrix back;
    assert_int_equal(qrcode_matrix_read(p, len, &back), 0);
    buf_free(&bytes);
    free(text);
}

static void test_too_long(void **state)
{
    (void)state;
    char *text = url_of(2954);
    qrcode_matrix m;
    assert_int_equal(qrcode_encode(text, &m), -1);
    free(text);
}

static void test_key(void **state)
{
    (void)state;
    uint64_t a = qrcode_key("https://www.shili.gov.cn/czj/2025/a/");
    assert_true(a == qrcode_key("https://www.shili.gov.cn/czj/2025/a/"));
    assert_true(a != qrcode_key("https://www.shili.gov.cn/czj/2025/b/"));
    assert_true(a != qrcode_key("https://shili.gov.cn/czj/2025/a/"));
    assert_true(qrcode_key("") != qrcode_key("a"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_is_libqrencode),
        cmocka_unit_test(test_round_trip_same_svg),
        cmocka_unit_test(test_svg_path),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
