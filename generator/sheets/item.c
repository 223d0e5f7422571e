/* One item on the sheet: a red rule, its title, the meta line (发布机构 ·
 * 文号 · 发布日期 · 索引号), the whole body, its attachments, and the QR code
 * of its web page with the review sign-off. */
#include "sheets_internal.h"

#include <stdio.h>
#include <string.h>

void sheet_date_label(date d, char *out)
{
    snprintf(out, 32, "%d年%d月%d日", d.year, d.month, d.day);
}

static void item_join(buf *out, const content_list *l, const char *sep)
{
    for (size_t i = 0; i < l->len; i++)
        buf_printf(out, "%s%s", i ? sep : "", l->v[i].s);
}

/* Append "label：value" as one unbreakable unit: a line of the meta block
 * breaks only between fields, never inside a date or an index number. */
static void item_field(buf *out, const char *label, const char *text)
{
    static const char joiner[] = "\u2060"; /* WORD JOINER: no break here */
    if (out->len)
        buf_puts(out, " · ");
    buf field = BUF_INIT;
    buf_printf(&field, "%s：%s", label, text);
    for (const unsigned char *p = (const unsigned char *)field.ptr; *p;) {
        size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
        if (p != (const unsigned char *)field.ptr)
            buf_puts(out, joiner);
        buf_put(out, p, n);
        p += n;
    }
    buf_free(&field);
}

static int item_meta(sheet *s, const catalogue_item *ci, const sheet_frag *place)
{
    const content_item *it = ci->item;
    buf text = BUF_INIT;
    item_field(&text, "发布机构",
               it->dept ? (it->dept->full_name ? it->dept->full_name : it->dept->name) : "");
    if (it->doc_number.s && *it->doc_number.s) {
        const char *number;
        if (naming_doc_number(s->names, &s->mem, it->doc_number.s, &number) != 0) {
            buf_free(&text);
            return -1;
        }
        item_field(&text, "文号", number);
    }
    char day[32];
    sheet_date_label(it->date.day, day);
    item_field(&text, "发布日期", day);
    item_field(&text, "索引号", ci->index_no);
    PangoLayout *l = sheet_layout(s, SHEET_SANS, s->st.small, false, place->width);
    pango_layout_set_line_spacing(l, 1.3f);
    sheet_layout_text(s, l, buf_cstr(&text));
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_foreground_new(0x5555, 0x5555, 0x5555));
    pango_layout_set_attributes(l, attrs);
    pango_attr_list_unref(attrs);
    sheet_lines_add(s, l, place, s->st.small * 0.5, true);
    buf_free(&text);
    return 0;
}

static void item_attachments(sheet *s, const content_item *it, const sheet_frag *place)
{
    if (!it->attachments.len)
        return;
    buf text = BUF_INIT;
    buf_puts(&text, "附件：");
    item_join(&text, &it->attachments, "、");
    buf_puts(&text, "（请扫码在网页版查看）");
    PangoLayout *l = sheet_layout(s, SHEET_SERIF, s->st.small, false, place->width);
    sheet_layout_text(s, l, buf_cstr(&text));
    sheet_lines_add(s, l, place, s->st.body * 0.6, false);
    buf_free(&text);
}

/* Who reviewed the item, from its front matter; blanks to sign by hand when
 * the board asks for review and nobody has yet; NULL otherwise. */
static const char *item_review(sheet *s, const content_item *it)
{
    if (!it->reviewed_by.len)
        return s->board->review_required ? "审核人：＿＿＿＿＿＿　审核日期：＿＿＿＿＿＿" : NULL;
    buf text = BUF_INIT;
    buf_puts(&text, "审核人：");
    item_join(&text, &it->reviewed_by, "、");
    if (it->reviewed_on.set) {
        char day[32];
        sheet_date_label(it->reviewed_on.day, day);
        buf_printf(&text, "　审核日期：%s", day);
    }
    const char *out = arena_strdup(&s->mem, buf_cstr(&text));
    buf_free(&text);
    return out;
}

int sheet_item(sheet *s, const catalogue_item *ci, cmark_node *doc)
{
    const content_item *it = ci->item;
    s->source = it->path;
    s->source_warned = false;
    sheet_frag place = {0};
    place.width = s->st.col_w;

    sheet_frag *rule = sheet_frag_add(s, SHEET_FRAG_RULE);
    rule->strong = true;
    rule->width = s->st.col_w;
    rule->height = s->st.body * 0.8;
    rule->space_before = s->st.body * 1.2;
    rule->keep_with_next = true;

    PangoLayout *title = sheet_layout(s, SHEET_SANS, s->st.title, true, place.width);
    pango_layout_set_line_spacing(title, 1.25f);
    sheet_layout_text(s, title, it->title);
    sheet_lines_add(s, title, &place, 0, true);
    if (item_meta(s, ci, &place) != 0)
        return -1;
    sheet_body(s, doc);
    item_attachments(s, it, &place);

    /* The QR code never starts a column alone: it takes the item's last
     * line with it. */
    s->frags[s->frag_count - 1].keep_with_next = true;
    buf url = BUF_INIT;
    buf_printf(&url, "%s%s", s->cfg->base_url, ci->url[0] == '/' ? ci->url + 1 : ci->url);
    int rc = sheet_foot_add(s, it, buf_cstr(&url), item_review(s, it));
    buf_free(&url);
    return rc;
}
