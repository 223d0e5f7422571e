#include "config.h"
#include "toml.h"

#include "../util/buf.h"
#include "../util/hash.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One key of a site.toml table and where its value lands in the struct. */
typedef enum field_kind { FIELD_STRING, FIELD_BOOL, FIELD_INT } field_kind;

typedef struct config_field {
    const char *key;
    field_kind kind;
    size_t offset;
    bool required;
} config_field;

typedef struct config_reader {
    site_config *cfg;
    diag_list *diags;
    int errors;
} config_reader;

static void config_error(config_reader *r, const char *code, int line, int col, const char *fmt,
                         ...) __attribute__((format(printf, 5, 6)));
static void config_error(config_reader *r, const char *code, int line, int col, const char *fmt,
                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->diags, DIAG_ERROR, code, r->cfg->path, line, col, fmt, ap);
    va_end(ap);
    r->errors++;
}

static bool config_field_known(const config_field *fields, const char *key)
{
    for (const config_field *f = fields; f && f->key; f++)
        if (strcmp(f->key, key) == 0)
            return true;
    return false;
}

/* Fill `out` from the keys of `table` listed in `fields`; `own_keys` names keys
 * that the caller reads itself. Anything else is a warning, not an error: a
 * newer site.toml must still build with an older gongkai. */
static void config_read_fields(config_reader *r, const value *table, const char *where,
                               const config_field *fields, const config_field *own_keys, void *out)
{
    for (size_t i = 0; i < table->u.table.len; i++) {
        const value_entry *e = &table->u.table.entries[i];
        if (!config_field_known(fields, e->key) && !config_field_known(own_keys, e->key))
            diag_add(r->diags, DIAG_WARNING, "GK003", r->cfg->path, e->line, e->col,
                     "%s 中有未知的键“%s”，已忽略（请检查拼写）", where, e->key);
    }
    for (const config_field *f = fields; f->key; f++) {
        value_entry *e = value_table_find(table, f->key, strlen(f->key));
        char *slot = (char *)out + f->offset;
        if (!e) {
            if (f->required)
                config_error(r, "GK006", table->line, table->col, "%s 缺少必填的键“%s”", where,
                             f->key);
            continue;
        }
        static const value_type types[] = {VALUE_STRING, VALUE_BOOL, VALUE_INTEGER};
        value_type want = types[f->kind];
        if (e->val->type != want) {
            config_error(r, "GK004", e->val->line, e->val->col, "%s 的“%s”应为%s，实际是%s", where,
                         f->key, value_type_name(want), value_type_name(e->val->type));
            continue;
        }
        if (f->kind == FIELD_STRING)
            *(const char **)slot = e->val->u.str.ptr;
        else if (f->kind == FIELD_BOOL)
            *(bool *)slot = e->val->u.boolean;
        else
            *(int64_t *)slot = e->val->u.integer;
    }
}

/* A section such as [site]: absent is fine (all defaults), anything but a
 * table is an error. */
static const value *config_section(config_reader *r, const value *root, const char *name)
{
    value_entry *e = value_table_find(root, name, strlen(name));
    if (!e)
        return NULL;
    if (e->val->type != VALUE_TABLE) {
        config_error(r, "GK004", e->line, e->col, "“%s”应为表（[%s]），实际是%s", name, name,
                     value_type_name(e->val->type));
        return NULL;
    }
    return e->val;
}

/* An array of tables such as [[departments]]. */
static const value *config_table_array(config_reader *r, const value *root, const char *name)
{
    value_entry *e = value_table_find(root, name, strlen(name));
    if (!e)
        return NULL;
    bool ok = e->val->type == VALUE_ARRAY;
    for (size_t i = 0; ok && i < e->val->u.array.len; i++)
        ok = e->val->u.array.items[i]->type == VALUE_TABLE;
    if (!ok) {
        config_error(r, "GK004", e->line, e->col, "“%s”应写成表数组（[[%s]]）", name, name);
        return NULL;
    }
    return e->val;
}

bool config_id_valid(const char *id)
{
    if (!*id)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return false;
    return true;
}

#define DEPT_FIELD(k, m, req)                                                                      \
    {                                                                                              \
        k, FIELD_STRING, offsetof(department, m), req                                              \
    }
