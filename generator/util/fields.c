#include "fields.h"

#include "hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fields_reader_init(fields_reader *r, const char *data, size_t len)
{
    r->p = data;
    r->end = data + len;
    r->bad = false;
}

const char *fields_next(fields_reader *r)
{
    const char *nul = r->bad || r->p >= r->end ? NULL : memchr(r->p, '\0', (size_t)(r->end - r->p));
    if (!nul) {
        r->bad = true;
        return "";
    }
    const char *f = r->p;
    r->p = nul + 1;
    return f;
}

uint64_t fields_number(fields_reader *r, int base)
{
    const char *f = fields_next(r);
    if (r->bad)
        return 0;
    /* By hand: the caches hold tens of thousands of numbers, and strtoull
     * costs several times this. */
    uint64_t v = 0;
    const unsigned b = (unsigned)base;
    for (const char *p = f;; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (b == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (b == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            d = b;
        if (d >= b) {
            if (*p || p == f)
                r->bad = true;
            return r->bad ? 0 : v;
        }
        if (v > (UINT64_MAX - d) / b) {
            r->bad = true;
            return 0;
        }
        v = v * b + d;
    }
}

/* 16 hex digits and the NUL. */
#define FIELDS_SEAL_LEN 17

void fields_seal(buf *out)
{
    char sum[FIELDS_SEAL_LEN];
    snprintf(sum, sizeof sum, "%016" PRIx64, hash64_block(out->ptr, out->len));
    buf_put(out, sum, sizeof sum);
}

bool fields_sealed(const char *data, size_t len, size_t *body_len)
{
    if (len < FIELDS_SEAL_LEN)
        return false;
    char want[FIELDS_SEAL_LEN];
    snprintf(want, sizeof want, "%016" PRIx64, hash64_block(data, len - FIELDS_SEAL_LEN));
    if (memcmp(data + len - FIELDS_SEAL_LEN, want, FIELDS_SEAL_LEN) != 0)
        return false;
    *body_len = len - FIELDS_SEAL_LEN;
    return true;
}
