#include "arena.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN (64 * 1024)
#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_block {
    arena_block *prev;
    size_t used, size;
    _Alignas(max_align_t) unsigned char data[];
};

void arena_init(arena *a)
{
    a->head = NULL;
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->head = NULL;
}

void *arena_alloc_uninit(arena *a, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        /* A large request gets a block of its own, placed behind the current
         * one so the space left in the current block is not wasted. */
        size_t want = size > ARENA_BLOCK_MIN / 4 ? size : ARENA_BLOCK_MIN;
        arena_block *nb = xmalloc(sizeof *nb + want);
        nb->used = 0;
        nb->size = want;
        if (b && want != ARENA_BLOCK_MIN) {
            nb->prev = b->prev;
            b->prev = nb;
        } else {
            nb->prev = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *arena_alloc(arena *a, size_t size)
{
    return memset(arena_alloc_uninit(a, size), 0, size);
}

void arena_adopt(arena *into, arena *from)
{
    arena_block *first = from->head;
    if (!first)
        return;
    from->head = NULL;
    if (!into->head) {
        into->head = first;
        return;
    }
    /* Behind into's current block, which keeps being filled. */
    arena_block *last = first;
    while (last->prev)
        last = last->prev;
    last->prev = into->head->prev;
    into->head->prev = first;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
