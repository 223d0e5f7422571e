/* Tab-separated text files that people may read and git may merge
 * (catalogue.lock, a release's item lists): one record a line, fields
 * separated by tabs, and inside a field the escapes \\ \t \n \r, so any
 * string survives the round trip. */
#ifndef GK_UTIL_TSV_H
#define GK_UTIL_TSV_H

#include "arena.h"
#include "buf.h"

#include <stddef.h>

/* Append s escaped as one field. */
void tsv_field_put(buf *out, const char *s);
/* Write s[0..len) escaped at out, which has room for 2 * len bytes; returns
 * the end of what was written (no NUL). */
char *tsv_field_write(char *out, const char *s, size_t len);
/* Undo the escapes of the field s[0..len) into mem; NULL when it holds an
 * unknown escape or a control character. */
const char *tsv_field_read(arena *mem, const char *s, size_t len);
/* The same in place: s[0..len) decoded and NUL-terminated where it lies
 * (s[len] may become the NUL); s, or NULL as tsv_field_read. */
char *tsv_field_decode(char *s, size_t len);
/* Cut the line s[0..len) at its tabs: the first `max` fields go to f and n
 * (start and length). Returns the number of fields the line has, which may
 * be more than max. */
size_t tsv_fields_split(const char *s, size_t len, const char **f, size_t *n, size_t max);

#endif
