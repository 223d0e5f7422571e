/* The search index kept from the previous build (the file and the rules are
 * in search.h). Entries collected anew are compared with the previous ones
 * as they are added: a change is a token whose mask in a doc differs (0: the
 * doc lost it) or a doc record that differs. Writing then reads back only
 * the shards of the changed tokens and the doc chunks of the changed
 * records, edits them and keeps every other file of the site's index. */
#include "search_internal.h"

#include "../util/arena.h"
#include "../util/atomic.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/pool.h"
#include "../util/xalloc.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEEP_MAGIC "GKSEARCH1"
/* The checksum that ends the file: 16 hex digits and a NUL. */
#define KEEP_SUM_FIELD 17

/* A token of doc `doc` whose mask changed to `mask` (0: it has it no more). */
typedef struct keep_change {
    const char *bytes; /* in `text`, once all are noted */
    uint32_t off, len; /* its bytes in `text` */
    uint32_t doc;
    uint32_t shard;
    uint8_t mask;
} keep_change;

/* A doc whose record, department or category changed. */
typedef struct keep_doc {
    size_t doc;
    int dept, category;
    size_t off, len; /* its record in `json` */
} keep_doc;

struct search_keep {
    buf path;
    search_keep_io io;
    bool usable;  /* the previous index is kept: entries are taken, not added */
    bool failed;  /* more docs than it kept: the index is made whole */
    bool dirty;   /* the file no longer holds the site's index: save it */
    bool written; /* this build wrote the index: what follows is its */
    /* The index as the site has it: loaded, then as written. */
    size_t docs, shards, tokens;
    uint64_t total;
    uint64_t *sums;       /* per doc: its entry's checksum */
    int *dept, *category; /* per doc */
    search_file *shard, *chunk;
    size_t shard_cap, chunk_cap;
    /* What this build's entries change. */
    keep_change *changes;
    size_t change_len, change_cap;
    buf text;
    keep_doc *changed;
    size_t changed_len, changed_cap;
    /* Docs whose previous entry did not read back: which tokens they had
     * is not known, so their postings go from every token that they do
     * not have now. */
    uint32_t *unknown;
    size_t unknown_len, unknown_cap;
    buf json;
    buf scratch, prev, postings;
    /* Per doc, its summary in the kept doc chunks (in `mem`, one arena per
     * worker that read them); NULL when the index is not kept. */
    const char **summary;
    arena *mem;
    size_t mem_count;
};

static size_t keep_chunks(size_t docs)
{
    return (docs + SEARCH_CHUNK - 1) / SEARCH_CHUNK;
}

/* ---- the file ------------------------------------------------------------ */

static void keep_warn(diag_list *diags, const char *file, const char *why)
{
    diag_add(diags, DIAG_WARNING, "GK403", file, 0, 0,
             "搜索索引的缓存%s，已弃用：本次重新生成整个搜索索引", why);
}

static bool keep_files_read(fields_reader *r, search_file *files, size_t n)
{
    for (size_t i = 0; i < n && !r->bad; i++) {
        files[i].size = (size_t)fields_number(r, 10);
        files[i].sum = fields_number(r, 16);
    }
    return !r->bad;
}

/* The saved index of `data` into k; false when it does not read whole. */
static bool keep_parse(search_keep *k, const char *data, size_t len)
{
    if (len < KEEP_SUM_FIELD || data[len - 1] != '\0')
        return false;
    size_t body = len - KEEP_SUM_FIELD;
    fields_reader sum;
    fields_reader_init(&sum, data + body, KEEP_SUM_FIELD);
    if (fields_number(&sum, 16) != hash64_block(data, body) || sum.bad)
        return false;
    fields_reader r;
    fields_reader_init(&r, data, body);
    fields_next(&r); /* the magic and the version, checked already */
    fields_next(&r);
    uint64_t docs = fields_number(&r, 10), shards = fields_number(&r, 10);
    k->total = fields_number(&r, 10);
    k->tokens = (size_t)fields_number(&r, 10);
    /* Each doc takes six bytes at least, each file four. */
    size_t room = (size_t)(r.end - r.p);
    if (r.bad || docs > room / 6 || shards != search_shard_count(k->total) ||
        shards + keep_chunks((size_t)docs) > room / 4)
        return false;
    k->docs = (size_t)docs;
    k->shards = (size_t)shards;
    k->sums = xmalloc((k->docs + 1) * sizeof *k->sums);
    k->dept = xmalloc((k->docs + 1) * sizeof *k->dept);
    k->category = xmalloc((k->docs + 1) * sizeof *k->category);
    for (size_t i = 0; i < k->docs && !r.bad; i++) {
        k->sums[i] = fields_number(&r, 16);
        k->dept[i] = (int)fields_number(&r, 10) - 1;
        k->category[i] = (int)fields_number(&r, 10) - 1;
    }
    k->shard_cap = k->shards + 1;
    k->shard = xmalloc(k->shard_cap * sizeof *k->shard);
    k->chunk_cap = keep_chunks(k->docs) + 1;
    k->chunk = xmalloc(k->chunk_cap * sizeof *k->chunk);
    return keep_files_read(&r, k->shard, k->shards) &&
           keep_files_read(&r, k->chunk, keep_chunks(k->docs)) && r.p == r.end;
}

