/* The compliance checks (DESIGN §9): the rules a site must pass before it is
 * published, run over the model the earlier stages loaded (config, items,
 * catalogue with its URLs, naming.lua). Refusals are errors: secrecy levels,
 * personal data, duplicate document numbers, bad attachments, broken
 * internal links, raw HTML the site does not allow. Everything else is a
 * warning: timeliness, missing periods, stale fixed content, expired or
 * uncleaned normative documents, missing review sign-off. Codes GK2xx, each
 * documented in the README. */
#ifndef GK_CHECK_CHECK_H
#define GK_CHECK_CHECK_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../content/content.h"
#include "../util/date.h"
#include "../util/diag.h"
#include "../util/memo.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct check_options {
    date today;       /* the day the site is checked: periods, ages, expiry */
    bool errors_only; /* build: the refusals only */
    bool drafts;      /* drafts will be published too */
    memo_map *memo;   /* what earlier runs found (check_memo_open), or NULL */
} check_options;

/* The memo of facts about texts that a build keeps in the site's folder
 * `dir` (.gongkai): with it, check_run scans only the texts it does not
 * know, and leaves what it found in it for memo_map_save. `gongkai check`
 * does without, as it writes nothing into the site. */
memo_map *check_memo_open(const char *dir);

/* Run the rules. The model may be partial (a catalogue or naming.lua that
 * failed to load): rules that need the missing part are skipped, the others
 * run, so one run reports as much as it can. `cat` must have resolved the
 * items of `set` when it has any; `names` may be NULL. The rules that look
 * at every item's text run on `workers` threads (0: one per core); the
 * diagnostics, and their order, are the same for any number. Returns 0, or
 * -1 when an error was added to diags. */
int check_run(const site_config *cfg, const catalogue *cat, const content_set *set, naming *names,
              const check_options *opt, size_t workers, diag_list *diags);

/* ---- the personal-data scanner ----------------------------------------- */

typedef enum check_pii_kind {
    CHECK_PII_ID18,   /* 18-digit 居民身份证号, check digit valid */
    CHECK_PII_ID15,   /* 15-digit ID number of the first generation */
    CHECK_PII_MOBILE, /* mainland mobile number */
    CHECK_PII_CARD,   /* bank card number passing Luhn */
} check_pii_kind;

typedef struct check_pii_match {
    check_pii_kind kind;
    size_t off, len; /* bytes of text, separators included */
    char masked[48]; /* ASCII: first and last digits kept, the rest '*' */
} check_pii_match;

typedef void (*check_pii_fn)(const check_pii_match *m, void *ctx);

/* Call fn for every piece of personal data in text[0..len) (any bytes, UTF-8
 * or not), in order. Digits may be ASCII or full-width; a mobile number may
 * be written 138 1234 5678 or 138-1234-5678, a card number in groups of
 * four. A number that is part of something longer is not personal data: a
 * longer run of digits, a code with letters or slashes (索引号, 统一社会信用
 * 代码), the sequence number of a 文号 (〔2025〕…号), a decimal amount. */
void check_pii_scan(const char *text, size_t len, check_pii_fn fn, void *ctx);
/* Whether what the pages of `it` would show holds personal data (GK202's
 * rule: not when the item says pii_allowed). For texts no check sees, such
 * as earlier versions read back from git. */
bool check_item_personal_data(const content_item *it);
/* A name for the kind, in Chinese: 身份证号, 手机号码, 银行卡号. */
const char *check_pii_kind_name(check_pii_kind kind);

#endif
