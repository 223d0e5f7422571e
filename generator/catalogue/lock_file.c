/* catalogue.lock as a file: a strict reader that refuses anything it does not
 * fully understand (with the line and column), the one deterministic way of
 * writing it, and an atomic replace. */
#include "catalogue_internal.h"

#include "../util/tsv.h"
#include "../util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char lock_header[] =
    "# catalogue.lock — 索引号登记簿 · index-number register\n"
    "#\n"
    "# 由 gongkai 生成和维护，请与站点一起提交到 git。每条信息第一次发布时分配索引号和网址，\n"
    "# 此后永不改变、永不复用：信息改名或移动，索引号不变，旧网址保留跳转页；信息删除后登记\n"
    "# 保留，网址显示“已撤下”页面。请不要手工修改；只有 reason（撤下原因）一列可以填写，\n"
    "# 不填时为 -。\n"
    "#\n"
    "# Written by gongkai: commit it with the site. An item's index number and URL are\n"
    "# assigned once and never change or get reused; a moved item keeps its number and\n"
    "# leaves a redirect at its old URL; a deleted one stays here, withdrawn. Do not edit\n"
    "# by hand, except the reason column (\"-\" when none) of withdrawn items.\n"
    "#\n"
    "# 列（制表符分隔）· columns (tab-separated):\n"
    "# index_no dept year seq id path url aliases title_fp body_fp withdrawn reason title\n";

static const char *const lock_columns[LOCK_FIELD_COUNT] = {
    "index_no", "dept",     "year",    "seq",       "id",     "path",  "url",
    "aliases",  "title_fp", "body_fp", "withdrawn", "reason", "title",
};

uint64_t lock_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The whole file into *text. 1 when read, 0 when absent, -1 with errno. */
static int lock_slurp(const char *path, buf *text)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    /* Sized at once: the file is megabytes, grown a chunk at a time it was
     * copied again and again. */
    struct stat st;
    buf_reserve(text, fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536);
    for (;;) {
        if (text->cap - text->len < 2)
            buf_reserve(text, 65536);
        ssize_t n = read(fd, text->ptr + text->len, text->cap - text->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            text->ptr[text->len] = '\0';
            close(fd);
            errno = saved;
            return n < 0 ? -1 : 1;
        }
        text->len += (size_t)n;
    }
}

void lock_file_free(catalogue_lock *lk)
{
    buf_free(&lk->bytes);
}

/* ---- reading ------------------------------------------------------------ */

/* The entries' strings are cut out in place from a copy of the text (own),
 * at the offset where the text as read has them: the text itself stays as
 * read, for the messages and for comparing with the file before replacing
 * it. */
