/* The side thread (site_internal.h: site_side_start). At ten thousand
 * items its work is ~3 ms of facets, ~1.5 ms of annual figures and ~6 ms
 * of hashing front matter, which a rebuild's main thread did after the
 * item pages; here it runs beside the cache's opening and the item pages.
 * It reads only what is set before it starts (the catalogue, the published
 * items, the names) and writes only b->facets, b->reports and
 * b->listed_key, which nothing touches until it is waited for. */
#include "site_internal.h"

#include "../util/pool.h"

static void side_work(site_builder *b)
{
    facets_build(&b->facets, b->cat, b->published, b->published_len);
    site_reports_compute(b);
    site_keep_item_front_keys(b);
}

static void *side_run(void *arg)
{
    side_work(arg);
    return NULL;
}

void site_side_start(site_builder *b)
{
    size_t jobs = b->opt->jobs ? b->opt->jobs : pool_default_workers();
    b->side_running = jobs > 1 && pthread_create(&b->side, NULL, side_run, b) == 0;
}

void site_side_join(site_builder *b)
{
    if (!b->side_running)
        return;
    pthread_join(b->side, NULL);
    b->side_running = false;
    b->side_done = true;
}

void site_side_wait(site_builder *b)
{
    site_side_join(b);
    if (!b->side_done)
        side_work(b);
    b->side_done = true;
}
