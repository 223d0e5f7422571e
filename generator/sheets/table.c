/* GFM tables: column widths fitted to the column, borders, the header row
 * repeated wherever the table continues, numbers right-aligned. */
#include "sheets_internal.h"

#include <cmark-gfm-core-extensions.h>
#include <string.h>

/* "1,552,860", "4.20", "-3", "12%": figures line up on the right. */
static bool table_is_number(const char *s)
{
    while (*s == ' ')
        s++;
    if (*s == '+' || *s == '-')
        s++;
    else if (strncmp(s, "−", strlen("−")) == 0)
        s += strlen("−");
    if (*s < '0' || *s > '9')
        return false;
    while ((*s >= '0' && *s <= '9') || *s == ',' || *s == '.')
        s++;
    if (*s == '%')
        s++;
    while (*s == ' ')
        s++;
    return *s == '\0';
}

static bool table_is_blank(const char *s)
{
    while (*s == ' ')
        s++;
    return *s == '\0';
}

/* A column whose body cells are all figures (or empty) reads best
 * right-aligned, even when the Markdown did not say so. */
static bool table_column_numeric(cmark_node **cells, size_t rows, size_t cols, size_t c)
{
    bool any = false;
    buf text = BUF_INIT;
    for (size_t r = 1; r < rows; r++) {
        cmark_node *cell = cells[r * cols + c];
        if (!cell)
            continue;
        buf_reset(&text);
        sheet_inline_text(cell, &text);
        if (table_is_blank(buf_cstr(&text)))
            continue;
        if (!table_is_number(buf_cstr(&text))) {
            any = false;
            break;
        }
        any = true;
    }
    buf_free(&text);
    return any;
}

static PangoAlignment table_alignment(uint8_t markdown, bool numeric)
{
    if (markdown == 'r' || (markdown == 0 && numeric))
        return PANGO_ALIGN_RIGHT;
    return markdown == 'c' ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT;
}

/* Share `avail` among the columns: all at their natural width when that
 * fits (stretched to fill); otherwise narrow columns keep their natural
 * width, no column drops below `floor` characters, and the wide ones share
 * the rest in proportion to their natural width. */
static void table_widths(const double *natural, const double *floor, size_t cols, double avail,
                         bool *fixed, double *out)
{
    double total = 0;
    for (size_t c = 0; c < cols; c++)
        total += natural[c];
    if (total <= avail) {
        for (size_t c = 0; c < cols; c++)
            out[c] = natural[c] + (avail - total) * natural[c] / total;
        return;
    }
    memset(fixed, 0, cols * sizeof *fixed);
    double left = avail, rest = total;
    size_t open = cols;
    for (bool changed = true; changed && open;) {
        changed = false;
        for (size_t c = 0; c < cols; c++)
            if (!fixed[c] && natural[c] <= left / (double)open) {
                out[c] = natural[c];
                changed = fixed[c] = true;
            }
        for (size_t c = 0; c < cols && !changed; c++)
            if (!fixed[c] && left * natural[c] / rest < floor[c]) {
                out[c] = floor[c];
                changed = fixed[c] = true;
            }
        left = avail;
        rest = total;
        open = cols;
        for (size_t c = 0; c < cols; c++)
            if (fixed[c]) {
                left -= out[c];
                rest -= natural[c];
                open--;
            }
    }
    double sum = 0;
    for (size_t c = 0; c < cols; c++) {
        if (!fixed[c])
            out[c] = left * natural[c] / rest;
        sum += out[c];
    }
    /* More columns than fit even at their floor: squeeze them all. */
    if (sum > avail)
        for (size_t c = 0; c < cols; c++)
            out[c] *= avail / sum;
}

