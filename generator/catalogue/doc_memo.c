/* naming.lua's answers about 文号 kept across runs. naming.lua runs in a
 * sandbox without clock, files or randomness, so what doc_number and
 * doc_number_parts answer depends only on naming.lua itself, the site and
 * department tables it is given (site.toml), the program and the number:
 * the memo file is keyed by the first three and maps a raw number to its
 * answers. Only answers are kept, never errors, so a number naming.lua fails
 * on is asked again and reported as before.
 *
 * The file is only a memo: one that cannot be read, is damaged or was
 * written under another key is ignored without a word, and nothing in it is
 * trusted before it is checked (magic, key, counts, order, every field).
 *
 * Layout, every field ending in a NUL: magic, program version, key (16 hex
 * digits), entry count, then per entry, sorted by raw number without
 * repeats: raw, shown, "-" (not a document number) or "+" followed by
 * issuer, year and sequence in decimal. */
#include "catalogue_internal.h"

#include "../util/atomic.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMO_MAGIC "gongkai-naming-memo/1"

typedef struct memo_entry {
    const char *raw, *shown;
    bool split;
    naming_doc_parts parts;
} memo_entry;

struct catalogue_doc_memo {
    arena mem;
    char *path;
    uint64_t key;
    memo_entry *v; /* as read: sorted by raw */
    size_t len;
    memo_entry *added; /* answered by naming.lua in this run */
    size_t added_len, added_cap;
};

/* The program, naming.lua (where it was found and its bytes) and site.toml. */
static uint64_t memo_key(const site_config *cfg)
{
    uint64_t h = hash64_str(HASH64_INIT, GK_VERSION);
    buf path = BUF_INIT, shown = BUF_INIT, text = BUF_INIT;
    if (config_template_find(cfg, "naming.lua", &path, &shown) != 0 ||
        buf_read_file(&text, path.ptr) != 0) {
        h = hash64_str(h, NULL);
    } else {
        h = hash64_str(h, path.ptr);
        h = hash64_int(h, (int64_t)hash64_block(text.ptr, text.len));
    }
    buf_reset(&path);
    buf_reset(&text);
    buf_printf(&path, "%s/site.toml", cfg->root);
    if (buf_read_file(&text, path.ptr) != 0)
        h = hash64_str(h, NULL);
    else
        h = hash64_int(h, (int64_t)hash64_block(text.ptr, text.len));
    buf_free(&path);
    buf_free(&shown);
    buf_free(&text);
    return h;
}

/* ---- reading ---------------------------------------------------------------- */

/* The next field as a number from `min` to `max`, written as naming.c's
 * checks allow and this file writes it (decimal, no sign, no leading 0). */
static long long memo_number(fields_reader *r, long long min, long long max)
{
    const char *s = r->p; /* the field, once it read */
    uint64_t v = fields_number(r, 10);
    if (!r->bad && ((s[0] == '0' && s[1] != '\0') || v < (uint64_t)min || v > (uint64_t)max))
        r->bad = true;
    return r->bad ? 0 : (long long)v;
}

/* A string naming.lua could have returned: UTF-8 without control characters. */
static const char *memo_text(fields_reader *r, bool may_be_empty)
{
    const char *s = fields_next(r);
    size_t len = strlen(s);
    if (utf8_validate(s, len) != len || (len == 0 && !may_be_empty))
        r->bad = true;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            r->bad = true;
    return s;
}

static bool memo_read(catalogue_doc_memo *m, const char *data, size_t size)
{
    fields_reader r;
    fields_reader_init(&r, data, size);
    bool head =
        strcmp(fields_next(&r), MEMO_MAGIC) == 0 && strcmp(fields_next(&r), GK_VERSION) == 0;
    const char *key = fields_next(&r);
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, m->key);
    /* Every entry takes at least four bytes: a bound on the count. */
    long long count = memo_number(&r, 0, (long long)(size / 4));
    if (r.bad || !head || strcmp(key, want) != 0)
        return false;
    m->v = arena_alloc(&m->mem, ((size_t)count + 1) * sizeof *m->v);
    for (size_t i = 0; i < (size_t)count && !r.bad; i++) {
        memo_entry *e = &m->v[i];
        e->raw = fields_next(&r);
        if (!e->raw[0] || (i && strcmp(m->v[i - 1].raw, e->raw) >= 0))
            return false;
        e->shown = memo_text(&r, true);
        const char *kind = fields_next(&r);
        e->split = strcmp(kind, "+") == 0;
        if (!e->split && strcmp(kind, "-") != 0)
            return false;
        if (e->split) {
            e->parts.issuer = memo_text(&r, false);
            e->parts.year = (int)memo_number(&r, 1, 9999);
            e->parts.seq = (long)memo_number(&r, 0, 2147483647);
        }
    }
    if (r.bad || r.p != r.end)
        return false;
    m->len = (size_t)count;
    return true;
}

