/* The unified disclosure catalogue (政府信息公开目录): the category tree that
 * templates/catalogue.lua declares, and the resolution of every item's
 * category against it. The tree is site data, never hard-coded here. */
#ifndef GK_CATALOGUE_CATALOGUE_H
#define GK_CATALOGUE_CATALOGUE_H

#include "../config/config.h"
#include "../content/content.h"
#include "../util/arena.h"
#include "../util/diag.h"

#include <lua.h>

#include <stdbool.h>
#include <stddef.h>

typedef enum category_periodic {
    CATEGORY_PERIODIC_NONE,
    CATEGORY_PERIODIC_QUARTER,
    CATEGORY_PERIODIC_MONTH,
    CATEGORY_PERIODIC_YEAR,
} category_periodic;

typedef enum category_scope {
    CATEGORY_SCOPE_BOTH,
    CATEGORY_SCOPE_GOVERNMENT,
    CATEGORY_SCOPE_DEPARTMENT,
    CATEGORY_SCOPE_TOWNSHIP,
} category_scope;

typedef struct category {
    const char *key;  /* ASCII, unique in the tree, used in URLs */
    const char *name; /* 规范性文件 */
    const char *description;
    int parent; /* index of the parent category, -1 at the top */
    int depth;
    bool validity; /* items carry 有效性 (valid / expired / repealed) */
    bool fixed;    /* fixed content, refreshed yearly */
    category_periodic periodic;
    category_scope scope;
} category;

/* A document number split as naming.lua's doc_number_parts says. */
typedef struct naming_doc_parts {
    const char *issuer; /* 示政办发 */
    int year;
    long seq;
} naming_doc_parts;

/* The catalogue's view of one item. */
typedef struct catalogue_item {
    const content_item *item;
    const category *category; /* NULL when the item names no known category */
    /* From catalogue.lock (catalogue_lock_apply); NULL for an item that gets
     * no number: a draft, 不予公开, or one the build could not read. */
    const char *index_no; /* 索引号, e.g. 11339901MB0001222Q/2025-00012 */
    const char *id;       /* stable id: 16 hex digits, never changes */
    const char *url;      /* site path, e.g. /czj/2025/yusuan-2025/ */
    const char **aliases; /* former URLs, oldest first: each gets a redirect page */
    size_t alias_count;
    /* From catalogue_doc_numbers_apply: the 文号 as naming.lua writes it, or
     * NULL when it was not asked (or naming.lua failed); when doc_split, as
     * naming.lua splits it. */
    const char *doc_number;
    bool doc_split;
    naming_doc_parts doc_parts;
} catalogue_item;

/* An item that was published and is gone: deleted, turned into a draft or
 * 不予公开. Its entry in catalogue.lock stays forever, so its number is never
 * reused and its URLs keep a page saying when and why it was withdrawn. */
typedef struct catalogue_withdrawn {
    const char *index_no;
    const char *id;
    const char *url;
    const char **aliases;
    size_t alias_count;
    const char *title;            /* as last published */
    const char *dept;             /* the id its number was assigned under */
    const department *department; /* NULL when no longer in site.toml */
    const char *path;             /* its last source path */
    date withdrawn;
    const char *reason; /* written by the webmaster in catalogue.lock, or NULL */
} catalogue_withdrawn;

typedef struct catalogue_lock catalogue_lock;

typedef struct catalogue {
    arena mem;
    category *categories; /* depth first: every parent before its children */
    size_t count;
    const char *source;    /* the catalogue.lua that was read, as shown to users */
    catalogue_item *items; /* after catalogue_items_resolve: one per content item, same order */
    size_t item_count;
    catalogue_withdrawn *withdrawn; /* after catalogue_lock_apply, by index number */
    size_t withdrawn_count;
    catalogue_lock *lock; /* the register as applied, for catalogue_lock_write */
} catalogue;

/* Whether the item is on the site: read without errors, in a known
 * category, numbered in catalogue.lock, not 不予公开, and not a draft unless
 * drafts are published. Render, releases, reports and archives agree on it. */