typedef struct lock_reader {
    catalogue_lock *lk;
    arena *mem;
    diag_list *diags;
    const char *text;
    char *own;
    /* dept/year/seq, made only once a number is not above those before it
     * in its department and year (in a file as written, never). */
    lock_map *by_number;
    const char *dept; /* the last entry's department, for the next to share */
    size_t dept_len;
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

/* Duplicates against the entries before: a number, id or URL belongs to one
 * entry only, and a live path to one item. Index numbers in increasing
 * order, as written, are unique without a lookup, and so are sequence
 * numbers above those before them: the maps for those are made from the
 * entries before at the first that is not. */
static void lock_read_unique(lock_reader *r, const char *const f[], int idx)
{
    catalogue_lock *lk = r->lk;
    const lock_entry *v = r->lk->v, *e = &v[idx];
    int other;
    if (!lk->by_index && idx > 0 && strcmp(v[idx - 1].index_no, e->index_no) >= 0)
        lock_index_map(lk, r->mem);
    if (lk->by_index && (other = lock_read_claim(r, lk->by_index, e->index_no, false, idx)) >= 0)
        lock_bad(r, f[0], 0, "索引号 %s 与第 %d 行重复", e->index_no, v[other].line);
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
            lock_bad(r, f[3], 3, "%s %d 年的顺序号 %d 与第 %d 行重复", e->dept, e->year, e->seq,
                     v[other].line);
    }
    if (*max < e->seq)
        *max = e->seq;
    if ((other = lock_read_claim(r, lk->by_id, e->id, false, idx)) >= 0)
        lock_bad(r, f[4], 4, "标识 %s 与第 %d 行重复", e->id, v[other].line);
    if (!e->withdrawn && (other = lock_read_claim(r, lk->by_live_path, e->path, false, idx)) >= 0)
        lock_bad(r, f[5], 5, "源文件 %s 已登记在第 %d 行", e->path, v[other].line);
    for (size_t i = 0; i <= e->alias_count; i++) {
        const char *u = i == 0 ? e->url : e->aliases[i - 1];
        int field = i == 0 ? 6 : 7;
        if ((other = lock_read_claim(r, lk->by_url, u, false, idx)) >= 0)
            lock_bad(r, f[field], field, "网址 %s 已属于第 %d 行的信息", u, v[other].line);
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
    r->lk->v[r->lk->len] = e;
    lock_read_unique(r, f, (int)r->lk->len);
    r->lk->len++;
}

int lock_file_read(catalogue_lock *lk, arena *mem, size_t more, diag_list *diags)
{
    buf text = BUF_INIT;
    int got = lock_slurp(lk->path, &text);
    if (got < 0) {
        diag_add(diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, 0, 0, "无法读取 %s：%s",
                 LOCK_FILE_NAME, strerror(errno));
        buf_free(&text);
        return -1;
    }
    buf_free(&lk->bytes);
    lk->existed = got == 1;
    const char *s = buf_cstr(&text), *end = s + text.len;
    /* The entries and maps sized for every line an entry. */
    size_t lines = 1;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    lk->cap = lines + more;
    /* Not zeroed: an entry is written whole when it is taken. */
    lk->v = arena_alloc_uninit(mem, (lk->cap + 1) * sizeof *lk->v);
    lk->by_id = lock_map_new(mem, lines);
    lk->by_url = lock_map_new(mem, lines);
    lk->by_live_path = lock_map_new(mem, lines);
    lk->max_seq = lock_map_new(mem, 64);
    lock_reader r = {lk,   mem,  diags, s,    arena_alloc_uninit(mem, text.len + 1),
                     NULL, NULL, 0,     NULL, 0,
                     NULL, 0,    NULL,  0};
    memcpy(r.own, s, text.len + 1);
    if (text.len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - s);
        if (len && s[len - 1] == '\r')
            len--; /* saved with CRLF line ends by a Windows checkout */
        r.line++;
        lock_read_line(&r, s, len);
        s = nl ? nl + 1 : end;
    }
    lk->bytes = text;
    if (r.errors)
        diag_add(diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, 0, 0,
                 "索引号登记簿 %s 有 %d 处错误，本次不分配索引号，也不改写它：请按提示修正，"
                 "或用 git 恢复上一版本（git checkout -- %s）",
                 LOCK_FILE_NAME, r.errors, LOCK_FILE_NAME);
    return r.errors ? -1 : 0;
}

/* ---- writing ------------------------------------------------------------ */

/* A build that changes one item writes all 10 000 lines and more again:
 * each line is put together by hand, in room reserved for the longest it
 * can be, as formatting it with buf_printf took most of the time. */

static char *lock_put(char *o, const char *s, size_t len)
{
    memcpy(o, s, len);
    return o + len;
}

/* What %d gives: at most 11 bytes. */
static char *lock_put_int(char *o, int v)
{
    char digits[16], *d = digits + sizeof digits;
    unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    do
        *--d = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--d = '-';
    return lock_put(o, d, (size_t)(digits + sizeof digits - d));
}

/* What %016llx gives. */
static char *lock_put_hex(char *o, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        o[i] = hex[v & 15];
    return o + 16;
}

/* One entry's line, at most `room` bytes. */
static size_t lock_line_room(const lock_entry *e, size_t *lens)
{
    const char *escaped[] = {e->index_no, e->path, e->reason ? e->reason : "", e->title};
    size_t room = 13 + 2 * 11 + 2 * 16 + 10 + 1; /* tabs and newline, numbers, date, "-" */
    for (size_t k = 0; k < 4; k++) {
        lens[k] = strlen(escaped[k]);
        room += 2 * lens[k];
    }
    lens[4] = strlen(e->dept);
    lens[5] = strlen(e->id);
    lens[6] = strlen(e->url);
    room += lens[4] + lens[5] + lens[6];
    for (size_t k = 0; k < e->alias_count; k++)
        room += strlen(e->aliases[k]) + 1;
    return room;
}

