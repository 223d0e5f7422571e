/* The TOML document: key/value lines, [table] and [[array of tables]]
 * headers, array and inline-table values, and the rules on what may be
 * defined where. The lexical pieces live in toml_lex.c, toml_string.c,
 * toml_number.c and toml_datetime.c.
 *
 * What may still be added to a table depends on how it came to be, kept in
 * value.flags (see toml_internal.h):
 *   - a table only named as a parent in a header ([a] of [a.b]) is implicit,
 *     and one later [a] may define it;
 *   - a table opened by its own header is defined: never again by a header,
 *     and dotted keys from elsewhere may not reach into it;
 *   - a table made by dotted keys grows only through more dotted keys of the
 *     same section (headers may still open sub-tables below it);
 *   - inline tables and array literals are closed once written;
 *   - arrays made by [[headers]] take more elements, and headers below them
 *     go into the last element. */
#include "../util/utf8.h"
#include "toml_internal.h"

#include <stdio.h>
#include <string.h>

static int parse_value(toml_parser *p, int depth, value **out);

/* ---- keys ---- */

/* Parts 0..last of the current key, dotted and quoted, for a message. */
static const char *key_name(const toml_parser *p, int last, char out[96])
{
    char raw[512];
    size_t n = 0;
    for (int i = 0; i <= last && n < sizeof raw; i++) {
        if (i > 0)
            raw[n++] = '.';
        size_t k = p->keys[i].len < sizeof raw - n ? p->keys[i].len : sizeof raw - n;
        memcpy(raw + n, p->keys[i].s, k);
        n += k;
    }
    toml_quote(raw, n, out, 96);
    return out;
}

/* key = simple-key *( ws "." ws simple-key ), with at most `room` parts so
 * that the tables a key creates stay within TOML_MAX_DEPTH. Blanks after
 * the key are skipped. */
static int parse_key(toml_parser *p, int room)
{
    char what[32];
    p->nkeys = 0;
    for (;;) {
        if (p->nkeys >= room)
            return toml_fail(p, p->pos, "嵌套层数超过 %d 层", TOML_MAX_DEPTH);
        toml_key *k = &p->keys[p->nkeys++];
        k->off = p->pos;
        toml_where(p, p->pos, &k->line, &k->col);
        int c = toml_peek(p, 0);
        if (c == '"' || c == '\'') {
            const char *s;
            size_t len;
            if (toml_string(p, false, &s, &len) < 0)
                return -1;
            k->s = arena_strndup(p->mem, s, len);
            k->len = len;
        } else {
            size_t start = p->pos;
            while (toml_is_bare_key_char(toml_peek(p, 0)))
                p->pos++;
            if (p->pos == start)
                return toml_fail(p, start, "此处应为键，而不是%s", toml_describe(p, start, what));
            k->s = p->src + start;
            k->len = p->pos - start;
        }
        toml_skip_ws(p);
        if (toml_peek(p, 0) != '.')
            return 0;
        p->pos++;
        toml_skip_ws(p);
    }
}

/* ---- tables ---- */

static value *new_table(toml_parser *p, unsigned char flags, int line, int col)
{
    value *t = value_new(p->mem, VALUE_TABLE, line, col);
    t->flags = flags;
    return t;
}

/* The table that key part i names inside t, created when missing, for a
 * header path (dotted == false) or a dotted key. Returns NULL on error. */
static value *descend(toml_parser *p, value *t, int i, bool dotted)
{
    const toml_key *k = &p->keys[i];
    value_entry *e = value_table_find(t, k->s, k->len);
    if (!e) {
        value *n = new_table(p, dotted ? TOML_DOTTED : TOML_IMPLICIT, k->line, k->col);
        value_table_add(p->mem, t, k->s, k->len, n, k->line, k->col);
        return n;
    }
    value *v = e->val;
    if (v->type == VALUE_TABLE && !(v->flags & TOML_INLINE) &&
        (!dotted || (v->flags & TOML_DOTTED)))
        return v;
    if (v->type == VALUE_ARRAY && (v->flags & TOML_AOT) && !dotted)
        return v->u.array.items[v->u.array.len - 1];

    char name[96];
    key_name(p, i, name);
    if (v->type == VALUE_TABLE && (v->flags & TOML_INLINE))
        toml_fail(p, k->off, "内联表 %s 已完整定义，不能再添加内容", name);
    else if (v->type == VALUE_TABLE)
        toml_fail(p, k->off, "表 %s 已由表头定义，不能再用点分键添加内容", name);
    else if (v->flags & TOML_AOT)
        toml_fail(p, k->off, "表数组 %s 不能用点分键添加内容", name);
    else if (v->type == VALUE_ARRAY)
        toml_fail(p, k->off, "数组 %s 是静态数组，不能再添加内容", name);
    else
        toml_fail(p, k->off, "键 %s 已定义为%s，不能再作为表", name, value_type_name(v->type));
    return NULL;
}

