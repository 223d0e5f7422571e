/* Shared between the files of the history stage, not used outside it. */
#ifndef GK_HISTORY_INTERNAL_H
#define GK_HISTORY_INTERNAL_H

#include "history.h"

#include <git2.h>

/* The revisions of one file, followed through renames: one per item path. */
typedef struct history_slot {
    history_revisions list; /* into history.revisions */
} history_slot;

struct history {
    const site_config *cfg;
    git_repository *repo; /* NULL: the site is in no git work tree */
    bool started;         /* libgit2 was started: a work tree may hold the site */
    buf prefix;           /* the site root inside the work tree: "" or "sites/x/" */
    arena mem;

    history_slot *slots;
    size_t slot_count;
    size_t *item_slot, item_count; /* per catalogue item */
    size_t *withdrawn_slot, withdrawn_count;
    /* Every revision of every slot: in walk order while walking (with its
     * slot in found_slot), then grouped by slot, oldest first. */
    history_revision *revisions;
    size_t *found_slot, revision_count, revision_cap, found_cap;
    const char *keep_path;   /* where the walk's result is kept, or NULL */
    const char *status_path; /* where the working flags are kept, or NULL */

    history_release *releases; /* newest first */
    size_t release_count, release_cap;
    git_oid tip; /* the release branch as read, when has_tip */
    bool has_tip;

    size_t dirty;          /* files history_source_check found changed */
    git_time publish_time; /* of the prepared release */
    buf manifest, changes, message;
};

/* libgit2's object cache and pack mappings, at most, and the size of one
 * pack window (history_open). */
#define HISTORY_CACHE_MAX (16 << 20)
#define HISTORY_MAPPED_MAX (8 << 20)
#define HISTORY_WINDOW (2 << 20)

/* Free h's repository object and open it again, and hand the heap's free
 * pages back: what a walk over every commit leaves (its cache, its pack
 * windows, the heap they grew) is not held through the render. Returns 0,
 * or -1 after a GK603 diagnostic (h has no repository then). */
int history_repository_renew(history *h, diag_list *diags);

/* The id of the site's content/ tree in commit c, into *out; NULL when it
 * has none (trees.c). */
const git_oid *history_content_id(history *h, git_commit *c, git_oid *out);
/* A file that differs between two trees: its path (the prefix given, then
 * its path below the trees) and its entries, NULL on the side that has no
 * file there. */
typedef void (*history_change_fn)(const buf *path, const git_tree_entry *old_e,
                                  const git_tree_entry *new_e, void *ctx);
/* Call fn for every file that differs between the trees old_id and new_id
 * (either NULL: empty), in path order; `path` holds the prefix and is as
 * it was after. Returns 0, or -1 after a GK603 diagnostic. */
int history_trees_changes(history *h, const git_oid *old_id, const git_oid *new_id, buf *path,
                          history_change_fn fn, void *ctx, diag_list *diags);

/* A GK603 (or other `code`) error naming what failed and libgit2's reason.
 * Returns -1. */
int history_fail(diag_list *diags, const char *code, const char *what);

/* Call fn for every file with uncommitted changes (index or work tree,
 * untracked included, ignored not) under the site paths `paths` (relative to
 * the site root), with its path from the site root and its status flags. */
typedef void (*history_status_fn)(const char *path, unsigned flags, void *ctx);
int history_status_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                        void *ctx, diag_list *diags);

/* The same for HEAD against the index alone: the staged changes. */
int history_status_staged_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                               void *ctx, diag_list *diags);

/* The same for exactly the files `paths` (from the site root), each taken
 * as a path, never as a pattern. */
int history_status_exact_each(history *h, const char *const *paths, size_t n, history_status_fn fn,
                              void *ctx, diag_list *diags);

/* A file whose working flag the status pass gives: its path from the site
 * root (content/...) and its stat data as the content stage took it, NULL
 * when it did not (the file may be gone); with them, its bytes as taken
 * then (text[0..text_len)), NULL when there are none. */
typedef struct history_file {
    const char *path;
    const content_stat *st;
    const char *text;
    size_t text_len;
} history_file;

/* Into working[i]: whether files[i] differs from HEAD (`head`, NULL when
 * nothing is committed), in the index or in the work tree, or is
 * untracked (status.c). With history_status_keep, through the flags kept
 * by the last build. Returns 0, or -1 after a GK603 diagnostic. */
int history_working_find(history *h, const git_oid *head, const history_file *files, size_t n,
                         bool *working, diag_list *diags);

/* HEAD's commit into *id: 1, or 0 when nothing is committed yet; -1 after a
 * GK603 diagnostic. */
int history_head_oid(history *h, git_oid *id, diag_list *diags);

/* Call fn for every commit reachable from HEAD, each before its parents,
 * newer first where the graph leaves the choice; parents missing from a
 * shallow clone end their line. Stops at fn's first non-zero return, which
 * it returns; -1 after a GK603 diagnostic. */
typedef int (*history_commit_fn)(git_commit *c, void *ctx);
int history_commits_each(history *h, history_commit_fn fn, void *ctx, diag_list *diags);

/* A git time as "YYYY-MM-DD HH:MM" in its own zone, its date in *day. */
const char *history_time_format(arena *mem, const git_time *t, date *day);
/* The regular file at `path` in `tree`: 1 with its bytes in *out, 0 when
 * there is none (a link or a folder is none), -1 when it cannot be read. */
int history_tree_file(history *h, git_tree *tree, const char *path, buf *out);

/* The walk's result kept (keep.c): what a walk from `head` gave, its
 * slots made from the paths in slot_path (under content/), and the hashes
 * (history_path_hash) of every path that a commit below `head` changed. */
typedef struct history_kept {
    git_oid head;
    size_t slot_count;
    const char **slot_path;
    history_revisions *lists; /* per slot, oldest first, numbered */
    history_revision *revisions;
    uint64_t *seen; /* sorted, each once */
    size_t seen_count;
} history_kept;

uint64_t history_path_hash(const char *path);
/* The key of what a walk's result depends on besides HEAD and the paths
 * walked: the program, the site's place in the repository, the shallow
 * clone's edge, what pairs renames. */
void history_kept_key(const history *h, buf *key);
/* The result kept under `key` into *out: true, or false (*out empty) when
 * there is no such file or it is damaged. */
bool history_kept_read(history *h, const buf *key, history_kept *out);
/* Whether a commit below out->head changed `path`. */
bool history_kept_seen(const history_kept *k, const char *path);
void history_kept_free(history_kept *k);
/* Keep h's slots, walked from the paths `slot_path` at `head`, and the
 * changed paths' hashes seen[0..seen_count) (sorted here) under `key`; a
 * file that cannot be written is not. */
void history_kept_write(history *h, const buf *key, const git_oid *head,
                        const char *const *slot_path, uint64_t *seen, size_t seen_count);

#define HISTORY_RELEASES_DIR "releases"
#define HISTORY_MANIFEST "releases/manifest.tsv"
#define HISTORY_CHANGES "releases/changes.tsv"

#endif
