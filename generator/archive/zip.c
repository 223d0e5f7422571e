/* The deterministic zip writer: entries are collected and hashed first (the
 * manifest needs every digest), then written in one go, sorted by name, with
 * the same date, permissions and compression whatever the machine, the
 * clock or the umask. */
#include "archive_internal.h"

#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* Regular file, rw-r--r--, in the high half of the external attributes as
 * Info-ZIP writes them for Unix. */
#define ZIP_FILE_ATTRIBUTES (((zip_uint32_t)S_IFREG | 0644u) << 16)
#define ZIP_DEFLATE_LEVEL 9

void archive_zip_init(archive_zip *z)
{
    memset(z, 0, sizeof *z);
    arena_init(&z->mem);
}

void archive_zip_free(archive_zip *z)
{
    free(z->v);
    arena_free(&z->mem);
}

bool archive_zip_has(const archive_zip *z, const char *name)
{
    for (size_t i = 0; i < z->len; i++)
        if (strcmp(z->v[i].name, name) == 0)
            return true;
    return false;
}

static archive_entry *archive_zip_push(archive_zip *z, const char *name, const char *from)
{
    z->v = xgrow(z->v, &z->cap, z->len + 1, sizeof *z->v);
    archive_entry *e = &z->v[z->len++];
    memset(e, 0, sizeof *e);
    e->name = arena_strdup(&z->mem, name);
    e->from = from;
    return e;
}

void archive_zip_add_data(archive_zip *z, const char *name, const void *data, size_t len,
                          const char *from)
{
    archive_entry *e = archive_zip_push(z, name, from);
    char *copy = arena_alloc(&z->mem, len + 1);
    if (len)
        memcpy(copy, data, len);
    e->data = copy;
    e->size = len;
    sha256_hex_of(data, len, e->sha256);
}

int archive_zip_add_file(archive_zip *z, const char *name, const char *path, const char *from,
                         buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf_printf(err, "无法读取 %s：%s", path, strerror(errno));
        return -1;
    }
    sha256_ctx c;
    sha256_init(&c);
    enum { CHUNK = 1 << 20 };
    char *chunk = xmalloc(CHUNK);
    uint64_t size = 0;
    ssize_t n;
    while ((n = read(fd, chunk, CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        sha256_update(&c, chunk, (size_t)n);
        size += (uint64_t)n;
    }
    int saved = errno;
    close(fd);
    free(chunk);
    if (n < 0) {
        buf_printf(err, "无法读取 %s：%s", path, strerror(saved));
        return -1;
    }
    archive_entry *e = archive_zip_push(z, name, from);
    e->file = arena_strdup(&z->mem, path);
    e->size = size;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&c, digest);
    sha256_hex(digest, e->sha256);
    return 0;
}

static int archive_entry_cmp(const void *a, const void *b)
{
    return strcmp(((const archive_entry *)a)->name, ((const archive_entry *)b)->name);
}

/* Add entry e at the next index with the fixed date, permissions and
 * compression. Returns 0, or -1 (the libzip error is in za). */
static int archive_zip_put(zip_t *za, const archive_entry *e, zip_uint16_t dostime,
                           zip_uint16_t dosdate)
{
    zip_source_t *src = e->data ? zip_source_buffer(za, e->data, e->size, 0)
                                : zip_source_file(za, e->file, 0, -1 /* to the end */);
    if (!src)
        return -1;
    /* ZIP_FL_ENC_UTF_8: the name is UTF-8, so libzip sets the UTF-8 flag
     * (bit 11) for every name that is not plain ASCII. */
    zip_int64_t idx = zip_file_add(za, e->name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return -1;
    }
    zip_uint64_t i = (zip_uint64_t)idx;
    bool store = e->size > ARCHIVE_STORE_ABOVE;
    if (zip_set_file_compression(za, i, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 store ? 0 : ZIP_DEFLATE_LEVEL) != 0 ||
        zip_file_set_dostime(za, i, dostime, dosdate, 0) != 0 ||
        zip_file_set_external_attributes(za, i, 0, ZIP_OPSYS_UNIX, ZIP_FILE_ATTRIBUTES) != 0)
        return -1;
    return 0;
}

void archive_zip_sort(archive_zip *z)
{
    qsort(z->v, z->len, sizeof *z->v, archive_entry_cmp);
}

int archive_zip_write(archive_zip *z, const char *path, date stamp, buf *err)
{
    archive_zip_sort(z);
    /* MS-DOS date: years from 1980 in bits 9-15, month 5-8, day 0-4. The
     * time is 00:00:00: the archive says which day, not when it was made. */
    int year = stamp.year < 1980 ? 1980 : stamp.year > 2107 ? 2107 : stamp.year;
    zip_uint16_t dosdate = (zip_uint16_t)((year - 1980) << 9 | stamp.month << 5 | stamp.day);
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        buf_printf(err, "无法创建 %s：%s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }
    for (size_t i = 0; i < z->len; i++) {
        if (archive_zip_put(za, &z->v[i], 0, dosdate) != 0) {
            buf_printf(err, "无法把 %s 加入 %s：%s", z->v[i].name, path, zip_strerror(za));
            zip_discard(za);
            return -1;
        }
    }
    /* Writes every entry (reading the files now) into a temporary file
     * beside `path`, then renames it to `path`. */
    if (zip_close(za) != 0) {
        buf_printf(err, "无法写入 %s：%s", path, zip_strerror(za));
        zip_discard(za);
        return -1;
    }
    return 0;
}
