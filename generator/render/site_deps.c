/* What a kept page depends on besides its data, its inputs: the template
 * files its render asked for (the page template, its layouts and partials,
 * modules), the site's figures it read (the site's item count and newest
 * date, a department's or a category's item count: each apart) and the
 * items' files its body links to (which item is at each, and its URL).
 * Renders note these as a dependency set; the build cache keeps each set
 * once and each record the set it was made under, its key covering the
 * set's inputs as they were. So a template edit renders again only the
 * pages that used that template, and an item added elsewhere only the
 * pages that show the counts it changed or link to its file. A page's
 * inputs are what its data made it ask for, and its data is in its key:
 * the same data asks for the same inputs. */
#include "site_internal.h"

#include "../util/hash.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int deps_input_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const site_dep_file *)elem)->name);
}

/* The hash of input `name` in this build: of a figure, its value (one no
 * longer there hashes as missing); of a linked file, the URL of the item
 * there (none hashes as missing); of a template file, where it was found
 * and its bytes (a missing file hashes as missing), read once per name and
 * build. Called with b->lock held. */
static uint64_t deps_input_hash(site_builder *b, const char *name)
{
    if (name[0] == '#') {
        const site_dep_file *f =
            bsearch(name, b->figures, b->figure_count, sizeof *b->figures, deps_input_cmp);
        return f ? f->hash : hash64_str(hash64_str(HASH64_INIT, name), NULL);
    }
    if (name[0] == '@') {
        const catalogue_item *target = site_item_by_source(b, name + 1);
        return hash64_str(hash64_str(HASH64_INIT, name), target ? target->url : NULL);
    }
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
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)d->input_count);
    for (size_t i = 0; i < d->input_count; i++)
        h = hash64_int(h, (int64_t)deps_input_hash(b, d->inputs[i]));
    return h;
}

static int deps_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index in this build's sets of `inputs` (sorted), added when new.
 * Called with b->lock held. */
static size_t deps_intern(site_builder *b, const char *const *inputs, size_t n)
{
    for (size_t k = 0; k < b->deps_len; k++) {
        const cache_deps *d = &b->deps[k];
        size_t i = 0;
        if (d->input_count == n)
            while (i < n && strcmp(d->inputs[i], inputs[i]) == 0)
                i++;
        if (d->input_count == n && i == n)
            return k;
    }
    b->deps = xgrow(b->deps, &b->deps_cap, b->deps_len + 1, sizeof *b->deps);
    b->deps_key = xgrow(b->deps_key, &b->deps_key_cap, b->deps_len + 1, sizeof *b->deps_key);
    cache_deps *d = &b->deps[b->deps_len];
    d->input_count = n;
    d->inputs = arena_alloc(&b->mem, (n + 1) * sizeof *d->inputs);
    for (size_t i = 0; i < n; i++)
        d->inputs[i] = arena_strdup(&b->mem, inputs[i]);
    b->deps_key[b->deps_len] = deps_key(b, d);
    return b->deps_len++;
}

static int deps_figure_cmp(const void *a, const void *b)
{
    return strcmp(((const site_dep_file *)a)->name, ((const site_dep_file *)b)->name);
}

/* Name slot `slot`'s figures: `n` items, and the newest date or NULL. */
static void deps_figure_set(site_builder *b, size_t slot, const char *name, size_t n,
                            const char *updated)
{
    uint64_t h = hash64_int(hash64_str(HASH64_INIT, name), (int64_t)n);
    if (updated)
        h = hash64_str(h, updated);
    b->figure_name[slot] = name;
    b->figures[slot] = (site_dep_file){name, h};
}

void site_figures_open(site_builder *b)
{
    const site_config *cfg = b->cfg;
    const catalogue *cat = b->cat;
    b->figure_count = 1 + cfg->department_count + cat->count;
    b->figure_name = arena_alloc(&b->mem, b->figure_count * sizeof *b->figure_name);
    b->figures = arena_alloc(&b->mem, b->figure_count * sizeof *b->figures);
    deps_figure_set(b, SITE_FIGURES_SITE, "#site", b->published_len, b->updated);
    for (size_t i = 0; i < cfg->department_count; i++)
        deps_figure_set(b, site_figures_dept(i),
                        arena_printf(&b->mem, "#dept:%s", cfg->departments[i].id),
                        b->dept[i].item_count, NULL);
    for (size_t i = 0; i < cat->count; i++)
        deps_figure_set(b, site_figures_category(b, i),
                        arena_printf(&b->mem, "#category:%s", cat->categories[i].key),
                        b->category[i].item_count, NULL);
    qsort(b->figures, b->figure_count, sizeof *b->figures, deps_figure_cmp);
}

void site_figure_note(site_state *st, size_t slot)
{
    if (st->figure_read[slot])
        return;
    st->figure_read[slot] = true;
    st->figures_read[st->figures_read_len++] = (uint32_t)slot;
}

void site_link_note(site_state *st, const char *path)
{
    if (!st->b->next)
        return; /* no build cache: nothing keeps the note, nothing clears it */
    for (size_t k = 0; k < st->links_read_len; k++)
        if (strcmp(st->links_read[k] + 1, path) == 0)
            return;
    st->links_read =
        xgrow(st->links_read, &st->links_read_cap, st->links_read_len + 1, sizeof *st->links_read);
    st->links_read[st->links_read_len++] = arena_printf(&st->mem, "@%s", path);
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
    for (size_t k = 0; k < st->figures_read_len; k++)
        st->figure_read[st->figures_read[k]] = false;
    st->figures_read_len = 0;
    st->links_read_len = 0;
}

const char **site_deps_inputs(site_state *st, size_t *n)
{
    const char *const *used;
    size_t files = template_used(st->ts, &used), figures = st->figures_read_len;
    *n = files + figures + st->links_read_len;
    const char **inputs = xmalloc((*n + 1) * sizeof *inputs);
    memcpy(inputs, used, files * sizeof *inputs);
    for (size_t k = 0; k < figures; k++)
        inputs[files + k] = st->b->figure_name[st->figures_read[k]];
    for (size_t k = 0; k < st->links_read_len; k++)
        inputs[files + figures + k] = st->links_read[k];
    qsort(inputs, *n, sizeof *inputs, deps_name_cmp);
    return inputs;
}

uint64_t site_deps_key(site_builder *b, uint64_t data_key, const char *const *inputs, size_t n,
                       size_t *deps)
{
    pthread_mutex_lock(&b->lock);
    *deps = deps_intern(b, inputs, n);
    uint64_t key = hash64_int(data_key, (int64_t)b->deps_key[*deps]);
    pthread_mutex_unlock(&b->lock);
    return key;
}

uint64_t site_deps_note(site_state *st, uint64_t data_key, size_t *deps)
{
    size_t n;
    const char **inputs = site_deps_inputs(st, &n);
    uint64_t key = site_deps_key(st->b, data_key, inputs, n, deps);
    free(inputs);
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
    *deps = deps_intern(b, d->inputs, d->input_count);
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
