/* The content stage's text store (content/keep.c): a load with it gives the
 * items and diagnostics a load without it gives (field by field, and the
 * positions of their front matter keys), takes unchanged files and their items' parses from
 * it, and reads a file again whenever its stat data changed, it was changed
 * too lately to be told apart, or the store's bytes do not check out; a
 * parse made under another site.toml, or damaged, is not used.
 *
 * Files changed less than two seconds before the store is written are never
 * stored, and a new file's ctime cannot be set back: the site is written
 * once, then the tests wait that long; only the last one changes items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/build.h"
#include "../../generator/content/content.h"
#include "../../generator/content/content_internal.h"
#include "../../generator/util/buf.h"
#include "test_files.h"
#include "test_loaded.h"
#include "test_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static department test_departments[] = {
    {.id = "czj", .name = "财政局", .kind = DEPARTMENT_KIND_DEPARTMENT, .line = 6},
    {.id = "sfj", .name = "司法局", .kind = DEPARTMENT_KIND_DEPARTMENT, .line = 9},
};

static board test_boards[] = {
    {.id = "czj-gk", .department = "czj", .line = 12},
    {.id = "sfj-gk", .department = "sfj", .line = 15},
    {.id = "czj-cun", .department = "czj", .line = 18},
};

static char site[] = "/tmp/gk-content-keep-XXXXXX";

/* As if site.toml were other bytes: a stored parse is not used, and
 * (test_site_changed) its departments and boards are others. */
static uint64_t site_hash = 1;
static size_t site_boards = 3;

static void test_config(site_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    arena_init(&cfg->mem);
    cfg->root = site;
    cfg->path = "site.toml";
    cfg->text_hash = site_hash;
    cfg->departments = test_departments;
    cfg->department_count = 2;
    cfg->boards = test_boards;
    cfg->board_count = site_boards;
}

static void site_path(buf *out, const char *rel)
{
    buf_reset(out);
    buf_printf(out, "%s/%s", site, rel);
}

static void write_file(const char *rel, const void *data, size_t len)
{
    test_tree_write(site, rel, data, len);
}

static void write_text(const char *rel, const char *text)
{
    write_file(rel, text, strlen(text));
}

static const char *item_text(const char *title)
{
    static char text[256];
    snprintf(text, sizeof text,
             "+++\ntitle = \"%s\"\ndate = 2026-01-05\ncategory = \"x\"\n+++\n\n%s的正文。\n", title,
             title);
    return text;
}

/* Every field an item has, in TOML and in YAML: dates with times and
 * offsets, lists, boards given (and, elsewhere, defaulted), a period,
 * draft, pii_allowed, amends, a department other than the folder's. */
static const char full_toml[] = "+++\n"
                                "title = \"  全部字段  \"\n"
                                "date = 2026-03-04T09:30:15\n"
                                "created = 2026-03-01T08:00:00+08:00\n"
                                "department = \"sfj\"\n"
                                "category = \"财政预决算\"\n"
                                "doc_number = \"示财〔2026〕3号\"\n"
                                "status = \"有效\"\n"
                                "effective = \"2026-03-05 10:00\"\n"
                                "expires = 2031-03-04\n"
                                "disclosure = \"依申请公开\"\n"
                                "secrecy = \"\"\n"
                                "period = \"2026-Q1\"\n"
                                "boards = [\"sfj-gk\", \"czj-cun\"]\n"
                                "keywords = [\"预算\", \"决算\"]\n"
                                "reviewed_by = \"张三\"\n"
                                "reviewed_on = 2026-03-03\n"
                                "attachments = [\"a.pdf\", \"表 1.xlsx\"]\n"
                                "draft = true\n"
                                "pii_allowed = \"经本人同意公示\"\n"
                                "amends = \"示财〔2025〕9号\"\n"
                                "+++\n"
                                "正文第一行。\n";
