/* The revision walk's result kept in the site's .gongkai/, so that a build
 * does not walk the commit graph again: at the same HEAD the walk takes it
 * as it is, after new commits it walks only those (walk.c). The result is
 * a function of HEAD (which names every commit below it), of what the walk
 * follows (the paths of the items and withdrawn items, which make the
 * slots), of the site's place in the repository, of the shallow clone's
 * edge (.git/shallow: deepening a clone keeps HEAD), of the program that
 * walked and of what pairs renames (libgit2's version, diff.renameLimit).
 * The file's key holds all of them but HEAD and the paths, which the file
 * holds for the walk to compare; a file whose key differs is not used. The
 * status pass (uncommitted edits) is not kept: it runs every build.
 *
 * The file is only a memo: one that cannot be read, is damaged or was
 * written for another key is ignored without a word, and nothing in it is
 * used before the whole file is checked (checksum, key, every field).
 *
 * Layout, every field ending in a NUL: magic, program version, the site's
 * prefix, the shallow edge's hash (16 hex digits), libgit2's version and
 * the rename limit; HEAD, the commit count, then per commit: id, time as
 * shown, year, month, day, summary; the slot count, the revision count,
 * then per slot its path ("" when it is its newest revision's, less
 * "content/"), its revision count and per revision (oldest first): commit
 * number, blob id, path; the count of changed paths and their hashes (16
 * hex digits each, ascending); last the checksum (fields_seal). */
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

#define KEEP_MAGIC "gongkai-revisions/2"
#define KEEP_CONTENT "content/"

void history_revisions_keep(history *h, const char *path)
{
    if (h)
        h->keep_path = path ? arena_strdup(&h->mem, path) : NULL;
}

uint64_t history_path_hash(const char *path)
{
    return hash64_str(HASH64_INIT, path);
}

