#include "revisions.h"
#include "diff.h"
#include "markdown.h"

#include "../check/check.h"
#include "../util/sandbox.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rev_set_bool(lua_State *L, const char *key, bool v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, key);
}

static void rev_set_int(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

static void rev_set_day(lua_State *L, const char *key, date d)
{
    char s[11];
    date_format(d, s);
    sandbox_set_string(L, key, s);
}

/* ---- one version read back ---------------------------------------------- */

static void revision_doc_free(revision_doc *d)
{
    content_free(&d->set); /* a zeroed set is fine */
    d->item = NULL;
    d->shown = false;
    d->hidden = NULL;
}

static int revision_doc_load(revision_doc *d, revision_set *rs, const history_revision *r,
                             diag_list *diags)
{
    revision_doc_free(d);
    buf text = BUF_INIT;
    if (history_revision_read(rs->h, r, &text, diags) != 0) {
        buf_free(&text);
        return -1;
    }
    /* What was wrong with an old version is no error of today's build. */
    diag_list ignored;
    diag_list_init(&ignored);
    content_init(&d->set);
    content_text_load(&d->set, rs->cfg, r->path, buf_cstr(&text), text.len, &ignored);
    diag_list_free(&ignored);
    buf_free(&text);
    const content_item *it = d->set.len ? &d->set.items[0] : NULL;
    d->item = it;
    /* A version whose personal data was taken out later is not published
     * again by its own page. */
    d->hidden = !it                                             ? "前言无法读取"
                : it->secrecy.s                                 ? "含密级"
                : it->disclosure == CONTENT_DISCLOSURE_WITHHELD ? "不予公开"
                : it->draft && !rs->drafts                      ? "草稿"
                : check_item_personal_data(it)                  ? "含个人信息"
                                                                : NULL;
    d->shown = !d->hidden;
    return 0;
}

/* ---- the set ------------------------------------------------------------- */

void revision_set_init(revision_set *rs, history *h, const site_config *cfg,
                       const history_revisions *rv, const content_item *current, bool drafts)
{
    memset(rs, 0, sizeof *rs);
    rs->h = h;
    rs->cfg = cfg;
    rs->rv = rv;
    rs->current = current;
    rs->drafts = drafts;
    /* A current file that is the newest commit is that version, not an
     * earlier one. */
    rs->earlier = current && rv->len && !rv->working ? rv->len - 1 : rv->len;
    if (!history_is_repository(h))
        rs->earlier = 0;
    rs->shown = xcalloc(rs->earlier + 1, sizeof *rs->shown);
    rs->loaded = SIZE_MAX;
    arena_init(&rs->mem);
}

void revision_set_free(revision_set *rs)
{
    revision_doc_free(&rs->doc[0]);
    revision_doc_free(&rs->doc[1]);
    free(rs->shown);
    arena_free(&rs->mem);
}

/* Whether the version after earlier version k is the current one. */
static bool revision_next_is_current(const revision_set *rs, size_t k)
{
    return rs->current && k + 1 >= rs->earlier;
}

int revision_set_load(revision_set *rs, size_t k, diag_list *diags)
{
    if (rs->loaded != SIZE_MAX && rs->loaded + 1 == k && rs->doc[1].item) {
        revision_doc t = rs->doc[0];
        rs->doc[0] = rs->doc[1];
        rs->doc[1] = t;
        revision_doc_free(&rs->doc[1]);
    } else if (revision_doc_load(&rs->doc[0], rs, &rs->rv->v[k], diags) != 0) {
        return -1;
    }
    rs->loaded = k;
    rs->shown[k] = rs->doc[0].shown;
    revision_doc_free(&rs->doc[1]);
    if (k + 1 < rs->earlier && revision_doc_load(&rs->doc[1], rs, &rs->rv->v[k + 1], diags) != 0)
        return -1;
    return 0;
}

const char *revision_set_hidden(const revision_set *rs, size_t k)
{
    return rs->loaded == k ? rs->doc[0].hidden : NULL;
}

/* Whether earlier version i may be shown, as far as it was read. */
static bool revision_shown(const revision_set *rs, size_t i)
{
    if (i == rs->loaded)
        return rs->doc[0].shown;
    if (rs->loaded != SIZE_MAX && i == rs->loaded + 1)
        return rs->doc[1].shown;
    return i < rs->earlier && rs->shown[i];
}

bool revision_set_diffable(const revision_set *rs, size_t k)
{
    if (!revision_shown(rs, k))
        return false;
    return revision_next_is_current(rs, k) || (k + 1 < rs->earlier && revision_shown(rs, k + 1));
}

/* ---- version tables ------------------------------------------------------ */

/* The number of versions, the working one included. */
static size_t revision_count(const revision_set *rs)
{
    return rs->rv->len + (rs->current && rs->rv->working);
}

/* {number, label, date, day, message, short_id, commit, url, diff_url,
 * current, working} of version i (0 = v1); the working version is
 * i == rv->len. */
static void revision_push(const revision_set *rs, lua_State *L, size_t i, const char *url)
{
    lua_newtable(L);
    char label[24];
    bool current = rs->current && i + 1 == revision_count(rs);
    if (i < rs->rv->len) {
        const history_revision *r = &rs->rv->v[i];
        snprintf(label, sizeof label, "v%d", r->number);
        rev_set_int(L, "number", r->number);
        sandbox_set_string(L, "date", r->when);
        rev_set_day(L, "day", r->day);
        sandbox_set_string(L, "message", r->message);
        sandbox_set_string(L, "short_id", r->short_id);
        sandbox_set_string(L, "commit", r->commit);
    } else {
        snprintf(label, sizeof label, "v%zu", i + 1);
        rev_set_int(L, "number", (lua_Integer)i + 1);
        sandbox_set_string(L, "message", "尚未提交到 git 的修改");
        rev_set_bool(L, "working", true);
    }
    sandbox_set_string(L, "label", label);
    rev_set_bool(L, "current", current);
    buf link = BUF_INIT;
    if (current) {
        sandbox_set_string(L, "url", url);
    } else if (i < rs->earlier && revision_shown(rs, i)) {
        buf_printf(&link, "%s%s/", url, label);
        sandbox_set_string(L, "url", link.ptr);
        if (revision_set_diffable(rs, i)) {
            buf_puts(&link, "diff/");
            sandbox_set_string(L, "diff_url", link.ptr);
        }
    }
    buf_free(&link);
}

void revision_set_list(const revision_set *rs, lua_State *L, const char *url)
{
    if (!history_is_repository(rs->h))
        return;
    size_t n = revision_count(rs);
    lua_createtable(L, (int)n, 0);
    for (size_t i = n; i-- > 0;) {
        revision_push(rs, L, i, url);
        lua_rawseti(L, -2, (lua_Integer)(n - i));
    }
    lua_setfield(L, -2, "revisions");
    if (rs->current && n) {
        char label[24];
        snprintf(label, sizeof label, "v%zu", n);
        sandbox_set_string(L, "version", label);
    }
    rev_set_bool(L, "working", rs->current && rs->rv->working);
}

/* ---- an earlier version's page ------------------------------------------- */

int revision_set_page(revision_set *rs, lua_State *L, size_t k, const char *url, naming *names,
                      arena *mem)
{
    const content_item *it = rs->doc[0].item;
    sandbox_set_string(L, "current_url", url);
    revision_push(rs, L, k, url);
    sandbox_set_string(L, "title", it->title && it->title[0] ? it->title : NULL);
    if (it->date.set)
        rev_set_day(L, "published", it->date.day);
    if (it->doc_number.s) {
        const char *number;
        if (naming_doc_number(names, mem, it->doc_number.s, &number) != 0) {
            lua_pop(L, 1);
            return -1;
        }
        sandbox_set_string(L, "doc_number", number);
    }
    if (it->disclosure ==
        CONTENT_DISCLOSURE_PUBLIC) { /* 依申请公开: no body, as on the item page */
        cmark_node *doc = markdown_parse(it->body, it->body_len);
        buf html = BUF_INIT;
        if (rs->links) {
            buf_printf(&html, "%sv%d/", url, rs->rv->v[k].number);
            rs->links(rs->links_ctx, doc, it->path, html.ptr);
            buf_reset(&html);
        }
        markdown_render_html(doc, rs->cfg->allow_html, &html);
        cmark_node_free(doc);
        sandbox_set_string(L, "body_html", buf_cstr(&html));
        buf_free(&html);
    }
    if (k + 1 < revision_count(rs)) {
        revision_push(rs, L, k + 1, url);
        lua_setfield(L, -2, "next");
    }
    lua_setfield(L, -2, "revision");
    return 0;
}

/* ---- the diff against the next version ----------------------------------- */

/* The front matter's lines (between the delimiters) of an item. */
static size_t revision_front_lines(arena *mem, const content_item *it, diff_piece **out)
{
    diff_piece *lines;
    size_t n = diff_lines_split(mem, it->text, (size_t)(it->body - it->text), &lines);
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        bool delimiter = lines[i].len == 3 &&
                         (memcmp(lines[i].s, "+++", 3) == 0 || memcmp(lines[i].s, "---", 3) == 0);
        if (!delimiter && lines[i].len)
            lines[keep++] = lines[i];
    }
    *out = lines;
    return keep;
}

