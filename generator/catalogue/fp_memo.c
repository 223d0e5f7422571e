/* The items' body fingerprints (lock.c) kept across runs. A fingerprint is
 * an FNV hash that reads every byte of a body one multiply after another,
 * whereas the content stage has hashed every file's text already, as it
 * read it (text_hash): a body is known by that hash and where in the text
 * it lies (fp_memo_key), and a record maps that key to the fingerprint the
 * body gave, whatever file it was in, so that an item moved, or back as it
 * was, is a known one too. Titles are short: their fingerprints cost less
 * than a key would. The records are a memo_map (util/memo.h: how the file
 * is read, checked and written). */
#include "catalogue_internal.h"

#include "../util/hash.h"

#define FP_MAGIC "gongkai-fingerprints/1"

memo_map *fp_memo_open(const char *path)
{
    return memo_map_open(path, FP_MAGIC);
}

bool fp_memo_key(const content_item *it, uint64_t *key)
{
    uintptr_t text = (uintptr_t)it->text, body = (uintptr_t)it->body;
    if (!text || !body || body < text || body - text > it->text_len ||
        it->body_len > it->text_len - (body - text))
        return false;
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)it->text_hash);
    h = hash64_int(h, (int64_t)it->text_len);
    h = hash64_int(h, (int64_t)(body - text));
    *key = hash64_int(h, (int64_t)it->body_len);
    return true;
}
