/* Private to the sheets stage. A sheet is made in three steps: the content
 * becomes a list of fragments (one per text line, table row, rule or QR
 * block), each with its height and whether it must stay with the next one;
 * flow.c places them in columns and pages; draw.c and frame.c paint the
 * pages. Lines are the unit, so a paragraph or a table breaks between any two
 * lines or rows and nothing is ever clipped or drawn twice. */
#ifndef GK_SHEETS_SHEETS_INTERNAL_H
#define GK_SHEETS_SHEETS_INTERNAL_H

#include "sheets.h"

#include "../util/arena.h"

#include <cmark-gfm.h>
#include <pango/pangocairo.h>
#include <stdbool.h>

#define SHEET_MAX_QUOTES 4 /* block quote bars drawn; deeper quotes indent only */

/* The fonts of fonts-noto-cjk: a serif body, sans headings, mono code. */
#define SHEET_SERIF "Noto Serif CJK SC"
#define SHEET_SANS "Noto Sans CJK SC"
#define SHEET_MONO "Noto Sans Mono CJK SC"

#define SHEET_RED 0.75, 0.05, 0.05
#define SHEET_CODE_PAD 4.0 /* the grey ground around code */
#define SHEET_FENCE 2.0    /* how thick an invisible fence is (fence.c) */

/* Page geometry and type sizes for one paper, in points. */
typedef struct sheet_style {
    double width, height; /* the page */
    double margin;        /* on every side */
    int columns;
    double gap;                 /* between columns */
    double body, table, small;  /* body text, table cells, meta lines */
    double heading, subheading; /* headings of levels 1-2, 3-6 */
    double title;               /* an item's title */
    double board, board_sub;    /* the page head: the board's title, the period */
    double foot;                /* the page foot */
    double qr;                  /* the QR code's side */
    double col_w;               /* one column's width */
    double top, col_h;          /* where columns start, and their height */
} sheet_style;

typedef enum sheet_frag_kind {
    SHEET_FRAG_LINE, /* one line of a text layout */
    SHEET_FRAG_ROW,  /* one row of a table */
    SHEET_FRAG_RULE, /* a horizontal rule */
    SHEET_FRAG_FOOT, /* an item's QR code with its caption */
} sheet_frag_kind;

typedef struct sheet_table sheet_table;
typedef struct sheet_foot sheet_foot;

typedef struct sheet_frag {
    sheet_frag_kind kind;
    double height;
    double space_before; /* dropped at the top of a column */
    bool keep_with_next; /* never the last thing in a column */
    double x;            /* left edge, from the column's */
    double width;
    int quotes; /* block quote bars at bar_x */
    double bar_x[SHEET_MAX_QUOTES];
    /* SHEET_FRAG_LINE */
    PangoLayout *layout;
    int line;
    double line_x, baseline; /* the line within its layout, baseline from its top */
    PangoLayout *marker;     /* list marker, right-aligned before x */
    bool shade;              /* code: a grey ground */
    /* SHEET_FRAG_ROW */
    const sheet_table *table;
    size_t row;
    /* SHEET_FRAG_RULE: the red rule above an item, or a thin grey one */
    bool strong;
    /* SHEET_FRAG_FOOT */
    const sheet_foot *foot;
} sheet_frag;

struct sheet_table {
    size_t cols, rows;
    double pad;
    double *col_x, *col_w; /* from the table's left edge */
    double *row_h;
    PangoLayout **cells; /* rows × cols; NULL for a cell the row lacks */
    size_t header_frag;  /* the frag of row 0, repeated atop each column it continues in */
};

struct sheet_foot {
    int modules; /* the QR code is modules × modules */
    unsigned char *dark;
    double size;
    PangoLayout *text; /* caption, URL, review */
    double text_x;
};

/* A fragment placed on a page: y from the top of its column. */
typedef struct sheet_place {
    size_t frag;
    int page, column;
    double y;
} sheet_place;

