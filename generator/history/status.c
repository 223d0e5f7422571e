/* The working flags (含未提交的修改): which item files differ from HEAD, staged or
 * not, or are untracked. libgit2's status pass over content/ reads the
 * index and looks at every file, 22-36 ms at 10 000 items every build; a
 * rebuild after one edit needs the answer for one file.
 *
 * So the flags of the last build are kept in a memo (util/memo.h's map: per
 * file, the hash of its path to the hash of its stat data with the flag and
 * the staged bit in the low bits), written for one HEAD, one index and one
 * set of git settings, which the memo's magic names: HEAD's id; the index
 * file's identity (size, inode, mtime and ctime in ns, and its trailing
 * checksum, which changes with any content); the site's place in the work
 * tree; a hash of the settings and rule files status answers by (the
 * configuration entries, info/exclude, info/attributes, and the .gitignore
 * and .gitattributes of each folder from the work tree's top down to
 * content/) and the program (memo_map adds its version). Under the same
 * magic a file whose stat data is as recorded keeps its flag, and only the
 * others (edited, new, gone) are asked about. One whose index entry was
 * HEAD's (its record says so) still is, the index being the same: its
 * content is compared with HEAD's blob, which needs no index; one HEAD has
 * not is working unless ignored (status_from_head). The rest are asked of
 * git with a status list of exactly their paths (one list costs what
 * loading the index costs, about 5 ms at 10 000 files, where
 * git_status_file costs that per file); when more than a quarter of the
 * files are to be asked about, or there is no usable memo, the whole pass
 * runs as before.
 *
 * Under another HEAD or index (a commit, a staging, a reset) with the same
 * settings, a record still holds for a file whose stat data, HEAD's entry
 * and index entry are all as they were: its index entry was HEAD's (no
 * staged bit), the two HEADs' content/ trees agree on it (compared reading
 * only the subtrees that differ: history_trees_changes) and the new index
 * agrees with the new HEAD (git's status of the index alone, which says
 * what is staged: 8-15 ms at 10 000 files, the whole pass 25-35 ms). A
 * staged file is working; the others are looked at as above, their index
 * entries being HEAD's.
 *
 * Not seen: the rule files in content/'s own subfolders and the user's
 * global ignore and attributes files; a change to one of those alone shows
 * once HEAD, the index or the file itself changes, as git's own index
 * trusts a file's stat data across an attributes change.
 *
 * Racily clean files: git marks an index entry whose file changed in the
 * same second as the index was written, and compares its content next time.
 * Here a file racy when its flag was found (content_stat_racy: its mtime or
 * ctime within 2 s of the moment before the asking) is recorded under a
 * stat hash no file has, so the next build asks about it again; a file
 * recorded under its own is one whose later change must change its stat
 * data. The flags are written only when HEAD and the index are the same
 * after the pass as before it (a commit made meanwhile would file them
 * under the wrong HEAD). */
#include "history_internal.h"

#include "../util/hash.h"
#include "../util/memo.h"
#include "../util/path_index.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATUS_MAGIC "gongkai-status/2"
/* Asking about more than files / STATUS_ASK_SHARE paths costs about what
 * the whole pass does (10 000 files: 1 000 paths 13 ms, 3 000 17 ms, the
 * whole pass 21-28 ms). */
#define STATUS_ASK_SHARE 4

void history_status_keep(history *h, const char *path)
{
    if (h)
        h->status_path = path ? arena_strdup(&h->mem, path) : NULL;
}

/* ---- what the flags were found under ------------------------------------- */

/* The bytes of the small file at `path`, or that there is none. */
static uint64_t status_file_hash(uint64_t hash, const char *path)
{
    buf data = BUF_INIT;
    if (buf_read_file(&data, path) == 0)
        hash = hash64_int(hash64(hash, data.ptr, data.len), (int64_t)data.len);
    else
        hash = hash64_int(hash, -1);
    buf_free(&data);
    return hash;
}

