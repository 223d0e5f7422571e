/* util/memo: a map of 64-bit keys to values kept in a sealed file; read
 * back as written, written only when it changed, and ignored whole when the
 * file is damaged, cut short, another memo's or another version's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/build.h"
#include "../../generator/util/memo.h"
#include "test_files.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "gongkai-test-memo/1"

static char dir[64], path[96];

static int memo_setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gk-memo-map-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    /* In a folder the save makes. */
    snprintf(path, sizeof path, "%s/.gongkai/test.cache", dir);
    return 0;
}

static int memo_teardown(void **state)
{
    (void)state;
    unlink(path);
    snprintf(path, sizeof path, "%s/.gongkai", dir);
    rmdir(path);
    return rmdir(dir);
}

static const memo_record records[] = {
    {0x0123456789abcdefULL, 1}, {0xfedcba9876543210ULL, 0xffffffffffffffffULL}, {42, 0}, {7, 3}};
#define RECORDS (sizeof records / sizeof records[0])

static void save(const memo_record *recs, size_t n)
{
    memo_map *m = memo_map_open(path, MAGIC);
    memo_map_keep(m, recs, n);
    memo_map_save(m);
    memo_map_free(m);
}

/* Every record of `recs` is found with its value, and `absent` is not. */
static void assert_holds(const char *magic, const memo_record *recs, size_t n, uint64_t absent)
{
    memo_map *m = memo_map_open(path, magic);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = 99;
        assert_true(memo_map_find(m, recs[i].key, &v));
        assert_true(v == recs[i].value);
    }
    uint64_t v;
    assert_false(memo_map_find(m, absent, &v));
    memo_map_free(m);
}

static void assert_empty(const char *magic)
{
    memo_map *m = memo_map_open(path, magic);
    uint64_t v;
    for (size_t i = 0; i < RECORDS; i++)
        assert_false(memo_map_find(m, records[i].key, &v));
    memo_map_free(m);
}

static void test_round_trip(void **state)
{
    (void)state;
    assert_empty(MAGIC); /* no file yet */
    save(records, RECORDS);
    assert_holds(MAGIC, records, RECORDS, 8);
    assert_false(memo_map_find(NULL, 42, &(uint64_t){0}));
    memo_map_save(NULL);
    memo_map_free(NULL);
}

/* The same records again leave the file as it was; others replace it. */
static void test_written_when_changed(void **state)
{
    (void)state;
    save(records, RECORDS);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    save(records, RECORDS);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    save(records + 1, 2);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino != after.st_ino);
    assert_holds(MAGIC, records + 1, 2, records[0].key);
    save(NULL, 0);
    assert_empty(MAGIC);
}

/* A key twice is found at its first record. */
static void test_first_record_wins(void **state)
{
    (void)state;
    const memo_record twice[] = {{5, 1}, {6, 2}, {5, 3}};
    save(twice, 3);
    memo_map *m = memo_map_open(path, MAGIC);
    uint64_t v = 0;
    assert_true(memo_map_find(m, 5, &v));
    assert_true(v == 1);
    memo_map_free(m);
}

/* A file of any magic: its records and its magic; written under another
 * magic, the same records are written again (the magic changed). */
static void test_any_magic(void **state)
{
    (void)state;
    buf found = BUF_INIT;
    memo_map *m = memo_map_open_any(path, &found);
    assert_string_equal(found.ptr, ""); /* no file yet */
    memo_map_free(m);
    save(records, RECORDS);
    m = memo_map_open_any(path, &found);
    assert_string_equal(found.ptr, MAGIC);
    uint64_t v = 0;
    assert_true(memo_map_find(m, 42, &v) && v == 0);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    memo_map_magic_set(m, MAGIC); /* the same: nothing to write */
    memo_map_keep(m, records, RECORDS);
    memo_map_save(m);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    memo_map_magic_set(m, "gongkai-test-memo/2");
    assert_true(memo_map_find(m, 7, &v) && v == 3);
    memo_map_keep(m, records, RECORDS);
    memo_map_save(m);
    memo_map_free(m);
    assert_empty(MAGIC);
    assert_holds("gongkai-test-memo/2", records, RECORDS, 8);
    buf_free(&found);
}

/* A sealed file of one record, key `key` and value 3, that says it was
 * written by `version` and holds `count` records. */
static void sealed_write(const char *version, const char *count, const char *key)
{
    buf body = BUF_INIT;
    buf_printf(&body, "%s%c%s%c%s%c%s%c0000000000000003%c", MAGIC, 0, version, 0, count, 0, key, 0,
               0);
    test_file_write_sealed(path, body.ptr, body.len);
    buf_free(&body);
}

static void test_unusable_files_ignored(void **state)
{
    (void)state;
    save(records, RECORDS);
    size_t len = 0;
    char *good = test_file_read(path, &len);
    assert_non_null(good);

    assert_empty("gongkai-other-memo/1"); /* another memo's */

    for (size_t at = 0; at < len; at += 7) { /* any byte changed */
        char *bad = malloc(len);
        memcpy(bad, good, len);
        bad[at] ^= 0x20;
        test_file_write(path, bad, len);
        assert_empty(MAGIC);
        free(bad);
    }
    for (size_t cut = 0; cut < len; cut += 11) { /* cut short */
        test_file_write(path, good, cut);
        assert_empty(MAGIC);
    }

    /* Sealed, but written by another version or with a bad record. */
    sealed_write("0.0.0-other", "1", "0000000000000007");
    assert_empty(MAGIC);
    sealed_write(build_version(), "1", "000000000000007");
    assert_empty(MAGIC);
    sealed_write(build_version(), "2", "0000000000000007");
    assert_empty(MAGIC);
    /* The same, well formed, is read. */
    sealed_write(build_version(), "1", "0000000000000007");
    assert_holds(MAGIC, &(memo_record){7, 3}, 1, 8);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, memo_setup, memo_teardown),
        cmocka_unit_test_setup_teardown(test_written_when_changed, memo_setup, memo_teardown),
        cmocka_unit_test_setup_teardown(test_first_record_wins, memo_setup, memo_teardown),
        cmocka_unit_test_setup_teardown(test_any_magic, memo_setup, memo_teardown),
        cmocka_unit_test_setup_teardown(test_unusable_files_ignored, memo_setup, memo_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
