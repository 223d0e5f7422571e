/* What one item gives the search index: its doc record and its distinct
 * tokens, each with the OR of the fields it was found in. All the folding and
 * cutting happens here, on whichever thread renders the item, so that adding
 * the entry to the shared index is only a table insert per distinct token. */
#include "search_internal.h"

#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A slot of the token table is in use when its `gen` is the collector's:
 * starting a new item is one increment, not a sweep of the table, which
 * stays as large as the largest item needed. */
typedef struct search_slot {
    uint32_t gen;
    uint32_t token; /* index into `tokens` */
} search_slot;

/* The keys of the doc strings in the item table. */
static const char *const search_doc_keys[SEARCH_DOC_STRINGS] = {
    [SEARCH_DOC_TITLE] = "title",       [SEARCH_DOC_URL] = "url",
    [SEARCH_DOC_DATE] = "date",         [SEARCH_DOC_NUMBER] = "doc_number",
    [SEARCH_DOC_INDEX_NO] = "index_no", [SEARCH_DOC_SUMMARY] = "summary",
};

struct search_collector {
    const site_config *cfg;
    const catalogue *cat;
    /* The item being collected. */
    buf strings; /* the doc's strings, each NUL-terminated */
    size_t string_off[SEARCH_DOC_STRINGS];
    int dept, category;
    buf text;                   /* the bytes of its distinct tokens */
    search_entry_token *tokens; /* its distinct tokens */
    size_t token_count, token_cap;
    search_slot *slots; /* open addressing over `tokens` */
    size_t slot_cap;
    uint32_t gen;
    uint8_t adding;  /* the field being cut */
    buf fold, field; /* scratch */
};

search_collector *search_collector_new(const site_config *cfg, const catalogue *cat)
{
    search_collector *c = xcalloc(1, sizeof *c);
    c->cfg = cfg;
    c->cat = cat;
    c->slot_cap = 1024;
    c->slots = xcalloc(c->slot_cap, sizeof *c->slots);
    return c;
}

void search_collector_free(search_collector *c)
{
    if (!c)
        return;
    buf_free(&c->strings);
    buf_free(&c->text);
    free(c->tokens);
    free(c->slots);
    buf_free(&c->fold);
    buf_free(&c->field);
    free(c);
}

void search_entry_free(search_entry *e)
{
    free(e);
}

/* ---- tokens ------------------------------------------------------------ */

static void search_slot_grow(search_collector *c)
{
    free(c->slots);
    c->slot_cap *= 2;
    c->slots = xcalloc(c->slot_cap, sizeof *c->slots);
    for (size_t i = 0; i < c->token_count; i++) {
        size_t j = c->tokens[i].hash & (c->slot_cap - 1);
        while (c->slots[j].gen == c->gen)
            j = (j + 1) & (c->slot_cap - 1);
        c->slots[j] = (search_slot){c->gen, (uint32_t)i};
    }
}

static void search_collect_token(const char *tok, size_t len, void *ctx)
{
    search_collector *c = ctx;
    uint64_t head = search_token_head_padded(tok, len); /* tok is in c->fold */
    uint32_t hash = search_token_key(tok, len, head);
    size_t j = hash & (c->slot_cap - 1);
    for (; c->slots[j].gen == c->gen; j = (j + 1) & (c->slot_cap - 1)) {
        search_entry_token *t = &c->tokens[c->slots[j].token];
        if (t->hash == hash &&
            search_token_same(c->text.ptr + t->off, t->len, t->head, tok, len, head)) {
            t->mask |= c->adding;
            return;
        }
    }
    c->tokens = xgrow(c->tokens, &c->token_cap, c->token_count + 1, sizeof *c->tokens);
    c->tokens[c->token_count] =
        (search_entry_token){head, (uint32_t)c->text.len, (uint32_t)len, hash, c->adding};
    buf_put(&c->text, tok, len);
    c->slots[j] = (search_slot){c->gen, (uint32_t)c->token_count++};
    if (c->token_count * 2 > c->slot_cap)
        search_slot_grow(c);
}

