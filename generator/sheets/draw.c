/* Painting the placed fragments of a page. */
#include "sheets_internal.h"

static void draw_layout_line(cairo_t *cr, PangoLayout *l, int line, double x, double baseline)
{
    cairo_move_to(cr, x, baseline);
    pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(l, line));
}

static void draw_quote_bars(cairo_t *cr, const sheet_frag *f, double cx, double y)
{
    if (!f->quotes)
        return;
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 1.5);
    for (int q = 0; q < f->quotes; q++) {
        cairo_move_to(cr, cx + f->bar_x[q], y);
        cairo_line_to(cr, cx + f->bar_x[q], y + f->height);
    }
    cairo_stroke(cr);
}

static void draw_line(const sheet *s, cairo_t *cr, const sheet_frag *f, double x, double y)
{
    if (f->shade) {
        cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
        cairo_rectangle(cr, x - SHEET_CODE_PAD, y, f->width + 2 * SHEET_CODE_PAD, f->height);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (f->marker) {
        double w = sheet_layout_width(f->marker);
        draw_layout_line(cr, f->marker, 0, x - w - s->st.body * 0.4, y + f->baseline);
    }
    draw_layout_line(cr, f->layout, f->line, x + f->line_x, y + f->baseline);
}

static void draw_rule(cairo_t *cr, const sheet_frag *f, double x, double y)
{
    if (f->strong)
        cairo_set_source_rgb(cr, SHEET_RED);
    else
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, f->strong ? 1.2 : 0.5);
    cairo_move_to(cr, x, y + f->height / 2);
    cairo_line_to(cr, x + f->width, y + f->height / 2);
    cairo_stroke(cr);
}

static void draw_frag(const sheet *s, cairo_t *cr, const sheet_frag *f, double cx, double y)
{
    double x = cx + f->x;
    draw_quote_bars(cr, f, cx, y);
    switch (f->kind) {
    case SHEET_FRAG_LINE:
        draw_line(s, cr, f, x, y);
        break;
    case SHEET_FRAG_ROW:
        /* A row taller than the column (reported as GK505) must not run
         * over the page foot. */
        cairo_save(cr);
        cairo_rectangle(cr, cx, s->st.top, s->st.col_w, s->st.col_h);
        cairo_clip(cr);
        sheet_table_draw(cr, f->table, f->row, x, y);
        cairo_restore(cr);
        break;
    case SHEET_FRAG_RULE:
        draw_rule(cr, f, x, y);
        break;
    case SHEET_FRAG_FOOT:
        sheet_foot_draw(cr, f->foot, x, y);
        break;
    }
}

void sheet_page_draw(sheet *s, cairo_t *cr, int page)
{
    sheet_frame_head_draw(s, cr);
    /* Places run column by column: each gutter's fence goes between the
     * columns it parts, and on every page, full or not. */
    int column = 0;
    for (size_t i = 0; i < s->place_count; i++) {
        const sheet_place *p = &s->places[i];
        if (p->page != page)
            continue;
        while (column < p->column)
            sheet_fence_gutter(s, cr, ++column);
        double cx = s->st.margin + p->column * (s->st.col_w + s->st.gap);
        draw_frag(s, cr, &s->frags[p->frag], cx, s->st.top + p->y);
    }
    while (column < s->st.columns - 1)
        sheet_fence_gutter(s, cr, ++column);
    sheet_frame_foot_draw(s, cr, page);
}
