/* The item pages: for every published item its page, its print view, the
 * pages of its earlier versions and its attachments. Items are independent
 * once the model is built, so they are shared out among workers, each with
 * its own Lua state (worker 0 renders in the builder's main state, which
 * keeps the item tables it makes for the listings; the others build an
 * item's table for its pages and drop it). What must follow the items' order (the
 * search index's doc numbers) is added in that order whoever finishes
 * first, so the site does not depend on the number of workers. */
#include "markdown.h"
#include "qrcode.h"
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/path.h"
#include "../util/pool.h"
#include "../util/sandbox.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <lauxlib.h>

#include <dirent.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Items a worker takes at a time: few enough that the workers finish
 * together, enough that they rarely meet at the counter. */
#define ITEMS_CHUNK 8
/* Positions a worker may take ahead of the search index: entries wait in
 * memory to be added in order, and one item that takes long (or a worker
 * the system holds up) must not let the others pile up the whole site's. */
#define ITEMS_AHEAD 1024

typedef struct items_job {
    site_builder *b;
    site_state *states;  /* b->workers; worker 0 renders in b->main instead */
    _Atomic size_t next; /* the next position in b->published to take */
    _Atomic size_t done;
    _Atomic int failed; /* the first error's RENDER_ERROR_*, or 0 */
    _Atomic size_t pages;
    pthread_mutex_t commit; /* entries and the search index */
    pthread_cond_t turn;    /* `added` moved on, or a worker failed */
    search_entry **entries; /* per position: collected, not yet added */
    size_t added;           /* positions added to the search index */
    bool adding;            /* a worker is adding entries */
} items_job;

/* ---- links and attachments ------------------------------------------------ */

const catalogue_item *site_item_by_source(const site_builder *b, const char *path)
{
    size_t lo = 0, hi = b->published_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const catalogue_item *ci = &b->cat->items[b->by_source[mid]];
        int c = strcmp(ci->item->path, path);
        if (c == 0)
            return ci;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Editors link one item to another by its file (../2024/banfa.md), as they
 * see it; on the site such a link leads from the page at hand to the other
 * item's page. */
typedef struct items_link {
    cmark_node *node;
    const char *target;   /* the other item's URL */
    const char *fragment; /* "#..." of the link as written, or "" */
} items_link;

typedef struct items_links {
    items_link *v;
    size_t len, cap;
} items_links;

static void items_links_collect(site_state *st, cmark_node *doc, const char *source,
                                items_links *out)
{
    buf dir = BUF_INIT, path = BUF_INIT, joined = BUF_INIT;
    const char *slash = strrchr(source, '/');
    buf_put(&dir, source, slash ? (size_t)(slash - source) : 0);
    cmark_iter *iter = cmark_iter_new(doc);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *n = cmark_iter_get_node(iter);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK)
            continue;
        const char *url = cmark_node_get_url(n);
        size_t len = strcspn(url, "?#");
        if (strchr(url, ':') || url[0] == '/' || len < 4 || strncmp(url + len - 3, ".md", 3) != 0)
            continue;
        buf_reset(&path);
        buf_put(&path, url, len);
        if (path_join(&joined, buf_cstr(&dir), path.ptr, strlen("content")) != 0)
            continue;
        /* Found or not, where that item is decides what this page shows. */
        site_link_note(st, joined.ptr);
        const catalogue_item *target = site_item_by_source(st->b, joined.ptr);
        if (!target)
            continue; /* the check refuses such a link in a current file; an
                         earlier version's may name a file gone since */
        out->v = xgrow(out->v, &out->cap, out->len + 1, sizeof *out->v);
        out->v[out->len++] = (items_link){n, target->url, arena_strdup(&st->mem, url + len)};
    }
    cmark_iter_free(iter);
    buf_free(&dir);
    buf_free(&path);
    buf_free(&joined);
}

/* Point the collected links at their targets as seen from `page`. */
static void items_links_aim(items_links *links, const char *page)
{
    buf link = BUF_INIT;
    for (size_t i = 0; i < links->len; i++) {
        buf_reset(&link);
        output_link(page, links->v[i].target, &link);
        buf_puts(&link, links->v[i].fragment);
        cmark_node_set_url(links->v[i].node, link.ptr);
    }
    buf_free(&link);
}

