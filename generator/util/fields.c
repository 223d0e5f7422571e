#include "fields.h"

#include "hash.h"

#include <inttypes.h>
#include <stdio.h>
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

/* Each digit's value plus one, as the writers put them (lower-case hex);
 * 0 for a byte that is none. */
static const unsigned char fields_digits[256] = {
    ['0'] = 1, ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

uint64_t fields_number(fields_reader *r, int base)
{
    /* By hand, in one pass up to the field's NUL, not fields_next and
     * strtoull: a cache holds tens of thousands of numbers, and only
     * digits are ever written. */
    const unsigned char *p = (const unsigned char *)r->p, *end = (const unsigned char *)r->end;
    const unsigned char *start = p;
    uint64_t v = 0, b = (uint64_t)base, most = UINT64_MAX / b;
    for (; !r->bad && p < end && *p; p++) {
        unsigned d = (unsigned)fields_digits[*p] - 1; /* UINT_MAX for none */
        if (d >= b || v > most || (v == most && d > UINT64_MAX - most * b))
            r->bad = true;
        else
            v = v * b + d;
    }
    if (r->bad || p == end || p == start) {
        r->bad = true;
        return 0;
    }
    r->p = (const char *)p + 1;
    return v;
}

const char *fields_hex(fields_reader *r, size_t digits)
{
    /* The table stops at the NUL (no digit), so no byte past it is read. */
    const unsigned char *p = (const unsigned char *)r->p;
    size_t n = 0;
    if (!r->bad && (size_t)(r->end - r->p) > digits)
        while (n < digits && fields_digits[p[n]])
            n++;
    if (r->bad || n < digits || p[digits] != '\0') {
        r->bad = true;
        return "";
    }
    const char *f = r->p;
    r->p += digits + 1;
    return f;
}

void fields_put(buf *out, const char *s)
{
    buf_put(out, s, strlen(s) + 1);
}

void fields_put_number(buf *out, uint64_t v)
{
    char text[21], *p = text + sizeof text;
    *--p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    buf_put(out, p, (size_t)(text + sizeof text - p));
}

void fields_put_hex(buf *out, uint64_t v)
{
    char text[17];
    for (int i = 15; i >= 0; i--, v >>= 4)
        text[i] = "0123456789abcdef"[v & 15];
    text[16] = '\0';
    buf_put(out, text, sizeof text);
}

/* 16 hex digits and the NUL. */
#define FIELDS_SEAL_LEN 17

void fields_seal(buf *out)
{
    fields_put_hex(out, hash64_block(out->ptr, out->len));
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