static const char *const revision_kinds[] = {"same", "removed", "added"};

/* key = a Markdown block of the file `source` as HTML on the diff page at
 * `page`, on the table on top. */
static void revision_block_html(const revision_set *rs, lua_State *L, const char *key,
                                const diff_piece *p, const char *source, const char *page,
                                bool allow_html, buf *html)
{
    cmark_node *doc = markdown_parse(p->s, p->len);
    if (rs->links)
        rs->links(rs->links_ctx, doc, source, page);
    buf_reset(html);
    markdown_render_html(doc, allow_html, html);
    cmark_node_free(doc);
    sandbox_set_string(L, key, buf_cstr(html));
}

/* key = the lines removed from and added to a changed block, in order. */
static void revision_lines_diff(lua_State *L, const char *key, arena *mem, const diff_piece *old,
                                const diff_piece *cur)
{
    diff_piece *a, *b;
    diff_op *ops;
    size_t na = diff_lines_split(mem, old->s, old->len, &a);
    size_t nb = diff_lines_split(mem, cur->s, cur->len, &b);
    size_t n = diff_compare(mem, a, na, b, nb, &ops);
    lua_newtable(L);
    for (size_t i = 0; i < n; i++) {
        if (ops[i].kind == DIFF_SAME)
            continue;
        const diff_piece *p = ops[i].kind == DIFF_ADDED ? &b[ops[i].index] : &a[ops[i].index];
        lua_createtable(L, 0, 2);
        sandbox_set_string(L, "kind", revision_kinds[ops[i].kind]);
        lua_pushlstring(L, p->s, p->len);
        lua_setfield(L, -2, "text");
        lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
    }
    lua_setfield(L, -2, key);
}

