/* The rebuild's first look (site.h: render_prefetch_start). */
#include "site_internal.h"

#include "../util/xalloc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct render_prefetch {
    pthread_t thread;
    const char *cache_file, *out_dir; /* after the struct, in its block */
    build_cache cache;
    bool *there;        /* per record: the site has all its pages, of their sizes */
    bool *listed_there; /* per listing record: the site has its page, of its size */
    bool joined, taken;
};

static void *prefetch_run(void *arg)
{
    render_prefetch *p = arg;
    build_cache_read(&p->cache, p->cache_file);
    p->there = xcalloc(p->cache.len + 1, sizeof *p->there);
    int dir = open(p->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* Records in path order: folders in the order they lie on disk. */
    for (size_t r = 0; dir >= 0 && r < p->cache.len; r++) {
        const cache_item *it = &p->cache.items[r];
        bool there = true;
        for (size_t k = 0; k < it->page_count && there; k++)
            there = output_file_there(dir, it->pages[k].path, it->pages[k].size);
        p->there[r] = there;
    }
    /* And every listing page a rebuild would keep: ~2 000 at ten thousand
     * items, else looked at one by one by the render's main thread. */
    p->listed_there = xcalloc(p->cache.listing_len + 1, sizeof *p->listed_there);
    for (size_t r = 0; dir >= 0 && r < p->cache.listing_len; r++) {
        const cache_listing *l = &p->cache.listings[r];
        p->listed_there[r] = output_file_there(dir, l->path, l->size);
    }
    if (dir >= 0)
        close(dir);
    return NULL;
}

render_prefetch *render_prefetch_start(const char *cache_file, const char *out_dir)
{
    size_t file_len = strlen(cache_file) + 1, dir_len = strlen(out_dir) + 1;
    render_prefetch *p = xcalloc(1, sizeof *p + file_len + dir_len);
    char *strings = (char *)(p + 1);
    p->cache_file = memcpy(strings, cache_file, file_len);
    p->out_dir = memcpy(strings + file_len, out_dir, dir_len);
    if (pthread_create(&p->thread, NULL, prefetch_run, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void site_prefetch_take(render_prefetch *p, build_cache *c, bool **there, bool **listed_there)
{
    if (!p->joined)
        pthread_join(p->thread, NULL);
    p->joined = true;
    p->taken = true;
    *c = p->cache;
    *there = p->there;
    *listed_there = p->listed_there;
}

void render_prefetch_free(render_prefetch *p)
{
    if (!p)
        return;
    if (!p->joined)
        pthread_join(p->thread, NULL);
    if (!p->taken) {
        build_cache_free(&p->cache);
        free(p->there);
        free(p->listed_there);
    }
    free(p);
}