/* Whether the index saved in k->path is what the docs' previous entries
 * (checksums sums[0..docs)) make: then it is kept. */
static bool keep_load(search_keep *k, const uint64_t *sums, size_t docs, diag_list *diags)
{
    buf data = BUF_INIT;
    if (buf_read_file(&data, k->path.ptr) != 0) {
        buf_free(&data);
        return false; /* none saved */
    }
    fields_reader r;
    fields_reader_init(&r, data.ptr, data.len);
    const char *magic = fields_next(&r), *version = fields_next(&r);
    bool ok = false;
    if (r.bad || strcmp(magic, KEEP_MAGIC) != 0)
        keep_warn(diags, k->path.ptr, "已损坏");
    else if (strcmp(version, GK_VERSION) != 0)
        keep_warn(diags, k->path.ptr, "由另一版本的 gongkai 写成");
    else if (!keep_parse(k, data.ptr, data.len))
        keep_warn(diags, k->path.ptr, "已损坏");
    else
        ok = k->docs == docs && (docs == 0 || memcmp(k->sums, sums, docs * sizeof *sums) == 0);
    buf_free(&data);
    return ok;
}

/* The closing quote of the JSON string that opens at s (before end), or
 * NULL. */
static const char *keep_json_end(const char *s, const char *end)
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
static int keep_json_u(const char *esc, const char *end)
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
static const char *keep_json_text(arena *mem, const char *s, size_t n, buf *out)
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
        int u = e ? 0 : keep_json_u(esc, end);
        if (u < 0)
            return NULL;
        buf_putc(out, e ? to[e - from] : (char)u);
        s = esc + (e ? 2 : 6);
    }
    return arena_strndup(mem, out->ptr, out->len);
}

/* The summaries of the docs first.. of the chunk data[0..len) into
 * k->summary, their bytes in mem. Returns whether the chunk reads so. */
static bool keep_chunk_summaries(search_keep *k, arena *mem, const char *data, size_t len,
                                 size_t first, size_t docs, buf *str)
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
            const char *close = p < end && *p == '"' ? keep_json_end(p, end) : NULL;
            if (!close || close + 1 == end || close[1] != (s + 1 < SEARCH_DOC_STRINGS ? ',' : ']'))
                return false;
            if (s == SEARCH_DOC_SUMMARY &&
                !(k->summary[first + i] = keep_json_text(mem, p + 1, (size_t)(close - p - 1), str)))
                return false;
            p = close + 2;
        }
    }
    return p == end;
}

/* The doc chunks shared out among workers. */
typedef struct keep_reading {
    search_keep *k;
    const output *out;
    _Atomic size_t next;
    _Atomic bool failed;
} keep_reading;

static void keep_summaries_read(void *ctx, size_t worker)
{
    keep_reading *job = ctx;
    search_keep *k = job->k;
    buf path = BUF_INIT, data = BUF_INIT, str = BUF_INIT;
    for (size_t j; !atomic_load(&job->failed) &&
                   (j = atomic_fetch_add(&job->next, 1)) < keep_chunks(k->docs);) {
        size_t first = j * SEARCH_CHUNK;
        buf_reset(&path);
        buf_printf(&path, "%s/search/d/%zu.json", job->out->target.ptr, j);
        buf_reset(&data);
        if (buf_read_file(&data, path.ptr) != 0 || data.len != k->chunk[j].size ||
            hash64_block(data.ptr, data.len) != k->chunk[j].sum ||
            !keep_chunk_summaries(k, &k->mem[worker], data.ptr, data.len, first,
                                  k->docs - first < SEARCH_CHUNK ? k->docs - first : SEARCH_CHUNK,
                                  &str))
            atomic_store(&job->failed, true);
    }
    buf_free(&path);
    buf_free(&data);
    buf_free(&str);
}

