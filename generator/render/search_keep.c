/* The search index kept from the previous build (the file and the rules are
 * in search.h). Entries collected anew are compared with the previous ones
 * as they are added: a change is a token whose mask in a doc differs (0: the
 * doc lost it) or a doc record that differs. Writing then reads back only
 * the shards of the changed tokens and the doc chunks of the changed
 * records, edits them (search_keep_edit.c) and keeps every other file of
 * the site's index. */
#include "search_internal.h"

#include "../util/build.h"
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

struct search_keep {
    buf path;
    search_keep_io io;
    bool usable;  /* the previous index is kept: entries are taken, not added */
    bool failed;  /* more docs than it kept: the index is made whole */
    bool dirty;   /* the file no longer holds the site's index: save it */
    bool written; /* this build wrote the index: what follows is its */
    /* The index as the site has it: loaded, then as written. */
    size_t docs, shards, tokens;
    /* This build's docs against those: how many, and per doc the one of
     * the index it is (SEARCH_DOC_GONE: new) and per doc of the index its
     * number now (SEARCH_DOC_GONE: gone), both NULL when every doc keeps
     * its number; the first doc of this build that does not. */
    size_t now;
    uint32_t *old_of, *new_of;
    size_t first_moved;
    uint64_t total;
    uint64_t *sums;       /* per doc: its entry's checksum */
    int *dept, *category; /* per doc */
    search_file *shard, *chunk;
    size_t shard_cap, chunk_cap;
    /* What this build's entries change. */
    search_change *changes;
    size_t change_len, change_cap;
    buf text;
    search_doc_change *changed;
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

/* Line this build's docs prev[0..docs) up with the index's: a doc that had
 * an entry is the next doc of the index with that entry, and the docs
 * passed over on the way are gone. False when one is not found so (the
 * docs changed order: a doc's date did, or the index is not of these
 * entries) or fewer docs are kept than are new. */
static bool keep_align(search_keep *k, const search_prev_doc *prev, size_t docs)
{
    uint32_t *old_of = xmalloc((docs + 1) * sizeof *old_of);
    uint32_t *new_of = xmalloc((k->docs + 1) * sizeof *new_of);
    size_t j = 0, kept = 0, first_moved = docs < k->docs ? docs : k->docs;
    bool found = true;
    for (size_t i = 0; i < docs && found; i++) {
        old_of[i] = SEARCH_DOC_GONE;
        if (prev[i].had) {
            while (j < k->docs && k->sums[j] != prev[i].sum)
                new_of[j++] = SEARCH_DOC_GONE;
            found = j < k->docs;
            if (found) {
                old_of[i] = (uint32_t)j;
                new_of[j++] = (uint32_t)i;
                kept++;
            }
        }
        if (old_of[i] != i && i < first_moved)
            first_moved = i;
    }
    while (j < k->docs)
        new_of[j++] = SEARCH_DOC_GONE;
    k->now = docs;
    k->first_moved = first_moved;
    if (first_moved == docs && docs == k->docs) {
        free(old_of); /* every doc where it was */
        free(new_of);
    } else {
        k->old_of = old_of;
        k->new_of = new_of;
    }
    return found && kept >= docs - kept;
}

/* Whether the index saved in k->path is what the docs' previous entries
 * prev[0..docs) make, docs come and gone aside: then it is kept. */
static bool keep_load(search_keep *k, const search_prev_doc *prev, size_t docs, diag_list *diags)
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
    else if (strcmp(version, build_version()) != 0)
        keep_warn(diags, k->path.ptr, "由另一版本的 gongkai 写成");
    else if (!keep_parse(k, data.ptr, data.len))
        keep_warn(diags, k->path.ptr, "已损坏");
    else
        ok = keep_align(k, prev, docs);
    buf_free(&data);
    return ok;
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
            !search_chunk_summaries(data.ptr, data.len,
                                    k->docs - first < SEARCH_CHUNK ? k->docs - first : SEARCH_CHUNK,
                                    k->summary + first, &k->mem[worker], &str))
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

