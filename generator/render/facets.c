#include "facets.h"

#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct facet_pair {
    const char *keyword;
    size_t order; /* position in `published` */
} facet_pair;

static int facet_pair_cmp(const void *pa, const void *pb)
{
    const facet_pair *a = pa, *b = pb;
    int c = strcmp(a->keyword, b->keyword);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int facet_group_cmp(const void *pa, const void *pb)
{
    const facet_group *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->label, b->label);
}

void facets_slug(const char *keyword, buf *out)
{
    bool plain = *keyword != '\0';
    size_t len = strlen(keyword);
    for (size_t i = 0; i < len && plain;) {
        uint32_t cp;
        size_t k = utf8_decode(keyword + i, len - i, &cp);
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        plain = k > 0 && c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO &&
                c != UTF8PROC_CATEGORY_MN && c != UTF8PROC_CATEGORY_MC && c != UTF8PROC_CATEGORY_ME;
        i += k ? k : 1;
    }
    if (plain) {
        buf_puts(out, keyword);
        return;
    }
    buf_puts(out, "x-"); /* "-" is in no plain slug: the two forms never meet */
    for (const unsigned char *p = (const unsigned char *)keyword; *p; p++)
        buf_printf(out, "%02x", *p);
}

/* A group over items published[first..first+count) as `pairs` order them. */
static void facet_fill(facet_set *f, facet_group *g, const facet_pair *pairs, size_t count,
                       const size_t *published)
{
    g->count = count;
    g->items = arena_alloc(&f->mem, count * sizeof *g->items);
    for (size_t i = 0; i < count; i++)
        g->items[i] = published[pairs[i].order];
}

void facets_build(facet_set *f, const catalogue *cat, const size_t *published, size_t n)
{
    memset(f, 0, sizeof *f);
    arena_init(&f->mem);
    facet_pair *pairs = NULL;
    size_t count = 0, cap = 0;
    for (size_t k = 0; k < n; k++) {
        const content_list *kw = &cat->items[published[k]].item->keywords;
        for (size_t i = 0; i < kw->len; i++) {
            if (!kw->v[i].s || !kw->v[i].s[0])
                continue;
            pairs = xgrow(pairs, &cap, count + 1, sizeof *pairs);
            pairs[count++] = (facet_pair){kw->v[i].s, k};
        }
    }
    if (count)
        qsort(pairs, count, sizeof *pairs, facet_pair_cmp);
    buf url = BUF_INIT;
    for (size_t i = 0; i < count;) {
        size_t j = i + 1;
        while (j < count && strcmp(pairs[j].keyword, pairs[i].keyword) == 0)
            j++;
        /* An item that lists a keyword twice counts once. */
        size_t unique = 0;
        for (size_t t = i; t < j; t++)
            if (t == i || pairs[t].order != pairs[t - 1].order)
                pairs[i + unique++] = pairs[t];
        f->keywords = xrealloc(f->keywords, (f->keyword_count + 1) * sizeof *f->keywords);
        facet_group *g = &f->keywords[f->keyword_count++];
        g->label = arena_strdup(&f->mem, pairs[i].keyword);
        buf_reset(&url);
        buf_puts(&url, "/xxgk/ztc/");
        facets_slug(g->label, &url);
        buf_putc(&url, '/');
        g->url = arena_strdup(&f->mem, url.ptr);
        facet_fill(f, g, pairs + i, unique, published);
        i = j;
    }
    if (f->keyword_count)
        qsort(f->keywords, f->keyword_count, sizeof *f->keywords, facet_group_cmp);

    /* Years: published is newest first, so each year is one run. */
    for (size_t k = 0; k < n;) {
        int year = cat->items[published[k]].item->date.day.year;
        size_t j = k;
        while (j < n && cat->items[published[j]].item->date.day.year == year)
            j++;
        f->years = xrealloc(f->years, (f->year_count + 1) * sizeof *f->years);
        facet_group *g = &f->years[f->year_count++];
        g->label = arena_printf(&f->mem, "%d", year);
        g->url = arena_printf(&f->mem, "/xxgk/nd/%d/", year);
        g->count = j - k;
        g->items = arena_alloc(&f->mem, g->count * sizeof *g->items);
        memcpy(g->items, published + k, g->count * sizeof *g->items);
        k = j;
    }
    free(pairs);
    buf_free(&url);
}

void facets_free(facet_set *f)
{
    free(f->keywords);
    free(f->years);
    arena_free(&f->mem);
}
