/* Allocation that cannot fail: on exhaustion the process reports it and exits
 * with status 3 (internal failure), as documented for the command line. */
#ifndef GK_UTIL_XALLOC_H
#define GK_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of `elem` sized items so that it holds at least `need`. */
void *xgrow(void *ptr, size_t *cap, size_t need, size_t elem);

/* Tune the allocator for a build (once, first thing in main): fewer, larger
 * page faults. Nothing changes but speed when the system refuses. */
void xalloc_heap_prepare(void);
/* Hand the pages the heaps hold free back to the kernel: after a stage that
 * freed much that later stages will not reuse (xalloc_heap_prepare keeps
 * what is freed). */
void xalloc_heap_release(void);

#endif
