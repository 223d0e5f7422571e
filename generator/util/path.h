/* Paths as links name them: relative paths joined onto a folder. */
#ifndef GK_UTIL_PATH_H
#define GK_UTIL_PATH_H

#include "buf.h"

#include <stddef.h>

/* Set *out to the folder `base` (no trailing slash) joined with `rel`,
 * resolving "." and ".." segments; a trailing slash of rel stays. Returns -1
 * when ".." would climb above the first `floor` bytes of base. */
int path_join(buf *out, const char *base, const char *rel, size_t floor);

#endif