bool catalogue_item_published(const catalogue_item *ci, bool drafts);

/* Read catalogue.lua (site, theme, then installed defaults). Returns 0, or -1
 * with diagnostics against that file. */
int catalogue_load(catalogue *cat, const site_config *cfg, diag_list *diags);
void catalogue_free(catalogue *cat);

/* A category by key or by exact Chinese name, or NULL. */
const category *catalogue_category_find(const catalogue *cat, const char *key_or_name);

/* Resolve every item's category (key or Chinese name). An unknown category is
 * an error against the line the editor wrote it on. Returns 0, or -1. */
int catalogue_items_resolve(catalogue *cat, const content_set *set, diag_list *diags);

/* ---- naming.lua: the unified naming rules -------------------------------
 *
 * Every name, number and URL the site shows is decided by a function of
 * naming.lua (site templates/, then the theme's, then the installed default),
 * run in its own sandbox. The C side only passes data in and checks what
 * comes back: a Lua error, a missing function or a result of the wrong type
 * or shape is a GK302 diagnostic against naming.lua, with the line when Lua
 * knows it. After a function has failed once, later calls of it fail at once
 * without a new diagnostic: a broken rule is reported once, not per item. A
 * naming handle is for one thread. */

typedef struct naming naming;

/* Load naming.lua. Its diagnostics go to `diags`; cfg and diags must outlive
 * *out. Returns 0, or -1 (and *out NULL) after a GK302 diagnostic. */
int naming_open(naming **out, const site_config *cfg, diag_list *diags);
/* Another handle on n's naming.lua, for another thread: its rules fail where
 * n's have failed, and its diagnostics go to `diags`. Returns 0, or -1 (and
 * *out NULL) after a diagnostic in `diags`. */
int naming_fork(naming **out, const naming *n, diag_list *diags);
void naming_close(naming *n);
/* The naming.lua in use, as shown in messages. */
const char *naming_source(const naming *n);

/* Push a unit as the Lua table naming.lua and the page templates see: id,
 * name, full_name, kind ("department", "township", "village"), abbr,
 * org_code, contact, contact_title, phone, address. */
void naming_department_push(lua_State *L, const department *d);
/* Push the site as the table naming.lua and the page templates see: name,
 * region, base_url, org_code, site_id, language. */
void naming_site_push(lua_State *L, const site_config *cfg);

/* What index_number and item_url are told about an item. */
typedef struct naming_item {
    const char *dept;     /* id of the department the number belongs to */
    int year;             /* the number's year: the year of the item's date */
    int seq;              /* its sequence number in that department and year, from 1 */
    const char *category; /* key, or NULL */
    const char *slug;     /* item_url: the file name without .md */
    const char *rel;      /* item_url: the path under content/ */
    int clash;            /* item_url: 0, or the retry after a URL already taken */
} naming_item;

/* Each call below returns 0 with the result allocated in mem, or -1. Results
 * are valid UTF-8 without control characters; URLs are site paths made of
 * letters, digits and -._~ between slashes, starting and ending with '/'. */

/* 索引号. The org code passed is the department's, else the site's. */
int naming_index_number(naming *n, arena *mem, const naming_item *it, const char **out);
int naming_item_url(naming *n, arena *mem, const naming_item *it, const char **out);
int naming_department_url(naming *n, arena *mem, const char *dept_id, const char **out);
int naming_category_url(naming *n, arena *mem, const char *key, const char **out);
int naming_department_category_url(naming *n, arena *mem, const char *dept_id, const char *key,
                                   const char **out);
/* 示例县财政局, 示例县白马镇人民政府, 示例县白马镇东风村村民委员会. */
int naming_subsite_name(naming *n, arena *mem, const department *dept, const char **out);
/* The unified title of a notice board (its own name in site.toml wins). */
int naming_board_title(naming *n, arena *mem, const board *b, const char **out);
/* A document number with its year in 〔〕: 示政办发[2025]12号 → 示政办发〔2025〕12号. */
int naming_doc_number(naming *n, arena *mem, const char *raw, const char **out);