static int status_config_entry(const git_config_entry *e, void *ctx)
{
    uint64_t *hash = ctx;
    *hash = hash64_str(hash64_str(hash64_int(*hash, e->level), e->name), e->value);
    return 0;
}

/* The settings and rule files status answers by (see above). */
static uint64_t status_rules_hash(history *h)
{
    uint64_t hash = HASH64_INIT;
    git_config *cfg = NULL;
    if (git_repository_config_snapshot(&cfg, h->repo) == 0)
        git_config_foreach(cfg, status_config_entry, &hash);
    git_config_free(cfg);
    buf path = BUF_INIT;
    const char *common = git_repository_commondir(h->repo);
    static const char *const infos[] = {"info/exclude", "info/attributes"};
    for (size_t i = 0; i < 2; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s%s", common, infos[i]);
        hash = status_file_hash(hash, path.ptr);
    }
    /* The folders from the top (workdir ends in '/') down to content/. */
    buf folder = BUF_INIT;
    buf_printf(&folder, "%s%scontent/", git_repository_workdir(h->repo), h->prefix.ptr);
    size_t top = strlen(git_repository_workdir(h->repo));
    for (size_t end = top; end <= folder.len; end++) {
        if (folder.ptr[end - 1] != '/')
            continue;
        static const char *const rules[] = {".gitignore", ".gitattributes"};
        for (size_t i = 0; i < 2; i++) {
            buf_reset(&path);
            buf_put(&path, folder.ptr, end);
            buf_puts(&path, rules[i]);
            hash = status_file_hash(hash, path.ptr);
        }
    }
    buf_free(&folder);
    buf_free(&path);
    return hash;
}

/* The index file's identity: its stat data and its trailing checksum. */
static uint64_t status_index_hash(history *h)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%sindex", git_repository_path(h->repo));
    int fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
    buf_free(&path);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return hash64_int(HASH64_INIT, -1); /* none yet */
    }
    content_stat s;
    content_stat_take(&s, &st);
    uint64_t hash = hash64(HASH64_INIT, &s, sizeof s);
    unsigned char sum[GIT_OID_RAWSZ];
    if (st.st_size >= (off_t)sizeof sum &&
        pread(fd, sum, sizeof sum, st.st_size - (off_t)sizeof sum) == (ssize_t)sizeof sum)
        hash = hash64(hash, sum, sizeof sum);
    close(fd);
    return hash;
}

/* The memo's magic: what its flags were found under. */
static void status_magic(history *h, const git_oid *head, uint64_t rules, buf *out)
{
    char id[GIT_OID_HEXSZ + 1] = "-";
    if (head)
        git_oid_tostr(id, sizeof id, head);
    buf_printf(out, "%s %s %016" PRIx64 " %016" PRIx64 " %s", STATUS_MAGIC, id,
               status_index_hash(h), rules, h->prefix.ptr);
}

/* ---- the flags ------------------------------------------------------------ */

/* The low bits of a record's value, below the stat data's hash: the flag,
 * and that git's status found the index's entry for the file other than
 * HEAD's (a staged change or a conflict). */
#define STATUS_WORKING 1u
#define STATUS_STAGED 2u
#define STATUS_BITS 3u

typedef struct status_mark {
    const path_index *paths;
    bool *working, *staged;
} status_mark;

static void status_mark_one(const char *path, unsigned flags, void *ctx)
{
    status_mark *m = ctx;
    long at = path_index_find(m->paths, path);
    if (at < 0)
        return;
    m->working[at] = true;
    if (flags & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_DELETED |
                 GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE | GIT_STATUS_CONFLICTED))
        m->staged[at] = true;
}

/* What a file's flag is recorded under: a hash of its stat data (into *s),
 * or of its absence, the low bits left for STATUS_BITS. `known` false:
 * neither is known (it cannot be looked at), never recorded. */
