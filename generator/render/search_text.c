/* Folding and cutting text into search tokens. The rules are mirrored in
 * themes/default/static/js/search.js (String.prototype.normalize("NFKC"),
 * toLowerCase, the same character classes): change both together. */
#include "search.h"

#include "../util/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <utf8proc.h>

/* The fold of the character at s[0..n) when it is one of those that fill
 * most text (ASCII, CJK Unified Ideographs, CJK and general punctuation,
 * the fullwidth forms of ASCII), storing it in *to and returning the
 * character's length; 0 for any other character or bytes that are not
 * UTF-8. Each of these has an NFKC of one code point that starts a
 * normalisation segment: it is a starter (combining class 0) that composes
 * with nothing before it, so NFKC of a text is NFKC of the pieces cut before
 * each of them. What follows one may still compose with it (A + U+0301 gives
 * Á), so the last one before another character goes to utf8proc with it. */
static size_t fold_common(const unsigned char *s, size_t n, uint32_t *to)
{
    if (s[0] < 0x80) {
        *to = s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32u : s[0];
        return 1;
    }
    if (n < 3 || (s[0] & 0xf0) != 0xe0 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
        return 0;
    uint32_t cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3fu);
    if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3001 && cp <= 0x301f) ||
        (cp >= 0x2012 && cp <= 0x2016) || (cp >= 0x2018 && cp <= 0x2023)) {
        *to = cp; /* NFKC leaves them alone and they have no case */
    } else if (cp == 0x3000) {
        *to = ' '; /* the ideographic space */
    } else if (cp >= 0xff01 && cp <= 0xff5e) {
        cp -= 0xfee0; /* fullwidth ASCII */
        *to = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    } else {
        return 0;
    }
    return 3;
}

/* NFKC of s[0..n), then lower case code point by code point, as
 * toLowerCase does for everything but a few context-dependent letters no
 * query needs. Returns -1 when s is not UTF-8. */
static int fold_utf8proc(const char *s, size_t n, buf *out)
{
    const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE;
    utf8proc_int32_t local[256], *cps = local;
    utf8proc_ssize_t need =
        utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cps, 256, opt);
    if (need > 256) {
        cps = malloc((size_t)need * sizeof *cps);
        if (!cps)
            return -1;
        need = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cps, need, opt);
    }
    if (need >= 0)
        need = utf8proc_normalize_utf32(cps, need, opt);
    for (utf8proc_ssize_t k = 0; k < need; k++) {
        char enc[4];
        buf_put(out, enc, utf8_encode((uint32_t)utf8proc_tolower(cps[k]), enc));
    }
    if (cps != local)
        free(cps);
    return need < 0 ? -1 : 0;
}

int search_fold(const char *text, size_t len, buf *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t start = out->len, i = 0, same = 0; /* text[same..i) folds to itself */
    uint32_t to = 0, next_to = 0;
    size_t k = len ? fold_common(s, len, &to) : 0;
    while (i < len) {
        size_t next_k = i + k < len ? fold_common(s + i + k, len - i - k, &next_to) : 0;
        if (k && (i + k == len || next_k)) {
            if (k == 1 ? to != s[i] : to < 0x80) {
                buf_put(out, text + same, i - same);
                buf_putc(out, (char)to);
                same = i + k;
            }
            i += k;
            k = next_k;
            to = next_to;
            continue;
        }
        /* Up to the next common character, byte by byte: those start with
         * a byte no other character has inside it. */
        size_t j = i + (k ? k : 1);
        while (j < len && !(k = fold_common(s + j, len - j, &to)))
            j++;
        buf_put(out, text + same, i - same);
        if (fold_utf8proc(text + i, j - i, out) != 0) {
            out->len = start;
            if (out->ptr)
                out->ptr[start] = '\0';
            return -1;
        }
        i = same = j;
    }
    buf_put(out, text + same, i - same);
    return 0;
}

/* Han ideographs (with 々〆〇), kana, bopomofo and hangul: scripts written
 * without spaces between words, indexed by character and bigram. */
static bool search_is_cjk(uint32_t cp)
{
    return (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3040 && cp <= 0x30ff) ||
           (cp >= 0x3100 && cp <= 0x312f) || (cp >= 0x3400 && cp <= 0x4dbf) ||
           (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff);
}

/* Letters, digits and combining marks of the other scripts make words. */
static bool search_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

void search_tokens(const char *folded, size_t len, search_token_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(folded + i, len - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        if (search_is_cjk(cp)) {
            /* Along the run: each character, then it with the next when
             * that is CJK too (decoded once, as the next one's own). */
            for (;;) {
                fn(folded + i, k, ctx);
                uint32_t next;
                size_t k2 = utf8_decode(folded + i + k, len - i - k, &next);
                bool more = k2 && search_is_cjk(next);
                if (more)
                    fn(folded + i, k + k2, ctx);
                i += k;
                if (!more)
                    break;
                k = k2;
            }
        } else if (search_is_word(cp)) {
            size_t start = i, cut = 0, chars = 0;
            while (i < len && (k = utf8_decode(folded + i, len - i, &cp)) != 0 &&
                   !search_is_cjk(cp) && search_is_word(cp)) {
                i += k;
                if (++chars == SEARCH_WORD_MAX)
                    cut = i - start;
            }
            fn(folded + start, cut ? cut : i - start, ctx);
        } else {
            i += k;
        }
    }
}

unsigned long search_token_hash(const char *token, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)token[i];
        h *= 16777619u;
    }
    return h;
}
