#include "hash.h"

#include <string.h>

uint64_t hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
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

uint64_t hash64_int(uint64_t h, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return hash64(h, b, sizeof b);
}
