/* Invisible fences that keep the text of the columns in reading order for
 * poppler's layout analysis: plain pdftotext, and copying text out of the
 * viewers built on poppler.
 *
 * poppler does not read text in the order it is drawn. It groups words into
 * blocks and sorts the blocks (TextPage::coalesce, poppler 22): a block goes
 * before another when the two overlap sideways and it is higher, or when it
 * lies wholly to the left and nothing between them spans both. Before the
 * sort each block is widened as far as the blocks below it reach, stopping
 * only at a block beside it. Where the next column has nothing beside a
 * block (between two items, beside a QR code, under a short column), the
 * block widens across the gutter, and text high in the next column then
 * sorts before it. Four blocks aligned in two columns are also taken for a
 * table and read row by row.
 *
 * A fence is a word poppler sees and the reader does not: a space glyph, no
 * ink, scaled to the fence's rectangle and standing for one ZERO WIDTH SPACE
 * (an ActualText span, as the glyph already stands for a space elsewhere).
 * A wall the height of the columns in each gutter stops every widening
 * there, and, overlapping all beside it, rules out a table across the
 * gutter: the sort reads column by column. A fence across the page between
 * the head and the columns, between the columns and the foot, and between
 * the lines of the foot keeps each region before the next. */
#include "sheets_internal.h"

#include <math.h>
#include <string.h>

static const char fence_text[] = "\u200b";

void sheet_fence_prepare(sheet *s)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, SHEET_SANS);
    pango_font_description_set_size(fd, 10 * PANGO_SCALE);
    PangoFont *font = pango_font_map_load_font(s->fontmap, s->ctx, fd);
    pango_font_description_free(fd);
    cairo_scaled_font_t *sized = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font));
    cairo_font_face_t *face = cairo_font_face_reference(cairo_scaled_font_get_font_face(sized));
    g_object_unref(font);

    /* At 1 pt, unhinted: the ascent and descent that the PDF's font
     * descriptor gives poppler for the height of a word, and the space. */
    cairo_matrix_t unit;
    cairo_matrix_init_identity(&unit);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_scaled_font_t *one = cairo_scaled_font_create(face, &unit, &unit, fo);
    cairo_font_options_destroy(fo);
    cairo_font_extents_t fe;
    cairo_scaled_font_extents(one, &fe);
    cairo_glyph_t *glyphs = NULL;
    int n = 0;
    cairo_text_extents_t te = {0};
    if (cairo_scaled_font_text_to_glyphs(one, 0, 0, " ", 1, &glyphs, &n, NULL, NULL, NULL) ==
            CAIRO_STATUS_SUCCESS &&
        n == 1)
        cairo_scaled_font_glyph_extents(one, glyphs, 1, &te);
    /* Fences must never show: without a space glyph free of ink, none. */
    if (n == 1 && te.width == 0 && te.height == 0 && te.x_advance > 0) {
        s->fence_face = face;
        s->fence_glyph = glyphs[0].index;
        s->fence_ascent = fe.ascent;
        s->fence_descent = fe.descent;
        s->fence_advance = te.x_advance;
    } else {
        cairo_font_face_destroy(face);
    }
    cairo_glyph_free(glyphs);
    cairo_scaled_font_destroy(one);
}

/* poppler makes a word as tall as its font size times the ascent and
 * descent, and spreads an ActualText span from the first glyph's origin to
 * the end of the last: two glyphs, the rectangle's height, 1 pt wide each. */
static void fence_draw(const sheet *s, cairo_t *cr, double x0, double y0, double x1, double y1)
{
    if (!s->fence_face)
        return;
    double size = (y1 - y0) / (s->fence_ascent + s->fence_descent);
    double base = y0 + s->fence_ascent * size;
    cairo_matrix_t m;
    cairo_matrix_init_scale(&m, 1, size);
    cairo_glyph_t glyphs[2] = {{s->fence_glyph, x0, base},
                               {s->fence_glyph, x1 - s->fence_advance, base}};
    cairo_text_cluster_t cluster = {(int)strlen(fence_text), 2};
    cairo_save(cr);
    /* Opaque, as cairo skips drawing with a clear source. */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_face(cr, s->fence_face);
    cairo_set_font_matrix(cr, &m);
    cairo_show_text_glyphs(cr, fence_text, cluster.num_bytes, glyphs, 2, &cluster, 1, 0);
    cairo_restore(cr);
}

void sheet_fence_across(const sheet *s, cairo_t *cr, double y)
{
    fence_draw(s, cr, s->st.margin, y - SHEET_FENCE / 2, s->st.width - s->st.margin,
               y + SHEET_FENCE / 2);
}

void sheet_fence_gutter(const sheet *s, cairo_t *cr, int column)
{
    const sheet_style *st = &s->st;
    double x = st->margin + column * (st->col_w + st->gap) - st->gap / 2;
    /* poppler joins words of one size into a line when they are less than
     * their font size apart: a wall as tall as the columns would join the
     * next gutter's. Stacked pieces of one size, each short enough, still
     * make one block per gutter. */
    int pieces = 1;
    if (st->columns > 2) {
        double far = 0.75 * (st->col_w + st->gap) * (s->fence_ascent + s->fence_descent);
        pieces = (int)ceil(st->col_h / far);
    }
    double h = st->col_h / pieces;
    for (int i = 0; i < pieces; i++)
        fence_draw(s, cr, x - SHEET_FENCE / 4, st->top + i * h, x + SHEET_FENCE / 4,
                   st->top + (i + 1) * h);
}