static const char full_yaml[] = "---\n"
                                "title: 全部字段（YAML）\n"
                                "date: 2026-03-04 09:30\n"
                                "created: 2026-03-01T08:00:00Z\n"
                                "category: 财政预决算\n"
                                "status: repealed\n"
                                "disclosure: 不予公开\n"
                                "period: 2026-09\n"
                                "boards: []\n"
                                "keywords:\n"
                                "  - 预算\n"
                                "  - 决算\n"
                                "reviewed_by: [甲, 乙]\n"
                                "reviewed_on: \"2026-03-03T10:11:12\"\n"
                                "attachments: \"\"\n"
                                "draft: false\n"
                                "pii_allowed: 依法公示\n"
                                "amends: 示财〔2025〕9号\n"
                                "密级: 内部\n"
                                "---\n"
                                "\n"
                                "正文。\n";
/* Keys of no item (warned about, so not stored): values of every type of
 * the tree, for the parse's own round trip. */
static const char extra_keys[] =
    "+++\n"
    "title = \"多余的键\"\n"
    "date = 2026-01-05\n"
    "category = \"x\"\n"
    "n = -42\n"
    "f = 1.5e-3\n"
    "t = 07:30:00.125\n"
    "o = 1979-05-27T07:32:00.5-07:00\n"
    "nested = {a = [1, [2.5, \"x\"]], b = {c = false, \"d e\" = \"y\\tz\"}}\n"
    "[big]\n"
    "k01 = 1\nk02 = 2\nk03 = 3\nk04 = 4\nk05 = 5\nk06 = 6\nk07 = 7\n"
    "k08 = 8\nk09 = 9\nk10 = 10\nk11 = 11\nk12 = 12\nk13 = 13\n"
    "k14 = 14\nk15 = 15\nk16 = 16\nk17 = 17\nk18 = 18\n"
    "+++\n"
    "正文\n";

/* Items of every kind: good ones in TOML and YAML, one with a BOM and CRLF,
 * one through a link, one with errors (kept, ok false), and files that give
 * no item (not UTF-8, empty, no front matter); and a big one, for the
 * compaction test to remove. */
static int site_setup(void **state)
{
    (void)state;
    if (!mkdtemp(site))
        return -1;
    static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "content/czj/2026/%s.md", names[i]);
        write_text(rel, item_text(names[i]));
    }
    write_text("content/czj/yaml.md", "---\ntitle: 乙\ndate: 2026-02-01\ncategory: x\n---\n正文\n");
    write_text("content/czj/full.md", full_toml);
    write_text("content/czj/full-yaml.md", full_yaml);
    write_text("content/czj/extra.md", extra_keys);
    write_text("content/czj/crlf.md", "\xef\xbb\xbf+++\r\ntitle = \"丙\"\r\ndate = 2026-01-05\r\n"
                                      "category = \"x\"\r\n+++\r\n正文\r\n");
    write_text("content/czj/real.md", item_text("链"));
    buf p = BUF_INIT;
    site_path(&p, "content/czj/link.md");
    if (symlink("real.md", p.ptr) != 0)
        return -1;
    write_text("content/czj/bad-date.md", "---\ntitle: 错\ndate: 2026-02-30\ncategory: x\n---\n");
    write_text("content/czj/latin1.md", "+++\ntitle = \"caf\xe9\"\n+++\n");
    write_text("content/czj/empty.md", "");
    write_text("content/czj/no-front.md", "只有正文\n");
    buf big = BUF_INIT;
    buf_puts(&big, item_text("大"));
    while (big.len < 1600000)
        buf_puts(&big, "一段很长的正文，用来让存储里的死字节多于活字节。\n");
    write_file("content/czj/big.md", big.ptr, big.len);
    buf_free(&big);
    buf_free(&p);
    /* Older than the margin for files changed too lately to be stored. */
    struct timespec wait = {2, 200000000};
    nanosleep(&wait, NULL);
    return 0;
}

static int site_teardown(void **state)
{
    (void)state;
    test_tree_remove(AT_FDCWD, site);
    return 0;
}

