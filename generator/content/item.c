#include "content_internal.h"

#include "../util/buf.h"
#include "../util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct item_reader {
    arena *mem; /* the item's set's */
    const site_config *cfg;
    content_item *it;
    const value *front; /* the front matter, in a temporary arena freed once the item is read */
    diag_list *diags;
    int errors;
} item_reader;

static void item_diag(item_reader *r, diag_severity severity, const char *code, int line, int col,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void item_diag(item_reader *r, diag_severity severity, const char *code, int line, int col,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->diags, severity, code, r->it->path, line, col, fmt, ap);
    va_end(ap);
    if (severity == DIAG_ERROR)
        r->errors++;
}

/* How a key is written in this file's front matter, for the examples in
 * messages: `title = ` in TOML, `title: ` in YAML. */
static const char *item_eq(const item_reader *r)
{
    return r->it->format == CONTENT_FORMAT_TOML ? " = " : ": ";
}

/* A user's value as quoted in a message: at most 40 characters on one line. */
static const char *item_excerpt(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0, k = 0;
    for (int chars = 0; i < n && chars < 40 && k + 8 < cap; chars++) {
        uint32_t cp;
        size_t step = utf8_decode(s + i, n - i, &cp);
        if (!step || cp < 0x20 || cp == 0x7f) {
            out[k++] = ' ';
            i += step ? step : 1;
            continue;
        }
        memcpy(out + k, s + i, step);
        k += step;
        i += step;
    }
    if (i < n) {
        memcpy(out + k, "…", strlen("…"));
        k += strlen("…");
    }
    out[k] = '\0';
    return out;
}

static bool item_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- typed readers ---------------------------------------------------- */

static void item_wrong_type(item_reader *r, const char *key, const value *v, const char *expected,
                            const char *how)
{
    item_diag(r, DIAG_ERROR, "GK108", v->line, v->col, "“%s”的类型不对：应为%s，实际是%s。%s", key,
              expected, value_type_name(v->type), how);
}

/* The string value of key, or NULL after a diagnostic. It lives in the
 * front matter tree: what the item keeps of it goes through item_keep. */
static const char *item_string(item_reader *r, const char *key, const value *v)
{
    if (v->type != VALUE_STRING) {
        char how[160];
        snprintf(how, sizeof how, "文字请加英文双引号，如 %s%s\"……\"", key, item_eq(r));
        item_wrong_type(r, key, v, value_type_name(VALUE_STRING), how);
        return NULL;
    }
    if (strlen(v->u.str.ptr) != v->u.str.len) {
        item_diag(r, DIAG_ERROR, "GK113", v->line, v->col, "“%s”的值含有空字符（NUL），请删去",
                  key);
        return NULL;
    }
    return v->u.str.ptr;
}

/* A string of the front matter, copied into the item's arena: the tree is
 * freed once the item is read. item_string has seen that it holds no NUL. */
static const char *item_keep(item_reader *r, const char *s)
{
    return arena_strdup(r->mem, s);
}

