/* catalogue.lock as a file: reading it whole (parsed by lock_read.c), the
 * one deterministic way of writing it, and an atomic replace. */
#include "catalogue_internal.h"

#include "../util/pool.h"
#include "../util/tsv.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Entries per block of the writing work. */
#define LOCK_FORMAT_LINES 1024

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

uint64_t lock_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void lock_file_free(catalogue_lock *lk)
{
    lock_file_unstage(lk);
    buf_free(&lk->bytes);
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

/* Entries [from, to) of lk, their lines in text. */
typedef struct lock_format_block {
    const catalogue_lock *lk;
    size_t from, to;
    buf text;
} lock_format_block;

static void lock_format_lines(void *ctx, size_t i)
{
    lock_format_block *b = &((lock_format_block *)ctx)[i];
    /* Room for lines a little longer than those read, so as not to grow. */
    const catalogue_lock *lk = b->lk;
    size_t line = lk->bytes.len > 0 ? lk->bytes.len / lk->len + lk->bytes.len / lk->len / 4 : 256;
    buf_reserve(&b->text, (b->to - b->from) * line);
    for (size_t k = b->from; k < b->to; k++) {
        size_t lens[7];
        buf_reserve(&b->text, lock_line_room(&b->lk->v[k], lens));
        b->text.len =
            (size_t)(lock_put_line(b->text.ptr + b->text.len, &b->lk->v[k], lens) - b->text.ptr);
    }
    b->text.ptr[b->text.len] = '\0';
}

void lock_file_format(const catalogue_lock *lk, buf *out)
{
    /* In blocks on the build's workers, then put together. */
    size_t nblocks = (lk->len + LOCK_FORMAT_LINES - 1) / LOCK_FORMAT_LINES, total = 0;
    lock_format_block *blocks = xcalloc(nblocks + 1, sizeof *blocks);
    for (size_t i = 0; i < nblocks; i++) {
        blocks[i].lk = lk;
        blocks[i].from = i * LOCK_FORMAT_LINES;
        blocks[i].to = i + 1 < nblocks ? (i + 1) * LOCK_FORMAT_LINES : lk->len;
    }
    pool_for(lk->workers, nblocks, 1, lock_format_lines, blocks);
    for (size_t i = 0; i < nblocks; i++)
        total += blocks[i].text.len;
    buf_reserve(out, sizeof lock_header + total);
    buf_puts(out, lock_header);
    for (size_t i = 0; i < nblocks; i++) {
        buf_put(out, blocks[i].text.ptr, blocks[i].text.len);
        buf_free(&blocks[i].text);
    }
    free(blocks);
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

/* The temporary file beside the lock that this process writes: per
 * process, so that two builds never write the same one. */
static void lock_tmp_path(const catalogue_lock *lk, buf *dir, buf *tmp)
{
    const char *slash = strrchr(lk->path, '/');
    if (slash)
        buf_put(dir, lk->path, (size_t)(slash - lk->path));
    else
        buf_putc(dir, '.');
    buf_printf(tmp, "%s/.%s.%ld.tmp", dir->ptr, LOCK_FILE_NAME, (long)getpid());
}

static const char lock_step_create[] = "创建临时文件";

/* `text` into the temporary file, with the lock's mode, flushed to disk.
 * Returns NULL, or the step that failed (errno saved into *err), the file
 * then removed: lock_step_create when it could not be made. */
static const char *lock_tmp_write(const catalogue_lock *lk, const char *tmp, const buf *text,
                                  int *err)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        *err = errno;
        return lock_step_create;
    }
    struct stat st;
    const char *step = NULL;
    if (lk->existed && stat(lk->path, &st) == 0 && fchmod(fd, st.st_mode & 07777) != 0)
        step = "设置权限";
    else if (lock_write_all(fd, buf_cstr((buf *)text), text->len) != 0)
        step = "写入";
    else if (fsync(fd) != 0)
        step = "写入磁盘";
    *err = errno;
    if (close(fd) != 0 && !step) {
        step = "写入";
        *err = errno;
    }
    if (step)
        unlink(tmp);
    return step;
}

void lock_file_stage(catalogue_lock *lk, buf *text)
{
    buf dir = BUF_INIT, tmp = BUF_INIT;
    lock_tmp_path(lk, &dir, &tmp);
    int err;
    if (!lock_tmp_write(lk, tmp.ptr, text, &err)) {
        lk->staged = *text;
        *text = (buf)BUF_INIT;
    }
    buf_free(&dir);
    buf_free(&tmp);
}

void lock_file_unstage(catalogue_lock *lk)
{
    if (!lk->staged.ptr)
        return;
    buf dir = BUF_INIT, tmp = BUF_INIT;
    lock_tmp_path(lk, &dir, &tmp);
    unlink(tmp.ptr);
    buf_free(&lk->staged);
    buf_free(&dir);
    buf_free(&tmp);
}

int lock_file_replace(catalogue_lock *lk, buf *text, diag_list *diags)
{
    buf tmp = BUF_INIT, dir = BUF_INIT;
    int rc = -1;
    lock_tmp_path(lk, &dir, &tmp);
    /* What catalogue_lock_stage wrote is what would be written now: the
     * lock does not change after it is applied. */
    bool staged = lk->staged.ptr != NULL;
    if (staged) {
        buf_free(text);
        *text = lk->staged;
        lk->staged = (buf)BUF_INIT;
    }
    if (!lock_file_unchanged(lk)) {
        if (staged)
            unlink(tmp.ptr);
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "%s 在本次构建过程中被改动了（可能另有一个构建在同时运行），没有写入："
                 "请重新构建",
                 LOCK_FILE_NAME);
        goto out;
    }
    int saved = 0;
    const char *step = staged ? NULL : lock_tmp_write(lk, tmp.ptr, text, &saved);
    if (!step && rename(tmp.ptr, lk->path) != 0) {
        step = "替换";
        saved = errno;
        unlink(tmp.ptr);
    }
    if (step == lock_step_create) {
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "无法写入 %s：不能在站点目录中创建临时文件（%s）", LOCK_FILE_NAME,
                 strerror(saved));
        goto out;
    }
    if (step) {
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