void site_links_aim(void *state, cmark_node *doc, const char *source, const char *page)
{
    items_links links = {NULL, 0, 0};
    items_links_collect(state, doc, source, &links);
    items_links_aim(&links, page);
    free(links.v);
}

/* The file `name` in the folder `dir`, appended to dir: as written, or the
 * one whose name is the same once normalised (NFC vs NFD file names). */
static void items_attachment_find(site_state *st, buf *dir, const char *name)
{
    size_t base = dir->len;
    buf_printf(dir, "/%s", name);
    if (access(dir->ptr, F_OK) == 0)
        return;
    dir->ptr[dir->len = base] = '\0';
    const char *want = utf8_nfc(&st->mem, name), *found = name;
    DIR *d = opendir(dir->ptr);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(utf8_nfc(&st->mem, e->d_name), want) == 0) {
            found = arena_strdup(&st->mem, e->d_name);
            break;
        }
    if (d)
        closedir(d);
    buf_printf(dir, "/%s", found);
}

/* Attachments sit beside the item's file and are published beside its page. */
static int items_copy_attachments(site_state *st, const catalogue_item *ci)
{
    const content_item *it = ci->item;
    const char *slash = strrchr(it->path, '/');
    int rc = 0;
    for (size_t k = 0; k < it->attachments.len && rc == 0; k++) {
        buf from = BUF_INIT, to = BUF_INIT;
        buf_printf(&from, "%s/%.*s", st->b->cfg->root, (int)(slash - it->path), it->path);
        items_attachment_find(st, &from, it->attachments.v[k].s);
        buf_printf(&to, "%s%s", ci->url, it->attachments.v[k].s);
        buf_reset(&st->err);
        if (output_copy_file(&st->b->out, from.ptr, to.ptr, &st->err) != 0) {
            site_error(st->b, "GK402", it->path, st->err.ptr);
            rc = RENDER_ERROR_IO;
        }
        buf_free(&from);
        buf_free(&to);
    }
    return rc;
}

/* ---- one item -------------------------------------------------------------- */

/* The first characters of the body as plain text, for listings and feeds. */
static void items_summary(cmark_node *doc, buf *out)
{
    cmark_iter *iter = cmark_iter_new(doc);
    size_t chars = 0;
    bool cut = false;
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE && !cut;) {
        cmark_node *n = cmark_iter_get_node(iter);
        cmark_node_type t = cmark_node_get_type(n);
        if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) &&
            out->len && out->ptr[out->len - 1] != ' ')
            buf_putc(out, ' ');
        if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_TEXT && t != CMARK_NODE_CODE))
            continue;
        for (const unsigned char *p = (const unsigned char *)cmark_node_get_literal(n); *p; p++) {
            if ((*p & 0xc0) != 0x80 && chars++ == SITE_SUMMARY_CHARS) {
                cut = true;
                break;
            }
            buf_putc(out, (char)*p);
        }
    }
    cmark_iter_free(iter);
    while (out->len && out->ptr[out->len - 1] == ' ')
        out->ptr[--out->len] = '\0';
    if (cut)
        buf_puts(out, "…");
}

/* Keep what the listings need of the item table on top of the stack. */
static void items_keep_found(site_state *st, site_item_found *f)
{
    lua_State *L = st->L;
    if (lua_getfield(L, -1, "version") == LUA_TSTRING)
        f->version = arena_strdup(&st->mem, lua_tostring(L, -1));
    if (lua_getfield(L, -2, "working") == LUA_TBOOLEAN)
        f->working = lua_toboolean(L, -1);
    lua_pop(L, 2);
}

/* The body's HTML, summary and search entry on the item table on top of the
 * stack; returns the parsed body (NULL for an item given on request only,
 * which has neither body nor summary). */
