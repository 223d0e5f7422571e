#include "content_internal.h"

#include "../util/buf.h"
#include "../util/hash.h"
#include "../util/pool.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the walk found, in walk order: a file to load, or only a problem met
 * on the way. The files are loaded by a pool of workers, each job keeping its
 * own item and diagnostics, so that the result is the same on any number of
 * threads: merged in walk order, it is what loading them one by one gives. */
typedef struct scan_job {
    const char *path; /* from the site root; NULL for a problem of the walk */
    bool follow;      /* a link, checked to stay inside content/: open through it */
    bool loaded;      /* the file gave an item */
    bool stat_known;  /* st is the stat data of the text the item holds */
    content_stat st;
    content_kept kept; /* what the store may keep of it; parsed NULL: nothing */
    diag_list diags;
} scan_job;

typedef struct scan_walk {
    content_set *set; /* its arena holds the jobs' paths */
    const site_config *cfg;
    const char *content_real; /* content/ with symlinks resolved; NULL if unknown */
    scan_job *jobs;
    size_t len, cap;
} scan_walk;

static scan_job *scan_job_add(scan_walk *w, const char *path, bool follow)
{
    w->jobs = xgrow(w->jobs, &w->cap, w->len + 1, sizeof *w->jobs);
    scan_job *j = &w->jobs[w->len++];
    j->path = path ? arena_strdup(&w->set->mem, path) : NULL;
    j->follow = follow;
    j->loaded = false;
    j->stat_known = false;
    memset(&j->kept, 0, sizeof j->kept);
    diag_list_init(&j->diags);
    return j;
}

/* Where the walk reports a problem, in its place among the files. */
static diag_list *scan_walk_diags(scan_walk *w)
{
    return &scan_job_add(w, NULL, false)->diags;
}

static const char *scan_strerror(int e)
{
    switch (e) {
    case EACCES:
    case EPERM:
        return "没有读取权限";
    case ENOENT:
        return "文件不存在";
    case ELOOP:
        return "符号链接层数过多";
    case ENAMETOOLONG:
        return "路径太长";
    case EMFILE:
    case ENFILE:
        return "同时打开的文件太多";
    case EIO:
        return "读写出错（磁盘故障？）";
    default:
        return strerror(e);
    }
}

static void scan_io_error(diag_list *diags, const char *path, int e, const char *what)
{
    diag_add(diags, DIAG_ERROR, "GK901", path, 0, 0, "无法读取%s：%s（%s）", what, scan_strerror(e),
             strerror(e));
}

/* Read the regular file open on fd into mem, NUL-terminated, its stat data
 * (taken before the read) into *st. Returns 0 or an errno value. */
static int scan_read_fd(arena *mem, int fd, char **text, size_t *len, struct stat *st)
{
    if (fstat(fd, st) < 0)
        return errno;
    if (!S_ISREG(st->st_mode))
        return EINVAL;
    size_t cap = (size_t)st->st_size, n = 0;
    char *p = arena_alloc_uninit(mem, cap + 1);
    while (n < cap) {
        ssize_t k = read(fd, p + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            break;
        n += (size_t)k;
    }
    p[n] = '\0';
    *text = p;
    *len = n;
    return 0;
}

/* The checks that come before any parsing: the file holds text, in UTF-8. */
static int scan_text_check(const char *path, const char *text, size_t len, diag_list *diags)
{
    size_t start = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    size_t i = start;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == len) {
        diag_add(diags, DIAG_ERROR, "GK103", path, 1, 1,
                 "文件是空的：请写上前言（title、date、category 等）和正文，或删去这个文件");
        return -1;
    }
    size_t bad = utf8_validate_text(text, len);
    if (bad == len)
        return 0;
    int line, col;
    utf8_position(text + start, bad - start, &line, &col);
    if (text[bad] == '\0')
        diag_add(diags, DIAG_ERROR, "GK101", path, line, col,
                 "文件中有空字节（NUL），不是文本文件：请确认这是用文本编辑器保存的 Markdown 文件");
    else if (utf8_looks_like_gbk(text + start, len - start))
        diag_add(diags, DIAG_ERROR, "GK102", path, line, col,
                 "文件不是 UTF-8 编码，看起来是 GBK/GB18030：请运行 gongkai fix-encoding %s "
                 "转换（原文件保留为 .gbk.bak），或在编辑器中“另存为”UTF-8 编码",
                 path);
    else
        diag_add(diags, DIAG_ERROR, "GK101", path, line, col,
                 "文件不是有效的 UTF-8 编码（此处有无效字节 0x%02X）：请在编辑器中以 UTF-8 "
                 "编码重新保存",
                 (unsigned char)text[bad]);
    return -1;
}

