/* The register's lookups (number, id, URL, live path → entry): tens of
 * thousands of long keys, each looked up and added with one hash, the keys
 * themselves not copied (they are the entries' own strings), the table
 * sized for the file as read. The keys are spread over memory: a slot is
 * small and holds part of its key's hash, so that a probe rarely reads a
 * key that is not the one looked for. */
#include "catalogue_internal.h"

#include "../util/hash.h"

#include <string.h>

typedef struct lock_slot {
    uint32_t tag; /* the high half of the key's hash */
    int32_t value;
    const char *key; /* NULL: empty */
} lock_slot;

struct lock_map {
    lock_slot *slots;
    size_t cap, used; /* cap a power of two; used at most two thirds of it */
};

static uint64_t lock_map_hash(const char *key)
{
    return hash64_block(key, strlen(key));
}

static void lock_map_alloc(arena *mem, lock_map *m, size_t cap)
{
    m->slots = arena_alloc(mem, cap * sizeof *m->slots);
    m->cap = cap;
    m->used = 0;
}

lock_map *lock_map_new(arena *mem, size_t expect)
{
    lock_map *m = arena_alloc(mem, sizeof *m);
    size_t cap = 64;
    while (cap * 2 < expect * 3)
        cap *= 2;
    lock_map_alloc(mem, m, cap);
    return m;
}

/* The slot of `key` (hash h), or the empty one where it would go. */
static lock_slot *lock_map_slot(const lock_map *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1;
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        lock_slot *s = &m->slots[i];
        if (!s->key || (s->tag == tag && strcmp(s->key, key) == 0))
            return s;
    }
}

/* The empty slot for a key of hash h that the map lacks. */
static lock_slot *lock_map_free_slot(const lock_map *m, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    return &m->slots[i];
}

int lock_map_get(const lock_map *m, const char *key)
{
    const lock_slot *s = lock_map_slot(m, key, lock_map_hash(key));
    return s->key ? s->value : -1;
}

int *lock_map_at(arena *mem, lock_map *m, const char *key, bool copy)
{
    if ((m->used + 1) * 3 > m->cap * 2) {
        /* The old slots stay in the arena: growth is rare, the table being
         * sized for the file. */
        lock_map old = *m;
        lock_map_alloc(mem, m, old.cap * 2);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key) {
                *lock_map_free_slot(m, lock_map_hash(old.slots[i].key)) = old.slots[i];
                m->used++;
            }
    }
    uint64_t h = lock_map_hash(key);
    lock_slot *s = lock_map_slot(m, key, h);
    if (!s->key) {
        s->tag = (uint32_t)(h >> 32);
        s->key = copy ? arena_strdup(mem, key) : key;
        s->value = -1;
        m->used++;
    }
    return &s->value;
}

void lock_map_put(arena *mem, lock_map *m, const char *key, int idx)
{
    *lock_map_at(mem, m, key, false) = idx;
}
