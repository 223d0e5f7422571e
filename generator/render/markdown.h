/* Markdown to HTML with cmark-gfm and the GitHub extensions the site uses:
 * tables, strikethrough, autolinks and the tag filter. The AST is plain
 * cmark-gfm nodes so that other renderers (the notice-board sheets) walk the
 * same tree. */
#ifndef GK_RENDER_MARKDOWN_H
#define GK_RENDER_MARKDOWN_H

#include "../util/buf.h"

#include <cmark-gfm.h>
#include <stdbool.h>
#include <stddef.h>

/* Register the extensions; call once before any thread starts. */
void markdown_init(void);

/* Parse text into a document node (free with cmark_node_free). Returns NULL
 * only when out of memory. */
cmark_node *markdown_parse(const char *text, size_t len);
/* Render a parsed document. Raw HTML is replaced by a comment unless
 * allow_html, as the site's [markdown] allow_html says. */
void markdown_render_html(cmark_node *doc, bool allow_html, buf *out);

#endif
