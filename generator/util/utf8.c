#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

size_t utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Sixteen bytes looked at together, each on its own: GCC's vector extension
 * (also Clang's), which is SSE2 on x86-64 and plain words elsewhere. As
 * signed bytes, ASCII is 0..127, continuation bytes -128..-65 and lead
 * bytes -64..-1. */
typedef signed char utf8_bytes __attribute__((vector_size(16)));

/* Whether the sixteen bytes from s are ASCII (no NUL when `nul`) and
 * three-byte characters whose lead byte, E1-EC or EE-EF, rules out overlong
 * forms and surrogates, each whole: a lead among them has its two
 * continuation bytes (the last lead's may run on into s[16..17]), and a
 * continuation byte among them comes one or two bytes after a lead. s[-2]
 * and s[-1] are read: the caller knows that s[0] starts a character and is
 * no continuation byte, or that the sixteen bytes before s passed this same
 * test. That is most of a Chinese text; the rest goes one character at a
 * time. */
static inline bool utf8_block_ok(const unsigned char *s, bool nul)
{
    utf8_bytes m2, m1, a, p1, p2;
    memcpy(&m2, s - 2, 16);
    memcpy(&m1, s - 1, 16);
    memcpy(&a, s, 16);
    memcpy(&p1, s + 1, 16);
    memcpy(&p2, s + 2, 16);
    utf8_bytes cont = a < -64, lead = (a < 0) & (a >= -64);
    utf8_bytes lead3 = (a > -32) & (a < -16) & (a != -19); /* E1-EF but ED */
    utf8_bytes bad = (lead & ~lead3) | (lead3 & ~((p1 < -64) & (p2 < -64))) | (cont & (m1 >= 0)) |
                     (cont & (m1 < -64) & (m2 < -64));
    if (nul)
        bad |= a == 0;
    uint64_t any[2];
    memcpy(any, &bad, sizeof any);
    return !(any[0] | any[1]);
}

/* The length of the character at s[i], or 0 when it is not valid (or NUL,
 * when `nul`). */
static inline size_t utf8_char(const unsigned char *s, size_t n, size_t i, bool nul)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return c || !nul ? 1 : 0;
    if (c >= 0xe1 && c <= 0xef && c != 0xed && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 &&
        (s[i + 2] & 0xc0) == 0x80)
        return 3;
    uint32_t cp;
    return utf8_decode((const char *)s + i, n - i, &cp);
}

/* Every item's whole text passes through here: sixteen bytes at a time
 * while they are ASCII and common three-byte characters, else one
 * character at a time for the next sixteen bytes. */
static size_t utf8_check(const char *str, size_t n, bool nul)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* i starts a character here. */
        if (i >= 2 && i + 18 <= n && (s[i] & 0xc0) != 0x80 && utf8_block_ok(s + i, nul)) {
            i += 16;
            while (i + 18 <= n && utf8_block_ok(s + i, nul))
                i += 16;
            /* Back to the start of the character i falls in. */
            while ((s[i] & 0xc0) == 0x80)
                i--;
        }
        size_t stop = n - i > 16 ? i + 16 : n;
        while (i < stop) {
            size_t k = utf8_char(s, n, i, nul);
            if (!k)
                return i;
            i += k;
        }
    }
    return n;
}

size_t utf8_validate(const char *s, size_t n)
{
    return utf8_check(s, n, false);
}

size_t utf8_validate_text(const char *s, size_t n)
{
    return utf8_check(s, n, true);
}

void utf8_position(const char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (int)utf8_length(s + start, off - start) + 1;
}

size_t utf8_length(const char *s, size_t n)
{
    size_t count = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        i += k ? k : 1;
        count++;
    }
    return count;
}

bool utf8_looks_like_gbk(const char *str, size_t n)
{
    /* GBK: lead byte 0x81-0xFE, trail 0x40-0x7E or 0x80-0xFE; GB18030 adds
     * four-byte forms with digits as second and fourth bytes. Chinese text
     * in GB2312's hanzi area has both bytes in 0xB0-0xF7 / 0xA1-0xFE. */
    const unsigned char *s = (const unsigned char *)str;
    size_t pairs = 0, hanzi = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c == 0x80 || c == 0xff || i + 1 >= n)
            return false;
        unsigned char t = s[i + 1];
        if (t >= 0x30 && t <= 0x39) {
            if (i + 3 >= n || s[i + 2] < 0x81 || s[i + 2] > 0xfe || s[i + 3] < 0x30 ||
                s[i + 3] > 0x39)
                return false;
            i += 4;
            continue;
        }
        if (t < 0x40 || t == 0x7f || t == 0xff)
            return false;
        pairs++;
        if (c >= 0xb0 && c <= 0xf7 && t >= 0xa1)
            hanzi++;
        i += 2;
    }
    return pairs > 0 && hanzi * 2 >= pairs;
}

const char *utf8_nfc(arena *mem, const char *s)
{
    const char *p = s;
    while (*p && (unsigned char)*p < 0x80)
        p++;
    if (!*p)
        return s;
    char *n = (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
    if (!n)
        return s;
    const char *r = arena_strdup(mem, n);
    free(n);
    return r;
}