static void search_collect_text(search_collector *c, const char *text, size_t len, uint8_t field)
{
    buf_reset(&c->fold);
    if (search_fold(text, len, &c->fold) != 0)
        return; /* the content stage refuses text that is not UTF-8 */
    buf_reserve(&c->fold, SEARCH_HEAD_PAD);
    c->adding = field;
    search_tokens(c->fold.ptr, c->fold.len, search_collect_token, c);
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

/* ---- the doc record ---------------------------------------------------- */

/* Keep the string field of doc string k of the table at `t` (or ""). */
static void search_collect_string(search_collector *c, lua_State *L, int t, int k)
{
    c->string_off[k] = c->strings.len;
    if (lua_getfield(L, t, search_doc_keys[k]) == LUA_TSTRING)
        buf_puts(&c->strings, lua_tostring(L, -1));
    buf_putc(&c->strings, '\0');
    lua_pop(L, 1);
}

static const char *search_collected(const search_collector *c, int k)
{
    return c->strings.ptr + c->string_off[k];
}

static int search_dept_index(const search_collector *c, const char *id)
{
    for (size_t i = 0; i < c->cfg->department_count; i++)
        if (strcmp(c->cfg->departments[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int search_category_index(const search_collector *c, const char *key)
{
    const category *cat = catalogue_category_find(c->cat, key);
    return cat ? (int)(cat - c->cat->categories) : -1;
}

/* The fields of the item at `item` of L's stack, into the collector. */
static void search_collect_item(search_collector *c, lua_State *L, int item, cmark_node *body)
{
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++)
        search_collect_string(c, L, item, k);
    c->dept = c->category = -1;

    static const struct {
        int string;
        uint8_t field;
    } searched[] = {{SEARCH_DOC_TITLE, SEARCH_FIELD_TITLE},
                    {SEARCH_DOC_NUMBER, SEARCH_FIELD_DOC_NUMBER},
                    {SEARCH_DOC_INDEX_NO, SEARCH_FIELD_INDEX_NO}};
    for (size_t i = 0; i < sizeof searched / sizeof *searched; i++) {
        const char *v = search_collected(c, searched[i].string);
        search_collect_text(c, v, strlen(v), searched[i].field);
    }
    if (lua_getfield(L, item, "keywords") == LUA_TTABLE) {
        for (lua_Integer k = 1; lua_rawgeti(L, -1, k) == LUA_TSTRING; k++) {
            size_t len;
            const char *kw = lua_tolstring(L, -1, &len);
            search_collect_text(c, kw, len, SEARCH_FIELD_KEYWORDS);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, item, "dept") == LUA_TTABLE) {
        int t = lua_gettop(L);
        static const char *const names[] = {"name", "full_name", "subsite_name"};
        buf_reset(&c->field);
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            if (lua_getfield(L, t, names[i]) == LUA_TSTRING) {
                buf_puts(&c->field, lua_tostring(L, -1));
                buf_putc(&c->field, '\n');
            }
            lua_pop(L, 1);
        }
        search_collect_text(c, buf_cstr(&c->field), c->field.len, SEARCH_FIELD_DEPARTMENT);
        if (lua_getfield(L, t, "id") == LUA_TSTRING)
            c->dept = search_dept_index(c, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, item, "category") == LUA_TTABLE) {
        if (lua_getfield(L, -1, "key") == LUA_TSTRING)
            c->category = search_category_index(c, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (body) {
        buf_reset(&c->field);
        search_body_text(body, &c->field);
        search_collect_text(c, c->field.ptr, c->field.len, SEARCH_FIELD_BODY);
    }
}

/* ---- the entry --------------------------------------------------------- */

search_entry *search_collect(search_collector *c, lua_State *L, int item, cmark_node *body)
{
    buf_reset(&c->strings);
    buf_reset(&c->text);
    c->token_count = 0;
    if (++c->gen == 0) { /* wrapped: slots of 2^32 items ago would look live */
        memset(c->slots, 0, c->slot_cap * sizeof *c->slots);
        c->gen = 1;
    }
    search_collect_item(c, L, lua_absindex(L, item), body);

    size_t tokens_size = c->token_count * sizeof *c->tokens;
    search_entry *e = xmalloc(sizeof *e + tokens_size + c->strings.len + c->text.len);
    search_entry_token *tokens = (search_entry_token *)(e + 1);
    char *strings = (char *)tokens + tokens_size;
    char *text = strings + c->strings.len;
    if (tokens_size)
        memcpy(tokens, c->tokens, tokens_size);
    memcpy(strings, c->strings.ptr, c->strings.len);
    if (c->text.len)
        memcpy(text, c->text.ptr, c->text.len);
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++)
        e->doc.string[k] = strings + c->string_off[k];
    e->doc.dept = c->dept;
    e->doc.category = c->category;
    e->strings_len = c->strings.len;
    e->token_count = c->token_count;
    e->tokens = tokens;
    e->text = text;
    e->kept = false;
    return e;
}
