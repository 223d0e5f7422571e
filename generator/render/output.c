/* renameat2 and RENAME_EXCHANGE (Linux 3.15, glibc 2.28). */
#define _GNU_SOURCE
#include "output.h"
#include "output_list.h"

#include "../util/path.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int output_fail(buf *err, const char *what, const char *path)
{
    buf_printf(err, "%s %s：%s", what, path, strerror(errno));
    return -1;
}

int output_open(output *o, const char *target, buf *err)
{
    memset(o, 0, sizeof *o);
    o->target_fd = -1;
    arena_init(&o->mem);
    pthread_mutex_init(&o->lock, NULL);
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    buf_put(&o->target, target, len);
    struct stat st;
    o->update = stat(o->target.ptr, &st) == 0 && S_ISDIR(st.st_mode);
    /* Kept files are looked at from the target's folder: the kernel walks
     * the path to the target once, not once per file. A target it cannot
     * open keeps nothing: every page is written. */
    if (o->update)
        o->target_fd = open(o->target.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    buf_printf(&o->staging, "%s.tmp-%ld", o->target.ptr, (long)getpid());
    /* A staging tree of this pid is stale: a previous run's leftovers. */
    path_remove_tree(o->staging.ptr);
    if (mkdir(o->staging.ptr, 0777) != 0)
        return output_fail(err, "无法创建输出目录", o->staging.ptr);
    return 0;
}

/* Put a file of the new site on the list (`len` bytes of path). */
static void output_note_len(output *o, const char *path, size_t len, uint32_t staged)
{
    pthread_mutex_lock(&o->lock);
    o->written = xgrow(o->written, &o->written_cap, o->written_len + 1, sizeof *o->written);
    char *copy = arena_alloc_uninit(&o->mem, len + 1);
    memcpy(copy, path, len);
    copy[len] = '\0';
    o->written[o->written_len++] = (output_file){copy, staged};
    pthread_mutex_unlock(&o->lock);
}

static void output_note(output *o, const char *path, uint32_t staged)
{
    output_note_len(o, path, strlen(path), staged);
}

/* Make the folder that holds the file at `path`, and those above it that
 * are missing (down to `from`): the deepest first, so that a build, which
 * writes many files into each folder, asks once per folder rather than
 * once per folder above every file. Returns 0, or -1 with errno. */
static int output_parent_make(char *path, size_t from)
{
    char *slash = strrchr(path + from, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int rc = mkdir(path, 0777);
    if (rc != 0 && errno == ENOENT && output_parent_make(path, from) == 0)
        rc = mkdir(path, 0777);
    if (rc != 0 && errno == EEXIST)
        rc = 0;
    *slash = '/';
    return rc;
}

/* Move the staged file `old` to `to`, making the folders `to` needs (down
 * to `from`) when missing. Over a file that is there, the two names are
 * exchanged: as atomic for a reader as rename(2), whereas renaming over a
 * file makes ext4 write the new one out at once (auto_da_alloc), 65 us a
 * page, a second and more when a template edit replaces every item page.
 * The old file is left at the staging name and goes with that folder. */
static int output_rename(const char *old, char *to, size_t from)
{
    if (renameat2(AT_FDCWD, old, AT_FDCWD, to, RENAME_EXCHANGE) == 0 || rename(old, to) == 0)
        return 0;
    if (errno != ENOENT || output_parent_make(to, from) != 0)
        return -1;
    return rename(old, to);
}

static int output_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

/* Whether the file at `path` holds exactly data[0..len). */
static bool output_same_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
    char chunk[65536];
    for (size_t done = 0; same && done < len;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0 || (size_t)n > len - done || memcmp(chunk, data + done, (size_t)n) != 0)
            same = false;
        else
            done += (size_t)n;
    }
    close(fd);
    return same;
}

#define OUTPUT_INDEX "index.html"

/* The file a site path names: "/czj/" is czj/index.html. */
static const char *output_index(const char *site_path)
{
    return site_path[strlen(site_path) - 1] == '/' ? OUTPUT_INDEX : "";
}

