#include "memo.h"

#include "atomic.h"
#include "build.h"
#include "fields.h"
#include "path.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void memo_file_write(const char *path, const buf *data)
{
    buf dir = BUF_INIT, err = BUF_INIT;
    const char *slash = strrchr(path, '/');
    buf_put(&dir, path, slash ? (size_t)(slash - path) : 0);
    if (!dir.len || path_mkdirs(dir.ptr) == 0)
        atomic_replace(path, data->ptr, data->len, &err);
    buf_free(&dir);
    buf_free(&err);
}

/* A record's two fields: 16 hex digits and a NUL each. */
#define MEMO_RECORD_LEN 34

struct memo_map {
    buf path, magic;
    memo_record *v; /* as read */
    size_t len;
    uint32_t *table; /* open addressing on the keys: 1 + index into v, 0 empty */
    size_t mask;     /* of the table's size, a power of two over twice len */
    memo_record *kept;
    size_t kept_len;
    bool changed;  /* kept differs from what was read, or the magic does */
    bool retitled; /* the magic is not the one read */
};

/* Where key's search in the table starts: the key is a hash already. */
static size_t memo_slot(const memo_map *m, uint64_t key)
{
    return (size_t)(key ^ key >> 32) & m->mask;
}

static void memo_index(memo_map *m)
{
    size_t size = 64;
    while (size < m->len * 2 + 1)
        size *= 2;
    m->table = xcalloc(size, sizeof *m->table);
    m->mask = size - 1;
    for (size_t i = 0; i < m->len; i++) {
        size_t s = memo_slot(m, m->v[i].key);
        while (m->table[s] && m->v[m->table[s] - 1].key != m->v[i].key)
            s = (s + 1) & m->mask;
        if (!m->table[s])
            m->table[s] = (uint32_t)i + 1;
    }
}

/* A key or value as written: exactly 16 hex digits (fields_put_hex). */
static uint64_t memo_hex(fields_reader *r)
{
    const char *at = r->p;
    uint64_t v = fields_number(r, 16);
    if (r->p - at != MEMO_RECORD_LEN / 2)
        r->bad = true;
    return v;
}

/* The records of data into m, when its magic is m's, or any when `any`
 * (then m's from here on). */
static bool memo_read(memo_map *m, const buf *data, bool any)
{
    size_t len;
    if (!fields_sealed(data->ptr, data->len, &len))
        return false;
    fields_reader r;
    fields_reader_init(&r, data->ptr, len);
    const char *magic = fields_next(&r);
    if (any) {
        buf_reset(&m->magic);
        buf_puts(&m->magic, magic);
    }
    bool head = strcmp(magic, m->magic.ptr) == 0 && strcmp(fields_next(&r), build_version()) == 0;
    uint64_t count = fields_number(&r, 10);
    if (r.bad || !head || count > len / MEMO_RECORD_LEN || count >= UINT32_MAX)
        return false;
    m->v = xmalloc((count + 1) * sizeof *m->v);
    for (size_t i = 0; i < count && !r.bad; i++) {
        m->v[i].key = memo_hex(&r);
        m->v[i].value = memo_hex(&r);
    }
    if (r.bad || r.p != r.end)
        return false;
    m->len = count;
    memo_index(m);
    return true;
}

static memo_map *memo_open(const char *path, const char *magic, bool any)
{
    memo_map *m = xcalloc(1, sizeof *m);
    buf_puts(&m->path, path);
    buf_puts(&m->magic, magic);
    buf data = BUF_INIT;
    if (buf_read_file(&data, path) != 0 || !memo_read(m, &data, any)) {
        free(m->v);
        m->v = NULL;
        m->len = 0;
        buf_reset(&m->magic);
        buf_puts(&m->magic, magic);
    }
    buf_free(&data);
    return m;
}

memo_map *memo_map_open(const char *path, const char *magic)
{
    return memo_open(path, magic, false);
}

memo_map *memo_map_open_any(const char *path, buf *found)
{
    memo_map *m = memo_open(path, "", true);
    buf_reset(found);
    buf_puts(found, m->magic.ptr);
    return m;
}

void memo_map_magic_set(memo_map *m, const char *magic)
{
    if (strcmp(m->magic.ptr, magic) == 0)
        return;
    buf_reset(&m->magic);
    buf_puts(&m->magic, magic);
    m->retitled = true;
}

void memo_map_free(memo_map *m)
{
    if (!m)
        return;
    buf_free(&m->path);
    buf_free(&m->magic);
    free(m->v);
    free(m->table);
    free(m->kept);
    free(m);
}

bool memo_map_find(const memo_map *m, uint64_t key, uint64_t *value)
{
    if (!m || !m->table)
        return false;
    for (size_t s = memo_slot(m, key); m->table[s]; s = (s + 1) & m->mask)
        if (m->v[m->table[s] - 1].key == key) {
            *value = m->v[m->table[s] - 1].value;
            return true;
        }
    return false;
}

void memo_map_keep(memo_map *m, const memo_record *recs, size_t n)
{
    free(m->kept);
    m->kept = xmalloc((n + 1) * sizeof *m->kept);
    if (n)
        memcpy(m->kept, recs, n * sizeof *recs);
    m->kept_len = n;
    m->changed = m->retitled || n != m->len || (n && memcmp(m->kept, m->v, n * sizeof *m->v) != 0);
}

void memo_map_save(const memo_map *m)
{
    if (!m || !m->changed)
        return;
    buf out = BUF_INIT;
    buf_printf(&out, "%s%c%s%c%zu%c", m->magic.ptr, 0, build_version(), 0, m->kept_len, 0);
    for (size_t i = 0; i < m->kept_len; i++) {
        fields_put_hex(&out, m->kept[i].key);
        fields_put_hex(&out, m->kept[i].value);
    }
    fields_seal(&out);
    memo_file_write(m->path.ptr, &out);
    buf_free(&out);
}
