/* The archive stage's parts: the deterministic zip writer, work folders,
 * the manifest and the JSON reader that checks it. */
#ifndef GK_ARCHIVE_INTERNAL_H
#define GK_ARCHIVE_INTERNAL_H

#include "archive.h"

#include "../util/arena.h"
#include "../util/sha256.h"
#include "../util/value.h"

/* ---- zip.c: entries collected, hashed, then written sorted ------------- */

/* Where an entry's bytes came from, as manifest.json says. */
#define ARCHIVE_FROM_COMMIT "commit"             /* the file as committed (HEAD) */
#define ARCHIVE_FROM_WORKING_TREE "working-tree" /* not in git: the file on disk */
#define ARCHIVE_FROM_GENERATED "generated"       /* made by gongkai from the content */

typedef struct archive_entry {
    const char *name; /* inside the zip, UTF-8, '/'-separated */
    const char *data; /* the bytes in memory, or NULL for: */
    const char *file; /* a file on disk, read when the zip is written */
    uint64_t size;
    char sha256[SHA256_HEX_SIZE];
    const char *from; /* ARCHIVE_FROM_* */
} archive_entry;

typedef struct archive_zip {
    arena mem;
    archive_entry *v;
    size_t len, cap;
} archive_zip;

void archive_zip_init(archive_zip *z);
void archive_zip_free(archive_zip *z);
bool archive_zip_has(const archive_zip *z, const char *name);
/* Add bytes (copied) under `name`, hashed now. */
void archive_zip_add_data(archive_zip *z, const char *name, const void *data, size_t len,
                          const char *from);
/* Add the file at `path` under `name`: hashed now, read again when written.
 * Returns 0, or -1 with a message in *err. */
int archive_zip_add_file(archive_zip *z, const char *name, const char *path, const char *from,
                         buf *err);
/* Sort the entries by name (bytes), as they go into the zip. */
void archive_zip_sort(archive_zip *z);
/* Write every entry, sorted by name, into a new zip at `path`, each stamped
 * with `stamp` (00:00). Returns 0, or -1 with a message in *err. */
int archive_zip_write(archive_zip *z, const char *path, date stamp, buf *err);

/* ---- workdir.c: private work folders ----------------------------------- */

/* Create <parent>/.gongkai-tmp-<pid> (parent created when missing) after
 * removing the work folders of runs that are no longer running. Returns 0
 * with its path in *out, or -1 with a message in *err. */
int archive_workdir_open(const char *parent, buf *out, buf *err);
/* The files under dir (relative paths, '/'-separated), sorted bytewise. */
int archive_tree_list(const char *dir, arena *mem, const char ***out, size_t *count);

/* ---- period.c ------------------------------------------------------------ */

/* The path from the site root of item it's attachment i (written relative
 * to the item's folder), "./" steps dropped. Returns 0, or -1 when it is
 * empty, absolute, has a backslash or a ".." step: a name that could lead
 * out of content/. */
int archive_attachment_path(const content_item *it, size_t i, buf *out);

/* ---- manifest.c -------------------------------------------------------- */

typedef struct archive_manifest {
    const site_config *cfg;
    const board *board;
    const char *board_title;
    content_period period;
    const char *period_label;
    date stamp;
    const char *source_commit; /* HEAD, or NULL: not in git, or nothing committed */
    const char *release_tag;   /* of the newest release built from it, or NULL */
    const catalogue_item **items;
    size_t item_count;
    const archive_zip *zip; /* every other entry */
} archive_manifest;

#define ARCHIVE_MANIFEST_NAME "manifest.json"

/* manifest.json's text (see README "gongkai archive" for its fields). */
void archive_manifest_json(const archive_manifest *m, buf *out);

/* ---- json.c: reading manifest.json back -------------------------------- */

/* Parse JSON (RFC 8259) into a value tree: objects become tables (a key
 * repeated is an error), numbers without fraction or exponent integers,
 * others floats; null leaves its key (or array slot) out, as the manifest
 * writes null for "none". Nesting deeper than 64 is refused. Returns 0, or
 * -1 with the line, column and problem in *err. */
int archive_json_parse(arena *mem, const char *text, size_t len, value **out, buf *err);

#endif