static bool item_time_parse(const char *s, size_t n, content_when *w)
{
    if (n != 5 && n != 8)
        return false;
    if (s[2] != ':' || (n == 8 && s[5] != ':'))
        return false;
    int f[3] = {0, 0, 0};
    for (size_t i = 0, k = 0; i < n; i += 3, k++) {
        if (s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9')
            return false;
        f[k] = (s[i] - '0') * 10 + (s[i + 1] - '0');
    }
    if (f[0] > 23 || f[1] > 59 || f[2] > 59)
        return false;
    w->hour = f[0];
    w->minute = f[1];
    w->second = f[2];
    w->has_time = true;
    return true;
}

/* A date written as a string: YYYY-MM-DD, optionally followed by a space or
 * T and HH:MM[:SS]. */
static void item_when_from_string(item_reader *r, const char *key, const value *v,
                                  content_when *out)
{
    content_when when = {0}, *w = &when;
    const char *s = v->u.str.ptr;
    size_t n = v->u.str.len;
    while (n && item_is_blank(*s))
        s++, n--;
    while (n && item_is_blank(s[n - 1]))
        n--;
    char shown[200];
    item_excerpt(s, n, shown, sizeof shown);
    bool shaped = n >= 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; shaped && i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            shaped = false;
    if (!shaped) {
        item_diag(r, DIAG_ERROR, "GK109", v->line, v->col,
                  "“%s”的日期“%s”格式不对：应写成 YYYY-MM-DD，如 %s%s2026-01-05", key, shown, key,
                  item_eq(r));
        return;
    }
    if (date_parse(s, 10, &w->day) < 0) {
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m >= 1 && m <= 12)
            item_diag(r, DIAG_ERROR, "GK109", v->line, v->col,
                      "“%s”的日期“%s”不存在：%d 年 %d 月只有 %d 天", key, shown, y, m,
                      date_days_in_month(y, m));
        else
            item_diag(r, DIAG_ERROR, "GK109", v->line, v->col,
                      "“%s”的日期“%s”不存在：月份应在 01 到 12 之间", key, shown);
        return;
    }
    if (n > 10) {
        size_t i = 10;
        if (s[i] == 'T' || s[i] == 't' || s[i] == ' ')
            i++;
        if (i == 10 || !item_time_parse(s + i, n - i, w)) {
            item_diag(r, DIAG_ERROR, "GK109", v->line, v->col,
                      "“%s”的日期“%s”后面的时间不对：时间应写成 HH:MM 或 HH:MM:SS，如 "
                      "2026-01-05 09:30",
                      key, shown);
            return;
        }
    }
    w->set = true;
    *out = when;
}

static void item_read_when(item_reader *r, const value_entry *e, content_when *w)
{
    const value *v = e->val;
    memset(w, 0, sizeof *w);
    switch (v->type) {
    case VALUE_DATE_LOCAL:
    case VALUE_DATETIME_LOCAL:
    case VALUE_DATETIME:
        if (!date_valid(v->u.dt.year, v->u.dt.month, v->u.dt.day)) {
            item_diag(r, DIAG_ERROR, "GK109", v->line, v->col, "“%s”的日期不存在", e->key);
            return;
        }
        w->day.year = v->u.dt.year;
        w->day.month = v->u.dt.month;
        w->day.day = v->u.dt.day;
        if (v->type != VALUE_DATE_LOCAL) {
            w->has_time = true;
            w->hour = v->u.dt.hour;
            w->minute = v->u.dt.minute;
            w->second = v->u.dt.second;
        }
        w->set = true;
        return;
    case VALUE_STRING:
        item_when_from_string(r, e->key, v, w);
        return;
    default: {
        char how[160];
        snprintf(how, sizeof how, "请写成 YYYY-MM-DD，如 %s%s2026-01-05", e->key, item_eq(r));
        item_wrong_type(r, e->key, v, value_type_name(VALUE_DATE_LOCAL), how);
    }
    }
}

/* A string or a list of strings; the empty string is the empty list. */
static void item_read_list(item_reader *r, const value_entry *e, content_list *out)
{
    const value *v = e->val;
    out->v = NULL;
    out->len = 0;
    if (v->type == VALUE_STRING) {
        const char *s = item_string(r, e->key, v);
        if (!s || !*s)
            return;
        out->v = arena_alloc(r->mem, sizeof *out->v);
        out->v[0] = (content_str){item_keep(r, s), v->line, v->col};
        out->len = 1;
        return;
    }
    if (v->type != VALUE_ARRAY) {
        char how[160];
        snprintf(how, sizeof how, "请写成列表，如 %s%s[\"甲\", \"乙\"]", e->key, item_eq(r));
        item_wrong_type(r, e->key, v, "字符串列表", how);
        return;
    }
    out->v = arena_alloc(r->mem, (v->u.array.len ? v->u.array.len : 1) * sizeof *out->v);
    for (size_t i = 0; i < v->u.array.len; i++) {
        const value *x = v->u.array.items[i];
        if (x->type != VALUE_STRING) {
            item_diag(r, DIAG_ERROR, "GK108", x->line, x->col,
                      "“%s”的第 %zu 项类型不对：应为字符串，实际是%s。请给它加上英文双引号", e->key,
                      i + 1, value_type_name(x->type));
            continue;
        }
        const char *s = item_string(r, e->key, x);
        if (s)
            out->v[out->len++] = (content_str){item_keep(r, s), x->line, x->col};
    }
}

