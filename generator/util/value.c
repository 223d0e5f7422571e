#include "value.h"

#include <string.h>

value *value_new(arena *mem, value_type type, int line, int col)
{
    value *v = arena_alloc(mem, sizeof *v);
    v->type = type;
    v->line = line;
    v->col = col;
    return v;
}

value *value_new_string(arena *mem, const char *s, size_t len, int line, int col)
{
    value *v = value_new(mem, VALUE_STRING, line, col);
    v->u.str.ptr = arena_strndup(mem, s, len);
    v->u.str.len = len;
    return v;
}

static uint32_t value_key_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 16777619u;
    }
    return h;
}

/* Small tables are searched linearly; the index is built once a table grows
 * past this, so a front matter of 10 000 keys stays linear to load. */
#define VALUE_INDEX_MIN 16

static void value_index_insert(value *t, size_t pos)
{
    size_t mask = t->u.table.index_cap - 1;
    const value_entry *e = &t->u.table.entries[pos];
    size_t i = value_key_hash(e->key, e->key_len) & mask;
    while (t->u.table.index[i])
        i = (i + 1) & mask;
    t->u.table.index[i] = (uint32_t)pos + 1;
}

static void value_index_rebuild(arena *mem, value *t)
{
    size_t cap = 64;
    while (cap < t->u.table.len * 2)
        cap *= 2;
    t->u.table.index = arena_alloc(mem, cap * sizeof *t->u.table.index);
    t->u.table.index_cap = cap;
    for (size_t i = 0; i < t->u.table.len; i++)
        value_index_insert(t, i);
}

value_entry *value_table_find(const value *t, const char *key, size_t key_len)
{
    if (!t || t->type != VALUE_TABLE)
        return NULL;
    if (!t->u.table.index) {
        for (size_t i = 0; i < t->u.table.len; i++) {
            value_entry *e = &t->u.table.entries[i];
            if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
                return e;
        }
        return NULL;
    }
    size_t mask = t->u.table.index_cap - 1;
    size_t i = value_key_hash(key, key_len) & mask;
    for (uint32_t slot; (slot = t->u.table.index[i]) != 0; i = (i + 1) & mask) {
        value_entry *e = &t->u.table.entries[slot - 1];
        if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    }
    return NULL;
}

value *value_table_get(const value *t, const char *key)
{
    value_entry *e = value_table_find(t, key, strlen(key));
    return e ? e->val : NULL;
}

value_entry *value_table_add(arena *mem, value *t, const char *key, size_t key_len, value *val,
                             int line, int col)
{
    if (t->u.table.len == t->u.table.cap) {
        /* Arena memory cannot be resized: copy into a block twice the size.
         * The total copied stays linear in the final size. */
        size_t cap = t->u.table.cap ? t->u.table.cap * 2 : 8;
        value_entry *n = arena_alloc(mem, cap * sizeof *n);
        if (t->u.table.len)
            memcpy(n, t->u.table.entries, t->u.table.len * sizeof *n);
        t->u.table.entries = n;
        t->u.table.cap = cap;
    }
    value_entry *e = &t->u.table.entries[t->u.table.len++];
    e->key = arena_strndup(mem, key, key_len);
    e->key_len = key_len;
    e->line = line;
    e->col = col;
    e->val = val;
    if (t->u.table.len >= VALUE_INDEX_MIN) {
        if (t->u.table.len * 2 > t->u.table.index_cap)
            value_index_rebuild(mem, t);
        else
            value_index_insert(t, t->u.table.len - 1);
    }
    return e;
}

void value_array_push(arena *mem, value *a, value *item)
{
    if (a->u.array.len == a->u.array.cap) {
        size_t cap = a->u.array.cap ? a->u.array.cap * 2 : 8;
        value **n = arena_alloc(mem, cap * sizeof *n);
        if (a->u.array.len)
            memcpy(n, a->u.array.items, a->u.array.len * sizeof *n);
        a->u.array.items = n;
        a->u.array.cap = cap;
    }
    a->u.array.items[a->u.array.len++] = item;
}

const char *value_type_name(value_type type)
{
    switch (type) {
    case VALUE_STRING:
        return "字符串";
    case VALUE_INTEGER:
        return "整数";
    case VALUE_FLOAT:
        return "小数";
    case VALUE_BOOL:
        return "布尔值";
    case VALUE_DATETIME:
        return "带时区的日期时间";
    case VALUE_DATETIME_LOCAL:
        return "日期时间";
    case VALUE_DATE_LOCAL:
        return "日期";
    case VALUE_TIME_LOCAL:
        return "时间";
    case VALUE_ARRAY:
        return "数组";
    case VALUE_TABLE:
        return "表";
    }
    return "?";
}
