/* Private to the catalogue stage: the register behind catalogue.lock, shared
 * by lock.c (matching items and assigning numbers) and lock_file.c (reading
 * and writing the file). */
#ifndef GK_CATALOGUE_CATALOGUE_INTERNAL_H
#define GK_CATALOGUE_CATALOGUE_INTERNAL_H

#include "catalogue.h"

#include "../util/memo.h"

#include <stdbool.h>
#include <stdint.h>

#define LOCK_FILE_NAME "catalogue.lock"

typedef struct lock_map lock_map;
#define LOCK_FIELD_COUNT 13

/* One line of catalogue.lock. Strings live in the catalogue's arena. */
typedef struct lock_entry {
    const char *index_no;
    const char *dept; /* the department the number belongs to: never changes */
    int year;
    int seq;
    const char *id;
    const char *path; /* last known source path, from the site root */
    const char *url;
    const char **aliases; /* former URLs, oldest first */
    size_t alias_count;
    uint64_t title_fp, body_fp; /* 0: none */
    bool withdrawn;
    date withdrawn_on;
    const char *reason; /* NULL when none */
    const char *title;
    int line; /* in the file as read; 0 for an entry made by this build */
    int item; /* while applying: the content item it belongs to, or -1 */
} lock_entry;

struct catalogue_lock {
    char *path;      /* the file */
    lock_entry *v;   /* sorted by index number once applied */
    size_t len, cap; /* cap: room reserved in the arena */
    bool existed;    /* the file was there when read */
    /* The file's bytes as read (or as this build wrote them), to notice
     * another writer by comparing them with the file before replacing it:
     * exact, and cheaper than hashing them twice. */
    buf bytes;
    buf staged;     /* the text lock_file_stage put beside the file, if any */
    bool dirty;     /* differs from the file */
    bool ok;        /* read and applied without error: may be written */
    size_t workers; /* threads to read and write it with */
    /* Lookups of the entry's index in v (valid until v is sorted), or for
     * max_seq ("dept/year") of the highest seq. by_index is made when
     * needed: see lock_index_map. */
    lock_map *by_index, *by_id, *by_url, *by_live_path, *max_seq;
};

/* lk->by_index, made from the entries when there is none yet: the reader
 * needs it only for a file whose index numbers are out of order. */
lock_map *lock_index_map(catalogue_lock *lk, arena *mem);

/* FNV-1a 64 of the bytes. */
uint64_t lock_hash(const char *s, size_t len);
/* s[0..len): exactly 16 lowercase hex digits, as catalogue.lock and the
 * memos write a hash; their value in *v. */
bool lock_hex(const char *s, size_t len, uint64_t *v);

/* Why s[0..len) cannot be a site path (a URL naming.lua gave, or one read
 * back from catalogue.lock), or NULL when it can. */
const char *catalogue_url_problem(const char *s, size_t len);

/* String → number maps (lock_map.c), for values from 0 up; their memory is
 * mem's. A map sized for `expect` keys grows only beyond them. */
lock_map *lock_map_new(arena *mem, size_t expect);
/* key's value, or -1 when it has none. */
int lock_map_get(const lock_map *m, const char *key);
/* key's value, to read or set, -1 when new: the map then keeps `key`, which
 * must outlive it, or a copy in mem when `copy`. Valid until the next add. */
int *lock_map_at(arena *mem, lock_map *m, const char *key, bool copy);
/* Set key's value (key as lock_map_at keeps it without `copy`). */
void lock_map_put(arena *mem, lock_map *m, const char *key, int idx);

/* Read the file at lk->path into lk (its maps created here) on up to
 * `workers` threads, with room in lk->v for `more` entries beyond those
 * read; a missing file is an empty register. Returns 0, or -1 after GK303
 * diagnostics (lock_read.c). */
int lock_file_read(catalogue_lock *lk, arena *mem, size_t more, size_t workers, diag_list *diags);
/* The memory lk holds beyond its arena. */
void lock_file_free(catalogue_lock *lk);
/* The file's text for lk. */
void lock_file_format(const catalogue_lock *lk, buf *out);
/* Replace the file with `text` atomically, unless it changed since read;
 * text then becomes lk's bytes (and is left empty). Returns 0, or -1 after
 * a GK304 diagnostic. */
int lock_file_replace(catalogue_lock *lk, buf *text, diag_list *diags);
/* Write `text` (taken) to the temporary file lock_file_replace renames over
 * the lock, flushed; it then only checks the file and renames. A failure
 * leaves nothing staged: lock_file_replace writes it all then. */
void lock_file_stage(catalogue_lock *lk, buf *text);
/* Remove a staged file never put in place. */
void lock_file_unstage(catalogue_lock *lk);

/* ---- the memo of earlier runs (memo.c) ---------------------------------- */

typedef struct naming_memo naming_memo; /* naming.cache: naming_memo.c */
/* fingerprints.cache (fp_memo.c): body fingerprints by fp_memo_key. */

struct catalogue_memo {
    naming_memo *names;
    memo_map *fps;
};

/* naming.lua's answers in file `path` (see catalogue_memo_open). */
naming_memo *naming_memo_open(const char *path, const site_config *cfg);
void naming_memo_save(const naming_memo *m);
void naming_memo_free(naming_memo *m);
/* For doc_numbers.c. Fill ci's 文号 answers (copied into mem) from the memo
 * (may be NULL); false when it does not know the number. */
bool memo_doc_answer(const naming_memo *m, arena *mem, catalogue_item *ci);
/* Keep ci's answers, when it has some the memo lacks, for the next run. */
void memo_doc_keep(naming_memo *m, const catalogue_item *ci);
/* For lock.c. What item_url answered to question q in an earlier run (valid
 * while the memo is), or NULL (m may be NULL). A question without dept,
 * slug or rel is never kept. The next save keeps the questions asked here
 * and those kept with memo_url_keep, no others. Safe on several threads at
 * once for questions about different files (rel), with no memo_url_keep
 * meanwhile. */
const char *memo_url_answer(naming_memo *m, const naming_item *q);
void memo_url_keep(naming_memo *m, const naming_item *q, const char *url);

/* Body fingerprints in file `path` (see catalogue_memo_open): keys are
 * fp_memo_key's, values the bodies' fingerprints. */
memo_map *fp_memo_open(const char *path);
/* What an item's body is known by: its file's text_hash and where in the
 * text it lies. False when the body is not part of the text. */
bool fp_memo_key(const content_item *it, uint64_t *key);

#endif
