/* The content stage: finds every item under content/, splits its front matter
 * (TOML between +++ lines or YAML between --- lines, as in Hugo) from its
 * Markdown body, and builds the item records the later stages work from. Every
 * problem becomes a diagnostic against the file with its line and column, and
 * one bad file never stops the others from being read. */
#ifndef GK_CONTENT_CONTENT_H
#define GK_CONTENT_CONTENT_H

#include "../config/config.h"
#include "../util/arena.h"
#include "../util/date.h"
#include "../util/diag.h"
#include "../util/value.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

typedef enum content_format { CONTENT_FORMAT_TOML, CONTENT_FORMAT_YAML } content_format;

typedef enum content_split_problem {
    CONTENT_SPLIT_OK,
    CONTENT_SPLIT_MISSING,  /* the first line is neither +++ nor --- */
    CONTENT_SPLIT_UNCLOSED, /* no closing delimiter line */
} content_split_problem;

/* One file cut into its front matter and its body. */
typedef struct content_frontmatter {
    content_split_problem problem;
    content_format format;
    int line;         /* the opening delimiter's line: 1; with CONTENT_SPLIT_MISSING, the
                       * line of a delimiter below leading blank lines, or 0 */
    const char *text; /* between the delimiter lines, CRLF made LF, NUL-terminated */
    size_t len;
    int text_line;    /* the file line of text[0] */
    const char *body; /* into the file text as given, after the closing line */
    size_t body_len;
    int body_line; /* the file line of body[0] */
} content_frontmatter;

/* What a front matter parser reports, positions absolute in the file. */
typedef struct content_error {
    int line, col; /* 1-based; col counts code points */
    char message[512];
} content_error;

/* Split text[0..len) (a UTF-8 BOM and CRLF line ends are accepted). Delimiter
 * lines may carry trailing blanks. The front matter text is copied into mem
 * with CRLF turned into LF, which keeps every line and column where it was.
 * Returns 0, or -1 with fm->problem set. */
int content_frontmatter_split(arena *mem, const char *text, size_t len, content_frontmatter *fm);

/* Parse YAML front matter into the value tree of util/value.h. Plain scalars
 * are typed: true/false, integers, decimals, real dates `YYYY-MM-DD` (local
 * date) and `YYYY-MM-DD HH:MM[:SS]` or with `T` (local date-time; with `Z` or
 * `+08:00`, offset date-time); a plain scalar shaped like a date that is not a
 * real one stays a string, so the item check can say which date is wrong. An
 * empty value (YAML null) is the empty string. The top level must be a
 * mapping; duplicate keys, anchors, aliases and nesting deeper than 64 levels
 * are refused. Positions count text's first line as line_base. */
int content_yaml_parse(arena *mem, const char *text, size_t len, int line_base, value **out,
                       content_error *err);

/* Parse the front matter of a split file with the parser its delimiter names. */
int content_frontmatter_parse(arena *mem, const content_frontmatter *fm, value **out,
                              content_error *err);

/* A front matter date with its optional time of day. */
typedef struct content_when {
    bool set; /* given and valid */
    bool has_time;
    date day;
    int hour, minute, second;
} content_when;

/* A string and where its value was written. */
typedef struct content_str {
    const char *s; /* NULL when not given */
    int line, col;
} content_str;

typedef struct content_list {
    content_str *v;
    size_t len;
} content_list;

typedef enum content_validity {
    CONTENT_VALIDITY_UNSET,
    CONTENT_VALIDITY_VALID,    /* 有效 (valid) */
    CONTENT_VALIDITY_EXPIRED,  /* 失效 (expired) */
    CONTENT_VALIDITY_REPEALED, /* 废止 (repealed) */
} content_validity;

typedef enum content_disclosure {
    CONTENT_DISCLOSURE_PUBLIC,     /* 主动公开, the default */
    CONTENT_DISCLOSURE_ON_REQUEST, /* 依申请公开 */
    CONTENT_DISCLOSURE_WITHHELD,   /* 不予公开: never rendered */
} content_disclosure;

typedef enum content_period_kind {
    CONTENT_PERIOD_NONE,
    CONTENT_PERIOD_QUARTER, /* 2026-Q3 */
    CONTENT_PERIOD_MONTH,   /* 2026-09 */
} content_period_kind;

typedef struct content_period {
    content_period_kind kind;
    int year;
    int n; /* the quarter 1-4 or the month 1-12 */
} content_period;

/* Parse a period as front matter writes it: "2026-Q3" or "2026-09". */
bool content_period_parse(const char *s, content_period *p);

/* What of a file's stat data tells that it is unchanged (as git's index
 * keeps it): a file whose stat data is as recorded holds the bytes it held
 * then, unless it was racy (content_stat_racy) when recorded. */
typedef struct content_stat {
    uint64_t dev, ino, size;
    int64_t mtime, ctime; /* in ns */
    uint64_t mode;
} content_stat;

