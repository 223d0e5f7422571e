/* An item's foot: a QR code of its web page, drawn as vector paths so it
 * prints sharp at any size, beside its caption, the address and the review
 * sign-off. */
#include "sheets_internal.h"

#include <qrencode.h>
#include <string.h>

int sheet_foot_add(sheet *s, const content_item *it, const char *url, const char *review)
{
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        diag_add(s->diags, DIAG_ERROR, "GK502", it->path, 0, 0,
                 "信息的网址太长，无法做成二维码（%zu 字节）：请检查 naming.lua 的 item_url "
                 "和 site.toml 的 base_url",
                 strlen(url));
        return -1;
    }
    sheet_foot *f = arena_alloc(&s->mem, sizeof *f);
    f->modules = qr->width;
    size_t n = (size_t)qr->width * (size_t)qr->width;
    f->dark = arena_alloc(&s->mem, n);
    for (size_t i = 0; i < n; i++)
        f->dark[i] = qr->data[i] & 1;
    QRcode_free(qr);
    f->size = s->st.qr;
    /* The code's own white border (4 modules) keeps the text clear of it. */
    f->text_x = f->size + 4.0 * f->size / f->modules;

    buf markup = BUF_INIT;
    buf_puts(&markup, "<span font_family=\"" SHEET_SANS "\" weight=\"bold\">扫码查看网页版</span>\n"
                      "<span size=\"smaller\">");
    buf_put_html_escaped(&markup, url, strlen(url));
    buf_puts(&markup, "</span>");
    if (review) {
        buf_puts(&markup, "\n");
        buf_put_html_escaped(&markup, review, strlen(review));
    }
    f->text = sheet_layout(s, SHEET_SERIF, s->st.small, false, s->st.col_w - f->text_x);
    pango_layout_set_line_spacing(f->text, 1.3f);
    sheet_layout_markup(s, f->text, buf_cstr(&markup));
    buf_free(&markup);

    double text_h = sheet_layout_height(f->text);
    sheet_frag *frag = sheet_frag_add(s, SHEET_FRAG_FOOT);
    frag->foot = f;
    frag->width = s->st.col_w;
    frag->height = text_h > f->size ? text_h : f->size;
    frag->space_before = s->st.body * 0.8;
    return 0;
}

void sheet_foot_draw(cairo_t *cr, const sheet_foot *f, double x, double y)
{
    double m = f->size / f->modules;
    cairo_set_source_rgb(cr, 0, 0, 0);
    /* One rectangle per run of dark modules in a row, filled as one path. */
    for (int row = 0; row < f->modules; row++) {
        const unsigned char *dark = f->dark + (size_t)row * (size_t)f->modules;
        for (int col = 0; col < f->modules;) {
            if (!dark[col]) {
                col++;
                continue;
            }
            int run = 1;
            while (col + run < f->modules && dark[col + run])
                run++;
            cairo_rectangle(cr, x + col * m, y + row * m, run * m, m);
            col += run;
        }
    }
    cairo_fill(cr);
    cairo_move_to(cr, x + f->text_x, y);
    pango_cairo_show_layout(cr, f->text);
}
