/* The output tree's list of the site's files (render/output_list.h): a
 * build writes it beside the site, the next build removes exactly the listed
 * files it did not write and the folders that leaves empty, and leaves a
 * file put there by hand. A list cut short, damaged, of another output
 * folder, or naming a path with "..", an absolute path, a path through a
 * link or a folder is never followed into a wrong deletion: the build walks
 * the site instead, or leaves the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/output.h"
#include "../../generator/util/path_index.h"
#include "../../generator/util/buf.h"
#include "../../generator/util/fields.h"
#include "../../generator/util/hash.h"
#include "../../generator/util/path.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char out[128];
static char list[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gk-output-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(out, sizeof out, "%s/public", dir);
    snprintf(list, sizeof list, "%s/.gongkai/items.files", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return path_remove_tree(dir);
}

static bool exists(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    return lstat(path, &st) == 0;
}

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    assert_int_equal(path_mkdirs(path), 0);
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Whether `data` holds the field `s` (with its NUL). */
static bool has_field(const buf *data, const char *s)
{
    size_t n = strlen(s) + 1;
    for (size_t i = 0; i + n <= data->len; i++)
        if (memcmp(data->ptr + i, s, n) == 0 && (i == 0 || data->ptr[i - 1] == '\0'))
            return true;
    return false;
}

/* One build of the site paths in `pages` (NULL-ended), with the list. */
static void build(const char *const *pages)
{
    output o;
    buf err = BUF_INIT;
    assert_int_equal(output_open(&o, out, &err), 0);
    output_list_use(&o, list);
    for (size_t i = 0; pages[i]; i++)
        assert_int_equal(output_write(&o, pages[i], pages[i], strlen(pages[i]), &err), 0);
    assert_int_equal(output_commit(&o, &err), 0);
    output_free(&o);
    buf_free(&err);
}

/* A list in the format output_list.h gives, for the folder `key`. */
static void write_list(const char *key, const char *const *paths)
{
    buf data = BUF_INIT;
    size_t n = 0;
    while (paths[n])
        n++;
    char field[32];
    buf_put(&data, "GKFILES1", 9);
    buf_put(&data, key, strlen(key) + 1);
    snprintf(field, sizeof field, "%zu", n);
    buf_put(&data, field, strlen(field) + 1);
    for (size_t i = 0; i < n; i++)
        buf_put(&data, paths[i], strlen(paths[i]) + 1);
    snprintf(field, sizeof field, "%016" PRIx64, hash64_block(data.ptr, data.len));
    buf_put(&data, field, strlen(field) + 1);
    FILE *f = fopen(list, "wb");
    assert_non_null(f);
    fwrite(data.ptr, 1, data.len, f);
    fclose(f);
    buf_free(&data);
}

static const char *const first[] = {"/", "/a/b/c/", "/a/b/d.xml", "/x/", NULL};
static const char *const second[] = {"/", "/x/", NULL};

/* The list is written beside the site, not in it, and names what was
 * written; the next build removes what it no longer writes by it, with the
 * folders left empty, and leaves a file put in by hand. */
static void test_round_trip(void **state)
{
    (void)state;
    build(first);
    assert_true(exists(".gongkai/items.files"));
    buf data = BUF_INIT;
    assert_int_equal(buf_read_file(&data, list), 0);
    assert_memory_equal(data.ptr, "GKFILES1", 9);
    assert_true(has_field(&data, "a/b/c/index.html"));
    assert_true(has_field(&data, "a/b/d.xml"));
    buf_free(&data);
    put("public/hand/note.txt", "by hand");
    build(second);
    assert_false(exists("public/a"));
    assert_true(exists("public/x/index.html"));
    assert_true(exists("public/index.html"));
    assert_true(exists("public/hand/note.txt"));
    /* A build writing the same list again keeps it usable. */
    build(first);
    build(second);
    assert_false(exists("public/a"));
    assert_true(exists("public/hand/note.txt"));
}

/* Without a list, or with one that does not read whole, the build walks:
 * the file put in by hand goes too, as every file no page wrote. */