static const config_field department_fields[] = {
    DEPT_FIELD("id", id, true),
    DEPT_FIELD("name", name, true),
    DEPT_FIELD("full_name", full_name, false),
    DEPT_FIELD("abbr", abbr, false),
    DEPT_FIELD("org_code", org_code, false),
    DEPT_FIELD("parent", parent, false),
    DEPT_FIELD("contact", contact, false),
    DEPT_FIELD("contact_title", contact_title, false),
    DEPT_FIELD("phone", phone, false),
    DEPT_FIELD("address", address, false),
    {NULL, FIELD_STRING, 0, false},
};
static const config_field department_keys[] = {{"kind", FIELD_STRING, 0, false},
                                               {NULL, FIELD_STRING, 0, false}};

static void config_read_departments(config_reader *r, const value *root)
{
    site_config *cfg = r->cfg;
    const value *list = config_table_array(r, root, "departments");
    if (!list)
        return;
    cfg->departments = arena_alloc(&cfg->mem, list->u.array.len * sizeof *cfg->departments);
    for (size_t i = 0; i < list->u.array.len; i++) {
        const value *t = list->u.array.items[i];
        department d = {0};
        d.line = t->line;
        config_read_fields(r, t, "[[departments]]", department_fields, department_keys, &d);
        if (!d.id || !d.name)
            continue;
        if (!config_id_valid(d.id)) {
            const value *v = value_table_get(t, "id");
            config_error(r, "GK007", v->line, v->col,
                         "部门 id“%s”只能由小写字母、数字、- 和 _ 组成（它也是 content/ "
                         "下的文件夹名和网址的一部分）",
                         d.id);
            continue;
        }
        const department *prev = config_department_find(cfg, d.id);
        if (prev) {
            config_error(r, "GK005", t->line, t->col, "部门 id“%s”重复，第 %d 行已经定义过", d.id,
                         prev->line);
            continue;
        }
        const value *kind = value_table_get(t, "kind");
        if (kind && kind->type != VALUE_STRING) {
            config_error(r, "GK004", kind->line, kind->col, "“kind”应为字符串");
        } else if (kind && strcmp(kind->u.str.ptr, "township") == 0) {
            d.kind = DEPARTMENT_KIND_TOWNSHIP;
        } else if (kind && strcmp(kind->u.str.ptr, "village") == 0) {
            d.kind = DEPARTMENT_KIND_VILLAGE;
        } else if (kind && strcmp(kind->u.str.ptr, "department") != 0) {
            config_error(r, "GK007", kind->line, kind->col,
                         "“kind”只能是 department（部门）、township（乡镇）或 village（村居），"
                         "而不是“%s”",
                         kind->u.str.ptr);
        }
        if (!d.full_name)
            d.full_name =
                cfg->region ? arena_printf(&cfg->mem, "%s%s", cfg->region, d.name) : d.name;
        cfg->departments[cfg->department_count++] = d;
    }
    /* Parents are checked once every department is known, so order in the
     * file does not matter. */
    for (size_t i = 0; i < cfg->department_count; i++) {
        const department *d = &cfg->departments[i];
        const department *p = d->parent ? config_department_find(cfg, d->parent) : NULL;
        if (d->kind == DEPARTMENT_KIND_VILLAGE && !d->parent)
            config_error(r, "GK006", d->line, 1, "村（居）“%s”缺少 parent（所属乡镇的 id）", d->id);
        else if (d->parent && !p)
            config_error(r, "GK007", d->line, 1, "“%s”的 parent“%s”不是已定义的部门或乡镇", d->id,
                         d->parent);
        else if (d->parent && p->kind != DEPARTMENT_KIND_TOWNSHIP)
            config_error(r, "GK007", d->line, 1,
                         "“%s”的 parent“%s”应为乡镇（kind = "
                         "\"township\"）",
                         d->id, d->parent);
    }
}

#define BOARD_FIELD(k, m, kind, req)                                                               \
    {                                                                                              \
        k, kind, offsetof(board, m), req                                                           \
    }