/* Every doc's summary from the site's doc chunks, found as written, read
 * on `workers` threads: all of them, some thousands of files, before the
 * first item. */
static bool keep_summaries(search_keep *k, const output *out, size_t workers)
{
    k->summary = xcalloc(k->docs + 1, sizeof *k->summary);
    k->mem_count = workers ? workers : 1;
    k->mem = xmalloc(k->mem_count * sizeof *k->mem);
    for (size_t w = 0; w < k->mem_count; w++)
        arena_init(&k->mem[w]);
    keep_reading job = {.k = k, .out = out};
    pool_run(k->mem_count, keep_summaries_read, &job);
    if (atomic_load(&job.failed)) {
        free(k->summary);
        k->summary = NULL;
        return false;
    }
    return true;
}

search_keep *search_keep_open(const char *file, const uint64_t *sums, size_t docs,
                              const output *out, const search_keep_io *io, size_t workers,
                              diag_list *diags)
{
    search_keep *k = xcalloc(1, sizeof *k);
    buf_puts(&k->path, file);
    k->io = *io;
    k->usable =
        sums && out->update && keep_load(k, sums, docs, diags) && keep_summaries(k, out, workers);
    return k;
}

void search_keep_free(search_keep *k)
{
    if (!k)
        return;
    buf_free(&k->path);
    free(k->sums);
    free(k->dept);
    free(k->category);
    free(k->shard);
    free(k->chunk);
    free(k->changes);
    free(k->changed);
    free(k->unknown);
    buf_free(&k->text);
    buf_free(&k->json);
    buf_free(&k->scratch);
    buf_free(&k->prev);
    buf_free(&k->postings);
    free(k->summary);
    for (size_t w = 0; w < k->mem_count; w++)
        arena_free(&k->mem[w]);
    free(k->mem);
    free(k);
}

search_entry *search_keep_entry(const search_keep *k, size_t doc)
{
    if (!k->summary || doc >= k->docs)
        return NULL;
    search_entry *e = xcalloc(1, sizeof *e);
    for (int s = 0; s < SEARCH_DOC_STRINGS; s++)
        e->doc.string[s] = "";
    e->doc.string[SEARCH_DOC_SUMMARY] = k->summary[doc];
    e->doc.dept = k->dept[doc];
    e->doc.category = k->category[doc];
    e->kept = true;
    return e;
}

bool search_keep_usable(const search_keep *k)
{
    return k->usable;
}

static void keep_files_put(buf *out, const search_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%zu%c%016" PRIx64 "%c", files[i].size, 0, files[i].sum, 0);
}

int search_keep_save(search_keep *k, const uint64_t *sums, size_t docs, buf *err)
{
    if (!k->written || docs != k->docs)
        return 0;
    if (!k->dirty && memcmp(k->sums, sums, docs * sizeof *sums) == 0)
        return 0; /* the file holds this very index */
    memcpy(k->sums, sums, docs * sizeof *sums);
    buf out = BUF_INIT;
    buf_printf(&out, "%s%c%s%c%zu%c%zu%c%" PRIu64 "%c%zu%c", KEEP_MAGIC, 0, GK_VERSION, 0, k->docs,
               0, k->shards, 0, k->total, 0, k->tokens, 0);
    for (size_t i = 0; i < k->docs; i++)
        buf_printf(&out, "%016" PRIx64 "%c%d%c%d%c", k->sums[i], 0, k->dept[i] + 1, 0,
                   k->category[i] + 1, 0);
    keep_files_put(&out, k->shard, k->shards);
    keep_files_put(&out, k->chunk, keep_chunks(k->docs));
    buf_printf(&out, "%016" PRIx64 "%c", hash64_block(out.ptr, out.len), 0);
    /* Not flushed: the file checks its own bytes (a power failure costs a
     * whole index and a warning), and this saves a flush of the disk
     * after every edit. */
    int rc = atomic_replace(k->path.ptr, out.ptr, out.len, err);
    buf_free(&out);
    if (rc == 0)
        k->dirty = false;
    return rc;
}