/* Load the site, with the store when `kept` (and then save it). */
static void load(loaded *l, size_t workers, bool kept)
{
    test_config(&l->cfg);
    diag_list_init(&l->diags);
    content_keep *keep = NULL;
    if (kept) {
        buf dir = BUF_INIT;
        site_path(&dir, ".gongkai");
        keep = content_keep_open(dir.ptr);
        buf_free(&dir);
    }
    l->rc = content_load(&l->set, &l->cfg, workers, keep, &l->diags);
    content_keep_save(keep);
    content_keep_free(keep);
    diag_list_sort(&l->diags);
}

/* Whether the item's text was taken from the store, not read. */
static bool stored(const loaded *l, const char *path)
{
    uintptr_t t = (uintptr_t)loaded_find(l, path)->text, m = (uintptr_t)l->set.kept_map;
    return m && t >= m && t - m < l->set.kept_map_len;
}

/* Whether the item was restored from its stored parse, not parsed: its
 * strings point into the store's mapping. */
static bool restored(const loaded *l, const char *path)
{
    uintptr_t t = (uintptr_t)loaded_find(l, path)->title, m = (uintptr_t)l->set.kept_map;
    return m && t >= m && t - m < l->set.kept_map_len;
}

static size_t restored_count(const loaded *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->set.len; i++)
        n += restored(l, l->set.items[i].path);
    return n;
}

static size_t stored_count(const loaded *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->set.len; i++)
        n += stored(l, l->set.items[i].path);
    return n;
}

/* A new field of content_item must be stored (parsed.c) and
 * compared here: this size says when one was added. (The stat data is
 * the scan's, not the parse's: assert_same compares it.) */
_Static_assert(sizeof(void *) != 8 || sizeof(content_item) == 504,
               "content_item changed: store the new field in parsed.c, compare it here");

static void assert_cstr_equal(const char *a, const char *b)
{
    assert_true((a == NULL) == (b == NULL));
    if (a)
        assert_string_equal(a, b);
}

static void assert_str_equal(const content_str *a, const content_str *b)
{
    assert_cstr_equal(a->s, b->s);
    assert_int_equal(a->line, b->line);
    assert_int_equal(a->col, b->col);
}

static void assert_list_equal(const content_list *a, const content_list *b)
{
    assert_true((a->v == NULL) == (b->v == NULL));
    assert_int_equal(a->len, b->len);
    for (size_t i = 0; i < a->len; i++) {
        assert_str_equal(&a->v[i], &b->v[i]);
        /* A defaulted board is cfg's own id, as its parse made it. */
        if (!a->v[i].line)
            assert_ptr_equal(a->v[i].s, b->v[i].s);
    }
}

static void assert_when_equal(const content_when *a, const content_when *b)
{
    assert_int_equal(a->set, b->set);
    assert_int_equal(a->has_time, b->has_time);
    assert_int_equal(a->day.year, b->day.year);
    assert_int_equal(a->day.month, b->day.month);
    assert_int_equal(a->day.day, b->day.day);
    assert_int_equal(a->hour, b->hour);
    assert_int_equal(a->minute, b->minute);
    assert_int_equal(a->second, b->second);
}

/* Every key of the fixtures' front matters (and one of none): the
 * checks find each at the same place in both items. */
static void assert_where_equal(const content_item *x, const content_item *y)
{
    static const char *const keys[] = {
        "title",  "date",        "created",  "department",  "category",    "doc_number",
        "status", "effective",   "expires",  "disclosure",  "secrecy",     "密级",
        "period", "boards",      "keywords", "reviewed_by", "reviewed_on", "attachments",
        "draft",  "pii_allowed", "amends",   "n",           "f",           "t",
        "o",      "nested",      "big",      "absent",
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int xl = -1, xc = -1, yl = -1, yc = -1;
        bool xf = content_item_where(x, keys[i], &xl, &xc);
        assert_int_equal(xf, content_item_where(y, keys[i], &yl, &yc));
        assert_int_equal(xl, yl);
        assert_int_equal(xc, yc);
    }
}

/* Two items are the same, field by field (the text's bytes, not where
 * they lie; the department as cfg's own). */
