/* naming.lua's answers kept across runs: the 文号 (doc_numbers.c) and the
 * items' URLs (lock.c). naming.lua runs in a sandbox without clock, files
 * or randomness, so what doc_number, doc_number_parts and item_url answer
 * depends only on naming.lua itself, the site and department tables it is
 * given (site.toml), the program and the question: the memo file is keyed
 * by the first three and maps a raw number to its answers, and an item_url
 * question (every field of its naming_item) to the URL. Only answers are
 * kept, never errors, so a question naming.lua fails on is asked again and
 * reported as before.
 *
 * 文号 answers accumulate. The URL questions kept are those of the last run
 * that saved the memo: each item asks about what it is now on every run,
 * so a question no item asked (a renamed file's old one) is not needed.
 *
 * The file is only a memo: one that cannot be read, is damaged or was
 * written under another key is ignored without a word, and nothing in it is
 * trusted before the whole file is checked (magic, key, counts, order, every
 * field, checksum).
 *
 * Layout, every field ending in a NUL: magic, program version, key (16 hex
 * digits), number count, then per number, sorted by raw number without
 * repeats: raw, shown, "-" (not a document number) or "+" followed by
 * issuer, year and sequence in decimal; then the URL count and per question,
 * sorted by memo_question_cmp without repeats: rel, slug, dept, year, seq,
 * category ("-" for none, else "+" and its key), clash, the URL; last the
 * checksum (fields_seal). */
#include "catalogue_internal.h"

#include "../util/build.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMO_MAGIC "gongkai-naming-memo/2"

typedef struct memo_doc {
    const char *raw, *shown;
    bool split;
    naming_doc_parts parts;
} memo_doc;

typedef struct memo_url {
    naming_item q; /* the question */
    const char *url;
    bool asked; /* in this run */
} memo_url;

struct naming_memo {
    arena mem;
    buf data; /* the file as read: the entries point into it */
    char *path;
    uint64_t key;
    memo_doc *v; /* as read: sorted by raw */
    size_t len;
    memo_doc *added; /* answered by naming.lua in this run */
    size_t added_len, added_cap;
    memo_url *urls; /* as read: sorted by question */
    size_t url_len;
    lock_map *url_files;  /* rel → the first of urls about that file */
    memo_url *urls_added; /* answered by naming.lua in this run */
    size_t urls_added_len, urls_added_cap;
};

