/* The document tree shared by TOML (site.toml, +++ front matter) and YAML
 * (--- front matter): tables keep their keys in source order and remember where
 * every value stood, so later stages can point an editor at the exact line. */
#ifndef GK_UTIL_VALUE_H
#define GK_UTIL_VALUE_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum value_type {
    VALUE_STRING,
    VALUE_INTEGER,
    VALUE_FLOAT,
    VALUE_BOOL,
    VALUE_DATETIME,       /* date and time with an offset */
    VALUE_DATETIME_LOCAL, /* date and time, no offset */
    VALUE_DATE_LOCAL,
    VALUE_TIME_LOCAL,
    VALUE_ARRAY,
    VALUE_TABLE,
} value_type;

typedef struct value_datetime {
    int year, month, day;
    int hour, minute, second;
    int nanosecond;
    int frac_digits;    /* digits of fraction written in the source, 0..9 */
    int offset_minutes; /* VALUE_DATETIME only; 0 for Z */
} value_datetime;

typedef struct value value;

typedef struct value_entry {
    const char *key; /* UTF-8, NUL-terminated; keys may contain NUL only via key_len */
    size_t key_len;
    int line, col; /* where the key was written */
    value *val;
} value_entry;

struct value {
    value_type type;
    int line, col;       /* where the value starts, 1-based; col counts code points */
    unsigned char flags; /* private to the parser that built the tree */
    union {
        struct {
            const char *ptr; /* NUL-terminated, may hold NUL bytes before len */
            size_t len;
        } str;
        int64_t integer;
        double real;
        bool boolean;
        value_datetime dt;
        struct {
            value **items;
            size_t len, cap;
        } array;
        struct {
            value_entry *entries; /* in insertion order */
            size_t len, cap;
            uint32_t *index; /* open-addressing hash of entry positions + 1 */
            size_t index_cap;
        } table;
    } u;
};

value *value_new(arena *mem, value_type type, int line, int col);
value *value_new_string(arena *mem, const char *s, size_t len, int line, int col);

/* Lookup in O(1) on average whatever the size of the table. */
value_entry *value_table_find(const value *table, const char *key, size_t key_len);
value *value_table_get(const value *table, const char *key); /* NUL-terminated key */
/* Append a key that is not yet in the table; returns the new entry. */
value_entry *value_table_add(arena *mem, value *table, const char *key, size_t key_len, value *val,
                             int line, int col);
void value_array_push(arena *mem, value *array, value *item);

const char *value_type_name(value_type type); /* Chinese, for diagnostics */

#endif
