/* Shared by the link and raw-HTML checks: a string map, and the set of site
 * paths a build writes. */
#ifndef GK_CHECK_LINKS_INTERNAL_H
#define GK_CHECK_LINKS_INTERNAL_H

#include "check_internal.h"

#include <stdint.h>

typedef struct check_map_slot {
    const char *key; /* in the run's arena */
    long value;
} check_map_slot;

/* Open addressing, keys compared as strings; the first value put stays. */
typedef struct check_map {
    check_map_slot *slots;
    size_t cap, len;
} check_map;

void check_map_put(check_ctx *c, check_map *m, const char *key, long v);
const check_map_slot *check_map_get(const check_map *m, const char *key);
void check_map_free(check_map *m);

/* Whether the catalogue item gets a page in this build. */
bool check_item_on_site(const check_ctx *c, const catalogue_item *ci);
/* Every site path the build writes, except the theme's static files. Needs
 * naming.lua and resolved items. Returns 0, or -1 after naming.lua failed. */
int check_urlset_build(check_ctx *c, check_map *m);

/* Raw HTML in a body: report what the site does not allow (GK207). `lit` is
 * the HTML node's text, starting at the given body position. */
void check_html_node(check_ctx *c, const content_item *it, const char *lit, int line_in_body,
                     int byte_col);

#endif
