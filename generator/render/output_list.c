#include "output_list.h"
#include "../util/path_index.h"

#include "../util/atomic.h"
#include "../util/fields.h"
#include "../util/hash.h"
#include "../util/path.h"
#include "../util/xalloc.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST_MAGIC "GKFILES1"
/* Site paths are a few folders deep; a deeper one is doubt enough to walk. */
#define LIST_DEPTH 32

void output_list_use(output *o, const char *list_path)
{
    buf_reset(&o->list);
    buf_puts(&o->list, list_path);
}

/* The output folder as the list names it: its real path. */
static char *list_key(const output *o)
{
    return realpath(o->target.ptr, NULL);
}

/* Whether `path` names a file inside the site and nothing else: relative,
 * each part neither empty, "." nor "..", at most LIST_DEPTH parts. */
static bool list_path_plain(const char *path)
{
    size_t parts = 0;
    for (const char *s = path;; s++) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') ||
            ++parts > LIST_DEPTH)
            return false;
        if (!slash)
            return true;
        s = slash;
    }
}

static int list_read(output *o, output_listed *prev)
{
    if (buf_read_file(&prev->data, o->list.ptr) != 0)
        return -1;
    fields_reader r;
    fields_reader_init(&r, prev->data.ptr, prev->data.len);
    const char *magic = fields_next(&r), *key = fields_next(&r);
    uint64_t n = fields_number(&r, 10);
    char *real = list_key(o);
    /* Each path takes two bytes at least: a larger count is a damaged one. */
    bool ok = !r.bad && strcmp(magic, LIST_MAGIC) == 0 && real && strcmp(key, real) == 0 &&
              n <= prev->data.len / 2;
    free(real);
    if (!ok)
        return -1;
    prev->paths = xcalloc(n ? n : 1, sizeof *prev->paths);
    for (prev->len = 0; prev->len < n; prev->len++) {
        const char *path = fields_next(&r);
        if (r.bad || !list_path_plain(path) ||
            (prev->len && strcmp(prev->paths[prev->len - 1], path) >= 0))
            return -1;
        prev->paths[prev->len] = path;
    }
    const char *body_end = r.p, *sum = fields_next(&r);
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64,
             hash64_block(prev->data.ptr, (size_t)(body_end - prev->data.ptr)));
    return !r.bad && r.p == r.end && strcmp(sum, want) == 0 ? 0 : -1;
}

int output_list_read(output *o, output_listed *prev)
{
    memset(prev, 0, sizeof *prev);
    return o->list.len ? list_read(o, prev) : -1;
}

void output_list_drop(output *o)
{
    if (o->list.len)
        unlink(o->list.ptr);
}

void output_listed_free(output_listed *prev)
{
    buf_free(&prev->data);
    free(prev->paths);
    free(prev->written);
}

bool output_list_match(const output *o, output_listed *prev)
{
    prev->written = xcalloc(prev->len + 1, sizeof *prev->written);
    path_index index;
    path_index_build(&index, prev->paths, prev->len);
    bool others = false;
    size_t found = 0;
    for (size_t i = 0; i < o->written_len; i++) {
        long at = path_index_find(&index, o->written[i].path);
        if (at < 0)
            others = true;
        else if (!prev->written[at]) {
            prev->written[at] = true;
            found++;
        }
    }
    path_index_free(&index);
    return !others && found == prev->len;
}

/* Remove the regular file at `path` (plain) under the folder `root`, going
 * down folder by folder without following a link, then each folder above
 * it that is left empty. */
static void list_remove(int root, const char *path)
{
    char copy[4096];
    if (strlen(path) >= sizeof copy)
        return;
    strcpy(copy, path);
    char *part[LIST_DEPTH];
    int fd[LIST_DEPTH];
    size_t parts = 0, opened = 0;
    for (char *s = copy; s && parts < LIST_DEPTH; parts++) {
        part[parts] = s;
        s = strchr(s, '/');
        if (s)
            *s++ = '\0';
    }
    fd[0] = root;
    while (opened + 1 < parts) {
        int sub = openat(fd[opened], part[opened], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            break;
        fd[++opened] = sub;
    }
    struct stat st;
    if (opened + 1 == parts && fstatat(fd[opened], part[opened], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode) && unlinkat(fd[opened], part[opened], 0) == 0)
        for (size_t i = opened; i > 0 && unlinkat(fd[i - 1], part[i - 1], AT_REMOVEDIR) == 0; i--)
            ;
    for (size_t i = 1; i <= opened; i++)
        close(fd[i]);
}

void output_list_prune(output *o, const output_listed *prev)
{
    int root = open(o->target.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return;
    for (size_t i = 0; i < prev->len; i++)
        if (!prev->written[i])
            list_remove(root, prev->paths[i]);
    close(root);
}

void output_list_save(output *o)
{
    char *real = list_key(o);
    if (!o->list.len || !real) {
        free(real);
        return;
    }
    buf data = BUF_INIT, err = BUF_INIT;
    fields_put(&data, LIST_MAGIC);
    fields_put(&data, real);
    size_t n = 0;
    for (size_t i = 0; i < o->written_len; i++)
        n += !i || strcmp(o->written[i - 1].path, o->written[i].path) != 0;
    fields_put_number(&data, n);
    for (size_t i = 0; i < o->written_len; i++)
        if (!i || strcmp(o->written[i - 1].path, o->written[i].path) != 0)
            fields_put(&data, o->written[i].path);
    fields_put_hex(&data, hash64_block(data.ptr, data.len));
    char *slash = strrchr(o->list.ptr, '/');
    if (slash && slash != o->list.ptr) {
        *slash = '\0';
        path_mkdirs(o->list.ptr);
        *slash = '/';
    }
    /* Not flushed to disk: the checksum above tells a list a power failure
     * cut short, which is then not used (the folder is walked instead). */
    atomic_replace(o->list.ptr, data.ptr, data.len, &err);
    free(real);
    buf_free(&data);
    buf_free(&err);
}
