#include "qrcode.h"

#include "../util/hash.h"

#include <qrencode.h>
#include <string.h>

#define QRCODE_QUIET 4

/* Level L (7 % of the code recoverable): these codes are read off a screen
 * or an office print of the page, not off a weathered board (the sheets
 * keep M, sheets/qr.c), and L makes an item URL a version smaller (29
 * modules a side instead of 33): bigger modules at the same size, and a
 * third less encoding, whose mask scoring grows with the module count. */
#define QRCODE_LEVEL QR_ECLEVEL_L

/* The bytes of a code `width` modules a side. */
static size_t qrcode_bytes(int width)
{
    return ((size_t)width * (size_t)width + 7) / 8;
}

static int qrcode_dark(const qrcode_matrix *m, int x, int y)
{
    size_t at = (size_t)y * (size_t)m->width + (size_t)x;
    return (m->bits[at / 8] >> (7 - at % 8)) & 1;
}

uint64_t qrcode_key(const char *text)
{
    uint64_t h = hash64_str(HASH64_INIT, QRcode_APIVersionString());
    h = hash64_int(h, QRCODE_LEVEL);
    return hash64_str(h, text);
}

int qrcode_encode(const char *text, qrcode_matrix *m)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QRCODE_LEVEL);
    if (!qr)
        return -1;
    if (qr->width > QRCODE_MAX_WIDTH) { /* no version is; *m has no room */
        QRcode_free(qr);
        return -1;
    }
    m->width = qr->width;
    size_t n = (size_t)qr->width * (size_t)qr->width;
    memset(m->bits, 0, qrcode_bytes(qr->width));
    for (size_t at = 0; at < n; at++)
        if (qr->data[at] & 1)
            m->bits[at / 8] |= (unsigned char)(0x80u >> (at % 8));
    QRcode_free(qr);
    return 0;
}

void qrcode_matrix_write(const qrcode_matrix *m, buf *out)
{
    unsigned char width = (unsigned char)m->width;
    buf_put(out, &width, 1);
    buf_put(out, m->bits, qrcode_bytes(m->width));
}

int qrcode_matrix_read(const void *data, size_t len, qrcode_matrix *m)
{
    const unsigned char *p = data;
    if (len < 1)
        return -1;
    int width = p[0];
    if (width < 21 || width > QRCODE_MAX_WIDTH || (width - 21) % 4 != 0 ||
        len != 1 + qrcode_bytes(width))
        return -1;
    size_t n = (size_t)width * (size_t)width, bytes = qrcode_bytes(width);
    /* The last byte's bits past the last module must be clear. */
    if (n % 8 && (p[bytes] & (0xffu >> (n % 8))))
        return -1;
    m->width = width;
    memcpy(m->bits, p + 1, bytes);
    return 0;
}

/* Append the decimal digits of n >= 0: the path has thousands of numbers,
 * too many to go through printf one by one. */
static char *qrcode_put_int(char *p, int n)
{
    char digits[12];
    int k = 0;
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (k)
        *p++ = digits[--k];
    return p;
}

void qrcode_matrix_svg(const qrcode_matrix *m, const char *label, buf *out)
{
    int size = m->width + 2 * QRCODE_QUIET;
    buf_printf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"",
               size, size);
    buf_put_html_escaped(out, label, strlen(label));
    buf_printf(out,
               "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
               "fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size);
    /* One path, a horizontal run of dark modules per segment: compact and
     * drawn without seams between neighbouring modules. */
    for (int y = 0; y < m->width; y++) {
        for (int x = 0; x < m->width;) {
            if (!qrcode_dark(m, x, y)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < m->width && qrcode_dark(m, x + run, y))
                run++;
            /* "M<x> <y>h<run>v1h-<run>z", at most 4 numbers of 11 digits. */
            char seg[64], *p = seg;
            *p++ = 'M';
            p = qrcode_put_int(p, x + QRCODE_QUIET);
            *p++ = ' ';
            p = qrcode_put_int(p, y + QRCODE_QUIET);
            *p++ = 'h';
            p = qrcode_put_int(p, run);
            memcpy(p, "v1h-", 4);
            p = qrcode_put_int(p + 4, run);
            *p++ = 'z';
            buf_put(out, seg, (size_t)(p - seg));
            x += run;
        }
    }
    buf_puts(out, "\"/></svg>");
}