static void test_damaged(void **state)
{
    (void)state;
    build(first);
    buf data = BUF_INIT;
    assert_int_equal(buf_read_file(&data, list), 0);
    struct {
        const char *what;
        size_t len;
        size_t flip; /* a byte to change; 0: none */
    } cases[] = {{"cut short", data.len / 2, 0},
                 {"a path changed", data.len, data.len - 30},
                 {"empty", 0, 0},
                 {"missing", SIZE_MAX, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        build(first);
        put("public/hand/note.txt", "by hand");
        unlink(list);
        if (cases[i].len != SIZE_MAX) {
            char *bytes = malloc(data.len + 1);
            memcpy(bytes, data.ptr, data.len);
            if (cases[i].flip)
                bytes[cases[i].flip] ^= 1;
            FILE *f = fopen(list, "wb");
            fwrite(bytes, 1, cases[i].len, f);
            fclose(f);
            free(bytes);
        }
        build(second);
        assert_false(exists("public/a"));
        assert_false(exists("public/hand"));
        assert_true(exists("public/x/index.html"));
    }
    buf_free(&data);
}

/* A list of another output folder is not this one's: walk. The same list
 * for this folder is followed. */
static void test_foreign(void **state)
{
    (void)state;
    const char *const listed[] = {"a/b/c/index.html", "a/b/d.xml", "index.html", "x/index.html",
                                  NULL};
    char real[PATH_MAX];
    build(first);
    put("public/hand/note.txt", "by hand");
    assert_non_null(realpath(out, real));
    write_list(real, listed);
    build(second);
    assert_false(exists("public/a"));
    assert_true(exists("public/hand/note.txt"));

    build(first);
    char other[160];
    snprintf(other, sizeof other, "%s/elsewhere", dir);
    write_list(other, listed);
    build(second);
    assert_false(exists("public/a"));
    assert_false(exists("public/hand"));
}

/* Paths with "..", absolute paths, paths through a link or naming a folder
 * are never removed: a list with the first two is not used at all. */
static void test_never_outside(void **state)
{
    (void)state;
    build(first);
    char real[PATH_MAX], victim[PATH_MAX + 16];
    assert_non_null(realpath(out, real));
    put("victim.txt", "keep");
    put("public/hand/note.txt", "by hand");
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    write_list(real, (const char *const[]){"../victim.txt", "index.html", NULL});
    build(first);
    assert_true(exists("victim.txt"));
    assert_false(exists("public/hand"));

    put("public/hand/note.txt", "by hand");
    write_list(real, (const char *const[]){victim, "index.html", NULL});
    build(first);
    assert_true(exists("victim.txt"));
    assert_false(exists("public/hand"));

    write_list(real, (const char *const[]){"a/./b/d.xml", NULL});
    build(second);
    assert_false(exists("public/a"));

    /* A link in the site to a folder outside, and a folder where the list
     * says a file was: neither is followed nor removed. */
    put("outside/f.html", "keep");
    char link[PATH_MAX + 16];
    snprintf(link, sizeof link, "%s/link", real);
    assert_int_equal(symlink("../outside", link), 0);
    put("public/folder/kept.txt", "by hand");
    write_list(real, (const char *const[]){"folder", "index.html", "link/f.html", NULL});
    build(second);
    assert_true(exists("outside/f.html"));
    assert_true(exists("public/link"));
    assert_true(exists("public/folder/kept.txt"));
}

/* A rebuild keeps a file only when it is there, a regular file (a link is
 * not followed) of the size the cache says; keeping every file and writing
 * none leaves the list as it was, byte for byte, and the files in place. */
static void test_keep(void **state)
{
    (void)state;
    build(first);
    buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
    assert_int_equal(buf_read_file(&before, list), 0);
    char real[PATH_MAX], link[PATH_MAX + 16];
    assert_non_null(realpath(out, real));
    snprintf(link, sizeof link, "%s/x/index.html", real);
    unlink(link);
    assert_int_equal(symlink("../index.html", link), 0);

    output o;
    assert_int_equal(output_open(&o, out, &err), 0);
    output_list_use(&o, list);
    assert_true(output_keepable(&o, "/", 1));
    assert_false(output_keepable(&o, "/", 2));
    assert_true(output_keepable(&o, "/a/b/c/", strlen("/a/b/c/")));
    assert_true(output_keepable(&o, "/a/b/d.xml", strlen("/a/b/d.xml")));
    assert_false(output_keepable(&o, "/a/b/", strlen("/a/b/"))); /* no such file */
    assert_false(output_keepable(&o, "/x/", 3)); /* a link, though to a file of that size */
    /* One, then the rest at once. */
    output_keep(&o, first[0]);
    size_t rest = 0;
    while (first[1 + rest])
        rest++;
    output_keep_many(&o, first + 1, rest);
    assert_int_equal(o.files, 1 + rest);
    assert_int_equal(output_commit(&o, &err), 0);
    assert_int_equal(o.unchanged, 4);
    output_free(&o);
    assert_int_equal(buf_read_file(&after, list), 0);
    assert_int_equal(after.len, before.len);
    assert_memory_equal(after.ptr, before.ptr, before.len);
    assert_true(exists("public/a/b/c/index.html"));

    /* Keeping some, writing one anew and dropping one: the list is the
     * new site's, sorted, and the dropped file goes. */
    assert_int_equal(output_open(&o, out, &err), 0);
    output_list_use(&o, list);
    output_keep(&o, "/a/b/d.xml");
    output_keep(&o, "/");
    assert_int_equal(output_write(&o, "/new/", "n", 1, &err), 0);
    assert_int_equal(output_commit(&o, &err), 0);
    output_free(&o);
    assert_false(exists("public/a/b/c/index.html"));
    assert_true(exists("public/new/index.html"));
    buf_reset(&after);
    assert_int_equal(buf_read_file(&after, list), 0);
    fields_reader r;
    fields_reader_init(&r, after.ptr, after.len);
    assert_string_equal(fields_next(&r), "GKFILES1");
    assert_string_equal(fields_next(&r), real);
    assert_true(fields_number(&r, 10) == 3);
    assert_string_equal(fields_next(&r), "a/b/d.xml");
    assert_string_equal(fields_next(&r), "index.html");
    assert_string_equal(fields_next(&r), "new/index.html");
    buf_free(&before);
    buf_free(&after);
    buf_free(&err);
}

/* The bytes of the site's file `rel` ("public/x/index.html"). */
static const char *text_of(const char *rel, buf *b)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    buf_reset(b);
    return buf_read_file(b, path) == 0 ? buf_cstr(b) : NULL;
}

