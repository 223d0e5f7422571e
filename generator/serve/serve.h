/* The preview server (gongkai serve): builds the site into a directory of
 * its own, serves it over HTTP with libmicrohttpd, watches the sources with
 * inotify and rebuilds on every change, and tells open pages to reload
 * through server-sent events. The reload script (and, after a failed build,
 * a panel with the diagnostics) is injected into HTML responses only: the
 * built files never contain it. A failed build leaves the last good site
 * served. */
#ifndef GK_SERVE_SERVE_H
#define GK_SERVE_SERVE_H

#include "../util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Build the site into out_dir. Returns 0 on success, else nonzero with the
 * diagnostics, as text, in *report. Called on the serving thread only. */
typedef int (*serve_build_fn)(void *ctx, const char *out_dir, buf *report);

typedef struct serve_options {
    const char *site;    /* the site directory: content/, templates/, themes/, site.toml */
    const char *out_dir; /* where the preview is built (the server owns it) */
    const char *bind;    /* a numeric IPv4 or IPv6 address */
    int port;            /* 0: any free port */
    serve_build_fn build;
    void *ctx;
} serve_options;

enum {
    SERVE_ERROR_START = -1, /* the address, the port or out_dir is not usable */
    SERVE_ERROR_WATCH = -2, /* the sources cannot be watched */
};

/* Serve until SIGINT or SIGTERM, then stop gracefully (event streams ended,
 * connections closed, threads joined). Returns 0 then, or one of the errors
 * above with a message in *err. */
int serve_run(const serve_options *opt, buf *err);

/* ---- the parts, exposed for tests -------------------------------------- */

typedef enum serve_path_status {
    SERVE_PATH_OK,
    SERVE_PATH_BAD, /* not a path of the site: refused with 400 */
} serve_path_status;

/* Turn a request target (as the client sent it, still %-encoded, without
 * the query) into a path relative to the served directory ("" for the
 * root, "czj/2025/x/" keeps its slash). Refused: targets that do not start
 * with exactly one "/" (absolute-form URLs, "//host/…"), bad %-escapes,
 * encoded "/" or "\", NUL and other control bytes, backslashes, and any
 * ".." segment, encoded or not. "." segments and repeated slashes inside
 * the path are dropped. */
serve_path_status serve_path_normalise(const char *target, buf *out);

/* The Content-Type for a file name: text types carry charset=utf-8. */
const char *serve_mime_type(const char *name);

/* Where the reload snippet goes in a page: before the last </body>, else at
 * the end. Returns the offset. */
size_t serve_inject_offset(const char *html, size_t len);

#endif