/* ---- a full write --------------------------------------------------------- */

void search_keep_forget(search_keep *k)
{
    k->usable = false;
    k->dirty = true;
    unlink(k->path.ptr);
}

void search_keep_note_file(search_keep *k, bool chunk, size_t index, const char *data, size_t len)
{
    search_file **files = chunk ? &k->chunk : &k->shard;
    *files = xgrow(*files, chunk ? &k->chunk_cap : &k->shard_cap, index + 1, sizeof **files);
    (*files)[index] = (search_file){len, hash64_block(data, len)};
}

void search_keep_note_index(search_keep *k, size_t docs, size_t shards, uint64_t total,
                            size_t tokens, int *dept, int *cat_of)
{
    free(k->dept);
    free(k->category);
    k->dept = dept;
    k->category = cat_of;
    k->docs = docs;
    k->shards = shards;
    k->total = total;
    k->written = true;
    k->tokens = tokens;
    free(k->sums);
    k->sums = xcalloc(docs + 1, sizeof *k->sums);
}

int search_keep_replay(search_keep *k, search_index *s, size_t docs, buf *err)
{
    for (size_t doc = 0; doc < docs; doc++) {
        search_entry *e = NULL;
        if (k->io.entry(k->io.ctx, doc, &k->scratch) != 0 ||
            !(e = search_entry_read(k->scratch.ptr, k->scratch.len))) {
            buf_printf(err, "无法从构建缓存读回第 %zu 条搜索条目", doc + 1);
            return -1;
        }
        search_index_add(s, e);
    }
    return 0;
}

/* ---- what an entry changes ------------------------------------------------- */

typedef struct keep_token {
    const char *bytes;
    uint32_t len;
    uint8_t mask;
} keep_token;

/* Tokens in the order of a shard: by their bytes, a prefix first. */
static int keep_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int keep_token_cmp(const void *pa, const void *pb)
{
    const keep_token *a = pa, *b = pb;
    return keep_bytes_cmp(a->bytes, a->len, b->bytes, b->len);
}

/* The entry's tokens, sorted. */
static keep_token *keep_tokens(const search_entry *e)
{
    keep_token *t = xmalloc((e->token_count + 1) * sizeof *t);
    for (size_t i = 0; i < e->token_count; i++)
        t[i] = (keep_token){e->text + e->tokens[i].off, e->tokens[i].len, e->tokens[i].mask};
    qsort(t, e->token_count, sizeof *t, keep_token_cmp);
    return t;
}

static void keep_change_add(search_keep *k, size_t doc, const keep_token *t, uint8_t mask)
{
    k->changes = xgrow(k->changes, &k->change_cap, k->change_len + 1, sizeof *k->changes);
    k->changes[k->change_len++] =
        (keep_change){NULL,
                      (uint32_t)k->text.len,
                      t->len,
                      (uint32_t)doc,
                      (uint32_t)(search_token_hash(t->bytes, t->len) % k->shards),
                      mask};
    buf_put(&k->text, t->bytes, t->len);
}

/* Note what the entry `now` of doc `doc` changes from `was` (NULL: not
 * known; all of it). */
static void keep_diff(search_keep *k, size_t doc, const search_entry *was, const search_entry *now)
{
    size_t was_count = was ? was->token_count : 0;
    keep_token *a = was ? keep_tokens(was) : NULL, *b = keep_tokens(now);
    size_t i = 0, j = 0;
    while (i < was_count || j < now->token_count) {
        int c = i == was_count ? 1 : j == now->token_count ? -1 : keep_token_cmp(&a[i], &b[j]);
        if (c < 0) {
            keep_change_add(k, doc, &a[i++], 0);
        } else if (c > 0) {
            keep_change_add(k, doc, &b[j], b[j].mask);
            j++;
        } else {
            if (a[i].mask != b[j].mask)
                keep_change_add(k, doc, &b[j], b[j].mask);
            i++;
            j++;
        }
    }
    free(a);
    free(b);

    bool same = was && was->doc.dept == now->doc.dept && was->doc.category == now->doc.category;
    for (int s = 0; s < SEARCH_DOC_STRINGS && same; s++)
        same = strcmp(was->doc.string[s], now->doc.string[s]) == 0;
    if (same)
        return;
    k->changed = xgrow(k->changed, &k->changed_cap, k->changed_len + 1, sizeof *k->changed);
    keep_doc *d = &k->changed[k->changed_len++];
    *d = (keep_doc){doc, now->doc.dept, now->doc.category, k->json.len, 0};
    search_doc_put(&k->json, &now->doc);
    d->len = k->json.len - d->off;
}