static ino_t inode_of(const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return lstat(path, &st) == 0 ? st.st_ino : 0;
}

/* Whether `dir` holds a staging folder (public.tmp-<pid>). */
static bool staging_left(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/public.tmp-%ld", dir, (long)getpid());
    struct stat st;
    return lstat(path, &st) == 0;
}

/* How many folders the staging folder holds. */
static int staging_folders(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/public.tmp-%ld", dir, (long)getpid());
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* A rebuild stages what it writes anew, with no folder made for it, and
 * moves it in only at the commit:
 * an unchanged file keeps its inode, a changed one gets its new bytes, a
 * page in a new folder gets the folder, a file gives way to a folder and a
 * folder to a file; an aborted rebuild leaves the old site as it was. */
static void test_update(void **state)
{
    (void)state;
    static const char *const pages[] = {"/", "/a/", "/a/b/", "/f", NULL};
    build(pages);
    ino_t root = inode_of("public/index.html");
    buf b = BUF_INIT, err = BUF_INIT;
    output o;

    assert_int_equal(output_open(&o, out, &err), 0);
    output_list_use(&o, list);
    assert_int_equal(output_write(&o, "/", "/", 1, &err), 0);
    assert_int_equal(output_write(&o, "/a/", "changed", 7, &err), 0);
    assert_int_equal(output_write(&o, "/n/m/", "new", 3, &err), 0);
    output_abort(&o);
    assert_false(staging_left());
    assert_string_equal(text_of("public/a/index.html", &b), "/a/");
    assert_false(exists("public/n"));

    assert_int_equal(output_open(&o, out, &err), 0);
    output_list_use(&o, list);
    assert_int_equal(output_write(&o, "/", "/", 1, &err), 0);
    assert_int_equal(output_write(&o, "/a/", "changed", 7, &err), 0);
    assert_int_equal(output_write(&o, "/n/m/", "new", 3, &err), 0);
    assert_int_equal(output_write(&o, "/a/b", "file now", 8, &err), 0);
    assert_int_equal(output_write(&o, "/f/g.txt", "folder now", 10, &err), 0);
    assert_int_equal(o.unchanged, 1);
    assert_int_equal(staging_folders(), 0);
    assert_false(exists("public/n"));
    assert_int_equal(output_commit(&o, &err), 0);
    output_free(&o);
    assert_false(staging_left());
    assert_int_equal(inode_of("public/index.html"), root);
    assert_string_equal(text_of("public/a/index.html", &b), "changed");
    assert_string_equal(text_of("public/n/m/index.html", &b), "new");
    assert_string_equal(text_of("public/a/b", &b), "file now");
    assert_string_equal(text_of("public/f/g.txt", &b), "folder now");
    buf_free(&b);
    buf_free(&err);
}

/* Every listed path is found at its position, the first of equal ones;
 * other strings are not, however their hashes fall. */
static void test_path_index(void **state)
{
    (void)state;
    enum { N = 1000 };
    static char text[N][24];
    const char *paths[N + 1];
    for (size_t i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "czj/%zu/index.html", i % 700);
        paths[i] = text[i];
    }
    path_index x;
    path_index_build(&x, paths, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(path_index_find(&x, paths[i]), (long)(i % 700));
    assert_int_equal(path_index_find(&x, "czj/700/index.html"), -1);
    assert_int_equal(path_index_find(&x, ""), -1);
    path_index_free(&x);
    path_index_build(&x, paths, 0);
    assert_int_equal(path_index_find(&x, "czj/0/index.html"), -1);
    path_index_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test(test_path_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
