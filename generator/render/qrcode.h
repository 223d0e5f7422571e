/* QR codes of page URLs as inline SVG ("扫一扫在手机打开当前页"): vector, so
 * they print sharp, and inline, so a page makes no extra request. Encoding
 * (libqrencode scores all eight masks) costs far more than drawing, so a
 * code's modules can be kept (qrcode_matrix_write, in the build cache) and
 * drawn again from there, to the same bytes. */
#ifndef GK_RENDER_QRCODE_H
#define GK_RENDER_QRCODE_H

#include "../util/buf.h"

#include <stdint.h>

/* The widest code, version 40's. */
#define QRCODE_MAX_WIDTH 177

/* A code's modules: width × width (21 to 177, in steps of 4), row by row,
 * eight to a byte from its highest bit, 1 for dark; the bits past the last
 * module are 0. */
typedef struct qrcode_matrix {
    int width;
    unsigned char bits[(QRCODE_MAX_WIDTH * QRCODE_MAX_WIDTH + 7) / 8];
} qrcode_matrix;

/* The key of all a code of `text` depends on: the text, the error
 * correction level and libqrencode's version (another may choose another
 * mask). */
uint64_t qrcode_key(const char *text);
/* Encode `text` (error correction level L) into *m. Returns 0, or -1 when
 * the text cannot be encoded (too long for a QR code). */
int qrcode_encode(const char *text, qrcode_matrix *m);
/* Append an <svg> element drawing *m (with a 4-module quiet zone) with
 * `label` as its accessible name. */
void qrcode_matrix_svg(const qrcode_matrix *m, const char *label, buf *out);
/* *m as bytes to keep: its width in one byte, then its bits. */
void qrcode_matrix_write(const qrcode_matrix *m, buf *out);
/* The bytes qrcode_matrix_write wrote into *m. Returns 0, or -1 when they
 * are no code's: a width no QR code has, a length not the width's, or a bit
 * set past the last module. */
int qrcode_matrix_read(const void *data, size_t len, qrcode_matrix *m);

#endif