/* ---- one reader per key ----------------------------------------------- */

static void item_read_title(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (!s)
        return;
    size_t n = e->val->u.str.len;
    while (n && item_is_blank(*s))
        s++, n--;
    while (n && item_is_blank(s[n - 1]))
        n--;
    if (!n) {
        item_diag(r, DIAG_ERROR, "GK113", e->val->line, e->val->col, "标题（title）不能为空");
        return;
    }
    if (memchr(s, '\n', n) || memchr(s, '\r', n)) {
        item_diag(r, DIAG_ERROR, "GK113", e->val->line, e->val->col,
                  "标题（title）只能有一行，请删去其中的换行");
        return;
    }
    r->it->title = arena_strndup(r->mem, s, n);
}

static void item_read_date(item_reader *r, const value_entry *e)
{
    item_read_when(r, e, &r->it->date);
}

static void item_read_created(item_reader *r, const value_entry *e)
{
    item_read_when(r, e, &r->it->created);
}

static void item_read_effective(item_reader *r, const value_entry *e)
{
    item_read_when(r, e, &r->it->effective);
}

static void item_read_expires(item_reader *r, const value_entry *e)
{
    item_read_when(r, e, &r->it->expires);
}

static void item_read_reviewed_on(item_reader *r, const value_entry *e)
{
    item_read_when(r, e, &r->it->reviewed_on);
}

static void item_read_department(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (!s)
        return;
    r->it->department = item_keep(r, s);
    r->it->department_given = true;
}

static void item_read_category(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (!s)
        return;
    if (!*s) {
        item_diag(r, DIAG_ERROR, "GK113", e->val->line, e->val->col,
                  "主题分类（category）不能为空，请填写目录中的分类");
        return;
    }
    r->it->category = (content_str){item_keep(r, s), e->val->line, e->val->col};
}

static void item_read_doc_number(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (s && *s)
        r->it->doc_number = (content_str){item_keep(r, s), e->val->line, e->val->col};
}

/* A 规范性文件 that amends (修订) an earlier one names it; the annual
 * report counts it as amended rather than new. */
static void item_read_amends(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (s && *s)
        r->it->amends = (content_str){item_keep(r, s), e->val->line, e->val->col};
}

static void item_read_index_no(item_reader *r, const value_entry *e)
{
    item_diag(r, DIAG_WARNING, "GK112", e->line, e->col,
              "索引号（index_no）由 gongkai 自动分配并记在 catalogue.lock 中，不能手工填写；"
              "这里的值已忽略，请删去这一行");
}

/* Look s up in a NULL-terminated list of {text, value} pairs. */
typedef struct item_choice {
    const char *text;
    int value;
} item_choice;

/* A string that must be one of `choices`; `what` names the key for the
 * editor and `allowed` lists the values. Returns 0 with the value, or -1. */
static int item_read_choice(item_reader *r, const value_entry *e, const item_choice *choices,
                            const char *what, const char *allowed, int *out)
{
    const char *s = item_string(r, e->key, e->val);
    if (!s)
        return -1;
    for (; choices->text; choices++) {
        if (strcmp(choices->text, s) == 0) {
            *out = choices->value;
            return 0;
        }
    }
    char shown[200];
    item_excerpt(s, strlen(s), shown, sizeof shown);
    item_diag(r, DIAG_ERROR, "GK113", e->val->line, e->val->col, "%s“%s”无效：只能是 %s", what,
              shown, allowed);
    return -1;
}

static void item_read_status(item_reader *r, const value_entry *e)
{
    static const item_choice choices[] = {
        {"有效", CONTENT_VALIDITY_VALID},
        {"失效", CONTENT_VALIDITY_EXPIRED},
        {"废止", CONTENT_VALIDITY_REPEALED},
        {"valid", CONTENT_VALIDITY_VALID},
        {"expired", CONTENT_VALIDITY_EXPIRED},
        {"repealed", CONTENT_VALIDITY_REPEALED},
        {NULL, 0},
    };
    int v;
    if (item_read_choice(r, e, choices, "有效性（status）", "有效、失效 或 废止", &v) == 0)
        r->it->status = (content_validity)v;
}

