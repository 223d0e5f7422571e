/* catalogue.lock read: a strict reader that refuses anything it does not
 * fully understand, with the line and column. The file has a line for every
 * item ever published, 10 000 and more: its lines are parsed in blocks on
 * several threads, then the checks that need the entries before a line (a
 * number, id, URL or path used twice) run on one, in order, and the
 * messages come out as one thread reading line after line would give them. */
#include "catalogue_internal.h"

#include "../util/pool.h"
#include "../util/tsv.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines per block of the parsing work. */
#define LOCK_BLOCK_LINES 1024

static const char *const lock_columns[LOCK_FIELD_COUNT] = {
    "index_no", "dept",     "year",    "seq",       "id",     "path",  "url",
    "aliases",  "title_fp", "body_fp", "withdrawn", "reason", "title",
};

/* The entries' strings are cut out in place from a copy of the text (own),
 * at the offset where the text as read has them: the text itself stays as
 * read, for the messages and for comparing with the file before replacing
 * it. */
typedef struct lock_reader {
    catalogue_lock *lk;
    arena *mem;
    diag_list *diags;
    const char *text, *end;
    char *own;
    /* A block's: its entries as parsed, and where each one's line starts. */
    lock_entry *out;
    const char **starts;
    size_t n;
    const char *dept; /* the last entry's department, for the next to share */
    size_t dept_len;
    /* The checks in order. dept/year/seq, made only once a number is not
     * above those before it in its department and year (in a file as
     * written, never). */
    lock_map *by_number;
    const char *max_dept; /* lk->max_seq's value for max_dept/max_year */
    int max_year;
    int *max;
    int line;
    const char *line_start;
    int errors;
} lock_reader;