static void assert_item_equal(const content_item *x, const content_item *y)
{
    assert_string_equal(x->path, y->path);
    assert_string_equal(x->rel, y->rel);
    assert_string_equal(x->slug, y->slug);
    assert_int_equal(x->text_len, y->text_len);
    assert_memory_equal(x->text, y->text, x->text_len);
    assert_int_equal(x->text_hash, y->text_hash);
    assert_int_equal(x->format, y->format);
    assert_int_equal(x->front_line, y->front_line);
    assert_where_equal(x, y);
    assert_int_equal(x->body - x->text, y->body - y->text);
    assert_int_equal(x->body_len, y->body_len);
    assert_int_equal(x->body_line, y->body_line);
    assert_int_equal(x->ok, y->ok);
    assert_cstr_equal(x->title, y->title);
    assert_when_equal(&x->date, &y->date);
    assert_when_equal(&x->created, &y->created);
    assert_cstr_equal(x->department, y->department);
    assert_ptr_equal(x->dept, y->dept);
    assert_int_equal(x->department_given, y->department_given);
    assert_str_equal(&x->category, &y->category);
    assert_str_equal(&x->doc_number, &y->doc_number);
    assert_int_equal(x->status, y->status);
    assert_when_equal(&x->effective, &y->effective);
    assert_when_equal(&x->expires, &y->expires);
    assert_int_equal(x->disclosure, y->disclosure);
    assert_str_equal(&x->secrecy, &y->secrecy);
    assert_cstr_equal(x->period_text, y->period_text);
    assert_int_equal(x->period.kind, y->period.kind);
    assert_int_equal(x->period.year, y->period.year);
    assert_int_equal(x->period.n, y->period.n);
    assert_list_equal(&x->boards, &y->boards);
    assert_int_equal(x->boards_given, y->boards_given);
    assert_list_equal(&x->keywords, &y->keywords);
    assert_list_equal(&x->reviewed_by, &y->reviewed_by);
    assert_when_equal(&x->reviewed_on, &y->reviewed_on);
    assert_list_equal(&x->attachments, &y->attachments);
    assert_int_equal(x->draft, y->draft);
    assert_str_equal(&x->pii_allowed, &y->pii_allowed);
    assert_str_equal(&x->amends, &y->amends);
}

/* A load with the store gave what a load without it gives. */
static void assert_same(const loaded *a, const loaded *b)
{
    assert_int_equal(a->rc, b->rc);
    assert_int_equal(a->set.len, b->set.len);
    for (size_t i = 0; i < a->set.len; i++) {
        const content_item *x = &a->set.items[i], *y = &b->set.items[i];
        assert_item_equal(x, y);
        /* Known for every file but the one read through a link. */
        assert_int_equal(x->stat_known, !strstr(x->path, "link"));
        assert_int_equal(y->stat_known, x->stat_known);
        assert_memory_equal(&x->stat, &y->stat, sizeof x->stat);
    }
    assert_int_equal(a->diags.len, b->diags.len);
    for (size_t i = 0; i < a->diags.len; i++) {
        const diag *x = &a->diags.items[i], *y = &b->diags.items[i];
        assert_string_equal(x->path, y->path);
        assert_string_equal(x->code, y->code);
        assert_string_equal(x->message, y->message);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        assert_int_equal(x->severity, y->severity);
    }
}

/* Load with the store at `workers` and check it against a plain load;
 * returns how many items came from the store (l is released). */
static size_t last_restored; /* of the last load_checked */

static size_t load_checked(size_t workers)
{
    loaded plain, kept;
    load(&plain, 1, false);
    load(&kept, workers, true);
    assert_same(&kept, &plain);
    size_t n = stored_count(&kept);
    last_restored = restored_count(&kept);
    loaded_release(&kept);
    loaded_release(&plain);
    return n;
}

static void store_drop(void)
{
    buf p = BUF_INIT;
    site_path(&p, ".gongkai");
    test_tree_remove(AT_FDCWD, p.ptr);
    buf_free(&p);
}

/* The number of items a fresh store takes: every good one (10 + yaml, crlf,
 * real, link, big), none with errors or without an item; one fewer once the
 * compaction test removed the big one. */
static size_t storable = 17;

