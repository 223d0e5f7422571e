/* Shared between the files of the content stage, not used outside it. */
#ifndef GK_CONTENT_INTERNAL_H
#define GK_CONTENT_INTERNAL_H

#include "content.h"

/* Split, parse and check the file at `path` (from the site root, under
 * content/) whose text, already known to be non-empty UTF-8, lives in
 * set->mem; append the item unless its front matter could not be read.
 * Returns 0, or -1 when an error was added to diags. */
int content_item_add(content_set *set, const site_config *cfg, const char *path, const char *text,
                     size_t len, diag_list *diags);

#endif
