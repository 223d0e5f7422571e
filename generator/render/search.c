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

typedef struct search_token {
    uint32_t off, len; /* its bytes in s->text */
    uint32_t hash;
    uint32_t count; /* postings in `postings` */
    uint32_t prev;  /* the doc of the last one */
    uint32_t shard; /* while writing */
    buf postings;
} search_token;

struct search_index {
    const site_config *cfg;
    const catalogue *cat;
    arena mem; /* the docs' strings */
    buf text;  /* the bytes of every token */
    search_token *tokens;
    size_t token_count, token_cap;
    uint32_t *slots; /* open addressing: token index + 1, 0 when free */
    size_t slot_cap;
    search_doc *docs;
    size_t doc_count, doc_cap;
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
    arena_free(&s->mem);
    free(s);
}

/* ---- adding ------------------------------------------------------------ */

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

/* The index's token with these bytes, made when new. */
static search_token *search_token_get(search_index *s, const char *tok, uint32_t len, uint32_t hash)
{
    size_t j = hash & (s->slot_cap - 1);
    for (; s->slots[j]; j = (j + 1) & (s->slot_cap - 1)) {
        search_token *t = &s->tokens[s->slots[j] - 1];
        if (t->hash == hash && t->len == len && memcmp(s->text.ptr + t->off, tok, len) == 0)
            return t;
    }
    s->tokens = xgrow(s->tokens, &s->token_cap, s->token_count + 1, sizeof *s->tokens);
    search_token *t = &s->tokens[s->token_count++];
    *t = (search_token){.off = (uint32_t)s->text.len, .len = len, .hash = hash};
    buf_put(&s->text, tok, len);
    s->slots[j] = (uint32_t)s->token_count;
    if (s->token_count * 2 > s->slot_cap) {
        search_rehash(s);
        t = &s->tokens[s->token_count - 1];
    }
    return t;
}

void search_index_add(search_index *s, search_entry *e)
{
    uint32_t doc = (uint32_t)s->doc_count;
    s->docs = xgrow(s->docs, &s->doc_cap, s->doc_count + 1, sizeof *s->docs);
    search_doc *d = &s->docs[s->doc_count++];
    *d = e->doc;
    char *strings = arena_alloc(&s->mem, e->strings_len);
    memcpy(strings, e->doc.string[0], e->strings_len);
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++)
        d->string[k] = strings + (e->doc.string[k] - e->doc.string[0]);

    /* An entry's tokens are distinct and their masks whole: each gives this
     * doc's posting at once. */
    for (size_t i = 0; i < e->token_count; i++) {
        const search_entry_token *et = &e->tokens[i];
        search_token *t = search_token_get(s, e->text + et->off, et->len, et->hash);
        bool plain = et->mask == SEARCH_FIELD_BODY;
        search_put_varint(&t->postings, (uint64_t)(doc - (t->count ? t->prev : 0)) << 1 | !plain);
        if (!plain)
            buf_putc(&t->postings, (char)et->mask);
        t->count++;
        t->prev = doc;
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
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(search_sorting->text.ptr + a->off, search_sorting->text.ptr + b->off, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int search_write_shards(search_index *s, output *out, search_stats *st, buf *err)
{
    size_t total = 0;
    for (size_t i = 0; i < s->token_count; i++)
        total += s->tokens[i].len + s->tokens[i].postings.len + 8;
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
            buf_puts(&data, i > first ? ",\n[" : "[");
            for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
                if (k)
                    buf_putc(&data, ',');
                search_json_string(&data, s->docs[i].string[k]);
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