static cmark_node *items_body(site_state *st, const catalogue_item *ci, site_item_found *f,
                              items_links *links, search_collector *collector, search_entry **entry)
{
    lua_State *L = st->L;
    const content_item *it = ci->item;
    if (it->disclosure != CONTENT_DISCLOSURE_PUBLIC) {
        *entry = search_collect(collector, L, -1, NULL);
        return NULL;
    }
    /* One parse serves the page, its summary and the search index. */
    cmark_node *doc = markdown_parse(it->body, it->body_len);
    buf_reset(&st->scratch);
    items_summary(doc, &st->scratch);
    f->summary = arena_strdup(&st->mem, buf_cstr(&st->scratch));
    sandbox_set_string(L, "summary", f->summary);
    items_links_collect(st, doc, it->path, links);
    items_links_aim(links, ci->url);
    buf_reset(&st->html);
    markdown_render_html(doc, st->b->cfg->allow_html, &st->html);
    *entry = search_collect(collector, L, -1, doc);
    sandbox_set_string(L, "body_html", buf_cstr(&st->html));
    return doc;
}

void site_item_entry(site_builder *b, size_t i, buf *out)
{
    lua_State *L = b->main.L;
    const content_item *it = b->cat->items[i].item;
    cmark_node *doc =
        it->disclosure == CONTENT_DISCLOSURE_PUBLIC ? markdown_parse(it->body, it->body_len) : NULL;
    search_collector *collector = search_collector_new(b->cfg, b->cat);
    lua_rawgeti(L, LUA_REGISTRYINDEX, site_item_ref(b, i));
    search_entry *entry = search_collect(collector, L, -1, doc);
    lua_pop(L, 1);
    buf_reset(out);
    search_entry_write(entry, out);
    search_entry_free(entry);
    search_collector_free(collector);
    if (doc)
        cmark_node_free(doc);
}

/* Leave the entry of position k; when no worker is adding, add it and
 * every entry after it that is ready. The adding runs outside the lock, so
 * that the other workers leave theirs and go on meanwhile: one worker at a
 * time adds, and it picks up what they left before it stops. */
static void items_commit(items_job *job, size_t k, search_entry *entry)
{
    pthread_mutex_lock(&job->commit);
    job->entries[k] = entry;
    if (!job->adding) {
        job->adding = true;
        while (job->added < job->b->published_len && job->entries[job->added]) {
            search_entry *next = job->entries[job->added];
            job->entries[job->added] = NULL;
            pthread_mutex_unlock(&job->commit);
            search_index_add(job->b->search, next);
            pthread_mutex_lock(&job->commit);
            job->added++;
            pthread_cond_broadcast(&job->turn);
        }
        job->adding = false;
    }
    pthread_mutex_unlock(&job->commit);
}

/* Wait until the positions from `first` on may be worked on; false when a
 * worker failed. No worker waits for ever: the earliest position not yet
 * added is before any waiting worker's, so its worker does not wait. */
static bool items_wait_turn(items_job *job, size_t first)
{
    pthread_mutex_lock(&job->commit);
    while (first >= job->added + ITEMS_AHEAD && atomic_load(&job->failed) == 0)
        pthread_cond_wait(&job->turn, &job->commit);
    pthread_mutex_unlock(&job->commit);
    return atomic_load(&job->failed) == 0;
}

static void items_fail(items_job *job, int rc)
{
    int none = 0;
    atomic_compare_exchange_strong(&job->failed, &none, rc);
    pthread_mutex_lock(&job->commit);
    pthread_cond_broadcast(&job->turn);
    pthread_mutex_unlock(&job->commit);
}

/* The key of everything item i's pages are made from besides the site key:
 * its file, its place in the catalogue, its names and its versions. Where
 * the items its bodies link to are is in its dependency set (site_deps.c). */
static uint64_t items_key(const site_builder *b, size_t i)
{
    const catalogue_item *ci = &b->cat->items[i];
    const content_item *it = ci->item;
    uint64_t h = hash64_int(b->site_key, (int64_t)it->text_hash);
    h = hash64_str(h, it->path);
    h = hash64_str(h, ci->url);
    h = hash64_str(h, ci->index_no);
    h = hash64_int(h, ci->category - b->cat->categories);
    h = hash64_str(h, b->item[i].doc_number);
    h = hash64_str(h, b->item[i].period_label);
    const history_revisions *rv = history_item_revisions(b->opt->history, i);
    h = hash64_int(h, (int64_t)rv->len * 2 + rv->working);
    for (size_t r = 0; r < rv->len; r++) {
        const history_revision *v = &rv->v[r];
        h = hash64_int(h, v->number);
        h = hash64_str(h, v->commit);
        h = hash64_str(h, v->blob);
        h = hash64_str(h, v->path);
        h = hash64_str(h, v->when);
        h = hash64_str(h, v->message);
    }
    return h;
}

