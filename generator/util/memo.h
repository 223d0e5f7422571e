/* Memos: what an earlier run found out, kept in the site's .gongkai/ so that
 * a rebuild need not work it out again. A memo is never more than a memo: a
 * file that cannot be read, is damaged or was written by another program
 * version is ignored without a word, nothing in it is used before the
 * whole file is checked, and one that cannot be written costs only the
 * next run's time.
 *
 * memo_map is the simplest kind: a map of 64-bit keys (hashes of what was
 * looked at) to 64-bit values. Its file holds the records of the last run
 * that kept some, in that run's order, and nothing else, so it never grows
 * beyond the site, and it is written again only when a record changed.
 * Layout, every field ending in a NUL (util/fields.h): magic, program
 * version, record count, then per record key and value in 16 hex digits
 * each; last the checksum (fields_seal). */
#ifndef GK_UTIL_MEMO_H
#define GK_UTIL_MEMO_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write data as the file at `path`, creating its folder, whole or not at
 * all and not flushed to disk: a memo is sealed, so one that a power
 * failure cut short reads as damaged. Errors are dropped. */
void memo_file_write(const char *path, const buf *data);

typedef struct memo_record {
    uint64_t key, value;
} memo_record;

typedef struct memo_map memo_map;

/* The map in file `path`, whose first field is `magic` (naming the memo
 * and its format, and whatever else its records hold only under: a file
 * of another magic is not read); empty when the file cannot be used.
 * Never NULL. */
memo_map *memo_map_open(const char *path, const char *magic);
/* The same for a file of any magic, which *found receives ("" when the
 * file cannot be used): a memo some of whose records may still hold under
 * another (status.c: the working flags across a commit). */
memo_map *memo_map_open_any(const char *path, buf *found);
/* Write m under `magic` from now on; the records read stay to be found. */
void memo_map_magic_set(memo_map *m, const char *magic);
/* The value of `key` as read; false when there is none (m may be NULL).
 * A key written twice is found at its first record. */
bool memo_map_find(const memo_map *m, uint64_t key, uint64_t *value);
/* This run's records recs[0..n) (copied), which memo_map_save writes. */
void memo_map_keep(memo_map *m, const memo_record *recs, size_t n);
/* Write the kept records when they differ from those read (m may be NULL). */
void memo_map_save(const memo_map *m);
void memo_map_free(memo_map *m);

#endif
