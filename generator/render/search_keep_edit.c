/* Editing the files of a written index in place of writing them anew, for
 * the kept index (search_keep.c): a shard with some tokens' postings
 * changed, the shards cut anew into another number, and the records and
 * summaries read back from a doc chunk (search_keep.c cuts the chunks anew
 * from those). The bytes
 * are those a full build writes (search.c; the format is in search.h). */
#include "search_internal.h"

#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- shards -------------------------------------------------------------- */

/* Append doc's posting after `*prev`'s to e->postings. */
static void edit_posting_put(search_shard_edit *e, uint32_t doc, uint8_t mask, uint32_t *prev)
{
    buf *b = &e->postings;
    buf_reserve(b, SEARCH_POSTING_MAX);
    unsigned char *start = (unsigned char *)b->ptr + b->len;
    b->len += (size_t)(search_posting_write(start, doc - *prev, mask) - start);
    b->ptr[b->len] = '\0';
    *prev = doc;
}

/* The token `tok` with its `count` postings old[0..used) (none: a token
 * new to the index) renumbered, changed by ch[0..n) (this token's, by doc)
 * and without the unknown docs' postings that no change sets, into e.
 * Returns false when the postings do not read. */
static bool edit_token(search_shard_edit *e, const char *tok, size_t len, const unsigned char *old,
                       size_t used, uint64_t count, const search_change *ch, size_t n)
{
    buf_reset(&e->postings);
    search_reader r = {old, old ? old + used : old, false};
    uint32_t was = 0, out_prev = 0;
    size_t c = 0, u = 0, out_count = 0;
    for (uint64_t p = 0; p < count; p++) {
        uint64_t v = search_read_varint(&r, (uint64_t)e->docs << 1);
        uint8_t mask = SEARCH_FIELD_BODY;
        if (v & 1) {
            const unsigned char *m = search_read_bytes(&r, 1);
            mask = m ? *m : 0;
        }
        uint64_t next = was + (v >> 1);
        if (r.bad || next >= e->docs || (p && next == was) || mask == 0)
            return false;
        was = (uint32_t)next;
        uint32_t doc = e->renumber ? e->renumber[was] : was;
        if (doc == SEARCH_DOC_GONE)
            continue;
        for (; c < n && ch[c].doc < doc; c++)
            if (ch[c].mask) {
                edit_posting_put(e, ch[c].doc, ch[c].mask, &out_prev);
                out_count++;
            }
        while (u < e->unknown_len && e->unknown[u] < doc)
            u++;
        if (c < n && ch[c].doc == doc) {
            mask = ch[c++].mask;
            if (!mask)
                continue;
        } else if (u < e->unknown_len && e->unknown[u] == doc) {
            continue;
        }
        edit_posting_put(e, doc, mask, &out_prev);
        out_count++;
    }
    if (r.p != r.end)
        return false;
    for (; c < n; c++)
        if (ch[c].mask) {
            edit_posting_put(e, ch[c].doc, ch[c].mask, &out_prev);
            out_count++;
        }
    if (old) {
        e->weight -= (int64_t)search_token_weight(len, used);
        e->tokens--;
    }
    if (out_count) {
        search_shard_token_put(&e->body, tok, len, out_count, e->postings.ptr, e->postings.len);
        e->count++;
        e->weight += (int64_t)search_token_weight(len, e->postings.len);
        e->tokens++;
    }
    return true;
}

/* How many changes from ch[0] are of ch[0]'s token. */
static size_t edit_same_token(const search_change *ch, size_t n)
{
    size_t e = 1;
    while (e < n && ch[e].len == ch[0].len && memcmp(ch[e].bytes, ch[0].bytes, ch[0].len) == 0)
        e++;
    return e;
}

