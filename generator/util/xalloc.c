#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

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
