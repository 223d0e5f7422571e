/* Zip packages (DESIGN §8, DOMAIN items 4, 6 and 13), written with libzip:
 *
 * - the period archive (建档): one zip per notice board and period,
 *   archive/<period>-<board>.zip, holding the period's sheets PDF, every
 *   item's Markdown source and attachments as committed in git, each item's
 *   page as the site renders it, and manifest.json listing every file with
 *   its size and SHA-256, the source commit, the release tag, the reviewers
 *   and the period;
 * - the site package: the whole built site with a README.txt, for offline
 *   deployment (township offices without a reliable network).
 *
 * Both are deterministic: the same input gives the same bytes. Entries are
 * sorted by name, stamped with a date taken from the content (the newest
 * item's date, never the clock), deflated at level 9 (entries over
 * ARCHIVE_STORE_ABOVE bytes are stored: they are scans and office files that
 * are compressed already, and deflating gigabytes would take minutes), with
 * fixed permissions, and named in UTF-8 with the zip UTF-8 flag (general
 * purpose bit 11) so that Chinese names open right in Windows' and Linux'
 * tools. ZIP64 is used where sizes or offsets need it (over 4 GiB).
 *
 * A zip is written inside a private work folder beside its target
 * (.gongkai-tmp-<pid>/, with the rendered site and the PDF) and renamed into
 * place only when complete, so an interrupted run never leaves a partial
 * zip under the target's name; work folders of runs that died are removed
 * by the next run. */
#ifndef GK_ARCHIVE_ARCHIVE_H
#define GK_ARCHIVE_ARCHIVE_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../history/history.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARCHIVE_STORE_ABOVE (16u << 20)

enum {
    ARCHIVE_ERROR_CONTENT = -1, /* a diagnostic says what in the content is wrong */
    ARCHIVE_ERROR_IO = -2,      /* a file could not be read or written (GK801) */
};

typedef struct archive_result {
    buf path; /* the zip written */
    size_t items;
    size_t files;   /* entries, manifest.json included */
    uint64_t bytes; /* the entries' uncompressed sizes */
} archive_result;

/* ---- period archives --------------------------------------------------- */

typedef struct archive_session archive_session;

/* Prepare to archive periods into out_dir (created when missing): a work
 * folder in it, the site rendered there once for all the boards, and from
 * h (the site's git history, its releases read; NULL: not in git) the
 * source commit (HEAD, whose files every archive of the session takes) and
 * its release tag. cfg, cat, names, h and diags must outlive the session.
 * Returns 0, or an error above; close the session either way. */
int archive_session_open(archive_session **out, const site_config *cfg, const catalogue *cat,
                         naming *names, history *h, const char *out_dir, diag_list *diags);
/* Remove the work folder and free everything (NULL is fine). */
void archive_session_close(archive_session *s);

/* Write <out_dir>/<period>-<board>.zip. Returns 0 (res filled in; free
 * res->path), or an error above, leaving any previous zip as it was. */
int archive_period_write(archive_session *s, const board *b, content_period period,
                         archive_result *res, diag_list *diags);

/* The latest period of the board's kind that has ended before `today` and
 * has a printable item on the board. False when there is none. */
bool archive_board_latest_closed(const catalogue *cat, const board *b, date today,
                                 content_period *out);

/* ---- the site package -------------------------------------------------- */

/* Build the whole site into a work folder beside out_path and zip it there
 * with README.txt, then rename it to out_path. Returns 0 or an error above. */
int archive_package_write(const site_config *cfg, const catalogue *cat, naming *names, history *h,
                          const char *out_path, archive_result *res, diag_list *diags);

/* ---- checking an archive ----------------------------------------------- */

typedef struct archive_verify_result {
    size_t files;    /* entries checked against manifest.json */
    size_t problems; /* each one a GK805/GK806 diagnostic */
} archive_verify_result;

/* Re-read every entry of the zip at `path`, hash it and compare its size and
 * SHA-256 with manifest.json; entries missing on either side and damaged
 * entries are problems too. Returns 0 when the archive could be read (check
 * res->problems), ARCHIVE_ERROR_CONTENT when it is no readable archive with a
 * manifest, ARCHIVE_ERROR_IO when the file cannot be opened. */
int archive_verify(const char *path, archive_verify_result *res, diag_list *diags);

#endif
