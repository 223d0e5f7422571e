/* The text store: the items' texts of earlier runs, kept in the site's
 * .gongkai/ so that a rebuild takes a file whose stat data did not change
 * from one mapped file instead of opening and reading it (as git's index
 * knows a file unchanged by its stat data). Used by build, serve, package
 * and archive (cli/model.c), never by check.
 *
 * With a text is kept its item's parse (parsed.c's bytes: the item as
 * content_item_read made it), so that a rebuild does not split and parse
 * an unchanged file either. A parse depends on
 * the program and on site.toml (its departments and boards): the index
 * says under which it was made (the parse key: a hash of the program
 * version, parsed.c's format and site.toml's bytes); under another, the
 * stored parses are not used, the texts are parsed again and their new
 * parses stored.
 *
 * Two files. `content.texts` is only ever appended to: its header (magic,
 * then the generation, 16 hex digits, each ending in a NUL), then texts,
 * each followed by a NUL, and parses, in any order. `content.index` is
 * written whole after it (atomic_replace, not flushed) and sealed
 * (fields_seal): magic, program version, the generation and committed
 * length of the texts file it was written for, the user it was written as
 * (geteuid), that file's inode, size and ctime in ns as the index's writer
 * left it (0s when another run appended meanwhile), the parse key, the
 * record count, then per file its path from the site root, dev, ino, size,
 * mtime and ctime in ns, mode, its text's offset in content.texts and the
 * text's hash64_block, its parse's offset, length (0: none) and
 * hash64_block; numbers in decimal, every field ending in a NUL.
 *
 * Nothing is trusted. An index that is damaged, of another program version
 * or of another generation than the texts file (a crash between a new texts
 * file and its index), or a texts file shorter than the committed length,
 * makes an empty store, silently, as the catalogue's memos do: the files
 * are read. So does an index another user wrote: the files it read may be
 * ones this user may not read, and should be told so (GK901). A stored
 * text is used only when the file's stat data equals the recorded one and
 * the NUL after it is in place; and when the texts file is not as the
 * index's writer left it (another inode, size or ctime: written to since,
 * by anyone), only when its bytes hash to the recorded hash, which finds a
 * damaged text; else the file is read. A parse is checked so too, against
 * its own hash, and is then read with every step bounds-checked: a damaged
 * one is not used and the text is parsed. A texts file left as it was is not
 * hashed again: its ctime cannot be set back, so only a change within the
 * clock's grain of the index's writer, or the disk itself, could change its
 * bytes unseen, as it could those of any file a build reads. A crash in the middle of an append
 * leaves bytes beyond the committed length, which no record points to: dead bytes, like the texts
 * of edited or removed files. When the dead bytes outnumber the live ones the texts are written to
 * a new file, of a new generation, instead.
 *
 * A file changed within the clock's grain of when it was stat'ed could keep
 * its stat data (as git's "racy" files): one whose mtime or ctime is not
 * well older than the moment the index is written is not stored, so it is
 * read again next time. Only texts that passed every check of the content
 * stage are stored (scan.c), so a stored one skips the UTF-8 check.
 *
 * The texts file is mapped, not read: a text in it costs no copy, and the
 * items point into the mapping, which the content_set unmaps. A new texts
 * file replaces the old one by rename and appends go beyond the mapped
 * length, so a run that has the file mapped keeps reading what it mapped
 * while another run saves; only cutting the file short by hand during a
 * build would take pages from under it (as with git's mapped index). */
#include "content_internal.h"

#include "../util/build.h"
#include "../util/atomic.h"
#include "../util/buf.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/path_index.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define KEEP_INDEX_MAGIC "gongkai-content-index/2"
#define KEEP_TEXTS_MAGIC "gongkai-content-texts/1"
/* The texts file's header: its magic and generation, each with a NUL. */
#define KEEP_HEAD_LEN (sizeof KEEP_TEXTS_MAGIC + 17)
/* File times are coarse (a file system may keep seconds, or the kernel's
 * tick): a file changed less than this before the index is written may
 * have changed again unseen within the same timestamp. */
