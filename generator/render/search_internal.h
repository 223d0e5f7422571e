/* Shared between the collector (search_collect.c), which makes an entry per
 * item on any thread, and the index (search.c), which adds entries in doc
 * order and writes them. */
#ifndef GK_RENDER_SEARCH_INTERNAL_H
#define GK_RENDER_SEARCH_INTERNAL_H

#include "search.h"

#include "../util/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The strings of a doc, in the order of its record in d/<j>.json. */
enum {
    SEARCH_DOC_TITLE,
    SEARCH_DOC_URL,
    SEARCH_DOC_DATE,
    SEARCH_DOC_NUMBER, /* 文号 */
    SEARCH_DOC_INDEX_NO,
    SEARCH_DOC_SUMMARY,
    SEARCH_DOC_STRINGS
};

/* What d/<j>.json and index.json hold of one doc. */
typedef struct search_doc {
    const char *string[SEARCH_DOC_STRINGS]; /* "" for what the item does not have */
    int dept, category;                     /* indices, -1 when unknown */
} search_doc;

/* The first 8 bytes of a token (fewer when it is shorter) as a number,
 * the first byte lowest:
 * with the length, the whole of most tokens (a CJK character or pair), so
 * that the tables compare tokens without reaching for their bytes. */
static inline uint64_t search_token_head(const char *token, size_t len)
{
    uint64_t head = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        head |= (uint64_t)(unsigned char)token[i] << (8 * i);
    return head;
}

/* Bytes that may be read past a token by search_token_head_padded. */
#define SEARCH_HEAD_PAD 8

/* search_token_head of a token followed by at least SEARCH_HEAD_PAD bytes
 * that may be read: one load. */
static inline uint64_t search_token_head_padded(const char *token, size_t len)
{
    uint64_t head;
    memcpy(&head, token, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    head = __builtin_bswap64(head);
#endif
    return len >= 8 ? head : head & ((1ULL << (8 * len)) - 1);
}

/* The hash the tables of tokens go by (the collector's, the index's), from
 * the token's head and the bytes after it, eight at a time: quicker than
 * search_token_hash, which only places a token in its shard. Never written
 * anywhere. */
static inline uint32_t search_token_key(const char *token, size_t len, uint64_t head)
{
    uint64_t h = (0x9e3779b97f4a7c15ULL ^ len ^ head) * 0xff51afd7ed558ccdULL, w;
    size_t i = 8;
    for (; i + 8 <= len; i += 8) {
        h ^= h >> 32;
        memcpy(&w, token + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
    }
    for (w = 0; i < len; i++)
        w = w << 8 | (unsigned char)token[i];
    h = (h ^ (h >> 32) ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Whether a token of a table (`bytes`, `len`, `head`) is this one. */
static inline int search_token_same(const char *bytes, uint32_t len, uint64_t head,
                                    const char *token, size_t token_len, uint64_t token_head)
{
    return len == token_len && head == token_head &&
           (len <= 8 || memcmp(bytes + 8, token + 8, len - 8) == 0);
}

/* One distinct token of an item and the fields it was found in. */
typedef struct search_entry_token {
    uint64_t head;     /* search_token_head of the bytes */
    uint32_t off, len; /* its bytes in the entry's `text` */
    uint32_t hash;     /* search_token_key of the bytes */
    uint8_t mask;      /* SEARCH_FIELD_* bits, OR over the item */
} search_entry_token;

/* One allocation: this struct, then the tokens, then the doc's strings one
 * after another from doc.string[0] (each NUL-terminated, `strings_len` bytes
 * in all: the index copies them as one block), then the token bytes. */
struct search_entry {
    search_doc doc;
    size_t strings_len;
    size_t token_count;
    const search_entry_token *tokens;
    const char *text;
    bool kept; /* search_index_kept_entry's stand-in: only the doc and summary */
};

/* The most bytes search_posting_write writes: a varint of 33 bits, a mask. */
#define SEARCH_POSTING_MAX 6

/* Write the posting of a doc `delta` after the previous one, with `mask`,
 * at p (room for SEARCH_POSTING_MAX bytes); returns the end. */
static inline unsigned char *search_posting_write(unsigned char *p, uint32_t delta, uint8_t mask)
{
    bool plain = mask == SEARCH_FIELD_BODY;
    uint64_t v = (uint64_t)delta << 1 | !plain;
    for (; v >= 0x80; v >>= 7)
        *p++ = (unsigned char)(v | 0x80);
    *p++ = (unsigned char)v;
    if (!plain)
        *p++ = mask;
    return p;
}

/* Append v as a LEB128 varint: the shards' and the cached entries' numbers. */
void search_varint_put(buf *b, uint64_t v);

/* Reading bytes that may be cut short or damaged (cached entries, kept
 * shards): the first thing that does not read makes it bad, and everything
 * after reads as nothing. */
typedef struct search_reader {
    const unsigned char *p, *end;
    bool bad;
} search_reader;

/* A varint no larger than `max`; bad otherwise, or when the bytes end. */
static inline uint64_t search_read_varint(search_reader *r, uint64_t max)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !r->bad && r->p < r->end && shift < 64; shift += 7) {
        unsigned char byte = *r->p++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80) && v <= max)
            return v;
        if (!(byte & 0x80))
            break;
    }
    r->bad = true;
    return 0;
}

/* The next `len` bytes, or NULL (and bad) when they are not all there. */
static inline const unsigned char *search_read_bytes(search_reader *r, size_t len)
{
    if (r->bad || (size_t)(r->end - r->p) < len) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *b = r->p;
    r->p += len;
    return b;
}

/* ---- the files, as search.c writes them and search_keep.c edits them ---- */

#define SEARCH_SHARD_MAGIC "GKS1"
#define SEARCH_SHARDS_MAX 4096

