/* Shared between the collector (search_collect.c), which makes an entry per
 * item on any thread, and the index (search.c), which adds entries in doc
 * order and writes them. */
#ifndef GK_RENDER_SEARCH_INTERNAL_H
#define GK_RENDER_SEARCH_INTERNAL_H

#include "search.h"

#include <stdint.h>

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

/* One distinct token of an item and the fields it was found in. */
typedef struct search_entry_token {
    uint32_t off, len; /* its bytes in the entry's `text` */
    uint32_t hash;     /* search_token_hash of the bytes */
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

#endif
