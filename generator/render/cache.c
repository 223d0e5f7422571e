#include "cache.h"

#include "../util/build.h"
#include "../util/atomic.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The format's name and number: a file of an earlier number is another
 * version's, not a damaged one. */
#define CACHE_MAGIC_STEM "GKCACHE"
#define CACHE_MAGIC CACHE_MAGIC_STEM "8"
#define CACHE_DEPS "DEPS"
#define CACHE_LISTINGS "LISTINGS"

/* ---- reading --------------------------------------------------------------- */

/* One record, or false at the end of the file or when it does not read. */
static bool cache_record(build_cache *c, fields_reader *r, cache_item *it)
{
    it->key = fields_number(r, 16);
    it->path = fields_next(r);
    const char *version = fields_next(r), *working = fields_next(r);
    it->deps = (size_t)fields_number(r, 10);
    it->entry.off = fields_number(r, 10);
    it->entry.len = (size_t)fields_number(r, 10);
    it->entry.sum = fields_number(r, 16);
    it->qr_key = fields_number(r, 16);
    it->qr.off = fields_number(r, 10);
    it->qr.len = (size_t)fields_number(r, 10);
    it->qr.sum = fields_number(r, 16);
    uint64_t pages = fields_number(r, 10);
    if (r->bad || pages > (uint64_t)(r->end - r->p) / 2 || strlen(working) != 1 ||
        !strchr("10-", working[0]) || it->deps >= c->deps_len) {
        r->bad = true;
        return false;
    }
    it->version = version[0] ? version : NULL;
    it->working = working[0] == '-' ? -1 : working[0] == '1';
    it->page_count = (size_t)pages;
    it->pages = arena_alloc(&c->mem, (it->page_count + 1) * sizeof *it->pages);
    for (size_t k = 0; k < it->page_count && !r->bad; k++) {
        it->pages[k].path = fields_next(r);
        it->pages[k].size = (size_t)fields_number(r, 10);
        if (!r->bad && it->pages[k].path[0] != '/')
            r->bad = true;
    }
    return !r->bad;
}

/* ---- dependency sets ------------------------------------------------------- */

/* The dependency sets, which follow the header. Returns whether they read. */
static bool cache_deps_read(build_cache *c, fields_reader *r)
{
    const char *head = fields_next(r);
    uint64_t count = fields_number(r, 10);
    /* Each set takes at least two bytes. */
    if (r->bad || strcmp(head, CACHE_DEPS) != 0 || count > (uint64_t)(r->end - r->p) / 2)
        return false;
    c->deps = arena_alloc(&c->mem, ((size_t)count + 1) * sizeof *c->deps);
    for (c->deps_len = 0; c->deps_len < count; c->deps_len++) {
        cache_deps *d = &c->deps[c->deps_len];
        uint64_t inputs = fields_number(r, 10);
        if (r->bad || inputs > (uint64_t)(r->end - r->p) / 2)
            return false;
        d->input_count = (size_t)inputs;
        d->inputs = arena_alloc(&c->mem, (d->input_count + 1) * sizeof *d->inputs);
        for (size_t k = 0; k < d->input_count; k++)
            d->inputs[k] = fields_next(r);
    }
    return !r->bad;
}

static void cache_deps_write(buf *out, const cache_deps *deps, size_t n)
{
    fields_put(out, CACHE_DEPS);
    fields_put_number(out, n);
    for (size_t i = 0; i < n; i++) {
        fields_put_number(out, deps[i].input_count);
        for (size_t k = 0; k < deps[i].input_count; k++)
            fields_put(out, deps[i].inputs[k]);
    }
}

/* ---- listing records -------------------------------------------------------- */