int output_write(output *o, const char *site_path, const char *data, size_t len, buf *err)
{
    if (site_path[0] != '/' || strstr(site_path, "/../") || strstr(site_path, "//")) {
        buf_printf(err, "页面路径“%s”不合法（应以 / 开头，且不能含 ..）", site_path);
        return -1;
    }
    const char *index = output_index(site_path);
    buf path = BUF_INIT, old = BUF_INIT;
    int rc = 0;
    if (o->update) {
        buf_printf(&old, "%s%s%s", o->target.ptr, site_path, index);
        const char *rel = old.ptr + o->target.len + 1;
        if (output_same_file(old.ptr, data, len)) {
            output_note(o, rel, 0);
            o->unchanged++;
        } else {
            uint32_t staged = ++o->staged;
            buf_printf(&path, "%s/%" PRIu32, o->staging.ptr, staged);
            if (output_write_file(path.ptr, data, len) != 0)
                rc = output_fail(err, "无法写入", rel - 1);
            else
                output_note(o, rel, staged);
        }
    } else {
        buf_printf(&path, "%s%s%s", o->staging.ptr, site_path, index);
        /* A page's folder ("/czj/2025/a/": czj/2025/a/) is its own, so new
         * in a fresh site: made first, not found missing by an open. */
        if ((*index && output_parent_make(path.ptr, o->staging.len + 1) != 0) ||
            (output_write_file(path.ptr, data, len) != 0 &&
             (errno != ENOENT || output_parent_make(path.ptr, o->staging.len + 1) != 0 ||
              output_write_file(path.ptr, data, len) != 0)))
            rc = output_fail(err, "无法写入", path.ptr + o->staging.len);
        else
            output_note(o, path.ptr + o->staging.len + 1, ++o->staged);
    }
    if (rc == 0)
        o->files++;
    buf_free(&path);
    buf_free(&old);
    return rc;
}

/* The file of `site_path` in the site ("czj/index.html") into rel, which
 * holds PATH_MAX bytes. Returns its length, or 0 when it does not fit. */
static size_t output_rel(const char *site_path, char rel[PATH_MAX])
{
    size_t len = strlen(site_path + 1);
    bool index = site_path[len] == '/';
    size_t all = len + (index ? sizeof OUTPUT_INDEX - 1 : 0);
    if (all >= PATH_MAX)
        return 0;
    memcpy(rel, site_path + 1, len);
    if (index)
        memcpy(rel + len, OUTPUT_INDEX, sizeof OUTPUT_INDEX - 1);
    rel[all] = '\0';
    return all;
}

bool output_file_there(int dir, const char *site_path, size_t len)
{
    char rel[PATH_MAX];
    struct stat st;
    return dir >= 0 && output_rel(site_path, rel) &&
           fstatat(dir, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
           (size_t)st.st_size == len;
}

bool output_keepable(output *o, const char *site_path, size_t len)
{
    return output_file_there(o->target_fd, site_path, len);
}

void output_keep_many(output *o, const char *const *site_paths, size_t n)
{
    /* Under one lock: tens of thousands of kept pages, two or more threads. */
    pthread_mutex_lock(&o->lock);
    o->written = xgrow(o->written, &o->written_cap, o->written_len + n, sizeof *o->written);
    for (size_t i = 0; i < n; i++) {
        char rel[PATH_MAX];
        size_t len = output_rel(site_paths[i], rel);
        char *copy = arena_alloc_uninit(&o->mem, len + 1);
        memcpy(copy, rel, len + 1);
        o->written[o->written_len++] = (output_file){copy, 0};
    }
    pthread_mutex_unlock(&o->lock);
    o->files += n;
    o->unchanged += n;
}

void output_keep(output *o, const char *site_path)
{
    output_keep_many(o, &site_path, 1);
}

int output_copy_file(output *o, const char *from, const char *site_path, buf *err)
{
    buf data = BUF_INIT;
    int rc = buf_read_file(&data, from) != 0
                 ? output_fail(err, "无法复制", from)
                 : output_write(o, site_path, buf_cstr(&data), data.len, err);
    buf_free(&data);
    return rc;
}

/* Copy dir/rel (a folder) into the site at rel, sorted. */
static int output_copy_dir(output *o, const char *dir, const char *rel, buf *err)
{
    buf from = BUF_INIT, sub = BUF_INIT, data = BUF_INIT;
    buf_printf(&from, "%s%s", dir, rel);
    struct dirent **names;
    int n = scandir(from.ptr, &names, NULL, alphasort);
    int rc = 0;
    if (n < 0) {
        rc = errno == ENOENT && !*rel ? 0 : output_fail(err, "无法读取目录", from.ptr);
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == 0 && name[0] != '.') {
            buf_reset(&sub);
            buf_printf(&sub, "%s/%s", rel, name);
            buf_reset(&from);
            buf_printf(&from, "%s%s", dir, sub.ptr);
            struct stat st;
            buf_reset(&data);
            if (stat(from.ptr, &st) != 0)
                rc = output_fail(err, "无法读取", from.ptr);
            else if (S_ISDIR(st.st_mode))
                rc = output_copy_dir(o, dir, sub.ptr, err);
            else if (S_ISREG(st.st_mode))
                rc = output_copy_file(o, from.ptr, sub.ptr, err);
        }
        free(names[i]);
    }
    free(n ? names : NULL);
    buf_free(&from);
    buf_free(&sub);
    buf_free(&data);
    return rc;
}

int output_copy_tree(output *o, const char *dir, buf *err)
{
    return output_copy_dir(o, dir, "", err);
}

static int output_file_cmp(const void *a, const void *b)
{
    return strcmp(((const output_file *)a)->path, ((const output_file *)b)->path);
}