bool search_keep_take(search_keep *k, size_t doc, const search_entry *e)
{
    if (!k->usable)
        return false;
    if (k->failed || e->kept)
        return true;
    if (doc >= k->docs) {
        k->failed = true;
        return true;
    }
    buf_reset(&k->scratch);
    search_entry_write(e, &k->scratch);
    if (hash64_block(k->scratch.ptr, k->scratch.len) == k->sums[doc])
        return true;
    search_entry *was = NULL;
    if (k->io.prev_entry(k->io.ctx, doc, &k->prev) != 0 ||
        hash64_block(k->prev.ptr, k->prev.len) != k->sums[doc] ||
        !(was = search_entry_read(k->prev.ptr, k->prev.len))) {
        k->unknown = xgrow(k->unknown, &k->unknown_cap, k->unknown_len + 1, sizeof *k->unknown);
        k->unknown[k->unknown_len++] = (uint32_t)doc;
    }
    keep_diff(k, doc, was, e);
    search_entry_free(was);
    return true;
}

/* ---- editing the files ------------------------------------------------------ */

/* Append doc's posting after `*prev`'s to k->postings. */
static void keep_posting_put(search_keep *k, uint32_t doc, uint8_t mask, uint32_t *prev)
{
    bool plain = mask == SEARCH_FIELD_BODY;
    search_varint_put(&k->postings, (uint64_t)(doc - *prev) << 1 | !plain);
    if (!plain)
        buf_putc(&k->postings, (char)mask);
    *prev = doc;
}

/* The shard being edited: its new tokens, their number and how the
 * weight and the number of tokens changed. */
typedef struct keep_shard {
    buf body;
    size_t count;
    int64_t weight, tokens;
} keep_shard;

/* The token `tok` with its `count` postings old[0..used) (none: a token
 * new to the index) changed by ch[0..n) (this token's, by doc) and
 * without the unknown docs' postings that no change sets, into sh.
 * Returns false when the postings do not read. */
static bool keep_token_edit(search_keep *k, const char *tok, size_t len, const unsigned char *old,
                            size_t used, uint64_t count, const keep_change *ch, size_t n,
                            keep_shard *sh)
{
    buf_reset(&k->postings);
    search_reader r = {old, old ? old + used : old, false};
    uint32_t doc = 0, out_prev = 0;
    size_t c = 0, u = 0, out_count = 0;
    for (uint64_t p = 0; p < count; p++) {
        uint64_t v = search_read_varint(&r, (uint64_t)k->docs << 1);
        uint8_t mask = SEARCH_FIELD_BODY;
        if (v & 1) {
            const unsigned char *m = search_read_bytes(&r, 1);
            mask = m ? *m : 0;
        }
        uint64_t next = doc + (v >> 1);
        if (r.bad || next >= k->docs || (p && next == doc) || mask == 0)
            return false;
        doc = (uint32_t)next;
        for (; c < n && ch[c].doc < doc; c++)
            if (ch[c].mask) {
                keep_posting_put(k, ch[c].doc, ch[c].mask, &out_prev);
                out_count++;
            }
        while (u < k->unknown_len && k->unknown[u] < doc)
            u++;
        if (c < n && ch[c].doc == doc) {
            mask = ch[c++].mask;
            if (!mask)
                continue;
        } else if (u < k->unknown_len && k->unknown[u] == doc) {
            continue;
        }
        keep_posting_put(k, doc, mask, &out_prev);
        out_count++;
    }
    if (r.p != r.end)
        return false;
    for (; c < n; c++)
        if (ch[c].mask) {
            keep_posting_put(k, ch[c].doc, ch[c].mask, &out_prev);
            out_count++;
        }
    if (old) {
        sh->weight -= (int64_t)search_token_weight(len, used);
        sh->tokens--;
    }
    if (out_count) {
        search_shard_token_put(&sh->body, tok, len, out_count, k->postings.ptr, k->postings.len);
        sh->count++;
        sh->weight += (int64_t)search_token_weight(len, k->postings.len);
        sh->tokens++;
    }
    return true;
}