/* The listing section, which ends the file. Returns whether it read whole. */
static bool cache_listings_read(build_cache *c, fields_reader *r)
{
    const char *head = fields_next(r);
    uint64_t count = fields_number(r, 10);
    /* Each record takes at least six bytes: no count beyond that is real. */
    if (r->bad || strcmp(head, CACHE_LISTINGS) != 0 || count > (uint64_t)(r->end - r->p) / 6)
        return false;
    c->listings = xmalloc(((size_t)count + 1) * sizeof *c->listings);
    for (c->listing_len = 0; c->listing_len < count; c->listing_len++) {
        cache_listing *l = &c->listings[c->listing_len];
        l->key = fields_number(r, 16);
        l->path = fields_next(r);
        l->size = (size_t)fields_number(r, 10);
        l->deps = (size_t)fields_number(r, 10);
        if (r->bad || l->path[0] != '/' || l->deps >= c->deps_len ||
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
    fields_put(out, CACHE_LISTINGS);
    fields_put_number(out, kept);
    for (size_t i = 0; i < n; i++)
        if (!cache_listing_shared(sorted, n, i)) {
            fields_put_hex(out, sorted[i]->key);
            fields_put(out, sorted[i]->path);
            fields_put_number(out, sorted[i]->size);
            fields_put_number(out, sorted[i]->deps);
        }
    free(sorted);
}

static void cache_drop(build_cache *c, diag_list *diags, const char *file, const char *why)
{
    c->len = 0;
    c->listing_len = 0;
    c->deps_len = 0;
    diag_add(diags, DIAG_WARNING, "GK403", file, 0, 0, "构建缓存%s，已弃用：本次重新生成全部页面",
             why);
}

static void cache_entries_open(build_cache *c, const char *file, diag_list *diags);
static int cache_entries_io(int fd, char *in, const char *out, size_t len, uint64_t off);

/* The bytes of `file` into c's arena, where the records' strings stay:
 * read straight there, not through a buf and a copy (the file is a few MB
 * at ten thousand items). Returns them, or NULL when the file cannot be
 * read. */
static char *cache_file_read(build_cache *c, const char *file, size_t *len)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return NULL;
    char *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        *len = (size_t)st.st_size;
        data = arena_alloc_uninit(&c->mem, *len + 1);
        if (cache_entries_io(fd, data, NULL, *len, 0) == 0)
            data[*len] = '\0';
        else
            data = NULL;
    }
    close(fd);
    return data;
}

/* The records cannot be used: why, for build_cache_open to say. */
static void cache_damaged(build_cache *c, const char *why)
{
    c->damage = why;
    c->len = 0;
    c->listing_len = 0;
    c->deps_len = 0;
}

/* The records of `file` into c (none when they cannot be used). */
static void cache_records_load(build_cache *c, const char *file)
{
    size_t len;
    char *data = cache_file_read(c, file, &len);
    if (!data)
        return; /* no cache yet */
    fields_reader r;
    fields_reader_init(&r, data, len);
    const char *magic = fields_next(&r), *version = fields_next(&r);
    if (r.bad || strncmp(magic, CACHE_MAGIC_STEM, strlen(CACHE_MAGIC_STEM)) != 0) {
        cache_damaged(c, "已损坏");
        return;
    }
    if (strcmp(magic, CACHE_MAGIC) != 0 || strcmp(version, build_version()) != 0) {
        cache_damaged(c, "由另一版本的 gongkai 写成");
        return;
    }
    /* Written without a flush (build_cache_save): the seal says it is whole. */
    if (!fields_sealed(data, len, &len)) {
        cache_damaged(c, "已损坏");
        return;
    }
    fields_reader_init(&r, data, len);
    fields_next(&r);
    fields_next(&r);
    uint64_t key = fields_number(&r, 16), count = fields_number(&r, 10);
    if (r.bad) {
        cache_damaged(c, "已损坏");
        return;
    }
    c->file_key = key;
    c->keyed = true;
    /* Each record takes at least 16 bytes: no count beyond that is real. */
    if (!cache_deps_read(c, &r) || count > (uint64_t)(r.end - r.p) / 16) {
        cache_damaged(c, "已损坏");
        return;
    }
    c->items = xmalloc(((size_t)count + 1) * sizeof *c->items);
    while (c->len < count) {
        if (!cache_record(c, &r, &c->items[c->len]) ||
            (c->len && strcmp(c->items[c->len - 1].path, c->items[c->len].path) >= 0)) {
            cache_damaged(c, "已损坏");
            return;
        }
        c->len++;
    }
    if (!cache_listings_read(c, &r))
        cache_damaged(c, "已损坏");
}

void build_cache_read(build_cache *c, const char *file)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->mem);
    cache_records_load(c, file);
}

void build_cache_open(build_cache *c, const char *file, uint64_t site_key, diag_list *diags)
{
    c->site_key = site_key;
    if (c->keyed && c->file_key != site_key) {
        /* The program, site.toml, Lua modules or output changed: every
         * page anew, whatever the records' state. */
        c->len = 0;
        c->listing_len = 0;
        c->deps_len = 0;
    } else if (c->damage) {
        cache_drop(c, diags, file, c->damage);
    }
    cache_entries_open(c, file, diags);
}

void build_cache_load(build_cache *c, const char *file, uint64_t site_key, diag_list *diags)
{
    build_cache_read(c, file);
    build_cache_open(c, file, site_key, diags);
}

void build_cache_free(build_cache *c)
{
    if (c->entries_path) {
        if (c->out_fd >= 0 && c->out_fd != c->entries_fd)
            close(c->out_fd);
        if (c->entries_fd >= 0)
            close(c->entries_fd);
        if (c->out_path) /* a new entries file the build did not commit */
            unlink(c->out_path);
    }
    free(c->items);
    free(c->listings);
    arena_free(&c->mem);
}

/* ---- writing --------------------------------------------------------------- */

