#include "pool.h"
#include "xalloc.h"

#include <pthread.h>
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

size_t pool_default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
