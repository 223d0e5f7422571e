/* Arena allocation: many small objects that live and die together (a parsed
 * document, an item record, a whole build). Freeing the arena frees them all. */
#ifndef GK_UTIL_ARENA_H
#define GK_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head; /* block being filled; older blocks chain behind it */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);

/* Zeroed memory aligned for any type. Never fails: running out of memory
 * aborts the process with a message (see xalloc.h). */
void *arena_alloc(arena *a, size_t size);
/* The same, not zeroed: for a buffer that is filled at once (a file read
 * whole), so that its pages are not written twice. */
void *arena_alloc_uninit(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);
/* Hand every block of `from` over to `into`, which then frees them: what was
 * allocated from `from` (on another thread, say) lives as long as `into`.
 * `from` is left empty. */
void arena_adopt(arena *into, arena *from);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
