#include "utf8.h"

#include <glib.h>

#include <string.h>

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

/* Every item's whole text passes through here: runs of ASCII go eight bytes
 * at a time, and the three-byte sequences of Chinese text whose lead byte
 * rules out overlong forms and surrogates (E1-EC, EE-EF) are checked inline.
 * Anything else goes through utf8_decode. */
size_t utf8_validate(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            uint64_t w;
            while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0))
                i += 8;
            if (i < n && s[i] < 0x80)
                i++;
            continue;
        }
        if (c >= 0xe1 && c <= 0xef && c != 0xed && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 &&
            (s[i + 2] & 0xc0) == 0x80) {
            i += 3;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(str + i, n - i, &cp);
        if (!k)
            return i;
        i += k;
    }
    return n;
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
    char *n = g_utf8_normalize(s, -1, G_NORMALIZE_NFC);
    if (!n)
        return s;
    const char *r = arena_strdup(mem, n);
    g_free(n);
    return r;
}