/* How many changes from ch[0] are of ch[0]'s token. */
static size_t keep_same_token(const keep_change *ch, size_t n)
{
    size_t e = 1;
    while (e < n && ch[e].len == ch[0].len && memcmp(ch[e].bytes, ch[0].bytes, ch[0].len) == 0)
        e++;
    return e;
}

/* The shard old[0..len) with the changes ch[0..n) (its own, sorted) into
 * sh. Returns false when old does not read as a shard. */
static bool keep_shard_edit(search_keep *k, const char *old, size_t len, const keep_change *ch,
                            size_t n, keep_shard *sh)
{
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
        while (c < n && (cmp = keep_bytes_cmp(ch[c].bytes, ch[c].len, tok, tlen)) < 0) {
            size_t e = keep_same_token(ch + c, n - c);
            keep_token_edit(k, ch[c].bytes, ch[c].len, NULL, 0, 0, ch + c, e, sh);
            c += e;
            cmp = -1;
        }
        if (c < n && cmp == 0) {
            size_t e = keep_same_token(ch + c, n - c);
            if (!keep_token_edit(k, tok, tlen, postings, used, count, ch + c, e, sh))
                return false;
            c += e;
        } else if (k->unknown_len) {
            if (!keep_token_edit(k, tok, tlen, postings, used, count, NULL, 0, sh))
                return false;
        } else {
            buf_put(&sh->body, start, (size_t)(r.p - start));
            sh->count++;
        }
    }
    while (c < n) {
        size_t e = keep_same_token(ch + c, n - c);
        keep_token_edit(k, ch[c].bytes, ch[c].len, NULL, 0, 0, ch + c, e, sh);
        c += e;
    }
    return r.p == r.end;
}

/* The doc chunk old[0..len) of `docs` records from doc `first`, with the
 * records of d[0..n) (its own, by doc) in place of theirs, into out.
 * Returns false when old does not read as such a chunk. */
static bool keep_chunk_edit(const search_keep *k, const char *old, size_t len, size_t first,
                            size_t docs, const keep_doc *d, size_t n, buf *out)
{
    if (len < 3 || old[0] != '[' || memcmp(old + len - 2, "]\n", 2) != 0)
        return false;
    /* Records are one line each: JSON strings hold no line break. */
    const char *p = old + 1, *end = old + len - 2;
    size_t c = 0;
    buf_putc(out, '[');
    for (size_t i = 0; i < docs; i++) {
        bool last = i + 1 == docs;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (last ? nl != NULL : !nl || nl == p || nl[-1] != ',')
            return false;
        const char *rec_end = last ? end : nl - 1;
        if (rec_end - p < 2 || p[0] != '[' || rec_end[-1] != ']')
            return false;
        if (i)
            buf_puts(out, ",\n");
        if (c < n && d[c].doc == first + i) {
            buf_put(out, k->json.ptr + d[c].off, d[c].len);
            c++;
        } else {
            buf_put(out, p, (size_t)(rec_end - p));
        }
        p = last ? end : nl + 1;
    }
    buf_puts(out, "]\n");
    return c == n;
}

static int keep_change_cmp(const void *pa, const void *pb)
{
    const keep_change *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    int c = keep_bytes_cmp(a->bytes, a->len, b->bytes, b->len);
    return c ? c : (a->doc > b->doc) - (a->doc < b->doc);
}

/* ---- writing ----------------------------------------------------------------- */

static void keep_file_path(buf *path, bool chunk, size_t i)
{
    buf_reset(path);
    buf_printf(path, chunk ? "/search/d/%zu.json" : "/search/s/%zu.bin", i);
}

/* The previous site's file at `site_path` into data: false unless it is as
 * the kept index says it wrote it. */
static bool keep_file_read(const output *out, const char *site_path, const search_file *f,
                           buf *data)
{
    buf full = BUF_INIT;
    buf_printf(&full, "%s%s", out->target.ptr, site_path);
    buf_reset(data);
    bool ok = buf_read_file(data, full.ptr) == 0 && data->len == f->size &&
              hash64_block(data->ptr, data->len) == f->sum;
    buf_free(&full);
    return ok;
}

