/* Folding and cutting text into search tokens. The rules are mirrored in
 * themes/default/static/js/search.js (String.prototype.normalize("NFKC"),
 * toLowerCase, the same character classes): change both together. */
#include "search.h"

#include "../util/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <utf8proc.h>

int search_fold(const char *text, size_t len, buf *out)
{
    utf8proc_uint8_t *nfkc = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &nfkc,
                                      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE);
    if (n < 0)
        return -1;
    /* Lower case after NFKC, code point by code point, as toLowerCase does
     * for everything but a few context-dependent letters no query needs. */
    const char *p = (const char *)nfkc;
    size_t left = (size_t)n;
    while (left) {
        uint32_t cp;
        size_t k = utf8_decode(p, left, &cp);
        char enc[4];
        buf_put(out, enc, utf8_encode((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp), enc));
        p += k;
        left -= k;
    }
    free(nfkc);
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
            /* The character, then it with the next when that is CJK too. */
            fn(folded + i, k, ctx);
            uint32_t next;
            size_t k2 = utf8_decode(folded + i + k, len - i - k, &next);
            if (k2 && search_is_cjk(next))
                fn(folded + i, k + k2, ctx);
            i += k;
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
