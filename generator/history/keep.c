/* The revision walk's result kept in the site's .gongkai/, so that a build
 * at the same HEAD does not walk the commit graph again. The result is a
 * function of HEAD (which names every commit below it), of what the walk
 * follows (the paths of today's items and withdrawn items, in order: they
 * make the slots), of the site's place in the repository, of the shallow
 * clone's edge (.git/shallow: deepening a clone keeps HEAD), of the
 * program that walked and of what pairs renames (libgit2's version,
 * diff.renameLimit); the file's key holds all of them, and a file whose
 * key differs is not used. The status pass (uncommitted edits) is not
 * kept: it runs every build.
 *
 * The file is only a memo: one that cannot be read, is damaged or was
 * written for another key is ignored without a word, and nothing in it is
 * used before the whole file is checked (checksum, key, every field).
 *
 * Layout, every field ending in a NUL: magic, program version, HEAD, the
 * site's prefix, the shallow edge's and the paths' hashes (16 hex digits
 * each), the slot count, libgit2's version and the rename limit; the
 * commit count, then per commit: id, time as
 * shown, year, month, day, summary; the revision count, then per slot its
 * revision count and per revision (oldest first): commit number, blob id,
 * path; last the checksum (fields_seal). */
#include "history_internal.h"

#include "../util/build.h"
#include "../util/atomic.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAGIC "gongkai-revisions/1"

void history_revisions_keep(history *h, const char *path)
{
    if (h)
        h->keep_path = path ? arena_strdup(&h->mem, path) : NULL;
}

void history_kept_key(const history *h, const catalogue *cat, const git_oid *head, buf *key)
{
    buf shallow = BUF_INIT;
    buf_printf(&shallow, "%sshallow", git_repository_commondir(h->repo));
    uint64_t edge = HASH64_INIT;
    buf data = BUF_INIT;
    if (buf_read_file(&data, shallow.ptr) == 0)
        edge = hash64_block(data.ptr, data.len);
    uint64_t paths = HASH64_INIT;
    paths = hash64_int(paths, (int64_t)cat->item_count);
    for (size_t i = 0; i < cat->item_count; i++)
        paths = hash64_str(paths, cat->items[i].item->rel);
    paths = hash64_int(paths, (int64_t)cat->withdrawn_count);
    for (size_t i = 0; i < cat->withdrawn_count; i++)
        paths = hash64_str(paths, cat->withdrawn[i].path);
    /* What pairs renames: libgit2's own code and the rename limit it
     * reads from the repository's configuration. */
    int major = 0, minor = 0, rev = 0;
    int32_t limit = -1;
    git_libgit2_version(&major, &minor, &rev);
    git_config *cfg = NULL;
    if (git_repository_config_snapshot(&cfg, h->repo) == 0 &&
        git_config_get_int32(&limit, cfg, "diff.renamelimit") < 0)
        limit = -1;
    git_config_free(cfg);
    char id[GIT_OID_HEXSZ + 1];
    git_oid_tostr(id, sizeof id, head);
    buf_puts(key, KEEP_MAGIC);
    buf_putc(key, '\0');
    buf_puts(key, build_version());
    buf_putc(key, '\0');
    buf_puts(key, id);
    buf_putc(key, '\0');
    buf_puts(key, h->prefix.ptr);
    buf_putc(key, '\0');
    buf_printf(key, "%016" PRIx64, edge);
    buf_putc(key, '\0');
    buf_printf(key, "%016" PRIx64, paths);
    buf_putc(key, '\0');
    buf_printf(key, "%zu", h->slot_count);
    buf_putc(key, '\0');
    buf_printf(key, "libgit2 %d.%d.%d %" PRId32, major, minor, rev, limit);
    buf_putc(key, '\0');
    buf_free(&data);
    buf_free(&shallow);
}

static void keep_field(buf *out, const char *s)
{
    buf_puts(out, s);
    buf_putc(out, '\0');
}

static void keep_number(buf *out, size_t n)
{
    buf_printf(out, "%zu", n);
    buf_putc(out, '\0');
}

/* The number of revision r's commit among `first` (the first revision
 * seen of each commit), added if new; `table` is open addressing on the
 * commit ids, 1 + number, 0 empty, `mask` its size less one. */
static size_t keep_commit_number(const history_revision **first, size_t *count, size_t *table,
                                 size_t mask, const history_revision *r)
{
    size_t i = (size_t)hash64_str(HASH64_INIT, r->commit) & mask;
    while (table[i] && strcmp(first[table[i] - 1]->commit, r->commit) != 0)
        i = (i + 1) & mask;
    if (!table[i]) {
        first[*count] = r;
        table[i] = ++*count;
    }
    return table[i] - 1;
}

