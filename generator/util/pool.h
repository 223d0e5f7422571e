/* Work spread over threads: jobs 0..n-1 handed out one at a time from a
 * shared counter, so a slow job never holds up a fixed share of the others.
 * Each worker has its own state (a Lua state, a parser) created by the
 * caller before pool_run. */
#ifndef GK_UTIL_POOL_H
#define GK_UTIL_POOL_H

#include <stdbool.h>
#include <stddef.h>

/* Run job `job` on worker `worker`. A non-zero return stops the pool: jobs
 * not yet started are not run. */
typedef int (*pool_job_fn)(void *ctx, size_t worker, size_t job);

/* Run jobs 0..jobs-1 on `workers` threads (the calling thread is one of
 * them). Returns 0 when every job returned 0, else the first failure's
 * value. */
int pool_run(size_t workers, size_t jobs, pool_job_fn fn, void *ctx);

/* The number of processors online, at least 1. */
size_t pool_cpu_count(void);

#endif