/* What a token weighs in choosing the number of shards. */
static inline uint64_t search_token_weight(size_t len, size_t postings)
{
    return (uint64_t)len + postings + 8;
}

/* The number of shards for tokens of `total` weight in all. */
size_t search_shard_count(uint64_t total);
/* A token's part of a shard: its bytes, its `count` postings[0..used). */
void search_shard_token_put(buf *b, const char *token, size_t len, size_t count,
                            const void *postings, size_t used);
/* A doc's record in d/<j>.json: [title, url, …]. */
void search_doc_put(buf *b, const search_doc *d);
/* index.json, for `docs` docs (their departments and categories) in `shards` shards. */
void search_manifest_put(buf *b, const site_config *cfg, const catalogue *cat, size_t docs,
                         size_t shards, const int *dept, const int *cat_of);

/* Tokens in the order of a shard: by their bytes, a prefix first. */
static inline int search_token_order(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* ---- editing the written files (search_keep_edit.c) ----------------------- */

/* A doc's token whose mask changed to `mask` (0: the doc has it no more). */
typedef struct search_change {
    const char *bytes; /* the token's, once all changes are noted */
    uint32_t off, len; /* where they are among the changes' tokens */
    uint32_t doc, shard;
    uint8_t mask;
} search_change;

/* A doc whose record, department or category changed. */
typedef struct search_doc_change {
    size_t doc;
    int dept, category;
    size_t off, len; /* its record, among the changed records */
} search_doc_change;

/* A doc of the written index that is gone (search_shard_edit.renumber),
 * or a doc new to it. */
#define SEARCH_DOC_GONE UINT32_MAX

/* A shard being edited: the index's docs as written and their numbers now
 * (a gone doc's postings are dropped), the docs whose previous tokens are
 * not known (numbered as now, sorted: their postings go from every token
 * no change gives them), and what the edit gave: the shard's token
 * records, their number, and how it changed the index's weight and number
 * of tokens. */
typedef struct search_shard_edit {
    size_t docs;
    const uint32_t *renumber; /* per doc, its number now (NULL: the same) */
    const uint32_t *unknown;
    size_t unknown_len;
    buf body;
    size_t count;
    int64_t weight, tokens;
    buf postings; /* scratch */
} search_shard_edit;

/* Edit the shard old[0..len) (as written) by the changes ch[0..n) (its
 * own, sorted by token, then doc). Returns false when old does not read as
 * a shard. */
bool search_shard_edit_run(search_shard_edit *e, const char *old, size_t len,
                           const search_change *ch, size_t n);
/* The shards in[0..n) (as written) cut into `shards` shards as a full build
 * cuts the same tokens: an array of `shards` bufs (allocated), or NULL when
 * one does not read as a shard. */
buf **search_shards_cut(buf *const *in, size_t n, size_t shards);
/* The `docs` records of the doc chunk data[0..len) as written, each
 * without the separator after it, into rec[0..docs). Returns whether it
 * reads so. */
typedef struct search_record {
    const char *bytes;
    size_t len;
} search_record;
bool search_chunk_records(const char *data, size_t len, size_t docs, search_record *rec);

/* The summaries of the `docs` records of the doc chunk data[0..len) into
 * summary[0..docs), their bytes in mem. Returns whether it reads so. */
bool search_chunk_summaries(const char *data, size_t len, size_t docs, const char **summary,
                            arena *mem, buf *scratch);

/* ---- the index kept from the previous build (search_keep.c) -------------- */

typedef struct search_keep search_keep;

/* A written file of the index: its size and hash64_block. */
typedef struct search_file {
    size_t size;
    uint64_t sum;
} search_file;

/* The previous build's index, for search_index_keep (kept or not). */
search_keep *search_keep_open(const char *file, const search_prev_doc *prev, size_t docs,
                              const output *out, const search_keep_io *io, size_t workers,
                              diag_list *diags);
void search_keep_free(search_keep *k);
/* search_index_kept_entry. */
search_entry *search_keep_entry(const search_keep *k, size_t doc);
/* Whether the previous index is kept: entries are taken, not added. */
bool search_keep_usable(const search_keep *k);
/* Whether e, added as doc `doc`, is taken into the kept index (what it
 * changes noted, for search_keep_write; a kept entry changes nothing):
 * then the index need not add it. */
bool search_keep_take(search_keep *k, size_t doc, const search_entry *e);
/* Write the kept index with the changes taken, for `docs` docs added, and
 * the manifest for the site's departments and categories.
 * Returns 0, -1 with a message in *err, or 1 when it cannot: the index is
 * then built whole (search_keep_replay, and written as a full build). */
int search_keep_write(search_keep *k, const site_config *cfg, const catalogue *cat, size_t docs,
                      output *out, search_stats *st, buf *err);
/* Add the entries of this build's `docs` docs to s, which holds none
 * (once search_keep_forget stopped the keeping). Returns 0, or -1 with a
 * message in *err. */
int search_keep_replay(search_keep *k, search_index *s, size_t docs, buf *err);
/* A full write is starting: the kept index is given up and its file,
 * stale from here on, removed. */
void search_keep_forget(search_keep *k);
/* What a full write wrote: shard or doc chunk `index`, data[0..len). */
void search_keep_note_file(search_keep *k, bool chunk, size_t index, const char *data, size_t len);
/* ... and of the docs and tokens, once all is written; takes dept and
 * category (per doc, allocated). */
void search_keep_note_index(search_keep *k, size_t docs, size_t shards, uint64_t total,
                            size_t tokens, int *dept, int *cat_of);
/* Save the index as written for the next build (search_index_save). */
int search_keep_save(search_keep *k, const uint64_t *sums, size_t docs, buf *err);

#endif
