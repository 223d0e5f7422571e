/* Diagnostics: every problem found in a run, collected rather than stopping at
 * the first, then printed as `path:line:col: 错误|警告 [CODE]: message` or JSON.
 * Codes are stable ASCII (GKnnn) and documented in the README. */
#ifndef GK_UTIL_DIAG_H
#define GK_UTIL_DIAG_H

#include "arena.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING } diag_severity;

typedef struct diag {
    diag_severity severity;
    const char *code;
    const char *path; /* relative to the site root; "" for the whole run */
    int line, col;    /* 0 when not known */
    const char *message;
    size_t seq; /* order of discovery, breaks ties when sorting */
} diag;

typedef struct diag_list {
    arena mem; /* holds the paths and messages */
    diag *items;
    size_t len, cap;
} diag_list;

void diag_list_init(diag_list *d);
void diag_list_free(diag_list *d);

void diag_add(diag_list *d, diag_severity severity, const char *code, const char *path, int line,
              int col, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void diag_vadd(diag_list *d, diag_severity severity, const char *code, const char *path, int line,
               int col, const char *fmt, va_list ap);

size_t diag_list_count(const diag_list *d, diag_severity severity);
/* Add copies of every diagnostic of `from` to d, in from's order: work done
 * on several threads, each into its own list, is reported as if done in
 * order on one. */
void diag_list_append(diag_list *d, const diag_list *from);
/* Order by path, then line and column, keeping the order of equal positions. */
void diag_list_sort(diag_list *d);
/* The order `check` prints in: grouped by file, errors first. Files with an
 * error come before files with warnings only; within a file, its errors
 * come before its warnings, each by line and column. */
void diag_list_sort_grouped(diag_list *d);
void diag_list_print_text(const diag_list *d, FILE *out);
/* A JSON document: {"diagnostics":[{file,line,column,severity,code,message}],
 * "errors":N,"warnings":M}. */
void diag_list_print_json(const diag_list *d, FILE *out);

#endif