static void item_read_disclosure(item_reader *r, const value_entry *e)
{
    static const item_choice choices[] = {
        {"主动公开", CONTENT_DISCLOSURE_PUBLIC},
        {"依申请公开", CONTENT_DISCLOSURE_ON_REQUEST},
        {"不予公开", CONTENT_DISCLOSURE_WITHHELD},
        {NULL, 0},
    };
    int v;
    if (item_read_choice(r, e, choices, "公开方式（disclosure）",
                         "主动公开、依申请公开 或 不予公开", &v) == 0)
        r->it->disclosure = (content_disclosure)v;
}

/* Kept whatever it holds: any secrecy level refuses the item in the
 * compliance check, so a value of the wrong type must not make it vanish. */
static void item_read_secrecy(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    r->it->secrecy = (content_str){s ? item_keep(r, s) : "", e->val->line, e->val->col};
}

bool content_period_parse(const char *s, content_period *p)
{
    size_t n = strlen(s);
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (n < 7 || s[i] < '0' || s[i] > '9')
            return false;
        y = y * 10 + (s[i] - '0');
    }
    if (s[4] != '-' || y < 1)
        return false;
    if (n == 7 && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4') {
        *p = (content_period){CONTENT_PERIOD_QUARTER, y, s[6] - '0'};
        return true;
    }
    if (n == 7 && s[5] >= '0' && s[5] <= '1' && s[6] >= '0' && s[6] <= '9') {
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12)
            return false;
        *p = (content_period){CONTENT_PERIOD_MONTH, y, m};
        return true;
    }
    return false;
}

static void item_read_period(item_reader *r, const value_entry *e)
{
    const char *s = item_string(r, e->key, e->val);
    if (!s)
        return;
    if (!content_period_parse(s, &r->it->period)) {
        char shown[200];
        item_excerpt(s, strlen(s), shown, sizeof shown);
        item_diag(r, DIAG_ERROR, "GK113", e->val->line, e->val->col,
                  "期间（period）“%s”格式不对：季度写成 2026-Q3，月份写成 2026-09", shown);
        return;
    }
    r->it->period_text = item_keep(r, s);
}

/* All the ids of a kind as one line for a message: the full list when short,
 * a count otherwise. */
static void item_known_ids(buf *out, size_t count,
                           const char *(*id_at)(const site_config *, size_t),
                           const site_config *cfg)
{
    if (count == 0) {
        buf_puts(out, "site.toml 中一个也没有声明");
        return;
    }
    if (count > 20) {
        buf_printf(out, "site.toml 中共声明了 %zu 个", count);
        return;
    }
    buf_puts(out, "已声明的有：");
    for (size_t i = 0; i < count; i++) {
        if (i)
            buf_puts(out, "、");
        buf_puts(out, id_at(cfg, i));
    }
}

static const char *item_board_id(const site_config *cfg, size_t i)
{
    return cfg->boards[i].id;
}

static const char *item_department_id(const site_config *cfg, size_t i)
{
    return cfg->departments[i].id;
}

static void item_read_boards(item_reader *r, const value_entry *e)
{
    content_list *l = &r->it->boards;
    item_read_list(r, e, l);
    r->it->boards_given = true;
    for (size_t i = 0; i < l->len; i++) {
        if (config_board_find(r->cfg, l->v[i].s))
            continue;
        char shown[200];
        buf known = BUF_INIT;
        item_known_ids(&known, r->cfg->board_count, item_board_id, r->cfg);
        item_diag(r, DIAG_ERROR, "GK113", l->v[i].line, l->v[i].col,
                  "未知的公开栏“%s”（%s）：请改正 boards，或在 site.toml 中添加这个 [[boards]]",
                  item_excerpt(l->v[i].s, strlen(l->v[i].s), shown, sizeof shown),
                  buf_cstr(&known));
        buf_free(&known);
    }
}

static void item_read_keywords(item_reader *r, const value_entry *e)
{
    item_read_list(r, e, &r->it->keywords);
}

static void item_read_reviewed_by(item_reader *r, const value_entry *e)
{
    item_read_list(r, e, &r->it->reviewed_by);
}

