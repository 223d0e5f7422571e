/* An item's body, walked from the cmark-gfm AST the web pages are rendered
 * from: headings, paragraphs, lists, block quotes, code, rules and tables
 * become fragments in the column. */
#include "sheets_internal.h"

#include <cmark-gfm-core-extensions.h>
#include <stdio.h>
#include <string.h>

static void body_blocks(sheet *s, cmark_node *parent, const sheet_frag *place, bool tight);

static double body_gap(const sheet *s, bool tight)
{
    return s->st.body * (tight ? 0.15 : 0.6);
}

static bool body_is_table(cmark_node *n)
{
    return strcmp(cmark_node_get_type_string(n), "table") == 0;
}

/* A list item that starts with something other than text still shows its
 * number: on a line of its own. */
static void body_marker_flush(sheet *s, const sheet_frag *place)
{
    if (!s->marker)
        return;
    PangoLayout *l = sheet_layout(s, SHEET_SERIF, s->st.body, false, place->width);
    sheet_layout_text(s, l, "");
    sheet_lines_add(s, l, place, 0, true);
}

static void body_paragraph(sheet *s, cmark_node *n, const sheet_frag *place, bool tight)
{
    buf markup = BUF_INIT;
    sheet_inline_markup(n, &markup);
    PangoLayout *l = sheet_layout(s, SHEET_SERIF, s->st.body, false, place->width);
    pango_layout_set_line_spacing(l, 1.45f);
    pango_layout_set_justify(l, TRUE);
    /* Paragraphs open with two characters of indent, as 公文 do; list
     * items have their marker instead. */
    if (cmark_node_get_type(cmark_node_parent(n)) != CMARK_NODE_ITEM)
        pango_layout_set_indent(l, (int)(2 * s->st.body * PANGO_SCALE));
    sheet_layout_markup(s, l, buf_cstr(&markup));
    sheet_lines_add(s, l, place, body_gap(s, tight), false);
    buf_free(&markup);
}

static void body_heading(sheet *s, cmark_node *n, const sheet_frag *place)
{
    double size = cmark_node_get_heading_level(n) <= 2 ? s->st.heading : s->st.subheading;
    buf markup = BUF_INIT;
    sheet_inline_markup(n, &markup);
    PangoLayout *l = sheet_layout(s, SHEET_SANS, size, true, place->width);
    pango_layout_set_line_spacing(l, 1.3f);
    sheet_layout_markup(s, l, buf_cstr(&markup));
    /* Every line of a heading stays with what follows it. */
    sheet_lines_add(s, l, place, size * 0.9, true);
    buf_free(&markup);
}

static int body_list_depth(cmark_node *n)
{
    int depth = 0;
    for (; n; n = cmark_node_parent(n))
        depth += cmark_node_get_type(n) == CMARK_NODE_LIST;
    return depth;
}

static void body_list(sheet *s, cmark_node *list, const sheet_frag *place)
{
    bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    char close = cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ')' : '.';
    int number = cmark_node_get_list_start(list);
    bool tight = cmark_node_get_list_tight(list);
    const char *bullet = body_list_depth(list) % 2 ? "•" : "◦";
    double indent = s->st.body * 2;
    sheet_frag inner = *place;
    inner.x += indent;
    inner.width -= indent;
    for (cmark_node *item = cmark_node_first_child(list); item; item = cmark_node_next(item)) {
        char marker[32];
        if (ordered)
            snprintf(marker, sizeof marker, "%d%c", number++, close);
        else
            snprintf(marker, sizeof marker, "%s", bullet);
        PangoLayout *m = sheet_layout(s, SHEET_SERIF, s->st.body, false, -1);
        sheet_layout_text(s, m, marker);
        s->marker = m;
        body_blocks(s, item, &inner, tight);
        body_marker_flush(s, &inner);
    }
}

static void body_quote(sheet *s, cmark_node *n, const sheet_frag *place)
{
    double indent = s->st.body * 1.2;
    sheet_frag inner = *place;
    if (inner.quotes < SHEET_MAX_QUOTES)
        inner.bar_x[inner.quotes++] = place->x + s->st.body * 0.3;
    inner.x += indent;
    inner.width -= indent;
    body_blocks(s, n, &inner, false);
}

static void body_code(sheet *s, cmark_node *n, const sheet_frag *place)
{
    sheet_frag inner = *place;
    inner.x += SHEET_CODE_PAD;
    inner.width -= 2 * SHEET_CODE_PAD;
    inner.shade = true;
    const char *code = cmark_node_get_literal(n);
    size_t len = strlen(code);
    while (len && code[len - 1] == '\n')
        len--;
    buf text = BUF_INIT;
    buf_put(&text, code, len);
    PangoLayout *l = sheet_layout(s, SHEET_MONO, s->st.table, false, inner.width);
    pango_layout_set_line_spacing(l, 1.3f);
    sheet_layout_text(s, l, buf_cstr(&text));
    sheet_lines_add(s, l, &inner, body_gap(s, false), false);
    buf_free(&text);
}

static void body_rule(sheet *s, const sheet_frag *place)
{
    sheet_frag *f = sheet_frag_add(s, SHEET_FRAG_RULE);
    f->x = place->x;
    f->width = place->width;
    f->height = s->st.body;
    f->space_before = body_gap(s, false);
}

static void body_blocks(sheet *s, cmark_node *parent, const sheet_frag *place, bool tight)
{
    for (cmark_node *n = cmark_node_first_child(parent); n; n = cmark_node_next(n)) {
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_PARAGRAPH:
            body_paragraph(s, n, place, tight);
            break;
        case CMARK_NODE_HEADING:
            body_heading(s, n, place);
            break;
        case CMARK_NODE_LIST:
            body_list(s, n, place);
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            body_quote(s, n, place);
            break;
        case CMARK_NODE_CODE_BLOCK:
            body_code(s, n, place);
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            body_marker_flush(s, place);
            body_rule(s, place);
            break;
        case CMARK_NODE_HTML_BLOCK:
            /* Raw HTML has no meaning on paper (and is dropped on the web
             * unless the site allows it). */
            break;
        default:
            if (body_is_table(n)) {
                body_marker_flush(s, place);
                sheet_table_add(s, n, place);
            } else {
                body_blocks(s, n, place, tight);
            }
        }
    }
}

void sheet_body(sheet *s, cmark_node *doc)
{
    sheet_frag place = {0};
    place.width = s->st.col_w;
    body_blocks(s, doc, &place, false);
}

size_t sheet_body_widest_table(cmark_node *doc)
{
    size_t widest = 0;
    cmark_iter *iter = cmark_iter_new(doc);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *n = cmark_iter_get_node(iter);
        if (ev == CMARK_EVENT_ENTER && body_is_table(n)) {
            size_t cols = cmark_gfm_extensions_get_table_columns(n);
            if (cols > widest)
                widest = cols;
        }
    }
    cmark_iter_free(iter);
    return widest;
}