/* The files to write anew: per shard, then per chunk, NULL for those kept. */
typedef struct keep_edits {
    buf **shard, **chunk;
    int64_t weight, tokens;
} keep_edits;

/* The changed shards (all of them when a doc's previous tokens are not
 * known), edited. Returns whether all read as kept. */
static bool keep_edit_shards(search_keep *k, const output *out, keep_edits *ed)
{
    buf path = BUF_INIT, old = BUF_INIT;
    bool ok = true;
    for (size_t j = 0, c = 0; j < k->shards && ok; j++) {
        size_t e = c;
        while (e < k->change_len && k->changes[e].shard == j)
            e++;
        if (e == c && !k->unknown_len)
            continue;
        keep_file_path(&path, false, j);
        keep_shard sh = {BUF_INIT, 0, 0, 0};
        ok = keep_file_read(out, path.ptr, &k->shard[j], &old) &&
             keep_shard_edit(k, old.ptr, old.len, k->changes + c, e - c, &sh);
        if (ok) {
            buf *data = ed->shard[j] = xcalloc(1, sizeof *data);
            buf_puts(data, SEARCH_SHARD_MAGIC);
            search_varint_put(data, sh.count);
            buf_put(data, sh.body.ptr, sh.body.len);
            ed->weight += sh.weight;
            ed->tokens += sh.tokens;
        }
        buf_free(&sh.body);
        c = e;
    }
    buf_free(&path);
    buf_free(&old);
    return ok;
}

static void keep_edits_free(buf **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (files[i]) {
            buf_free(files[i]);
            free(files[i]);
        }
    free(files);
}

/* A token's part of a shard, for cutting the shards anew. */
typedef struct keep_record {
    const char *token, *bytes; /* its bytes; all of the record */
    size_t len, size;
    uint32_t shard; /* in the new cut */
} keep_record;

static int keep_record_cmp(const void *pa, const void *pb)
{
    const keep_record *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    return keep_bytes_cmp(a->token, a->len, b->token, b->len);
}

typedef struct keep_records {
    keep_record *v;
    size_t len, cap;
} keep_records;

/* The token records of the shard data[0..len), with their shards among
 * `shards`, appended to recs. Returns whether it reads as a shard. */
static bool keep_records_add(const buf *data, size_t shards, keep_records *recs)
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
        recs->v[recs->len++] = (keep_record){tok, (const char *)start, len, (size_t)(r.p - start),
                                             (uint32_t)(search_token_hash(tok, len) % shards)};
    }
    return r.p == r.end;
}

/* The index cut into `shards` shards (its weight changed so much that a
 * full build would): every shard, as edited or as read back from the site
 * (found as written), taken apart by token and put together anew, all of
 * them to be written. Returns whether all read so. */
static bool keep_reshard(search_keep *k, const output *out, keep_edits *ed, size_t shards)
{
    size_t was = k->shards;
    buf *read = xcalloc(was + 1, sizeof *read), path = BUF_INIT;
    keep_records recs = {NULL, 0, 0};
    bool ok = true;
    for (size_t j = 0; j < was && ok; j++) {
        if (!ed->shard[j]) {
            keep_file_path(&path, false, j);
            ok = keep_file_read(out, path.ptr, &k->shard[j], &read[j]);
        }
        ok = ok && keep_records_add(ed->shard[j] ? ed->shard[j] : &read[j], shards, &recs);
    }
    if (ok) {
        if (recs.len)
            qsort(recs.v, recs.len, sizeof *recs.v, keep_record_cmp);
        buf **cut = xcalloc(shards + 1, sizeof *cut);
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
        keep_edits_free(ed->shard, was);
        ed->shard = cut;
        k->shard_cap = shards + 1;
        k->shard = xrealloc(k->shard, k->shard_cap * sizeof *k->shard);
        k->shards = shards;
    }
    for (size_t j = 0; j < was; j++)
        buf_free(&read[j]);
    free(read);
    free(recs.v);
    buf_free(&path);
    return ok;
}

