/* QR codes of page URLs as inline SVG ("扫一扫在手机打开当前页"): vector, so
 * they print sharp, and inline, so a page makes no extra request. */
#ifndef GK_RENDER_QRCODE_H
#define GK_RENDER_QRCODE_H

#include "../util/buf.h"

/* Append an <svg> element encoding `text` (error correction level M, 4-module
 * quiet zone) with `label` as its accessible name. Returns 0, or -1 when the
 * text cannot be encoded (too long for a QR code). */
int qrcode_svg(const char *text, const char *label, buf *out);

#endif
