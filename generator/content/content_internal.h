/* Shared between the files of the content stage, not used outside it. */
#ifndef GK_CONTENT_INTERNAL_H
#define GK_CONTENT_INTERNAL_H

#include "content.h"

/* Split, parse and check the file at `path` (from the site root, under
 * content/) whose text, already known to be non-empty UTF-8, lives in mem,
 * into *it. Returns 1 for an item without errors, 0 for one with errors
 * (it->ok false; they are in diags), -1 when its front matter could not be
 * read and there is no item. */
int content_item_read(arena *mem, const site_config *cfg, const char *path, const char *text,
                      size_t len, diag_list *diags, content_item *it);

#endif
