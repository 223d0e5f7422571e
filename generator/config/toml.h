/* Our own TOML 1.0 parser (Debian ships no C TOML library). It builds the
 * shared value tree of util/value.h and enforces every rule of the
 * specification, redefinitions included. */
#ifndef GK_CONFIG_TOML_H
#define GK_CONFIG_TOML_H

#include "../util/arena.h"
#include "../util/value.h"

#include <stddef.h>

typedef struct toml_error {
    int line, col;     /* 1-based; col counts code points */
    char message[256]; /* Chinese, one line, no position in it */
} toml_error;

/* Parse the TOML document text[0..len). Positions are reported with the first
 * line of text numbered `line_base` (1 for a file; the line after `+++` for
 * front matter). On success returns 0 and the root table in *out, all of it
 * allocated from mem; on error returns -1 and fills *err. */
int toml_parse(arena *mem, const char *text, size_t len, int line_base, value **out,
               toml_error *err);

#endif