void revision_set_diff(revision_set *rs, lua_State *L, size_t k, const char *url, bool allow_html)
{
    const content_item *a = rs->doc[0].item;
    const content_item *b = revision_next_is_current(rs, k) ? rs->current : rs->doc[1].item;
    lua_newtable(L);
    revision_push(rs, L, k, url);
    lua_setfield(L, -2, "from");
    revision_push(rs, L, k + 1, url);
    lua_setfield(L, -2, "to");

    diff_piece *fa, *fb, *ba, *bb;
    diff_op *ops;
    size_t nfa = revision_front_lines(&rs->mem, a, &fa);
    size_t nfb = revision_front_lines(&rs->mem, b, &fb);
    size_t n = diff_compare(&rs->mem, fa, nfa, fb, nfb, &ops);
    lua_createtable(L, (int)n, 0);
    bool front_changed = false;
    for (size_t i = 0; i < n; i++) {
        const diff_piece *p = ops[i].kind == DIFF_ADDED ? &fb[ops[i].index] : &fa[ops[i].index];
        lua_createtable(L, 0, 2);
        sandbox_set_string(L, "kind", revision_kinds[ops[i].kind]);
        lua_pushlstring(L, p->s, p->len);
        lua_setfield(L, -2, "text");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        front_changed |= ops[i].kind != DIFF_SAME;
    }
    if (front_changed)
        lua_setfield(L, -2, "front");
    else
        lua_pop(L, 1);

    /* Bodies that are not 主动公开 on either side are not compared. */
    bool bodies =
        a->disclosure == CONTENT_DISCLOSURE_PUBLIC && b->disclosure == CONTENT_DISCLOSURE_PUBLIC;
    ba = bb = NULL;
    size_t nba = bodies ? diff_blocks_split(&rs->mem, a->body, a->body_len, &ba) : 0;
    size_t nbb = bodies ? diff_blocks_split(&rs->mem, b->body, b->body_len, &bb) : 0;
    n = diff_compare(&rs->mem, ba, nba, bb, nbb, &ops);
    lua_createtable(L, (int)n, 0);
    size_t counts[4] = {0, 0, 0, 0}, out = 0;
    buf html = BUF_INIT, page = BUF_INIT;
    buf_printf(&page, "%sv%d/diff/", url, rs->rv->v[k].number);
    for (size_t i = 0; i < n;) {
        /* Blocks removed and as many added in their place: each pair is one
         * block changed, shown with the lines that changed in it. */
        size_t r = 0, added = 0;
        while (i + r < n && ops[i + r].kind == DIFF_REMOVED)
            r++;
        while (i + r + added < n && ops[i + r + added].kind == DIFF_ADDED)
            added++;
        size_t pairs = r && r == added ? r : 0;
        for (size_t p = 0; p < pairs; p++) {
            const diff_piece *old = &ba[ops[i + p].index], *cur = &bb[ops[i + r + p].index];
            lua_createtable(L, 0, 4);
            sandbox_set_string(L, "kind", "changed");
            revision_block_html(rs, L, "html", cur, b->path, page.ptr, allow_html, &html);
            revision_block_html(rs, L, "old_html", old, a->path, page.ptr, allow_html, &html);
            revision_lines_diff(L, "lines", &rs->mem, old, cur);
            lua_rawseti(L, -2, (lua_Integer)++out);
        }
        if (pairs) {
            counts[3] += pairs;
            i += 2 * pairs;
            continue;
        }
        const diff_piece *p = ops[i].kind == DIFF_ADDED ? &bb[ops[i].index] : &ba[ops[i].index];
        lua_createtable(L, 0, 2);
        sandbox_set_string(L, "kind", revision_kinds[ops[i].kind]);
        revision_block_html(rs, L, "html", p, ops[i].kind == DIFF_ADDED ? b->path : a->path,
                            page.ptr, allow_html, &html);
        lua_rawseti(L, -2, (lua_Integer)++out);
        counts[ops[i].kind]++;
        i++;
    }
    buf_free(&html);
    buf_free(&page);
    lua_setfield(L, -2, "blocks");
    rev_set_int(L, "removed", (lua_Integer)counts[DIFF_REMOVED]);
    rev_set_int(L, "added", (lua_Integer)counts[DIFF_ADDED]);
    rev_set_int(L, "changed", (lua_Integer)counts[3]);
    if (strcmp(a->title, b->title) != 0) {
        sandbox_set_string(L, "old_title", a->title);
        sandbox_set_string(L, "new_title", b->title);
    }
    lua_setfield(L, -2, "diff");
}