static void lock_bad(lock_reader *r, const char *at, int field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void lock_bad(lock_reader *r, const char *at, int field, const char *fmt, ...)
{
    buf msg = BUF_INIT;
    if (field >= 0)
        buf_printf(&msg, "第 %d 列 %s：", field + 1, lock_columns[field]);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    int col = at ? (int)utf8_length(r->line_start, (size_t)(at - r->line_start)) + 1 : 0;
    diag_add(r->diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, r->line, col, "%s", buf_cstr(&msg));
    buf_free(&msg);
    r->errors++;
}

/* s[0..len): 1 to max decimal digits, their value in *v. */
static bool lock_digits(const char *s, size_t len, size_t max, int *v)
{
    if (len == 0 || len > max)
        return false;
    int x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

bool lock_hex(const char *s, size_t len, uint64_t *v)
{
    /* Digits and letters come in no order a branch could guess: none here. */
    if (len != 16)
        return false;
    uint64_t x = 0;
    bool ok = true;
    for (size_t i = 0; i < 16; i++) {
        unsigned c = (unsigned char)s[i], digit = c - '0', letter = c - 'a';
        bool is_digit = digit < 10;
        ok &= is_digit | (letter < 6);
        x = x << 4 | (is_digit ? digit : letter + 10);
    }
    *v = x;
    return ok;
}

static bool lock_none(const char *s, size_t len)
{
    return len == 1 && s[0] == '-';
}

/* Field f[0..n) where the entry keeps it: decoded (NULL when it cannot
 * be), or only cut out. */
static const char *lock_read_string(lock_reader *r, const char *f, size_t n)
{
    return tsv_field_decode(r->own + (f - r->text), n);
}

static const char *lock_read_plain(lock_reader *r, const char *f, size_t n)
{
    char *s = r->own + (f - r->text);
    s[n] = '\0';
    return s;
}

/* Split "url,url" into e->aliases. */
static void lock_read_aliases(lock_reader *r, lock_entry *e, const char *s, size_t len)
{
    if (lock_none(s, len))
        return;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == ',';
    e->aliases = arena_alloc(r->mem, n * sizeof *e->aliases);
    for (size_t i = 0, start = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        const char *why = catalogue_url_problem(s + start, i - start);
        if (why) {
            lock_bad(r, s + start, 7, "旧网址“%.*s”%s", (int)(i - start), s + start, why);
            return;
        }
        e->aliases[e->alias_count++] = lock_read_plain(r, s + start, i - start);
        start = i + 1;
    }
}

/* Parse one entry's fields into e. */
static void lock_read_fields(lock_reader *r, const char *const f[], const size_t n[], lock_entry *e)
{
    e->index_no = lock_read_string(r, f[0], n[0]);
    if (!e->index_no || !e->index_no[0])
        lock_bad(r, f[0], 0, "索引号为空或含有无法识别的字符");
    /* Entries come grouped by department: one string for a run of them. */
    if (r->dept && n[1] == r->dept_len && memcmp(f[1], r->dept, n[1]) == 0) {
        e->dept = r->dept;
    } else {
        e->dept = lock_read_plain(r, f[1], n[1]);
        if (config_id_valid(e->dept)) {
            r->dept = e->dept;
            r->dept_len = n[1];
        } else {
            lock_bad(r, f[1], 1, "“%s”不是有效的单位 id", e->dept);
        }
    }
    if (!lock_digits(f[2], n[2], 4, &e->year) || f[2][0] == '0')
        lock_bad(r, f[2], 2, "年份应为四位数字，这里是“%.*s”", (int)n[2], f[2]);
    if (!lock_digits(f[3], n[3], 9, &e->seq) || f[3][0] == '0')
        lock_bad(r, f[3], 3, "顺序号应为正整数，这里是“%.*s”", (int)n[3], f[3]);
    uint64_t id;
    if (lock_hex(f[4], n[4], &id))
        e->id = lock_read_plain(r, f[4], n[4]);
    else
        lock_bad(r, f[4], 4, "标识应为 16 位十六进制数字（0-9、a-f）");
    e->path = lock_read_string(r, f[5], n[5]);
    if (!e->path || strncmp(e->path, "content/", 8) != 0)
        lock_bad(r, f[5], 5, "源文件路径应以 content/ 开头");
    const char *why = catalogue_url_problem(f[6], n[6]);
    if (why)
        lock_bad(r, f[6], 6, "网址“%.*s”%s", (int)n[6], f[6], why);
    else
        e->url = lock_read_plain(r, f[6], n[6]);
    lock_read_aliases(r, e, f[7], n[7]);
    if (!lock_hex(f[8], n[8], &e->title_fp))
        lock_bad(r, f[8], 8, "标题指纹应为 16 位十六进制数字（0-9、a-f）");
    if (!lock_hex(f[9], n[9], &e->body_fp))
        lock_bad(r, f[9], 9, "正文指纹应为 16 位十六进制数字（0-9、a-f）");
    if (!lock_none(f[10], n[10])) {
        e->withdrawn = true;
        if (date_parse(f[10], n[10], &e->withdrawn_on) != 0)
            lock_bad(r, f[10], 10, "撤下日期应为 YYYY-MM-DD 形式的真实日期，或 -");
    }
    if (!lock_none(f[11], n[11]) && !(e->reason = lock_read_string(r, f[11], n[11])))
        lock_bad(r, f[11], 11, "含有制表符等控制字符或无法识别的 \\ 转义");
    e->title = lock_read_string(r, f[12], n[12]);
    if (!e->title || !e->title[0])
        lock_bad(r, f[12], 12, "标题为空或含有无法识别的字符");
}

/* key's entry in m, or -1 when it had none and is now idx's. The key must
 * outlive the map unless `copy`. */
static int lock_read_claim(lock_reader *r, lock_map *m, const char *key, bool copy, int idx)
{
    int *v = lock_map_at(r->mem, m, key, copy);
    if (*v >= 0)
        return *v;
    *v = idx;
    return -1;
}

lock_map *lock_index_map(catalogue_lock *lk, arena *mem)
{
    if (!lk->by_index) {
        lk->by_index = lock_map_new(mem, lk->cap);
        for (size_t k = 0; k < lk->len; k++)
            lock_map_put(mem, lk->by_index, lk->v[k].index_no, (int)k);
    }
    return lk->by_index;
}

static void lock_number_key(char *key, size_t size, const lock_entry *e)
{
    snprintf(key, size, "%s/%d/%d", e->dept, e->year, e->seq);
}

/* The highest seq so far of e's department and year. */
static int *lock_read_max(lock_reader *r, const lock_entry *e)
{
    if (!r->max || e->dept != r->max_dept || e->year != r->max_year) {
        char key[96];
        snprintf(key, sizeof key, "%s/%d", e->dept, e->year);
        r->max = lock_map_at(r->mem, r->lk->max_seq, key, true);
        r->max_dept = e->dept;
        r->max_year = e->year;
    }
    return r->max;
}

/* Where field `field` of the entry line at `line` starts: only for a
 * message, so the line is split again. */
static const char *lock_field_start(const lock_reader *r, const char *line, int field)
{
    const char *nl = memchr(line, '\n', (size_t)(r->end - line));
    size_t len = (size_t)((nl ? nl : r->end) - line);
    if (len && line[len - 1] == '\r')
        len--;
    const char *f[LOCK_FIELD_COUNT];
    size_t n[LOCK_FIELD_COUNT];
    tsv_fields_split(line, len, f, n, LOCK_FIELD_COUNT);
    return f[field];
}

/* Duplicates against the entries before: a number, id or URL belongs to one
 * entry only, and a live path to one item. Index numbers in increasing
 * order, as written, are unique without a lookup, and so are sequence
 * numbers above those before them: the maps for those are made from the
 * entries before at the first that is not. */
static void lock_read_unique(lock_reader *r, int idx, const char *line)
{
    catalogue_lock *lk = r->lk;
    const lock_entry *v = r->lk->v, *e = &v[idx];
    int other;
    r->line = e->line;
    r->line_start = line;
    if (!lk->by_index && idx > 0 && strcmp(v[idx - 1].index_no, e->index_no) >= 0)
        lock_index_map(lk, r->mem);
    if (lk->by_index && (other = lock_read_claim(r, lk->by_index, e->index_no, false, idx)) >= 0)
        lock_bad(r, lock_field_start(r, line, 0), 0, "索引号 %s 与第 %d 行重复", e->index_no,
                 v[other].line);
    char key[96];
    int *max = lock_read_max(r, e);
    if (!r->by_number && e->seq <= *max) {
        r->by_number = lock_map_new(r->mem, (size_t)idx + 1);
        for (int k = 0; k < idx; k++) {
            lock_number_key(key, sizeof key, &v[k]);
            lock_read_claim(r, r->by_number, key, true, k);
        }
    }
    if (r->by_number) {
        lock_number_key(key, sizeof key, e);
        if ((other = lock_read_claim(r, r->by_number, key, true, idx)) >= 0)
            lock_bad(r, lock_field_start(r, line, 3), 3, "%s %d 年的顺序号 %d 与第 %d 行重复",
                     e->dept, e->year, e->seq, v[other].line);
    }
    if (*max < e->seq)
        *max = e->seq;
    if ((other = lock_read_claim(r, lk->by_id, e->id, false, idx)) >= 0)
        lock_bad(r, lock_field_start(r, line, 4), 4, "标识 %s 与第 %d 行重复", e->id,
                 v[other].line);
    if (!e->withdrawn && (other = lock_read_claim(r, lk->by_live_path, e->path, false, idx)) >= 0)
        lock_bad(r, lock_field_start(r, line, 5), 5, "源文件 %s 已登记在第 %d 行", e->path,
                 v[other].line);
    for (size_t i = 0; i <= e->alias_count; i++) {
        const char *u = i == 0 ? e->url : e->aliases[i - 1];
        int field = i == 0 ? 6 : 7;
        if ((other = lock_read_claim(r, lk->by_url, u, false, idx)) >= 0)
            lock_bad(r, lock_field_start(r, line, field), field, "网址 %s 已属于第 %d 行的信息", u,
                     v[other].line);
    }
}

static void lock_read_line(lock_reader *r, const char *s, size_t len)
{
    r->line_start = s;
    size_t bad = utf8_validate(s, len);
    if (bad != len) {
        lock_bad(r, s + bad, -1, "这一行不是有效的 UTF-8 文字");
        return;
    }
    if (len == 0 || s[0] == '#')
        return;
    static const char *const markers[] = {"<<<<<<<", "=======", ">>>>>>>", "|||||||"};
    for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
        if (len >= 7 && memcmp(s, markers[i], 7) == 0) {
            lock_bad(r, s, -1,
                     "这里有 git 合并冲突的标记：请用 git 重新合并 catalogue.lock，"
                     "或恢复冲突前的版本后重新构建");
            return;
        }
    const char *f[LOCK_FIELD_COUNT];
    size_t n[LOCK_FIELD_COUNT];
    size_t count = tsv_fields_split(s, len, f, n, LOCK_FIELD_COUNT);
    if (count != LOCK_FIELD_COUNT) {
        lock_bad(r, s, -1, "每行应有 %d 列、以制表符分隔，这一行有 %zu 列", LOCK_FIELD_COUNT,
                 count);
        return;
    }
    int before = r->errors;
    lock_entry e = {0};
    e.line = r->line;
    e.item = -1;
    lock_read_fields(r, f, n, &e);
    if (r->errors != before)
        return;
    r->out[r->n] = e;
    r->starts[r->n++] = s;
}

/* Lines [start, stop) of the text, parsed into lk->v from `slot` on. */
typedef struct lock_block {
    const char *start, *stop;
    int line; /* the number of the line before start */
    size_t slot;
    arena mem;
    diag_list diags;
    lock_reader r;
} lock_block;

static void lock_block_parse(void *ctx, size_t i)
{
    lock_block *b = &((lock_block *)ctx)[i];
    lock_reader *r = &b->r;
    memcpy(r->own + (b->start - r->text), b->start, (size_t)(b->stop - b->start));
    r->line = b->line;
    for (const char *s = b->start; s < b->stop;) {
        const char *nl = memchr(s, '\n', (size_t)(b->stop - s));
        const char *stop = nl ? nl : b->stop;
        size_t len = (size_t)(stop - s);
        if (len && s[len - 1] == '\r')
            len--; /* saved with CRLF line ends by a Windows checkout */
        r->line++;
        lock_read_line(r, s, len);
        s = nl ? nl + 1 : b->stop;
    }
}

/* The block's messages about lines before `line`, from *next on, to r. */
static void lock_block_report(lock_reader *r, const lock_block *b, size_t *next, int line)
{
    for (; *next < b->diags.len && b->diags.items[*next].line < line; (*next)++) {
        const diag *d = &b->diags.items[*next];
        diag_add(r->diags, d->severity, d->code, d->path, d->line, d->col, "%s", d->message);
    }
}

/* The block's entries after those before it, checked in order. */
static void lock_block_check(lock_reader *r, const lock_block *b)
{
    catalogue_lock *lk = r->lk;
    size_t next = 0;
    for (size_t k = 0; k < b->r.n; k++) {
        lock_block_report(r, b, &next, b->r.out[k].line);
        /* The blocks' room is a line an entry: moved down over lines that
         * were none. */
        size_t idx = lk->len;
        lk->v[idx] = b->r.out[k];
        lock_read_unique(r, (int)idx, b->r.starts[k]);
        lk->len++;
    }
    lock_block_report(r, b, &next, INT_MAX);
    r->errors += b->r.errors;
}

int lock_file_read(catalogue_lock *lk, arena *mem, size_t more, size_t workers, diag_list *diags)
{
    buf text = BUF_INIT;
    int got = buf_read_file(&text, lk->path) == 0 ? 1 : errno == ENOENT ? 0 : -1;
    if (got < 0) {
        diag_add(diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, 0, 0, "无法读取 %s：%s",
                 LOCK_FILE_NAME, strerror(errno));
        buf_free(&text);
        return -1;
    }
    buf_free(&lk->bytes);
    lk->existed = got == 1;
    const char *s = buf_cstr(&text), *end = s + text.len;
    lock_reader r = {lk,   mem,  diags, s,    end,  arena_alloc_uninit(mem, text.len + 1),
                     NULL, NULL, 0,     NULL, 0,    NULL,
                     NULL, 0,    NULL,  0,    NULL, 0};
    r.own[text.len] = '\0';
    if (text.len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        memcpy(r.own, s, 3);
        s += 3;
    }
    /* The lines, counted to size the entries and maps for every line an
     * entry, and cut into blocks. */
    size_t lines = 1, nblocks = 1, cuts_cap = 16;
    const char **cuts = xmalloc(cuts_cap * sizeof *cuts);
    cuts[0] = s;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p)));) {
        p++;
        if (lines++ % LOCK_BLOCK_LINES == 0 && p < end) {
            cuts = xgrow(cuts, &cuts_cap, nblocks + 1, sizeof *cuts);
            cuts[nblocks++] = p;
        }
    }
    lk->cap = lines + more;
    /* Not zeroed: an entry is written whole when it is taken. */
    lk->v = arena_alloc_uninit(mem, (lk->cap + 1) * sizeof *lk->v);
    lk->by_id = lock_map_new(mem, lines);
    lk->by_url = lock_map_new(mem, lines);
    lk->by_live_path = lock_map_new(mem, lines);
    lk->max_seq = lock_map_new(mem, 64);
    const char **starts = xmalloc(lines * sizeof *starts);
    lock_block *blocks = xcalloc(nblocks, sizeof *blocks);
    for (size_t i = 0; i < nblocks; i++) {
        lock_block *b = &blocks[i];
        b->start = cuts[i];
        b->stop = i + 1 < nblocks ? cuts[i + 1] : end;
        b->line = (int)(i * LOCK_BLOCK_LINES);
        arena_init(&b->mem);
        diag_list_init(&b->diags);
        b->r = r;
        b->r.mem = &b->mem;
        b->r.diags = &b->diags;
        b->r.out = lk->v + i * LOCK_BLOCK_LINES;
        b->r.starts = starts + i * LOCK_BLOCK_LINES;
    }
    pool_for(workers, nblocks, 1, lock_block_parse, blocks);
    for (size_t i = 0; i < nblocks; i++) {
        lock_block_check(&r, &blocks[i]);
        arena_adopt(mem, &blocks[i].mem);
        diag_list_free(&blocks[i].diags);
    }
    free(blocks);
    free(starts);
    free(cuts);
    lk->bytes = text;
    if (r.errors)
        diag_add(diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, 0, 0,
                 "索引号登记簿 %s 有 %d 处错误，本次不分配索引号，也不改写它：请按提示修正，"
                 "或用 git 恢复上一版本（git checkout -- %s）",
                 LOCK_FILE_NAME, r.errors, LOCK_FILE_NAME);
    return r.errors ? -1 : 0;
}
