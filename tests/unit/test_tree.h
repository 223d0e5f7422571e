/* Sites made on disk for a test: files written under a root with the
 * folders they need, and a whole tree removed again. Included by each test
 * program that needs them. */
#ifndef GK_TESTS_TEST_TREE_H
#define GK_TESTS_TEST_TREE_H

#include "../../generator/util/buf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* root/rel holding data[0..len), its folders made as needed. */
static inline void test_tree_write(const char *root, const char *rel, const void *data, size_t len)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", root, rel);
    for (char *p = path.ptr + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path.ptr, 0755);
        *p = '/';
    }
    FILE *f = fopen(path.ptr, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    buf_free(&path);
}

static inline void test_tree_write_text(const char *root, const char *rel, const char *text)
{
    test_tree_write(root, rel, text, strlen(text));
}

/* Remove `name` (relative to the folder open on dfd, or AT_FDCWD) and
 * everything under it; links are removed, not followed. */
static inline void test_tree_remove(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        struct dirent *de;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                test_tree_remove(dirfd(d), de->d_name);
        closedir(d);
        unlinkat(dfd, name, AT_REMOVEDIR);
    } else {
        unlinkat(dfd, name, 0);
    }
}

#endif
