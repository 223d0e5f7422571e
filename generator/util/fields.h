/* Files of NUL-ended fields, as the build keeps its caches in .gongkai/
 * (the build cache, the list of the site's files, naming.lua's answers): a
 * reader that turns `bad` at the first field that is missing or not as
 * written, after which every field reads as "" and every number as 0, so
 * that a caller checks once, at the end of a record. */
#ifndef GK_UTIL_FIELDS_H
#define GK_UTIL_FIELDS_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fields_reader {
    const char *p, *end;
    bool bad;
} fields_reader;

void fields_reader_init(fields_reader *r, const char *data, size_t len);
/* The next field (without its NUL). */
const char *fields_next(fields_reader *r);
/* The next field as an unsigned number in `base` (10 or 16): digits only
 * (hex in lower case, as fields_put_hex writes it), no sign or space, not
 * beyond 64 bits. */
uint64_t fields_number(fields_reader *r, int base);
/* The next field when it is exactly `digits` lower-case hex digits (a git
 * object id), else "" and `bad`. */
const char *fields_hex(fields_reader *r, size_t digits);

/* Writing, as the reader reads: `s` with its NUL; `v` in decimal; `v` as
 * 16 hex digits (lower case, leading zeros). Hand-made rather than
 * buf_printf, which cost a cache of ten thousand records milliseconds. */
void fields_put(buf *out, const char *s);
void fields_put_number(buf *out, uint64_t v);
void fields_put_hex(buf *out, uint64_t v);

/* A file's last field may be its checksum: 16 hex digits of hash64_block
 * of every byte before it. Sealed so, a file damaged anywhere reads as
 * damaged, not only one whose fields no longer parse. */
void fields_seal(buf *out);
/* Whether data[0..len) ends in the checksum of the bytes before it; then
 * *body_len is their number, where the fields to read end. */
bool fields_sealed(const char *data, size_t len, size_t *body_len);

#endif