typedef struct sheet {
    arena mem;
    const site_config *cfg;
    const board *board;
    naming *names;
    diag_list *diags;
    PangoFontMap *fontmap;
    PangoContext *ctx;
    sheet_style st;
    const char *source; /* the item being laid out, for diagnostics; "" for the page frame */
    bool source_warned; /* its missing glyphs were reported */

    PangoLayout **layouts; /* every layout made, released with the sheet */
    size_t layout_count, layout_cap;
    sheet_frag *frags;
    size_t frag_count, frag_cap;
    sheet_place *places;
    size_t place_count, place_cap;
    int pages;

    PangoLayout *marker; /* a list item's marker, for the next line emitted */

    /* The page frame. */
    PangoLayout *head_title, *head_sub, *foot_review, *foot_phone;
    double head_h, foot_h;

    /* The fences' font (NULL: no fences): the sans face's space glyph, and
     * its metrics at 1 pt. */
    cairo_font_face_t *fence_face;
    unsigned long fence_glyph;
    double fence_ascent, fence_descent, fence_advance;
} sheet;

/* style.c */
void sheet_style_init(sheet_style *st, const char *paper, size_t widest_table);
/* Check that the Noto CJK families are installed; GK503 when not. */
int sheet_fonts_check(sheet *s);

/* text.c: layouts and the lines they become. */
PangoLayout *sheet_layout(sheet *s, const char *family, double size, bool bold, double width);
void sheet_layout_markup(sheet *s, PangoLayout *l, const char *markup);
void sheet_layout_text(sheet *s, PangoLayout *l, const char *text);
double sheet_layout_height(PangoLayout *l);
double sheet_layout_width(PangoLayout *l);
sheet_frag *sheet_frag_add(sheet *s, sheet_frag_kind kind);
/* One fragment per line, placed as `context` says (x, width, quote bars).
 * keep: every line stays with what follows (headings, titles); otherwise the
 * first two and the last two lines of a paragraph stay together. The pending
 * list marker goes on the first line. */
void sheet_lines_add(sheet *s, PangoLayout *l, const sheet_frag *context, double space_before,
                     bool keep);

/* inline.c: cmark inlines as Pango markup; plain text of a node. */
void sheet_inline_markup(cmark_node *parent, buf *out);
void sheet_inline_text(cmark_node *parent, buf *out);

/* body.c: an item's Markdown body into fragments. */
void sheet_body(sheet *s, cmark_node *doc);
/* The most columns of any table in doc. */
size_t sheet_body_widest_table(cmark_node *doc);

/* table.c */
void sheet_table_add(sheet *s, cmark_node *table, const sheet_frag *context);
void sheet_table_draw(cairo_t *cr, const sheet_table *t, size_t row, double x, double y);

/* item.c: one item, title to QR code. */
int sheet_item(sheet *s, const catalogue_item *ci, cmark_node *doc);
/* "2025年9月30日" into out (at least 32 bytes). */
void sheet_date_label(date d, char *out);

/* qr.c */
int sheet_foot_add(sheet *s, const content_item *it, const char *url, const char *review);
void sheet_foot_draw(cairo_t *cr, const sheet_foot *f, double x, double y);

/* frame.c: the head and foot of every page. Prepare fixes the columns'
 * height; review is the sign-off line, or NULL when the board needs none. */
void sheet_frame_prepare(sheet *s, const char *title, const char *subtitle, const char *review);
void sheet_frame_head_draw(sheet *s, cairo_t *cr);
void sheet_frame_foot_draw(sheet *s, cairo_t *cr, int page);

/* fence.c: invisible words that keep poppler's text layout analysis reading
 * the page head, each column in turn and the foot. Prepare once the fonts
 * are known to be there; then draw one across the page centred on y, or in
 * the gutter before `column`. */
void sheet_fence_prepare(sheet *s);
void sheet_fence_across(const sheet *s, cairo_t *cr, double y);
void sheet_fence_gutter(const sheet *s, cairo_t *cr, int column);

/* flow.c */
void sheet_flow(sheet *s);

/* draw.c */
void sheet_page_draw(sheet *s, cairo_t *cr, int page);

/* file.c: write a file whole or not at all. */
int sheet_file_write(const char *dir, const char *name, const buf *data, buf *err);

#endif