/* A fresh store, written by one load and used by the next. */
static void store_fresh(void)
{
    store_drop();
    assert_int_equal(load_checked(1), 0);
    assert_int_equal(load_checked(1), storable);
}

/* The store's file `name` in .gongkai/, stat'ed. */
static int store_stat(const char *name, struct stat *st)
{
    buf p = BUF_INIT;
    buf_printf(&p, ".gongkai/%s", name);
    buf path = BUF_INIT;
    site_path(&path, p.ptr);
    int rc = stat(path.ptr, st);
    buf_free(&path);
    buf_free(&p);
    return rc;
}

static void test_round_trip(void **state)
{
    (void)state;
    store_fresh();
    loaded l;
    load(&l, 2, true);
    assert_true(restored(&l, "content/czj/full.md"));
    assert_true(restored(&l, "content/czj/full-yaml.md"));
    assert_false(restored(&l, "content/czj/extra.md"));
    const content_item *full = loaded_find(&l, "content/czj/full.md");
    assert_ptr_equal(full->dept, &test_departments[1]);
    assert_true(full->boards_given && full->draft && full->date.has_time);
    /* Restored without a tree, its keys are still found where the text has
     * them (assert_same compares every key with a parsed item's). */
    int line = 0, col = 0;
    assert_true(content_item_where(full, "boards", &line, &col));
    assert_int_equal(line, 14);
    assert_int_equal(col, 10);
    const content_item *yaml = loaded_find(&l, "content/czj/full-yaml.md");
    assert_true(content_item_where(yaml, "reviewed_by", &line, &col));
    assert_int_equal(line, 13);
    assert_int_equal(col, 14);
    const content_item *a = loaded_find(&l, "content/czj/2026/a.md");
    assert_false(a->boards_given);
    assert_int_equal(a->boards.len, 2);
    assert_ptr_equal(a->boards.v[1].s, test_boards[2].id);
    assert_true(stored(&l, "content/czj/link.md"));
    assert_true(stored(&l, "content/czj/crlf.md"));
    assert_false(loaded_find(&l, "content/czj/bad-date.md")->ok);
    assert_false(stored(&l, "content/czj/bad-date.md"));
    loaded_release(&l);
    /* The same again, at every number of threads: nothing to keep that
     * is not kept, so neither file is written again. */
    struct stat index_before, texts_before, index_after, texts_after;
    assert_int_equal(store_stat("content.index", &index_before), 0);
    assert_int_equal(store_stat("content.texts", &texts_before), 0);
    for (size_t workers = 1; workers <= 3; workers++) {
        assert_int_equal(load_checked(workers), storable);
        assert_int_equal(last_restored, storable);
    }
    assert_int_equal(store_stat("content.index", &index_after), 0);
    assert_int_equal(store_stat("content.texts", &texts_after), 0);
    assert_true(index_before.st_ino == index_after.st_ino);
    assert_true(index_before.st_mtim.tv_nsec == index_after.st_mtim.tv_nsec &&
                index_before.st_mtim.tv_sec == index_after.st_mtim.tv_sec);
    assert_true(texts_before.st_size == texts_after.st_size);
    /* A file gone: its record goes, and the index is written again; back
     * (a link to an old file: not changed just now), it is taken again. */
    buf p = BUF_INIT;
    site_path(&p, "content/czj/link.md");
    assert_int_equal(unlink(p.ptr), 0);
    assert_int_equal(load_checked(2), storable - 1);
    assert_int_equal(store_stat("content.index", &index_after), 0);
    assert_true(index_before.st_ino != index_after.st_ino);
    assert_int_equal(symlink("real.md", p.ptr), 0);
    buf_free(&p);
    assert_int_equal(load_checked(2), storable - 1);
    assert_int_equal(load_checked(2), storable);
}

/* A file whose stat data changed is read, and a file changed just now is
 * not stored: it is read again next time. A new file is read, and a chmod
 * (ctime) is a change. */
