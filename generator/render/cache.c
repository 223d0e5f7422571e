#include "cache.h"

#include "../util/atomic.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CACHE_MAGIC "GKCACHE2"
#define CACHE_LISTINGS "LISTINGS"

/* ---- reading --------------------------------------------------------------- */

typedef struct cache_reader {
    const char *p, *end;
    bool bad;
} cache_reader;

/* The next NUL-terminated field, or NULL (and bad) at the end. */
static const char *cache_field(cache_reader *r)
{
    const char *f = r->p;
    const char *nul = r->bad || f >= r->end ? NULL : memchr(f, '\0', (size_t)(r->end - f));
    if (!nul) {
        r->bad = true;
        return NULL;
    }
    r->p = nul + 1;
    return f;
}

static uint64_t cache_number(cache_reader *r, int base)
{
    const char *f = cache_field(r);
    if (!f)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(f, &end, base);
    if (!*f || *end || errno || *f == '-' || *f == '+' || *f == ' ')
        r->bad = true;
    return v;
}

/* One record, or false at the end of the file or when it does not read. */
static bool cache_record(build_cache *c, cache_reader *r, cache_item *it)
{
    it->key = cache_number(r, 16);
    it->path = cache_field(r);
    const char *version = cache_field(r), *working = cache_field(r);
    uint64_t pages = cache_number(r, 10);
    if (r->bad || pages > (uint64_t)(r->end - r->p) / 2 || strlen(working) != 1 ||
        !strchr("10-", working[0])) {
        r->bad = true;
        return false;
    }
    it->version = version[0] ? version : NULL;
    it->working = working[0] == '-' ? -1 : working[0] == '1';
    it->page_count = (size_t)pages;
    it->pages = arena_alloc(&c->mem, (it->page_count + 1) * sizeof *it->pages);
    for (size_t k = 0; k < it->page_count && !r->bad; k++) {
        it->pages[k].path = cache_field(r);
        it->pages[k].size = (size_t)cache_number(r, 10);
        if (!r->bad && it->pages[k].path[0] != '/')
            r->bad = true;
    }
    return !r->bad;
}

/* ---- listing records -------------------------------------------------------- */

/* The listing section, which ends the file. Returns whether it read whole. */
static bool cache_listings_read(build_cache *c, cache_reader *r)
{
    const char *head = cache_field(r);
    uint64_t count = cache_number(r, 10);
    /* Each record takes at least six bytes: no count beyond that is real. */
    if (r->bad || strcmp(head, CACHE_LISTINGS) != 0 || count > (uint64_t)(r->end - r->p) / 6)
        return false;
    c->listings = xmalloc(((size_t)count + 1) * sizeof *c->listings);
    for (c->listing_len = 0; c->listing_len < count; c->listing_len++) {
        cache_listing *l = &c->listings[c->listing_len];
        l->key = cache_number(r, 16);
        l->path = cache_field(r);
        l->size = (size_t)cache_number(r, 10);
        if (r->bad || l->path[0] != '/' ||
            (c->listing_len && strcmp(c->listings[c->listing_len - 1].path, l->path) >= 0))
            return false;
    }
    return r->p == r->end;
}

