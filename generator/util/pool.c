#include "pool.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool_worker {
    pthread_t thread;
    pool_fn fn;
    void *ctx;
    size_t number;
} pool_worker;

static void *pool_worker_main(void *arg)
{
    pool_worker *w = arg;
    w->fn(w->ctx, w->number);
    return NULL;
}

size_t pool_run(size_t workers, pool_fn fn, void *ctx)
{
    if (workers < 1)
        workers = 1;
    pool_worker *w = xcalloc(workers, sizeof *w);
    size_t started = 1;
    for (size_t i = 1; i < workers; i++) {
        w[started] = (pool_worker){0, fn, ctx, started};
        if (pthread_create(&w[started].thread, NULL, pool_worker_main, &w[started]) != 0)
            break;
        started++;
    }
    fn(ctx, 0);
    for (size_t i = 1; i < started; i++)
        pthread_join(w[i].thread, NULL);
    free(w);
    return started;
}

typedef struct pool_range {
    pool_item_fn fn;
    void *ctx;
    size_t n, chunk;
    atomic_size_t next; /* the next chunk */
} pool_range;

static void pool_range_worker(void *ctx, size_t worker)
{
    (void)worker;
    pool_range *r = ctx;
    for (;;) {
        size_t start = atomic_fetch_add(&r->next, 1) * r->chunk;
        if (start >= r->n)
            return;
        size_t end = r->n - start > r->chunk ? start + r->chunk : r->n;
        for (size_t i = start; i < end; i++)
            r->fn(r->ctx, i);
    }
}

void pool_for(size_t workers, size_t n, size_t chunk, pool_item_fn fn, void *ctx)
{
    pool_range r = {fn, ctx, n, chunk ? chunk : 1, 0};
    size_t chunks = (n + r.chunk - 1) / r.chunk;
    if (workers > chunks)
        workers = chunks;
    if (workers < 2) {
        for (size_t i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
    pool_run(workers, pool_range_worker, &r);
}

size_t pool_default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
