/* Shared between the collector (search_collect.c), which makes an entry per
 * item on any thread, and the index (search.c), which adds entries in doc
 * order and writes them. */
#ifndef GK_RENDER_SEARCH_INTERNAL_H
#define GK_RENDER_SEARCH_INTERNAL_H

#include "search.h"

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
};

/* Append v as a LEB128 varint: the shards' and the cached entries' numbers. */
void search_varint_put(buf *b, uint64_t v);

#endif
