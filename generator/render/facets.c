#include "facets.h"

#include "../util/hash.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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

/* The keyword groups while they are gathered: an open-addressing table of
 * their labels, so that each of the many (item, keyword) pairs is placed
 * in one step instead of sorting them all by keyword. */
typedef struct facet_table {
    size_t *slots; /* group index + 1, 0 when free; a power of two */
    size_t cap;
    uint64_t *hashes; /* per group: its label's */
    size_t *last;     /* per group: 1 + the last item counted in it */
} facet_table;

static size_t facet_group_find(facet_set *f, facet_table *t, const char *keyword)
{
    uint64_t h = hash64_block(keyword, strlen(keyword));
    size_t j = h & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->hashes[t->slots[j] - 1] == h &&
            strcmp(f->keywords[t->slots[j] - 1].label, keyword) == 0)
            return t->slots[j] - 1;
    f->keywords = xrealloc(f->keywords, (f->keyword_count + 1) * sizeof *f->keywords);
    t->hashes = xrealloc(t->hashes, (f->keyword_count + 1) * sizeof *t->hashes);
    t->last = xrealloc(t->last, (f->keyword_count + 1) * sizeof *t->last);
    t->hashes[f->keyword_count] = h;
    t->last[f->keyword_count] = 0;
    f->keywords[f->keyword_count] = (facet_group){keyword, NULL, NULL, 0};
    t->slots[j] = ++f->keyword_count;
    return f->keyword_count - 1;
}

void facets_build(facet_set *f, const catalogue *cat, const size_t *published, size_t n)
{
    memset(f, 0, sizeof *f);
    arena_init(&f->mem);
    size_t pairs = 0;
    for (size_t k = 0; k < n; k++)
        pairs += cat->items[published[k]].item->keywords.len;
    /* Each pair's group, or SIZE_MAX for a blank keyword or an item's second
     * mention of one (an item counts once in a group). */
    size_t *group = xmalloc((pairs + 1) * sizeof *group);
    facet_table t = {NULL, 64, NULL, NULL};
    while (t.cap < 2 * pairs)
        t.cap *= 2;
    t.slots = xcalloc(t.cap, sizeof *t.slots);
    size_t p = 0;
    for (size_t k = 0; k < n; k++) {
        const content_list *kw = &cat->items[published[k]].item->keywords;
        for (size_t i = 0; i < kw->len; i++, p++) {
            group[p] = SIZE_MAX;
            if (!kw->v[i].s || !kw->v[i].s[0])
                continue;
            size_t g = facet_group_find(f, &t, kw->v[i].s);
            if (t.last[g] == k + 1)
                continue;
            t.last[g] = k + 1;
            f->keywords[g].count++;
            group[p] = g;
        }
    }
    buf url = BUF_INIT;
    for (size_t g = 0; g < f->keyword_count; g++) {
        facet_group *fg = &f->keywords[g];
        fg->label = arena_strdup(&f->mem, fg->label);
        buf_reset(&url);
        buf_puts(&url, "/xxgk/ztc/");
        facets_slug(fg->label, &url);
        buf_putc(&url, '/');
        fg->url = arena_strdup(&f->mem, url.ptr);
        fg->items = arena_alloc(&f->mem, fg->count * sizeof *fg->items);
        fg->count = 0;
    }
    p = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = cat->items[published[k]].item->keywords.len;
        for (size_t i = 0; i < len; i++, p++)
            if (group[p] != SIZE_MAX) {
                facet_group *fg = &f->keywords[group[p]];
                fg->items[fg->count++] = published[k];
            }
    }
    if (f->keyword_count)
        qsort(f->keywords, f->keyword_count, sizeof *f->keywords, facet_group_cmp);
    free(group);
    free(t.slots);
    free(t.hashes);
    free(t.last);

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
    buf_free(&url);
}

void facets_free(facet_set *f)
{
    free(f->keywords);
    free(f->years);
    arena_free(&f->mem);
}
