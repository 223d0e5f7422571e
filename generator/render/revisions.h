/* Versions on the site (DESIGN §6), as template data: an item's list of
 * versions, the page of an earlier version read back from git, its diff
 * against the next version, and the release log. site.c writes the pages
 * (<item url>v<N>/, <item url>v<N>/diff/, /releases/); what each template
 * sees is documented in templates/README.md. */
#ifndef GK_RENDER_REVISIONS_H
#define GK_RENDER_REVISIONS_H

#include "../history/history.h"

#include <cmark-gfm.h>
#include <lua.h>

#include <stdbool.h>
#include <stddef.h>

/* One earlier version read as an item. */
typedef struct revision_doc {
    content_set set;
    const content_item *item; /* NULL when its front matter cannot be read */
    bool shown; /* may be published: no 密级, not 不予公开, not a draft (unless --drafts) */
    const char *hidden; /* when not shown, why, in Chinese */
} revision_doc;

/* Point the links of `doc`, the Markdown of the file `source` (as the
 * version was at that path), to the pages of the items they name, as seen
 * from the page at site path `page`. */
typedef void (*revision_links_fn)(void *ctx, cmark_node *doc, const char *source, const char *page);

/* The versions of one item. Every version but the current one is earlier:
 * it gets a page, unless it may not be published (it was secret, withheld
 * or a draft then), and a diff against the next version when both may be
 * shown. An uncommitted file is the current (working) version after all
 * the committed ones; a withdrawn item has no current version. */
typedef struct revision_set {
    history *h;
    const site_config *cfg;
    const history_revisions *rv;
    const content_item *current; /* the item as built now; NULL when withdrawn */
    bool drafts;
    size_t earlier;          /* versions with pages of their own: rv->v[0..earlier) */
    bool *shown;             /* per earlier version, known once loaded */
    revision_doc doc[2];     /* the version loaded last and the one after it */
    size_t loaded;           /* the index doc[0] holds, or SIZE_MAX */
    arena mem;               /* the diff's pieces */
    revision_links_fn links; /* NULL: links to items' files stay as written */
    void *links_ctx;
} revision_set;

void revision_set_init(revision_set *rs, history *h, const site_config *cfg,
                       const history_revisions *rv, const content_item *current, bool drafts);
void revision_set_free(revision_set *rs);
/* Read earlier version k and the one after it, going through k in order.
 * Returns 0 (rs->shown[k] then tells whether it may be shown), or -1 after
 * a GK603 diagnostic. */
int revision_set_load(revision_set *rs, size_t k, diag_list *diags);
/* Why loaded version k gets no page ("含密级", "不予公开", "草稿",
 * "含个人信息", "前言无法读取"), or NULL when it gets one. */
const char *revision_set_hidden(const revision_set *rs, size_t k);
/* Whether earlier version k gets a diff page: it and the next may be shown. */
bool revision_set_diffable(const revision_set *rs, size_t k);
/* page.revision and page.current_url for the page of loaded version k of
 * the item at `url`. Returns 0, or -1 when naming.lua failed. */
int revision_set_page(revision_set *rs, lua_State *L, size_t k, const char *url, naming *names,
                      arena *mem);
/* page.diff: loaded version k against the next, blocks rendered as HTML. */
void revision_set_diff(revision_set *rs, lua_State *L, size_t k, const char *url, bool allow_html);
/* `revisions`, `version` and `working` on the table on top of the stack,
 * once every earlier version was loaded; nothing when the site is not in
 * git. */
void revision_set_list(const revision_set *rs, lua_State *L, const char *url);

/* page.releases (newest first), page.git, page.branch of the release log. */
void revisions_releases_set(lua_State *L, const history *h, const site_config *cfg);

#endif