static uint64_t status_signature(history *h, const history_file *f, int64_t now, content_stat *s,
                                 bool *known, bool *racy)
{
    *known = true;
    *racy = false;
    memset(s, 0, sizeof *s);
    if (f->st) {
        *s = *f->st;
    } else {
        buf full = BUF_INIT;
        buf_printf(&full, "%s/%s", h->cfg->root, f->path);
        struct stat st;
        int e = lstat(full.ptr, &st) == 0 ? 0 : errno;
        buf_free(&full);
        if (e != 0) {
            *known = e == ENOENT || e == ENOTDIR;
            return hash64_str(HASH64_INIT, "(absent)") & ~(uint64_t)STATUS_BITS;
        }
        content_stat_take(s, &st);
    }
    *racy = content_stat_racy(s, now);
    return hash64(HASH64_INIT, s, sizeof *s) & ~(uint64_t)STATUS_BITS;
}

/* The stat hash a racy file is recorded under: its STATUS_STAGED bit,
 * which is of the index and HEAD and not of the file, is kept; its flag
 * never matches and is asked about again. */
static uint64_t status_racy_signature(void)
{
    return hash64_str(HASH64_INIT, "(racy)") & ~(uint64_t)STATUS_BITS;
}

static int64_t status_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether p[0..len) holds "$Id", where libgit2's ident filter acts. */
static bool status_has_ident(const char *p, size_t len)
{
    const char *end = p + len;
    for (; (p = memchr(p, '$', (size_t)(end - p))) != NULL; p++)
        if (end - p >= 3 && p[1] == 'I' && p[2] == 'd')
            return true;
    return false;
}

/* The flag of a file asked about, found without reading the index (5 ms
 * at 10 000 files, which git's attribute lookup would cost too), or -1
 * when git is to be asked. `index_is_head`: git's status found the file's
 * index entry the same as HEAD's (a record without STATUS_STAGED) under
 * this HEAD and this index, which are the memo's magic.
 *
 * A file HEAD has not is untracked or added to the index: working either
 * way, unless ignored, when only an index entry would make it so, which
 * index_is_head rules out. A file HEAD has, with its index entry HEAD's,
 * has the status of its bytes as git would add them against HEAD's blob:
 * those are the file's own when it has no CR and no "$Id", the only
 * filters libgit2 applies on the way in being crlf and ident. Else, or when
 * the file is not a regular one or its executable bit not HEAD's, -1. An
 * index entry marked assume-unchanged or skip-worktree is not seen: the
 * file is compared all the same. */
static int status_from_head(history *h, git_tree *tree, const history_file *f,
                            const content_stat *s, bool index_is_head)
{
    if (!tree || !S_ISREG(s->mode))
        return -1;
    buf rel = BUF_INIT, data = BUF_INIT;
    buf_printf(&rel, "%s%s", h->prefix.ptr, f->path);
    git_tree_entry *e = NULL;
    int rc = -1, found = git_tree_entry_bypath(&e, tree, rel.ptr), ignored;
    if (found == GIT_ENOTFOUND) {
        if (git_ignore_path_is_ignored(&ignored, h->repo, rel.ptr) == 0)
            rc = !ignored ? 1 : index_is_head ? 0 : -1;
    } else if (found == 0 && index_is_head) {
        git_filemode_t want = s->mode & S_IXUSR ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
        /* The bytes the stat data were taken with, as the content stage
         * read them: a later change shows in the next build's stat data. */
        const char *text = f->text;
        size_t len = f->text_len;
        bool have = text != NULL;
        if (!have) {
            buf_reset(&rel);
            buf_printf(&rel, "%s/%s", h->cfg->root, f->path);
            have = buf_read_file(&data, rel.ptr) == 0;
            text = data.ptr;
            len = data.len;
        }
        git_oid id;
        if (git_tree_entry_filemode(e) == want && have && !memchr(text, '\r', len) &&
            !status_has_ident(text, len) && git_odb_hash(&id, text, len, GIT_OBJECT_BLOB) == 0)
            rc = !git_oid_equal(&id, git_tree_entry_id(e));
    }
    git_tree_entry_free(e);
    buf_free(&data);
    buf_free(&rel);
    return rc;
}