/* The program, naming.lua (where it was found and its bytes) and site.toml. */
static uint64_t memo_key(const site_config *cfg)
{
    uint64_t h = hash64_str(HASH64_INIT, build_version());
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

static int memo_int_cmp(int a, int b)
{
    return (a > b) - (a < b);
}

/* The order of URL questions in the file: by file first, which tells most
 * of them apart. The lock asks none without dept, slug and rel. */
static int memo_question_cmp(const naming_item *a, const naming_item *b)
{
    int c;
    if ((c = strcmp(a->rel, b->rel)) || (c = strcmp(a->slug, b->slug)) ||
        (c = strcmp(a->dept, b->dept)) || (c = memo_int_cmp(a->year, b->year)) ||
        (c = memo_int_cmp(a->seq, b->seq)))
        return c;
    if (!a->category || !b->category) {
        if ((c = (a->category != NULL) - (b->category != NULL)))
            return c;
    } else if ((c = strcmp(a->category, b->category))) {
        return c;
    }
    return memo_int_cmp(a->clash, b->clash);
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

static bool memo_read_docs(naming_memo *m, fields_reader *r, size_t size)
{
    /* Every entry takes at least four bytes: a bound on the count. */
    long long count = memo_number(r, 0, (long long)(size / 4));
    if (r->bad)
        return false;
    m->v = arena_alloc(&m->mem, ((size_t)count + 1) * sizeof *m->v);
    for (size_t i = 0; i < (size_t)count && !r->bad; i++) {
        memo_doc *e = &m->v[i];
        e->raw = fields_next(r);
        if (!e->raw[0] || (i && strcmp(m->v[i - 1].raw, e->raw) >= 0))
            return false;
        e->shown = memo_text(r, true);
        const char *kind = fields_next(r);
        e->split = strcmp(kind, "+") == 0;
        if (!e->split && strcmp(kind, "-") != 0)
            return false;
        if (e->split) {
            e->parts.issuer = memo_text(r, false);
            e->parts.year = (int)memo_number(r, 1, 9999);
            e->parts.seq = (long)memo_number(r, 0, 2147483647);
        }
    }
    m->len = (size_t)count;
    return !r->bad;
}

/* The question's fields are compared, never shown: any bytes do. The URL
 * must be one naming.c would have taken. */
static bool memo_read_urls(naming_memo *m, fields_reader *r, size_t size)
{
    /* Every entry takes at least sixteen bytes: a bound on the count. */
    long long count = memo_number(r, 0, (long long)(size / 16));
    if (r->bad)
        return false;
    m->urls = arena_alloc(&m->mem, ((size_t)count + 1) * sizeof *m->urls);
    for (size_t i = 0; i < (size_t)count && !r->bad; i++) {
        memo_url *e = &m->urls[i];
        memset(e, 0, sizeof *e);
        e->q.rel = fields_next(r);
        e->q.slug = fields_next(r);
        e->q.dept = fields_next(r);
        e->q.year = (int)memo_number(r, 0, INT_MAX);
        e->q.seq = (int)memo_number(r, 0, INT_MAX);
        const char *key = fields_next(r);
        if (key[0] == '+')
            e->q.category = key + 1;
        else if (strcmp(key, "-") != 0)
            return false;
        e->q.clash = (int)memo_number(r, 0, INT_MAX);
        e->url = fields_next(r);
        if (r->bad || catalogue_url_problem(e->url, strlen(e->url)) ||
            (i && memo_question_cmp(&m->urls[i - 1].q, &e->q) >= 0))
            return false;
    }
    m->url_len = (size_t)count;
    if (r->bad)
        return false;
    m->url_files = lock_map_new(&m->mem, m->url_len);
    for (size_t i = 0; i < m->url_len; i++) {
        int *first = lock_map_at(&m->mem, m->url_files, m->urls[i].q.rel, false);
        if (*first < 0)
            *first = (int)i;
    }
    return true;
}

static bool memo_read(naming_memo *m, const char *data, size_t size)
{
    if (!fields_sealed(data, size, &size))
        return false;
    fields_reader r;
    fields_reader_init(&r, data, size);
    bool head =
        strcmp(fields_next(&r), MEMO_MAGIC) == 0 && strcmp(fields_next(&r), build_version()) == 0;
    const char *key = fields_next(&r);
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, m->key);
    if (r.bad || !head || strcmp(key, want) != 0)
        return false;
    return memo_read_docs(m, &r, size) && memo_read_urls(m, &r, size) && r.p == r.end;
}

naming_memo *naming_memo_open(const char *path, const site_config *cfg)
{
    naming_memo *m = xcalloc(1, sizeof *m);
    arena_init(&m->mem);
    m->path = arena_strdup(&m->mem, path);
    m->key = memo_key(cfg);
    if (buf_read_file(&m->data, path) == 0 && !memo_read(m, m->data.ptr, m->data.len)) {
        m->len = 0;
        m->url_len = 0;
        m->url_files = NULL;
    }
    return m;
}

void naming_memo_free(naming_memo *m)
{
    if (!m)
        return;
    free(m->added);
    free(m->urls_added);
    buf_free(&m->data);
    arena_free(&m->mem);
    free(m);
}

/* ---- asking and keeping ------------------------------------------------------ */

static const memo_doc *memo_doc_find(const naming_memo *m, const char *raw)
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

bool memo_doc_answer(const naming_memo *m, arena *mem, catalogue_item *ci)
{
    const memo_doc *e = memo_doc_find(m, ci->item->doc_number.s);
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

void memo_doc_keep(naming_memo *m, const catalogue_item *ci)
{
    if (!m || !ci->doc_number || memo_doc_find(m, ci->item->doc_number.s))
        return;
    m->added = xgrow(m->added, &m->added_cap, m->added_len + 1, sizeof *m->added);
    memo_doc *e = &m->added[m->added_len++];
    e->raw = arena_strdup(&m->mem, ci->item->doc_number.s);
    e->shown = arena_strdup(&m->mem, ci->doc_number);
    e->split = ci->doc_split;
    e->parts = ci->doc_parts;
    if (e->split)
        e->parts.issuer = arena_strdup(&m->mem, ci->doc_parts.issuer);
}

static bool memo_question_whole(const naming_item *q)
{
    return q->dept && q->slug && q->rel;
}

const char *memo_url_answer(naming_memo *m, const naming_item *q)
{
    if (!m || !m->url_files || !memo_question_whole(q))
        return NULL;
    /* The questions about one file are together, the file's first found. */
    int first = lock_map_get(m->url_files, q->rel);
    for (size_t i = first < 0 ? m->url_len : (size_t)first;
         i < m->url_len && strcmp(m->urls[i].q.rel, q->rel) == 0; i++)
        if (memo_question_cmp(&m->urls[i].q, q) == 0) {
            m->urls[i].asked = true;
            return m->urls[i].url;
        }
    return NULL;
}

void memo_url_keep(naming_memo *m, const naming_item *q, const char *url)
{
    if (!m || !memo_question_whole(q))
        return;
    m->urls_added =
        xgrow(m->urls_added, &m->urls_added_cap, m->urls_added_len + 1, sizeof *m->urls_added);
    memo_url *e = &m->urls_added[m->urls_added_len++];
    e->q = *q;
    e->q.dept = arena_strdup(&m->mem, q->dept);
    e->q.category = q->category ? arena_strdup(&m->mem, q->category) : NULL;
    e->q.slug = arena_strdup(&m->mem, q->slug);
    e->q.rel = arena_strdup(&m->mem, q->rel);
    e->url = arena_strdup(&m->mem, url);
    e->asked = true;
}

/* ---- writing ----------------------------------------------------------------- */

static int memo_doc_cmp(const void *pa, const void *pb)
{
    return strcmp(((const memo_doc *)pa)->raw, ((const memo_doc *)pb)->raw);
}

static int memo_url_cmp(const void *pa, const void *pb)
{
    return memo_question_cmp(&((const memo_url *)pa)->q, &((const memo_url *)pb)->q);
}

/* A field: s and its NUL. */
static void memo_put(buf *out, const char *s)
{
    buf_put(out, s, strlen(s) + 1);
}

static void memo_put_int(buf *out, long long v)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", v);
    memo_put(out, s);
}

static void memo_put_docs(const naming_memo *m, buf *out)
{
    /* What was read and what was added, sorted; a number several items
     * carry was added once per item, with the same answers. */
    size_t total = m->len + m->added_len, len = 0;
    memo_doc *all = xmalloc((total + 1) * sizeof *all);
    if (m->len)
        memcpy(all, m->v, m->len * sizeof *all);
    if (m->added_len)
        memcpy(all + m->len, m->added, m->added_len * sizeof *all);
    qsort(all, total, sizeof *all, memo_doc_cmp);
    for (size_t i = 0; i < total; i++)
        if (!len || strcmp(all[len - 1].raw, all[i].raw) != 0)
            all[len++] = all[i];
    memo_put_int(out, (long long)len);
    for (size_t i = 0; i < len; i++) {
        const memo_doc *e = &all[i];
        memo_put(out, e->raw);
        memo_put(out, e->shown);
        memo_put(out, e->split ? "+" : "-");
        if (e->split) {
            memo_put(out, e->parts.issuer);
            memo_put_int(out, e->parts.year);
            memo_put_int(out, e->parts.seq);
        }
    }
    free(all);
}

static void memo_put_urls(const naming_memo *m, buf *out)
{
    /* The questions of this run, read or added, sorted. */
    size_t len = 0;
    memo_url *all = xmalloc((m->url_len + m->urls_added_len + 1) * sizeof *all);
    for (size_t i = 0; i < m->url_len; i++)
        if (m->urls[i].asked)
            all[len++] = m->urls[i];
    if (m->urls_added_len)
        memcpy(all + len, m->urls_added, m->urls_added_len * sizeof *all);
    size_t total = len + m->urls_added_len;
    qsort(all, total, sizeof *all, memo_url_cmp);
    len = 0;
    for (size_t i = 0; i < total; i++)
        if (!len || memo_url_cmp(&all[len - 1], &all[i]) != 0)
            all[len++] = all[i];
    memo_put_int(out, (long long)len);
    for (size_t i = 0; i < len; i++) {
        const naming_item *q = &all[i].q;
        memo_put(out, q->rel);
        memo_put(out, q->slug);
        memo_put(out, q->dept);
        memo_put_int(out, q->year);
        memo_put_int(out, q->seq);
        if (q->category) {
            buf_putc(out, '+');
            memo_put(out, q->category);
        } else {
            memo_put(out, "-");
        }
        memo_put_int(out, q->clash);
        memo_put(out, all[i].url);
    }
    free(all);
}

/* Whether the file would differ from what was read: answers added, or
 * questions read that no one asked this time. */
static bool memo_changed(const naming_memo *m)
{
    if (m->added_len || m->urls_added_len)
        return true;
    for (size_t i = 0; i < m->url_len; i++)
        if (!m->urls[i].asked)
            return true;
    return false;
}

void naming_memo_save(const naming_memo *m)
{
    if (!m || !memo_changed(m))
        return;
    buf out = BUF_INIT;
    char key[17];
    snprintf(key, sizeof key, "%016" PRIx64, m->key);
    memo_put(&out, MEMO_MAGIC);
    memo_put(&out, build_version());
    memo_put(&out, key);
    memo_put_docs(m, &out);
    memo_put_urls(m, &out);
    fields_seal(&out);
    memo_file_write(m->path, &out);
    buf_free(&out);
}
