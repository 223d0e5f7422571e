/* The output tree of a build. A first build writes a fresh directory beside
 * the target and renames it into place. A rebuild writes only the files
 * whose bytes changed, each under a number in that directory (no folders
 * made there, none to remove after), and moves them into the target once
 * the whole build succeeded, then removes the files no page wrote any
 * more: a failed or interrupted build leaves the previous site as it was
 * (an interruption while moving leaves each file whole, old or new), and a
 * file whose bytes are those of the previous site is never touched: its
 * inode and mtime stay, and rsync or a web server's caches see nothing
 * changed. Writing is safe from several threads.
 *
 * Which files are no page's any more: when the build keeps a list of the
 * files of the site it made (output_list_use, outside the site), the next
 * build removes exactly those listed files it did not write, and the folders
 * that leaves empty, without reading a folder (output_list.c). Without a
 * list it can use, it reads the whole previous site and removes every file
 * no page wrote: so a file put into the output folder by hand goes at the
 * first rebuild and whenever the list cannot be used, and stays otherwise. */
#ifndef GK_RENDER_OUTPUT_H
#define GK_RENDER_OUTPUT_H

#include "../util/arena.h"
#include "../util/buf.h"

#include <pthread.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct output_file {
    char *path;      /* in the site: "czj/index.html" */
    uint32_t staged; /* 0: kept as it is; else written anew, its number in
                      * this build (a rebuild stages it under that name) */
} output_file;

typedef struct output {
    buf target;               /* the directory the site ends up in (public/) */
    buf staging;              /* where this build writes */
    bool update;              /* the target exists: update it file by file */
    int target_fd;            /* the target, open when updating (else -1) */
    _Atomic size_t files;     /* files in the new tree */
    _Atomic size_t unchanged; /* of those, the same as in the previous site */
    _Atomic uint32_t staged;  /* the files a rebuild wrote anew */
    pthread_mutex_t lock;     /* the list of files */
    output_file *written;     /* every file of the new site */
    size_t written_len, written_cap;
    buf list; /* the list of the site's files; empty: none */
    arena mem;
} output;

/* Create the staging directory beside `target` (public.tmp-<pid>/). Returns 0, or -1 with a
 * message in *err. */
int output_open(output *o, const char *target, buf *err);
/* Keep the list of the site's files in the file `list_path` (outside the
 * site: beside the build cache), and prune by it. Call before writing. */
void output_list_use(output *o, const char *list_path);
/* Write `data` at the site path `site_path` ("/czj/" means
 * czj/index.html; "/sitemap.xml" that file), creating folders. */
int output_write(output *o, const char *site_path, const char *data, size_t len, buf *err);
/* Whether the previous site, being updated, has a file of `len` bytes at
 * `site_path` (what the build cache says an unchanged page wrote there). */
bool output_keepable(output *o, const char *site_path, size_t len);
/* Whether the folder open at `dir` (a site's root) has a regular file of
 * `len` bytes at `site_path`, not following a link: output_keepable's
 * look, for a thread that looks before the build opens its output. */
bool output_file_there(int dir, const char *site_path, size_t len);
/* Keep that file in the new site as it is. */
void output_keep(output *o, const char *site_path);
/* The same for site_paths[0..n), at once. */
void output_keep_many(output *o, const char *const *site_paths, size_t n);
/* Copy the file at `from` to the site path `site_path`. */
int output_copy_file(output *o, const char *from, const char *site_path, buf *err);
/* Copy the tree at `dir` into the site root (theme static files). A missing
 * `dir` is not an error. */
int output_copy_tree(output *o, const char *dir, buf *err);
/* Swap the staging tree into place and remove the old site. */
int output_commit(output *o, buf *err);
/* Remove the staging tree (after a failure) and free everything. */
void output_abort(output *o);
void output_free(output *o);

/* The link to write in page `from` (a site path such as "/czj/2025/x/") for
 * the site path `to`: relative ("../../css/site.css"), so the built site
 * works under any directory. */
void output_link(const char *from, const char *to, buf *out);

#endif
