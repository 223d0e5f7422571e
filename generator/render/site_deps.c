/* What a kept page depends on besides its data: the template files its
 * render asked for (the page template, its layouts and partials, modules)
 * and what of the whole site it read: the site's figures (item counts,
 * newest date), where other items are (its body links to their files).
 * Renders note these as a dependency set; the build cache keeps each set
 * once and each record the set it was made under, its key covering the
 * set's files as they were. So a template edit renders again only the pages
 * that used that template, and an item added elsewhere only the pages that
 * show counts or link to items. A page's templates are what its data made it ask for, and
 * its data is in its key: the same data asks for the same files. */
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The hash of template file `name` as this build finds it: where it was
 * found and its bytes (a missing file hashes as missing). Read once per
 * name and build. Called with b->lock held. */
static uint64_t deps_file_hash(site_builder *b, const char *name)
{
    for (size_t i = 0; i < b->dep_file_len; i++)
        if (strcmp(b->dep_files[i].name, name) == 0)
            return b->dep_files[i].hash;
    buf path = BUF_INIT, shown = BUF_INIT, text = BUF_INIT;
    uint64_t h = hash64_str(HASH64_INIT, name);
    if (config_template_find(b->cfg, name, &path, &shown) != 0)
        h = hash64_str(h, NULL);
    else if (buf_read_file(&text, path.ptr) != 0)
        h = hash64_str(hash64_str(h, path.ptr), NULL);
    else
        h = hash64(hash64_str(h, path.ptr), text.ptr, text.len);
    buf_free(&path);
    buf_free(&shown);
    buf_free(&text);
    b->dep_files = xgrow(b->dep_files, &b->dep_file_cap, b->dep_file_len + 1, sizeof *b->dep_files);
    b->dep_files[b->dep_file_len++] = (site_dep_file){arena_strdup(&b->mem, name), h};
    return h;
}

/* The key of dependency set d now. Called with b->lock held. */
static uint64_t deps_key(site_builder *b, const cache_deps *d)
{
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)d->file_count);
    for (size_t i = 0; i < d->file_count; i++)
        h = hash64_int(h, (int64_t)deps_file_hash(b, d->files[i]));
    if (d->reads & CACHE_READS_FIGURES)
        h = hash64_int(h, (int64_t)b->counts_key);
    if (d->reads & CACHE_READS_LINKS)
        h = hash64_int(h, (int64_t)b->links_key);
    return h;
}

static int deps_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index in this build's sets of `files` (sorted) and `reads`, added
 * when new. Called with b->lock held. */
static size_t deps_intern(site_builder *b, const char *const *files, size_t n, unsigned reads)
{
    for (size_t k = 0; k < b->deps_len; k++) {
        const cache_deps *d = &b->deps[k];
        size_t i = 0;
        if (d->reads == reads && d->file_count == n)
            while (i < n && strcmp(d->files[i], files[i]) == 0)
                i++;
        if (d->reads == reads && d->file_count == n && i == n)
            return k;
    }
    b->deps = xgrow(b->deps, &b->deps_cap, b->deps_len + 1, sizeof *b->deps);
    b->deps_key = xgrow(b->deps_key, &b->deps_key_cap, b->deps_len + 1, sizeof *b->deps_key);
    cache_deps *d = &b->deps[b->deps_len];
    d->reads = reads;
    d->file_count = n;
    d->files = arena_alloc(&b->mem, (n + 1) * sizeof *d->files);
    for (size_t i = 0; i < n; i++)
        d->files[i] = arena_strdup(&b->mem, files[i]);
    b->deps_key[b->deps_len] = deps_key(b, d);
    return b->deps_len++;
}

void site_deps_open(site_builder *b)
{
    b->prev_deps_key = xmalloc((b->cache.deps_len + 1) * sizeof *b->prev_deps_key);
    for (size_t k = 0; k < b->cache.deps_len; k++)
        b->prev_deps_key[k] = deps_key(b, &b->cache.deps[k]);
}

void site_deps_begin(site_state *st)
{
    template_used_reset(st->ts);
    st->reads = 0;
}

const char **site_deps_files(site_state *st, size_t *n)
{
    const char *const *used;
    *n = template_used(st->ts, &used);
    const char **files = xmalloc((*n + 1) * sizeof *files);
    memcpy(files, used, *n * sizeof *files);
    qsort(files, *n, sizeof *files, deps_name_cmp);
    return files;
}

uint64_t site_deps_key(site_builder *b, uint64_t data_key, const char *const *files, size_t n,
                       unsigned reads, size_t *deps)
{
    pthread_mutex_lock(&b->lock);
    *deps = deps_intern(b, files, n, reads);
    uint64_t key = hash64_int(data_key, (int64_t)b->deps_key[*deps]);
    pthread_mutex_unlock(&b->lock);
    return key;
}

uint64_t site_deps_note(site_state *st, uint64_t data_key, size_t *deps)
{
    size_t n;
    const char **files = site_deps_files(st, &n);
    uint64_t key = site_deps_key(st->b, data_key, files, n, st->reads, deps);
    free(files);
    return key;
}

bool site_deps_keep(site_builder *b, uint64_t data_key, uint64_t stored_key, size_t prev_deps,
                    size_t *deps)
{
    if (prev_deps >= b->cache.deps_len ||
        hash64_int(data_key, (int64_t)b->prev_deps_key[prev_deps]) != stored_key)
        return false;
    const cache_deps *d = &b->cache.deps[prev_deps];
    pthread_mutex_lock(&b->lock);
    *deps = deps_intern(b, d->files, d->file_count, d->reads);
    pthread_mutex_unlock(&b->lock);
    return true;
}

void site_deps_free(site_builder *b)
{
    free(b->deps);
    free(b->deps_key);
    free(b->prev_deps_key);
    free(b->dep_files);
}