void sheet_table_add(sheet *s, cmark_node *table, const sheet_frag *place)
{
    sheet_table *t = arena_alloc(&s->mem, sizeof *t);
    size_t cols = cmark_gfm_extensions_get_table_columns(table);
    size_t rows = 0;
    for (cmark_node *r = cmark_node_first_child(table); r; r = cmark_node_next(r))
        rows++;
    if (!cols || !rows)
        return;
    t->cols = cols;
    t->rows = rows;
    t->pad = s->st.table * 0.4;
    t->col_x = arena_alloc(&s->mem, cols * sizeof *t->col_x);
    t->col_w = arena_alloc(&s->mem, cols * sizeof *t->col_w);
    t->row_h = arena_alloc(&s->mem, rows * sizeof *t->row_h);
    t->cells = arena_alloc(&s->mem, rows * cols * sizeof *t->cells);
    cmark_node **nodes = arena_alloc(&s->mem, rows * cols * sizeof *nodes);
    double *natural = arena_alloc(&s->mem, cols * sizeof *natural);
    double *floor = arena_alloc(&s->mem, cols * sizeof *floor);
    bool *fixed = arena_alloc(&s->mem, cols * sizeof *fixed);

    size_t r = 0;
    for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row), r++) {
        size_t c = 0;
        for (cmark_node *cell = cmark_node_first_child(row); cell && c < cols;
             cell = cmark_node_next(cell))
            nodes[r * cols + c++] = cell;
    }
    buf markup = BUF_INIT;
    for (size_t i = 0; i < rows * cols; i++) {
        if (!nodes[i])
            continue;
        buf_reset(&markup);
        sheet_inline_markup(nodes[i], &markup);
        bool header = i < cols;
        PangoLayout *l =
            sheet_layout(s, header ? SHEET_SANS : SHEET_SERIF, s->st.table, header, -1);
        pango_layout_set_line_spacing(l, 1.2f);
        sheet_layout_markup(s, l, buf_cstr(&markup));
        t->cells[i] = l;
        /* A point to spare: a cell set exactly to its text width may wrap. */
        double w = sheet_layout_width(l) + 2 * t->pad + 1;
        if (w > natural[i % cols])
            natural[i % cols] = w;
    }
    buf_free(&markup);
    double least = 3 * s->st.table + 2 * t->pad; /* three characters */
    for (size_t c = 0; c < cols; c++) {
        if (natural[c] < s->st.table + 2 * t->pad)
            natural[c] = s->st.table + 2 * t->pad;
        floor[c] = natural[c] < least ? natural[c] : least;
    }
    table_widths(natural, floor, cols, place->width, fixed, t->col_w);

    const uint8_t *align = cmark_gfm_extensions_get_table_alignments(table);
    for (size_t c = 0; c < cols; c++) {
        t->col_x[c] = c ? t->col_x[c - 1] + t->col_w[c - 1] : 0;
        PangoAlignment a =
            table_alignment(align ? align[c] : 0, table_column_numeric(nodes, rows, cols, c));
        for (r = 0; r < rows; r++) {
            PangoLayout *l = t->cells[r * cols + c];
            if (!l)
                continue;
            pango_layout_set_width(l, (int)((t->col_w[c] - 2 * t->pad) * PANGO_SCALE));
            pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
            pango_layout_set_alignment(l, a);
            double h = sheet_layout_height(l) + 2 * t->pad;
            if (h > t->row_h[r])
                t->row_h[r] = h;
        }
    }
    for (r = 0; r < rows; r++) {
        if (t->row_h[r] == 0)
            t->row_h[r] = s->st.table * 1.2 + 2 * t->pad;
        if (t->row_h[r] > s->st.col_h)
            diag_add(s->diags, DIAG_WARNING, "GK505", s->source, 0, 0,
                     "表格第 %zu 行比公开栏的一栏还高，打印时超出部分会被截掉：请把这一行拆成几行，"
                     "或缩短单元格的内容",
                     r + 1);
        sheet_frag *f = sheet_frag_add(s, SHEET_FRAG_ROW);
        f->x = place->x;
        f->width = place->width;
        f->quotes = place->quotes;
        memcpy(f->bar_x, place->bar_x, sizeof f->bar_x);
        f->table = t;
        f->row = r;
        f->height = t->row_h[r];
        f->space_before = r == 0 ? s->st.body * 0.6 : 0;
        /* The header row never stands alone at a column's foot. */
        f->keep_with_next = r == 0 && rows > 1;
        if (r == 0)
            t->header_frag = s->frag_count - 1;
    }
}

void sheet_table_draw(cairo_t *cr, const sheet_table *t, size_t row, double x, double y)
{
    double h = t->row_h[row];
    cairo_set_line_width(cr, 0.6);
    for (size_t c = 0; c < t->cols; c++) {
        double cx = x + t->col_x[c], w = t->col_w[c];
        if (row == 0) {
            cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
            cairo_rectangle(cr, cx, y, w, h);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        PangoLayout *l = t->cells[row * t->cols + c];
        if (l) {
            cairo_move_to(cr, cx + t->pad, y + t->pad);
            pango_cairo_show_layout(cr, l);
        }
        cairo_rectangle(cr, cx, y, w, h);
        cairo_stroke(cr);
    }
}
