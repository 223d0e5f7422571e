#include "pool.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool {
    pool_job_fn fn;
    void *ctx;
    size_t jobs;
    atomic_size_t next;
    atomic_int failure; /* the first non-zero return, 0 while all is well */
} pool;

typedef struct pool_worker {
    pool *p;
    size_t index;
} pool_worker;

static void *pool_work(void *arg)
{
    pool_worker *w = arg;
    pool *p = w->p;
    for (;;) {
        if (atomic_load(&p->failure))
            break;
        size_t job = atomic_fetch_add(&p->next, 1);
        if (job >= p->jobs)
            break;
        int rc = p->fn(p->ctx, w->index, job);
        if (rc) {
            int none = 0;
            atomic_compare_exchange_strong(&p->failure, &none, rc);
        }
    }
    return NULL;
}

int pool_run(size_t workers, size_t jobs, pool_job_fn fn, void *ctx)
{
    pool p = {fn, ctx, jobs, 0, 0};
    if (workers < 1)
        workers = 1;
    if (workers > jobs)
        workers = jobs ? jobs : 1;
    pthread_t *threads = xcalloc(workers, sizeof *threads);
    pool_worker *ws = xcalloc(workers, sizeof *ws);
    size_t started = 0;
    for (size_t i = 1; i < workers; i++) {
        ws[i] = (pool_worker){&p, i};
        if (pthread_create(&threads[i], NULL, pool_work, &ws[i]) != 0)
            break; /* fewer threads: the work still gets done */
        started = i;
    }
    ws[0] = (pool_worker){&p, 0};
    pool_work(&ws[0]);
    for (size_t i = 1; i <= started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    free(ws);
    return atomic_load(&p.failure);
}

size_t pool_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