/* Split a document number. Returns 1 with *out filled, 0 when s does not
 * look like a document number, -1 on error. */
int naming_doc_number_parts(naming *n, arena *mem, const char *s, naming_doc_parts *out);
/* Whether the item's 文号 is asked of naming.lua for the checks and pages:
 * it has one, a department and a date, and is published (drafts counting
 * when `drafts`); not 不予公开. */
bool catalogue_doc_number_wanted(const content_item *it, bool drafts);
/* naming_doc_number and then naming_doc_number_parts of raw: returns as
 * naming_doc_number_parts does (1 split, 0 not a document number, -1 error,
 * *shown set from 0). */
int catalogue_doc_number_ask(naming *n, arena *mem, const char *raw, const char **shown,
                             naming_doc_parts *parts);
/* What earlier runs found out, kept in the site's .gongkai/ for the next
 * (memo.c): naming.lua's answers about 文号 and items' URLs, which depend
 * only on the program, naming.lua and site.toml, which they are keyed by
 * (naming.cache), and the fingerprints of bodies (fingerprints.cache). A
 * memo is given to one call at a time. */
typedef struct catalogue_memo catalogue_memo;
/* The memo in folder `dir`: each file whole if it was written under this
 * program (and naming.lua and site.toml), else nothing of it (no file,
 * another key, or a damaged file). Never fails. */
catalogue_memo *catalogue_memo_open(const char *dir, const site_config *cfg);
/* Write back (atomically) each file whose content this run changed. A
 * failure to write is not reported: the next run works it out again. */
void catalogue_memo_save(const catalogue_memo *memo);
void catalogue_memo_free(catalogue_memo *memo);
/* Ask naming.lua about the 文号 of every item it is wanted for, on `workers`
 * threads (0: one per core), into the catalogue items (call after
 * catalogue_items_resolve); `memo` (or NULL) answers what it knows, and
 * keeps what naming.lua answered. When the memo knows them all, n is not
 * used. Errors from naming.lua are reported once, as one thread asking in
 * item order would. Returns 0, or -1 after one. */
int catalogue_doc_numbers_apply(catalogue *cat, naming *n, bool drafts, size_t workers,
                                catalogue_memo *memo);
/* 2026年第三季度, 2026年9月, 2026年度; n is the quarter or month (unused for
 * a year). */
int naming_period_label(naming *n, arena *mem, category_periodic kind, int year, int num,
                        const char **out);

/* ---- catalogue.lock: index numbers and URLs that never change -----------
 *
 * catalogue.lock, at the site root, is the register of every item ever
 * published: one line per item, sorted by index number, tab-separated:
 *
 *   index_no dept year seq id path url aliases title_fp body_fp withdrawn reason title
 *
 * The first build that sees a published item (not a draft, not 不予公开)
 * gives it the next sequence number of its department and year (one more than
 * the highest ever used, withdrawn entries included), its 索引号 and its URL
 * from naming.lua, and a stable id. From then on the number never changes and
 * is never reused. An item is recognised by its path; a file at a new path
 * that matches exactly one entry whose file is gone, by body fingerprint or by
 * title fingerprint within the same department, is that item moved or
 * renamed. Its URL follows naming.lua's item_url for its current file, and
 * every URL it had before stays in `aliases` (a redirect page each), so no
 * published URL ever breaks and none is given to another item. An entry whose
 * item is gone (or became a draft or 不予公开) is marked withdrawn with the
 * date; the webmaster may write a reason; it comes back if the item does.
 * Fingerprints hash the text without white space; a body of under 32 bytes
 * has none (it would match too easily). */

