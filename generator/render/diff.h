/* What changed between two versions of an item, paragraph by paragraph: the
 * Markdown body cut into blocks, the front matter into lines, and the two
 * sequences compared by their longest common subsequence. */
#ifndef GK_RENDER_DIFF_H
#define GK_RENDER_DIFF_H

#include "../util/arena.h"

#include <stddef.h>

typedef struct diff_piece {
    const char *s; /* into the text that was cut */
    size_t len;
} diff_piece;

typedef enum diff_kind { DIFF_SAME, DIFF_REMOVED, DIFF_ADDED } diff_kind;

typedef struct diff_op {
    diff_kind kind;
    size_t index; /* into the old pieces (same, removed) or the new ones (added) */
} diff_op;

/* Markdown blocks: runs of non-blank lines, so a paragraph, a heading, a
 * table or a tight list is one block; a fenced code block (``` or ~~~)
 * stays whole, blank lines and all. Line ends and trailing blanks are not
 * part of a block. Returns the number of blocks, in *out (from mem). */
size_t diff_blocks_split(arena *mem, const char *text, size_t len, diff_piece **out);
/* Lines, without their line ends (LF or CRLF). */
size_t diff_lines_split(arena *mem, const char *text, size_t len, diff_piece **out);

/* The edit script from a to b in order: every piece of a is kept or
 * removed, every piece of b kept or added, removals before additions where
 * both happen. A longest common subsequence when the middle part (after the
 * common beginning and end) has at most DIFF_MAX_CELLS pairs; beyond that
 * the middle is shown as removed, then added. Returns the number of
 * operations (at most na + nb), in *out (from mem). */
#define DIFF_MAX_CELLS ((size_t)4 << 20)
size_t diff_compare(arena *mem, const diff_piece *a, size_t na, const diff_piece *b, size_t nb,
                    diff_op **out);

#endif