/* HEAD's tree, or NULL. */
static git_tree *status_head_tree(history *h, const git_oid *head)
{
    git_commit *c = NULL;
    git_tree *tree = NULL;
    if (head && git_commit_lookup(&c, h->repo, head) == 0 && git_commit_tree(&tree, c) < 0)
        tree = NULL;
    git_commit_free(c);
    return tree;
}

/* Whether the memo's magic `found` differs from `magic` in HEAD and the
 * index alone, with a commit for HEAD, whose id goes into *before. */
static bool status_moved(const char *found, const char *magic, git_oid *before)
{
    /* "name head index rules prefix": the prefix, last, may hold spaces. */
    const char *f[4], *m[4];
    const char *fp = found, *mp = magic;
    for (int k = 0; k < 4; k++) {
        f[k] = fp;
        m[k] = mp;
        fp = strchr(fp, ' ');
        mp = strchr(mp, ' ');
        if (!fp || !mp)
            return false;
        fp++;
        mp++;
    }
    size_t name = (size_t)(f[1] - f[0]), head = (size_t)(f[2] - f[1]) - 1;
    return name == (size_t)(m[1] - m[0]) && memcmp(f[0], m[0], name) == 0 &&
           strcmp(f[3], m[3]) == 0 && head == GIT_OID_HEXSZ &&
           git_oid_fromstrn(before, f[1], head) == 0;
}

static void status_stage_one(const char *path, unsigned flags, void *ctx)
{
    status_mark *m = ctx;
    long at = path_index_find(m->paths, path);
    (void)flags; /* every change HEAD to index is a staged one */
    if (at >= 0)
        m->staged[at] = true;
}

typedef struct status_changed {
    const path_index *paths;
    bool *changed;
} status_changed;

static void status_change_mark(const buf *path, const git_tree_entry *old_e,
                               const git_tree_entry *new_e, void *ctx)
{
    status_changed *c = ctx;
    long at = path_index_find(c->paths, path->ptr);
    (void)old_e;
    (void)new_e;
    if (at >= 0)
        c->changed[at] = true;
}

/* Into changed[]: the files whose entries (id or mode) differ between the
 * content/ trees of commits `from` and `to`. */
static int status_paths_changed(history *h, const git_oid *from, const git_oid *to,
                                const path_index *paths, bool *changed, diag_list *diags)
{
    git_oid trees[2];
    const git_oid *ids[2] = {from, to}, *content[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        git_commit *c = NULL;
        if (git_commit_lookup(&c, h->repo, ids[k]) < 0)
            return -1;
        content[k] = history_content_id(h, c, &trees[k]);
        git_commit_free(c);
    }
    buf path = BUF_INIT;
    buf_puts(&path, "content/");
    status_changed marks = {paths, changed};
    int rc =
        history_trees_changes(h, content[0], content[1], &path, status_change_mark, &marks, diags);
    buf_free(&path);
    return rc;
}

