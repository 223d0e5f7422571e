/* Shared between the files of the content stage, not used outside it. */
#ifndef GK_CONTENT_INTERNAL_H
#define GK_CONTENT_INTERNAL_H

#include "content.h"

#include <sys/stat.h>

/* Split, parse and check the file at `path` (from the site root, under
 * content/) whose text, already known to be non-empty UTF-8, lives in mem
 * (or in the text store) and hashes to `hash` (hash64_block), into *it. Returns 1 for an item
 * without errors, 0 for one with errors (it->ok false; they are in diags), -1 when its front matter
 * could not be read and there is no item. */
int content_item_read(arena *mem, const site_config *cfg, const char *path, const char *text,
                      size_t len, uint64_t hash, diag_list *diags, content_item *it);

/* What of a file's stat data tells that it is unchanged (as git's index). */
typedef struct content_stat {
    uint64_t dev, ino, size;
    int64_t mtime, ctime; /* in ns */
    uint64_t mode;
} content_stat;

void content_stat_take(content_stat *s, const struct stat *st);

/* The stored text of the file at `path` (from the site root) whose stat
 * data is *st, when the store has it and its bytes check out: its length is
 * st->size, a NUL follows it and *hash is its hash64_block. NULL otherwise.
 * Safe on several threads at once. */
const char *content_keep_text(const content_keep *k, const char *path, const content_stat *st,
                              uint64_t *hash);
/* The store's mapping becomes set's, to live as long as its items. */
void content_keep_hand_over(content_keep *k, content_set *set);
/* A text of this load that the store may keep: of an item read without a
 * diagnostic, path and text living as long as the set. In walk order. */
void content_keep_found(content_keep *k, const char *path, const content_stat *st, const char *text,
                        size_t len, uint64_t hash);

#endif
