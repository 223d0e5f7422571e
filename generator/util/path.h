/* Paths as links name them: relative paths joined onto a folder. */
#ifndef GK_UTIL_PATH_H
#define GK_UTIL_PATH_H

#include "buf.h"

#include <stddef.h>

/* Set *out to the folder `base` (no trailing slash) joined with `rel`,
 * resolving "." and ".." segments; a trailing slash of rel stays. Returns -1
 * when ".." would climb above the first `floor` bytes of base. */
int path_join(buf *out, const char *base, const char *rel, size_t floor);

/* mkdir -p: `dir` and the folders above it. Returns 0, or -1 with errno. */
int path_mkdirs(const char *dir);
/* rm -rf without following links out of the tree. Returns 0 (also when
 * nothing was there), or -1 with errno. */
int path_remove_tree(const char *path);

#endif
