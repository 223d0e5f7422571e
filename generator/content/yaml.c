#include "content.h"

#include "../util/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper than any front matter an editor writes, shallow enough that the
 * recursion below stays small whatever the input. */
#define YFM_DEPTH_MAX 64

typedef struct yfm_reader {
    yaml_parser_t parser;
    arena *mem;
    const char *text;
    size_t len;
    int line_base;
    content_error *err;
} yfm_reader;

static int yfm_fail_at(yfm_reader *r, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int yfm_fail_at(yfm_reader *r, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
    r->err->line = line;
    r->err->col = col;
    return -1;
}

static int yfm_line(const yfm_reader *r, yaml_mark_t m)
{
    return r->line_base + (int)m.line;
}

static int yfm_col(yaml_mark_t m)
{
    return (int)m.column + 1;
}

/* libyaml's messages are English; the common ones get a Chinese explanation
 * an editor can act on, the rest are shown as they are. */
static const struct {
    const char *problem;
    const char *zh;
} yfm_problems[] = {
    {"mapping values are not allowed in this context",
     "此处不能出现“键: 值”（值里含有冒号时，请给整个值加上引号）"},
    {"could not find expected ':'", "找不到应有的冒号“:”（每行应写成“键: 值”）"},
    {"found character that cannot start any token",
     "出现了不能放在开头的字符（如 @ 或 `，以它们开头的文字请加引号）"},
    {"found unexpected end of stream", "前言意外结束（引号或括号没有闭合？）"},
    {"found a tab character that violates indentation", "缩进里有制表符（Tab），请改用空格"},
    {"found a tab character where an indentation space is expected",
     "缩进里有制表符（Tab），请改用空格"},
    {"did not find expected key", "找不到应有的键（请检查缩进是否对齐）"},
    {"did not find expected node content", "缺少应有的值"},
    {"did not find expected ',' or ']'", "列表缺少“,”或“]”"},
    {"did not find expected ',' or '}'", "映射缺少“,”或“}”"},
    {"found unknown escape character",
     "双引号字符串中有未知的转义字符（反斜杠请写成 \\\\，或改用单引号）"},
    {"block sequence entries are not allowed in this context",
     "此处不能出现列表项“- ”（请检查缩进）"},
    {"did not find expected '-' indicator", "找不到应有的列表项“- ”（请检查缩进）"},
    {"control characters are not allowed", "含有不允许的控制字符"},
    {"did not find expected <document start>", "前言中有多余的内容"},
};

/* The byte at a mark's line and column (marks count characters), or 0. */
static char yfm_char_at(const yfm_reader *r, yaml_mark_t m)
{
    size_t i = 0;
    for (size_t line = 0; line < m.line; line++) {
        const char *nl = memchr(r->text + i, '\n', r->len - i);
        if (!nl)
            return 0;
        i = (size_t)(nl - r->text) + 1;
    }
    for (size_t col = 0; col < m.column && i < r->len; col++) {
        uint32_t cp;
        size_t step = utf8_decode(r->text + i, r->len - i, &cp);
        i += step ? step : 1;
    }
    return i < r->len ? r->text[i] : 0;
}

static int yfm_parser_fail(yfm_reader *r)
{
    const yaml_parser_t *p = &r->parser;
    const char *problem = p->problem ? p->problem : "unknown error";
    const char *zh = NULL;
    for (size_t i = 0; i < sizeof yfm_problems / sizeof yfm_problems[0]; i++)
        if (strcmp(problem, yfm_problems[i].problem) == 0)
            zh = yfm_problems[i].zh;
    if (p->error == YAML_SCANNER_ERROR && yfm_char_at(r, p->problem_mark) == '\t')
        zh = "这里有制表符（Tab），YAML 的缩进只能用空格";
    int line, col;
    if (p->error == YAML_READER_ERROR) {
        size_t off = p->problem_offset < r->len ? p->problem_offset : r->len;
        utf8_position(r->text, off, &line, &col);
        line += r->line_base - 1;
    } else {
        line = yfm_line(r, p->problem_mark);
        col = yfm_col(p->problem_mark);
    }
    if (zh)
        return yfm_fail_at(r, line, col, "%s", zh);
    return yfm_fail_at(r, line, col, "%s%s%s", problem, p->context ? ", " : "",
                       p->context ? p->context : "");
}

static int yfm_next(yfm_reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev))
        return yfm_parser_fail(r);
    return 0;
}

static bool yfm_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The time part after the date: HH:MM[:SS[.frac]] then an optional offset
 * (Z or ±HH[:MM]), blanks allowed before the offset as YAML does. */