/* The previous build's search entry of the item at position k, whose key
 * is unchanged: the search index's stand-in when it keeps the index (nothing
 * is read; st->scratch is left empty), else the entry read back, or NULL
 * when it cannot be read back whole (the item is rendered then); its bytes
 * stay in st->scratch. */
static search_entry *items_cached_entry(site_state *st, const cache_item *prev, size_t k)
{
    search_entry *kept = search_index_kept_entry(st->b->search, k);
    buf_reset(&st->scratch);
    if (kept)
        return kept;
    if (build_cache_entry_read(&st->b->cache, &prev->entry, &st->scratch) != 0)
        return NULL;
    return search_entry_read(st->scratch.ptr, st->scratch.len);
}

/* Put the kept pages noted so far on the output's list. */
static void items_keep_flush(site_state *st)
{
    output_keep_many(&st->b->out, st->keeping, st->keeping_len);
    st->keeping_len = 0;
}

/* Keep the item's pages of the previous site when the cache says they are
 * what this build would render. Returns whether they were kept. */
static bool items_keep(site_state *st, const cache_item *prev)
{
    site_builder *b = st->b;
    if (b->there && b->out.target_fd >= 0) {
        if (!b->there[prev - b->cache.items]) /* the prefetch looked */
            return false;
    } else {
        for (size_t p = 0; p < prev->page_count; p++)
            if (!output_keepable(&b->out, prev->pages[p].path, prev->pages[p].size))
                return false;
    }
    for (size_t p = 0; p < prev->page_count; p++) {
        if (st->keeping_len == sizeof st->keeping / sizeof *st->keeping)
            items_keep_flush(st);
        st->keeping[st->keeping_len++] = prev->pages[p].path;
    }
    return true;
}

/* Item i's table on top of L's stack: the main state's own, or one made for
 * this item's pages. Returns its registry ref in the main state, or
 * LUA_NOREF for a table made here (the caller refs or pops it). */
static int items_table_push(site_state *st, size_t i)
{
    if (st != &st->b->main) {
        site_item_push(st, i);
        return LUA_NOREF;
    }
    int ref = site_item_ref(st->b, i);
    lua_rawgeti(st->L, LUA_REGISTRYINDEX, ref);
    return ref;
}

/* An unchanged item: its pages as they were, and what the listings and the
 * search index take from it as the cache kept it (the entry's bytes are in
 * st->scratch, empty when none were read). */
static int items_reuse(items_job *job, site_state *st, size_t k, const cache_item *prev,
                       size_t deps, search_entry *entry)
{
    site_builder *b = job->b;
    size_t i = b->published[k];
    const catalogue_item *ci = &b->cat->items[i];
    site_item_found *f = &b->found[i];
    b->next[i] = *prev;
    b->next[i].deps = deps;
    build_cache_entry_keep(&b->cache, &prev->entry, st->scratch.len ? st->scratch.ptr : NULL,
                           st->scratch.len, &b->next[i].entry);
    build_cache_entry_keep(&b->cache, &prev->qr, NULL, 0, &b->next[i].qr);
    /* As items_body: an item given on request only has no summary. */
    f->summary = ci->item->disclosure == CONTENT_DISCLOSURE_PUBLIC
                     ? arena_strdup(&st->mem, search_entry_summary(entry))
                     : NULL;
    items_commit(job, k, entry);
    f->version = prev->version;
    f->working = prev->working;
    return items_copy_attachments(st, ci);
}

/* The QR code of the item's page, whose URL is `text`, as SVG into st->html:
 * drawn from the previous build's modules when they are of the same text
 * and read back whole, else encoded anew; with a build cache, *key and *at
 * are what this build's record keeps of them. Returns 0, or -1 when the
 * text cannot be encoded. */