catalogue_doc_memo *catalogue_doc_memo_open(const char *path, const site_config *cfg)
{
    catalogue_doc_memo *m = xcalloc(1, sizeof *m);
    arena_init(&m->mem);
    m->path = arena_strdup(&m->mem, path);
    m->key = memo_key(cfg);
    buf text = BUF_INIT;
    if (buf_read_file(&text, path) == 0) {
        char *data = arena_alloc(&m->mem, text.len + 1);
        if (text.len)
            memcpy(data, text.ptr, text.len);
        if (!memo_read(m, data, text.len)) {
            m->v = NULL;
            m->len = 0;
        }
    }
    buf_free(&text);
    return m;
}

void catalogue_doc_memo_free(catalogue_doc_memo *m)
{
    if (!m)
        return;
    free(m->added);
    arena_free(&m->mem);
    free(m);
}

/* ---- asking and keeping ------------------------------------------------------ */

static const memo_entry *memo_find(const catalogue_doc_memo *m, const char *raw)
{
    size_t lo = 0, hi = m ? m->len : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(m->v[mid].raw, raw);
        if (cmp == 0)
            return &m->v[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool doc_memo_answer(const catalogue_doc_memo *m, arena *mem, catalogue_item *ci)
{
    const memo_entry *e = memo_find(m, ci->item->doc_number.s);
    if (!e)
        return false;
    ci->doc_number = arena_strdup(mem, e->shown);
    ci->doc_split = e->split;
    if (e->split) {
        ci->doc_parts = e->parts;
        ci->doc_parts.issuer = arena_strdup(mem, e->parts.issuer);
    }
    return true;
}

void doc_memo_keep(catalogue_doc_memo *m, const catalogue_item *ci)
{
    if (!m || !ci->doc_number || memo_find(m, ci->item->doc_number.s))
        return;
    m->added = xgrow(m->added, &m->added_cap, m->added_len + 1, sizeof *m->added);
    memo_entry *e = &m->added[m->added_len++];
    e->raw = arena_strdup(&m->mem, ci->item->doc_number.s);
    e->shown = arena_strdup(&m->mem, ci->doc_number);
    e->split = ci->doc_split;
    e->parts = ci->doc_parts;
    if (e->split)
        e->parts.issuer = arena_strdup(&m->mem, ci->doc_parts.issuer);
}

/* ---- writing ----------------------------------------------------------------- */

static int memo_entry_cmp(const void *pa, const void *pb)
{
    return strcmp(((const memo_entry *)pa)->raw, ((const memo_entry *)pb)->raw);
}

void catalogue_doc_memo_save(const catalogue_doc_memo *m)
{
    if (!m || !m->added_len)
        return;
    /* What was read and what was added, sorted; a number several items
     * carry was added once per item, with the same answers. */
    size_t total = m->len + m->added_len, len = 0;
    memo_entry *all = xmalloc(total * sizeof *all);
    if (m->len)
        memcpy(all, m->v, m->len * sizeof *all);
    memcpy(all + m->len, m->added, m->added_len * sizeof *all);
    qsort(all, total, sizeof *all, memo_entry_cmp);
    for (size_t i = 0; i < total; i++)
        if (!len || strcmp(all[len - 1].raw, all[i].raw) != 0)
            all[len++] = all[i];
    buf out = BUF_INIT;
    buf_printf(&out, "%s%c%s%c%016" PRIx64 "%c%zu%c", MEMO_MAGIC, 0, GK_VERSION, 0, m->key, 0, len,
               0);
    for (size_t i = 0; i < len; i++) {
        const memo_entry *e = &all[i];
        buf_printf(&out, "%s%c%s%c%c%c", e->raw, 0, e->shown, 0, e->split ? '+' : '-', 0);
        if (e->split)
            buf_printf(&out, "%s%c%d%c%ld%c", e->parts.issuer, 0, e->parts.year, 0, e->parts.seq,
                       0);
    }
    free(all);
    /* Errors are dropped: without the file the next run asks naming.lua. */
    buf dir = BUF_INIT, err = BUF_INIT;
    const char *slash = strrchr(m->path, '/');
    buf_put(&dir, m->path, slash ? (size_t)(slash - m->path) : 0);
    if (!dir.len || path_mkdirs(dir.ptr) == 0)
        atomic_write(m->path, out.ptr, out.len, &err);
    buf_free(&dir);
    buf_free(&err);
    buf_free(&out);
}