static const config_field board_fields[] = {
    BOARD_FIELD("id", id, FIELD_STRING, true),
    BOARD_FIELD("department", department, FIELD_STRING, true),
    BOARD_FIELD("name", name, FIELD_STRING, false),
    BOARD_FIELD("paper", paper, FIELD_STRING, false),
    BOARD_FIELD("supervision_phone", supervision_phone, FIELD_STRING, false),
    BOARD_FIELD("review", review_required, FIELD_BOOL, false),
    {NULL, FIELD_STRING, 0, false},
};
static const config_field board_keys[] = {{"period", FIELD_STRING, 0, false},
                                          {NULL, FIELD_STRING, 0, false}};

static void config_read_boards(config_reader *r, const value *root)
{
    site_config *cfg = r->cfg;
    const value *list = config_table_array(r, root, "boards");
    if (!list)
        return;
    cfg->boards = arena_alloc(&cfg->mem, list->u.array.len * sizeof *cfg->boards);
    for (size_t i = 0; i < list->u.array.len; i++) {
        const value *t = list->u.array.items[i];
        board b = {0};
        b.line = t->line;
        config_read_fields(r, t, "[[boards]]", board_fields, board_keys, &b);
        if (!b.id || !b.department)
            continue;
        if (!config_id_valid(b.id)) {
            const value *v = value_table_get(t, "id");
            config_error(r, "GK007", v->line, v->col,
                         "公开栏 id“%s”只能由小写字母、数字、- 和 _ 组成", b.id);
            continue;
        }
        const board *prev = config_board_find(cfg, b.id);
        if (prev) {
            config_error(r, "GK005", t->line, t->col, "公开栏 id“%s”重复，第 %d 行已经定义过", b.id,
                         prev->line);
            continue;
        }
        if (!config_department_find(cfg, b.department)) {
            const value *v = value_table_get(t, "department");
            config_error(r, "GK007", v->line, v->col,
                         "公开栏“%s”所属的 department“%s”没有在 [[departments]] 中定义", b.id,
                         b.department);
        }
        if (!b.paper) {
            b.paper = "A4";
        } else if (strcmp(b.paper, "A4") != 0 && strcmp(b.paper, "A3") != 0) {
            const value *v = value_table_get(t, "paper");
            config_error(r, "GK007", v->line, v->col, "paper 只能是 \"A4\" 或 \"A3\"，而不是“%s”",
                         b.paper);
        }
        const value *period = value_table_get(t, "period");
        if (period && period->type != VALUE_STRING) {
            config_error(r, "GK004", period->line, period->col, "“period”应为字符串");
        } else if (period && strcmp(period->u.str.ptr, "month") == 0) {
            b.period = BOARD_PERIOD_MONTH;
        } else if (period && strcmp(period->u.str.ptr, "quarter") != 0) {
            config_error(r, "GK007", period->line, period->col,
                         "period 只能是 \"quarter\"（按季度）或 \"month\"（按月），而不是“%s”",
                         period->u.str.ptr);
        }
        cfg->boards[cfg->board_count++] = b;
    }
}

static int config_date_cmp(const void *a, const void *b)
{
    return date_cmp(*(const date *)a, *(const date *)b);
}

/* holidays = [2025-10-01, ...]: TOML dates, or "YYYY-MM-DD" strings. */
static void config_read_dates(config_reader *r, const value *cal, const char *key, date **out,
                              size_t *count)
{
    value_entry *e = value_table_find(cal, key, strlen(key));
    if (!e)
        return;
    if (e->val->type != VALUE_ARRAY) {
        config_error(r, "GK004", e->val->line, e->val->col, "[calendar] 的“%s”应为日期数组", key);
        return;
    }
    const value *a = e->val;
    *out = arena_alloc(&r->cfg->mem, (a->u.array.len + 1) * sizeof **out);
    for (size_t i = 0; i < a->u.array.len; i++) {
        const value *v = a->u.array.items[i];
        date d;
        if (v->type == VALUE_DATE_LOCAL) {
            d = (date){v->u.dt.year, v->u.dt.month, v->u.dt.day};
        } else if (v->type != VALUE_STRING || date_parse(v->u.str.ptr, v->u.str.len, &d) != 0) {
            config_error(r, "GK007", v->line, v->col,
                         "[calendar] 的“%s”中每一项都应是 YYYY-MM-DD 格式的真实日期", key);
            continue;
        }
        (*out)[(*count)++] = d;
    }
    qsort(*out, *count, sizeof **out, config_date_cmp);
}

