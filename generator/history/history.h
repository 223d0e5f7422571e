/* Versions through git (DESIGN §6), read and written with libgit2, never by
 * running git. Comes after the catalogue and before render: pages show
 * revisions and the release log.
 *
 * - Revisions: one walk over the commit graph gives every item the commits
 *   that changed its file under content/, renames followed; the file on
 *   disk, when it differs from the newest of them, is the working version.
 * - Releases: `gongkai publish` commits the built site onto the release
 *   branch of [publish] (default `site`) straight into the object database
 *   (no work tree, no checkout), parent = the previous release, with an
 *   annotated tag per release. Each release tree carries
 *   releases/manifest.tsv (every item it publishes) and releases/changes.tsv
 *   (what it added, changed and withdrew), from which the release log and
 *   the next release's counts are read.
 * - The source commit: HEAD, the files as committed in it and the tag of the
 *   release built from it, which `gongkai archive` files.
 *
 * A site directory outside any git work tree is fine: no revisions, no
 * releases, and history_is_repository says so. */
#ifndef GK_HISTORY_HISTORY_H
#define GK_HISTORY_HISTORY_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct history history;

/* Open the git repository whose work tree holds cfg->root (searched upward
 * from it, as git does). Returns 0 with *out set, also when there is no
 * repository; -1 after a GK603 diagnostic. cfg must outlive *out. Close with
 * history_close either way (NULL is fine). */
int history_open(history **out, const site_config *cfg, diag_list *diags);
void history_close(history *h);
bool history_is_repository(const history *h);

/* ---- the source commit --------------------------------------------------- */

/* HEAD's commit id (hex) into id; "" when h is NULL, the site is in no
 * repository or nothing is committed yet. Returns 0, or -1 after a GK603
 * diagnostic. */
int history_head_read(history *h, char id[41], diag_list *diags);
/* The file at `path` (from the site root) as committed in `commit` (hex, as
 * history_head_read gives it). Returns 1 with its bytes in *out; 0 when the
 * commit has no regular file there (a link or a folder is none), commit is
 * "" or there is no repository; -1 after a GK603 diagnostic. */
int history_commit_file_read(history *h, const char *commit, const char *path, buf *out,
                             diag_list *diags);

/* ---- revisions ----------------------------------------------------------- */

typedef struct history_revision {
    int number;          /* v1 is the oldest */
    char commit[41];     /* the commit's id, hex */
    char short_id[8];    /* its first 7 digits */
    char blob[41];       /* the file's content at this revision */
    const char *path;    /* where the file was then, from the site root */
    const char *when;    /* "2026-03-01 14:05", the author's time in the author's zone */
    date day;            /* the date of `when` */
    const char *message; /* the commit's summary line */
} history_revision;

typedef struct history_revisions {
    const history_revision *v; /* oldest first */
    size_t len;
    bool working; /* the file on disk is not the newest revision (uncommitted or untracked) */
} history_revisions;

/* The one walk: HEAD and all its ancestors, each commit before its
 * parents (a shallow clone's history starts at its edge), each commit's
 * content/ compared with its first parent's, skipping the subtrees that did
 * not change; where files were added and deleted in one commit,
 * git_diff_find_similar pairs the renames. A merge counts for a file only
 * when the file differs from every parent (git log's rule). Consecutive
 * revisions with the same content (a pure rename) count once. Then a
 * status pass over content/ (or, with history_status_keep, over only the
 * files changed since the last build) marks working versions. On the 10 000-item
 * benchmark corpus committed in 350 commits (10 500 revisions), walk and
 * status together take about 0.07 s and 17 MB: the cost follows the
 * commits and what they change, never items × commits. Returns 0, or -1
 * after a GK603 diagnostic. */
int history_revisions_walk(history *h, const catalogue *cat, diag_list *diags);
/* Keep the walk's result in the file `path` (in the site's .gongkai/): a
 * later walk reads it instead of walking the graph, and after new commits
 * on HEAD walks only those (4 ms instead of 24 ms on the 10 000-item
 * corpus in 297 commits; a build after a commit on that corpus in 10 000
 * commits, 0.13 s instead of 0.37 s). It gives what a full walk gives:
 * walk.c says when it cannot, and then walks in full. The status pass is
 * not kept there (see history_status_keep). Without this call a walk
 * neither reads nor writes the file, for the commands that must not write
 * into the site. */