int history_working_find(history *h, const git_oid *head, const history_file *files, size_t n,
                         bool *working, diag_list *diags)
{
    memset(working, 0, n * sizeof *working);
    bool *staged = xcalloc(n + 1, sizeof *staged);
    const char **paths = xmalloc((n + 1) * sizeof *paths);
    for (size_t i = 0; i < n; i++)
        paths[i] = files[i].path;
    path_index index;
    path_index_build(&index, paths, n);
    status_mark mark = {&index, working, staged};
    static const char *const content[] = {"content"};
    if (!h->status_path) {
        int rc = history_status_each(h, content, 1, status_mark_one, &mark, diags);
        path_index_free(&index);
        free(paths);
        free(staged);
        return rc;
    }

    uint64_t rules = status_rules_hash(h);
    buf magic = BUF_INIT;
    status_magic(h, head, rules, &magic);
    buf found = BUF_INIT;
    memo_map *memo = memo_map_open_any(h->status_path, &found);
    memo_map_magic_set(memo, magic.ptr);
    /* Under another HEAD or index, a record still holds for a file whose
     * stat data, HEAD's entry and index entry are all as they were: the
     * index entries were HEAD's (no STATUS_STAGED), the two HEADs' trees
     * agree on the file and the index agrees with the new HEAD on it. */
    bool same = strcmp(found.ptr, magic.ptr) == 0, moved = false;
    bool *changed = xcalloc(n + 1, sizeof *changed);
    git_oid before;
    int rc = 0;
    if (!same && head && status_moved(found.ptr, magic.ptr, &before) &&
        status_paths_changed(h, &before, head, &index, changed, diags) == 0) {
        rc = history_status_staged_each(h, content, 1, status_stage_one, &mark, diags);
        moved = rc == 0;
    }
    /* Taken before anything is asked: a file changed within 2 s of it may
     * change again unseen after the asking. */
    int64_t now = status_now_ns();
    memo_record *recs = xmalloc((n + 1) * sizeof *recs);
    bool *record = xcalloc(n + 1, sizeof *record);
    content_stat *stats = xmalloc((n + 1) * sizeof *stats);
    size_t *ask = xmalloc((n + 1) * sizeof *ask);
    size_t asked = 0;
    for (size_t i = 0; i < n; i++) {
        bool known, racy;
        recs[i].key = hash64_str(HASH64_INIT, files[i].path);
        recs[i].value = status_signature(h, &files[i], now, &stats[i], &known, &racy);
        record[i] = known;
        uint64_t was = 0;
        bool kept = (same || moved) && known && memo_map_find(memo, recs[i].key, &was);
        bool as_was = kept && (was & ~(uint64_t)STATUS_BITS) == recs[i].value;
        if (same && as_was) {
            working[i] = was & STATUS_WORKING;
            staged[i] = was & STATUS_STAGED;
        } else if (same) {
            /* Staged taken as true where the memo does not say. */
            staged[i] = !kept || (was & STATUS_STAGED);
            ask[asked++] = i;
        } else if (moved && staged[i]) {
            working[i] = true; /* staged[] is the index's now */
        } else if (moved && as_was && !(was & STATUS_STAGED) && !changed[i]) {
            working[i] = was & STATUS_WORKING;
        } else {
            staged[i] = !moved;
            ask[asked++] = i;
        }
        if (racy)
            recs[i].value = status_racy_signature();
    }
    if (rc != 0) {
        asked = 0; /* the staged changes could not be read: said already */
    } else if (asked * STATUS_ASK_SHARE > n) {
        memset(working, 0, n * sizeof *working);
        memset(staged, 0, n * sizeof *staged);
        rc = history_status_each(h, content, 1, status_mark_one, &mark, diags);
    } else if (asked) {
        git_tree *tree = status_head_tree(h, head);
        const char **left = xmalloc((asked + 1) * sizeof *left);
        size_t still = 0;
        for (size_t k = 0; k < asked; k++) {
            size_t i = ask[k];
            int flag = status_from_head(h, tree, &files[i], &stats[i], !staged[i]);
            if (flag >= 0) {
                working[i] = flag;
            } else {
                staged[i] = false;
                left[still++] = files[i].path;
            }
        }
        git_tree_free(tree);
        if (still)
            rc = history_status_exact_each(h, left, still, status_mark_one, &mark, diags);
        free(left);
    }

    git_oid after;
    int e = rc == 0 ? history_head_oid(h, &after, diags) : -1;
    buf again = BUF_INIT;
    if (e >= 0)
        status_magic(h, e == 1 ? &after : NULL, rules, &again);
    if (e < 0) {
        rc = -1;
    } else if (strcmp(again.ptr, magic.ptr) == 0) {
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (record[i])
                recs[kept++] = (memo_record){recs[i].key, recs[i].value | working[i] |
                                                              (staged[i] ? STATUS_STAGED : 0)};
        memo_map_keep(memo, recs, kept);
        memo_map_save(memo);
    }
    buf_free(&again);
    memo_map_free(memo);
    buf_free(&found);
    buf_free(&magic);
    free(changed);
    free(ask);
    free(stats);
    free(record);
    free(recs);
    path_index_free(&index);
    free(paths);
    free(staged);
    return rc;
}