/* Read catalogue.lock (absent: empty) and bring it up to date with the items
 * of `set`, which must be the one given to catalogue_items_resolve: fills
 * every item's index_no, id, url and aliases, and cat->withdrawn. Items the
 * content stage could not read (with errors, or left out because their front
 * matter is broken but whose file is still there) keep their entry untouched
 * and get no new one. `today` dates new withdrawals. Nothing is written here:
 * call catalogue_lock_write after a build without errors (`check` applies
 * to validate and never writes). Returns 0, or -1 after a
 * diagnostic: GK303 for a malformed or unreadable lock (with its line; the
 * file is then never rewritten), GK302 from naming.lua. The items'
 * fingerprints are taken on `workers` threads (0: one per core); naming.lua
 * is asked on the calling thread only. `memo` (or NULL) gives the
 * fingerprints and item URLs earlier runs found, and keeps this run's. */
int catalogue_lock_apply(catalogue *cat, const content_set *set, naming *n, const site_config *cfg,
                         date today, size_t workers, catalogue_memo *memo, diag_list *diags);

/* Write catalogue.lock when catalogue_lock_apply changed anything (or it did
 * not exist); otherwise leave the file alone. The text goes to a temporary
 * file beside it (.catalogue.lock.<pid>.tmp), is flushed to disk and renamed
 * over the old one, so an interrupted or failed write leaves the old lock
 * intact; if another build changed the file since it was read, nothing is
 * written. Returns 0, or -1 after a GK304 diagnostic. *written (may be NULL)
 * tells whether the file was written. */
int catalogue_lock_write(catalogue *cat, bool *written, diag_list *diags);
/* Do the slow part of catalogue_lock_write ahead: the text formatted and
 * flushed to its temporary file, which catalogue_lock_write then only puts
 * in place (after the same check for another writer) and catalogue_free
 * removes when it never was. For a build to call on a thread of its own
 * while its site renders; nothing else may use `cat`'s lock meanwhile.
 * A failure is silent: catalogue_lock_write then does it all. */
void catalogue_lock_stage(catalogue *cat);

/* ---- boards and periods: what goes on a notice board --------------------
 *
 * A board (公开栏) shows, for one period, every printable item posted on it:
 * an item is on a board when the board is in its `boards` (given, or by
 * default every board of its department); it belongs to a period by its
 * `period` when it has one, otherwise by its `date`. A period item of a finer
 * kind than the sheet (a month on a quarterly board) goes in the period that
 * contains it; one of a coarser kind (a quarter on a monthly board) in the
 * period of its date, when it was posted. */

/* An item that may go on paper: read without errors, published (it has an
 * index number), not a draft, 主动公开 (never 依申请公开 or 不予公开), no
 * secrecy level. Withdrawn items are no longer content items at all. */
bool catalogue_item_printable(const catalogue_item *ci);
bool catalogue_item_on_board(const catalogue_item *ci, const board *b);
/* The period of `kind` an item belongs to, by the rule above. */
content_period catalogue_item_period(const catalogue_item *ci, content_period_kind kind);

/* The period of `kind` (quarter or month) that contains day d. */
content_period catalogue_period_of(date d, content_period_kind kind);
content_period_kind catalogue_board_period_kind(const board *b);
/* The catalogue's name for a period kind, as naming_period_label takes it. */
category_periodic catalogue_period_periodic(content_period_kind kind);
date catalogue_period_first_day(content_period p);
date catalogue_period_last_day(content_period p);
/* The period right after p, of the same kind. */
content_period catalogue_period_next(content_period p);
/* Order by first day, then the shorter (finer) period first. */
int catalogue_period_cmp(content_period a, content_period b);
/* "2026-Q3" or "2026-09" into out (at least 16 bytes). */
void catalogue_period_format(content_period p, char *out);

/* The printable items of board b in period p, oldest first (by date, then
 * source path): an array allocated in mem, its length in *count. */
const catalogue_item **catalogue_board_items(const catalogue *cat, const board *b, content_period p,
                                             arena *mem, size_t *count);
/* The latest period of the board's own kind that has a printable item on
 * it. Returns false (and leaves *out) when the board has none at all. */
bool catalogue_board_latest_period(const catalogue *cat, const board *b, content_period *out);

#endif