static char *lock_put_line(char *o, const lock_entry *e, const size_t *lens)
{
    o = tsv_field_write(o, e->index_no, lens[0]);
    *o++ = '\t';
    o = lock_put(o, e->dept, lens[4]);
    *o++ = '\t';
    o = lock_put_int(o, e->year);
    *o++ = '\t';
    o = lock_put_int(o, e->seq);
    *o++ = '\t';
    o = lock_put(o, e->id, lens[5]);
    *o++ = '\t';
    o = tsv_field_write(o, e->path, lens[1]);
    *o++ = '\t';
    o = lock_put(o, e->url, lens[6]);
    *o++ = '\t';
    for (size_t k = 0; k < e->alias_count; k++) {
        if (k)
            *o++ = ',';
        o = lock_put(o, e->aliases[k], strlen(e->aliases[k]));
    }
    if (!e->alias_count)
        *o++ = '-';
    *o++ = '\t';
    o = lock_put_hex(o, e->title_fp);
    *o++ = '\t';
    o = lock_put_hex(o, e->body_fp);
    *o++ = '\t';
    if (e->withdrawn) {
        char day[11];
        date_format(e->withdrawn_on, day);
        o = lock_put(o, day, 10);
    } else {
        *o++ = '-';
    }
    *o++ = '\t';
    if (lens[2])
        o = tsv_field_write(o, e->reason, lens[2]);
    else
        *o++ = '-';
    *o++ = '\t';
    o = tsv_field_write(o, e->title, lens[3]);
    *o++ = '\n';
    return o;
}

void lock_file_format(const catalogue_lock *lk, buf *out)
{
    buf_puts(out, lock_header);
    for (size_t i = 0; i < lk->len; i++) {
        size_t lens[7];
        buf_reserve(out, lock_line_room(&lk->v[i], lens));
        out->len = (size_t)(lock_put_line(out->ptr + out->len, &lk->v[i], lens) - out->ptr);
    }
    out->ptr[out->len] = '\0';
}

static int lock_write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The rename is only durable once the directory itself is on disk. */
static void lock_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    fsync(fd);
    close(fd);
}

/* Whether the file holds just lk->bytes (is absent, when it was absent):
 * read a chunk at a time and compared, not hashed. A failed read counts as
 * changed. */
static bool lock_file_unchanged(const catalogue_lock *lk)
{
    int fd = open(lk->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT && !lk->existed;
    char chunk[65536];
    size_t at = 0;
    bool same = lk->existed;
    while (same) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            same = n == 0 && at == lk->bytes.len;
            break;
        }
        same = (size_t)n <= lk->bytes.len - at && memcmp(chunk, lk->bytes.ptr + at, (size_t)n) == 0;
        at += (size_t)n;
    }
    close(fd);
    return same;
}

int lock_file_replace(catalogue_lock *lk, buf *text, diag_list *diags)
{
    buf tmp = BUF_INIT, dir = BUF_INIT;
    int rc = -1, fd = -1;
    if (!lock_file_unchanged(lk)) {
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "%s 在本次构建过程中被改动了（可能另有一个构建在同时运行），没有写入："
                 "请重新构建",
                 LOCK_FILE_NAME);
        goto out;
    }
    const char *slash = strrchr(lk->path, '/');
    if (slash)
        buf_put(&dir, lk->path, (size_t)(slash - lk->path));
    else
        buf_putc(&dir, '.');
    /* Per process, so that two builds never write the same temporary file. */
    buf_printf(&tmp, "%s/.%s.%ld.tmp", dir.ptr, LOCK_FILE_NAME, (long)getpid());
    fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "无法写入 %s：不能在站点目录中创建临时文件（%s）", LOCK_FILE_NAME,
                 strerror(errno));
        goto out;
    }
    struct stat st;
    const char *step = NULL;
    if (lk->existed && stat(lk->path, &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0)
        step = "设置权限";
    else if (lock_write_all(fd, buf_cstr(text), text->len) != 0)
        step = "写入";
    else if (fsync(fd) != 0)
        step = "写入磁盘";
    int saved = errno;
    if (close(fd) != 0 && !step) {
        step = "写入";
        saved = errno;
    }
    if (!step && rename(tmp.ptr, lk->path) != 0) {
        step = "替换";
        saved = errno;
    }
    if (step) {
        unlink(tmp.ptr);
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "无法写入 %s（%s时出错：%s），原文件保持不变", LOCK_FILE_NAME, step,
                 strerror(saved));
        goto out;
    }
    lock_sync_dir(dir.ptr);
    buf_free(&lk->bytes);
    lk->bytes = *text;
    *text = (buf)BUF_INIT;
    rc = 0;
out:
    buf_free(&tmp);
    buf_free(&dir);
    return rc;
}
