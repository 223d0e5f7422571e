/* Site search that works on a static host: at build time, an inverted index
 * of every published item, cut into shards so that a query downloads only the
 * shards of its own tokens; the search page's JavaScript
 * (themes/default/static/js/search.js) reads them.
 *
 * Text is folded before it is cut into tokens: Unicode NFKC (full-width
 * letters and digits become ASCII, the ideographic space a space, ㈠ "(一)"),
 * then lower case. Tokens are
 *   - every CJK character alone, and every two neighbouring CJK characters
 *     (Chinese has no spaces: a query of two or more characters is looked up
 *     as its bigrams, a one-character query as that character);
 *   - every run of other letters, digits and marks, as one word (so
 *     〔2012〕21号 gives 2012, 21 and 号), cut to SEARCH_WORD_MAX code points.
 * The browser folds and cuts a query by the same rules.
 *
 * The files, under /search/ of the site:
 *   index.json   {"version":1, "docs":N, "shards":S, "chunk":C,
 *                 "departments":[[id,name],…], "categories":[[key,name,parent],…],
 *                 "dept":[per doc], "cat":[per doc]}  (indices into those lists)
 *   s/<k>.bin    shard k: the tokens whose FNV-1a 32-bit hash of their UTF-8
 *                bytes is k modulo S. "GKS1", then a varint count of tokens,
 *                then per token, sorted by bytes: varint length, the bytes,
 *                varint number of postings, varint length of the postings,
 *                the postings. A posting is varint (delta << 1 | has_mask),
 *                then one mask byte when has_mask (else the mask is
 *                SEARCH_FIELD_BODY); delta is the doc number minus the
 *                previous posting's (the first: the doc number itself).
 *   d/<j>.json   docs j*C … j*C+C-1: [[title, url, date, doc_number, index_no,
 *                summary], …], "" for what an item does not have.
 * Doc numbers follow the order the items were added: newest first, so a
 * lower number is a more recent item. Varints are LEB128. */
#ifndef GK_RENDER_SEARCH_H
#define GK_RENDER_SEARCH_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../util/buf.h"
#include "../util/diag.h"
#include "output.h"

#include <cmark-gfm.h>
#include <lua.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a token was found in an item: the bits of a posting's mask. */
enum {
    SEARCH_FIELD_TITLE = 1,
    SEARCH_FIELD_DOC_NUMBER = 2, /* 文号 */
    SEARCH_FIELD_INDEX_NO = 4,   /* 索引号 */
    SEARCH_FIELD_KEYWORDS = 8,   /* 主题词 */
    SEARCH_FIELD_DEPARTMENT = 16,
    SEARCH_FIELD_BODY = 32,
};

/* Words longer than this many code points are cut (the browser does the same). */
#define SEARCH_WORD_MAX 32
/* Docs per d/<j>.json file. */
#define SEARCH_CHUNK 32

/* Fold text[0..len) (UTF-8) for matching, appending to out: NFKC, then lower
 * case. Returns 0, or -1 when the text is not valid UTF-8 (nothing appended). */
int search_fold(const char *text, size_t len, buf *out);

/* Call fn for every index token of folded text, in text order: for a run of
 * CJK characters each character and then each pair, for other runs the word. */
typedef void (*search_token_fn)(const char *token, size_t len, void *ctx);
void search_tokens(const char *folded, size_t len, search_token_fn fn, void *ctx);

/* The FNV-1a 32-bit hash that places a token in its shard. */
unsigned long search_token_hash(const char *token, size_t len);

/* Building the index takes two steps, so that items can be rendered on
 * several threads while their doc numbers stay in the site's order: a
 * collector per thread turns an item into an entry (its doc record and its
 * distinct tokens, each with the OR of the fields it was found in: all the
 * folding and cutting), and the one index adds the entries in doc order
 * (a table insert and a posting per distinct token). */
typedef struct search_entry search_entry;
typedef struct search_collector search_collector;

/* A collector for the site's departments and categories; its scratch memory
 * is reused from item to item. */
search_collector *search_collector_new(const site_config *cfg, const catalogue *cat);
void search_collector_free(search_collector *c);

/* The entry of the item whose item table (see templates/README.md) is at
 * index `item` of L's stack, with its parsed body (NULL: none to index, as
 * for 依申请公开). Reads only L, the body and the collector (cfg and cat
 * read-only), so several threads may collect at once, each with its own
 * collector and Lua state. The stack is left as it was. */
search_entry *search_collect(search_collector *c, lua_State *L, int item, cmark_node *body);

/* Free an entry that will not be added (a build that failed). */
void search_entry_free(search_entry *e);

/* An entry as bytes that read back anywhere (search_entry.c), for the build
 * cache: appended to `out`. */
void search_entry_write(const search_entry *e, buf *out);
/* The entry that data[0..len) holds; NULL when the bytes are not an entry
 * as search_entry_write writes it (cut short, too long, a length or a mask
 * out of range). */