/* Read the file open on fd (closed here) into texts and its item into *it,
 * what the item holds besides its text in mem; its stat data into *st when
 * st is not NULL. Returns what content_item_read does: 1, 0 (an item with
 * errors) or -1 (no item: the file could not be read, is not text, or has no
 * front matter). */
static int scan_item_fd(arena *texts, arena *mem, const site_config *cfg, const char *path, int fd,
                        diag_list *diags, content_item *it, content_stat *st)
{
    char *text = NULL;
    size_t len = 0;
    struct stat fst;
    int e = scan_read_fd(texts, fd, &text, &len, &fst);
    close(fd);
    if (e) {
        scan_io_error(diags, path, e, "文件");
        return -1;
    }
    if (st)
        content_stat_take(st, &fst);
    if (scan_text_check(path, text, len, diags) < 0)
        return -1;
    return content_item_read(mem, cfg, path, text, len, hash64_block(text, len), diags, it);
}

/* Append the item a read gave (r as from scan_item_fd); 0 for one without
 * errors, else -1. */
static int scan_keep(content_set *set, const content_item *it, int r)
{
    if (r < 0)
        return -1;
    set->items = xgrow(set->items, &set->cap, set->len + 1, sizeof *set->items);
    set->items[set->len++] = *it;
    return r == 1 ? 0 : -1;
}

int content_file_load(content_set *set, const site_config *cfg, const char *path, diag_list *diags)
{
    buf full = BUF_INIT;
    buf_printf(&full, "%s/%s", cfg->root, path);
    int fd = open(buf_cstr(&full), O_RDONLY | O_CLOEXEC);
    buf_free(&full);
    if (fd < 0) {
        scan_io_error(diags, path, errno, "文件");
        return -1;
    }
    content_item it;
    return scan_keep(set, &it, scan_item_fd(&set->mem, &set->mem, cfg, path, fd, diags, &it, NULL));
}

int content_text_load(content_set *set, const site_config *cfg, const char *path, const char *text,
                      size_t len, diag_list *diags)
{
    char *copy = arena_strndup(&set->mem, text, len);
    if (scan_text_check(path, copy, len, diags) < 0)
        return -1;
    content_item it;
    return scan_keep(
        set, &it,
        content_item_read(&set->mem, cfg, path, copy, len, hash64_block(copy, len), diags, &it));
}

/* _index.md is a section's own page (Hugo's convention); sections are not
 * built yet, so it is not read as an item. */
static bool scan_is_item(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".md") == 0 && strcmp(name, "_index.md") != 0;
}

/* A link to an item is read only when its target stays inside content/. */
static void scan_link(scan_walk *w, int dfd, const char *name, const char *path)
{
    struct stat st;
    if (fstatat(dfd, name, &st, 0) < 0) {
        scan_io_error(scan_walk_diags(w), path, errno, "符号链接指向的文件");
        return;
    }
    if (!S_ISREG(st.st_mode))
        return;
    buf full = BUF_INIT;
    buf_printf(&full, "%s/%s", w->cfg->root, path);
    char *target = realpath(buf_cstr(&full), NULL);
    buf_free(&full);
    size_t n = w->content_real ? strlen(w->content_real) : 0;
    if (!target || !n || strncmp(target, w->content_real, n) != 0 || target[n] != '/') {
        diag_add(scan_walk_diags(w), DIAG_ERROR, "GK208", path, 0, 0,
                 "这是指向 content/ 之外（%s）的符号链接，已拒绝读取：请把文件本身放进 content/",
                 target ? target : "?");
        free(target);
        return;
    }
    free(target);
    scan_job_add(w, path, true);
}