bool search_shard_edit_run(search_shard_edit *e, const char *old, size_t len,
                           const search_change *ch, size_t n)
{
    buf_reset(&e->body);
    e->count = 0;
    e->weight = e->tokens = 0;
    search_reader r = {(const unsigned char *)old, (const unsigned char *)old + len, false};
    const unsigned char *magic = search_read_bytes(&r, 4);
    if (!magic || memcmp(magic, SEARCH_SHARD_MAGIC, 4) != 0)
        return false;
    uint64_t tokens = search_read_varint(&r, len);
    size_t c = 0;
    for (uint64_t t = 0; t < tokens; t++) {
        const unsigned char *start = r.p;
        size_t tlen = (size_t)search_read_varint(&r, len);
        const char *tok = (const char *)search_read_bytes(&r, tlen);
        uint64_t count = search_read_varint(&r, len);
        size_t used = (size_t)search_read_varint(&r, len);
        const unsigned char *postings = search_read_bytes(&r, used);
        if (r.bad)
            return false;
        int cmp = -1;
        while (c < n && (cmp = search_token_order(ch[c].bytes, ch[c].len, tok, tlen)) < 0) {
            size_t same = edit_same_token(ch + c, n - c);
            edit_token(e, ch[c].bytes, ch[c].len, NULL, 0, 0, ch + c, same);
            c += same;
            cmp = -1;
        }
        if (c < n && cmp == 0) {
            size_t same = edit_same_token(ch + c, n - c);
            if (!edit_token(e, tok, tlen, postings, used, count, ch + c, same))
                return false;
            c += same;
        } else if (e->unknown_len || e->renumber) {
            if (!edit_token(e, tok, tlen, postings, used, count, NULL, 0))
                return false;
        } else {
            buf_put(&e->body, start, (size_t)(r.p - start));
            e->count++;
        }
    }
    while (c < n) {
        size_t same = edit_same_token(ch + c, n - c);
        edit_token(e, ch[c].bytes, ch[c].len, NULL, 0, 0, ch + c, same);
        c += same;
    }
    return r.p == r.end;
}

/* A token's part of a shard, for cutting the shards anew. */
typedef struct edit_record {
    const char *token, *bytes; /* its bytes; all of the record */
    size_t len, size;
    uint32_t shard; /* in the new cut */
} edit_record;

static int edit_record_cmp(const void *pa, const void *pb)
{
    const edit_record *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    return search_token_order(a->token, a->len, b->token, b->len);
}

typedef struct edit_records {
    edit_record *v;
    size_t len, cap;
} edit_records;

/* The token records of the shard `data`, with their shards among `shards`,
 * appended to recs. Returns whether it reads as a shard. */
static bool edit_records_add(const buf *data, size_t shards, edit_records *recs)
{
    search_reader r = {(const unsigned char *)data->ptr,
                       (const unsigned char *)data->ptr + data->len, false};
    const unsigned char *magic = search_read_bytes(&r, 4);
    if (!magic || memcmp(magic, SEARCH_SHARD_MAGIC, 4) != 0)
        return false;
    uint64_t tokens = search_read_varint(&r, data->len);
    for (uint64_t t = 0; t < tokens; t++) {
        const unsigned char *start = r.p;
        size_t len = (size_t)search_read_varint(&r, data->len);
        const char *tok = (const char *)search_read_bytes(&r, len);
        search_read_varint(&r, data->len);
        search_read_bytes(&r, (size_t)search_read_varint(&r, data->len));
        if (r.bad)
            return false;
        recs->v = xgrow(recs->v, &recs->cap, recs->len + 1, sizeof *recs->v);
        recs->v[recs->len++] = (edit_record){tok, (const char *)start, len, (size_t)(r.p - start),
                                             (uint32_t)(search_token_hash(tok, len) % shards)};
    }
    return r.p == r.end;
}

buf **search_shards_cut(buf *const *in, size_t n, size_t shards)
{
    edit_records recs = {NULL, 0, 0};
    bool ok = true;
    for (size_t j = 0; j < n && ok; j++)
        ok = edit_records_add(in[j], shards, &recs);
    buf **cut = NULL;
    if (ok) {
        if (recs.len)
            qsort(recs.v, recs.len, sizeof *recs.v, edit_record_cmp);
        cut = xcalloc(shards + 1, sizeof *cut);
        for (size_t j = 0, i = 0; j < shards; j++) {
            size_t e = i;
            while (e < recs.len && recs.v[e].shard == j)
                e++;
            cut[j] = xcalloc(1, sizeof **cut);
            buf_puts(cut[j], SEARCH_SHARD_MAGIC);
            search_varint_put(cut[j], e - i);
            for (; i < e; i++)
                buf_put(cut[j], recs.v[i].bytes, recs.v[i].size);
        }
    }
    free(recs.v);
    return cut;
}