static void item_read_attachments(item_reader *r, const value_entry *e)
{
    item_read_list(r, e, &r->it->attachments);
}

static void item_read_draft(item_reader *r, const value_entry *e)
{
    if (e->val->type != VALUE_BOOL) {
        char how[160];
        snprintf(how, sizeof how, "请写 %s%strue 或 false（不加引号）", e->key, item_eq(r));
        item_wrong_type(r, e->key, e->val, value_type_name(VALUE_BOOL), how);
        return;
    }
    r->it->draft = e->val->u.boolean;
}

static void item_read_pii_allowed(item_reader *r, const value_entry *e)
{
    const value *v = e->val;
    if (v->type != VALUE_STRING) {
        char how[200];
        snprintf(how, sizeof how, "请写明允许出现个人信息的理由，如 %s%s\"经本人同意公示\"", e->key,
                 item_eq(r));
        item_wrong_type(r, e->key, v, "写明理由的字符串", how);
        return;
    }
    const char *s = item_string(r, e->key, v);
    if (!s)
        return;
    if (!s[strspn(s, " \t\r\n")]) {
        item_diag(r, DIAG_ERROR, "GK113", v->line, v->col,
                  "pii_allowed 须写明允许出现个人信息的理由，不能为空");
        return;
    }
    r->it->pii_allowed = (content_str){item_keep(r, s), v->line, v->col};
}

typedef void (*item_key_read)(item_reader *r, const value_entry *e);

static const struct item_key {
    const char *key;
    item_key_read read;
} item_keys[] = {
    {"title", item_read_title},
    {"date", item_read_date},
    {"created", item_read_created},
    {"department", item_read_department},
    {"category", item_read_category},
    {"doc_number", item_read_doc_number},
    {"index_no", item_read_index_no},
    {"status", item_read_status},
    {"effective", item_read_effective},
    {"expires", item_read_expires},
    {"disclosure", item_read_disclosure},
    {"secrecy", item_read_secrecy},
    /* 密级 is what a classified document's own header calls it: an editor
     * who copies it into the front matter has marked the item secret. */
    {"密级", item_read_secrecy},
    {"period", item_read_period},
    {"boards", item_read_boards},
    {"keywords", item_read_keywords},
    {"reviewed_by", item_read_reviewed_by},
    {"reviewed_on", item_read_reviewed_on},
    {"attachments", item_read_attachments},
    {"draft", item_read_draft},
    {"pii_allowed", item_read_pii_allowed},
    {"amends", item_read_amends},
};

#define ITEM_KEY_COUNT (sizeof item_keys / sizeof item_keys[0])

/* ---- unknown keys ----------------------------------------------------- */

/* What editors write instead of a key (its Chinese name, or Hugo's name), to
 * point them at the real one. */
static const struct {
    const char *name;
    const char *key;
} item_key_names[] = {
    {"tags", "keywords"},        {"标题", "title"},        {"日期", "date"},
    {"发布日期", "date"},        {"成文日期", "created"},  {"生成日期", "created"},
    {"发布机构", "department"},  {"部门", "department"},   {"分类", "category"},
    {"主题分类", "category"},    {"所属类别", "category"}, {"文号", "doc_number"},
    {"发布文号", "doc_number"},  {"索引号", "index_no"},   {"有效性", "status"},
    {"生效日期", "effective"},   {"失效日期", "expires"},  {"公开方式", "disclosure"},
    {"公开属性", "disclosure"},  {"期间", "period"},       {"公开栏", "boards"},
    {"主题词", "keywords"},      {"关键词", "keywords"},   {"审核人", "reviewed_by"},
    {"审核日期", "reviewed_on"}, {"附件", "attachments"},  {"草稿", "draft"},
};

static char item_fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == '-' ? '_' : c;
}

/* Edit distance with adjacent transpositions, ignoring case and treating -
 * as _; keys are short, so the table fits on the stack. */
#define ITEM_KEY_MAX 32