static int cache_item_cmp(const void *pa, const void *pb)
{
    return strcmp((*(const cache_item *const *)pa)->path, (*(const cache_item *const *)pb)->path);
}

int build_cache_save(const char *file, uint64_t site_key, const cache_records *rec, buf *err)
{
    const cache_item **sorted = xmalloc((rec->item_len + 1) * sizeof *sorted);
    size_t len = 0;
    for (size_t i = 0; i < rec->item_len; i++)
        if (rec->items[i].path)
            sorted[len++] = &rec->items[i];
    /* The catalogue's items come in path order, which a glance confirms. */
    for (size_t i = 1; i < len; i++)
        if (strcmp(sorted[i - 1]->path, sorted[i]->path) >= 0) {
            qsort(sorted, len, sizeof *sorted, cache_item_cmp);
            break;
        }
    buf out = BUF_INIT;
    fields_put(&out, CACHE_MAGIC);
    fields_put(&out, build_version());
    fields_put_hex(&out, site_key);
    fields_put_number(&out, len);
    cache_deps_write(&out, rec->deps, rec->deps_len);
    for (size_t i = 0; i < len; i++) {
        const cache_item *it = sorted[i];
        fields_put_hex(&out, it->key);
        fields_put(&out, it->path);
        fields_put(&out, it->version ? it->version : "");
        fields_put(&out, it->working < 0 ? "-" : it->working ? "1" : "0");
        fields_put_number(&out, it->deps);
        fields_put_number(&out, it->entry.off);
        fields_put_number(&out, it->entry.len);
        fields_put_hex(&out, it->entry.sum);
        fields_put_hex(&out, it->qr_key);
        fields_put_number(&out, it->qr.off);
        fields_put_number(&out, it->qr.len);
        fields_put_hex(&out, it->qr.sum);
        fields_put_number(&out, it->page_count);
        for (size_t k = 0; k < it->page_count; k++) {
            fields_put(&out, it->pages[k].path);
            fields_put_number(&out, it->pages[k].size);
        }
    }
    free(sorted);
    cache_listings_write(&out, rec->listings, rec->listing_len);
    buf dir = BUF_INIT;
    const char *slash = strrchr(file, '/');
    buf_put(&dir, file, slash ? (size_t)(slash - file) : 0);
    int rc;
    if (dir.len && path_mkdirs(dir.ptr) != 0) {
        buf_printf(err, "无法建立目录 %s：%s", dir.ptr, strerror(errno));
        rc = -1;
    } else {
        /* Sealed, so written without flushing it to disk: the flush cost
         * 8-20 ms of every build, and a file a power failure cut short only
         * reads as damaged (the next build renders everything). */
        fields_seal(&out);
        rc = atomic_replace(file, out.ptr, out.len, err);
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

uint64_t build_cache_tree_hash(uint64_t h, const char *dir, const char *suffix)
{
    struct dirent **names;
    int n = scandir(dir, &names, cache_visible, alphasort);
    if (n < 0)
        return hash64_str(h, NULL);
    buf path = BUF_INIT, text = BUF_INIT;
    for (int i = 0; i < n; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, names[i]->d_name);
        size_t len = strlen(names[i]->d_name), want = strlen(suffix);
        struct stat st;
        if (stat(path.ptr, &st) == 0 && S_ISDIR(st.st_mode)) {
            h = build_cache_tree_hash(hash64_str(h, names[i]->d_name), path.ptr, suffix);
        } else if (len >= want && strcmp(names[i]->d_name + len - want, suffix) == 0) {
            h = hash64_str(h, names[i]->d_name);
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

/* ---- entries: search entries and QR codes ---------------------------------- */

#define ENTRIES_MAGIC "GKENTRY1"
#define ENTRIES_HEADER 8

/* Start a new entries file at c->out_path. */
static void cache_entries_create(build_cache *c)
{
    buf dir = BUF_INIT;
    const char *slash = strrchr(c->out_path, '/');
    buf_put(&dir, c->out_path, slash ? (size_t)(slash - c->out_path) : 0);
    if (dir.len && path_mkdirs(dir.ptr) != 0)
        c->out_errno = errno;
    else if ((c->out_fd = open(c->out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0 ||
             pwrite(c->out_fd, ENTRIES_MAGIC, ENTRIES_HEADER, 0) != ENTRIES_HEADER)
        c->out_errno = errno ? errno : EIO;
    buf_free(&dir);
    c->out_start = c->out_end = ENTRIES_HEADER;
}

/* Open the entries file beside the records `file` (items.cache:
 * items.entries), and choose where this build's entries go. */
static void cache_entries_open(build_cache *c, const char *file, diag_list *diags)
{
    buf path = BUF_INIT;
    size_t stem = strlen(file);
    if (stem > 6 && strcmp(file + stem - 6, ".cache") == 0)
        stem -= 6;
    buf_put(&path, file, stem);
    buf_puts(&path, ".entries");
    c->entries_path = arena_strdup(&c->mem, path.ptr);
    buf_puts(&path, ".tmp");
    const char *tmp_path = arena_strdup(&c->mem, path.ptr);
    buf_free(&path);
    c->entries_fd = c->out_fd = -1;

    uint64_t live = 0;
    for (size_t i = 0; i < c->len; i++)
        live += c->items[i].entry.len + c->items[i].qr.len;
    int fd = open(c->entries_path, O_RDWR | O_CLOEXEC);
    char magic[ENTRIES_HEADER];
    struct stat st;
    bool usable = fd >= 0 && fstat(fd, &st) == 0 &&
                  pread(fd, magic, ENTRIES_HEADER, 0) == ENTRIES_HEADER &&
                  memcmp(magic, ENTRIES_MAGIC, ENTRIES_HEADER) == 0;
    if (live && !usable) {
        cache_drop(c, diags, c->entries_path,
                   fd < 0 ? "的搜索条目文件缺失" : "的搜索条目文件已损坏");
        live = 0;
    }
    if (!usable && fd >= 0)
        close(fd);
    if (usable) {
        c->entries_fd = fd;
        c->entries_size = (uint64_t)st.st_size;
    }
    /* Append while at most half of the file is dead; else write anew. */
    if (usable && (uint64_t)st.st_size - ENTRIES_HEADER <= 2 * live) {
        c->out_fd = fd;
        c->out_start = c->out_end = (uint64_t)st.st_size;
        return;
    }
    c->out_path = tmp_path;
    cache_entries_create(c);
}

/* Read (into `in`) or write (from `out`) all of len bytes at `off`. */
static int cache_entries_io(int fd, char *in, const char *out, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = in ? pread(fd, in, len, (off_t)off) : pwrite(fd, out, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        if (in)
            in += n;
        else
            out += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* The entry at `at` of the file open at fd, whose entries end at `size`. */
static int cache_entry_read(int fd, uint64_t size, const cache_entry *at, buf *out)
{
    buf_reset(out);
    if (fd < 0 || at->len == 0 || at->off < ENTRIES_HEADER || at->off > size ||
        at->len > size - at->off)
        return -1;
    out->ptr = xgrow(out->ptr, &out->cap, at->len + 1, 1);
    if (cache_entries_io(fd, out->ptr, NULL, at->len, at->off) != 0)
        return -1;
    out->len = at->len;
    out->ptr[out->len] = '\0';
    /* The checksum finds damage and bytes of another entry, cheaply enough
     * to run over every entry reused. */
    return hash64_block(out->ptr, out->len) == at->sum ? 0 : -1;
}

int build_cache_entry_read(const build_cache *c, const cache_entry *at, buf *out)
{
    return cache_entry_read(c->entries_fd, c->entries_size, at, out);
}

int build_cache_entry_reread(build_cache *c, const cache_entry *at, buf *out)
{
    return cache_entry_read(c->out_fd, atomic_load(&c->out_end), at, out);
}

void build_cache_entry_append(build_cache *c, const void *data, size_t len, cache_entry *at)
{
    *at = (cache_entry){0, 0, 0};
    if (c->out_fd < 0 || len == 0)
        return;
    uint64_t off = atomic_fetch_add(&c->out_end, len);
    if (cache_entries_io(c->out_fd, NULL, data, len, off) != 0) {
        int none = 0;
        atomic_compare_exchange_strong(&c->out_errno, &none, errno);
        return;
    }
    *at = (cache_entry){off, hash64_block(data, len), len};
}

void build_cache_entry_keep(build_cache *c, const cache_entry *prev, const void *data, size_t len,
                            cache_entry *at)
{
    if (!c->out_path) {
        *at = *prev;
    } else if (data) {
        build_cache_entry_append(c, data, len, at);
    } else {
        buf bytes = BUF_INIT;
        *at = (cache_entry){0, 0, 0}; /* none, when it does not read back */
        if (build_cache_entry_read(c, prev, &bytes) == 0)
            build_cache_entry_append(c, bytes.ptr, bytes.len, at);
        buf_free(&bytes);
    }
}

int build_cache_entries_commit(build_cache *c, buf *err)
{
    /* Nothing is flushed to disk: every record names its entry's checksum,
     * so an entry a power failure lost or cut short is not read back (its
     * item is rendered again), and a flush cost milliseconds a build. */
    int e = atomic_load(&c->out_errno);
    const char *path = c->out_path ? c->out_path : c->entries_path;
    if (e == 0 && c->out_path && rename(c->out_path, c->entries_path) != 0)
        e = errno;
    if (e) {
        buf_printf(err, "无法写入 %s：%s", path, strerror(e));
        return -1;
    }
    c->out_path = NULL;
    return 0;
}
