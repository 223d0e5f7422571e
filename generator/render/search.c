/* The search index: tokens and their postings collected item by item, then
 * written as shards, a manifest and the doc records (the format is in
 * search.h). */
#include "search.h"

#include "../util/arena.h"
#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct search_token {
    uint32_t off, len; /* its bytes in s->text */
    uint32_t hash;
    uint32_t count;  /* postings written into `postings` */
    uint32_t prev;   /* the doc of the last posting written */
    int32_t pending; /* the doc being added, whose mask is still growing; -1 */
    uint8_t mask;    /* that doc's fields so far */
    uint32_t shard;  /* while writing */
    buf postings;
} search_token;

typedef struct search_doc {
    const char *title, *url, *date, *doc_number, *index_no, *summary;
    int dept, category; /* indices, -1 when unknown */
} search_doc;

struct search_index {
    const site_config *cfg;
    const catalogue *cat;
    arena mem;
    buf text; /* the bytes of every token */
    search_token *tokens;
    size_t token_count, token_cap;
    uint32_t *slots; /* open addressing: token index + 1, 0 when free */
    size_t slot_cap;
    search_doc *docs;
    size_t doc_count, doc_cap;
    buf fold, field; /* scratch */
    uint8_t adding;  /* the field being added */
};

search_index *search_index_new(const site_config *cfg, const catalogue *cat)
{
    search_index *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->cat = cat;
    arena_init(&s->mem);
    s->slot_cap = 1024;
    s->slots = xcalloc(s->slot_cap, sizeof *s->slots);
    return s;
}

void search_index_free(search_index *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->token_count; i++)
        buf_free(&s->tokens[i].postings);
    free(s->tokens);
    free(s->slots);
    free(s->docs);
    buf_free(&s->text);
    buf_free(&s->fold);
    buf_free(&s->field);
    arena_free(&s->mem);
    free(s);
}

/* ---- collecting -------------------------------------------------------- */

static void search_put_varint(buf *b, uint64_t v)
{
    char bytes[10];
    size_t n = 0;
    do {
        bytes[n] = (char)(v & 0x7f);
        v >>= 7;
        if (v)
            bytes[n] |= (char)0x80;
        n++;
    } while (v);
    buf_put(b, bytes, n);
}

/* Write the token's pending posting. */
static void search_flush(search_token *t)
{
    if (t->pending < 0)
        return;
    uint32_t doc = (uint32_t)t->pending;
    uint64_t delta = doc - (t->count ? t->prev : 0);
    bool plain = t->mask == SEARCH_FIELD_BODY;
    search_put_varint(&t->postings, delta << 1 | (plain ? 0 : 1));
    if (!plain)
        buf_putc(&t->postings, (char)t->mask);
    t->count++;
    t->prev = doc;
    t->pending = -1;
}

static void search_rehash(search_index *s)
{
    free(s->slots);
    s->slot_cap *= 2;
    s->slots = xcalloc(s->slot_cap, sizeof *s->slots);
    for (size_t i = 0; i < s->token_count; i++) {
        size_t j = s->tokens[i].hash & (s->slot_cap - 1);
        while (s->slots[j])
            j = (j + 1) & (s->slot_cap - 1);
        s->slots[j] = (uint32_t)i + 1;
    }
}

static void search_add_token(const char *tok, size_t len, void *ctx)
{
    search_index *s = ctx;
    uint32_t hash = (uint32_t)search_token_hash(tok, len);
    size_t j = hash & (s->slot_cap - 1);
    search_token *t = NULL;
    for (; s->slots[j]; j = (j + 1) & (s->slot_cap - 1)) {
        search_token *c = &s->tokens[s->slots[j] - 1];
        if (c->hash == hash && c->len == len && memcmp(s->text.ptr + c->off, tok, len) == 0) {
            t = c;
            break;
        }
    }
    if (!t) {
        s->tokens = xgrow(s->tokens, &s->token_cap, s->token_count + 1, sizeof *s->tokens);
        t = &s->tokens[s->token_count++];
        memset(t, 0, sizeof *t);
        t->off = (uint32_t)s->text.len;
        t->len = (uint32_t)len;
        t->hash = hash;
        t->pending = -1;
        buf_put(&s->text, tok, len);
        s->slots[j] = (uint32_t)s->token_count;
        if (s->token_count * 2 > s->slot_cap)
            search_rehash(s);
    }
    int32_t doc = (int32_t)s->doc_count - 1;
    if (t->pending != doc) {
        search_flush(t);
        t->pending = doc;
        t->mask = 0;
    }
    t->mask |= s->adding;
}

static void search_add_text(search_index *s, const char *text, size_t len, uint8_t field)
{
    buf_reset(&s->fold);
    if (search_fold(text, len, &s->fold) != 0)
        return; /* the content stage refuses text that is not UTF-8 */
    s->adding = field;
    search_tokens(s->fold.ptr, s->fold.len, search_add_token, s);
}

