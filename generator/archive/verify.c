/* gongkai archive --verify: every entry of an archive re-read, hashed and
 * compared with manifest.json, years later, on any machine. */
#include "archive_internal.h"

#include "../util/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct verify_expect {
    const char *path;
    int64_t size;
    const char *sha256;
    bool seen;
} verify_expect;

typedef struct verify_state {
    const char *zip_path;
    diag_list *diags;
    archive_verify_result *res;
    verify_expect *v;
    size_t len;
} verify_state;

static void verify_problem(verify_state *st, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verify_problem(verify_state *st, const char *code, const char *fmt, ...)
{
    st->res->problems++;
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(st->diags, DIAG_ERROR, code, st->zip_path, 0, 0, fmt, ap);
    va_end(ap);
}

/* The entry `name` whole into *out. Returns 0, or -1 with libzip's message
 * in *err. */
static int verify_read(zip_t *za, zip_uint64_t index, buf *out, buf *err)
{
    zip_file_t *f = zip_fopen_index(za, index, 0);
    if (!f) {
        buf_puts(err, zip_strerror(za));
        return -1;
    }
    char chunk[65536];
    zip_int64_t n;
    while ((n = zip_fread(f, chunk, sizeof chunk)) > 0)
        buf_put(out, chunk, (size_t)n);
    if (n < 0)
        buf_puts(err, zip_file_strerror(f));
    zip_fclose(f);
    return n < 0 ? -1 : 0;
}

/* manifest.json's "files": path, size and sha256 of each. */
static int verify_manifest(verify_state *st, zip_t *za, arena *mem)
{
    buf text = BUF_INIT, err = BUF_INIT;
    zip_int64_t idx = zip_name_locate(za, ARCHIVE_MANIFEST_NAME, ZIP_FL_ENC_RAW);
    value *root = NULL;
    int rc = -1;
    if (idx < 0) {
        verify_problem(st, "GK806", "压缩包中没有 %s：不是 gongkai 建档的压缩包，无法核对",
                       ARCHIVE_MANIFEST_NAME);
    } else if (verify_read(za, (zip_uint64_t)idx, &text, &err) != 0) {
        verify_problem(st, "GK806", "%s 读不出来（%s）", ARCHIVE_MANIFEST_NAME, err.ptr);
    } else if (archive_json_parse(mem, buf_cstr(&text), text.len, &root, &err) != 0) {
        verify_problem(st, "GK806", "%s 不是有效的 JSON：%s", ARCHIVE_MANIFEST_NAME, err.ptr);
    } else {
        value *files = root->type == VALUE_TABLE ? value_table_get(root, "files") : NULL;
        if (!files || files->type != VALUE_ARRAY) {
            verify_problem(st, "GK806", "%s 中没有 files 列表", ARCHIVE_MANIFEST_NAME);
        } else {
            st->v = xcalloc(files->u.array.len + 1, sizeof *st->v);
            rc = 0;
            for (size_t i = 0; i < files->u.array.len; i++) {
                value *f = files->u.array.items[i];
                value *p = f->type == VALUE_TABLE ? value_table_get(f, "path") : NULL;
                value *size = f->type == VALUE_TABLE ? value_table_get(f, "size") : NULL;
                value *sha = f->type == VALUE_TABLE ? value_table_get(f, "sha256") : NULL;
                if (!p || p->type != VALUE_STRING || !size || size->type != VALUE_INTEGER || !sha ||
                    sha->type != VALUE_STRING) {
                    verify_problem(st, "GK806", "%s 的 files 中有一项缺少 path、size 或 sha256",
                                   ARCHIVE_MANIFEST_NAME);
                    rc = -1;
                    break;
                }
                st->v[st->len++] =
                    (verify_expect){p->u.str.ptr, size->u.integer, sha->u.str.ptr, false};
            }
        }
    }
    buf_free(&text);
    buf_free(&err);
    return rc;
}

static verify_expect *verify_find(verify_state *st, const char *name)
{
    for (size_t i = 0; i < st->len; i++)
        if (!st->v[i].seen && strcmp(st->v[i].path, name) == 0)
            return &st->v[i];
    return NULL;
}

/* Hash entry `index` as stored and compare it with the manifest. */
static void verify_entry(verify_state *st, zip_t *za, zip_uint64_t index, const char *name)
{
    verify_expect *e = verify_find(st, name);
    if (!e) {
        verify_problem(st, "GK806", "%s 不在 manifest.json 的清单中（是后来加进去的？）", name);
        return;
    }
    e->seen = true;
    zip_file_t *f = zip_fopen_index(za, index, 0);
    if (!f) {
        verify_problem(st, "GK806", "%s 打不开：%s", name, zip_strerror(za));
        return;
    }
    sha256_ctx c;
    sha256_init(&c);
    enum { CHUNK = 1 << 20 };
    char *chunk = xmalloc(CHUNK);
    uint64_t size = 0;
    zip_int64_t n;
    while ((n = zip_fread(f, chunk, CHUNK)) > 0) {
        sha256_update(&c, chunk, (size_t)n);
        size += (uint64_t)n;
    }
    free(chunk);
    if (n < 0) {
        verify_problem(st, "GK806", "%s 已损坏：%s", name, zip_file_strerror(f));
        zip_fclose(f);
        return;
    }
    zip_fclose(f);
    st->res->files++;
    unsigned char digest[SHA256_DIGEST_SIZE];
    char hex[SHA256_HEX_SIZE];
    sha256_final(&c, digest);
    sha256_hex(digest, hex);
    if (e->size >= 0 && (uint64_t)e->size == size && strcmp(hex, e->sha256) == 0)
        return;
    char detail[256];
    snprintf(detail, sizeof detail,
             "清单记录 %" PRId64 " 字节、SHA-256 %.16s…，实际 %" PRIu64 " 字节、SHA-256 %.16s…",
             e->size, e->sha256, size, hex);
    verify_problem(st, "GK805", "%s 与清单不符，已被改动：%s", name, detail);
}

int archive_verify(const char *path, archive_verify_result *res, diag_list *diags)
{
    memset(res, 0, sizeof *res);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        diag_add(diags, DIAG_ERROR, "GK801", path, 0, 0, "无法打开：%s", strerror(errno));
        return ARCHIVE_ERROR_IO;
    }
    fclose(probe);
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        diag_add(diags, DIAG_ERROR, "GK806", path, 0, 0, "不是完整的 zip 压缩包：%s",
                 zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return ARCHIVE_ERROR_CONTENT;
    }
    arena mem;
    arena_init(&mem);
    verify_state st = {path, diags, res, NULL, 0};
    int rc = 0;
    if (verify_manifest(&st, za, &mem) != 0) {
        rc = ARCHIVE_ERROR_CONTENT;
    } else {
        zip_int64_t n = zip_get_num_entries(za, 0);
        for (zip_int64_t i = 0; i < n; i++) {
            const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
            size_t len = name ? strlen(name) : 0;
            if (!name || strcmp(name, ARCHIVE_MANIFEST_NAME) == 0 || (len && name[len - 1] == '/'))
                continue; /* the manifest itself; folders have no content */
            verify_entry(&st, za, (zip_uint64_t)i, name);
        }
        for (size_t i = 0; i < st.len; i++)
            if (!st.v[i].seen)
                verify_problem(&st, "GK806", "清单中的 %s 不在压缩包中（被删掉了？）",
                               st.v[i].path);
    }
    zip_discard(za);
    free(st.v);
    arena_free(&mem);
    return rc;
}
