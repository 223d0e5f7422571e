/* Duplicate 文号: one publisher never issues the same document number twice
 * in a year. Numbers are compared as naming.lua splits them (issuer, year,
 * sequence), so 示财发[2025]8号 and 示财发〔2025〕8号 are the same number;
 * one that naming.lua cannot split is compared in its normalised form. The
 * same number under two publishers is a document both of them post. */
#include "check_internal.h"

#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct docnum_entry {
    const content_item *it;
    const char *key;   /* publisher and number */
    const char *shown; /* the number in its standard form */
} docnum_entry;

static int docnum_cmp(const void *pa, const void *pb)
{
    const docnum_entry *a = pa, *b = pb;
    int k = strcmp(a->key, b->key);
    if (k)
        return k;
    k = date_cmp(a->it->date.day, b->it->date.day);
    return k ? k : strcmp(a->it->path, b->it->path);
}

/* The entry's key, or NULL when naming.lua failed (already reported). The
 * catalogue stage asked naming.lua about the number (catalogue_doc_numbers_apply);
 * it is asked here only when that was not done for it, and then fails
 * quietly if naming.lua failed then. */
static const char *docnum_key(check_ctx *c, size_t i, const char **shown)
{
    const content_item *it = &c->set->items[i];
    const catalogue_item *ci = check_catalogue_item(c, i);
    const char *raw = it->doc_number.s;
    *shown = raw;
    if (!c->names)
        return arena_printf(&c->mem, "%s\x1f%s", it->dept->id, raw);
    naming_doc_parts parts;
    int r;
    if (ci && ci->doc_number) {
        *shown = ci->doc_number;
        parts = ci->doc_parts;
        r = ci->doc_split;
    } else {
        r = catalogue_doc_number_ask(c->names, &c->mem, raw, shown, &parts);
        if (r < 0)
            return NULL;
    }
    if (r == 0)
        return arena_printf(&c->mem, "%s\x1f%s", it->dept->id, *shown);
    return arena_printf(&c->mem, "%s\x1f%s\x1f%d\x1f%ld", it->dept->id, parts.issuer, parts.year,
                        parts.seq);
}

void check_docnum_run(check_ctx *c)
{
    docnum_entry *e = xmalloc((c->set->len + 1) * sizeof *e);
    size_t n = 0;
    for (size_t i = 0; i < c->set->len; i++) {
        const content_item *it = &c->set->items[i];
        if (!catalogue_doc_number_wanted(it, c->opt->drafts))
            continue;
        const char *shown;
        const char *key = docnum_key(c, i, &shown);
        if (key)
            e[n++] = (docnum_entry){it, key, shown};
    }
    qsort(e, n, sizeof *e, docnum_cmp);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(e[first].key, e[i].key) != 0) {
            first = i; /* the earliest item with this number keeps it */
            continue;
        }
        const content_item *it = e[i].it, *was = e[first].it;
        check_diag(c, DIAG_ERROR, "GK203", it, it->doc_number.line, it->doc_number.col,
                   "文号“%s”重复：%s（%s）已经使用了这个文号。同一发布机构同一年度的文号不能"
                   "重复，请核对文号",
                   check_excerpt(c, e[i].shown, strlen(e[i].shown)), was->path,
                   check_excerpt(c, was->title, strlen(was->title)));
    }
    free(e);
}