#define KEEP_RACY_NS 2000000000LL
/* Below this many dead bytes the texts file is never rewritten: a small
 * site would otherwise copy all its texts every few edits. */
#define KEEP_COMPACT_MIN ((uint64_t)1 << 20)

typedef struct keep_record {
    const char *path; /* into the index's bytes */
    content_stat st;
    uint64_t offset, hash;
    uint64_t parsed_offset, parsed_len, parsed_hash; /* parsed_len 0: none */
} keep_record;

/* A file this load found, to be stored: its text is st.size bytes. */
typedef struct keep_found {
    const char *path;
    content_stat st;
    content_kept kept;
} keep_found;

struct content_keep {
    buf index_path, texts_path;
    buf index;      /* the index file as read; the records' paths point into it */
    keep_record *v; /* the records of a usable store, else none */
    size_t len;
    const char **paths;  /* v's, for by_path */
    path_index by_path;  /* of v's paths; built only for a usable store */
    uint64_t generation; /* of the texts file v's offsets are into; 0 none */
    const char *map;     /* that file's first `map_len` (committed) bytes */
    size_t map_len;
    bool handed; /* the mapping is a content_set's now */
    /* The texts file is as the index's writer left it (its inode, size and
     * ctime, which no one can set back): its texts are the bytes they
     * were, and are not hashed again. */
    bool untouched;
    uint64_t parse_key_read; /* the index's parse key */
    uint64_t parse_key;      /* this load's (content_keep_site) */
    bool parses;             /* the two are the same: stored parses may be used */
    keep_found *found;
    size_t found_len, found_cap;
};

void content_stat_take(content_stat *s, const struct stat *st)
{
    s->dev = (uint64_t)st->st_dev;
    s->ino = (uint64_t)st->st_ino;
    s->size = (uint64_t)st->st_size;
    s->mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    s->ctime = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
    s->mode = (uint64_t)st->st_mode;
}

bool content_stat_racy(const content_stat *s, int64_t now_ns)
{
    return s->mtime >= now_ns - KEEP_RACY_NS || s->ctime >= now_ns - KEEP_RACY_NS;
}

static bool keep_stat_equal(const content_stat *a, const content_stat *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime == b->mtime &&
           a->ctime == b->ctime && a->mode == b->mode;
}

/* The texts file's header: its magic and generation (16 hex digits). */
static void keep_put_head(buf *out, uint64_t generation)
{
    buf_put(out, KEEP_TEXTS_MAGIC, sizeof KEEP_TEXTS_MAGIC);
    fields_put_hex(out, generation);
}

static void keep_table_build(content_keep *k)
{
    k->paths = xmalloc((k->len + 1) * sizeof *k->paths);
    for (size_t i = 0; i < k->len; i++)
        k->paths[i] = k->v[i].path;
    path_index_build(&k->by_path, k->paths, k->len);
}

/* The texts file's identity as the index records it: inode, size and
 * ctime in ns (all 0: not known). */
