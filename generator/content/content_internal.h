/* Shared between the files of the content stage, not used outside it. */
#ifndef GK_CONTENT_INTERNAL_H
#define GK_CONTENT_INTERNAL_H

#include "content.h"

#include "../util/buf.h"

#include <sys/stat.h>

/* Split, parse and check the file at `path` (from the site root, under
 * content/) whose text, already known to be non-empty UTF-8, lives in mem
 * (or in the text store) and hashes to `hash` (hash64_block), into *it. Returns 1 for an item
 * without errors, 0 for one with errors (it->ok false; they are in diags), -1 when its front matter
 * could not be read and there is no item. */
int content_item_read(arena *mem, const site_config *cfg, const char *path, const char *text,
                      size_t len, uint64_t hash, diag_list *diags, content_item *it);

/* Set the item's path, rel and slug from its path from the site root. */
void content_item_names(arena *mem, content_item *it, const char *path);

/* Append to out what content_item_read made of a file (parsed.c): an item
 * without errors read under cfg. Returns false, out untouched or not, for
 * an item it cannot write (one with errors). */
bool content_parsed_put(buf *out, const site_config *cfg, const content_item *it);
/* The item written so in data[0..data_len), under the same cfg, of the file
 * at `path` whose text is text[0..len) (hash: its hash64_block) into *it:
 * what content_item_read would make of it. Its strings point into data,
 * which must live as long as the item. False when data is not such a
 * record (then *it is not an item). */
bool content_parsed_get(arena *mem, const site_config *cfg, const char *path, const char *text,
                        size_t len, uint64_t hash, const char *data, size_t data_len,
                        content_item *it);

/* A file as the store has it: its text (a NUL after it) and the text's
 * hash64_block, and the parse of its item (content_parsed_put's bytes)
 * when one was stored under this program and site.toml, else NULL. */
typedef struct content_kept {
    const char *text;
    uint64_t hash;
    const char *parsed;
    size_t parsed_len;
    uint64_t parsed_hash; /* hash64_block of the parse */
} content_kept;

/* The site.toml the load parses under (before any content_keep_take): a
 * stored parse made under another is not given, and the parses of this
 * load are stored as this one's. */
void content_keep_site(content_keep *k, const site_config *cfg);
/* The file at `path` (from the site root) whose stat data is *st, when the
 * store has it and its bytes check out: its text's length is st->size, a
 * NUL follows it and it hashes to its recorded hash (and so does the parse,
 * else none is given). Safe on several threads at once. */
bool content_keep_take(const content_keep *k, const char *path, const content_stat *st,
                       content_kept *out);
/* The store's mapping becomes set's, to live as long as its items. */
void content_keep_hand_over(content_keep *k, content_set *set);
/* A file of this load that the store may keep: an item read without a
 * diagnostic, its text st->size bytes, with its parse (not NULL) made under
 * the site given to content_keep_site; all living as long as the set. In
 * walk order. */
void content_keep_found(content_keep *k, const char *path, const content_stat *st,
                        const content_kept *kept);

#endif
