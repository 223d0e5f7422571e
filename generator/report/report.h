/* The statistics of the 政府信息公开工作年度报告 (annual report on
 * government information disclosure, DOMAIN item 6) for one year, computed
 * from the items and the catalogue register: what was published
 * proactively, per category and per publisher; the 规范性文件 made, amended,
 * repealed and expired; the items withdrawn; how many went out within 20
 * working days; and which quarters each township's 乡镇政务 covered. The
 * site shows them at /xxgk/nb/<year>/ and `gongkai report` writes them as
 * CSV. Comes after the catalogue and before render.
 *
 * The rules (README "gongkai report" repeats them for webmasters):
 * - Published: read without errors, with a category and an index number,
 *   not a draft, 主动公开 (依申请公开 and 不予公开 are not proactive), dated
 *   in the year. Counted under its own category and its publisher.
 * - 规范性文件: items of a category with validity (catalogue.lua). Made
 *   (new) or amended in the year when its start (effective, else date)
 *   falls in it; amended when its front matter names the document it
 *   amends (`amends`), new otherwise, whatever its status is today, so a
 *   year's figures do not change when a document is repealed later.
 *   Repealed (废止) or expired (失效) in the year when its end (expires,
 *   else date) falls in it. In force at the year's end: started by then and
 *   not ended by then.
 * - Withdrawn: catalogue.lock entries withdrawn in the year.
 * - Timeliness: each published item with a `created` date is on time when
 *   at most 20 working days ([calendar]) lie after created up to its date;
 *   late otherwise; items without `created` cannot be measured.
 * - Township coverage: the items of each township whose category (or a
 *   parent) is published quarterly (乡镇政务), by the quarter they belong
 *   to (their period, else their date), whatever the date they went out. */
#ifndef GK_REPORT_REPORT_H
#define GK_REPORT_REPORT_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/date.h"

#include <stdbool.h>
#include <stddef.h>

/* Proactive disclosure is due within this many working days (DOMAIN item 2). */
#define REPORT_DUE_WORKDAYS 20

typedef struct report_count {
    const char *key;  /* category key or department id */
    const char *name; /* its Chinese name */
    size_t count;
} report_count;

typedef struct report_late {
    const catalogue_item *item;
    long workdays; /* after created, up to the date */
} report_late;

typedef struct report_township {
    const department *dept;
    size_t quarters[4]; /* 乡镇政务 items for Q1..Q4 */
} report_township;

typedef struct report {
    arena mem;
    int year;
    size_t published;
    report_count *categories; /* categories with items, catalogue order */
    size_t category_count;
    report_count *publishers; /* units with items, site.toml order */
    size_t publisher_count;
    size_t normative_new, normative_amended, normative_repealed, normative_expired;
    size_t normative_in_force; /* on 31 December */
    size_t withdrawn;
    size_t on_time, late, unmeasured;
    report_late *late_items;    /* by date, then source path */
    report_township *townships; /* every township of site.toml, in its order */
    size_t township_count;
} report;

/* Compute year's figures; free with report_free. */
void report_compute(report *r, const site_config *cfg, const catalogue *cat, int year);
void report_free(report *r);

/* The years with a published item (any disclosure the site shows), newest
 * first: an array in mem, its length in *count. */
int *report_years(const catalogue *cat, arena *mem, size_t *count);

/* The share of measured items published on time, in tenths of a percent
 * (938 for 93.8%), or -1 when none could be measured. */
int report_on_time_permille(const report *r);

/* The figures as CSV (UTF-8 with a byte order mark, so that spreadsheet
 * programs read the Chinese right; CRLF line ends as RFC 4180 has them):
 * a header `section,key,name,value`, then one row per figure. */
void report_csv(const report *r, buf *out);

#endif
