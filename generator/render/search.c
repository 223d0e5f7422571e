/* The search index: each item's entry (search_collect.c) added as the next
 * doc, its tokens' postings appended, then written as shards, a manifest
 * and the doc records (the format is in search.h). */
#include "search_internal.h"

#include "../util/arena.h"
#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The index's tokens are looked up once per posting: millions on a large
 * site. What a lookup reads sits in the slot (the hash) and the token (its
 * first bytes, which are most tokens whole: a CJK character or pair), and
 * the posting is written at the end of the token's own bytes. */
typedef struct search_token {
    uint64_t head;      /* its first 8 bytes, zero-padded (search_token_head) */
    uint32_t off, len;  /* its bytes in s->text */
    uint32_t count;     /* postings */
    uint32_t prev;      /* the doc of the last one (0 before the first) */
    uint32_t shard;     /* while writing */
    uint32_t used, cap; /* of `postings` */
    unsigned char *postings;
} search_token;

/* How many tokens ahead search_index_add asks for the slot it will need. */
#define SEARCH_AHEAD 16

typedef struct search_slot {
    uint32_t hash;  /* search_token_key of the token */
    uint32_t token; /* its index + 1, 0 when free */
} search_slot;

struct search_index {
    const site_config *cfg;
    const catalogue *cat;
    arena mem; /* the docs' strings */
    buf text;  /* the bytes of every token */
    search_token *tokens;
    size_t token_count, token_cap;
    search_slot *slots; /* open addressing, a power of two */
    size_t slot_cap;
    search_doc *docs;
    size_t doc_count, doc_cap;
    uint64_t total;    /* the tokens' weight, once written */
    search_keep *keep; /* the previous build's index, or NULL */
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

void search_index_release(search_index *s)
{
    for (size_t i = 0; i < s->token_count; i++)
        free(s->tokens[i].postings);
    free(s->tokens);
    free(s->slots);
    free(s->docs);
    buf_free(&s->text);
    arena_free(&s->mem);
    s->tokens = NULL;
    s->slots = NULL;
    s->docs = NULL;
    s->token_count = s->token_cap = s->slot_cap = s->doc_count = s->doc_cap = 0;
}

void search_index_free(search_index *s)
{
    if (!s)
        return;
    search_index_release(s);
    search_keep_free(s->keep);
    free(s);
}

/* ---- adding ------------------------------------------------------------ */

void search_varint_put(buf *b, uint64_t v)
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

/* Twice the slots; the slots keep the hashes, so the tokens are not read. */
static void search_rehash(search_index *s)
{
    size_t old_cap = s->slot_cap;
    search_slot *old = s->slots;
    s->slot_cap *= 2;
    s->slots = xcalloc(s->slot_cap, sizeof *s->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].token)
            continue;
        size_t j = old[i].hash & (s->slot_cap - 1);
        while (s->slots[j].token)
            j = (j + 1) & (s->slot_cap - 1);
        s->slots[j] = old[i];
    }
    free(old);
}

/* The index's token of the entry's token `et`, made when new. */
static search_token *search_token_get(search_index *s, const search_entry *e,
                                      const search_entry_token *et)
{
    const char *tok = e->text + et->off;
    uint32_t len = et->len, hash = et->hash;
    uint64_t head = et->head;
    size_t mask = s->slot_cap - 1, j = hash & mask;
    for (; s->slots[j].token; j = (j + 1) & mask) {
        if (s->slots[j].hash != hash)
            continue;
        search_token *t = &s->tokens[s->slots[j].token - 1];
        if (search_token_same(s->text.ptr + t->off, t->len, t->head, tok, len, head))
            return t;
    }
    s->tokens = xgrow(s->tokens, &s->token_cap, s->token_count + 1, sizeof *s->tokens);
    search_token *t = &s->tokens[s->token_count++];
    *t = (search_token){.head = head, .off = (uint32_t)s->text.len, .len = len};
    buf_put(&s->text, tok, len);
    s->slots[j] = (search_slot){hash, (uint32_t)s->token_count};
    if (s->token_count * 2 > s->slot_cap)
        search_rehash(s);
    return t;
}

/* The index token the slot of `et`'s hash holds when it is `et`'s, else
 * NULL: a guess to fetch ahead, never used as the token. */
static inline const search_token *search_token_peek(const search_index *s,
                                                    const search_entry_token *et)
{
    const search_slot *slot = &s->slots[et->hash & (s->slot_cap - 1)];
    return slot->token && slot->hash == et->hash ? &s->tokens[slot->token - 1] : NULL;
}

