/* Building the site: every page of DESIGN §5 rendered through the Lua page
 * templates from the model the earlier stages produced (config, items,
 * catalogue with its index numbers, naming.lua for every name), written atomically into the output
 * directory. The list of pages and what each template sees are documented in
 * templates/README.md. */
#ifndef GK_RENDER_SITE_H
#define GK_RENDER_SITE_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../history/history.h"
#include "../util/diag.h"

#include <stdbool.h>
#include <stddef.h>

/* Told how many of the items' pages are done, now and then. */
typedef void (*render_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct render_options {
    const char *out_dir;         /* the site ends up here (public/) */
    bool drafts;                 /* publish draft items too */
    history *history;            /* versions and releases; NULL: none */
    render_progress_fn progress; /* NULL: none */
    void *progress_ctx;
    size_t jobs;                      /* threads rendering the item pages; 0: one per core */
    const char *cache_file;           /* the build cache (render/cache.h); NULL: none */
    struct render_prefetch *prefetch; /* NULL: none (see render_prefetch_start) */
} render_options;

typedef struct render_stats {
    size_t items;     /* items published */
    size_t pages;     /* pages rendered */
    size_t files;     /* files in the site, static files included */
    size_t unchanged; /* of those, the same as in the previous site: not rewritten */
} render_stats;

enum {
    RENDER_ERROR_TEMPLATE = -1, /* a template failed: a diagnostic says where */
    RENDER_ERROR_IO = -2,       /* the output could not be written */
};

/* A rebuild's first look, on a thread of its own while the earlier stages
 * load the model: the build cache's records read from `cache_file`, and
 * whether the site at `out_dir` still has each record's pages (the lstat
 * of every page an unchanged item would keep, at ten thousand items most
 * of what a rebuild's render did), and each listing record's page.
 * Nothing changes the output before the render, which takes both in
 * (render_options.prefetch). NULL when no thread could be started. */
typedef struct render_prefetch render_prefetch;
render_prefetch *render_prefetch_start(const char *cache_file, const char *out_dir);
/* Wait for the thread, and free what the render did not take. */
void render_prefetch_free(render_prefetch *p);

/* Render the whole site. On any error nothing replaces the previous output
 * and the return value says which kind of error it was. */
int render_site(const site_config *cfg, const catalogue *cat, naming *names,
                const render_options *opt, render_stats *stats, diag_list *diags);

#endif
