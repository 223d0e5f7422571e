/* Which of a list of strings (paths) a string is, by hash: one hash
 * and, mostly, one comparison per question, where a binary search of a
 * sorted list compares some fifteen times at ten thousand items. */
#ifndef GK_UTIL_PATH_INDEX_H
#define GK_UTIL_PATH_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct path_index {
    const char *const *paths; /* not owned */
    uint32_t *slot;           /* open addressing: position + 1, 0 for none */
    size_t mask;
} path_index;

/* Index paths[0..n) (n below 2^31); of equal paths, the first is found. */
void path_index_build(path_index *x, const char *const *paths, size_t n);
/* The position of `path` in the list, or -1 when it is none of them. */
long path_index_find(const path_index *x, const char *path);
void path_index_free(path_index *x);

#endif