static void test_changed_and_racy(void **state)
{
    (void)state;
    store_fresh();
    write_text("content/czj/2026/a.md", item_text("改过的甲"));
    buf p = BUF_INIT;
    site_path(&p, "content/czj/2026/b.md");
    assert_int_equal(chmod(p.ptr, 0600), 0);
    buf_free(&p);
    write_text("content/czj/2026/new.md", item_text("新"));
    for (int round = 0; round < 2; round++) {
        loaded l;
        load(&l, 2, true);
        assert_string_equal(loaded_find(&l, "content/czj/2026/a.md")->title, "改过的甲");
        assert_false(stored(&l, "content/czj/2026/a.md"));
        assert_false(stored(&l, "content/czj/2026/b.md"));
        assert_false(stored(&l, "content/czj/2026/new.md"));
        assert_true(stored(&l, "content/czj/2026/c.md"));
        assert_int_equal(stored_count(&l), storable - 2);
        loaded_release(&l);
    }
    assert_int_equal(load_checked(2), storable - 2);
}

/* Where needle first is in data[0..len). */
static char *find_bytes(char *data, size_t len, const char *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return data + i;
    return NULL;
}

static char *store_read(const char *name, size_t *len)
{
    buf p = BUF_INIT;
    site_path(&p, name);
    char *data = test_file_read(p.ptr, len);
    assert_non_null(data);
    buf_free(&p);
    return data;
}

static void store_write(const char *name, const char *data, size_t len)
{
    buf p = BUF_INIT;
    site_path(&p, name);
    test_file_write(p.ptr, data, len);
    buf_free(&p);
}

/* A damaged index, or one of another program version, is not used. */
static void test_damaged_index(void **state)
{
    (void)state;
    store_fresh();
    size_t len;
    char *index = store_read(".gongkai/content.index", &len);
    index[len / 2] ^= 1;
    store_write(".gongkai/content.index", index, len);
    assert_int_equal(load_checked(2), 0);
    assert_int_equal(load_checked(2), storable);

    /* Sealed again, but of another version. */
    free(index);
    index = store_read(".gongkai/content.index", &len);
    char *version = find_bytes(index, len, build_version(), strlen(build_version()) + 1);
    assert_non_null(version);
    version[0] = '9';
    buf p = BUF_INIT;
    site_path(&p, ".gongkai/content.index");
    test_file_write_sealed(p.ptr, index, len - 17);
    buf_free(&p);
    assert_int_equal(load_checked(2), 0);
    free(index);
}

/* A texts file as the index's writer left it is not hashed again: a
 * record's hash made wrong (sealed again) goes unseen, and its text is
 * taken; once the file was written to (here only its times: its ctime
 * moves), every text is checked against its hash, and that one is read
 * from its file. */
static void test_hash_checked_once_touched(void **state)
{
    (void)state;
    store_fresh();
    size_t len;
    char *index = store_read(".gongkai/content.index", &len);
    const char *want = "content/czj/2026/c.md";
    char *rec = find_bytes(index, len, want, strlen(want) + 1);
    assert_non_null(rec);
    fields_reader r;
    fields_reader_init(&r, rec, len - 17 - (size_t)(rec - index));
    fields_next(&r); /* the path */
    for (int i = 0; i < 7; i++)
        fields_next(&r); /* dev, ino, size, mtime, ctime, mode, offset */
    char *hash = (char *)fields_next(&r);
    assert_false(r.bad);
    size_t n = strlen(hash);
    hash[n - 1] = hash[n - 1] == '0' ? '1' : '0';
    fields_reader_init(&r, hash, n + 1);
    uint64_t wrong = fields_number(&r, 10);
    buf p = BUF_INIT;
    site_path(&p, ".gongkai/content.index");
    test_file_write_sealed(p.ptr, index, len - 17);
    free(index);

    loaded l;
    load(&l, 2, true);
    assert_true(stored(&l, want));
    assert_true(loaded_find(&l, want)->text_hash == wrong);
    assert_int_equal(stored_count(&l), storable);
    loaded_release(&l);

    buf_reset(&p);
    site_path(&p, ".gongkai/content.texts");
    assert_int_equal(utimensat(AT_FDCWD, p.ptr, NULL, 0), 0);
    buf_free(&p);
    load(&l, 2, true);
    assert_false(stored(&l, want));
    assert_true(loaded_find(&l, want)->text_hash != wrong);
    assert_int_equal(stored_count(&l), storable - 1);
    loaded_release(&l);
}

