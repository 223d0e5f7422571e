#include "qrcode.h"

#include <qrencode.h>
#include <string.h>

#define QRCODE_QUIET 4

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

int qrcode_svg(const char *text, const char *label, buf *out)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr)
        return -1;
    int size = qr->width + 2 * QRCODE_QUIET;
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
    for (int y = 0; y < qr->width; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;
        for (int x = 0; x < qr->width;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < qr->width && (row[x + run] & 1))
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
    QRcode_free(qr);
    return 0;
}