search_entry *search_entry_read(const void *data, size_t len);
/* The summary the entry's doc shows ("" for none). */
const char *search_entry_summary(const search_entry *e);

typedef struct search_index search_index;

/* An empty index for the site's departments and categories. */
search_index *search_index_new(const site_config *cfg, const catalogue *cat);
void search_index_free(search_index *s);

/* Add an entry as the next doc and free it. Docs are numbered 0, 1, 2… in
 * the order they are added: add the newest first. The written index does
 * not depend on which collector made an entry. */
void search_index_add(search_index *s, search_entry *e);

/* What search_index_write wrote. */
typedef struct search_stats {
    size_t docs, tokens, shards;
    size_t shard_bytes, largest_shard; /* all shards together, and the largest */
    size_t manifest_bytes, doc_bytes;  /* index.json, all d/<j>.json */
} search_stats;

/* Write the index under /search/ of the output tree. The number of shards
 * grows with the index so that a shard stays near SEARCH_SHARD_TARGET bytes.
 * Sorts the tokens: nothing is added after it. Returns 0, or -1 with a
 * message in *err. */
#define SEARCH_SHARD_TARGET (32 * 1024)
int search_index_write(search_index *s, output *out, search_stats *stats, buf *err);
/* Free the written index's tables, keeping only what search_index_save
 * needs: the memory goes to the listing pages rendered after it. */
void search_index_release(search_index *s);

/* Keeping the index from build to build (search_keep.c). A rebuild where
 * few items changed need not add every item's entry and write every shard:
 * the build cache keeps, beside the entries, what the index was written
 * from (each doc's entry checksum, department and category, and the size
 * and checksum of every file it wrote). When the previous build's entries
 * of this build's docs are, in order, those the index was written from
 * (docs new to it and docs gone from it aside), the index takes
 * search_index_kept_entry as a doc's entry unchanged (its summary read from
 * the site's doc files, all found as written), works out at once what an
 * entry collected anew changes (the tokens whose mask differs, the doc
 * record; all of a new doc's), and writes only the shards and doc files
 * that change, editing the previous ones read back from the site (and found
 * as written); the rest of the site's index stays as it is (a new number of
 * shards cuts all the shards anew from the previous ones, a doc come or gone
 * renumbers the docs after it in every shard and doc chunk).
 * What cannot be done so (a file the edit needs changed or gone behind the
 * build's back) makes the index whole again from this build's entries, as a
 * build without the kept index does: the index is the same either way.
 *
 * The file: "GKSEARCH1", the gongkai version, then docs, shards, total
 * weight and tokens; per doc its entry's checksum (hex), department + 1 and
 * category + 1; per shard and per doc chunk its size and checksum (hex);
 * then the checksum of all before. Every field ends with a NUL. A file that
 * does not read so is ignored with a warning (GK403). */
typedef struct search_keep_io {
    /* The bytes of the previous build's entry of doc `doc` (the one the
     * kept index holds) into *out: 0, or -1 when it cannot be read. */
    int (*prev_entry)(void *ctx, size_t doc, buf *out);
    /* The bytes of this build's entry of doc `doc`, once all are added. */
    int (*entry)(void *ctx, size_t doc, buf *out);
    void *ctx;
} search_keep_io;

/* What the previous build knew of one of this build's docs: the checksum
 * of the entry it had, when it had one. */
typedef struct search_prev_doc {
    uint64_t sum;
    bool had; /* false: a doc new to the index (or whose entry is lost) */
} search_prev_doc;

/* Before any entry is added: keep the index saved in `file` when the docs
 * it holds are, in order, those of prev[0..docs) that had an entry (prev
 * NULL: nothing is kept) and the previous site is at `out`'s target; its
 * doc files are read on `workers` threads. Docs new to the index, and docs
 * of the index that are gone, renumber those after them: then every shard
 * and every doc chunk from the first such doc on is written anew from the
 * previous ones (the postings of the gone docs dropped), still without
 * adding the entries of the docs kept. Fewer docs kept than new ones make
 * the index whole, which costs less then. The file is removed once the
 * index starts to change, so that a build stopped before
 * search_index_save leaves none. */
void search_index_keep(search_index *s, const char *file, const search_prev_doc *prev, size_t docs,
                       const output *out, const search_keep_io *io, size_t workers,
                       diag_list *diags);
/* The stand-in for doc `doc`'s previous entry when the index keeps it (and
 * NULL when it does not, or the doc is new to it): the doc's summary as
 * the kept index has it, and nothing else. Adding it as that doc says the
 * doc's entry is the previous build's; so an item that is not rendered
 * again need not read its entry back. Any thread may ask at once. */
search_entry *search_index_kept_entry(search_index *s, size_t doc);
/* After search_index_write and the build cache's records: save what the
 * next build needs to keep the index, sums[0..docs) being this build's
 * entries' checksums. Returns 0, or -1 with a message in *err. */
int search_index_save(search_index *s, const uint64_t *sums, size_t docs, buf *err);

#endif
