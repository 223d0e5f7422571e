/* Where a key of an item's front matter was written. Items do not keep
 * their front matter tree: only the checks ever looked at it, for a
 * warning's position, while every build paid for its memory and every
 * rebuild for restoring it from the text store. So a check that has a
 * warning to give asks here: the item's text is split and parsed again into
 * an arena of this call's own, which keeps it safe on several threads. */
#include "content.h"

#include <string.h>

bool content_item_where(const content_item *it, const char *key, int *line, int *col)
{
    arena tmp;
    arena_init(&tmp);
    content_frontmatter fm;
    value *front;
    content_error err;
    const value_entry *e = NULL;
    if (content_frontmatter_split(&tmp, it->text, it->text_len, &fm) == 0 &&
        content_frontmatter_parse(&tmp, &fm, &front, &err) == 0)
        e = value_table_find(front, key, strlen(key));
    if (e) {
        *line = e->val->line;
        *col = e->val->col;
    }
    arena_free(&tmp);
    return e != NULL;
}