void history_kept_write(history *h, const buf *key)
{
    size_t n = 0;
    for (size_t s = 0; s < h->slot_count; s++)
        n += h->slots[s].list.len;
    size_t size = 64;
    while (size < n * 2 + 1)
        size *= 2;
    size_t *table = xcalloc(size, sizeof *table), *number = xmalloc((n + 1) * sizeof *number);
    const history_revision **first = xmalloc((n + 1) * sizeof *first);
    size_t commits = 0, at = 0;
    for (size_t s = 0; s < h->slot_count; s++)
        for (size_t i = 0; i < h->slots[s].list.len; i++)
            number[at++] =
                keep_commit_number(first, &commits, table, size - 1, &h->slots[s].list.v[i]);
    buf out = BUF_INIT;
    buf_put(&out, key->ptr, key->len);
    keep_number(&out, commits);
    for (size_t c = 0; c < commits; c++) {
        const history_revision *r = first[c];
        keep_field(&out, r->commit);
        keep_field(&out, r->when);
        keep_number(&out, (size_t)r->day.year);
        keep_number(&out, (size_t)r->day.month);
        keep_number(&out, (size_t)r->day.day);
        keep_field(&out, r->message);
    }
    keep_number(&out, n);
    at = 0;
    for (size_t s = 0; s < h->slot_count; s++) {
        keep_number(&out, h->slots[s].list.len);
        for (size_t i = 0; i < h->slots[s].list.len; i++) {
            const history_revision *r = &h->slots[s].list.v[i];
            keep_number(&out, number[at++]);
            keep_field(&out, r->blob);
            keep_field(&out, r->path);
        }
    }
    fields_seal(&out);
    /* Errors are dropped: without the file the next build walks again. */
    buf dir = BUF_INIT, err = BUF_INIT;
    const char *slash = strrchr(h->keep_path, '/');
    buf_put(&dir, h->keep_path, slash ? (size_t)(slash - h->keep_path) : 0);
    if (!dir.len || path_mkdirs(dir.ptr) == 0)
        atomic_replace(h->keep_path, out.ptr, out.len, &err);
    buf_free(&dir);
    buf_free(&err);
    buf_free(&out);
    free(first);
    free(number);
    free(table);
}

static bool keep_hex(const char *s)
{
    if (strlen(s) != GIT_OID_HEXSZ)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

typedef struct keep_commit {
    const char *id, *when, *message;
    date day;
} keep_commit;

/* Parse the records after the key from r into h; false when any is not as
 * written. The strings stay in r's bytes, which h->mem holds. */
static bool keep_parse(history *h, fields_reader *r)
{
    uint64_t commits = fields_number(r, 10);
    if (r->bad || commits > (size_t)(r->end - r->p) / 6)
        return false;
    keep_commit *c = xmalloc((commits + 1) * sizeof *c);
    for (size_t i = 0; i < commits && !r->bad; i++) {
        c[i].id = fields_next(r);
        c[i].when = fields_next(r);
        c[i].day.year = (int)fields_number(r, 10);
        c[i].day.month = (int)fields_number(r, 10);
        c[i].day.day = (int)fields_number(r, 10);
        c[i].message = fields_next(r);
        if (!keep_hex(c[i].id))
            r->bad = true;
    }
    uint64_t n = fields_number(r, 10);
    bool ok = !r->bad && n <= (size_t)(r->end - r->p) / 3;
    history_revision *v = ok ? xcalloc(n + 1, sizeof *v) : NULL;
    size_t at = 0;
    for (size_t s = 0; ok && s < h->slot_count; s++) {
        uint64_t len = fields_number(r, 10);
        if (r->bad || len > n - at) {
            ok = false;
            break;
        }
        h->slots[s].list.v = v + at;
        h->slots[s].list.len = len;
        for (size_t i = 0; i < len && ok; i++, at++) {
            history_revision *rev = &v[at];
            uint64_t k = fields_number(r, 10);
            const char *blob = fields_next(r);
            rev->path = fields_next(r);
            if (r->bad || k >= commits || !keep_hex(blob) || !*rev->path) {
                ok = false;
                break;
            }
            rev->number = (int)i + 1;
            memcpy(rev->commit, c[k].id, sizeof rev->commit);
            memcpy(rev->short_id, rev->commit, 7);
            memcpy(rev->blob, blob, sizeof rev->blob);
            rev->when = c[k].when;
            rev->day = c[k].day;
            rev->message = c[k].message;
        }
    }
    free(c);
    if (!ok || at != n || r->p != r->end) {
        free(v);
        for (size_t s = 0; s < h->slot_count; s++)
            h->slots[s].list = (history_revisions){NULL, 0, false};
        return false;
    }
    free(h->revisions);
    h->revisions = v;
    h->revision_count = n;
    return true;
}

bool history_kept_read(history *h, const buf *key)
{
    if (!h->keep_path)
        return false;
    buf data = BUF_INIT;
    size_t len;
    bool ok = buf_read_file(&data, h->keep_path) == 0 && fields_sealed(data.ptr, data.len, &len) &&
              len >= key->len && memcmp(data.ptr, key->ptr, key->len) == 0;
    if (ok) {
        /* The key matches: the records are the ones wanted, unless the
         * file is not as this program writes them. */
        char *body = arena_strndup(&h->mem, data.ptr + key->len, len - key->len);
        fields_reader r;
        fields_reader_init(&r, body, len - key->len);
        ok = keep_parse(h, &r);
    }
    buf_free(&data);
    return ok;
}