void history_revisions_keep(history *h, const char *path);
/* Keep the status pass's result (the working flags) in the file `path`
 * (in the site's .gongkai/): a later walk at the same HEAD, index and git
 * settings looks again only at the files whose stat data changed since
 * (status.c has the rules), 0-5 ms instead of 22-36 ms at 10 000 items.
 * Without this call the walk makes the whole status pass and neither reads
 * nor writes the file. */
void history_status_keep(history *h, const char *path);
/* The revisions of cat->items[item] or of cat->withdrawn[w], after the walk
 * (empty lists before it, or without a repository). A withdrawn item whose
 * file is still there (a draft, 不予公开 now) has none: withholding it
 * covers its earlier versions. */
const history_revisions *history_item_revisions(const history *h, size_t item);
const history_revisions *history_withdrawn_revisions(const history *h, size_t w);
/* Replace *out with the file's text at revision r. Returns 0, or -1 after a
 * GK603 diagnostic. */
int history_revision_read(history *h, const history_revision *r, buf *out, diag_list *diags);

/* ---- releases ------------------------------------------------------------ */

typedef enum history_change_kind {
    HISTORY_CHANGE_NEW,
    HISTORY_CHANGE_CHANGED,
    HISTORY_CHANGE_WITHDRAWN,
    HISTORY_CHANGE_KINDS
} history_change_kind;

/* An item a release added, changed or withdrew, as it was then. */
typedef struct history_change {
    history_change_kind kind;
    const char *index_no;
    const char *blob; /* its source's content id ("-" when withdrawn) */
    const char *url;
    const char *title;
} history_change;

typedef struct history_release {
    const char *tag;     /* the tag naming it (of several, the last by name), or NULL */
    char commit[41];     /* the release commit; "" while being published */
    const char *source;  /* the source commit it was built from, or NULL */
    size_t source_dirty; /* files that differed from it (publish --allow-dirty) */
    const char *when;    /* "2026-03-01 14:05", committer time */
    date day;
    const char *message;                 /* the webmaster's -m message, or NULL */
    size_t counts[HISTORY_CHANGE_KINDS]; /* by history_change_kind */
    const history_change *changes;       /* by kind, then index number */
    size_t change_count;
    bool pending; /* being published now: not committed yet */
} history_release;

/* Read the release branch: every release, newest first, with its tags and
 * changes. A release whose tree lacks releases/changes.tsv is listed
 * without changes after a GK606 warning. Returns 0, or -1 after a GK603
 * diagnostic. */
int history_releases_read(history *h, diag_list *diags);
/* The releases read, newest first (a release being published first of
 * all); *n gets their number. */
const history_release *history_release_list(const history *h, size_t *n);
/* The tag of the newest release built from commit `source` (hex) that has
 * one, among the releases read; NULL when there is none (h NULL included). */
const char *history_release_tag_find(const history *h, const char *source);

/* Which releases carried which content of item `index_no`: calls `fn` for
 * each release (oldest first) with the item's blob in it, NULL when the
 * release did not carry the item. */
typedef void (*history_carry_fn)(const history_release *rel, const char *blob, void *ctx);
void history_releases_carrying(const history *h, const char *index_no, history_carry_fn fn,
                               void *ctx);

/* ---- publishing ---------------------------------------------------------- */

/* The sources a build reads (site.toml, catalogue.lock, content/,
 * templates/, themes/) against HEAD: each file with uncommitted changes is a
 * GK602 diagnostic, an error unless allow_dirty (then a warning). Returns
 * 0, or -1 when there are errors (GK601 when there is no repository). */
int history_source_check(history *h, bool allow_dirty, diag_list *diags);

/* Prepare the next release from the published items of `cat` (which must
 * have been checked without errors) against the newest release read by
 * history_releases_read: its changes, counts, tag from [publish]
 * tag_pattern at local time `now` (%Y %m %d, %n = the day's release number,
 * %%), and the webmaster's `message` (NULL for none). The release heads
 * history_release_list from then on, `pending`. Returns 0, or -1 after a
 * diagnostic (GK601, GK603, GK605). */
int history_release_prepare(history *h, const catalogue *cat, const char *message, time_t now,
                            diag_list *diags);
/* Commit the built site in `dir` (to which releases/manifest.tsv and
 * releases/changes.tsv are added) as the prepared release: tree, commit,
 * annotated tag, then the tag and the branch references, the branch only if
 * it still points where it did when the releases were read. All or
 * nothing: on any failure the branch and the tags are as they were (the
 * objects written stay unreferenced, for git gc). Returns 0 with the
 * release's commit filled in, or -1 after a GK604 diagnostic. */
int history_release_commit(history *h, const char *dir, diag_list *diags);

#endif
