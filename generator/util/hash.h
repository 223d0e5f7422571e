/* A fast 64-bit hash for cache keys (not for anything an attacker chooses):
 * eight bytes at a time, FNV-1a over the last few (so, for fewer than eight
 * bytes, FNV-1a itself). Feed `h` from HASH64_INIT, piece by piece. It is
 * also hash64_block's core, whose values must not change (test_cache pins
 * them), so neither may this. */
#ifndef GK_UTIL_HASH_H
#define GK_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH64_INIT 0xcbf29ce484222325ULL

uint64_t hash64(uint64_t h, const void *data, size_t len);
/* The string's bytes and a NUL, so that ("ab","c") and ("a","bc") differ;
 * NULL hashes apart from "". */
uint64_t hash64_str(uint64_t h, const char *s);
uint64_t hash64_int(uint64_t h, int64_t v);

/* A 64-bit hash of a whole block: hash64 from a seed of its length, then
 * mixed so that every bit of it counts. Not FNV; its values are kept in
 * build caches and catalogue memos, so they must not change. */
uint64_t hash64_block(const void *data, size_t len);

#endif
