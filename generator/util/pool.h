/* One job on several threads: the calling thread is worker 0 and up to
 * `workers - 1` threads join it, each calling fn(ctx, its number). The job
 * shares out its own work (an atomic counter of items, say), so a thread the
 * system refuses only means fewer hands, never lost work. */
#ifndef GK_UTIL_POOL_H
#define GK_UTIL_POOL_H

#include <stddef.h>

typedef void (*pool_fn)(void *ctx, size_t worker);

/* Run fn on `workers` threads (at least the caller's) and wait for all of
 * them. Returns how many ran. */
size_t pool_run(size_t workers, pool_fn fn, void *ctx);

typedef void (*pool_item_fn)(void *ctx, size_t i);

/* fn(ctx, i) for every i in [0, n), shared out in chunks of `chunk` items
 * (at least 1) on up to `workers` threads; fewer than two chunks run on the
 * calling thread alone. */
void pool_for(size_t workers, size_t n, size_t chunk, pool_item_fn fn, void *ctx);

/* The number of workers that keeps this machine's cores busy. */
size_t pool_default_workers(void);

#endif