#define SITE_FIELD(k, m, kind)                                                                     \
    {                                                                                              \
        k, kind, offsetof(site_config, m), false                                                   \
    }
static const config_field site_fields[] = {
    SITE_FIELD("name", name, FIELD_STRING),         SITE_FIELD("region", region, FIELD_STRING),
    SITE_FIELD("base_url", base_url, FIELD_STRING), SITE_FIELD("org_code", org_code, FIELD_STRING),
    SITE_FIELD("site_id", site_id, FIELD_STRING),   SITE_FIELD("icp", icp, FIELD_STRING),
    SITE_FIELD("psb", psb, FIELD_STRING),           SITE_FIELD("theme", theme, FIELD_STRING),
    SITE_FIELD("language", language, FIELD_STRING), {NULL, FIELD_STRING, 0, false},
};
static const config_field markdown_fields[] = {
    SITE_FIELD("allow_html", allow_html, FIELD_BOOL),
    {NULL, FIELD_STRING, 0, false},
};
static const config_field publish_fields[] = {
    SITE_FIELD("branch", publish_branch, FIELD_STRING),
    SITE_FIELD("tag_pattern", publish_tag_pattern, FIELD_STRING),
    {NULL, FIELD_STRING, 0, false},
};
/* Keys read by their own code, listed so they are not reported as unknown. */
static const config_field calendar_keys[] = {
    {"holidays", FIELD_STRING, 0, false},
    {"workdays", FIELD_STRING, 0, false},
    {NULL, FIELD_STRING, 0, false},
};
static const config_field no_fields[] = {{NULL, FIELD_STRING, 0, false}};
static const config_field root_keys[] = {
    {"site", FIELD_STRING, 0, false},        {"markdown", FIELD_STRING, 0, false},
    {"departments", FIELD_STRING, 0, false}, {"boards", FIELD_STRING, 0, false},
    {"calendar", FIELD_STRING, 0, false},    {"publish", FIELD_STRING, 0, false},
    {NULL, FIELD_STRING, 0, false},
};

static void config_read(config_reader *r, const value *root)
{
    site_config *cfg = r->cfg;
    config_read_fields(r, root, "site.toml", no_fields, root_keys, cfg);

    const value *site = config_section(r, root, "site");
    if (site)
        config_read_fields(r, site, "[site]", site_fields, NULL, cfg);
    const value *md = config_section(r, root, "markdown");
    if (md)
        config_read_fields(r, md, "[markdown]", markdown_fields, NULL, cfg);
    const value *pub = config_section(r, root, "publish");
    if (pub)
        config_read_fields(r, pub, "[publish]", publish_fields, NULL, cfg);

    if (!cfg->name)
        config_error(r, "GK006", 1, 1, "[site] 缺少必填的键“name”（网站名称，如 示例县人民政府）");
    if (!cfg->region)
        cfg->region = "";
    if (!cfg->theme)
        cfg->theme = "default";
    if (!cfg->language)
        cfg->language = "zh-CN";
    const value *page_size = site ? value_table_get(site, "page_size") : NULL;
    if (page_size && page_size->type == VALUE_INTEGER &&
        (cfg->page_size < 1 || cfg->page_size > 1000))
        config_error(r, "GK007", page_size->line, page_size->col,
                     "page_size（每页条数）应在 1 到 1000 之间");
    if (cfg->page_size < 1 || cfg->page_size > 1000)
        cfg->page_size = 20;
    if (!cfg->publish_branch)
        cfg->publish_branch = "site";
    if (!cfg->publish_tag_pattern)
        cfg->publish_tag_pattern = "release-%Y%m%d-%n";
    if (!cfg->base_url) {
        cfg->base_url = "/";
    } else if (cfg->base_url[0] && cfg->base_url[strlen(cfg->base_url) - 1] != '/') {
        cfg->base_url = arena_printf(&cfg->mem, "%s/", cfg->base_url);
    }

    const value *cal = config_section(r, root, "calendar");
    if (cal) {
        config_read_fields(r, cal, "[calendar]", no_fields, calendar_keys, cfg);
        config_read_dates(r, cal, "holidays", &cfg->holidays, &cfg->holiday_count);
        config_read_dates(r, cal, "workdays", &cfg->workdays, &cfg->workday_count);
    }
    config_read_departments(r, root);
    config_read_boards(r, root);
}