static void keep_texts_identity(const struct stat *st, uint64_t id[3])
{
    id[0] = (uint64_t)st->st_ino;
    id[1] = (uint64_t)st->st_size;
    id[2] = (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
}

/* Read the index; false when it is not one this program wrote whole. */
static bool keep_index_read(content_keep *k, uint64_t *committed, uint64_t texts[3])
{
    size_t len;
    if (buf_read_file(&k->index, k->index_path.ptr) != 0 ||
        !fields_sealed(k->index.ptr, k->index.len, &len))
        return false;
    fields_reader r;
    fields_reader_init(&r, k->index.ptr, len);
    bool head = strcmp(fields_next(&r), KEEP_INDEX_MAGIC) == 0 &&
                strcmp(fields_next(&r), build_version()) == 0;
    k->generation = fields_number(&r, 10);
    *committed = fields_number(&r, 10);
    bool same_user = fields_number(&r, 10) == (uint64_t)geteuid();
    for (int i = 0; i < 3; i++)
        texts[i] = fields_number(&r, 10);
    k->parse_key_read = fields_number(&r, 10);
    uint64_t count = fields_number(&r, 10);
    /* A record takes at least 24 bytes: twelve fields of a byte and a NUL. */
    if (r.bad || !head || !same_user || !k->generation || count > len / 24 || count >= UINT32_MAX)
        return false;
    k->v = xmalloc((count + 1) * sizeof *k->v);
    for (size_t i = 0; i < count && !r.bad; i++) {
        keep_record *rec = &k->v[i];
        rec->path = fields_next(&r);
        rec->st.dev = fields_number(&r, 10);
        rec->st.ino = fields_number(&r, 10);
        rec->st.size = fields_number(&r, 10);
        rec->st.mtime = (int64_t)fields_number(&r, 10);
        rec->st.ctime = (int64_t)fields_number(&r, 10);
        rec->st.mode = fields_number(&r, 10);
        rec->offset = fields_number(&r, 10);
        rec->hash = fields_number(&r, 10);
        rec->parsed_offset = fields_number(&r, 10);
        rec->parsed_len = fields_number(&r, 10);
        rec->parsed_hash = fields_number(&r, 10);
    }
    if (r.bad || r.p != r.end)
        return false;
    k->len = count;
    return true;
}

/* Map the texts file's committed bytes, when it is the generation the index
 * was written for. */
static bool keep_texts_map(content_keep *k, uint64_t committed, const uint64_t recorded[3])
{
    int fd = open(k->texts_path.ptr, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    void *p = MAP_FAILED;
    if (fstat(fd, &st) == 0 && committed >= KEEP_HEAD_LEN && committed <= (uint64_t)st.st_size &&
        committed <= SIZE_MAX)
        p = mmap(NULL, (size_t)committed, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return false;
    uint64_t now[3];
    keep_texts_identity(&st, now);
    k->untouched = recorded[1] == committed && memcmp(now, recorded, sizeof now) == 0;
    buf head = BUF_INIT;
    keep_put_head(&head, k->generation);
    bool ours = memcmp(p, head.ptr, KEEP_HEAD_LEN) == 0;
    buf_free(&head);
    if (!ours) {
        munmap(p, (size_t)committed);
        return false;
    }
    k->map = p;
    k->map_len = (size_t)committed;
    return true;
}

content_keep *content_keep_open(const char *dir)
{
    content_keep *k = xcalloc(1, sizeof *k);
    buf_printf(&k->index_path, "%s/content.index", dir);
    buf_printf(&k->texts_path, "%s/content.texts", dir);
    uint64_t committed = 0, texts[3] = {0, 0, 0};
    if (keep_index_read(k, &committed, texts) && keep_texts_map(k, committed, texts)) {
        keep_table_build(k);
    } else {
        free(k->v);
        k->v = NULL;
        k->len = 0;
        k->generation = 0;
    }
    return k;
}

void content_keep_site(content_keep *k, const site_config *cfg)
{
    uint64_t h = hash64_str(HASH64_INIT, build_version());
    k->parse_key = hash64_int(h, (int64_t)cfg->text_hash);
    k->parses = k->paths && k->parse_key == k->parse_key_read;
}

/* Whether [offset, offset + len) lies in the committed bytes past the
 * header, with `extra` bytes after it (a text's NUL). */
static bool keep_in_file(const content_keep *k, uint64_t offset, uint64_t len, uint64_t extra)
{
    return offset >= KEEP_HEAD_LEN && offset <= k->map_len && len <= k->map_len - offset &&
           extra <= k->map_len - offset - len;
}

bool content_keep_take(const content_keep *k, const char *path, const content_stat *st,
                       content_kept *out)
{
    long at = k->paths ? path_index_find(&k->by_path, path) : -1;
    if (at < 0)
        return false;
    const keep_record *rec = &k->v[at];
    if (!keep_stat_equal(&rec->st, st) || !keep_in_file(k, rec->offset, rec->st.size, 1))
        return false;
    const char *text = k->map + rec->offset;
    size_t len = (size_t)rec->st.size;
    if (text[len] != '\0' || (!k->untouched && hash64_block(text, len) != rec->hash))
        return false;
    memset(out, 0, sizeof *out);
    out->text = text;
    out->hash = rec->hash;
    if (k->parses && rec->parsed_len && keep_in_file(k, rec->parsed_offset, rec->parsed_len, 0)) {
        const char *parsed = k->map + rec->parsed_offset;
        size_t n = (size_t)rec->parsed_len;
        if (k->untouched || hash64_block(parsed, n) == rec->parsed_hash) {
            out->parsed = parsed;
            out->parsed_len = n;
            out->parsed_hash = rec->parsed_hash;
        }
    }
    return true;
}

void content_keep_hand_over(content_keep *k, content_set *set)
{
    if (!k->map || k->handed)
        return;
    set->kept_map = k->map;
    set->kept_map_len = k->map_len;
    k->handed = true;
}

void content_keep_found(content_keep *k, const char *path, const content_stat *st,
                        const content_kept *kept)
{
    k->found = xgrow(k->found, &k->found_cap, k->found_len + 1, sizeof *k->found);
    k->found[k->found_len++] = (keep_found){path, *st, *kept};
}

/* ---- saving ---------------------------------------------------------------- */

static int64_t keep_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A generation unlike the last one: the clock, the process and the old
 * generation mixed; never 0, which means none. */
static uint64_t keep_generation_new(const content_keep *k)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t h = hash64_int(HASH64_INIT, keep_now_ns());
    h = hash64_int(h, (int64_t)ts.tv_nsec);
    h = hash64_int(h, (int64_t)getpid());
    h = hash64_int(h, (int64_t)k->generation);
    return h ? h : 1;
}

/* A run of bytes the texts file holds: a text with its NUL, or a parse. */
typedef struct keep_piece {
    const char *ptr;
    size_t len;
} keep_piece;

/* Whether the bytes lie in the mapped texts file (they were taken from it). */
static bool keep_in_map(const content_keep *k, const char *p)
{
    uintptr_t at = (uintptr_t)p, m = (uintptr_t)k->map;
    return k->map && at >= m && at - m < k->map_len;
}

/* Append the pieces read or made this time (those not in the mapping) to
 * the texts file, and set their offsets. Returns the new
 * committed length, or 0 when the file cannot take them: it is not the
 * mapped generation any more (another run wrote a new one), or it has more
 * dead bytes than live ones and is better written anew. */
static uint64_t keep_texts_append(const content_keep *k, const keep_piece *pieces, size_t n,
                                  uint64_t *offsets)
{
    if (!k->map)
        return 0;
    int fd = open(k->texts_path.ptr, O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    char head[KEEP_HEAD_LEN];
    uint64_t live = 0, fresh = 0;
    for (size_t i = 0; i < n; i++)
        *(keep_in_map(k, pieces[i].ptr) ? &live : &fresh) += pieces[i].len;
    uint64_t end = 0;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= k->map_len &&
        pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
        memcmp(head, k->map, sizeof head) == 0) {
        uint64_t dead = (uint64_t)st.st_size - KEEP_HEAD_LEN - live;
        if (dead <= KEEP_COMPACT_MIN || dead <= live + fresh)
            end = (uint64_t)st.st_size;
    }
    if (end && fresh) {
        buf out = BUF_INIT;
        for (size_t i = 0; i < n; i++) {
            if (!pieces[i].len || keep_in_map(k, pieces[i].ptr))
                continue;
            offsets[i] = out.len;
            buf_put(&out, pieces[i].ptr, pieces[i].len);
        }
        /* O_APPEND, in one write: where the bytes went is where the file
         * ended at the write, which the offset after it tells, even if
         * another run appended meanwhile. A short write (a full disk)
         * leaves dead bytes and no offsets to trust. */
        ssize_t w;
        do
            w = write(fd, out.ptr, out.len);
        while (w < 0 && errno == EINTR);
        off_t after = w == (ssize_t)out.len ? lseek(fd, 0, SEEK_CUR) : -1;
        if (after < 0 || (uint64_t)after < out.len) {
            end = 0;
        } else {
            uint64_t start = (uint64_t)after - out.len;
            for (size_t i = 0; i < n; i++)
                if (pieces[i].len && !keep_in_map(k, pieces[i].ptr))
                    offsets[i] += start;
            end = (uint64_t)after;
        }
        buf_free(&out);
    }
    close(fd);
    return end;
}

/* Write iov[0..n) whole (its entries may be changed). */
static bool keep_write_all(int fd, struct iovec *iov, size_t n)
{
    while (n) {
        ssize_t w = writev(fd, iov, (int)n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        size_t done = (size_t)w;
        for (; n && done >= iov->iov_len; iov++, n--)
            done -= iov->iov_len;
        if (n) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return true;
}

/* Write vectors at a time: each piece as it lies in memory (read into an
 * arena or mapped, a text is followed by a NUL), not copied into one
 * buffer first, which for a site's first build would be tens of MB touched
 * twice. */
#define KEEP_IOV 512

/* Write every piece to a new texts file of a new generation, through a
 * temporary file renamed into place (not flushed, as the index is not: a
 * piece is checked by its hash when it is used). Returns its length, 0 when
 * it could not be written. */
static uint64_t keep_texts_write(const content_keep *k, uint64_t generation,
                                 const keep_piece *pieces, size_t n, uint64_t *offsets)
{
    buf head = BUF_INIT, tmp = BUF_INIT;
    keep_put_head(&head, generation);
    const char *slash = strrchr(k->texts_path.ptr, '/');
    size_t dir_len = slash ? (size_t)(slash + 1 - k->texts_path.ptr) : 0;
    buf_printf(&tmp, "%.*s.%s.%ld.tmp", (int)dir_len, k->texts_path.ptr,
               k->texts_path.ptr + dir_len, (long)getpid());
    uint64_t end = 0;
    int fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd >= 0) {
        struct iovec iov[KEEP_IOV];
        size_t m = 0;
        iov[m++] = (struct iovec){head.ptr, head.len};
        uint64_t at = head.len;
        bool ok = true;
        for (size_t i = 0; i < n && ok; i++) {
            offsets[i] = at;
            iov[m++] = (struct iovec){(void *)pieces[i].ptr, pieces[i].len};
            at += pieces[i].len;
            if (m == KEEP_IOV) {
                ok = keep_write_all(fd, iov, m);
                m = 0;
            }
        }
        ok = ok && keep_write_all(fd, iov, m);
        ok = close(fd) == 0 && ok;
        if (ok && rename(tmp.ptr, k->texts_path.ptr) == 0)
            end = at;
        else
            unlink(tmp.ptr);
    }
    buf_free(&head);
    buf_free(&tmp);
    return end;
}

/* Whether the files to keep are exactly the index's records, as they were
 * read (a rebuild that read and parsed no file it could keep): then neither
 * file is touched, and the index is not even made to be compared. */
static bool keep_unchanged(const content_keep *k, const keep_found **kept, size_t n)
{
    if (n != k->len || !k->parses)
        return false;
    for (size_t i = 0; i < n; i++) {
        const keep_found *f = kept[i];
        const keep_record *rec = &k->v[i];
        if (!keep_in_map(k, f->kept.text) || (uint64_t)(f->kept.text - k->map) != rec->offset ||
            f->kept.hash != rec->hash || !keep_in_map(k, f->kept.parsed) ||
            (uint64_t)(f->kept.parsed - k->map) != rec->parsed_offset ||
            f->kept.parsed_len != rec->parsed_len || !keep_stat_equal(&f->st, &rec->st) ||
            strcmp(f->path, rec->path) != 0)
            return false;
    }
    return true;
}

void content_keep_save(content_keep *k)
{
    if (!k)
        return;
    /* The files changed too lately to be told from a change to come are
     * left out: they are read next time. */
    int64_t now = keep_now_ns();
    const keep_found **kept = xmalloc((k->found_len + 1) * sizeof *kept);
    size_t n = 0;
    for (size_t i = 0; i < k->found_len; i++)
        if (!content_stat_racy(&k->found[i].st, now))
            kept[n++] = &k->found[i];
    if (keep_unchanged(k, kept, n)) {
        free(kept);
        return;
    }
    /* Each file's text with its NUL, then its parse. */
    keep_piece *pieces = xmalloc((2 * n + 1) * sizeof *pieces);
    uint64_t *offsets = xmalloc((2 * n + 1) * sizeof *offsets);
    for (size_t i = 0; i < n; i++) {
        pieces[2 * i] = (keep_piece){kept[i]->kept.text, (size_t)kept[i]->st.size + 1};
        pieces[2 * i + 1] = (keep_piece){kept[i]->kept.parsed, kept[i]->kept.parsed_len};
    }
    for (size_t i = 0; i < 2 * n; i++)
        if (keep_in_map(k, pieces[i].ptr))
            offsets[i] = (uint64_t)(pieces[i].ptr - k->map);

    buf dir = BUF_INIT;
    const char *slash = strrchr(k->texts_path.ptr, '/');
    buf_put(&dir, k->texts_path.ptr, slash ? (size_t)(slash - k->texts_path.ptr) : 0);
    bool dir_made = !dir.len || path_mkdirs(dir.ptr) == 0;
    uint64_t generation = k->generation;
    uint64_t committed = dir_made ? keep_texts_append(k, pieces, 2 * n, offsets) : 0;
    if (!committed && dir_made) {
        generation = keep_generation_new(k);
        committed = keep_texts_write(k, generation, pieces, 2 * n, offsets);
    }
    buf_free(&dir);

    if (committed) {
        buf out = BUF_INIT, err = BUF_INIT;
        buf_put(&out, KEEP_INDEX_MAGIC, sizeof KEEP_INDEX_MAGIC);
        fields_put(&out, build_version());
        fields_put_number(&out, generation);
        fields_put_number(&out, committed);
        fields_put_number(&out, (uint64_t)geteuid());
        /* The texts file as this run leaves it; not known when another run
         * appended to it meanwhile. */
        struct stat st;
        uint64_t id[3] = {0, 0, 0};
        if (stat(k->texts_path.ptr, &st) == 0 && (uint64_t)st.st_size == committed)
            keep_texts_identity(&st, id);
        for (int i = 0; i < 3; i++)
            fields_put_number(&out, id[i]);
        fields_put_number(&out, k->parse_key);
        fields_put_number(&out, n);
        for (size_t i = 0; i < n; i++) {
            const keep_found *f = kept[i];
            buf_put(&out, f->path, strlen(f->path) + 1);
            fields_put_number(&out, f->st.dev);
            fields_put_number(&out, f->st.ino);
            fields_put_number(&out, f->st.size);
            fields_put_number(&out, (uint64_t)f->st.mtime);
            fields_put_number(&out, (uint64_t)f->st.ctime);
            fields_put_number(&out, f->st.mode);
            fields_put_number(&out, offsets[2 * i]);
            fields_put_number(&out, f->kept.hash);
            fields_put_number(&out, f->kept.parsed_len ? offsets[2 * i + 1] : 0);
            fields_put_number(&out, f->kept.parsed_len);
            fields_put_number(&out, f->kept.parsed_hash);
        }
        fields_seal(&out);
        /* Unchanged (nothing edited, nothing appended): not written. */
        if (out.len != k->index.len || memcmp(out.ptr, k->index.ptr, out.len) != 0)
            atomic_replace(k->index_path.ptr, out.ptr, out.len, &err);
        buf_free(&out);
        buf_free(&err);
    }
    free(pieces);
    free(offsets);
    free(kept);
}

void content_keep_free(content_keep *k)
{
    if (!k)
        return;
    if (k->map && !k->handed)
        munmap((void *)k->map, k->map_len);
    buf_free(&k->index_path);
    buf_free(&k->texts_path);
    buf_free(&k->index);
    free(k->v);
    free(k->paths);
    path_index_free(&k->by_path);
    free(k->found);
    free(k);
}
