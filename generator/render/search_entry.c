/* An item's search entry as bytes, for the build cache (cache.h): a rebuild
 * gives the index the entry of an item whose pages it keeps, and the
 * listings its summary, without parsing and folding the item again. The
 * bytes hold lengths, never pointers, so they read back wherever they were
 * stored. Varints are LEB128:
 *   varint number of tokens, varint dept + 1, varint category + 1,
 *   the doc's strings in SEARCH_DOC_* order (varint length, the bytes),
 *   per token: varint length, one byte of SEARCH_FIELD_* bits, the bytes.
 * A token's hash is not stored: it is quicker to compute again than to read. */
#include "search_internal.h"

#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The fields a mask may hold. */
#define SEARCH_FIELDS_ALL 63

static void entry_put_varint(buf *b, uint64_t v)
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

void search_entry_write(const search_entry *e, buf *out)
{
    entry_put_varint(out, e->token_count);
    entry_put_varint(out, (uint64_t)(e->doc.dept + 1));
    entry_put_varint(out, (uint64_t)(e->doc.category + 1));
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        size_t len = strlen(e->doc.string[k]);
        entry_put_varint(out, len);
        buf_put(out, e->doc.string[k], len);
    }
    for (size_t i = 0; i < e->token_count; i++) {
        const search_entry_token *t = &e->tokens[i];
        entry_put_varint(out, t->len);
        buf_putc(out, (char)t->mask);
        buf_put(out, e->text + t->off, t->len);
    }
}

/* ---- reading ----------------------------------------------------------- */

typedef struct entry_reader {
    const unsigned char *p, *end;
    bool bad;
} entry_reader;

/* A varint no larger than `max`; bad otherwise, or when the bytes end. */
static uint64_t entry_varint(entry_reader *r, uint64_t max)
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
static const unsigned char *entry_bytes(entry_reader *r, size_t len)
{
    if (r->bad || (size_t)(r->end - r->p) < len) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *b = r->p;
    r->p += len;
    return b;
}

search_entry *search_entry_read(const void *data, size_t len)
{
    entry_reader r = {data, (const unsigned char *)data + len, false};
    /* A token takes three bytes at least: that bounds what is allocated
     * before the bytes are trusted any further. */
    size_t count = (size_t)entry_varint(&r, len / 3);
    int dept = (int)entry_varint(&r, INT32_MAX) - 1;
    int cat = (int)entry_varint(&r, INT32_MAX) - 1;
    if (r.bad)
        return NULL;
    /* Strings and token bytes together are fewer than `len` (each comes
     * after a length byte, which makes room for a string's NUL). */
    size_t tokens_size = count * sizeof(search_entry_token);
    search_entry *e = xmalloc(sizeof *e + tokens_size + len);
    search_entry_token *tokens = (search_entry_token *)(e + 1);
    char *strings = (char *)tokens + tokens_size, *at = strings;
    for (int k = 0; k < SEARCH_DOC_STRINGS && !r.bad; k++) {
        size_t n = (size_t)entry_varint(&r, len);
        const unsigned char *bytes = entry_bytes(&r, n);
        if (!bytes || memchr(bytes, '\0', n)) {
            r.bad = true;
            break;
        }
        e->doc.string[k] = at;
        memcpy(at, bytes, n);
        at[n] = '\0';
        at += n + 1;
    }
    e->strings_len = (size_t)(at - strings);
    char *text = at;
    size_t text_len = 0;
    for (size_t i = 0; i < count && !r.bad; i++) {
        size_t n = (size_t)entry_varint(&r, len);
        const unsigned char *mask = entry_bytes(&r, 1);
        const unsigned char *bytes = entry_bytes(&r, n);
        if (!bytes || n == 0 || *mask == 0 || *mask > SEARCH_FIELDS_ALL) {
            r.bad = true;
            break;
        }
        memcpy(text + text_len, bytes, n);
        tokens[i] = (search_entry_token){(uint32_t)text_len, (uint32_t)n,
                                         (uint32_t)search_token_hash(text + text_len, n), *mask};
        text_len += n;
    }
    if (r.bad || r.p != r.end) {
        free(e);
        return NULL;
    }
    e->doc.dept = dept;
    e->doc.category = cat;
    e->token_count = count;
    e->tokens = tokens;
    e->text = text;
    return e;
}

const char *search_entry_summary(const search_entry *e)
{
    return e->doc.string[SEARCH_DOC_SUMMARY];
}