/* [key]: define the table, unless something already holds the name. An
 * implicit table (only a parent so far) may be defined once. */
static value *open_table(toml_parser *p, value *parent, int line, int col)
{
    int i = p->nkeys - 1;
    const toml_key *k = &p->keys[i];
    value_entry *e = value_table_find(parent, k->s, k->len);
    if (!e) {
        value *t = new_table(p, TOML_DEFINED, line, col);
        value_table_add(p->mem, parent, k->s, k->len, t, k->line, k->col);
        return t;
    }
    value *v = e->val;
    if (v->type == VALUE_TABLE && v->flags == TOML_IMPLICIT) {
        /* From now on the table is where its header stands. */
        v->flags = TOML_DEFINED;
        v->line = line;
        v->col = col;
        e->line = k->line;
        e->col = k->col;
        return v;
    }
    char name[96];
    key_name(p, i, name);
    if (v->type == VALUE_TABLE && (v->flags & TOML_INLINE))
        toml_fail(p, k->off, "内联表 %s 已完整定义，不能再用表头扩展", name);
    else if (v->type == VALUE_TABLE && (v->flags & TOML_DOTTED))
        toml_fail(p, k->off, "表 %s 已由点分键定义，不能再用表头定义", name);
    else if (v->type == VALUE_TABLE)
        toml_fail(p, k->off, "表 %s 重复定义", name);
    else if (v->flags & TOML_AOT)
        toml_fail(p, k->off, "%s 是表数组，应写作 [[...]]", name);
    else
        toml_fail(p, k->off, "键 %s 已定义为%s，不能再作为表", name, value_type_name(v->type));
    return NULL;
}

/* [[key]]: append a new table to the array of tables, creating the array
 * on first use. */
static value *open_array_table(toml_parser *p, value *parent, int line, int col)
{
    int i = p->nkeys - 1;
    const toml_key *k = &p->keys[i];
    value_entry *e = value_table_find(parent, k->s, k->len);
    value *arr;
    if (!e) {
        arr = value_new(p->mem, VALUE_ARRAY, line, col);
        arr->flags = TOML_AOT;
        value_table_add(p->mem, parent, k->s, k->len, arr, k->line, k->col);
    } else if (e->val->type == VALUE_ARRAY && (e->val->flags & TOML_AOT)) {
        arr = e->val;
    } else {
        char name[96];
        key_name(p, i, name);
        if (e->val->type == VALUE_ARRAY)
            toml_fail(p, k->off, "数组 %s 是静态数组，不能用 [[...]] 追加", name);
        else
            toml_fail(p, k->off, "键 %s 已定义为%s，不能再作为表数组", name,
                      value_type_name(e->val->type));
        return NULL;
    }
    value *t = new_table(p, TOML_DEFINED, line, col);
    value_array_push(p->mem, arr, t);
    return t;
}

/* A [table] or [[array of tables]] header; *current becomes the table that
 * the following key/value lines fill. */
static int parse_header(toml_parser *p, value **current)
{
    char what[32];
    int line, col;
    toml_where(p, p->pos, &line, &col);
    bool aot = toml_peek(p, 1) == '[';
    p->pos += aot ? 2 : 1;
    toml_skip_ws(p);
    if (parse_key(p, TOML_MAX_DEPTH) < 0)
        return -1;
    if (toml_peek(p, 0) != ']' || (aot && toml_peek(p, 1) != ']'))
        return toml_fail(p, p->pos, "表头应以 \"%s\" 结束，而不是%s", aot ? "]]" : "]",
                         toml_describe(p, p->pos + (toml_peek(p, 0) == ']'), what));
    p->pos += aot ? 2 : 1;

    value *t = p->root;
    for (int i = 0; i + 1 < p->nkeys; i++)
        if (!(t = descend(p, t, i, false)))
            return -1;
    t = aot ? open_array_table(p, t, line, col) : open_table(p, t, line, col);
    if (!t)
        return -1;
    *current = t;
    return 0;
}

