/* An item's search entry as bytes, for the build cache (cache.h): a rebuild
 * gives the index the entry of an item whose pages it keeps, and the
 * listings its summary, without parsing and folding the item again. The
 * bytes hold lengths, never pointers, so they read back wherever they were
 * stored. Varints are LEB128:
 *   varint number of tokens, varint dept + 1, varint category + 1,
 *   the doc's strings in SEARCH_DOC_* order (varint length, the bytes),
 *   per token: varint length, one byte of SEARCH_FIELD_* bits, the bytes.
 * A token's hash and head are not stored: they are quicker to compute again
 * than to read. */
#include "search_internal.h"

#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The fields a mask may hold. */
#define SEARCH_FIELDS_ALL 63

void search_entry_write(const search_entry *e, buf *out)
{
    search_varint_put(out, e->token_count);
    search_varint_put(out, (uint64_t)(e->doc.dept + 1));
    search_varint_put(out, (uint64_t)(e->doc.category + 1));
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        size_t len = strlen(e->doc.string[k]);
        search_varint_put(out, len);
        buf_put(out, e->doc.string[k], len);
    }
    for (size_t i = 0; i < e->token_count; i++) {
        const search_entry_token *t = &e->tokens[i];
        search_varint_put(out, t->len);
        buf_putc(out, (char)t->mask);
        buf_put(out, e->text + t->off, t->len);
    }
}

/* ---- reading ----------------------------------------------------------- */

search_entry *search_entry_read(const void *data, size_t len)
{
    search_reader r = {data, (const unsigned char *)data + len, false};
    /* A token takes three bytes at least: that bounds what is allocated
     * before the bytes are trusted any further. */
    size_t count = (size_t)search_read_varint(&r, len / 3);
    int dept = (int)search_read_varint(&r, INT32_MAX) - 1;
    int cat = (int)search_read_varint(&r, INT32_MAX) - 1;
    if (r.bad)
        return NULL;
    /* The strings first, into the entry NUL-terminated; the tokens' part of
     * the bytes is then copied whole, and the tokens point into the copy. */
    const unsigned char *string[SEARCH_DOC_STRINGS];
    size_t string_len[SEARCH_DOC_STRINGS], strings_len = 0;
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        string_len[k] = (size_t)search_read_varint(&r, len);
        string[k] = search_read_bytes(&r, string_len[k]);
        if (!string[k] || memchr(string[k], '\0', string_len[k]))
            return NULL;
        strings_len += string_len[k] + 1;
    }
    size_t tokens_size = count * sizeof(search_entry_token);
    size_t text_len = (size_t)(r.end - r.p);
    search_entry *e = xmalloc(sizeof *e + tokens_size + strings_len + text_len + SEARCH_HEAD_PAD);
    search_entry_token *tokens = (search_entry_token *)(e + 1);
    char *at = (char *)tokens + tokens_size;
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        e->doc.string[k] = at;
        memcpy(at, string[k], string_len[k]);
        at[string_len[k]] = '\0';
        at += string_len[k] + 1;
    }
    char *text = at;
    memcpy(text, r.p, text_len);
    memset(text + text_len, 0, SEARCH_HEAD_PAD);

    const unsigned char *p = (const unsigned char *)text, *end = p + text_len;
    size_t i = 0;
    for (; i < count; i++) {
        size_t n;
        if (p < end && *p < 0x80) { /* the length in one byte, as almost always */
            n = *p++;
        } else {
            search_reader t = {p, end, false};
            n = (size_t)search_read_varint(&t, len);
            if (t.bad)
                break;
            p = t.p;
        }
        if (n == 0 || (size_t)(end - p) < n + 1 || p[0] == 0 || p[0] > SEARCH_FIELDS_ALL)
            break;
        const char *bytes = (const char *)p + 1;
        uint64_t head = search_token_head_padded(bytes, n);
        tokens[i] = (search_entry_token){head, (uint32_t)(bytes - text), (uint32_t)n,
                                         search_token_key(bytes, n, head), p[0]};
        p += n + 1;
    }
    if (i != count || p != end) {
        free(e);
        return NULL;
    }
    e->doc.dept = dept;
    e->doc.category = cat;
    e->strings_len = strings_len;
    e->token_count = count;
    e->tokens = tokens;
    e->text = text;
    e->kept = false;
    return e;
}

const char *search_entry_summary(const search_entry *e)
{
    return e->doc.string[SEARCH_DOC_SUMMARY];
}