static bool yfm_time(const char *s, size_t n, value_datetime *dt, value_type *type)
{
    size_t i = 0;
    if (n < 5 || !yfm_digits(s, 2, &dt->hour) || s[2] != ':' || !yfm_digits(s + 3, 2, &dt->minute))
        return false;
    i = 5;
    if (i < n && s[i] == ':') {
        if (n - i < 3 || !yfm_digits(s + i + 1, 2, &dt->second))
            return false;
        i += 3;
        if (i < n && s[i] == '.') {
            i++;
            size_t start = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (i - start < 9) {
                    dt->nanosecond = dt->nanosecond * 10 + (s[i] - '0');
                    dt->frac_digits++;
                }
                i++;
            }
            if (i == start)
                return false;
            for (int k = dt->frac_digits; k < 9; k++)
                dt->nanosecond *= 10;
        }
    }
    if (dt->hour > 23 || dt->minute > 59 || dt->second > 59)
        return false;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    *type = VALUE_DATETIME_LOCAL;
    if (i == n)
        return true;
    *type = VALUE_DATETIME;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
        return true;
    if (s[i] != '+' && s[i] != '-')
        return false;
    int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
    i++;
    if (n - i < 2 || !yfm_digits(s + i, 2, &oh))
        return false;
    i += 2;
    if (i < n) {
        if (n - i != 3 || s[i] != ':' || !yfm_digits(s + i + 1, 2, &om))
            return false;
    }
    if (oh > 23 || om > 59)
        return false;
    dt->offset_minutes = sign * (oh * 60 + om);
    return true;
}

/* True when s is a real date, alone or followed by a valid time. */
static bool yfm_datetime(const char *s, size_t n, value_datetime *dt, value_type *type)
{
    memset(dt, 0, sizeof *dt);
    if (n < 10 || s[4] != '-' || s[7] != '-' || !yfm_digits(s, 4, &dt->year) ||
        !yfm_digits(s + 5, 2, &dt->month) || !yfm_digits(s + 8, 2, &dt->day) ||
        !date_valid(dt->year, dt->month, dt->day))
        return false;
    if (n == 10) {
        *type = VALUE_DATE_LOCAL;
        return true;
    }
    size_t i = 10;
    if (s[i] == 'T' || s[i] == 't') {
        i++;
    } else {
        if (s[i] != ' ' && s[i] != '\t')
            return false;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
    }
    return yfm_time(s + i, n - i, dt, type);
}

static bool yfm_is_integer(const char *s, size_t n, int64_t *out)
{
    size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (i == n)
        return false;
    for (size_t k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* YAML 1.2 core schema: [-+]? ( .digits | digits [ . digits* ] ) [eE[-+]digits] */
static bool yfm_is_float(const char *s, size_t n, double *out)
{
    size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, int_digits++;
    bool dot = i < n && s[i] == '.';
    if (dot) {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, frac_digits++;
    }
    if (int_digits + frac_digits == 0)
        return false;
    bool exp = i < n && (s[i] == 'e' || s[i] == 'E');
    if (exp) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return false;
    }
    if (i != n || (!dot && !exp))
        return false;
    *out = strtod(s, NULL);
    return true;
}

static bool yfm_is_one_of(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(s, *words, n) == 0)
            return true;
    return false;
}

static value *yfm_scalar(yfm_reader *r, const yaml_event_t *ev)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    int line = yfm_line(r, ev->start_mark), col = yfm_col(ev->start_mark);
    const char *tag = (const char *)ev->data.scalar.tag;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || (tag && strcmp(tag, YAML_STR_TAG) == 0))
        return value_new_string(r->mem, s, n, line, col);
    if (n == 0 || yfm_is_one_of(s, n, nulls))
        return value_new_string(r->mem, "", 0, line, col);
    if (yfm_is_one_of(s, n, trues) || yfm_is_one_of(s, n, falses)) {
        value *v = value_new(r->mem, VALUE_BOOL, line, col);
        v->u.boolean = s[0] == 't' || s[0] == 'T';
        return v;
    }
    int64_t i;
    if (yfm_is_integer(s, n, &i)) {
        value *v = value_new(r->mem, VALUE_INTEGER, line, col);
        v->u.integer = i;
        return v;
    }
    double d;
    if (yfm_is_float(s, n, &d)) {
        value *v = value_new(r->mem, VALUE_FLOAT, line, col);
        v->u.real = d;
        return v;
    }
    value_datetime dt;
    value_type type;
    if (yfm_datetime(s, n, &dt, &type)) {
        value *v = value_new(r->mem, type, line, col);
        v->u.dt = dt;
        return v;
    }
    return value_new_string(r->mem, s, n, line, col);
}