/* A stored text whose bytes changed does not match its hash: the file is
 * read instead; the others are still taken. */
static void test_damaged_text(void **state)
{
    (void)state;
    store_fresh();
    size_t len;
    char *texts = store_read(".gongkai/content.texts", &len);
    char *at = find_bytes(texts, len, "c的正文", strlen("c的正文"));
    assert_non_null(at);
    at[0] = 'C';
    store_write(".gongkai/content.texts", texts, len);
    free(texts);
    loaded l;
    load(&l, 2, true);
    assert_false(stored(&l, "content/czj/2026/c.md"));
    assert_string_equal(loaded_find(&l, "content/czj/2026/c.md")->title, "c");
    assert_true(stored(&l, "content/czj/2026/d.md"));
    loaded_release(&l);
    /* The damaged text is left dead; the file's text was appended anew. */
    assert_int_equal(load_checked(1), storable);
}

/* A texts file shorter than the index says, or of another generation, is
 * not used; bytes beyond the committed length (an append cut short) are. */
static void test_truncated_and_other_generation(void **state)
{
    (void)state;
    store_fresh();
    size_t len;
    char *texts = store_read(".gongkai/content.texts", &len);
    store_write(".gongkai/content.texts", texts, len - 10);
    assert_int_equal(load_checked(2), 0);
    free(texts);

    store_fresh();
    texts = store_read(".gongkai/content.texts", &len);
    char *junk = malloc(len + 5);
    memcpy(junk, texts, len);
    memcpy(junk + len, "junk", 5);
    store_write(".gongkai/content.texts", junk, len + 5);
    free(junk);
    assert_int_equal(load_checked(2), storable);

    /* The generation is the header's second field. */
    texts[sizeof "gongkai-content-texts/1"] ^= 1;
    store_write(".gongkai/content.texts", texts, len);
    free(texts);
    assert_int_equal(load_checked(2), 0);
    assert_int_equal(load_checked(2), storable);
}

/* When the dead bytes outnumber the live ones the texts are written to a
 * new file of a new generation, which the next load uses. */
static void test_compaction(void **state)
{
    (void)state;
    store_fresh();
    size_t before_len;
    char *before = store_read(".gongkai/content.texts", &before_len);
    assert_true(before_len > 1600000);
    buf p = BUF_INIT;
    site_path(&p, "content/czj/big.md");
    assert_int_equal(unlink(p.ptr), 0);
    buf_free(&p);
    storable--;
    assert_int_equal(load_checked(2), storable);
    size_t after_len;
    char *after = store_read(".gongkai/content.texts", &after_len);
    assert_true(after_len < 100000);
    size_t head = sizeof "gongkai-content-texts/1" + 17;
    assert_memory_not_equal(before, after, head);
    assert_int_equal(load_checked(2), storable);
    free(before);
    free(after);
}

/* A parse made under another site.toml is not used: the texts are parsed
 * again, as under the new one, and their parses stored for the next load. */
static void test_site_changed(void **state)
{
    (void)state;
    store_fresh();
    site_hash = 2;
    assert_int_equal(load_checked(2), storable);
    assert_int_equal(last_restored, 0);
    assert_int_equal(load_checked(1), storable);
    assert_int_equal(last_restored, storable);
    /* Fewer boards: the defaulted ones change, and full.md names one that
     * is gone (an error: its text is taken, not stored again). */
    site_hash = 3;
    site_boards = 2;
    assert_int_equal(load_checked(2), storable);
    assert_int_equal(last_restored, 0);
    assert_int_equal(load_checked(2), storable - 1);
    assert_int_equal(last_restored, storable - 1);
    site_hash = 1;
    site_boards = 3;
    assert_int_equal(load_checked(2), storable - 1);
    assert_int_equal(last_restored, 0);
    assert_int_equal(load_checked(2), storable);
    assert_int_equal(last_restored, storable);
}

