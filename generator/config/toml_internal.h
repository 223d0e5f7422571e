/* Private to the TOML parser. The parser is split the way the grammar is:
 * toml_lex.c is the cursor (positions, blanks, comments, line ends, errors),
 * toml_string.c the four string forms, toml_number.c integers and floats,
 * toml_datetime.c dates and times, and toml.c the document itself: keys,
 * [headers], arrays, inline tables and every redefinition rule. */
#ifndef GK_CONFIG_TOML_INTERNAL_H
#define GK_CONFIG_TOML_INTERNAL_H

#include "../util/buf.h"
#include "toml.h"

#include <stdbool.h>
#include <stddef.h>

/* Deeper nesting is refused: the value parser recurses into arrays and inline
 * tables, and so does anyone who walks the tree, so an input of 100 000 `[`
 * must end in an error rather than a blown stack. Header and dotted-key
 * parts count towards the same depth. */
#define TOML_MAX_DEPTH 128

/* Bits of value.flags: how a table or array came to exist decides what may
 * still be added to it later in the document. */
enum {
    TOML_IMPLICIT = 1 << 0, /* table only named as a parent in a [header] */
    TOML_DEFINED = 1 << 1,  /* table opened by its own [header] or [[header]] */
    TOML_DOTTED = 1 << 2,   /* table created by a dotted key */
    TOML_INLINE = 1 << 3,   /* inline table or array literal: closed for good */
    TOML_AOT = 1 << 4,      /* array built by [[header]]s, open to more */
};

/* One part of a dotted key, decoded. */
typedef struct toml_key {
    const char *s; /* into the source (bare keys) or the arena (quoted) */
    size_t len;
    size_t off; /* where the part starts, for errors */
    int line, col;
} toml_key;

typedef struct toml_parser {
    arena *mem;
    const char *src;
    size_t len, pos;
    int line_base;
    toml_error *err;
    value *root;

    /* Position tracking for the values: the line holding `pos` and a column
     * already counted on it, so that finding a column costs only the bytes
     * since the previous one and a long line stays linear. */
    int line;
    size_t line_start;
    size_t col_off;
    int col;

    buf scratch; /* a string or number being decoded */

    /* The key being parsed; reused by every key, so a caller copies what it
     * still needs before parsing a value (which may hold keys of its own). */
    toml_key keys[TOML_MAX_DEPTH];
    int nkeys;
} toml_parser;

/* ---- toml_lex.c: the cursor ---- */

/* The byte `ahead` bytes past the cursor, or -1 past the end. */
static inline int toml_peek(const toml_parser *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->src[p->pos + ahead] : -1;
}

/* Fill the error with the position of byte `off`; always returns -1. */
int toml_fail(toml_parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Line and column of `off`, which must not lie before the current line. */
void toml_where(toml_parser *p, size_t off, int *line, int *col);
/* A short Chinese description of the byte at `off` for messages: "文件结尾",
 * "换行", a quoted character, or U+XXXX for control characters. */
const char *toml_describe(const toml_parser *p, size_t off, char out[32]);
/* `s` quoted and escaped for a one-line message, cut short when long. */
void toml_quote(const char *s, size_t len, char *out, size_t cap);

void toml_skip_ws(toml_parser *p);
/* At a line end (LF or CRLF): consume it and return 1; elsewhere return 0;
 * at a carriage return not followed by LF, fail. */
int toml_eat_newline(toml_parser *p);
/* Blanks, an optional comment, then a line end or the end of the text. */
int toml_end_line(toml_parser *p);
/* Blanks, comments and line ends, as allowed between array elements. */
int toml_skip_blank(toml_parser *p);

bool toml_is_bare_key_char(int c);

/* ---- toml_string.c ---- */

/* Decode the string at the cursor (basic or literal, multi-line only when
 * `multi_ok`) into p->scratch; *s and *len describe the result until the
 * next use of the scratch buffer. */
int toml_string(toml_parser *p, bool multi_ok, const char **s, size_t *len);

/* ---- toml_number.c ---- */

/* An integer or float at the cursor, inf and nan included. */
int toml_number(toml_parser *p, value *v);

/* ---- toml_datetime.c ---- */

/* Whether the cursor is at a date (YYYY-) or a time (HH:). */
bool toml_at_datetime(const toml_parser *p);
int toml_datetime(toml_parser *p, value *v);

#endif
