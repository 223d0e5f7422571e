#include "hash.h"

#include <string.h>

/* Eight bytes at a time, then FNV-1a over the rest: a key is fed many
 * strings and numbers, most of them longer than a few bytes. */
uint64_t hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    for (; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t hash64_str(uint64_t h, const char *s)
{
    if (!s)
        return hash64(h, "\1", 1);
    return hash64(h, s, strlen(s) + 1);
}

uint64_t hash64_block(const void *data, size_t len)
{
    uint64_t h = hash64(0x9e3779b97f4a7c15ULL ^ len, data, len);
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

uint64_t hash64_int(uint64_t h, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return hash64(h, b, sizeof b);
}