/* Append doc's posting with `mask` to the token's postings. */
static inline void search_posting_add(search_token *t, uint32_t doc, uint8_t mask)
{
    if (t->cap - t->used < SEARCH_POSTING_MAX) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->postings = xrealloc(t->postings, t->cap);
    }
    unsigned char *p = search_posting_write(t->postings + t->used, doc - t->prev, mask);
    t->used = (uint32_t)(p - t->postings);
    t->count++;
    t->prev = doc;
}

void search_index_add(search_index *s, search_entry *e)
{
    if (s->keep && search_keep_take(s->keep, s->doc_count, e)) {
        s->doc_count++;
        search_entry_free(e);
        return;
    }
    uint32_t doc = (uint32_t)s->doc_count;
    s->docs = xgrow(s->docs, &s->doc_cap, s->doc_count + 1, sizeof *s->docs);
    search_doc *d = &s->docs[s->doc_count++];
    *d = e->doc;
    char *strings = arena_alloc(&s->mem, e->strings_len);
    memcpy(strings, e->doc.string[0], e->strings_len);
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++)
        d->string[k] = strings + (e->doc.string[k] - e->doc.string[0]);

    /* An entry's tokens are distinct and their masks whole: each gives this
     * doc's posting at once. The tables are far larger than the caches:
     * what a token needs is asked for from memory ahead of it, its slot
     * first, then (the slot there by then) its index token, then (that
     * there too) the end of its postings. */
    for (size_t i = 0; i < e->token_count; i++) {
        size_t n = e->token_count;
        if (i + SEARCH_AHEAD < n)
            __builtin_prefetch(&s->slots[e->tokens[i + SEARCH_AHEAD].hash & (s->slot_cap - 1)]);
        const search_token *t;
        if (i + SEARCH_AHEAD / 2 < n &&
            (t = search_token_peek(s, &e->tokens[i + SEARCH_AHEAD / 2])))
            __builtin_prefetch(t);
        if (i + SEARCH_AHEAD / 4 < n &&
            (t = search_token_peek(s, &e->tokens[i + SEARCH_AHEAD / 4])))
            __builtin_prefetch(t->postings + t->used, 1);
        const search_entry_token *et = &e->tokens[i];
        search_posting_add(search_token_get(s, e, et), doc, et->mask);
    }
    search_entry_free(e);
}

/* ---- writing ----------------------------------------------------------- */

static const search_index *search_sorting;
static int search_token_cmp(const void *pa, const void *pb)
{
    const search_token *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    return search_token_order(search_sorting->text.ptr + a->off, a->len,
                              search_sorting->text.ptr + b->off, b->len);
}

size_t search_shard_count(uint64_t total)
{
    size_t shards = 1;
    while (total / shards > SEARCH_SHARD_TARGET && shards < SEARCH_SHARDS_MAX)
        shards *= 2;
    return shards;
}

void search_shard_token_put(buf *b, const char *token, size_t len, size_t count,
                            const void *postings, size_t used)
{
    search_varint_put(b, len);
    buf_put(b, token, len);
    search_varint_put(b, count);
    search_varint_put(b, used);
    buf_put(b, postings, used);
}

static int search_write_shards(search_index *s, output *out, search_stats *st, buf *err)
{
    uint64_t total = 0;
    for (size_t i = 0; i < s->token_count; i++)
        total += search_token_weight(s->tokens[i].len, s->tokens[i].used);
    size_t shards = search_shard_count(total);
    for (size_t i = 0; i < s->token_count; i++)
        s->tokens[i].shard =
            (uint32_t)(search_token_hash(s->text.ptr + s->tokens[i].off, s->tokens[i].len) %
                       shards);
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
        buf_puts(&data, SEARCH_SHARD_MAGIC);
        search_varint_put(&data, end - t);
        for (; t < end; t++) {
            const search_token *tok = &s->tokens[t];
            search_shard_token_put(&data, s->text.ptr + tok->off, tok->len, tok->count,
                                   tok->postings, tok->used);
        }
        buf_reset(&path);
        buf_printf(&path, "/search/s/%zu.bin", k);
        rc = output_write(out, path.ptr, data.ptr, data.len, err);
        if (s->keep)
            search_keep_note_file(s->keep, false, k, data.ptr, data.len);
        st->shard_bytes += data.len;
        if (data.len > st->largest_shard)
            st->largest_shard = data.len;
    }
    st->tokens = s->token_count;
    st->shards = shards;
    s->total = total;
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

void search_doc_put(buf *b, const search_doc *d)
{
    buf_putc(b, '[');
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        if (k)
            buf_putc(b, ',');
        search_json_string(b, d->string[k]);
    }
    buf_putc(b, ']');
}

