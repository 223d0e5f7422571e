/* The items' body fingerprints (lock.c) kept across runs. A fingerprint is
 * an FNV hash that reads every byte of a body one multiply after another,
 * whereas the content stage has hashed every file's text already, as it
 * read it (text_hash): a body is known by that hash and where in the text
 * it lies (fp_memo_key), and a record maps that key to the fingerprint the
 * body gave, whatever file it was in, so that an item moved, or back as it
 * was, is a known one too. Titles are short: their fingerprints cost less
 * than a key would. The file holds the records of the last run that kept
 * some, in the order of its items, and nothing else, so it never grows
 * beyond the site and is written again only when a record changed; a table
 * on the keys finds them.
 *
 * The file is only a memo: one that cannot be read, is damaged or was
 * written by another program version is ignored without a word, and
 * nothing in it is used before the whole file is checked (magic, version,
 * count, every field, checksum).
 *
 * Layout, every field ending in a NUL: magic, program version, record
 * count, then per record: key and body fingerprint (16 hex digits each);
 * last the checksum (fields_seal). */
#include "catalogue_internal.h"

#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FP_MAGIC "gongkai-fingerprints/1"
/* A record's two fields: 16 hex digits and a NUL each. */
#define FP_RECORD_LEN 34

struct fp_memo {
    buf path;
    fp_record *v; /* as read */
    size_t len;
    uint32_t *table; /* open addressing on the keys: 1 + index into v, 0 empty */
    size_t mask;     /* of the table's size, a power of two over twice len */
    fp_record *kept; /* this run's, in the order of its items (fp_memo_keep) */
    size_t kept_len;
    bool changed; /* kept differs from what was read */
};

bool fp_memo_key(const content_item *it, uint64_t *key)
{
    uintptr_t text = (uintptr_t)it->text, body = (uintptr_t)it->body;
    if (!text || !body || body < text || body - text > it->text_len ||
        it->body_len > it->text_len - (body - text))
        return false;
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)it->text_hash);
    h = hash64_int(h, (int64_t)it->text_len);
    h = hash64_int(h, (int64_t)(body - text));
    *key = hash64_int(h, (int64_t)it->body_len);
    return true;
}

/* A hash as the file writes it (lock_hex). */
static uint64_t fp_hex(fields_reader *r)
{
    const char *s = fields_next(r);
    uint64_t v = 0;
    if (r->bad || r->end - s < 17 || !lock_hex(s, 16, &v) || s[16])
        r->bad = true;
    return v;
}

/* Where key's search in the table starts: the key is a hash already. */
static size_t fp_slot(const fp_memo *m, uint64_t key)
{
    return (size_t)(key ^ key >> 32) & m->mask;
}

/* The table on v's keys; a key twice is found at its first record. */
static void fp_index(fp_memo *m)
{
    size_t size = 64;
    while (size < m->len * 2 + 1)
        size *= 2;
    m->table = xcalloc(size, sizeof *m->table);
    m->mask = size - 1;
    for (size_t i = 0; i < m->len; i++) {
        size_t s = fp_slot(m, m->v[i].key);
        while (m->table[s] && m->v[m->table[s] - 1].key != m->v[i].key)
            s = (s + 1) & m->mask;
        if (!m->table[s])
            m->table[s] = (uint32_t)i + 1;
    }
}

static bool fp_read(fp_memo *m, const buf *data)
{
    size_t len;
    if (!fields_sealed(data->ptr, data->len, &len))
        return false;
    fields_reader r;
    fields_reader_init(&r, data->ptr, len);
    bool head = strcmp(fields_next(&r), FP_MAGIC) == 0 && strcmp(fields_next(&r), GK_VERSION) == 0;
    uint64_t count = fields_number(&r, 10);
    if (r.bad || !head || count > len / FP_RECORD_LEN || count >= UINT32_MAX)
        return false;
    m->v = xmalloc((count + 1) * sizeof *m->v);
    for (size_t i = 0; i < count && !r.bad; i++) {
        m->v[i].key = fp_hex(&r);
        m->v[i].body_fp = fp_hex(&r);
    }
    if (r.bad || r.p != r.end)
        return false;
    m->len = count;
    fp_index(m);
    return true;
}

fp_memo *fp_memo_open(const char *path)
{
    fp_memo *m = xcalloc(1, sizeof *m);
    buf_puts(&m->path, path);
    buf data = BUF_INIT;
    if (buf_read_file(&data, path) != 0 || !fp_read(m, &data)) {
        free(m->v);
        m->v = NULL;
        m->len = 0;
    }
    buf_free(&data);
    return m;
}

void fp_memo_free(fp_memo *m)
{
    if (!m)
        return;
    buf_free(&m->path);
    free(m->v);
    free(m->table);
    free(m->kept);
    free(m);
}

bool fp_memo_find(const fp_memo *m, uint64_t key, fp_record *out)
{
    if (!m || !m->table)
        return false;
    for (size_t s = fp_slot(m, key); m->table[s]; s = (s + 1) & m->mask)
        if (m->v[m->table[s] - 1].key == key) {
            *out = m->v[m->table[s] - 1];
            return true;
        }
    return false;
}

void fp_memo_keep(fp_memo *m, const fp_record *recs, size_t n)
{
    if (!m)
        return;
    free(m->kept);
    m->kept = xmalloc((n + 1) * sizeof *m->kept);
    if (n)
        memcpy(m->kept, recs, n * sizeof *recs);
    m->kept_len = n;
    m->changed = n != m->len || (n && memcmp(m->kept, m->v, n * sizeof *m->v) != 0);
}

static void fp_put_hex(buf *out, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char s[FP_RECORD_LEN / 2];
    for (int i = 15; i >= 0; i--, v >>= 4)
        s[i] = digits[v & 15];
    s[16] = '\0';
    buf_put(out, s, sizeof s);
}

void fp_memo_save(const fp_memo *m)
{
    if (!m || !m->changed)
        return;
    buf out = BUF_INIT;
    buf_printf(&out, "%s%c%s%c%zu%c", FP_MAGIC, 0, GK_VERSION, 0, m->kept_len, 0);
    for (size_t i = 0; i < m->kept_len; i++) {
        fp_put_hex(&out, m->kept[i].key);
        fp_put_hex(&out, m->kept[i].body_fp);
    }
    fields_seal(&out);
    memo_file_write(m->path.ptr, &out);
    buf_free(&out);
}