static bool output_in_site(const output *o, const char *path)
{
    output_file key = {(char *)path, false};
    return bsearch(&key, o->written, o->written_len, sizeof key, output_file_cmp) != NULL;
}

/* Remove what no page of the new site wrote from the folder `dir` (a path
 * in the target; `rel` its part after the target), and the folder when it
 * is left empty. Returns whether it is gone. */
static bool output_prune(output *o, buf *dir, size_t rel)
{
    DIR *d = opendir(dir->ptr);
    if (!d)
        return false;
    size_t len = dir->len, kept = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        buf_printf(dir, "/%s", e->d_name);
        /* The folder entry's own type spares a stat per file; some file
         * systems leave it unknown. */
        struct stat st;
        bool is_dir = e->d_type == DT_UNKNOWN ? lstat(dir->ptr, &st) == 0 && S_ISDIR(st.st_mode)
                                              : e->d_type == DT_DIR;
        if (is_dir)
            kept += !output_prune(o, dir, rel);
        else if (output_in_site(o, dir->ptr + rel) || unlink(dir->ptr) != 0)
            kept++;
        dir->ptr[dir->len = len] = '\0';
    }
    closedir(d);
    return kept == 0 && dir->len > rel && rmdir(dir->ptr) == 0;
}

/* Move the files written anew into the target, then remove the old ones:
 * those the previous build's list names, else by walking the target. */
static int output_update(output *o, buf *err)
{
    output_listed prev;
    bool listed = output_list_read(o, &prev) == 0;
    /* A rebuild that wrote the files the previous list names, and no
     * others, keeps that list as it is, true all along: nothing to sort,
     * remove or write. */
    bool same = listed && output_list_match(o, &prev);
    if (!same) {
        output_list_drop(o);
        qsort(o->written, o->written_len, sizeof *o->written, output_file_cmp);
    }
    /* The files written anew, moved in in path order. */
    output_file *staged = xmalloc((o->written_len + 1) * sizeof *staged);
    size_t staged_len = 0;
    for (size_t i = 0; i < o->written_len; i++)
        if (o->written[i].staged)
            staged[staged_len++] = o->written[i];
    qsort(staged, staged_len, sizeof *staged, output_file_cmp);
    buf from = BUF_INIT, to = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < staged_len && rc == 0; i++) {
        buf_reset(&from);
        buf_reset(&to);
        buf_printf(&from, "%s/%" PRIu32, o->staging.ptr, staged[i].staged);
        buf_printf(&to, "%s/%s", o->target.ptr, staged[i].path);
        if (output_rename(from.ptr, to.ptr, o->target.len + 1) != 0) {
            /* A folder where a file goes now, or a file where a folder
             * goes: the old one makes way. */
            path_remove_tree(to.ptr);
            for (char *s = strchr(to.ptr + o->target.len + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                struct stat st;
                if (lstat(to.ptr, &st) == 0 && !S_ISDIR(st.st_mode))
                    unlink(to.ptr);
                *s = '/';
            }
            if (output_rename(from.ptr, to.ptr, o->target.len + 1) != 0)
                rc = output_fail(err, "无法更新", to.ptr);
        }
    }
    free(staged);
    if (rc == 0) {
        buf_reset(&to);
        buf_puts(&to, o->target.ptr);
        if (listed)
            output_list_prune(o, &prev);
        else
            output_prune(o, &to, o->target.len + 1);
        path_remove_tree(o->staging.ptr);
        if (!same)
            output_list_save(o);
    }
    output_listed_free(&prev);
    buf_free(&from);
    buf_free(&to);
    return rc;
}

int output_commit(output *o, buf *err)
{
    if (o->update)
        return output_update(o, err);
    /* A list left from a folder of that name removed since is not this
     * site's. */
    if (o->list.len)
        unlink(o->list.ptr);
    if (rename(o->staging.ptr, o->target.ptr) != 0)
        return output_fail(err, "无法替换输出目录", o->target.ptr);
    qsort(o->written, o->written_len, sizeof *o->written, output_file_cmp);
    output_list_save(o);
    return 0;
}

void output_abort(output *o)
{
    if (o->staging.len)
        path_remove_tree(o->staging.ptr);
    output_free(o);
}

void output_free(output *o)
{
    buf_free(&o->target);
    buf_free(&o->staging);
    buf_free(&o->list);
    if (o->target_fd >= 0)
        close(o->target_fd);
    free(o->written);
    arena_free(&o->mem);
    pthread_mutex_destroy(&o->lock);
}

void output_link(const char *from, const char *to, buf *out)
{
    /* Skip the folders both paths share, climb out of the rest of `from`. */
    size_t common = 0;
    for (size_t i = 0; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i + 1;
    for (const char *p = from + common; *p; p++)
        if (*p == '/')
            buf_puts(out, "../");
    buf_puts(out, to + common);
    if (out->len == 0)
        buf_puts(out, "./");
}
