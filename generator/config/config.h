/* The site configuration, read from site.toml: the site's identity, its
 * departments, townships and villages, its notice boards, the working-day
 * calendar and the publishing settings. Defaults are filled in here, and every
 * problem becomes a diagnostic against site.toml. */
#ifndef GK_CONFIG_CONFIG_H
#define GK_CONFIG_CONFIG_H

#include "../util/arena.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/diag.h"
#include "../util/workday.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum department_kind {
    DEPARTMENT_KIND_DEPARTMENT,
    DEPARTMENT_KIND_TOWNSHIP,
    DEPARTMENT_KIND_VILLAGE,
} department_kind;

typedef struct department {
    const char *id;        /* ASCII, also the folder under content/ */
    const char *name;      /* short name: 财政局, 白马镇 */
    const char *full_name; /* 示例县财政局; defaults to region + name */
    const char *abbr;      /* for document numbers: 示财 */
    const char *org_code;  /* 统一社会信用代码 or org code; index numbers use it */
    const char *parent;    /* villages: the township id */
    const char *contact;   /* 政务公开负责人 */
    const char *contact_title;
    const char *phone;
    const char *address;
    department_kind kind;
    int line; /* where its [[departments]] entry starts in site.toml */
} department;

typedef enum board_period { BOARD_PERIOD_QUARTER, BOARD_PERIOD_MONTH } board_period;

typedef struct board {
    const char *id;
    const char *department; /* id of the department that owns it */
    const char *name;       /* optional; naming.lua composes the unified name */
    const char *paper;      /* "A4" or "A3" */
    const char *supervision_phone;
    board_period period;
    bool review_required;
    int line;
} board;

typedef struct site_config {
    arena mem;
    const char *root; /* the site directory */
    const char *path; /* site.toml as shown in diagnostics */
    bool parsed;      /* read and valid TOML: the rest is usable, errors or not */
    /* hash64_block of the text this configuration was parsed from: what a
     * cache of work done under it (the text store's parsed items) is keyed
     * on, taken from the very bytes read, not from a second read. */
    uint64_t text_hash;

    const char *name;     /* 示例县人民政府 */
    const char *region;   /* 示例县 */
    const char *base_url; /* https://www.example.gov.cn/ (always ends in /) */
    const char *org_code;
    const char *site_id;  /* 网站标识码 */
    const char *icp;      /* ICP备案号 */
    const char *psb;      /* 公安备案号 */
    const char *theme;    /* default "default" */
    const char *language; /* "zh-CN" */
    bool allow_html;      /* raw HTML in Markdown passes through */
    int64_t page_size;    /* rows per catalogue page, default 20 */

    department *departments;
    size_t department_count;
    board *boards;
    size_t board_count;

    date *holidays; /* statutory holidays, sorted */
    size_t holiday_count;
    date *workdays; /* make-up working days on weekends (调休), sorted */
    size_t workday_count;

    const char *publish_branch;      /* default "site" */
    const char *publish_tag_pattern; /* default "release-%Y%m%d-%n" */
} site_config;

/* Read root/site.toml. Returns 0 when usable (warnings may have been added),
 * -1 when an error was added to diags. cfg must be released with config_free
 * either way. */
int config_load(site_config *cfg, const char *root, diag_list *diags);
/* The same from text in memory; `path` is the name shown in diagnostics. */
int config_parse(site_config *cfg, const char *root, const char *path, const char *text, size_t len,
                 diag_list *diags);
void config_free(site_config *cfg);

/* Find templates/<name> (a page template or a rule file such as
 * catalogue.lua). A site's own templates/ wins over its theme's
 * (themes/<theme>/templates/), and both over the installed theme and
 * templates under the data directory ($GONGKAI_DATADIR, else ../share/gongkai
 * beside the binary's folder). Returns 0 with the file's path in *path and
 * the name to show in messages in *shown (relative to the site when it is the
 * site's), or -1. */
int config_template_find(const site_config *cfg, const char *name, buf *path, buf *shown);

/* Appends the folder of the installed templates and themes:
 * $GONGKAI_DATADIR, else share/gongkai beside the bin/ the binary sits in. */
void config_datadir(buf *out);

/* The working-day calendar of [calendar]: holidays off, make-up days on. */
workday_calendar config_calendar(const site_config *cfg);

/* The active theme's folder: the site's themes/<theme>, else the installed
 * one. Returns 0 with its path in *out, or -1 when neither exists. */
int config_theme_dir(const site_config *cfg, buf *out);

/* An id or key that becomes a folder name and part of URLs: lowercase ASCII
 * letters, digits, '-' and '_'. */
bool config_id_valid(const char *id);

const department *config_department_find(const site_config *cfg, const char *id);
const board *config_board_find(const site_config *cfg, const char *id);

#endif
