#include "path_index.h"

#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void path_index_build(path_index *x, const char *const *paths, size_t n)
{
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    x->paths = paths;
    x->mask = size - 1;
    x->slot = xcalloc(size, sizeof *x->slot);
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)hash64_str(HASH64_INIT, paths[i]) & x->mask;
        while (x->slot[s] && strcmp(paths[x->slot[s] - 1], paths[i]) != 0)
            s = (s + 1) & x->mask;
        if (!x->slot[s])
            x->slot[s] = (uint32_t)i + 1;
    }
}

long path_index_find(const path_index *x, const char *path)
{
    for (size_t s = (size_t)hash64_str(HASH64_INIT, path) & x->mask; x->slot[s];
         s = (s + 1) & x->mask)
        if (strcmp(x->paths[x->slot[s] - 1], path) == 0)
            return (long)x->slot[s] - 1;
    return -1;
}

void path_index_free(path_index *x)
{
    free(x->slot);
    x->slot = NULL;
}