/* A directory entry, with its type when readdir knows it (DT_UNKNOWN when
 * not), which spares a stat per file. */
typedef struct scan_entry {
    char *name;
    unsigned char type;
} scan_entry;

static int scan_entry_cmp(const void *a, const void *b)
{
    return strcmp(((const scan_entry *)a)->name, ((const scan_entry *)b)->name);
}

/* The entry's type as a stat mode (S_IFDIR...), from readdir or else
 * lstat. Returns 0, or -1 with errno. */
static int scan_entry_mode(int dfd, const scan_entry *e, mode_t *mode)
{
    switch (e->type) {
    case DT_DIR:
        *mode = S_IFDIR;
        return 0;
    case DT_REG:
        *mode = S_IFREG;
        return 0;
    case DT_LNK:
        *mode = S_IFLNK;
        return 0;
    default:
        break;
    }
    struct stat st;
    if (fstatat(dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    *mode = st.st_mode;
    return 0;
}

/* Walk the directory open on dfd (taken over and closed), whose path from the
 * site root is in path, adding a job per item. Symlinked directories are not
 * followed, so a link cannot make the walk loop. */
static void scan_dir(scan_walk *w, int dfd, buf *path)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        scan_io_error(scan_walk_diags(w), buf_cstr(path), errno, "目录");
        close(dfd);
        return;
    }
    scan_entry *entries = NULL;
    size_t count = 0, cap = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de)
            break;
        if (de->d_name[0] == '.')
            continue;
        entries = xgrow(entries, &cap, count + 1, sizeof *entries);
        size_t n = strlen(de->d_name);
        entries[count].name = xmalloc(n + 1);
        memcpy(entries[count].name, de->d_name, n + 1);
        entries[count++].type = de->d_type;
    }
    if (errno)
        scan_io_error(scan_walk_diags(w), buf_cstr(path), errno, "目录");
    if (count > 1) /* an empty folder has no array at all */
        qsort(entries, count, sizeof *entries, scan_entry_cmp);

    size_t keep = path->len;
    for (size_t i = 0; i < count; i++) {
        const char *name = entries[i].name;
        buf_putc(path, '/');
        buf_puts(path, name);
        mode_t mode;
        if (scan_entry_mode(dirfd(d), &entries[i], &mode) < 0) {
            scan_io_error(scan_walk_diags(w), buf_cstr(path), errno, "文件");
        } else if (S_ISDIR(mode)) {
            int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0)
                scan_io_error(scan_walk_diags(w), buf_cstr(path), errno, "目录");
            else
                scan_dir(w, sub, path);
        } else if (scan_is_item(name) && S_ISLNK(mode)) {
            scan_link(w, dirfd(d), name, buf_cstr(path));
        } else if (scan_is_item(name) && S_ISREG(mode)) {
            scan_job_add(w, buf_cstr(path), false);
        }
        path->len = keep;
        path->ptr[keep] = '\0';
        free(entries[i].name);
    }
    free(entries);
    closedir(d);
}

/* ---- loading, on several threads ------------------------------------------ */

typedef struct scan_load {
    const site_config *cfg;
    const content_keep *keep; /* or NULL */
    int content_fd;           /* content/, which every job's path starts with */
    scan_job *jobs;
    content_item *items; /* one per job, filled where the job is loaded */
    size_t len;
    atomic_size_t next;
    /* One of each per worker: the texts it read (and the parses made for
     * the store), and what their items hold besides, apart, so that every
     * stage's walk over the items' names and front matter does not step
     * from one page of memory to the next; and where it writes a parse. */
    arena *texts, *mems;
    buf *parses;
} scan_load;

