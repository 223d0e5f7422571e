/* Files as bytes for the tests of sealed caches and memos (they may hold
 * NULs): read whole, written whole, written sealed as the program writes
 * them (fields_seal). Included by each test program that needs them. */
#ifndef GK_TESTS_TEST_FILES_H
#define GK_TESTS_TEST_FILES_H

#include "../../generator/util/buf.h"
#include "../../generator/util/fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file at path, NUL-terminated (*len without the NUL); NULL when absent. */
static char *test_file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(*len + 1);
    assert_int_equal(fread(data, 1, *len, f), *len);
    data[*len] = '\0';
    fclose(f);
    return data;
}

static void test_file_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* data[0..len) and its checksum (fields_seal), as a memo or cache ends. */
static void test_file_write_sealed(const char *path, const char *data, size_t len)
{
    buf out = BUF_INIT;
    buf_put(&out, data, len);
    fields_seal(&out);
    test_file_write(path, out.ptr, out.len);
    buf_free(&out);
}

/* Every value of the memo map (util/memo.h) in file `path` made `to` (16
 * hex digits), sealed again as if a run had written it. */
static inline void test_memo_values_set(const char *path, const char *to)
{
    size_t len = 0;
    char *data = test_file_read(path, &len);
    assert_non_null(data);
    fields_reader r;
    fields_reader_init(&r, data, len - 17);
    fields_next(&r); /* magic */
    fields_next(&r); /* version */
    uint64_t count = fields_number(&r, 10);
    assert_true(count > 0);
    for (uint64_t i = 0; i < count; i++) {
        fields_next(&r); /* key */
        char *v = (char *)fields_next(&r);
        assert_int_equal(strlen(v), 16);
        memcpy(v, to, 16);
    }
    assert_false(r.bad);
    test_file_write_sealed(path, data, len - 17);
    free(data);
}

#endif
