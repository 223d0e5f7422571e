/* Raw HTML in a body. Without [markdown] allow_html the renderer drops it
 * silently, so the reader would miss text the editor meant to show: say so.
 * With allow_html, HTML passes through, except what can run code or break
 * the page: the tags GFM's tagfilter disarms (script, style, iframe...),
 * event-handler attributes (onclick=...) and javascript: URLs. HTML
 * comments are never shown and never an error. */
#include "links_internal.h"

#include <string.h>

static char html_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool html_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool html_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

/* Whether s starts with the lowercase word w, case-insensitively. */
static bool html_starts(const char *s, const char *w)
{
    for (; *w; s++, w++)
        if (html_lower(*s) != *w)
            return false;
    return true;
}

/* The tags GFM's tagfilter extension disarms. */
static bool html_filtered_tag(const char *name, size_t n)
{
    static const char *const tags[] = {"title",   "textarea", "style",  "xmp",      "iframe",
                                       "noembed", "noframes", "script", "plaintext"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        if (strlen(tags[i]) != n)
            continue;
        size_t k = 0;
        while (k < n && html_lower(name[k]) == tags[i][k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* What is unsafe in the tag starting at s[0] == '<' (up to its '>'), or NULL. */
static const char *html_tag_unsafe(const char *s, size_t len)
{
    size_t i = 1 + (len > 1 && s[1] == '/');
    size_t name = i;
    while (i < len && (html_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (html_filtered_tag(s + name, i - name))
        return "会执行脚本或破坏页面的标签";
    while (i < len && s[i] != '>') {
        if (html_space(s[i]) && i + 3 < len && html_lower(s[i + 1]) == 'o' &&
            html_lower(s[i + 2]) == 'n' && html_alpha(s[i + 3]))
            return "事件属性（on…=），会执行脚本";
        if (html_starts(s + i, "javascript:") || html_starts(s + i, "vbscript:"))
            return "javascript: 链接，会执行脚本";
        i++;
    }
    return NULL;
}

/* The length of the tag at s (to its '>' or the end). */
static size_t html_tag_len(const char *s, size_t len)
{
    const char *gt = memchr(s, '>', len);
    return gt ? (size_t)(gt - s) + 1 : len;
}

/* Where the tag at lit[off] is in the item's file, and the tag quoted. */
static const char *html_locate(check_ctx *c, const content_item *it, const char *lit, size_t off,
                               int line_in_body, int byte_col, int *line, int *col)
{
    int lines = 0;
    size_t line_start = 0;
    for (size_t i = 0; i < off; i++)
        if (lit[i] == '\n')
            lines++, line_start = i + 1;
    int bcol = lines ? (int)(off - line_start) + 1 : byte_col + (int)off;
    check_body_position(it, line_in_body + lines, bcol, line, col);
    return check_excerpt(c, lit + off, html_tag_len(lit + off, strlen(lit + off)));
}

void check_html_node(check_ctx *c, const content_item *it, const char *lit, int line_in_body,
                     int byte_col)
{
    size_t len = strlen(lit);
    for (size_t i = 0; i < len; i++) {
        if (lit[i] != '<')
            continue;
        if (strncmp(lit + i, "<!--", 4) == 0) {
            const char *end = strstr(lit + i + 4, "-->");
            if (!end)
                return;
            i = (size_t)(end - lit) + 2;
            continue;
        }
        bool tag = i + 1 < len && (html_alpha(lit[i + 1]) || lit[i + 1] == '/' ||
                                   lit[i + 1] == '!' || lit[i + 1] == '?');
        if (!tag)
            continue;
        int line, col;
        /* A closing tag was reported with its opening one, and alone it
         * hides nothing. */
        if (!c->cfg->allow_html && lit[i + 1] == '/')
            continue;
        if (!c->cfg->allow_html) {
            const char *shown = html_locate(c, it, lit, i, line_in_body, byte_col, &line, &col);
            check_diag(c, DIAG_ERROR, "GK207", it, line, col,
                       "正文中有 HTML 标签“%s”：本站不允许在正文中写 HTML（site.toml 的 "
                       "[markdown] allow_html = false），这部分内容不会显示。请改用 Markdown "
                       "写法（如表格、加粗、列表），或删去",
                       shown);
            return;
        }
        const char *why = html_tag_unsafe(lit + i, html_tag_len(lit + i, len - i));
        if (why) {
            const char *shown = html_locate(c, it, lit, i, line_in_body, byte_col, &line, &col);
            check_diag(c, DIAG_ERROR, "GK207", it, line, col,
                       "正文中的 HTML“%s”含有%s，不允许发布：请删去", shown, why);
            return;
        }
    }
}
