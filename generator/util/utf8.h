/* UTF-8: validation with a precise location, decoding, and telling an editor
 * when a file that is not UTF-8 was most likely saved as GBK/GB18030. */
#ifndef GK_UTIL_UTF8_H
#define GK_UTIL_UTF8_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s (n bytes available). Returns its length in bytes
 * and stores the code point, or returns 0 on an invalid or truncated sequence
 * (overlong forms, surrogates and values past U+10FFFF are invalid). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Append the encoding of cp (at most 4 bytes) to out; returns the length. */
size_t utf8_encode(uint32_t cp, char *out);

/* Offset of the first invalid byte, or `n` when the whole text is valid. */
size_t utf8_validate(const char *s, size_t n);
/* The same, stopping also at the first NUL byte: the length of the longest
 * prefix that is UTF-8 text. */
size_t utf8_validate_text(const char *s, size_t n);
/* Line and column (1-based, column in code points) of byte offset `off`. */
void utf8_position(const char *s, size_t off, int *line, int *col);
/* Code points in s[0..n), invalid bytes counting one each. */
size_t utf8_length(const char *s, size_t n);

/* True when text that failed UTF-8 validation reads as well-formed GBK/GB18030
 * with a fair share of two-byte Chinese characters. */
bool utf8_looks_like_gbk(const char *s, size_t n);

/* s in Unicode normalisation form C (composed), allocated in mem; s itself
 * when it is ASCII or cannot be normalised. File names typed on a Mac arrive
 * decomposed (NFD) while editors type them composed. */
const char *utf8_nfc(arena *mem, const char *s);

#endif
