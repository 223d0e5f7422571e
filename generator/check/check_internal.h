/* Shared between the rules of the check stage, not used outside it. Each
 * rule family lives in its own file and adds its diagnostics to the run. */
#ifndef GK_CHECK_INTERNAL_H
#define GK_CHECK_INTERNAL_H

#include "check.h"

#include "../util/arena.h"
#include "../util/workday.h"

typedef struct check_ctx {
    const site_config *cfg;
    const catalogue *cat; /* its items match set->items one to one, or it has none */
    const content_set *set;
    naming *names; /* NULL when naming.lua failed to load */
    const check_options *opt;
    diag_list *diags;
    arena mem; /* for the run */
    workday_calendar cal;
    size_t workers; /* threads for check_items_each */
    /* With opt->memo (memo.c): per item its record's key (0: none) and
     * what this run found absent (CHECK_MEMO_* bits). */
    uint64_t *memo_keys;
    unsigned char *memo_bits;
} check_ctx;

/* ---- facts about texts kept across runs (memo.c) ------------------------- */

enum {
    CHECK_MEMO_NO_PII = 1,   /* what the item's pages show has no personal data */
    CHECK_MEMO_NO_LINKS = 2, /* its body has nothing a link is made of */
};

void check_memo_begin(check_ctx *c);
/* Whether an earlier run found `bit` true of item i's text as it is now
 * (then it is kept for the next run too). Any thread, one per item. */
bool check_memo_known(const check_ctx *c, size_t i, unsigned bit);
/* This run found `bit` true of item i's text. Any thread, one per item. */
void check_memo_note(const check_ctx *c, size_t i, unsigned bit);
/* Hand this run's facts to the memo, which the caller saves. */
void check_memo_end(check_ctx *c);

/* Whether the item goes on the site: not withheld (不予公开), not a draft
 * unless drafts are built. Items with errors count: their other problems
 * are reported too. */
bool check_item_published(const check_ctx *c, const content_item *it);
/* The catalogue's record of set->items[i], or NULL when the catalogue could
 * not resolve the items. */
const catalogue_item *check_catalogue_item(const check_ctx *c, size_t i);

void check_diag(check_ctx *c, diag_severity severity, const char *code, const content_item *it,
                int line, int col, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Run fn for every item i of the set on c->workers threads, each item's
 * diagnostics into a list of its own, then add them to the run's in item
 * order: the same diagnostics in the same order as one thread gives. fn may
 * read c and the model; it must not touch c->mem, c->diags or c->names. */
typedef void (*check_item_fn)(const check_ctx *c, size_t i, diag_list *out);
void check_items_each(check_ctx *c, check_item_fn fn);

/* Line and column (in code points, a leading BOM not counted) of byte
 * offset `off` of the item's text. */
void check_position(const content_item *it, size_t off, int *line, int *col);
/* The same for a position cmark gives in the body: its line within the
 * body and its byte column, both 1-based. */
void check_body_position(const content_item *it, int line_in_body, int byte_col, int *line,
                         int *col);
/* A user's text quoted in a message: one line, at most 40 characters. */
const char *check_excerpt(check_ctx *c, const char *s, size_t n);

/* s in Unicode normalisation form C (composed), in the run's arena; s itself
 * when it is ASCII or not valid UTF-8. File names typed on one system and
 * stored by another (macOS writes NFD) compare equal this way. */
const char *check_nfc(check_ctx *c, const char *s);

/* `a` plus `years` years (29 February becomes 28 February). */
date check_add_years(date a, int years);

/* The rule families, one file each. */
void check_secrecy_run(check_ctx *c);
void check_pii_run(check_ctx *c);
void check_docnum_run(check_ctx *c);
void check_attachments_run(check_ctx *c);
void check_links_run(check_ctx *c);
void check_timeliness_run(check_ctx *c);
void check_periodic_run(check_ctx *c);
void check_fixed_run(check_ctx *c);
void check_validity_run(check_ctx *c);
void check_review_run(check_ctx *c);

#endif
