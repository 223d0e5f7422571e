/* One board's sheet for one period, from selection to the PDF on disk. */
#include "sheets_internal.h"

#include "../render/markdown.h"
#include "../util/xalloc.h"

#include <cairo-pdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sheet_open(sheet *s)
{
    arena_init(&s->mem);
    s->fontmap = pango_cairo_font_map_new();
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(s->fontmap), 72);
    s->ctx = pango_font_map_create_context(s->fontmap);
    /* Print metrics: no hinting, no rounding to device pixels, so a line
     * breaks the same way at every size and on every machine. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(s->ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(s->ctx, FALSE);
    pango_context_set_language(s->ctx, pango_language_from_string("zh-cn"));
}

static void sheet_close(sheet *s)
{
    for (size_t i = 0; i < s->layout_count; i++)
        g_object_unref(s->layouts[i]);
    free(s->layouts);
    free(s->frags);
    free(s->places);
    if (s->fence_face)
        cairo_font_face_destroy(s->fence_face);
    g_object_unref(s->ctx);
    g_object_unref(s->fontmap);
    arena_free(&s->mem);
}

/* When the sheet goes up and until when: from the day its last item came out
 * (an empty period's sheet goes up when the period is over) until the end
 * of the next period, when the next sheet replaces it. */
static void sheet_posting(content_period p, const catalogue_item **items, size_t n, date *from,
                          date *to)
{
    *from = date_from_days(date_to_days(catalogue_period_last_day(p)) + 1);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || date_cmp(items[i]->item->date.day, *from) > 0)
            *from = items[i]->item->date.day;
    *to = catalogue_period_last_day(catalogue_period_next(p));
    if (date_cmp(*to, *from) < 0)
        *to = catalogue_period_last_day(catalogue_period_next(catalogue_period_of(*from, p.kind)));
}

/* Whether `name` is among the reviewers of items[0..i), or of items[i]
 * before position k. */
static bool sheet_reviewer_seen(const catalogue_item **items, size_t i, size_t k)
{
    const char *name = items[i]->item->reviewed_by.v[k].s;
    for (size_t j = 0; j <= i; j++) {
        const content_list *l = &items[j]->item->reviewed_by;
        for (size_t m = 0; m < (j == i ? k : l->len); m++)
            if (strcmp(l->v[m].s, name) == 0)
                return true;
    }
    return false;
}

/* The sign-off line at the foot of every page of a board that needs review:
 * the reviewers' names when every item carries them, blanks otherwise. */
static const char *sheet_review(sheet *s, const catalogue_item **items, size_t n)
{
    if (!s->board->review_required)
        return NULL;
    static const char blank[] = "＿＿＿＿＿＿";
    bool all = n > 0;
    date last = {0, 0, 0};
    buf names = BUF_INIT;
    for (size_t i = 0; i < n && all; i++) {
        const content_item *it = items[i]->item;
        all = it->reviewed_by.len > 0;
        for (size_t k = 0; k < it->reviewed_by.len; k++)
            if (!sheet_reviewer_seen(items, i, k))
                buf_printf(&names, "%s%s", names.len ? "、" : "", it->reviewed_by.v[k].s);
        if (it->reviewed_on.set && date_cmp(it->reviewed_on.day, last) > 0)
            last = it->reviewed_on.day;
    }
    char day[32];
    if (all && last.year)
        sheet_date_label(last, day);
    else
        snprintf(day, sizeof day, "%s", blank);
    const char *out = arena_printf(&s->mem, "审核人：%s　　监督小组：%s　　日期：%s",
                                   all ? buf_cstr(&names) : blank, blank, day);
    buf_free(&names);
    return out;
}

/* An empty period still gets its sheet, saying so across the page. */
static void sheet_empty(sheet *s)
{
    sheet_frag place = {0};
    place.width = s->st.width - 2 * s->st.margin;
    PangoLayout *l = sheet_layout(s, SHEET_SANS, s->st.board * 0.8, true, place.width);
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    sheet_layout_text(s, l, "本期无公开事项");
    sheet_lines_add(s, l, &place, 0, false);
}