/* ---- doc chunks ------------------------------------------------------------ */

/* The closing quote of the JSON string that opens at s (before end), or
 * NULL. */
static const char *edit_json_end(const char *s, const char *end)
{
    for (const char *q = s + 1; q < end; q++) {
        q = memchr(q, '"', (size_t)(end - q));
        if (!q)
            return NULL;
        size_t slashes = 0;
        while (q - slashes > s + 1 && q[-1 - (ptrdiff_t)slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0)
            return q;
    }
    return NULL;
}

/* The character the \u escape at esc (before end) stands for, or -1:
 * buf_put_json_string writes one only for ASCII control characters. */
static int edit_json_u(const char *esc, const char *end)
{
    if (end - esc < 6 || memcmp(esc + 1, "u00", 3) != 0)
        return -1;
    int v = 0;
    for (int i = 4; i < 6; i++) {
        char c = esc[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v < 0x80 ? v : -1;
}

/* The body s[0..n) of a JSON string as buf_put_json_string writes it,
 * unescaped into a string of mem; NULL when it is not one. */
static const char *edit_json_text(arena *mem, const char *s, size_t n, buf *out)
{
    if (!memchr(s, '\\', n))
        return arena_strndup(mem, n ? s : "", n);
    buf_reset(out);
    for (const char *end = s + n; s < end;) {
        const char *esc = memchr(s, '\\', (size_t)(end - s));
        if (!esc)
            esc = end;
        buf_put(out, s, (size_t)(esc - s));
        if (esc == end)
            break;
        static const char from[] = "\"\\nrtbf", to[] = "\"\\\n\r\t\b\f";
        const char *e = esc + 1 < end && esc[1] ? strchr(from, esc[1]) : NULL;
        int u = e ? 0 : edit_json_u(esc, end);
        if (u < 0)
            return NULL;
        buf_putc(out, e ? to[e - from] : (char)u);
        s = esc + (e ? 2 : 6);
    }
    return arena_strndup(mem, out->ptr, out->len);
}

bool search_chunk_summaries(const char *data, size_t len, size_t docs, const char **summary,
                            arena *mem, buf *scratch)
{
    const char *p = data, *end = data + len;
    if (len < 2 || *p++ != '[' || memcmp(end - 2, "]\n", 2) != 0)
        return false;
    end -= 2;
    for (size_t i = 0; i < docs; i++) {
        if (i && (end - p < 2 || memcmp(p, ",\n", 2) != 0))
            return false;
        if (i)
            p += 2;
        if (p == end || *p++ != '[')
            return false;
        for (int s = 0; s < SEARCH_DOC_STRINGS; s++) {
            const char *close = p < end && *p == '"' ? edit_json_end(p, end) : NULL;
            if (!close || close + 1 == end || close[1] != (s + 1 < SEARCH_DOC_STRINGS ? ',' : ']'))
                return false;
            if (s == SEARCH_DOC_SUMMARY &&
                !(summary[i] = edit_json_text(mem, p + 1, (size_t)(close - p - 1), scratch)))
                return false;
            p = close + 2;
        }
    }
    return p == end;
}

bool search_chunk_records(const char *data, size_t len, size_t docs, search_record *rec)
{
    if (len < 3 || data[0] != '[' || memcmp(data + len - 2, "]\n", 2) != 0)
        return false;
    /* Records are one line each: JSON strings hold no line break. */
    const char *p = data + 1, *end = data + len - 2;
    for (size_t i = 0; i < docs; i++) {
        bool last = i + 1 == docs;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (last ? nl != NULL : !nl || nl == p || nl[-1] != ',')
            return false;
        const char *rec_end = last ? end : nl - 1;
        if (rec_end - p < 2 || p[0] != '[' || rec_end[-1] != ']')
            return false;
        rec[i] = (search_record){p, (size_t)(rec_end - p)};
        p = last ? end : nl + 1;
    }
    return p == end;
}