void history_kept_key(const history *h, buf *key)
{
    buf shallow = BUF_INIT;
    buf_printf(&shallow, "%sshallow", git_repository_commondir(h->repo));
    uint64_t edge = HASH64_INIT;
    buf data = BUF_INIT;
    if (buf_read_file(&data, shallow.ptr) == 0)
        edge = hash64_block(data.ptr, data.len);
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
    fields_put(key, KEEP_MAGIC);
    fields_put(key, build_version());
    fields_put(key, h->prefix.ptr);
    fields_put_hex(key, edge);
    buf_printf(key, "libgit2 %d.%d.%d %" PRId32, major, minor, rev, limit);
    buf_putc(key, '\0');
    buf_free(&data);
    buf_free(&shallow);
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

static int keep_hash_order(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The newest revision's path under content/, or NULL: a slot whose path
 * it is is written with "" for its path. */
static const char *keep_newest_rel(const history_revisions *list)
{
    if (!list->len)
        return NULL;
    const char *newest = list->v[list->len - 1].path;
    size_t n = strlen(KEEP_CONTENT);
    return strncmp(newest, KEEP_CONTENT, n) == 0 ? newest + n : NULL;
}

void history_kept_write(history *h, const buf *key, const git_oid *head,
                        const char *const *slot_path, uint64_t *seen, size_t seen_count)
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
    char id[GIT_OID_HEXSZ + 1];
    fields_put(&out, git_oid_tostr(id, sizeof id, head));
    fields_put_number(&out, commits);
    for (size_t c = 0; c < commits; c++) {
        const history_revision *r = first[c];
        fields_put(&out, r->commit);
        fields_put(&out, r->when);
        fields_put_number(&out, (uint64_t)r->day.year);
        fields_put_number(&out, (uint64_t)r->day.month);
        fields_put_number(&out, (uint64_t)r->day.day);
        fields_put(&out, r->message);
    }
    fields_put_number(&out, h->slot_count);
    fields_put_number(&out, n);
    at = 0;
    for (size_t s = 0; s < h->slot_count; s++) {
        const history_revisions *list = &h->slots[s].list;
        const char *newest = keep_newest_rel(list);
        fields_put(&out, newest && strcmp(newest, slot_path[s]) == 0 ? "" : slot_path[s]);
        fields_put_number(&out, list->len);
        for (size_t i = 0; i < list->len; i++) {
            fields_put_number(&out, number[at++]);
            fields_put(&out, list->v[i].blob);
            fields_put(&out, list->v[i].path);
        }
    }
    qsort(seen, seen_count, sizeof *seen, keep_hash_order);
    size_t distinct = 0;
    for (size_t i = 0; i < seen_count; i++)
        if (!distinct || seen[i] != seen[distinct - 1])
            seen[distinct++] = seen[i];
    fields_put_number(&out, distinct);
    for (size_t i = 0; i < distinct; i++)
        fields_put_hex(&out, seen[i]);
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

typedef struct keep_commit {
    const char *id, *when, *message;
    date day;
} keep_commit;

/* Parse the records after the key from r into k; false when any is not as
 * written. The strings stay in r's bytes, which h->mem holds. */
static bool keep_parse(fields_reader *r, history_kept *k)
{
    const char *head = fields_hex(r, GIT_OID_HEXSZ);
    if (r->bad || git_oid_fromstr(&k->head, head) < 0)
        return false;
    uint64_t commits = fields_number(r, 10);
    if (r->bad || commits > (size_t)(r->end - r->p) / 6)
        return false;
    keep_commit *c = xmalloc((commits + 1) * sizeof *c);
    for (size_t i = 0; i < commits && !r->bad; i++) {
        c[i].id = fields_hex(r, GIT_OID_HEXSZ);
        c[i].when = fields_next(r);
        c[i].day.year = (int)fields_number(r, 10);
        c[i].day.month = (int)fields_number(r, 10);
        c[i].day.day = (int)fields_number(r, 10);
        c[i].message = fields_next(r);
    }
    uint64_t slots = fields_number(r, 10), n = fields_number(r, 10);
    bool ok = !r->bad && slots <= (size_t)(r->end - r->p) / 2 && n <= (size_t)(r->end - r->p) / 3;
    if (ok) {
        k->slot_count = slots;
        k->slot_path = xcalloc(slots + 1, sizeof *k->slot_path);
        k->lists = xcalloc(slots + 1, sizeof *k->lists);
        k->revisions = xcalloc(n + 1, sizeof *k->revisions);
    }
    size_t at = 0;
    for (size_t s = 0; ok && s < slots; s++) {
        const char *path = fields_next(r);
        uint64_t len = fields_number(r, 10);
        if (r->bad || len > n - at) {
            ok = false;
            break;
        }
        history_revision *v = k->revisions + at;
        k->lists[s] = (history_revisions){v, len, false};
        for (size_t i = 0; i < len && ok; i++, at++) {
            uint64_t num = fields_number(r, 10);
            const char *blob = fields_hex(r, GIT_OID_HEXSZ);
            v[i].path = fields_next(r);
            if (r->bad || num >= commits || !*v[i].path) {
                ok = false;
                break;
            }
            v[i].number = (int)i + 1;
            memcpy(v[i].commit, c[num].id, sizeof v[i].commit);
            memcpy(v[i].short_id, v[i].commit, 7);
            memcpy(v[i].blob, blob, sizeof v[i].blob);
            v[i].when = c[num].when;
            v[i].day = c[num].day;
            v[i].message = c[num].message;
        }
        if (ok && !*path)
            path = keep_newest_rel(&k->lists[s]);
        k->slot_path[s] = path;
        ok = ok && path && *path;
    }
    free(c);
    uint64_t seen = ok ? fields_number(r, 10) : 0;
    ok = ok && !r->bad && at == n && seen <= (size_t)(r->end - r->p) / 17;
    if (ok) {
        k->seen = xmalloc((seen + 1) * sizeof *k->seen);
        k->seen_count = seen;
        for (size_t i = 0; i < seen; i++) {
            k->seen[i] = fields_number(r, 16);
            /* Ascending, as written: history_kept_seen searches them. */
            if (i && k->seen[i] <= k->seen[i - 1])
                r->bad = true;
        }
    }
    return ok && !r->bad && r->p == r->end;
}

bool history_kept_read(history *h, const buf *key, history_kept *out)
{
    memset(out, 0, sizeof *out);
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
        ok = keep_parse(&r, out);
        if (!ok)
            history_kept_free(out);
    }
    buf_free(&data);
    return ok;
}

bool history_kept_seen(const history_kept *k, const char *path)
{
    uint64_t want = history_path_hash(path);
    size_t lo = 0, hi = k->seen_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->seen[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->seen_count && k->seen[lo] == want;
}

void history_kept_free(history_kept *k)
{
    free(k->slot_path);
    free(k->lists);
    free(k->revisions);
    free(k->seen);
    memset(k, 0, sizeof *k);
}
