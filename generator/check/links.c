/* Internal links in bodies must lead somewhere. A link to a .md file is a
 * link to that item, resolved from the linking file's folder like any
 * relative path, and the item must exist and be published. Any other link
 * without a scheme (or to the site's own base_url) is a site path, resolved
 * as a browser would from the linking item's page, and must be a page the
 * build writes or a static file of the theme. Links elsewhere are not
 * followed. Raw HTML is handed to html.c. */
#include "links_internal.h"

#include "../render/markdown.h"
#include "../util/buf.h"
#include "../util/path.h"

#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct links_run {
    check_ctx *c;
    check_map urls;  /* site paths the build writes */
    bool prepared;   /* the maps below are built */
    bool have_urls;  /* naming.lua and the catalogue were available */
    check_map paths; /* item source paths in NFC → index in the set */
    buf static_dir;  /* the theme's static/, or empty */
    char host[256];  /* base_url's host, or "" */
    buf path, scratch;
} links_run;

/* ---- paths --------------------------------------------------------------- */

static int links_hex(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* The path part of a link (before ? and #), percent-decoded. */
static void links_path(const char *url, buf *out)
{
    buf_reset(out);
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (url[i] == '%' && i + 2 < n && (hi = links_hex(url[i + 1])) >= 0 &&
            (lo = links_hex(url[i + 2])) >= 0 && (hi || lo)) {
            buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            buf_putc(out, url[i]);
        }
    }
    buf_cstr(out);
}

/* The scheme's length ("https" of https://...), 0 when there is none. */
static size_t links_scheme(const char *url)
{
    size_t i = 0;
    while ((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= 'A' && url[i] <= 'Z') ||
           (i > 0 &&
            ((url[i] >= '0' && url[i] <= '9') || url[i] == '+' || url[i] == '-' || url[i] == '.')))
        i++;
    return i > 0 && url[i] == ':' ? i : 0;
}

/* ---- the two kinds of link ------------------------------------------------- */

static void links_broken(links_run *r, const content_item *it, int line, int col, const char *url,
                         const char *why)
{
    check_diag(r->c, DIAG_ERROR, "GK206", it, line, col,
               "站内链接“%s”%s：请改正链接地址，或删去链接", check_excerpt(r->c, url, strlen(url)),
               why);
}

static void links_source(links_run *r, const content_item *it, const char *url, int line, int col)
{
    const char *slash = strrchr(it->path, '/');
    buf base = BUF_INIT;
    if (r->path.ptr[0] == '/')
        buf_puts(&base, "content");
    else
        buf_put(&base, it->path, slash ? (size_t)(slash - it->path) : 0);
    int rc = path_join(&r->scratch, buf_cstr(&base), r->path.ptr + (r->path.ptr[0] == '/'),
                       strlen("content"));
    buf_free(&base);
    if (rc != 0) {
        links_broken(r, it, line, col, url, "指向 content/ 之外");
        return;
    }
    const check_map_slot *s = check_map_get(&r->paths, check_nfc(r->c, r->scratch.ptr));
    if (!s) {
        links_broken(r, it, line, col, url,
                     arena_printf(&r->c->mem, "指向的文件 %s 不存在", r->scratch.ptr));
        return;
    }
    const content_item *target = &r->c->set->items[s->value];
    if (!check_item_published(r->c, target))
        links_broken(r, it, line, col, url,
                     target->draft ? "指向的信息是草稿，不会发布" : "指向的信息不予公开，不会发布");
}

static bool links_static(links_run *r, const char *site_path)
{
    if (!r->static_dir.len)
        return false;
    buf_reset(&r->scratch);
    buf_printf(&r->scratch, "%s%s", r->static_dir.ptr, site_path);
    struct stat st;
    return stat(r->scratch.ptr, &st) == 0 && S_ISREG(st.st_mode);
}

static bool links_page_exists(links_run *r, const char *p)
{
    if (check_map_get(&r->urls, p))
        return true;
    size_t n = strlen(p);
    const char *last = strrchr(p, '/');
    if (n && p[n - 1] != '/' && last && !strchr(last, '.')) {
        const char *dir = arena_printf(&r->c->mem, "%s/", p);
        if (check_map_get(&r->urls, dir))
            return true;
    }
    if (n >= 11 && strcmp(p + n - 11, "/index.html") == 0) {
        const char *dir = arena_strndup(&r->c->mem, p, n - 10);
        if (check_map_get(&r->urls, dir))
            return true;
    }
    return links_static(r, p);
}

static void links_site(links_run *r, const content_item *it, const catalogue_item *ci,
                       const char *url, int line, int col)
{
    if (!r->have_urls)
        return;
    const char *p = r->path.ptr;
    buf resolved = BUF_INIT;
    int rc;
    if (p[0] == '/') {
        rc = path_join(&resolved, "", p + 1, 0);
        if (!resolved.len)
            buf_putc(&resolved, '/');
    } else {
        if (!ci || !ci->url) {
            buf_free(&resolved);
            return;
        }
        /* The page URL ends in '/': the folder to resolve from is itself. */
        buf dir = BUF_INIT;
        buf_put(&dir, ci->url, strlen(ci->url) - 1);
        rc = path_join(&resolved, buf_cstr(&dir), p, 0);
        buf_free(&dir);
        if (rc == 0 && !resolved.len)
            buf_putc(&resolved, '/');
    }
    if (rc != 0)
        links_broken(r, it, line, col, url, "超出了网站的根目录");
    else if (!links_page_exists(r, resolved.ptr))
        links_broken(r, it, line, col, url,
                     arena_printf(&r->c->mem, "指向的页面 %s 在本站不存在", resolved.ptr));
    buf_free(&resolved);
}

static bool links_own_site(links_run *r, const char *url, const char **path)
{
    const char *base = r->c->cfg->base_url;
    size_t n = base ? strlen(base) : 0;
    if (n < 2 || strncasecmp(url, base, n - 1) != 0 || (url[n - 1] != '/' && url[n - 1] != '\0'))
        return false;
    *path = url + n - 1;
    return true;
}

static void links_check(links_run *r, const content_item *it, const catalogue_item *ci,
                        const char *url, bool image, int line, int col)
{
    if (!url[0]) {
        links_broken(r, it, line, col, url, "是空的");
        return;
    }
    if (url[0] == '#')
        return;
    size_t scheme = links_scheme(url);
    const char *own = NULL;
    if (scheme) {
        if (strncasecmp(url, "javascript:", 11) == 0 || strncasecmp(url, "vbscript:", 9) == 0 ||
            (strncasecmp(url, "data:", 5) == 0 &&
             !(image && strncasecmp(url, "data:image/", 11) == 0))) {
            check_diag(r->c, DIAG_ERROR, "GK207", it, line, col,
                       "链接“%s”会执行脚本或嵌入内容，不允许发布：请删去",
                       check_excerpt(r->c, url, strlen(url)));
            return;
        }
        if (!links_own_site(r, url, &own))
            return;
    } else if (url[0] == '/' && url[1] == '/') {
        return;
    }
    links_path(own ? (*own ? own : "/") : url, &r->path);
    size_t n = r->path.len;
    if (!own && n > 3 && strcasecmp(r->path.ptr + n - 3, ".md") == 0)
        links_source(r, it, url, line, col);
    else if (r->path.len)
        links_site(r, it, ci, url, line, col);
}

/* ---- the walk -------------------------------------------------------------- */

/* The maps are built when the first item with a link needs them: most
 * items have none, and a site without links pays nothing. */
static void links_prepare(links_run *r)
{
    if (r->prepared)
        return;
    r->prepared = true;
    check_ctx *c = r->c;
    for (size_t i = 0; i < c->set->len; i++)
        check_map_put(c, &r->paths, check_nfc(c, c->set->items[i].path), (long)i);
    if (c->names && c->cat && c->cat->item_count == c->set->len)
        r->have_urls = check_urlset_build(c, &r->urls) == 0;
    if (config_theme_dir(c->cfg, &r->static_dir) == 0)
        buf_puts(&r->static_dir, "/static");
    else
        buf_reset(&r->static_dir);
}

static void links_item(links_run *r, size_t index)
{
    const content_item *it = &r->c->set->items[index];
    const catalogue_item *ci = check_catalogue_item(r->c, index);
    /* Links need brackets, except the bare URLs autolinked to the site. */
    if (check_memo_known(r->c, index, CHECK_MEMO_NO_LINKS))
        return;
    if (!memchr(it->body, '[', it->body_len) && !memchr(it->body, '<', it->body_len) &&
        !(r->host[0] && strstr(it->body, r->host))) {
        check_memo_note(r->c, index, CHECK_MEMO_NO_LINKS);
        return;
    }
    links_prepare(r);
    cmark_node *doc = markdown_parse(it->body, it->body_len);
    if (!doc)
        return;
    cmark_iter *iter = cmark_iter_new(doc);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node *node = cmark_iter_get_node(iter);
        cmark_node_type t = cmark_node_get_type(node);
        int bl = cmark_node_get_start_line(node), bc = cmark_node_get_start_column(node);
        if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) {
            int line, col;
            check_body_position(it, bl, bc, &line, &col);
            const char *url = cmark_node_get_url(node);
            links_check(r, it, ci, url ? url : "", t == CMARK_NODE_IMAGE, line, col);
        } else if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE) {
            const char *lit = cmark_node_get_literal(node);
            if (lit)
                check_html_node(r->c, it, lit, bl, bc);
        }
    }
    cmark_iter_free(iter);
    cmark_node_free(doc);
}

void check_links_run(check_ctx *c)
{
    links_run r = {.c = c};
    const char *host = c->cfg->base_url ? strstr(c->cfg->base_url, "://") : NULL;
    if (host) {
        host += 3;
        size_t n = strcspn(host, "/");
        if (n < sizeof r.host)
            memcpy(r.host, host, n);
    }
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (it->disclosure == CONTENT_DISCLOSURE_PUBLIC && check_item_published(c, it))
            links_item(&r, i);
    }
    check_map_free(&r.urls);
    check_map_free(&r.paths);
    buf_free(&r.static_dir);
    buf_free(&r.path);
    buf_free(&r.scratch);
}
