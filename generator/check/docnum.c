/* Duplicate 文号: one publisher never issues the same document number twice
 * in a year. Numbers are compared as naming.lua splits them (issuer, year,
 * sequence), so 示财发[2025]8号 and 示财发〔2025〕8号 are the same number;
 * one that naming.lua cannot split is compared in its normalised form. The
 * same number under two publishers is a document both of them post. */
#include "check_internal.h"

#include "../util/pool.h"
#include "../util/xalloc.h"

#include <stdatomic.h>
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

/* Fewer numbers than this are not worth a naming.lua per thread. */
#define DOCNUM_PARALLEL_MIN 64

static bool docnum_wanted(const check_ctx *c, const content_item *it)
{
    return it->doc_number.s && it->doc_number.s[0] && it->dept && it->date.set &&
           check_item_published(c, it);
}

/* The entry's key, or NULL when naming.lua failed (already reported). */
static const char *docnum_key(naming *names, arena *mem, const content_item *it, const char **shown)
{
    const char *raw = it->doc_number.s;
    *shown = raw;
    if (!names)
        return arena_printf(mem, "%s\x1f%s", it->dept->id, raw);
    if (naming_doc_number(names, mem, raw, shown) != 0)
        return NULL;
    naming_doc_parts parts;
    int r = naming_doc_number_parts(names, mem, raw, &parts);
    if (r < 0)
        return NULL;
    if (r == 0)
        return arena_printf(mem, "%s\x1f%s", it->dept->id, *shown);
    return arena_printf(mem, "%s\x1f%s\x1f%d\x1f%ld", it->dept->id, parts.issuer, parts.year,
                        parts.seq);
}

/* ---- the keys on several threads ------------------------------------------
 * Asking naming.lua is most of the rule's time. Each worker asks on its own
 * handle (naming_fork), into its own arena and diagnostics. naming.lua
 * reports an error once and then fails quietly, so errors cannot be merged
 * from several handles: when any worker meets one, its work is dropped and
 * the keys are asked again on the run's handle, one by one, which reports
 * them exactly as before. */

typedef struct docnum_par {
    const check_ctx *c;
    naming **names;    /* per worker */
    diag_list *diags;  /* per worker */
    arena *mem;        /* per worker */
    docnum_entry *per; /* per item; key NULL when it has none */
    atomic_size_t next;
    atomic_bool failed;
} docnum_par;

static void docnum_worker(void *ctx, size_t w)
{
    docnum_par *p = ctx;
    while (!atomic_load(&p->failed)) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->c->set->len)
            break;
        const content_item *it = &p->c->set->items[i];
        if (!docnum_wanted(p->c, it))
            continue;
        const char *shown;
        const char *key = docnum_key(p->names[w], &p->mem[w], it, &shown);
        if (!key || p->diags[w].len) {
            atomic_store(&p->failed, true);
            break;
        }
        p->per[i] = (docnum_entry){it, key, shown};
    }
}

/* The entries of every item with a number into e (item order), asked on
 * c->workers threads; false when that was not done (one thread, few
 * numbers, or an error from naming.lua). */
static bool docnum_keys_parallel(check_ctx *c, docnum_entry *e, size_t *n)
{
    size_t wanted = 0, workers = c->workers;
    for (size_t i = 0; i < c->set->len; i++)
        wanted += docnum_wanted(c, &c->set->items[i]);
    if (!c->names || workers < 2 || wanted < DOCNUM_PARALLEL_MIN)
        return false;
    docnum_par p = {c,
                    xcalloc(workers, sizeof *p.names),
                    xcalloc(workers, sizeof *p.diags),
                    xcalloc(workers, sizeof *p.mem),
                    xcalloc(c->set->len + 1, sizeof *p.per),
                    0,
                    false};
    bool forked = true;
    for (size_t w = 0; w < workers; w++) {
        diag_list_init(&p.diags[w]);
        arena_init(&p.mem[w]);
        if (forked && naming_fork(&p.names[w], c->names, &p.diags[w]) != 0)
            forked = false;
    }
    if (forked)
        pool_run(workers, docnum_worker, &p);
    bool ok = forked && !atomic_load(&p.failed);
    for (size_t w = 0; w < workers; w++) {
        naming_close(p.names[w]);
        diag_list_free(&p.diags[w]);
        arena_adopt(&c->mem, &p.mem[w]);
    }
    *n = 0;
    for (size_t i = 0; ok && i < c->set->len; i++)
        if (p.per[i].key)
            e[(*n)++] = p.per[i];
    free(p.names);
    free(p.diags);
    free(p.mem);
    free(p.per);
    return ok;
}

void check_docnum_run(check_ctx *c)
{
    docnum_entry *e = xmalloc((c->set->len + 1) * sizeof *e);
    size_t n = 0;
    if (!docnum_keys_parallel(c, e, &n)) {
        for (size_t i = 0; i < c->set->len; i++) {
            const content_item *it = &c->set->items[i];
            if (!docnum_wanted(c, it))
                continue;
            const char *shown;
            const char *key = docnum_key(c->names, &c->mem, it, &shown);
            if (key)
                e[n++] = (docnum_entry){it, key, shown};
        }
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
