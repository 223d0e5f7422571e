/* The archive stage's parts: the JSON reader --verify trusts (escapes,
 * surrogate pairs, null, duplicates, depth, garbage), attachment paths
 * (what may and may not name a file beside the item), work folders of dead
 * runs swept, live ones kept, and the zip writer's order, dates,
 * permissions and UTF-8 flag read back through libzip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/archive/archive_internal.h"
#include "../../generator/util/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static value *parse(arena *mem, const char *text, buf *err)
{
    value *v = NULL;
    buf_reset(err);
    if (archive_json_parse(mem, text, strlen(text), &v, err) != 0)
        return NULL;
    return v;
}

static void test_json_values(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    buf err = BUF_INIT;
    value *v = parse(&mem,
                     "\xEF\xBB\xBF{\"a\": [1, -2.5e1, true, false, null, \"x\"], \"b\": null,\n"
                     " \"s\": \"\\u5e9f\\u6b62 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\", \"n\": {}}",
                     &err);
    assert_non_null(v);
    assert_int_equal(v->type, VALUE_TABLE);
    value *a = value_table_get(v, "a");
    assert_int_equal(a->type, VALUE_ARRAY);
    assert_int_equal(a->u.array.len, 5); /* null left out */
    assert_int_equal(a->u.array.items[0]->u.integer, 1);
    assert_true(a->u.array.items[1]->type == VALUE_FLOAT && a->u.array.items[1]->u.real == -25.0);
    assert_true(a->u.array.items[2]->u.boolean);
    assert_false(a->u.array.items[3]->u.boolean);
    assert_string_equal(a->u.array.items[4]->u.str.ptr, "x");
    assert_null(value_table_get(v, "b")); /* null: absent */
    assert_string_equal(value_table_get(v, "s")->u.str.ptr, "废止 😀 \"q\" \\ / \n");
    assert_int_equal(value_table_get(v, "n")->u.table.len, 0);
    buf_free(&err);
    arena_free(&mem);
}