/* ---- the release log ----------------------------------------------------- */

void revisions_releases_set(lua_State *L, const history *h, const site_config *cfg)
{
    static const char *const lists[HISTORY_CHANGE_KINDS] = {"added", "changed", "withdrawn"};
    static const char *const counts[HISTORY_CHANGE_KINDS] = {"new_count", "changed_count",
                                                             "withdrawn_count"};
    rev_set_bool(L, "git", history_is_repository(h));
    sandbox_set_string(L, "branch", cfg->publish_branch);
    size_t n;
    const history_release *rel = history_release_list(h, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t r = 0; r < n; r++) {
        const history_release *x = &rel[r];
        lua_newtable(L);
        sandbox_set_string(L, "tag", x->tag);
        sandbox_set_string(L, "commit", x->commit[0] ? x->commit : NULL);
        if (x->commit[0]) {
            lua_pushlstring(L, x->commit, 7);
            lua_setfield(L, -2, "short_id");
        }
        sandbox_set_string(L, "source", x->source);
        if (x->source) {
            lua_pushlstring(L, x->source, 7);
            lua_setfield(L, -2, "source_short");
        }
        rev_set_int(L, "source_dirty", (lua_Integer)x->source_dirty);
        sandbox_set_string(L, "date", x->when);
        rev_set_day(L, "day", x->day);
        sandbox_set_string(L, "message", x->message);
        rev_set_bool(L, "pending", x->pending);
        for (int kind = 0; kind < HISTORY_CHANGE_KINDS; kind++) {
            rev_set_int(L, counts[kind], (lua_Integer)x->counts[kind]);
            lua_newtable(L);
            for (size_t i = 0; i < x->change_count; i++) {
                const history_change *c = &x->changes[i];
                if ((int)c->kind != kind)
                    continue;
                lua_createtable(L, 0, 3);
                sandbox_set_string(L, "index_no", c->index_no);
                sandbox_set_string(L, "title", c->title);
                sandbox_set_string(L, "url", c->url);
                lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
            }
            lua_setfield(L, -2, lists[kind]);
        }
        lua_rawseti(L, -2, (lua_Integer)r + 1);
    }
    lua_setfield(L, -2, "releases");
}