/* The chunks of the changed doc records, edited. */
static bool keep_edit_chunks(search_keep *k, const output *out, keep_edits *ed)
{
    buf path = BUF_INIT, old = BUF_INIT;
    bool ok = true;
    for (size_t c = 0; c < k->changed_len && ok;) {
        size_t j = k->changed[c].doc / SEARCH_CHUNK, e = c;
        while (e < k->changed_len && k->changed[e].doc / SEARCH_CHUNK == j)
            e++;
        size_t first = j * SEARCH_CHUNK;
        size_t docs = k->docs - first < SEARCH_CHUNK ? k->docs - first : SEARCH_CHUNK;
        keep_file_path(&path, true, j);
        buf *data = ed->chunk[j] = xcalloc(1, sizeof *data);
        ok = keep_file_read(out, path.ptr, &k->chunk[j], &old) &&
             keep_chunk_edit(k, old.ptr, old.len, first, docs, k->changed + c, e - c, data);
        c = e;
    }
    buf_free(&path);
    buf_free(&old);
    return ok;
}

/* Whether every file not written anew is in the site as written. */
static bool keep_files_there(output *out, buf **edited, const search_file *f, size_t n, bool chunk)
{
    buf path = BUF_INIT;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (edited[i])
            continue;
        keep_file_path(&path, chunk, i);
        ok = output_keepable(out, path.ptr, f[i].size);
    }
    buf_free(&path);
    return ok;
}

/* Write the edited files, keep the others. */
static int keep_files_commit(output *out, buf **edited, search_file *f, size_t n, bool chunk,
                             size_t *bytes, size_t *largest, buf *err)
{
    buf path = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        keep_file_path(&path, chunk, i);
        if (edited[i]) {
            rc = output_write(out, path.ptr, edited[i]->ptr, edited[i]->len, err);
            f[i] = (search_file){edited[i]->len, hash64_block(edited[i]->ptr, edited[i]->len)};
        } else {
            output_keep(out, path.ptr);
        }
        *bytes += f[i].size;
        if (largest && f[i].size > *largest)
            *largest = f[i].size;
    }
    buf_free(&path);
    return rc;
}

int search_keep_write(search_keep *k, const site_config *cfg, const catalogue *cat, size_t docs,
                      output *out, search_stats *st, buf *err)
{
    if (!k->usable || k->failed || docs != k->docs)
        return 1;
    for (size_t i = 0; i < k->change_len; i++)
        k->changes[i].bytes = k->text.ptr + k->changes[i].off;
    if (k->change_len)
        qsort(k->changes, k->change_len, sizeof *k->changes, keep_change_cmp);
    size_t chunks = keep_chunks(k->docs);
    keep_edits ed = {xcalloc(k->shards + 1, sizeof *ed.shard),
                     xcalloc(chunks + 1, sizeof *ed.chunk), 0, 0};
    bool ok = keep_edit_shards(k, out, &ed);
    size_t shards = search_shard_count((uint64_t)((int64_t)k->total + ed.weight));
    if (ok && shards != k->shards)
        ok = keep_reshard(k, out, &ed, shards);
    ok = ok && keep_edit_chunks(k, out, &ed) &&
         keep_files_there(out, ed.shard, k->shard, k->shards, false) &&
         keep_files_there(out, ed.chunk, k->chunk, chunks, true);
    int rc = ok ? 0 : 1;
    if (ok) {
        if (k->change_len || k->changed_len) {
            unlink(k->path.ptr); /* stale until saved */
            k->dirty = true;
        }
        k->written = true;
        k->total = (uint64_t)((int64_t)k->total + ed.weight);
        k->tokens = (size_t)((int64_t)k->tokens + ed.tokens);
        for (size_t i = 0; i < k->changed_len; i++) {
            k->dept[k->changed[i].doc] = k->changed[i].dept;
            k->category[k->changed[i].doc] = k->changed[i].category;
        }
        st->docs = k->docs;
        st->tokens = k->tokens;
        st->shards = k->shards;
        rc = keep_files_commit(out, ed.shard, k->shard, k->shards, false, &st->shard_bytes,
                               &st->largest_shard, err);
        if (rc == 0)
            rc =
                keep_files_commit(out, ed.chunk, k->chunk, chunks, true, &st->doc_bytes, NULL, err);
        if (rc == 0) {
            buf data = BUF_INIT;
            search_manifest_put(&data, cfg, cat, k->docs, k->shards, k->dept, k->category);
            rc = output_write(out, "/search/index.json", data.ptr, data.len, err);
            st->manifest_bytes = data.len;
            buf_free(&data);
        }
    }
    keep_edits_free(ed.shard, k->shards);
    keep_edits_free(ed.chunk, chunks);
    return rc;
}