/* A parse whose bytes changed does not match its hash: the item is parsed
 * from its stored text, its parse stored anew; the others are restored. */
static void test_damaged_parse(void **state)
{
    (void)state;
    store_fresh();
    size_t len;
    char *texts = store_read(".gongkai/content.texts", &len);
    const char *doc = "示财〔2026〕3号";
    char *in_text = find_bytes(texts, len, doc, strlen(doc));
    assert_non_null(in_text);
    char *in_parse = find_bytes(in_text + 1, len - (size_t)(in_text + 1 - texts), doc, strlen(doc));
    assert_non_null(in_parse);
    in_parse[0] ^= 1;
    store_write(".gongkai/content.texts", texts, len);
    free(texts);
    loaded l, plain;
    load(&l, 2, true);
    load(&plain, 1, false);
    assert_same(&l, &plain);
    assert_true(stored(&l, "content/czj/full.md"));
    assert_false(restored(&l, "content/czj/full.md"));
    assert_true(restored(&l, "content/czj/full-yaml.md"));
    assert_int_equal(restored_count(&l), storable - 1);
    loaded_release(&l);
    loaded_release(&plain);
    assert_int_equal(load_checked(2), storable);
    assert_int_equal(last_restored, storable);
}

/* parsed.c on its own: every item of the site, and one with values of every
 * type (unknown keys), reads back as it was written; no prefix of a record
 * reads, and no changed byte makes it crash (under ASan: nor read beyond). */
static void test_parse_bytes(void **state)
{
    (void)state;
    site_config cfg;
    test_config(&cfg);
    diag_list diags;
    diag_list_init(&diags);
    content_set set;
    content_init(&set);
    content_text_load(&set, &cfg, "content/czj/full.md", full_toml, strlen(full_toml), &diags);
    content_text_load(&set, &cfg, "content/czj/y.md", full_yaml, strlen(full_yaml), &diags);
    content_text_load(&set, &cfg, "content/czj/e.md", extra_keys, strlen(extra_keys), &diags);
    const char *loose = item_text("无部门");
    content_text_load(&set, &cfg, "content/x.md", loose, strlen(loose), &diags);
    assert_int_equal(set.len, 4);
    for (size_t i = 0; i < set.len; i++) {
        const content_item *it = &set.items[i];
        buf out = BUF_INIT;
        if (!it->ok) {
            assert_false(content_parsed_put(&out, &cfg, it));
            buf_free(&out);
            continue;
        }
        assert_true(content_parsed_put(&out, &cfg, it));
        char *data = malloc(out.len);
        memcpy(data, out.ptr, out.len);
        arena mem;
        arena_init(&mem);
        content_item back;
        assert_true(content_parsed_get(&mem, &cfg, it->path, it->text, it->text_len, it->text_hash,
                                       data, out.len, &back));
        assert_item_equal(&back, it);
        for (size_t n = 0; n < out.len; n++)
            assert_false(content_parsed_get(&mem, &cfg, it->path, it->text, it->text_len,
                                            it->text_hash, data, n, &back));
        for (size_t at = 0; at < out.len; at++) {
            for (int bit = 0; bit < 8; bit++) {
                data[at] ^= (char)(1 << bit);
                content_parsed_get(&mem, &cfg, it->path, it->text, it->text_len, it->text_hash,
                                   data, out.len, &back);
                data[at] ^= (char)(1 << bit);
            }
        }
        arena_free(&mem);
        free(data);
        buf_free(&out);
    }
    content_free(&set);
    diag_list_free(&diags);
    arena_free(&cfg.mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_bytes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_site_changed),
        cmocka_unit_test(test_damaged_parse),
        cmocka_unit_test(test_damaged_index),
        cmocka_unit_test(test_damaged_text),
        cmocka_unit_test(test_hash_checked_once_touched),
        cmocka_unit_test(test_truncated_and_other_generation),
        cmocka_unit_test(test_compaction),
        /* Last: the files it changes are not stored for two seconds. */
        cmocka_unit_test(test_changed_and_racy),
    };
    return cmocka_run_group_tests(tests, site_setup, site_teardown);
}