static int search_write_docs(search_index *s, output *out, search_stats *st, buf *err)
{
    buf data = BUF_INIT, path = BUF_INIT;
    int rc = 0;
    for (size_t first = 0; first < s->doc_count && rc == 0; first += SEARCH_CHUNK) {
        buf_reset(&data);
        buf_putc(&data, '[');
        for (size_t i = first; i < s->doc_count && i < first + SEARCH_CHUNK; i++) {
            if (i > first)
                buf_puts(&data, ",\n");
            search_doc_put(&data, &s->docs[i]);
        }
        buf_puts(&data, "]\n");
        buf_reset(&path);
        buf_printf(&path, "/search/d/%zu.json", first / SEARCH_CHUNK);
        rc = output_write(out, path.ptr, data.ptr, data.len, err);
        if (s->keep)
            search_keep_note_file(s->keep, true, first / SEARCH_CHUNK, data.ptr, data.len);
        st->doc_bytes += data.len;
    }
    buf_free(&data);
    buf_free(&path);
    return rc;
}

void search_manifest_put(buf *b, const site_config *cfg, const catalogue *cat, size_t docs,
                         size_t shards, const int *dept, const int *cat_of)
{
    buf_printf(b, "{\"version\":1,\"docs\":%zu,\"shards\":%zu,\"chunk\":%d,\n\"departments\":[",
               docs, shards, SEARCH_CHUNK);
    for (size_t i = 0; i < cfg->department_count; i++) {
        buf_puts(b, i ? ",[" : "[");
        search_json_string(b, cfg->departments[i].id);
        buf_putc(b, ',');
        search_json_string(b, cfg->departments[i].name);
        buf_putc(b, ']');
    }
    buf_puts(b, "],\n\"categories\":[");
    for (size_t i = 0; i < cat->count; i++) {
        buf_puts(b, i ? ",[" : "[");
        search_json_string(b, cat->categories[i].key);
        buf_putc(b, ',');
        search_json_string(b, cat->categories[i].name);
        buf_printf(b, ",%d]", cat->categories[i].parent);
    }
    buf_puts(b, "],\n\"dept\":[");
    for (size_t i = 0; i < docs; i++)
        buf_printf(b, i ? ",%d" : "%d", dept[i]);
    buf_puts(b, "],\n\"cat\":[");
    for (size_t i = 0; i < docs; i++)
        buf_printf(b, i ? ",%d" : "%d", cat_of[i]);
    buf_puts(b, "]}\n");
}

static int search_write_manifest(search_index *s, output *out, search_stats *st, buf *err)
{
    int *dept = xmalloc((s->doc_count + 1) * sizeof *dept);
    int *cat_of = xmalloc((s->doc_count + 1) * sizeof *cat_of);
    for (size_t i = 0; i < s->doc_count; i++) {
        dept[i] = s->docs[i].dept;
        cat_of[i] = s->docs[i].category;
    }
    buf data = BUF_INIT;
    search_manifest_put(&data, s->cfg, s->cat, s->doc_count, st->shards, dept, cat_of);
    int rc = output_write(out, "/search/index.json", data.ptr, data.len, err);
    st->manifest_bytes = data.len;
    buf_free(&data);
    if (s->keep) {
        search_keep_note_index(s->keep, s->doc_count, st->shards, s->total, st->tokens, dept,
                               cat_of);
    } else {
        free(dept);
        free(cat_of);
    }
    return rc;
}

int search_index_write(search_index *s, output *out, search_stats *stats, buf *err)
{
    memset(stats, 0, sizeof *stats);
    if (s->keep) {
        bool skipped = search_keep_usable(s->keep); /* entries were taken, not added */
        int rc = search_keep_write(s->keep, s->cfg, s->cat, s->doc_count, out, stats, err);
        if (rc <= 0)
            return rc;
        memset(stats, 0, sizeof *stats);
        search_keep_forget(s->keep);
        if (skipped) {
            size_t docs = s->doc_count;
            s->doc_count = 0;
            if (search_keep_replay(s->keep, s, docs, err) != 0)
                return -1;
        }
    }
    stats->docs = s->doc_count;
    if (search_write_shards(s, out, stats, err) != 0 || search_write_docs(s, out, stats, err) != 0)
        return -1;
    return search_write_manifest(s, out, stats, err);
}

void search_index_keep(search_index *s, const char *file, const search_prev_doc *prev, size_t docs,
                       const output *out, const search_keep_io *io, size_t workers,
                       diag_list *diags)
{
    search_keep_free(s->keep);
    s->keep = search_keep_open(file, prev, docs, out, io, workers, diags);
}

search_entry *search_index_kept_entry(search_index *s, size_t doc)
{
    return s->keep ? search_keep_entry(s->keep, doc) : NULL;
}

int search_index_save(search_index *s, const uint64_t *sums, size_t docs, buf *err)
{
    return s->keep ? search_keep_save(s->keep, sums, docs, err) : 0;
}