const cache_listing *build_cache_listing_find(const build_cache *c, const char *path)
{
    size_t lo = 0, hi = c->listing_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->listings[mid].path, path);
        if (cmp == 0)
            return &c->listings[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int cache_listing_cmp(const void *pa, const void *pb)
{
    return strcmp((*(const cache_listing *const *)pa)->path,
                  (*(const cache_listing *const *)pb)->path);
}

/* Whether sorted[i]'s path is another record's too. */
static bool cache_listing_shared(const cache_listing **sorted, size_t n, size_t i)
{
    return (i > 0 && strcmp(sorted[i - 1]->path, sorted[i]->path) == 0) ||
           (i + 1 < n && strcmp(sorted[i + 1]->path, sorted[i]->path) == 0);
}

/* A path two pages were written at (naming.lua gave them one URL) holds
 * whichever came last: no record says which, and the next build renders it. */
static void cache_listings_write(buf *out, const cache_listing *listings, size_t n)
{
    const cache_listing **sorted = xmalloc((n + 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &listings[i];
    qsort(sorted, n, sizeof *sorted, cache_listing_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += !cache_listing_shared(sorted, n, i);
    buf_printf(out, "%s%c%zu%c", CACHE_LISTINGS, 0, kept, 0);
    for (size_t i = 0; i < n; i++)
        if (!cache_listing_shared(sorted, n, i))
            buf_printf(out, "%016" PRIx64 "%c%s%c%zu%c", sorted[i]->key, 0, sorted[i]->path, 0,
                       sorted[i]->size, 0);
    free(sorted);
}

static void cache_drop(build_cache *c, diag_list *diags, const char *file, const char *why)
{
    c->len = 0;
    c->listing_len = 0;
    diag_add(diags, DIAG_WARNING, "GK403", file, 0, 0, "构建缓存%s，已弃用：本次重新生成全部页面",
             why);
}

void build_cache_load(build_cache *c, const char *file, uint64_t site_key, diag_list *diags)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->mem);
    c->site_key = site_key;
    buf text = BUF_INIT;
    if (buf_read_file(&text, file) != 0) {
        buf_free(&text);
        return; /* no cache yet */
    }
    char *data = arena_alloc(&c->mem, text.len + 1);
    if (text.len)
        memcpy(data, text.ptr, text.len);
    cache_reader r = {data, data + text.len, false};
    buf_free(&text);
    const char *magic = cache_field(&r), *version = cache_field(&r);
    uint64_t key = cache_number(&r, 16), count = cache_number(&r, 10);
    if (r.bad || strcmp(magic, CACHE_MAGIC) != 0) {
        cache_drop(c, diags, file, "已损坏");
        return;
    }
    if (strcmp(version, GK_VERSION) != 0) {
        cache_drop(c, diags, file, "由另一版本的 gongkai 写成");
        return;
    }
    if (key != site_key)
        return; /* templates, theme, site or output changed: every page anew */
    size_t cap = 0;
    while (c->len < count) {
        c->items = xgrow(c->items, &cap, c->len + 1, sizeof *c->items);
        if (!cache_record(c, &r, &c->items[c->len]) ||
            (c->len && strcmp(c->items[c->len - 1].path, c->items[c->len].path) >= 0)) {
            cache_drop(c, diags, file, "已损坏");
            return;
        }
        c->len++;
    }
    if (!cache_listings_read(c, &r))
        cache_drop(c, diags, file, "已损坏");
}

const cache_item *build_cache_find(const build_cache *c, const char *path)
{
    size_t lo = 0, hi = c->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->items[mid].path, path);
        if (cmp == 0)
            return &c->items[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void build_cache_free(build_cache *c)
{
    free(c->items);
    free(c->listings);
    arena_free(&c->mem);
}

/* ---- writing --------------------------------------------------------------- */

static int cache_item_cmp(const void *pa, const void *pb)
{
    return strcmp((*(const cache_item *const *)pa)->path, (*(const cache_item *const *)pb)->path);
}

int build_cache_save(const char *file, uint64_t site_key, const cache_item *items, size_t n,
                     const cache_listing *listings, size_t listing_n, buf *err)
{
    const cache_item **sorted = xmalloc((n + 1) * sizeof *sorted);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].path)
            sorted[len++] = &items[i];
    qsort(sorted, len, sizeof *sorted, cache_item_cmp);
    buf out = BUF_INIT;
    buf_printf(&out, "%s%c%s%c%016" PRIx64 "%c%zu%c", CACHE_MAGIC, 0, GK_VERSION, 0, site_key, 0,
               len, 0);
    for (size_t i = 0; i < len; i++) {
        const cache_item *it = sorted[i];
        buf_printf(&out, "%016" PRIx64 "%c%s%c%s%c%c%c%zu%c", it->key, 0, it->path, 0,
                   it->version ? it->version : "", 0, it->working < 0 ? '-' : '0' + it->working, 0,
                   it->page_count, 0);
        for (size_t k = 0; k < it->page_count; k++)
            buf_printf(&out, "%s%c%zu%c", it->pages[k].path, 0, it->pages[k].size, 0);
    }
    free(sorted);
    cache_listings_write(&out, listings, listing_n);
    buf dir = BUF_INIT;
    const char *slash = strrchr(file, '/');
    buf_put(&dir, file, slash ? (size_t)(slash - file) : 0);
    int rc;
    if (dir.len && path_mkdirs(dir.ptr) != 0) {
        buf_printf(err, "无法建立目录 %s：%s", dir.ptr, strerror(errno));
        rc = -1;
    } else {
        rc = atomic_write(file, out.ptr, out.len, err);
    }
    buf_free(&dir);
    buf_free(&out);
    return rc;
}

/* ---- keys ------------------------------------------------------------------ */

static int cache_visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

uint64_t build_cache_tree_hash(uint64_t h, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, cache_visible, alphasort);
    if (n < 0)
        return hash64_str(h, NULL);
    buf path = BUF_INIT, text = BUF_INIT;
    for (int i = 0; i < n; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, names[i]->d_name);
        h = hash64_str(h, names[i]->d_name);
        struct stat st;
        if (stat(path.ptr, &st) == 0 && S_ISDIR(st.st_mode)) {
            h = build_cache_tree_hash(h, path.ptr);
        } else {
            buf_reset(&text);
            if (buf_read_file(&text, path.ptr) == 0)
                h = hash64(h, text.ptr, text.len);
        }
        free(names[i]);
    }
    free(names);
    buf_free(&path);
    buf_free(&text);
    return h;
}