search_keep *search_keep_open(const char *file, const search_prev_doc *prev, size_t docs,
                              const output *out, const search_keep_io *io, size_t workers,
                              diag_list *diags)
{
    search_keep *k = xcalloc(1, sizeof *k);
    buf_puts(&k->path, file);
    k->io = *io;
    k->usable =
        prev && out->update && keep_load(k, prev, docs, diags) && keep_summaries(k, out, workers);
    return k;
}

void search_keep_free(search_keep *k)
{
    if (!k)
        return;
    buf_free(&k->path);
    free(k->sums);
    free(k->old_of);
    free(k->new_of);
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

/* The index's number of this build's doc `doc`: SEARCH_DOC_GONE when new. */
static uint32_t keep_old_of(const search_keep *k, size_t doc)
{
    return k->old_of ? k->old_of[doc] : (uint32_t)doc;
}

search_entry *search_keep_entry(const search_keep *k, size_t doc)
{
    uint32_t was = k->summary && doc < k->now ? keep_old_of(k, doc) : SEARCH_DOC_GONE;
    if (was == SEARCH_DOC_GONE)
        return NULL;
    search_entry *e = xcalloc(1, sizeof *e);
    for (int s = 0; s < SEARCH_DOC_STRINGS; s++)
        e->doc.string[s] = "";
    e->doc.string[SEARCH_DOC_SUMMARY] = k->summary[was];
    e->doc.dept = k->dept[was];
    e->doc.category = k->category[was];
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
    buf_printf(&out, "%s%c%s%c%zu%c%zu%c%" PRIu64 "%c%zu%c", KEEP_MAGIC, 0, build_version(), 0,
               k->docs, 0, k->shards, 0, k->total, 0, k->tokens, 0);
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

static int keep_token_cmp(const void *pa, const void *pb)
{
    const keep_token *a = pa, *b = pb;
    return search_token_order(a->bytes, a->len, b->bytes, b->len);
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
        (search_change){NULL,
                        (uint32_t)k->text.len,
                        t->len,
                        (uint32_t)doc,
                        (uint32_t)(search_token_hash(t->bytes, t->len) % k->shards),
                        mask};
    buf_put(&k->text, t->bytes, t->len);
}

/* Note what the entry `now` of doc `doc` changes from `was` (NULL: none
 * or not known; all of it). */
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
    search_doc_change *d = &k->changed[k->changed_len++];
    *d = (search_doc_change){doc, now->doc.dept, now->doc.category, k->json.len, 0};
    search_doc_put(&k->json, &now->doc);
    d->len = k->json.len - d->off;
}

bool search_keep_take(search_keep *k, size_t doc, const search_entry *e)
{
    if (!k->usable)
        return false;
    if (k->failed || e->kept)
        return true;
    if (doc >= k->now) {
        k->failed = true;
        return true;
    }
    uint32_t old = keep_old_of(k, doc);
    if (old == SEARCH_DOC_GONE) { /* new to the index: all of it */
        keep_diff(k, doc, NULL, e);
        return true;
    }
    buf_reset(&k->scratch);
    search_entry_write(e, &k->scratch);
    if (hash64_block(k->scratch.ptr, k->scratch.len) == k->sums[old])
        return true;
    search_entry *was = NULL;
    if (k->io.prev_entry(k->io.ctx, doc, &k->prev) != 0 ||
        hash64_block(k->prev.ptr, k->prev.len) != k->sums[old] ||
        !(was = search_entry_read(k->prev.ptr, k->prev.len))) {
        k->unknown = xgrow(k->unknown, &k->unknown_cap, k->unknown_len + 1, sizeof *k->unknown);
        k->unknown[k->unknown_len++] = (uint32_t)doc;
    }
    keep_diff(k, doc, was, e);
    search_entry_free(was);
    return true;
}

static int keep_change_cmp(const void *pa, const void *pb)
{
    const search_change *a = pa, *b = pb;
    if (a->shard != b->shard)
        return a->shard < b->shard ? -1 : 1;
    int c = search_token_order(a->bytes, a->len, b->bytes, b->len);
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

/* Whether a doc of the index has another number now (or is gone). */
static bool keep_renumbered(const search_keep *k)
{
    return k->new_of && k->first_moved < k->docs;
}

/* The changed shards (all of them when a doc's previous tokens are not
 * known or docs are renumbered), edited. Returns whether all read as
 * kept. */
static bool keep_edit_shards(search_keep *k, const output *out, keep_edits *ed)
{
    buf path = BUF_INIT, old = BUF_INIT;
    search_shard_edit sh = {.docs = k->docs,
                            .renumber = keep_renumbered(k) ? k->new_of : NULL,
                            .unknown = k->unknown,
                            .unknown_len = k->unknown_len};
    bool ok = true;
    for (size_t j = 0, c = 0; j < k->shards && ok; j++) {
        size_t e = c;
        while (e < k->change_len && k->changes[e].shard == j)
            e++;
        if (e == c && !k->unknown_len && !sh.renumber)
            continue;
        keep_file_path(&path, false, j);
        ok = keep_file_read(out, path.ptr, &k->shard[j], &old) &&
             search_shard_edit_run(&sh, old.ptr, old.len, k->changes + c, e - c);
        if (ok) {
            buf *data = ed->shard[j] = xcalloc(1, sizeof *data);
            buf_puts(data, SEARCH_SHARD_MAGIC);
            search_varint_put(data, sh.count);
            buf_put(data, sh.body.ptr, sh.body.len);
            ed->weight += sh.weight;
            ed->tokens += sh.tokens;
        }
        c = e;
    }
    buf_free(&sh.body);
    buf_free(&sh.postings);
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

/* The index cut into `shards` shards (its weight changed so much that a
 * full build would): every shard, as edited or as read back from the site
 * (found as written), taken apart by token and put together anew, all of
 * them to be written. Returns whether all read so. */
static bool keep_reshard(search_keep *k, const output *out, keep_edits *ed, size_t shards)
{
    size_t was = k->shards;
    buf *read = xcalloc(was + 1, sizeof *read), path = BUF_INIT;
    buf **all = xcalloc(was + 1, sizeof *all);
    bool ok = true;
    for (size_t j = 0; j < was && ok; j++) {
        all[j] = ed->shard[j] ? ed->shard[j] : &read[j];
        keep_file_path(&path, false, j);
        ok = ed->shard[j] || keep_file_read(out, path.ptr, &k->shard[j], &read[j]);
    }
    buf **cut = ok ? search_shards_cut(all, was, shards) : NULL;
    if (cut) {
        keep_edits_free(ed->shard, was);
        ed->shard = cut;
        k->shard_cap = shards + 1;
        k->shard = xrealloc(k->shard, k->shard_cap * sizeof *k->shard);
        k->shards = shards;
    }
    for (size_t j = 0; j < was; j++)
        buf_free(&read[j]);
    free(read);
    free(all);
    buf_free(&path);
    return cut != NULL;
}

/* The index's records, read back from its doc chunks as they are needed
 * (per chunk, once; found as written). */
typedef struct keep_records {
    buf *data;          /* per chunk of the index */
    bool *read;         /* ... whether read */
    search_record *rec; /* per doc of the index */
} keep_records;

/* The record of the index's doc `old`, or NULL when its chunk does not
 * read as written. */
static const search_record *keep_record(search_keep *k, const output *out, keep_records *r,
                                        size_t old)
{
    size_t j = old / SEARCH_CHUNK, first = j * SEARCH_CHUNK;
    if (!r->read[j]) {
        buf path = BUF_INIT;
        keep_file_path(&path, true, j);
        bool ok =
            keep_file_read(out, path.ptr, &k->chunk[j], &r->data[j]) &&
            search_chunk_records(r->data[j].ptr, r->data[j].len,
                                 k->docs - first < SEARCH_CHUNK ? k->docs - first : SEARCH_CHUNK,
                                 r->rec + first);
        buf_free(&path);
        if (!ok)
            return NULL;
        r->read[j] = true;
    }
    return &r->rec[old];
}

/* The doc chunks that change, cut anew: those of the changed records and,
 * when docs are renumbered, every one from the first such doc's on. A
 * doc's record is its changed one (a new doc's always is) or the index's
 * record of it. */
static bool keep_edit_chunks(search_keep *k, const output *out, keep_edits *ed)
{
    size_t chunks = keep_chunks(k->now), old_chunks = keep_chunks(k->docs);
    size_t from = k->old_of ? k->first_moved / SEARCH_CHUNK : chunks;
    keep_records r = {xcalloc(old_chunks + 1, sizeof *r.data),
                      xcalloc(old_chunks + 1, sizeof *r.read), xcalloc(k->docs + 1, sizeof *r.rec)};
    bool ok = true;
    for (size_t j = 0, c = 0; j < chunks && ok; j++) {
        if (j < from && (c == k->changed_len || k->changed[c].doc / SEARCH_CHUNK != j))
            continue;
        buf *data = ed->chunk[j] = xcalloc(1, sizeof *data);
        buf_putc(data, '[');
        for (size_t i = j * SEARCH_CHUNK; i < k->now && i < (j + 1) * SEARCH_CHUNK && ok; i++) {
            if (i > j * SEARCH_CHUNK)
                buf_puts(data, ",\n");
            const search_record *rec;
            if (c < k->changed_len && k->changed[c].doc == i) {
                buf_put(data, k->json.ptr + k->changed[c].off, k->changed[c].len);
                c++;
            } else if ((rec = keep_record(k, out, &r, keep_old_of(k, i)))) {
                buf_put(data, rec->bytes, rec->len);
            } else {
                ok = false;
            }
        }
        buf_puts(data, "]\n");
    }
    for (size_t j = 0; j < old_chunks; j++)
        buf_free(&r.data[j]);
    free(r.data);
    free(r.read);
    free(r.rec);
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

/* The index's tables of its docs numbered as this build's (a new doc's
 * department and category come with its changed record). */
static void keep_renumber(search_keep *k)
{
    int *dept = xmalloc((k->now + 1) * sizeof *dept);
    int *cat_of = xmalloc((k->now + 1) * sizeof *cat_of);
    for (size_t i = 0; i < k->now; i++) {
        uint32_t was = k->old_of[i];
        dept[i] = was == SEARCH_DOC_GONE ? -1 : k->dept[was];
        cat_of[i] = was == SEARCH_DOC_GONE ? -1 : k->category[was];
    }
    free(k->dept);
    free(k->category);
    k->dept = dept;
    k->category = cat_of;
    k->sums = xrealloc(k->sums, (k->now + 1) * sizeof *k->sums);
    k->docs = k->now;
}

int search_keep_write(search_keep *k, const site_config *cfg, const catalogue *cat, size_t docs,
                      output *out, search_stats *st, buf *err)
{
    if (!k->usable || k->failed || docs != k->now)
        return 1;
    for (size_t i = 0; i < k->change_len; i++)
        k->changes[i].bytes = k->text.ptr + k->changes[i].off;
    if (k->change_len)
        qsort(k->changes, k->change_len, sizeof *k->changes, keep_change_cmp);
    size_t chunks = keep_chunks(k->now);
    k->chunk = xgrow(k->chunk, &k->chunk_cap, chunks + 1, sizeof *k->chunk);
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
        if (k->change_len || k->changed_len || k->old_of) {
            unlink(k->path.ptr); /* stale until saved */
            k->dirty = true;
        }
        if (k->old_of)
            keep_renumber(k);
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