/* key = value into table t, which sits at nesting depth `depth`. */
static int parse_keyval(toml_parser *p, value *t, int depth)
{
    char what[32], name[96];
    if (parse_key(p, TOML_MAX_DEPTH - depth) < 0)
        return -1;
    if (toml_peek(p, 0) != '=')
        return toml_fail(p, p->pos, "键后面应为 \"=\"，而不是%s", toml_describe(p, p->pos, what));
    p->pos++;
    toml_skip_ws(p);

    for (int i = 0; i + 1 < p->nkeys; i++)
        if (!(t = descend(p, t, i, true)))
            return -1;
    /* The value may hold keys of its own, which reuse p->keys. */
    int nkeys = p->nkeys;
    toml_key k = p->keys[nkeys - 1];
    if (value_table_find(t, k.s, k.len))
        return toml_fail(p, k.off, "键 %s 重复定义", key_name(p, nkeys - 1, name));
    value *v;
    if (parse_value(p, depth + nkeys, &v) < 0)
        return -1;
    value_table_add(p->mem, t, k.s, k.len, v, k.line, k.col);
    return 0;
}

/* ---- arrays and inline tables ---- */

static int parse_array(toml_parser *p, int depth, value *arr)
{
    char what[32];
    size_t open = p->pos++;
    arr->type = VALUE_ARRAY;
    arr->flags = TOML_INLINE;
    for (;;) {
        if (toml_skip_blank(p) < 0)
            return -1;
        int c = toml_peek(p, 0);
        if (c == ']') {
            p->pos++;
            return 0;
        }
        if (c < 0)
            return toml_fail(p, open, "数组未结束");
        value *item;
        if (parse_value(p, depth + 1, &item) < 0)
            return -1;
        value_array_push(p->mem, arr, item);
        if (toml_skip_blank(p) < 0)
            return -1;
        c = toml_peek(p, 0);
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == ']') {
            p->pos++;
            return 0;
        }
        if (c < 0)
            return toml_fail(p, open, "数组未结束");
        return toml_fail(p, p->pos, "数组元素之间应有逗号，而不是%s",
                         toml_describe(p, p->pos, what));
    }
}

/* An inline table lives on one line: a line end, a comment or the end of
 * the text inside one is an error of its own. Returns 0 elsewhere. */
static int inline_table_cut(toml_parser *p, size_t open)
{
    int c = toml_peek(p, 0);
    if (c < 0)
        return toml_fail(p, open, "内联表未结束");
    if (c == '\n' || c == '\r')
        return toml_fail(p, p->pos, "内联表必须写在一行内");
    if (c == '#')
        return toml_fail(p, p->pos, "内联表中不能有注释");
    return 0;
}

static int parse_inline_table(toml_parser *p, int depth, value *t)
{
    char what[32];
    size_t open = p->pos++;
    t->type = VALUE_TABLE;
    /* Closed to everything outside it from the start; its own dotted keys
     * go through the tables they create, which are not marked. */
    t->flags = TOML_INLINE;
    toml_skip_ws(p);
    if (toml_peek(p, 0) == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        toml_skip_ws(p);
        if (inline_table_cut(p, open) < 0 || parse_keyval(p, t, depth) < 0)
            return -1;
        toml_skip_ws(p);
        int c = toml_peek(p, 0);
        if (c == '}') {
            p->pos++;
            return 0;
        }
        if (c == ',') {
            size_t comma = p->pos++;
            toml_skip_ws(p);
            if (toml_peek(p, 0) == '}')
                return toml_fail(p, comma, "内联表的最后一项后面不能有逗号");
            continue;
        }
        if (inline_table_cut(p, open) < 0)
            return -1;
        return toml_fail(p, p->pos, "内联表的键值对之间应有逗号，而不是%s",
                         toml_describe(p, p->pos, what));
    }
}

/* ---- values ---- */

static bool word_is(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && memcmp(s, word, n) == 0;
}

static bool word_is_nocase(const char *s, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i])
            return false;
    return true;
}