static cairo_status_t sheet_pdf_put(void *closure, const unsigned char *data, unsigned int len)
{
    buf_put(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

static int sheet_render(sheet *s, const char *title, const char *author, date when, buf *pdf)
{
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(sheet_pdf_put, pdf, s->st.width, s->st.height);
    char stamp[40];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT00:00:00+08:00", when.year, when.month, when.day);
    /* Dates from the content, never the clock: the same items make the
     * same bytes. */
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, author);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, "政务公开栏");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "gongkai " GK_VERSION);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, stamp);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, stamp);
    cairo_t *cr = cairo_create(surface);
    for (int page = 0; page < s->pages; page++) {
        sheet_page_draw(s, cr, page);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_status_t status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    return status == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

/* Lay out the items, flow them and draw the PDF into `pdf`. */
static int sheet_make(sheet *s, const catalogue_item **items, size_t n, content_period p,
                      const char *paper, buf *pdf)
{
    const char *title, *label, *author;
    const department *dept = config_department_find(s->cfg, s->board->department);
    if (naming_board_title(s->names, &s->mem, s->board, &title) != 0 ||
        naming_period_label(s->names, &s->mem, catalogue_period_periodic(p.kind), p.year, p.n,
                            &label) != 0 ||
        (dept && naming_subsite_name(s->names, &s->mem, dept, &author) != 0))
        return SHEETS_ERROR_CONTENT;
    if (!dept)
        author = s->cfg->name;

    cmark_node **docs = xcalloc(n ? n : 1, sizeof *docs);
    size_t widest = 0;
    for (size_t i = 0; i < n; i++) {
        docs[i] = markdown_parse(items[i]->item->body, items[i]->item->body_len);
        size_t w = sheet_body_widest_table(docs[i]);
        widest = w > widest ? w : widest;
    }
    sheet_style_init(&s->st, paper, widest);
    int rc = sheet_fonts_check(s) == 0 ? 0 : SHEETS_ERROR_CONTENT;

    date from, to;
    sheet_posting(p, items, n, &from, &to);
    char from_s[32], to_s[32];
    sheet_date_label(from, from_s);
    sheet_date_label(to, to_s);
    const char *subtitle = arena_printf(&s->mem, "%s　　公开时间：自%s至%s", label, from_s, to_s);
    if (rc == 0) {
        sheet_fence_prepare(s);
        sheet_frame_prepare(s, title, subtitle, sheet_review(s, items, n));
        if (!n)
            sheet_empty(s);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = sheet_item(s, items[i], docs[i]) == 0 ? 0 : SHEETS_ERROR_CONTENT;
    }
    for (size_t i = 0; i < n; i++)
        cmark_node_free(docs[i]);
    free(docs);
    if (rc)
        return rc;
    s->source = "";
    sheet_flow(s);
    const char *doc_title = arena_printf(&s->mem, "%s %s", title, label);
    if (sheet_render(s, doc_title, author, from, pdf) != 0) {
        diag_add(s->diags, DIAG_ERROR, "GK501", "", 0, 0, "无法生成公开栏“%s”的 PDF（cairo 出错）",
                 s->board->id);
        return SHEETS_ERROR_IO;
    }
    return 0;
}

int sheets_write(const site_config *cfg, const catalogue *cat, naming *names,
                 const sheets_request *req, sheets_result *res, diag_list *diags)
{
    const board *b = req->board;
    res->path = (buf)BUF_INIT;
    res->pages = res->items = 0;
    sheet s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.board = b;
    s.names = names;
    s.diags = diags;
    s.source = "";
    sheet_open(&s);
    size_t n;
    const catalogue_item **items = catalogue_board_items(cat, b, req->period, &s.mem, &n);
    const char *paper = req->paper ? req->paper : b->paper ? b->paper : "A4";
    buf pdf = BUF_INIT, err = BUF_INIT;
    int rc = sheet_make(&s, items, n, req->period, paper, &pdf);
    if (rc == 0) {
        char period[16];
        catalogue_period_format(req->period, period);
        char *name = arena_printf(&s.mem, "%s-%s.pdf", b->id, period);
        buf_printf(&res->path, "%s/%s", req->out_dir, name);
        if (sheet_file_write(req->out_dir, name, &pdf, &err) != 0) {
            diag_add(diags, DIAG_ERROR, "GK501", "", 0, 0, "公开栏 PDF 写不进去：%s",
                     buf_cstr(&err));
            rc = SHEETS_ERROR_IO;
        }
        res->pages = (size_t)s.pages;
        res->items = n;
    }
    buf_free(&pdf);
    buf_free(&err);
    sheet_close(&s);
    return rc;
}