int config_parse(site_config *cfg, const char *root, const char *path, const char *text, size_t len,
                 diag_list *diags)
{
    memset(cfg, 0, sizeof *cfg);
    arena_init(&cfg->mem);
    cfg->root = arena_strdup(&cfg->mem, root);
    cfg->path = arena_strdup(&cfg->mem, path);
    cfg->text_hash = hash64_block(text, len);
    config_reader r = {cfg, diags, 0};

    value *doc;
    toml_error err;
    if (toml_parse(&cfg->mem, text, len, 1, &doc, &err) != 0) {
        config_error(&r, "GK002", err.line, err.col, "TOML 语法错误：%s", err.message);
        return -1;
    }
    cfg->parsed = true;
    config_read(&r, doc);
    return r.errors ? -1 : 0;
}

int config_load(site_config *cfg, const char *root, diag_list *diags)
{
    buf path = BUF_INIT, text = BUF_INIT;
    buf_printf(&path, "%s/site.toml", root);
    int rc = -1;
    if (buf_read_file(&text, path.ptr) != 0) {
        memset(cfg, 0, sizeof *cfg);
        arena_init(&cfg->mem);
        diag_add(diags, DIAG_ERROR, "GK001", "site.toml", 0, 0,
                 "无法读取站点配置 %s：%s（用 -s 指定站点目录）", path.ptr, strerror(errno));
    } else {
        rc = config_parse(cfg, root, "site.toml", buf_cstr(&text), text.len, diags);
    }
    buf_free(&path);
    buf_free(&text);
    return rc;
}

void config_free(site_config *cfg)
{
    arena_free(&cfg->mem);
}

const department *config_department_find(const site_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->department_count; i++)
        if (strcmp(cfg->departments[i].id, id) == 0)
            return &cfg->departments[i];
    return NULL;
}

const board *config_board_find(const site_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->board_count; i++)
        if (strcmp(cfg->boards[i].id, id) == 0)
            return &cfg->boards[i];
    return NULL;
}

/* The installed defaults: $GONGKAI_DATADIR, else share/gongkai beside the
 * bin/ the running binary sits in, so an installed tree can be moved. */
void config_datadir(buf *out)
{
    const char *env = getenv("GONGKAI_DATADIR");
    if (env && *env) {
        buf_puts(out, env);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        buf_puts(out, "/usr/local/share/gongkai");
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    buf_printf(out, "%s/../share/gongkai", exe);
}

int config_theme_dir(const site_config *cfg, buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/themes/%s", cfg->root, cfg->theme);
    if (access(out->ptr, R_OK) == 0)
        return 0;
    buf_reset(out);
    config_datadir(out);
    buf_printf(out, "/themes/%s", cfg->theme);
    return access(out->ptr, R_OK) == 0 ? 0 : -1;
}

int config_template_find(const site_config *cfg, const char *name, buf *path, buf *shown)
{
    buf datadir = BUF_INIT;
    config_datadir(&datadir);
    /* Where each candidate lives, and whether to show it relative to the site. */
    const struct {
        const char *base;
        bool theme;
    } places[] = {{cfg->root, false}, {cfg->root, true}, {datadir.ptr, true}, {datadir.ptr, false}};
    int rc = -1;
    for (size_t i = 0; i < sizeof places / sizeof *places && rc; i++) {
        buf_reset(shown);
        if (places[i].theme)
            buf_printf(shown, "themes/%s/", cfg->theme);
        buf_printf(shown, "templates/%s", name);
        buf_reset(path);
        buf_printf(path, "%s/%s", places[i].base, shown->ptr);
        if (access(path->ptr, R_OK) == 0) {
            rc = 0;
            if (places[i].base == datadir.ptr) {
                buf_reset(shown);
                buf_puts(shown, path->ptr);
            }
        }
    }
    buf_free(&datadir);
    return rc;
}

workday_calendar config_calendar(const site_config *cfg)
{
    return (workday_calendar){cfg->holidays, cfg->holiday_count, cfg->workdays, cfg->workday_count};
}