/* The job's item from the text store, when it has the file as it is: the
 * stat (through a link only where the job follows one, as the open would)
 * must match the stored one. The UTF-8 check is not made again: only texts
 * that passed it are stored. With the text comes its item's parse, when the
 * store has one made under this site.toml: the item is restored from it,
 * not parsed, and is what its parse would be; a parse that does not read
 * back is ignored and the text parsed. Returns whether the job is done; if
 * not, the file is read as without a store (any error is the open's to
 * report). */
static bool scan_load_kept(scan_load *l, scan_job *j, const char *rel, arena *mem, content_item *it)
{
    struct stat st;
    if (fstatat(l->content_fd, rel, &st, j->follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
        return false;
    content_stat_take(&j->st, &st);
    content_kept kept;
    if (!content_keep_take(l->keep, j->path, &j->st, &kept))
        return false;
    j->stat_known = true;
    size_t len = (size_t)j->st.size;
    if (kept.parsed && content_parsed_get(mem, l->cfg, j->path, kept.text, len, kept.hash,
                                          kept.parsed, kept.parsed_len, it)) {
        j->loaded = true;
        j->kept = kept;
        return true;
    }
    j->loaded =
        content_item_read(mem, l->cfg, j->path, kept.text, len, kept.hash, &j->diags, it) >= 0;
    return true;
}

/* What the store may keep of a job just parsed: an item without errors
 * whose whole file was read (its length that of its stat data) and that
 * made no diagnostic at all, so that a stored text is one that passed
 * every check of this stage and a restored item reports nothing, as its
 * parse did. Its parse is written here, on the worker, into `texts`. */
static void scan_load_parsed(scan_load *l, scan_job *j, const content_item *it, arena *texts,
                             buf *parse)
{
    if (!j->loaded || !j->stat_known || j->diags.len || !it->ok || it->text_len != j->st.size)
        return;
    buf_reset(parse);
    if (!content_parsed_put(parse, l->cfg, it))
        return;
    char *p = arena_alloc_uninit(texts, parse->len);
    memcpy(p, parse->ptr, parse->len);
    j->kept = (content_kept){it->text, it->text_hash, p, parse->len, hash64_block(p, parse->len)};
}

static void scan_load_worker(void *ctx, size_t worker)
{
    scan_load *l = ctx;
    for (;;) {
        size_t i = atomic_fetch_add(&l->next, 1);
        if (i >= l->len)
            break;
        scan_job *j = &l->jobs[i];
        if (!j->path)
            continue;
        const char *rel = j->path + strlen("content/");
        if (l->keep && scan_load_kept(l, j, rel, &l->mems[worker], &l->items[i])) {
            if (!j->kept.parsed)
                scan_load_parsed(l, j, &l->items[i], &l->texts[worker], &l->parses[worker]);
            continue;
        }
        int flags = O_RDONLY | O_CLOEXEC | (j->follow ? 0 : O_NOFOLLOW);
        int fd = openat(l->content_fd, rel, flags);
        if (fd < 0) {
            scan_io_error(&j->diags, j->path, errno, "文件");
            continue;
        }
        j->loaded = scan_item_fd(&l->texts[worker], &l->mems[worker], l->cfg, j->path, fd,
                                 &j->diags, &l->items[i], &j->st) >= 0;
        j->stat_known = true;
        if (l->keep)
            scan_load_parsed(l, j, &l->items[i], &l->texts[worker], &l->parses[worker]);
    }
}

/* Load the walk's files on `workers` threads, then take their items and
 * diagnostics into set and diags in walk order. The items are read into one
 * array, a slot per job, which becomes set's once the empty slots are
 * closed up. With a keep, what it may store (scan_load_parsed) is handed
 * to it. */
static void scan_load_all(scan_walk *w, int content_fd, size_t workers, content_keep *keep,
                          diag_list *diags)
{
    if (workers > w->len)
        workers = w->len;
    if (workers < 1)
        workers = 1;
    scan_load l = {w->cfg, keep, content_fd, w->jobs, NULL, w->len, 0, NULL, NULL, NULL};
    l.items = xmalloc((w->len ? w->len : 1) * sizeof *l.items);
    l.texts = xmalloc(workers * sizeof *l.texts);
    l.mems = xmalloc(workers * sizeof *l.mems);
    l.parses = xmalloc(workers * sizeof *l.parses);
    for (size_t k = 0; k < workers; k++) {
        arena_init(&l.texts[k]);
        arena_init(&l.mems[k]);
        l.parses[k] = (buf)BUF_INIT;
    }
    if (keep)
        content_keep_site(keep, w->cfg);
    pool_run(workers, scan_load_worker, &l);

    content_set *set = w->set;
    set->items = l.items;
    set->cap = w->len;
    if (keep)
        content_keep_hand_over(keep, set);
    for (size_t i = 0; i < w->len; i++) {
        scan_job *j = &w->jobs[i];
        if (keep && j->kept.parsed)
            content_keep_found(keep, j->path, &j->st, &j->kept);
        diag_list_append(diags, &j->diags);
        diag_list_free(&j->diags);
        if (!j->loaded)
            continue;
        l.items[i].stat = j->st;
        l.items[i].stat_known = j->stat_known && !j->follow;
        if (set->len != i)
            set->items[set->len] = l.items[i];
        set->len++;
    }
    for (size_t k = 0; k < workers; k++) {
        arena_adopt(&set->mem, &l.texts[k]);
        arena_adopt(&set->mem, &l.mems[k]);
        buf_free(&l.parses[k]);
    }
    free(l.texts);
    free(l.mems);
    free(l.parses);
}

static int scan_item_cmp(const void *a, const void *b)
{
    return strcmp(((const content_item *)a)->path, ((const content_item *)b)->path);
}

void content_init(content_set *set)
{
    memset(set, 0, sizeof *set);
    arena_init(&set->mem);
}

void content_free(content_set *set)
{
    if (set->kept_map)
        munmap((void *)set->kept_map, set->kept_map_len);
    arena_free(&set->mem);
    free(set->items);
    memset(set, 0, sizeof *set);
}

int content_load(content_set *set, const site_config *cfg, size_t workers, content_keep *keep,
                 diag_list *diags)
{
    content_init(set);
    size_t errors = diag_list_count(diags, DIAG_ERROR);
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/content", cfg->root);
    int dfd = open(buf_cstr(&dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int content_fd = dfd < 0 ? -1 : fcntl(dfd, F_DUPFD_CLOEXEC, 0);
    if (dfd < 0 || content_fd < 0) {
        /* A site may have no items yet; any other failure is reported. */
        if (errno != ENOENT)
            scan_io_error(diags, "content", errno, "目录");
        if (dfd >= 0)
            close(dfd);
    } else {
        char *real = realpath(buf_cstr(&dir), NULL);
        scan_walk w = {set, cfg, real, NULL, 0, 0};
        buf path = BUF_INIT;
        buf_puts(&path, "content");
        scan_dir(&w, dfd, &path);
        scan_load_all(&w, content_fd, workers ? workers : pool_default_workers(), keep, diags);
        close(content_fd);
        free(w.jobs);
        buf_free(&path);
        free(real);
    }
    buf_free(&dir);
    /* The walk goes in name order, which is path order but where a name runs
     * on with a character below '/' (a-b.md comes before a/x.md). */
    for (size_t i = 1; i < set->len; i++) {
        if (strcmp(set->items[i - 1].path, set->items[i].path) > 0) {
            qsort(set->items, set->len, sizeof *set->items, scan_item_cmp);
            break;
        }
    }
    return diag_list_count(diags, DIAG_ERROR) > errors ? -1 : 0;
}