static size_t item_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t d[ITEM_KEY_MAX + 1][ITEM_KEY_MAX + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = item_fold(a[i - 1]) != item_fold(b[j - 1]);
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && item_fold(a[i - 1]) == item_fold(b[j - 2]) &&
                item_fold(a[i - 2]) == item_fold(b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

static const char *item_key_suggest(const value_entry *e)
{
    for (size_t i = 0; i < sizeof item_key_names / sizeof item_key_names[0]; i++)
        if (strcmp(e->key, item_key_names[i].name) == 0)
            return item_key_names[i].key;
    if (e->key_len > ITEM_KEY_MAX)
        return NULL;
    const char *best = NULL;
    size_t best_d = 3; /* two edits at most, and fewer than half the key */
    for (size_t i = 0; i < ITEM_KEY_COUNT; i++) {
        const char *k = item_keys[i].key;
        size_t d = item_distance(e->key, e->key_len, k, strlen(k));
        if (d < best_d && d * 2 < strlen(k)) {
            best = k;
            best_d = d;
        }
    }
    return best;
}

static void item_unknown_key(item_reader *r, const value_entry *e)
{
    char shown[200];
    item_excerpt(e->key, e->key_len, shown, sizeof shown);
    const char *hint = item_key_suggest(e);
    if (hint)
        item_diag(r, DIAG_WARNING, "GK112", e->line, e->col,
                  "未知的前言键“%s”，已忽略；是不是想写“%s”？", shown, hint);
    else
        item_diag(r, DIAG_WARNING, "GK112", e->line, e->col,
                  "未知的前言键“%s”，已忽略（请检查拼写）", shown);
}

/* ---- the record ------------------------------------------------------- */

static void item_required(item_reader *r, bool present, const char *key, const char *what,
                          const char *example)
{
    if (present)
        return;
    item_diag(r, DIAG_ERROR, "GK107", r->it->front_line, 1,
              "缺少必填的键“%s”（%s）：请在前言中加上一行，如 %s%s%s", key, what, key, item_eq(r),
              example);
}

static void item_department(item_reader *r)
{
    content_item *it = r->it;
    if (!it->department_given) {
        /* A department value of the wrong type was already reported. */
        if (value_table_get(r->front, "department"))
            return;
        const char *slash = strchr(it->rel, '/');
        if (!slash) {
            item_diag(r, DIAG_ERROR, "GK107", it->front_line, 1,
                      "直接放在 content/ 下的文件须写明发布机构：请在前言中加上一行，如 "
                      "department%s\"czj\"，或把文件移到该部门的文件夹中",
                      item_eq(r));
            return;
        }
        it->department = arena_strndup(r->mem, it->rel, (size_t)(slash - it->rel));
    }
    it->dept = config_department_find(r->cfg, it->department);
    if (it->dept)
        return;
    char shown[200];
    item_excerpt(it->department, strlen(it->department), shown, sizeof shown);
    buf known = BUF_INIT;
    item_known_ids(&known, r->cfg->department_count, item_department_id, r->cfg);
    if (it->department_given) {
        const value *v = value_table_get(r->front, "department");
        item_diag(r, DIAG_ERROR, "GK110", v->line, v->col,
                  "未知的发布机构“%s”（%s）：请改正 department，或在 site.toml 中添加 "
                  "[[departments]] id = \"%s\"",
                  shown, buf_cstr(&known), shown);
    } else {
        item_diag(r, DIAG_ERROR, "GK110", it->front_line, 1,
                  "文件夹“%s”不是已声明的部门或乡镇（%s）：content/ 下第一层文件夹名应为部门 "
                  "id；请改名、在前言中写明 department，或在 site.toml 中添加 [[departments]] "
                  "id = \"%s\"",
                  shown, buf_cstr(&known), shown);
    }
    buf_free(&known);
}

static bool item_board_owned(const board *b, const department *d)
{
    return b->department && strcmp(b->department, d->id) == 0;
}

/* Items posted on no board explicitly go on every board of their department. */
static void item_default_boards(item_reader *r)
{
    content_item *it = r->it;
    if (it->boards_given || !it->dept)
        return;
    size_t n = 0;
    for (size_t i = 0; i < r->cfg->board_count; i++)
        n += item_board_owned(&r->cfg->boards[i], it->dept);
    if (!n)
        return;
    it->boards.v = arena_alloc(r->mem, n * sizeof *it->boards.v);
    for (size_t i = 0; i < r->cfg->board_count; i++)
        if (item_board_owned(&r->cfg->boards[i], it->dept))
            it->boards.v[it->boards.len++] = (content_str){r->cfg->boards[i].id, 0, 0};
}

static void item_read_front(item_reader *r)
{
    const value *front = r->front;
    for (size_t i = 0; i < front->u.table.len; i++) {
        const value_entry *e = &front->u.table.entries[i];
        size_t k = 0;
        /* The first byte rules out most keys before their length is taken. */
        while (k < ITEM_KEY_COUNT &&
               !(item_keys[k].key[0] == e->key[0] && strlen(item_keys[k].key) == e->key_len &&
                 memcmp(item_keys[k].key, e->key, e->key_len) == 0))
            k++;
        if (k < ITEM_KEY_COUNT)
            item_keys[k].read(r, e);
        else
            item_unknown_key(r, e);
    }
    content_item *it = r->it;
    item_required(r, value_table_get(front, "title"), "title", "标题", "\"关于……的通知\"");
    item_required(r, value_table_get(front, "date"), "date", "发布日期", "2026-01-05");
    item_required(r, value_table_get(front, "category"), "category", "主题分类", "\"财政预决算\"");
    if (!it->title)
        it->title = "";
    if (!it->category.s)
        it->category.s = "";
    item_department(r);
    item_default_boards(r);
}

void content_item_names(arena *mem, content_item *it, const char *path)
{
    it->path = arena_strdup(mem, path);
    it->rel = it->path + (strncmp(it->path, "content/", 8) == 0 ? 8 : 0);
    const char *base = strrchr(it->rel, '/');
    base = base ? base + 1 : it->rel;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    it->slug = arena_strndup(mem, base, n);
}

/* The front matter is split and parsed into `tmp`, which the caller frees:
 * the item keeps copies of what it needs from the tree (item_keep), never
 * the tree itself. */
static int item_read(arena *mem, arena *tmp, const site_config *cfg, const char *path,
                     const char *text, size_t len, uint64_t hash, diag_list *diags,
                     content_item *it)
{
    content_frontmatter fm;
    if (content_frontmatter_split(tmp, text, len, &fm) < 0) {
        if (fm.problem == CONTENT_SPLIT_UNCLOSED)
            diag_add(diags, DIAG_ERROR, "GK105", path, fm.line, 1,
                     "第 %d 行开始的前言没有结束：请在前言最后单独写一行 %s", fm.line,
                     fm.format == CONTENT_FORMAT_TOML ? "+++" : "---");
        else if (fm.line)
            diag_add(diags, DIAG_ERROR, "GK104", path, 1, 1,
                     "前言之前不能有空行：第 %d 行的前言分隔线应在文件的第一行，请删去它上面的空行",
                     fm.line);
        else
            diag_add(diags, DIAG_ERROR, "GK104", path, 1, 1,
                     "文件开头没有前言：第一行应为 +++（TOML）或 ---（YAML），接着写 title、date、"
                     "category 等键，最后再单独写一行同样的分隔线");
        return -1;
    }
    value *front;
    content_error err;
    if (content_frontmatter_parse(tmp, &fm, &front, &err) < 0) {
        diag_add(diags, DIAG_ERROR, "GK106", path, err.line, err.col, "前言格式错误（%s）：%s",
                 fm.format == CONTENT_FORMAT_TOML ? "TOML" : "YAML", err.message);
        return -1;
    }

    memset(it, 0, sizeof *it);
    content_item_names(mem, it, path);
    it->text = text;
    it->text_len = len;
    it->text_hash = hash;
    it->format = fm.format;
    it->front_line = fm.line;
    it->body = fm.body;
    it->body_len = fm.body_len;
    it->body_line = fm.body_line;

    item_reader r = {mem, cfg, it, front, diags, 0};
    item_read_front(&r);
    it->ok = r.errors == 0;
    return it->ok ? 1 : 0;
}

int content_item_read(arena *mem, const site_config *cfg, const char *path, const char *text,
                      size_t len, uint64_t hash, diag_list *diags, content_item *it)
{
    arena tmp;
    arena_init(&tmp);
    int rc = item_read(mem, &tmp, cfg, path, text, len, hash, diags, it);
    arena_free(&tmp);
    return rc;
}
