#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>

static const char *const markdown_extensions[] = {"table", "strikethrough", "autolink",
                                                  "tagfilter"};

void markdown_init(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

cmark_node *markdown_parse(const char *text, size_t len)
{
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    if (!parser)
        return NULL;
    for (size_t i = 0; i < sizeof markdown_extensions / sizeof *markdown_extensions; i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(markdown_extensions[i]);
        if (ext)
            cmark_parser_attach_syntax_extension(parser, ext);
    }
    cmark_parser_feed(parser, text, len);
    cmark_node *doc = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    return doc;
}

void markdown_render_html(cmark_node *doc, bool allow_html, buf *out)
{
    /* Without CMARK_OPT_UNSAFE cmark-gfm drops raw HTML blocks and inlines
     * and neutralises javascript: links; tagfilter covers the opt-in case. */
    int options = CMARK_OPT_DEFAULT | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES |
                  (allow_html ? CMARK_OPT_UNSAFE : 0);
    cmark_mem *mem = cmark_get_default_mem_allocator();
    cmark_llist *exts = NULL;
    for (size_t i = 0; i < sizeof markdown_extensions / sizeof *markdown_extensions; i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(markdown_extensions[i]);
        if (ext)
            exts = cmark_llist_append(mem, exts, ext);
    }
    char *html = cmark_render_html(doc, options, exts);
    cmark_llist_free(mem, exts);
    if (html) {
        buf_puts(out, html);
        free(html);
    }
}
