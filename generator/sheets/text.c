/* Text layouts and the line fragments they become. */
#include "sheets_internal.h"

#include "../util/xalloc.h"

#include <string.h>

PangoLayout *sheet_layout(sheet *s, const char *family, double size, bool bold, double width)
{
    PangoLayout *l = pango_layout_new(s->ctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE + 0.5));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        /* Chinese breaks between any two characters; a long URL or number
         * breaks anywhere rather than running out of its column. */
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    s->layouts = xgrow(s->layouts, &s->layout_cap, s->layout_count + 1, sizeof *s->layouts);
    s->layouts[s->layout_count++] = l;
    return l;
}

/* A character no installed font has prints as an empty box: say so, once
 * per item, naming its file. */
static void sheet_glyphs_check(sheet *s, PangoLayout *l)
{
    int unknown = pango_layout_get_unknown_glyphs_count(l);
    if (unknown <= 0 || s->source_warned)
        return;
    s->source_warned = true;
    diag_add(s->diags, DIAG_WARNING, "GK504", s->source, 0, 0,
             "有 %d 个字符在已安装的字体中都没有，公开栏 PDF 上会印成方框：请改用常用字，"
             "或安装含有这些字的字体",
             unknown);
}

void sheet_layout_markup(sheet *s, PangoLayout *l, const char *markup)
{
    pango_layout_set_markup(l, markup, -1);
    sheet_glyphs_check(s, l);
}

void sheet_layout_text(sheet *s, PangoLayout *l, const char *text)
{
    pango_layout_set_text(l, text, -1);
    sheet_glyphs_check(s, l);
}

double sheet_layout_height(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return (double)logical.height / PANGO_SCALE;
}

double sheet_layout_width(PangoLayout *l)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    return (double)logical.width / PANGO_SCALE;
}

sheet_frag *sheet_frag_add(sheet *s, sheet_frag_kind kind)
{
    s->frags = xgrow(s->frags, &s->frag_cap, s->frag_count + 1, sizeof *s->frags);
    sheet_frag *f = &s->frags[s->frag_count++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    return f;
}

void sheet_lines_add(sheet *s, PangoLayout *l, const sheet_frag *context, double space_before,
                     bool keep)
{
    int n = pango_layout_get_line_count(l);
    PangoLayoutIter *iter = pango_layout_get_iter(l);
    int i = 0;
    do {
        int y0, y1;
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(iter, &y0, &y1);
        pango_layout_iter_get_line_extents(iter, NULL, &logical);
        int baseline = pango_layout_iter_get_baseline(iter);
        sheet_frag *f = sheet_frag_add(s, SHEET_FRAG_LINE);
        f->x = context->x;
        f->width = context->width;
        f->quotes = context->quotes;
        memcpy(f->bar_x, context->bar_x, sizeof f->bar_x);
        f->shade = context->shade;
        f->layout = l;
        f->line = i;
        f->line_x = (double)logical.x / PANGO_SCALE;
        f->baseline = (double)(baseline - y0) / PANGO_SCALE;
        f->height = (double)(y1 - y0) / PANGO_SCALE;
        f->space_before = i == 0 ? space_before : 0;
        /* No line alone at a column's foot or head: the first two and the
         * last two lines of a paragraph travel together. */
        f->keep_with_next = keep || (n >= 2 && (i == 0 || i == n - 2));
        if (i == 0 && s->marker) {
            f->marker = s->marker;
            s->marker = NULL;
        }
        i++;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
}
