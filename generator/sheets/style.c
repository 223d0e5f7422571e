/* Paper sizes, margins, columns and type sizes; the fonts they need. */
#include "sheets_internal.h"

#include <string.h>

#define MM (72.0 / 25.4)

void sheet_style_init(sheet_style *st, const char *paper, size_t widest_table)
{
    memset(st, 0, sizeof *st);
    st->margin = 15 * MM;
    if (strcmp(paper, "A3") == 0) {
        /* A3 landscape: three columns, read from a step away. */
        st->width = 420 * MM;
        st->height = 297 * MM;
        st->columns = 3;
        st->gap = 8 * MM;
        st->body = 11;
        st->table = 10;
        st->small = 9;
        st->heading = 12.5;
        st->subheading = 11.5;
        st->title = 15;
        st->board = 30;
        st->board_sub = 13;
        st->foot = 10;
        st->qr = 25 * MM;
    } else {
        /* A4 portrait: two columns, or one when a table has too many
         * columns to stay legible in half the width. */
        st->width = 210 * MM;
        st->height = 297 * MM;
        st->columns = widest_table > 4 ? 1 : 2;
        st->gap = 6 * MM;
        st->body = 9.5;
        st->table = 8.5;
        st->small = 8;
        st->heading = 10.5;
        st->subheading = 10;
        st->title = 12.5;
        st->board = 21;
        st->board_sub = 10.5;
        st->foot = 8.5;
        st->qr = 20 * MM;
    }
    st->col_w = (st->width - 2 * st->margin - (st->columns - 1) * st->gap) / st->columns;
}

int sheet_fonts_check(sheet *s)
{
    static const char *const families[] = {SHEET_SERIF, SHEET_SANS, SHEET_MONO};
    int rc = 0;
    for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
        PangoFontDescription *want = pango_font_description_new();
        pango_font_description_set_family(want, families[i]);
        pango_font_description_set_size(want, 10 * PANGO_SCALE);
        PangoFont *font = pango_font_map_load_font(s->fontmap, s->ctx, want);
        PangoFontDescription *got = font ? pango_font_describe(font) : NULL;
        const char *family = got ? pango_font_description_get_family(got) : NULL;
        /* Fontconfig always finds something: a different family means the
         * Noto CJK fonts are not installed. */
        if (!family || g_ascii_strcasecmp(family, families[i]) != 0) {
            diag_add(s->diags, DIAG_ERROR, "GK503", "", 0, 0,
                     "找不到字体“%s”（%s%s%s）：公开栏 PDF 要用 Debian 的 fonts-noto-cjk "
                     "字体，请安装：apt-get install fonts-noto-cjk",
                     families[i], family ? "只找到“" : "系统中没有任何字体", family ? family : "",
                     family ? "”" : "");
            rc = -1;
        }
        if (got)
            pango_font_description_free(got);
        if (font)
            g_object_unref(font);
        pango_font_description_free(want);
    }
    return rc;
}