static int items_qrcode(site_state *st, const cache_item *prev, const char *text, uint64_t *key,
                        cache_entry *at)
{
    site_builder *b = st->b;
    qrcode_matrix m;
    buf_reset(&st->html);
    if (!b->next) {
        if (qrcode_encode(text, &m) != 0)
            return -1;
    } else {
        *key = qrcode_key(text);
        if (prev && prev->qr_key == *key &&
            build_cache_entry_read(&b->cache, &prev->qr, &st->html) == 0 &&
            qrcode_matrix_read(st->html.ptr, st->html.len, &m) == 0) {
            build_cache_entry_keep(&b->cache, &prev->qr, st->html.ptr, st->html.len, at);
        } else {
            if (qrcode_encode(text, &m) != 0)
                return -1;
            buf_reset(&st->html);
            qrcode_matrix_write(&m, &st->html);
            build_cache_entry_append(&b->cache, st->html.ptr, st->html.len, at);
        }
        buf_reset(&st->html);
    }
    qrcode_matrix_svg(&m, "本页网址的二维码", &st->html);
    return 0;
}

static int items_render_one(items_job *job, site_state *st, search_collector *collector, size_t k)
{
    site_builder *b = job->b;
    lua_State *L = st->L;
    size_t i = b->published[k];
    const catalogue_item *ci = &b->cat->items[i];
    const content_item *it = ci->item;
    site_item_found *f = &b->found[i];
    uint64_t key = 0;
    const cache_item *prev = b->next ? b->prev[i] : NULL;
    uint64_t qr_key = 0;
    cache_entry qr = {0, 0, 0};
    if (b->next) {
        key = items_key(b, i);
        size_t deps;
        if (prev && site_deps_keep(b, key, prev->key, prev->deps, &deps)) {
            search_entry *entry = items_cached_entry(st, prev, k);
            if (entry && items_keep(st, prev))
                return items_reuse(job, st, k, prev, deps, entry);
            search_entry_free(entry);
        }
        st->logging = true;
        st->log_len = 0;
        site_deps_begin(st);
    }
    int ref = items_table_push(st, i);
    bool own = ref == LUA_NOREF; /* the table is this page's alone */
    if (own) {
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    }
    items_links links = {NULL, 0, 0};
    search_entry *entry;
    cmark_node *doc = items_body(st, ci, f, &links, collector, &entry);
    cache_entry stored = {0, 0, 0};
    if (b->next) {
        buf_reset(&st->scratch);
        search_entry_write(entry, &st->scratch);
        build_cache_entry_append(&b->cache, st->scratch.ptr, st->scratch.len, &stored);
    }
    items_commit(job, k, entry);
    buf_reset(&st->scratch);
    buf_printf(&st->scratch, "%s%s", b->cfg->base_url, ci->url + 1);
    if (items_qrcode(st, prev, st->scratch.ptr, &qr_key, &qr) == 0)
        sandbox_set_string(L, "qr_svg_html", st->html.ptr);
    lua_pop(L, 1);

    int rc = site_render_versions(st, history_item_revisions(b->opt->history, i), it, ci->url,
                                  it->title, it->dept, "item", ref);
    if (rc == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        items_keep_found(st, f);
        lua_pop(L, 1);
    }
    for (int print = 0; print < 2 && rc == 0; print++) {
        buf_reset(&st->path);
        buf_printf(&st->path, "%s%s", ci->url, print ? "print/" : "");
        if (print && links.len) {
            /* The print view sits a folder deeper: aim the links anew. */
            items_links_aim(&links, st->path.ptr);
            buf_reset(&st->html);
            markdown_render_html(doc, b->cfg->allow_html, &st->html);
            lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
            sandbox_set_string(L, "body_html", buf_cstr(&st->html));
            lua_pop(L, 1);
        }
        site_page_begin(st, print ? "print" : "item", st->path.ptr, it->title);
        site_crumb(L, "首页", "/");
        site_crumb_dept(st, (size_t)(it->dept - b->cfg->departments));
        site_set_ref(L, "item", ref);
        rc = site_page_finish(st, print ? "print.html" : "item.html", NULL);
    }
    if (rc == 0)
        rc = items_copy_attachments(st, ci);
    if (rc == 0 && b->next) {
        cache_item *rec = &b->next[i];
        size_t deps;
        key = site_deps_note(st, key, &deps);
        *rec = (cache_item){.path = it->path,
                            .key = key,
                            .deps = deps,
                            .version = f->version,
                            .working = f->working,
                            .page_count = st->log_len,
                            .entry = stored,
                            .qr_key = qr_key,
                            .qr = qr};
        rec->pages = arena_alloc(&st->mem, (st->log_len + 1) * sizeof *rec->pages);
        memcpy(rec->pages, st->log, st->log_len * sizeof *rec->pages);
        st->logging = false;
    }
    if (doc)
        cmark_node_free(doc);
    free(links.v);
    if (own) {
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
    } else {
        /* Bodies are needed by this page only: let them go. */
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        static const char *const page_only[] = {"body_html", "qr_svg_html", "revisions"};
        for (size_t p = 0; p < sizeof page_only / sizeof *page_only; p++) {
            lua_pushnil(L);
            lua_setfield(L, -2, page_only[p]);
        }
        lua_pop(L, 1);
    }
    return rc;
}