/* A value that is no literal of TOML: most often a string without quotes. */
static int fail_bad_value(toml_parser *p)
{
    char what[32], quoted[96];
    int c = toml_peek(p, 0);
    if (c < 0x80 && !toml_is_bare_key_char(c))
        return toml_fail(p, p->pos, "此处应为值，而不是%s", toml_describe(p, p->pos, what));
    size_t n = 0;
    while ((c = toml_peek(p, n)) > ' ' && c != 0x7f && c != ',' && c != ']' && c != '}' && c != '#')
        n++;
    const char *word = p->src + p->pos;
    if (word_is_nocase(word, n, "true") || word_is_nocase(word, n, "false"))
        return toml_fail(p, p->pos, "布尔值只能写作小写的 true 或 false");
    toml_quote(word, n, quoted, sizeof quoted);
    return toml_fail(p, p->pos, "无效的值 %s（字符串需要加引号）", quoted);
}

/* Any value, at nesting depth `depth` (the root table is depth 0). */
static int parse_value(toml_parser *p, int depth, value **out)
{
    int line, col;
    toml_where(p, p->pos, &line, &col);
    value *v = value_new(p->mem, VALUE_STRING, line, col);
    *out = v;

    int c = toml_peek(p, 0);
    if (c == '"' || c == '\'') {
        const char *s;
        size_t len;
        if (toml_string(p, true, &s, &len) < 0)
            return -1;
        v->u.str.ptr = arena_strndup(p->mem, s, len);
        v->u.str.len = len;
        return 0;
    }
    if (c == '[' || c == '{') {
        if (depth > TOML_MAX_DEPTH)
            return toml_fail(p, p->pos, "嵌套层数超过 %d 层", TOML_MAX_DEPTH);
        return c == '[' ? parse_array(p, depth, v) : parse_inline_table(p, depth, v);
    }
    if (toml_at_datetime(p))
        return toml_datetime(p, v);

    size_t n = 0;
    while (toml_is_bare_key_char(toml_peek(p, n)) || toml_peek(p, n) == '.' ||
           toml_peek(p, n) == '+')
        n++;
    const char *word = p->src + p->pos;
    if (word_is(word, n, "true") || word_is(word, n, "false")) {
        v->type = VALUE_BOOL;
        v->u.boolean = word[0] == 't';
        p->pos += n;
        return 0;
    }
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || word_is(word, n, "inf") ||
        word_is(word, n, "nan"))
        return toml_number(p, v);
    return fail_bad_value(p);
}

/* ---- the document ---- */

static int parse_document(toml_parser *p)
{
    value *current = p->root;
    int depth = 0;
    while (p->pos < p->len) {
        toml_skip_ws(p);
        int c = toml_peek(p, 0);
        if (c == '[') {
            if (parse_header(p, &current) < 0)
                return -1;
            depth = p->nkeys;
        } else if (c >= 0 && c != '#' && c != '\n' && c != '\r') {
            if (parse_keyval(p, current, depth) < 0)
                return -1;
        }
        if (toml_end_line(p) < 0)
            return -1;
    }
    return 0;
}

int toml_parse(arena *mem, const char *text, size_t len, int line_base, value **out,
               toml_error *err)
{
    toml_parser p = {0};
    p.mem = mem;
    p.src = text;
    p.len = len;
    p.line_base = line_base;
    p.line = line_base;
    p.col = 1;
    p.err = err;
    memset(err, 0, sizeof *err);

    /* Editors on Windows like to start a UTF-8 file with a byte order mark;
     * anywhere else it is an error like any stray character. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        p.src += 3;
        p.len -= 3;
    }
    /* Checked once here, so that the parser proper may take every byte from
     * 0x80 up as part of a well-formed character. */
    size_t bad = utf8_validate(p.src, p.len);
    if (bad < p.len) {
        if (utf8_looks_like_gbk(p.src, p.len))
            return toml_fail(&p, bad, "文件不是 UTF-8 编码（看来是 GBK），请另存为 UTF-8");
        return toml_fail(&p, bad, "无效的 UTF-8 编码");
    }

    p.root = value_new(mem, VALUE_TABLE, line_base, 1);
    int r = parse_document(&p);
    buf_free(&p.scratch);
    if (r < 0)
        return -1;
    *out = p.root;
    return 0;
}
