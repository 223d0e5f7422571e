/* Files as bytes for the tests of sealed caches and memos (they may hold
 * NULs): read whole, written whole, written sealed as the program writes
 * them (fields_seal). Included by each test program that needs them. */
#ifndef GK_TESTS_TEST_FILES_H
#define GK_TESTS_TEST_FILES_H

#include "../../generator/util/buf.h"
#include "../../generator/util/fields.h"

#include <stdio.h>
#include <stdlib.h>

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

#endif
