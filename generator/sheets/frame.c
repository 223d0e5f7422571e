/* The head and foot of every page: the board's unified title, the period and
 * posting dates above; the review sign-off, the supervision phone and the
 * page number below. Every page carries them, since each is pinned up on
 * its own. */
#include "sheets_internal.h"

#include <stdio.h>

#define FRAME_RULES 8.0 /* the red double rule under the head */

void sheet_frame_prepare(sheet *s, const char *title, const char *subtitle, const char *review)
{
    sheet_style *st = &s->st;
    double width = st->width - 2 * st->margin;
    s->source = "";
    s->head_title = sheet_layout(s, SHEET_SANS, st->board, true, width);
    pango_layout_set_alignment(s->head_title, PANGO_ALIGN_CENTER);
    sheet_layout_text(s, s->head_title, title);
    s->head_sub = sheet_layout(s, SHEET_SANS, st->board_sub, false, width);
    pango_layout_set_alignment(s->head_sub, PANGO_ALIGN_CENTER);
    sheet_layout_text(s, s->head_sub, subtitle);
    s->head_h = sheet_layout_height(s->head_title) + st->board_sub * 0.4 +
                sheet_layout_height(s->head_sub) + FRAME_RULES + st->body;

    s->foot_review = NULL;
    double review_h = 0;
    if (review) {
        s->foot_review = sheet_layout(s, SHEET_SERIF, st->foot, false, width);
        sheet_layout_text(s, s->foot_review, review);
        review_h = sheet_layout_height(s->foot_review) + st->foot * 0.5;
    }
    buf phone = BUF_INIT;
    const char *number = s->board->supervision_phone;
    if (number && *number)
        buf_printf(&phone, "监督电话：%s", number);
    s->foot_phone = sheet_layout(s, SHEET_SERIF, st->foot, false, width);
    sheet_layout_text(s, s->foot_phone, buf_cstr(&phone));
    buf_free(&phone);
    s->foot_h = st->body + review_h + sheet_layout_height(s->foot_phone);
    st->top = st->margin + s->head_h;
    st->col_h = st->height - 2 * st->margin - s->head_h - s->foot_h;
}

static void frame_rule(cairo_t *cr, double x0, double x1, double y, double width)
{
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

void sheet_frame_head_draw(sheet *s, cairo_t *cr)
{
    const sheet_style *st = &s->st;
    double x0 = st->margin, x1 = st->width - st->margin, y = st->margin;
    cairo_set_source_rgb(cr, SHEET_RED);
    cairo_move_to(cr, x0, y);
    pango_cairo_show_layout(cr, s->head_title);
    y += sheet_layout_height(s->head_title) + st->board_sub * 0.4;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, x0, y);
    pango_cairo_show_layout(cr, s->head_sub);
    y += sheet_layout_height(s->head_sub);
    cairo_set_source_rgb(cr, SHEET_RED);
    frame_rule(cr, x0, x1, y + 3, 2.2);
    frame_rule(cr, x0, x1, y + 6.5, 0.7);
    sheet_fence_across(s, cr, st->top - st->body / 2);
}

void sheet_frame_foot_draw(sheet *s, cairo_t *cr, int page)
{
    const sheet_style *st = &s->st;
    double x0 = st->margin, x1 = st->width - st->margin;
    double y = st->height - st->margin - s->foot_h + st->body * 0.5;
    sheet_fence_across(s, cr, y - st->body * 0.25);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    frame_rule(cr, x0, x1, y, 0.5);
    y += st->body * 0.5;
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (s->foot_review) {
        cairo_move_to(cr, x0, y);
        pango_cairo_show_layout(cr, s->foot_review);
        y += sheet_layout_height(s->foot_review) + st->foot * 0.5;
        sheet_fence_across(s, cr, y - st->foot * 0.25);
    }
    cairo_move_to(cr, x0, y);
    pango_cairo_show_layout(cr, s->foot_phone);
    char label[64];
    snprintf(label, sizeof label, "第 %d 页 共 %d 页", page + 1, s->pages);
    PangoLayout *number = sheet_layout(s, SHEET_SERIF, st->foot, false, -1);
    sheet_layout_text(s, number, label);
    cairo_move_to(cr, x1 - sheet_layout_width(number), y);
    pango_cairo_show_layout(cr, number);
}
