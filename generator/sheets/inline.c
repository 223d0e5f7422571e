/* Inline Markdown (emphasis, code, links, breaks) as Pango markup. */
#include "sheets_internal.h"

#include <string.h>

/* The first byte of text a node starts with, or 0. */
static unsigned char inline_first_byte(cmark_node *n)
{
    while (n && cmark_node_get_type(n) != CMARK_NODE_TEXT &&
           cmark_node_get_type(n) != CMARK_NODE_CODE)
        n = cmark_node_first_child(n);
    const char *s = n ? cmark_node_get_literal(n) : NULL;
    return s ? (unsigned char)s[0] : 0;
}

/* A line break inside a paragraph is a space between words, but Chinese
 * runs on without one: "公开\n内容" is 公开内容. */
static bool inline_break_is_space(cmark_node *br, const buf *out)
{
    bool wide_before = out->len && (unsigned char)out->ptr[out->len - 1] >= 0x80;
    bool wide_after = inline_first_byte(cmark_node_next(br)) >= 0x80;
    return !(wide_before && wide_after);
}

static bool inline_is_web_url(const char *url)
{
    return url && (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
}

static void inline_wrapped(cmark_node *n, const char *open, const char *close, buf *out)
{
    buf_puts(out, open);
    sheet_inline_markup(n, out);
    buf_puts(out, close);
}

static void inline_node(cmark_node *n, buf *out)
{
    const char *lit = cmark_node_get_literal(n);
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_TEXT:
        buf_put_html_escaped(out, lit, strlen(lit));
        break;
    case CMARK_NODE_CODE:
        buf_puts(out, "<span font_family=\"" SHEET_MONO "\">");
        buf_put_html_escaped(out, lit, strlen(lit));
        buf_puts(out, "</span>");
        break;
    case CMARK_NODE_SOFTBREAK:
        if (inline_break_is_space(n, out))
            buf_putc(out, ' ');
        break;
    case CMARK_NODE_LINEBREAK:
        buf_putc(out, '\n');
        break;
    case CMARK_NODE_EMPH:
        inline_wrapped(n, "<i>", "</i>", out);
        break;
    case CMARK_NODE_STRONG:
        inline_wrapped(n, "<b>", "</b>", out);
        break;
    case CMARK_NODE_LINK: {
        inline_wrapped(n, "<u>", "</u>", out);
        /* Paper cannot be clicked: print where a web link leads. */
        const char *url = cmark_node_get_url(n);
        buf text = BUF_INIT;
        sheet_inline_text(n, &text);
        if (inline_is_web_url(url) && strcmp(buf_cstr(&text), url) != 0) {
            buf_puts(out, "<span size=\"smaller\">（");
            buf_put_html_escaped(out, url, strlen(url));
            buf_puts(out, "）</span>");
        }
        buf_free(&text);
        break;
    }
    case CMARK_NODE_IMAGE:
        inline_wrapped(n, "［图：", "］", out);
        break;
    case CMARK_NODE_HTML_INLINE:
        /* Raw HTML has no meaning on paper. */
        break;
    default:
        if (strcmp(cmark_node_get_type_string(n), "strikethrough") == 0)
            inline_wrapped(n, "<s>", "</s>", out);
        else
            sheet_inline_markup(n, out);
    }
}

void sheet_inline_markup(cmark_node *parent, buf *out)
{
    for (cmark_node *n = cmark_node_first_child(parent); n; n = cmark_node_next(n))
        inline_node(n, out);
}

void sheet_inline_text(cmark_node *parent, buf *out)
{
    for (cmark_node *n = cmark_node_first_child(parent); n; n = cmark_node_next(n)) {
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
            buf_puts(out, cmark_node_get_literal(n));
        else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            buf_putc(out, ' ');
        else
            sheet_inline_text(n, out);
    }
}