static void items_progress(items_job *job)
{
    size_t done = atomic_fetch_add(&job->done, 1) + 1;
    const render_options *opt = job->b->opt;
    if (!opt->progress || (done % 100 && done != job->b->published_len))
        return;
    pthread_mutex_lock(&job->b->lock);
    opt->progress(opt->progress_ctx, done, job->b->published_len);
    pthread_mutex_unlock(&job->b->lock);
}

static void items_worker(void *ctx, size_t worker)
{
    items_job *job = ctx;
    site_builder *b = job->b;
    site_state *st = worker ? &job->states[worker] : &b->main;
    if (worker > 0) {
        int rc = site_state_open(st, b);
        if (rc != 0) {
            items_fail(job, rc);
            return;
        }
    }
    search_collector *collector = search_collector_new(b->cfg, b->cat);
    while (atomic_load(&job->failed) == 0) {
        size_t first = atomic_fetch_add(&job->next, ITEMS_CHUNK);
        if (first >= b->published_len || !items_wait_turn(job, first))
            break;
        size_t end =
            first + ITEMS_CHUNK < b->published_len ? first + ITEMS_CHUNK : b->published_len;
        for (size_t k = first; k < end; k++) {
            int rc = items_render_one(job, st, collector, k);
            if (rc != 0) {
                items_fail(job, rc);
                break;
            }
            items_progress(job);
        }
    }
    items_keep_flush(st);
    search_collector_free(collector);
    atomic_fetch_add(&job->pages, st->pages);
    st->pages = 0;
}

/* What the other workers found goes onto the main state's item tables
 * made so far; those made later get it when they are made. */
static void items_apply_found(site_builder *b)
{
    lua_State *L = b->main.L;
    for (size_t k = 0; k < b->published_len; k++) {
        size_t i = b->published[k];
        if (b->item_ref[i] == LUA_NOREF)
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, b->item_ref[i]);
        site_item_found_set(L, &b->found[i]);
        lua_pop(L, 1);
    }
}

int site_render_items(site_builder *b)
{
    size_t workers = b->opt->jobs ? b->opt->jobs : pool_default_workers();
    if (workers > b->published_len / ITEMS_CHUNK + 1)
        workers = b->published_len / ITEMS_CHUNK + 1;
    items_job job = {.b = b};
    b->workers = job.states = xcalloc(workers, sizeof *job.states);
    b->worker_count = workers;
    job.entries = xcalloc(b->published_len + 1, sizeof *job.entries);
    pthread_mutex_init(&job.commit, NULL);
    pthread_cond_init(&job.turn, NULL);
    if (b->opt->progress)
        b->opt->progress(b->opt->progress_ctx, 0, b->published_len);
    pool_run(workers, items_worker, &job);
    b->main.pages += atomic_load(&job.pages);
    int rc = atomic_load(&job.failed);
    if (rc == 0)
        items_apply_found(b);
    for (size_t k = 0; k < b->published_len; k++)
        search_entry_free(job.entries[k]);
    free(job.entries);
    pthread_mutex_destroy(&job.commit);
    pthread_cond_destroy(&job.turn);
    return rc;
}