static void test_json_refused(void **state)
{
    (void)state;
    arena mem;
    arena_init(&mem);
    buf err = BUF_INIT;
    static const char *const bad[] = {
        "",
        "{\"a\": 1, \"a\": 2}", /* a key twice */
        "{\"a\": 1,}",          /* trailing comma */
        "[1 2]",                /* no comma */
        "{a: 1}",               /* unquoted key */
        "\"\\ud83d\"",          /* lone surrogate */
        "\"\\x41\"",            /* no such escape */
        "\"tab\there\"",        /* raw control character */
        "\"\xff\"",             /* not UTF-8 */
        "01",                   /* leading zero */
        "1.",                   /* no fraction digits */
        "{} {}",                /* more after the value */
        "null",                 /* nothing at all */
        "[1, 2",                /* unclosed */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (parse(&mem, bad[i], &err))
            fail_msg("accepted: %s", bad[i]);
    char deep[201];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    assert_null(parse(&mem, deep, &err));
    assert_non_null(strstr(err.ptr, "嵌套太深"));
    assert_null(parse(&mem, "{\n  \"a\": tru\n}", &err));
    assert_non_null(strstr(err.ptr, "第 2 行"));
    buf_free(&err);
    arena_free(&mem);
}

static void test_attachment_paths(void **state)
{
    (void)state;
    content_str names[] = {
        {"附件1.pdf", 0, 0}, {"./sub/./图.png", 0, 0}, {"sub//a.txt", 0, 0}, {"../x.pdf", 0, 0},
        {"a/../../x", 0, 0}, {"/etc/passwd", 0, 0},    {"a\\b.pdf", 0, 0},   {"./", 0, 0},
        {"..foo/x", 0, 0},
    };
    content_item it = {.path = "content/baima/2025/zw.md"};
    it.attachments = (content_list){names, sizeof names / sizeof *names};
    static const char *const want[] = {
        "content/baima/2025/附件1.pdf",
        "content/baima/2025/sub/图.png",
        "content/baima/2025/sub/a.txt",
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        "content/baima/2025/..foo/x",
    };
    buf out = BUF_INIT;
    for (size_t i = 0; i < it.attachments.len; i++) {
        buf_reset(&out);
        int rc = archive_attachment_path(&it, i, &out);
        if (want[i]) {
            assert_int_equal(rc, 0);
            assert_string_equal(out.ptr, want[i]);
        } else if (rc != -1) {
            fail_msg("accepted %s as %s", names[i].s, buf_cstr(&out));
        }
    }
    buf_free(&out);
}

static void test_workdir_sweep(void **state)
{
    (void)state;
    char parent[] = "/tmp/gk-archive-unit-XXXXXX";
    assert_non_null(mkdtemp(parent));
    char dead[256], alive[256], other[256];
    /* pid_max is below 2^22 on Linux: this process cannot exist. */
    snprintf(dead, sizeof dead, "%s/.gongkai-tmp-%d", parent, 9999999);
    snprintf(alive, sizeof alive, "%s/.gongkai-tmp-%ld", parent, (long)getppid());
    snprintf(other, sizeof other, "%s/.gongkai-tmp-x", parent);
    assert_int_equal(mkdir(dead, 0700), 0);
    char inner[300];
    snprintf(inner, sizeof inner, "%s/site", dead);
    assert_int_equal(mkdir(inner, 0700), 0);
    assert_int_equal(mkdir(alive, 0700), 0);
    assert_int_equal(mkdir(other, 0700), 0);
    buf work = BUF_INIT, err = BUF_INIT;
    assert_int_equal(archive_workdir_open(parent, &work, &err), 0);
    struct stat st;
    assert_int_equal(stat(work.ptr, &st), 0);
    assert_int_not_equal(stat(dead, &st), 0); /* its process is gone */
    assert_int_equal(stat(alive, &st), 0);    /* a run still at work */
    assert_int_equal(stat(other, &st), 0);    /* not a work folder name */
    path_remove_tree(parent);
    assert_int_not_equal(stat(parent, &st), 0);
    buf_free(&work);
    buf_free(&err);
}

static void test_zip_written(void **state)
{
    (void)state;
    char dir[] = "/tmp/gk-archive-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[256], zpath[256];
    snprintf(file, sizeof file, "%s/on-disk.txt", dir);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fputs("from a file\n", f);
    fclose(f);
    snprintf(zpath, sizeof zpath, "%s/t.zip", dir);
    archive_zip z;
    archive_zip_init(&z);
    archive_zip_add_data(&z, "z.txt", "last", 4, ARCHIVE_FROM_GENERATED);
    archive_zip_add_data(&z, "content/附件.txt", "中文", strlen("中文"), ARCHIVE_FROM_COMMIT);
    buf err = BUF_INIT;
    assert_int_equal(archive_zip_add_file(&z, "a.txt", file, ARCHIVE_FROM_WORKING_TREE, &err), 0);
    assert_true(archive_zip_has(&z, "a.txt"));
    char want[SHA256_HEX_SIZE];
    sha256_hex_of("from a file\n", 12, want);
    assert_int_equal(z.v[2].size, 12);
    assert_string_equal(z.v[2].sha256, want);
    assert_int_equal(archive_zip_write(&z, zpath, (date){2025, 9, 30}, &err), 0);
    archive_zip_free(&z);

    int zerr;
    zip_t *za = zip_open(zpath, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 3);
    static const char *const order[] = {"a.txt", "content/附件.txt", "z.txt"};
    for (zip_uint64_t i = 0; i < 3; i++) {
        assert_string_equal(zip_get_name(za, i, ZIP_FL_ENC_RAW), order[i]);
        zip_stat_t st;
        assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
        struct tm tm;
        localtime_r(&st.mtime, &tm);
        assert_int_equal(tm.tm_year + 1900, 2025);
        assert_int_equal(tm.tm_mon + 1, 9);
        assert_int_equal(tm.tm_mday, 30);
        assert_int_equal(tm.tm_hour, 0);
        zip_uint8_t opsys;
        zip_uint32_t attrs;
        assert_int_equal(zip_file_get_external_attributes(za, i, 0, &opsys, &attrs), 0);
        assert_int_equal(opsys, ZIP_OPSYS_UNIX);
        assert_int_equal(attrs >> 16, 0100644);
    }
    zip_close(za);
    /* The UTF-8 flag (bit 11) on the Chinese name, straight from the
     * central directory: its general purpose flags at offset 8. */
    f = fopen(zpath, "rb");
    assert_non_null(f);
    static char data[4096];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    bool seen = false;
    for (size_t i = 0; i + 46 < n; i++) {
        if (memcmp(data + i, "PK\1\2", 4) != 0)
            continue;
        unsigned flags = (unsigned char)data[i + 8] | (unsigned char)data[i + 9] << 8;
        bool chinese = memcmp(data + i + 46, "content/", 8) == 0;
        assert_int_equal((flags & 0x800) != 0, chinese);
        seen = seen || chinese;
    }
    assert_true(seen);
    archive_zip_init(&z);
    assert_int_equal(archive_zip_add_file(&z, "x", "/nonexistent/file", "", &err), -1);
    assert_int_equal(z.len, 0);
    archive_zip_free(&z);
    path_remove_tree(dir);
    buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_values),      cmocka_unit_test(test_json_refused),
        cmocka_unit_test(test_attachment_paths), cmocka_unit_test(test_workdir_sweep),
        cmocka_unit_test(test_zip_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
