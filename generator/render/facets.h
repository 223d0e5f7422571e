/* The catalogue's other ways in: the published items grouped by 主题词
 * (keyword) and by year, for the facet pages under /xxgk/ (the overview
 * /xxgk/fl/, a listing per keyword /xxgk/ztc/<slug>/ and per year
 * /xxgk/nd/<year>/). */
#ifndef GK_RENDER_FACETS_H
#define GK_RENDER_FACETS_H

#include "../catalogue/catalogue.h"
#include "../util/arena.h"

#include <stddef.h>

typedef struct facet_group {
    const char *label; /* the keyword, or the year as digits */
    const char *url;   /* its listing's site path */
    size_t *items;     /* catalogue item indices, in the order given */
    size_t count;
} facet_group;

typedef struct facet_set {
    arena mem;
    facet_group *keywords; /* most items first, then by label */
    size_t keyword_count;
    facet_group *years; /* newest first */
    size_t year_count;
} facet_set;

/* Group the catalogue items published[0..n) (newest first: each group keeps
 * that order). Keywords are compared as written, after trimming blanks. */
void facets_build(facet_set *f, const catalogue *cat, const size_t *published, size_t n);
void facets_free(facet_set *f);

/* The URL segment for a keyword: itself when it is made of letters and
 * digits only (预算, 三公经费), otherwise "x-" and the hex of its UTF-8 bytes,
 * so that no keyword can make a path that is unsafe or ambiguous. */
void facets_slug(const char *keyword, buf *out);

#endif
