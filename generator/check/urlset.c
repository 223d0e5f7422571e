/* The set of site paths a build writes, for the link check: the pages that
 * render/site.c renders (templates/README.md lists them), with the URLs
 * naming.lua gives, plus the theme's static files, looked up on disk. */
#include "links_internal.h"

#include "../util/buf.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t urlset_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

void check_map_put(check_ctx *c, check_map *m, const char *key, long v)
{
    if ((m->len + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        check_map_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].key)
                continue;
            size_t k = urlset_hash(m->slots[i].key) & (cap - 1);
            while (slots[k].key)
                k = (k + 1) & (cap - 1);
            slots[k] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t k = urlset_hash(key) & (m->cap - 1);
    while (m->slots[k].key) {
        if (strcmp(m->slots[k].key, key) == 0)
            return;
        k = (k + 1) & (m->cap - 1);
    }
    m->slots[k].key = arena_strdup(&c->mem, key);
    m->slots[k].value = v;
    m->len++;
}

const check_map_slot *check_map_get(const check_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t k = urlset_hash(key) & (m->cap - 1);
    while (m->slots[k].key) {
        if (strcmp(m->slots[k].key, key) == 0)
            return &m->slots[k];
        k = (k + 1) & (m->cap - 1);
    }
    return NULL;
}

void check_map_free(check_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* A listing and its further pages: base/, base/page/2/, ... */
static void urlset_listing(check_ctx *c, check_map *m, const char *base, size_t items)
{
    check_map_put(c, m, base, 0);
    size_t size = c->cfg->page_size > 0 ? (size_t)c->cfg->page_size : 20;
    size_t pages = items ? (items + size - 1) / size : 1;
    for (size_t p = 2; p <= pages; p++)
        check_map_put(c, m, arena_printf(&c->mem, "%spage/%zu/", base, p), 0);
}

bool check_item_on_site(const check_ctx *c, const catalogue_item *ci)
{
    return ci && ci->item->ok && ci->category && ci->index_no && ci->url &&
           check_item_published(c, ci->item);
}

int check_urlset_build(check_ctx *c, check_map *m)
{
    const catalogue *cat = c->cat;
    static const char *const fixed[] = {"/", "/xxgk/", "/404.html", "/feed.xml", "/sitemap.xml"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_map_put(c, m, fixed[i], 0);
    /* Items per category, and per department and category (sub-site
     * listings exist for the categories a unit has items in). */
    size_t ncat = cat->count, ndept = c->cfg->department_count;
    size_t *per_cat = xcalloc(ncat + 1, sizeof *per_cat);
    size_t *per_dept = xcalloc(ndept * ncat + 1, sizeof *per_dept);
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        if (!check_item_on_site(c, ci))
            continue;
        check_map_put(c, m, ci->url, 0);
        check_map_put(c, m, arena_printf(&c->mem, "%sprint/", ci->url), 0);
        for (size_t a = 0; a < ci->item->attachments.len; a++)
            check_map_put(c, m,
                          arena_printf(&c->mem, "%s%s", ci->url, ci->item->attachments.v[a].s), 0);
        for (size_t a = 0; a < ci->alias_count; a++)
            check_map_put(c, m, ci->aliases[a], 0);
        size_t d = (size_t)(ci->item->dept - c->cfg->departments);
        for (int k = (int)(ci->category - cat->categories); k >= 0; k = cat->categories[k].parent) {
            per_cat[k]++;
            per_dept[d * ncat + (size_t)k]++;
        }
    }
    for (size_t w = 0; w < cat->withdrawn_count; w++) {
        check_map_put(c, m, cat->withdrawn[w].url, 0);
        for (size_t a = 0; a < cat->withdrawn[w].alias_count; a++)
            check_map_put(c, m, cat->withdrawn[w].aliases[a], 0);
    }
    int rc = 0;
    const char *url;
    for (size_t k = 0; k < cat->count && rc == 0; k++) {
        rc = naming_category_url(c->names, &c->mem, cat->categories[k].key, &url);
        if (rc == 0)
            urlset_listing(c, m, url, per_cat[k]);
    }
    for (size_t d = 0; d < ndept && rc == 0; d++) {
        const department *dept = &c->cfg->departments[d];
        rc = naming_department_url(c->names, &c->mem, dept->id, &url);
        if (rc != 0)
            break;
        check_map_put(c, m, url, 0);
        check_map_put(c, m, arena_printf(&c->mem, "%sfeed.xml", url), 0);
        for (size_t k = 0; k < ncat && rc == 0; k++) {
            size_t n = per_dept[d * ncat + k];
            if (!n)
                continue;
            rc = naming_department_category_url(c->names, &c->mem, dept->id, cat->categories[k].key,
                                                &url);
            if (rc == 0)
                urlset_listing(c, m, url, n);
        }
    }
    free(per_cat);
    free(per_dept);
    return rc;
}