static const char *yfm_anchor(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return (const char *)ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return (const char *)ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return (const char *)ev->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

static int yfm_node(yfm_reader *r, yaml_event_t *ev, int depth, value **out);

static int yfm_sequence(yfm_reader *r, value *arr, int depth)
{
    for (;;) {
        yaml_event_t ev;
        if (yfm_next(r, &ev) < 0)
            return -1;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        value *item;
        if (yfm_node(r, &ev, depth + 1, &item) < 0)
            return -1;
        value_array_push(r->mem, arr, item);
    }
}

static int yfm_mapping(yfm_reader *r, value *table, int depth)
{
    for (;;) {
        yaml_event_t ev;
        if (yfm_next(r, &ev) < 0)
            return -1;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        int line = yfm_line(r, ev.start_mark), col = yfm_col(ev.start_mark);
        if (ev.type != YAML_SCALAR_EVENT) {
            yaml_event_delete(&ev);
            return yfm_fail_at(r, line, col, "键必须是一段简单的文字，不能是列表或映射");
        }
        if (ev.data.scalar.anchor) {
            yaml_event_delete(&ev);
            return yfm_fail_at(r, line, col, "不支持 YAML 锚点（&），请直接写出内容");
        }
        const char *key = (const char *)ev.data.scalar.value;
        size_t key_len = ev.data.scalar.length;
        const value_entry *prev = value_table_find(table, key, key_len);
        if (prev) {
            int prev_line = prev->line;
            yaml_event_delete(&ev);
            return yfm_fail_at(r, line, col, "键“%s”重复：第 %d 行已经写过，请删去其中一个",
                               prev->key, prev_line);
        }
        value_entry *e = value_table_add(r->mem, table, key, key_len, NULL, line, col);
        yaml_event_delete(&ev);
        if (yfm_next(r, &ev) < 0 || yfm_node(r, &ev, depth + 1, &e->val) < 0)
            return -1;
    }
}

/* Build the value of the node that starts with ev, reading the events of its
 * children. Takes ownership of ev. */
static int yfm_node(yfm_reader *r, yaml_event_t *ev, int depth, value **out)
{
    int line = yfm_line(r, ev->start_mark), col = yfm_col(ev->start_mark);
    yaml_event_type_t type = ev->type;
    if (type == YAML_ALIAS_EVENT) {
        yaml_event_delete(ev);
        return yfm_fail_at(r, line, col, "不支持 YAML 别名（*），请直接写出内容");
    }
    if (yfm_anchor(ev)) {
        yaml_event_delete(ev);
        return yfm_fail_at(r, line, col, "不支持 YAML 锚点（&），请直接写出内容");
    }
    if (type == YAML_SCALAR_EVENT) {
        *out = yfm_scalar(r, ev);
        yaml_event_delete(ev);
        return 0;
    }
    yaml_event_delete(ev);
    if (depth >= YFM_DEPTH_MAX)
        return yfm_fail_at(r, line, col, "嵌套超过 %d 层，前言不需要这么深的结构", YFM_DEPTH_MAX);
    if (type == YAML_SEQUENCE_START_EVENT) {
        *out = value_new(r->mem, VALUE_ARRAY, line, col);
        return yfm_sequence(r, *out, depth);
    }
    *out = value_new(r->mem, VALUE_TABLE, line, col);
    return yfm_mapping(r, *out, depth);
}

static int yfm_document(yfm_reader *r, value **out)
{
    yaml_event_t ev;
    if (yfm_next(r, &ev) < 0)
        return -1;
    if (ev.type != YAML_MAPPING_START_EVENT) {
        int line = yfm_line(r, ev.start_mark), col = yfm_col(ev.start_mark);
        yaml_event_delete(&ev);
        return yfm_fail_at(r, line, col, "前言的顶层必须是“键: 值”的映射，如 title: 标题");
    }
    if (yfm_node(r, &ev, 0, out) < 0 || yfm_next(r, &ev) < 0)
        return -1;
    /* The event after the root mapping is always the document's end. */
    yaml_event_delete(&ev);
    return 0;
}

static int yfm_stream(yfm_reader *r, value **out)
{
    yaml_event_t ev;
    if (yfm_next(r, &ev) < 0)
        return -1;
    yaml_event_delete(&ev); /* stream start */
    *out = NULL;
    for (;;) {
        if (yfm_next(r, &ev) < 0)
            return -1;
        int line = yfm_line(r, ev.start_mark), col = yfm_col(ev.start_mark);
        yaml_event_type_t type = ev.type;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
        if (*out)
            return yfm_fail_at(r, line, col,
                               "前言中只能有一个 YAML 文档（请删去多余的 --- 或 ... 行）");
        if (yfm_document(r, out) < 0)
            return -1;
    }
    if (!*out)
        *out = value_new(r->mem, VALUE_TABLE, r->line_base, 1);
    return 0;
}

int content_yaml_parse(arena *mem, const char *text, size_t len, int line_base, value **out,
                       content_error *err)
{
    yfm_reader r;
    memset(&r, 0, sizeof r);
    r.mem = mem;
    r.text = text;
    r.len = len;
    r.line_base = line_base;
    r.err = err;
    if (!yaml_parser_initialize(&r.parser)) {
        err->line = line_base;
        err->col = 1;
        snprintf(err->message, sizeof err->message, "无法初始化 YAML 解析器（内存不足）");
        return -1;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
    int rc = yfm_stream(&r, out);
    yaml_parser_delete(&r.parser);
    return rc;
}
