#include "xalloc.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void xalloc_die(size_t size)
{
    fprintf(stderr, "gongkai: 内存不足（申请 %zu 字节失败）\n", size);
    exit(3);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        xalloc_die(size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        xalloc_die(count * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        xalloc_die(size);
    return p;
}

void *xgrow(void *ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return ptr;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > ((size_t)-1) / 2 / elem)
            xalloc_die(need * elem);
        n *= 2;
    }
    *cap = n;
    return xrealloc(ptr, n * elem);
}

/* How far the main heap grows at a time, and the page size it asks the
 * kernel to back it with (x86-64 and arm64 transparent huge pages). */
#define XALLOC_HEAP_PAD ((size_t)64 << 20)
#define XALLOC_HUGE_PAGE ((size_t)2 << 20)

void xalloc_heap_prepare(void)
{
    /* Buffers up to 32 MiB come from the heap and what is freed stays
     * there (glibc's defaults map and unmap each large block, which then
     * faults in again page by page when the next one is touched). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    mallopt(M_TOP_PAD, (int)XALLOC_HEAP_PAD);
    /* Grow the heap by the pad now and ask for huge pages over it: a
     * rebuild of 10 000 items first touches some 50 MiB, 12 000 page
     * faults of 4 KiB at 1.4 us each in a VM, an eighth of its time. The
     * glibc switch that does this (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)
     * is read from the environment before main. The block is larger than
     * any free one could be, so that the heap grows; only a heap this call
     * grew is advised: under another allocator (ASan's) nothing is. */
    size_t size = (size_t)16 << 20;
    char *before = sbrk(0);
    char *block = malloc(size);
    char *after = sbrk(0);
    if (block && before != (char *)-1 && after != (char *)-1 &&
        (size_t)(after - before) >= XALLOC_HEAP_PAD && block < after &&
        size <= (size_t)(after - block)) {
        uintptr_t from = ((uintptr_t)block + XALLOC_HUGE_PAGE - 1) & ~(XALLOC_HUGE_PAGE - 1);
        uintptr_t to = (uintptr_t)after & ~(XALLOC_HUGE_PAGE - 1);
        if (to > from)
            madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
    free(block);
}

void xalloc_heap_release(void)
{
    malloc_trim(0);
}