/* The plain text of a Markdown body: blocks and table cells apart, inline
 * markup dropped. A soft line break after a CJK character joins the lines,
 * as the rendered paragraph does; after anything else it separates words. */
static void search_body_text(cmark_node *doc, buf *out)
{
    cmark_iter *iter = cmark_iter_new(doc);
    for (cmark_event_type ev; (ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        cmark_node *n = cmark_iter_get_node(iter);
        cmark_node_type t = cmark_node_get_type(n);
        bool inline_node = (t & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE;
        if (ev == CMARK_EVENT_EXIT && !inline_node) {
            buf_putc(out, '\n');
        } else if (ev == CMARK_EVENT_ENTER) {
            if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK) {
                buf_puts(out, cmark_node_get_literal(n));
            } else if (t == CMARK_NODE_SOFTBREAK) {
                if (!out->len || (unsigned char)out->ptr[out->len - 1] < 0x80)
                    buf_putc(out, ' ');
            } else if (t == CMARK_NODE_LINEBREAK) {
                buf_putc(out, '\n');
            }
        }
    }
    cmark_iter_free(iter);
}

/* The string field `key` of the table at `t`, copied, or "" . */
static const char *search_string(search_index *s, lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    const char *v =
        lua_type(L, -1) == LUA_TSTRING ? arena_strdup(&s->mem, lua_tostring(L, -1)) : "";
    lua_pop(L, 1);
    return v;
}

static int search_dept_index(const search_index *s, const char *id)
{
    for (size_t i = 0; i < s->cfg->department_count; i++)
        if (strcmp(s->cfg->departments[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int search_category_index(const search_index *s, const char *key)
{
    const category *c = catalogue_category_find(s->cat, key);
    return c ? (int)(c - s->cat->categories) : -1;
}

void search_index_add(search_index *s, lua_State *L, int item, cmark_node *body)
{
    item = lua_absindex(L, item);
    s->docs = xgrow(s->docs, &s->doc_cap, s->doc_count + 1, sizeof *s->docs);
    search_doc *d = &s->docs[s->doc_count++];
    d->title = search_string(s, L, item, "title");
    d->url = search_string(s, L, item, "url");
    d->date = search_string(s, L, item, "date");
    d->doc_number = search_string(s, L, item, "doc_number");
    d->index_no = search_string(s, L, item, "index_no");
    d->summary = search_string(s, L, item, "summary");
    d->dept = d->category = -1;

    search_add_text(s, d->title, strlen(d->title), SEARCH_FIELD_TITLE);
    search_add_text(s, d->doc_number, strlen(d->doc_number), SEARCH_FIELD_DOC_NUMBER);
    search_add_text(s, d->index_no, strlen(d->index_no), SEARCH_FIELD_INDEX_NO);
    if (lua_getfield(L, item, "keywords") == LUA_TTABLE) {
        for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TSTRING; k++) {
            size_t len;
            const char *kw = lua_tolstring(L, -1, &len);
            search_add_text(s, kw, len, SEARCH_FIELD_KEYWORDS);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, item, "dept") == LUA_TTABLE) {
        int t = lua_gettop(L);
        static const char *const names[] = {"name", "full_name", "subsite_name"};
        buf_reset(&s->field);
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            if (lua_getfield(L, t, names[i]) == LUA_TSTRING) {
                buf_puts(&s->field, lua_tostring(L, -1));
                buf_putc(&s->field, '\n');
            }
            lua_pop(L, 1);
        }
        search_add_text(s, buf_cstr(&s->field), s->field.len, SEARCH_FIELD_DEPARTMENT);
        if (lua_getfield(L, t, "id") == LUA_TSTRING)
            d->dept = search_dept_index(s, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, item, "category") == LUA_TTABLE) {
        if (lua_getfield(L, -1, "key") == LUA_TSTRING)
            d->category = search_category_index(s, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (body) {
        buf_reset(&s->field);
        search_body_text(body, &s->field);
        search_add_text(s, s->field.ptr, s->field.len, SEARCH_FIELD_BODY);
    }
}

/* ---- writing ----------------------------------------------------------- */

static const search_index *search_sorting;
static int search_token_cmp(const void *pa, const void *pb)
{
    const search_token *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(search_sorting->text.ptr + a->off, search_sorting->text.ptr + b->off, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int search_write_shards(search_index *s, output *out, search_stats *st, buf *err)
{
    size_t total = 0;
    for (size_t i = 0; i < s->token_count; i++) {
        search_flush(&s->tokens[i]);
        total += s->tokens[i].len + s->tokens[i].postings.len + 8;
    }
    size_t shards = 1;
    while (total / shards > SEARCH_SHARD_TARGET && shards < 4096)
        shards *= 2;
    for (size_t i = 0; i < s->token_count; i++)
        s->tokens[i].shard = s->tokens[i].hash % shards;
    search_sorting = s;
    if (s->token_count)
        qsort(s->tokens, s->token_count, sizeof *s->tokens, search_token_cmp);

    buf data = BUF_INIT, path = BUF_INIT;
    int rc = 0;
    size_t t = 0;
    for (size_t k = 0; k < shards && rc == 0; k++) {
        size_t end = t;
        while (end < s->token_count && s->tokens[end].shard == k)
            end++;
        buf_reset(&data);
        buf_puts(&data, "GKS1");
        search_put_varint(&data, end - t);
        for (; t < end; t++) {
            const search_token *tok = &s->tokens[t];
            search_put_varint(&data, tok->len);
            buf_put(&data, s->text.ptr + tok->off, tok->len);
            search_put_varint(&data, tok->count);
            search_put_varint(&data, tok->postings.len);
            buf_put(&data, tok->postings.ptr, tok->postings.len);
        }
        buf_reset(&path);
        buf_printf(&path, "/search/s/%zu.bin", k);
        rc = output_write(out, path.ptr, data.ptr, data.len, err);
        st->shard_bytes += data.len;
        if (data.len > st->largest_shard)
            st->largest_shard = data.len;
    }
    st->tokens = s->token_count;
    st->shards = shards;
    buf_free(&data);
    buf_free(&path);
    return rc;
}

static void search_json_string(buf *b, const char *str)
{
    buf_putc(b, '"');
    buf_put_json_string(b, str, strlen(str));
    buf_putc(b, '"');
}

static int search_write_docs(search_index *s, output *out, search_stats *st, buf *err)
{
    buf data = BUF_INIT, path = BUF_INIT;
    int rc = 0;
    for (size_t first = 0; first < s->doc_count && rc == 0; first += SEARCH_CHUNK) {
        buf_reset(&data);
        buf_putc(&data, '[');
        for (size_t i = first; i < s->doc_count && i < first + SEARCH_CHUNK; i++) {
            const search_doc *d = &s->docs[i];
            const char *fields[] = {d->title,      d->url,      d->date,
                                    d->doc_number, d->index_no, d->summary};
            buf_puts(&data, i > first ? ",\n[" : "[");
            for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
                if (f)
                    buf_putc(&data, ',');
                search_json_string(&data, fields[f]);
            }
            buf_putc(&data, ']');
        }
        buf_puts(&data, "]\n");
        buf_reset(&path);
        buf_printf(&path, "/search/d/%zu.json", first / SEARCH_CHUNK);
        rc = output_write(out, path.ptr, data.ptr, data.len, err);
        st->doc_bytes += data.len;
    }
    buf_free(&data);
    buf_free(&path);
    return rc;
}

static int search_write_manifest(search_index *s, output *out, search_stats *st, buf *err)
{
    buf data = BUF_INIT;
    buf_printf(&data, "{\"version\":1,\"docs\":%zu,\"shards\":%zu,\"chunk\":%d,\n\"departments\":[",
               s->doc_count, st->shards, SEARCH_CHUNK);
    for (size_t i = 0; i < s->cfg->department_count; i++) {
        buf_puts(&data, i ? ",[" : "[");
        search_json_string(&data, s->cfg->departments[i].id);
        buf_putc(&data, ',');
        search_json_string(&data, s->cfg->departments[i].name);
        buf_putc(&data, ']');
    }
    buf_puts(&data, "],\n\"categories\":[");
    for (size_t i = 0; i < s->cat->count; i++) {
        buf_puts(&data, i ? ",[" : "[");
        search_json_string(&data, s->cat->categories[i].key);
        buf_putc(&data, ',');
        search_json_string(&data, s->cat->categories[i].name);
        buf_printf(&data, ",%d]", s->cat->categories[i].parent);
    }
    buf_puts(&data, "],\n\"dept\":[");
    for (size_t i = 0; i < s->doc_count; i++)
        buf_printf(&data, i ? ",%d" : "%d", s->docs[i].dept);
    buf_puts(&data, "],\n\"cat\":[");
    for (size_t i = 0; i < s->doc_count; i++)
        buf_printf(&data, i ? ",%d" : "%d", s->docs[i].category);
    buf_puts(&data, "]}\n");
    int rc = output_write(out, "/search/index.json", data.ptr, data.len, err);
    st->manifest_bytes = data.len;
    buf_free(&data);
    return rc;
}

int search_index_write(search_index *s, output *out, search_stats *stats, buf *err)
{
    memset(stats, 0, sizeof *stats);
    stats->docs = s->doc_count;
    if (search_write_shards(s, out, stats, err) != 0 || search_write_docs(s, out, stats, err) != 0)
        return -1;
    return search_write_manifest(s, out, stats, err);
}