void content_stat_take(content_stat *s, const struct stat *st);
/* Whether a file with stat data *s, looked at no later than `now_ns`
 * (CLOCK_REALTIME, ns), is racy: changed so lately (within 2 s: file times
 * are coarse, some file systems keep seconds) that a change to come may
 * leave the same stat data. What is recorded by stat data must not be
 * trusted for a racy file: it is looked at again next time. */
bool content_stat_racy(const content_stat *s, int64_t now_ns);

/* One item. Everything it points to lives in its content_set's arena. */
typedef struct content_item {
    const char *path; /* from the site root: content/czj/2026/yusuan.md */
    const char *rel;  /* under content/: czj/2026/yusuan.md */
    const char *slug; /* the file name without .md: yusuan */
    const char *text; /* the whole file as read (BOM and CRs included) */
    size_t text_len;
    uint64_t text_hash; /* hash64_block of text: taken once, as it is read */
    /* The file's own stat data when text was taken (the text store's or
     * the read's), for a later stage to tell the file unchanged since
     * (history's status memo); stat_known false when there is none: the
     * item was read alone or from memory, or through a link (whose own
     * stat data this is not). */
    content_stat stat;
    bool stat_known;

    content_format format;
    int front_line; /* the opening delimiter's line */
    const char *body;
    size_t body_len;
    int body_line;

    /* Errors leave the field at its zero value (NULL, unset) and make ok
     * false; required strings are "" when missing, never NULL. */
    bool ok; /* no error was reported for this file */
    const char *title;
    content_when date, created;
    const char *department; /* as given, or the first folder; else NULL */
    const department *dept; /* its declaration; NULL when unknown */
    bool department_given;  /* written in the front matter */
    content_str category;   /* as written; the catalogue stage resolves it */
    content_str doc_number; /* as written; naming.lua normalises it */
    content_validity status;
    content_when effective, expires;
    content_disclosure disclosure;
    content_str secrecy;     /* s non-NULL whenever the key is present */
    const char *period_text; /* as written */
    content_period period;
    content_list boards; /* given, or else the department's (line 0) */
    bool boards_given;
    content_list keywords;
    content_list reviewed_by;
    content_when reviewed_on;
    content_list attachments; /* relative paths as written, checked later */
    bool draft;
    content_str pii_allowed; /* the reason personal data may appear */
    content_str amends; /* 规范性文件: the 文号 or 索引号 of the document it amends (修订) */
} content_item;

/* Where the value of the top-level front matter key `key` was written in
 * its text (1-based; col counts code points), into *line and *col, which
 * are left alone when it returns false: the key is absent or the front
 * matter does not parse. Parses the front matter again each call, so it is
 * for a diagnostic about to be given; safe on several threads at once. */
bool content_item_where(const content_item *it, const char *key, int *line, int *col);

typedef struct content_set {
    arena mem;           /* every item and its text */
    content_item *items; /* after content_load: sorted by path, byte order */
    size_t len, cap;
    /* The text store content_load took texts from (content_keep), mapped
     * read-only: items' texts point into it. Unmapped by content_free. */
    const char *kept_map;
    size_t kept_map_len;
} content_set;

void content_init(content_set *set);
void content_free(content_set *set);

/* The texts of earlier runs and their items, kept in the site's .gongkai/
 * (keep.c has the files' layout) so that a rebuild does not read and parse
 * again the files whose stat data did not change. Only a shortcut: whatever
 * it holds, a load gives the items and diagnostics a load without it gives;
 * a store that is missing, damaged or of another program version is
 * ignored without a word. */
typedef struct content_keep content_keep;

/* Open the store in `dir` (<site>/.gongkai); never fails, a store that does
 * not read is an empty one. */
content_keep *content_keep_open(const char *dir);
/* Write back the store with the texts of the last content_load given this
 * keep, which must be called once, and whose content_set is still alive
 * (the texts are taken from it). Errors are dropped: the next run reads the
 * files instead. */
void content_keep_save(content_keep *keep);
void content_keep_free(content_keep *keep);

/* Read every *.md under <cfg->root>/content/ (hidden names and _index.md
 * excepted) into set, which is initialised here and must be released with
 * content_free either way. With `keep` (else NULL), a file whose stat data
 * the store knows is taken from it, not read; the result is the same. Drafts are loaded and
 * flagged. A file whose front matter cannot be read is left out; an item with other errors is kept
 * with ok false, so that checks can still look at it. The files are read and parsed on `workers`
 * threads (0: one per core); the result, diagnostics included, is the same for any number. Returns
 * 0 when no error was added to diags, -1 otherwise. */
int content_load(content_set *set, const site_config *cfg, size_t workers, content_keep *keep,
                 diag_list *diags);

/* Read one item, path given from the site root (content/...), and append it
 * to set (unsorted). Returns 0, or -1 when an error was added to diags. */
int content_file_load(content_set *set, const site_config *cfg, const char *path, diag_list *diags);

/* The same from text in memory (an earlier revision read from git): the text
 * is copied into set's arena and checked as a file would be. */
int content_text_load(content_set *set, const site_config *cfg, const char *path, const char *text,
                      size_t len, diag_list *diags);

#endif
