/* The catalogue's 文号 (catalogue_doc_numbers_apply): which items are asked,
 * the same answers on one thread and on several, a naming.lua error
 * reported once, for the first item in order, however many threads ask,
 * and the memo of earlier runs: used only when whole and of the same key,
 * and never hiding an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"
#include "../../generator/util/fields.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More items than the parallel threshold, so that two workers share them. */
#define ITEMS 300

/* Rules that split "X〔year〕seq号" and fail on "坏〔...". */
static const char *const rules =
    "local n = {}\n"
    "local function text() return 'x' end\n"
    "local function url() return '/x/' end\n"
    "n.index_number = text; n.subsite_name = text; n.board_title = text\n"
    "n.period_label = text; n.item_url = url; n.department_url = url\n"
    "n.category_url = url; n.department_category_url = url\n"
    "function n.doc_number(raw)\n"
    "  if raw:find('坏', 1, true) then error('坏文号 ' .. raw, 0) end\n"
    "  return (raw:gsub('%[', '〔'):gsub('%]', '〕'))\n"
    "end\n"
    "function n.doc_number_parts(s)\n"
    "  local issuer, year, seq = n.doc_number(s):match('^(.-)〔(%d+)〕(%d+)号$')\n"
    "  if not issuer then return nil end\n"
    "  return { issuer = issuer, year = tonumber(year), seq = tonumber(seq) }\n"
    "end\n"
    "return n\n";

typedef struct fixture {
    char root[64];
    site_config cfg;
    department dept;
    diag_list diags;
    naming *n;
    content_item items[ITEMS];
    char raw[ITEMS][48];
    catalogue cat;
} fixture;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ITEMS items of department czj dated 2025, item i numbered 示财发[2025]i号,
 * except: 3 a draft, 5 不予公开, 7 without a number, 9 with an empty one, 11
 * without a date, 13 not a document number, and `bad` (when >= 0) one that
 * naming.lua fails on. */
static fixture *fixture_open(int bad)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->root, sizeof f->root, "/tmp/gk-docnum-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    char path[128];
    snprintf(path, sizeof path, "%s/templates", f->root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/templates/naming.lua", f->root);
    write_file(path, rules);
    diag_list_init(&f->diags);
    f->cfg.root = f->root;
    f->cfg.theme = "none";
    f->dept.id = "czj";
    assert_int_equal(naming_open(&f->n, &f->cfg, &f->diags), 0);
    arena_init(&f->cat.mem);
    f->cat.items = calloc(ITEMS, sizeof *f->cat.items);
    f->cat.item_count = ITEMS;
    for (int i = 0; i < ITEMS; i++) {
        content_item *it = &f->items[i];
        it->path = "content/czj/a.md";
        it->ok = true;
        it->dept = &f->dept;
        it->date.set = true;
        it->disclosure = CONTENT_DISCLOSURE_PUBLIC;
        snprintf(f->raw[i], sizeof f->raw[i], "%s[2025]%d号", i == bad ? "坏" : "示财发", i);
        it->doc_number.s = f->raw[i];
        f->cat.items[i].item = it;
    }
    f->items[3].draft = true;
    f->items[5].disclosure = CONTENT_DISCLOSURE_WITHHELD;
    f->items[7].doc_number.s = NULL;
    f->items[9].doc_number.s = "";
    f->items[11].date.set = false;
    f->items[13].doc_number.s = "示财函2025第13号";
    return f;
}

static void fixture_close(fixture *f)
{
    char path[128];
    const char *files[] = {"templates/naming.lua", ".gongkai/naming.cache", "site.toml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", f->root, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/templates", f->root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/.gongkai", f->root);
    rmdir(path);
    rmdir(f->root);
    naming_close(f->n);
    diag_list_free(&f->diags);
    free(f->cat.items);
    arena_free(&f->cat.mem);
    free(f);
}

static void assert_answers(const fixture *f, bool drafts)
{
    for (int i = 0; i < ITEMS; i++) {
        const catalogue_item *ci = &f->cat.items[i];
        bool asked = i != 5 && i != 7 && i != 9 && i != 11 && (i != 3 || drafts);
        if (!asked) {
            assert_null(ci->doc_number);
            continue;
        }
        if (i == 13) {
            assert_string_equal(ci->doc_number, "示财函2025第13号");
            assert_false(ci->doc_split);
            continue;
        }
        char want[48];
        snprintf(want, sizeof want, "示财发〔2025〕%d号", i);
        assert_string_equal(ci->doc_number, want);
        assert_true(ci->doc_split);
        assert_string_equal(ci->doc_parts.issuer, "示财发");
        assert_int_equal(ci->doc_parts.year, 2025);
        assert_int_equal(ci->doc_parts.seq, i);
    }
}

static void test_one_and_two_threads(void **state)
{
    (void)state;
    for (size_t workers = 1; workers <= 2; workers++) {
        for (int drafts = 0; drafts <= 1; drafts++) {
            fixture *f = fixture_open(-1);
            assert_int_equal(catalogue_doc_numbers_apply(&f->cat, f->n, drafts, workers, NULL), 0);
            assert_int_equal(f->diags.len, 0);
            assert_answers(f, drafts);
            fixture_close(f);
        }
    }
}

static void test_wanted(void **state)
{
    (void)state;
    fixture *f = fixture_open(-1);
    assert_true(catalogue_doc_number_wanted(&f->items[0], false));
    assert_false(catalogue_doc_number_wanted(&f->items[3], false));
    assert_true(catalogue_doc_number_wanted(&f->items[3], true));
    assert_false(catalogue_doc_number_wanted(&f->items[5], true));
    assert_false(catalogue_doc_number_wanted(&f->items[7], true));
    assert_false(catalogue_doc_number_wanted(&f->items[9], true));
    assert_false(catalogue_doc_number_wanted(&f->items[11], true));
    fixture_close(f);
}

/* An error is reported once, for the first item in order that meets it,
 * and no item after it gets an answer from the failed rule. */
static void test_error_once(void **state)
{
    (void)state;
    for (size_t workers = 1; workers <= 2; workers++) {
        fixture *f = fixture_open(200);
        assert_int_equal(catalogue_doc_numbers_apply(&f->cat, f->n, false, workers, NULL), -1);
        assert_int_equal(f->diags.len, 1);
        assert_string_equal(f->diags.items[0].code, "GK302");
        assert_non_null(strstr(f->diags.items[0].message, "坏文号 坏[2025]200号"));
        assert_string_equal(f->cat.items[199].doc_number, "示财发〔2025〕199号");
        for (int i = 200; i < ITEMS; i++)
            assert_null(f->cat.items[i].doc_number);
        /* Later asks fail quietly. */
        const char *shown;
        naming_doc_parts parts;
        arena mem;
        arena_init(&mem);
        assert_int_equal(catalogue_doc_number_ask(f->n, &mem, "示财发[2025]1号", &shown, &parts),
                         -1);
        assert_int_equal(f->diags.len, 1);
        arena_free(&mem);
        fixture_close(f);
    }
}

/* ---- the memo ---------------------------------------------------------- */

static void memo_path(const fixture *f, char *path, size_t size)
{
    snprintf(path, size, "%s/.gongkai/naming.cache", f->root);
}

/* Forget every answer, as a new run starts. */
static void clear_answers(fixture *f)
{
    for (int i = 0; i < ITEMS; i++) {
        f->cat.items[i].doc_number = NULL;
        f->cat.items[i].doc_split = false;
    }
}

/* A run with the memo: open, apply on `n` (NULL: naming.lua must not be
 * needed), save. Returns what apply returned. */
static int memo_run(fixture *f, naming *n, size_t workers)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/.gongkai", f->root);
    clear_answers(f);
    catalogue_memo *m = catalogue_memo_open(dir, &f->cfg);
    int rc = catalogue_doc_numbers_apply(&f->cat, n, false, workers, m);
    catalogue_memo_save(m);
    catalogue_memo_free(m);
    return rc;
}

static char *read_all(const char *path, size_t *len)
{
    char *data = test_file_read(path, len);
    assert_non_null(data);
    return data;
}

/* The file at path sealed again after an edit: the checksum of all but its
 * last 17 bytes (the old checksum) in their place. */
static void reseal(const char *path)
{
    size_t len;
    char *data = read_all(path, &len);
    assert_true(len >= 17);
    test_file_write_sealed(path, data, len - 17);
    free(data);
}

/* data with the first `all ? every : first` occurrence of from[0..flen)
 * replaced by to[0..tlen), written to path. */
static void write_replaced(const char *path, const char *data, size_t len, const char *from,
                           size_t flen, const char *to, size_t tlen, bool all)
{
    char *out = malloc(len * 2 + tlen + 1);
    size_t n = 0, i = 0;
    bool done = false;
    while (i < len) {
        if (!done && i + flen <= len && memcmp(data + i, from, flen) == 0) {
            memcpy(out + n, to, tlen);
            n += tlen;
            i += flen;
            done = !all;
        } else {
            out[n++] = data[i++];
        }
    }
    test_file_write(path, out, n);
    free(out);
}

/* A whole memo written by the last run, with every standard form changed
 * from 示财发〔 to 示政发〔 (as naming.lua never answers) and sealed again,
 * so that an answer taken from it shows. */
static char *poison_memo(fixture *f, size_t *len)
{
    char path[128];
    memo_path(f, path, sizeof path);
    char *data = read_all(path, len);
    write_replaced(path, data, *len, "示财发〔", strlen("示财发〔"), "示政发〔", strlen("示政发〔"),
                   true);
    reseal(path);
    free(data);
    return read_all(path, len);
}

static bool poisoned(const fixture *f)
{
    return f->cat.items[0].doc_number && strstr(f->cat.items[0].doc_number, "示政发");
}

/* What a run keeps, the next one answers without naming.lua. */
static void test_memo_round_trip(void **state)
{
    (void)state;
    for (size_t workers = 1; workers <= 2; workers++) {
        fixture *f = fixture_open(-1);
        assert_int_equal(memo_run(f, f->n, workers), 0);
        assert_answers(f, false);
        assert_int_equal(memo_run(f, NULL, workers), 0);
        assert_answers(f, false);
        assert_int_equal(f->diags.len, 0);
        size_t len;
        free(poison_memo(f, &len));
        assert_int_equal(memo_run(f, NULL, workers), 0);
        assert_true(poisoned(f));
        assert_string_equal(f->cat.items[0].doc_parts.issuer, "示财发");
        fixture_close(f);
    }
}

/* A damaged memo is not used at all: naming.lua answers every number.
 * The checksum tells most damage; a file sealed after the damage (as no
 * run writes it) must fail the reading of its fields. */
static void test_memo_damaged(void **state)
{
    (void)state;
    fixture *f = fixture_open(-1);
    assert_int_equal(memo_run(f, f->n, 1), 0);
    size_t len;
    char *good = poison_memo(f, &len);
    char path[128];
    memo_path(f, path, sizeof path);
    for (size_t cut = 0; cut < len; cut += cut < 80 || cut > len - 80 ? 1 : 61) {
        test_file_write(path, good, cut);
        assert_int_equal(memo_run(f, f->n, 1), 0);
        assert_false(poisoned(f));
        assert_answers(f, false);
        if (cut < len - 17) {
            test_file_write_sealed(path, good, cut);
            assert_int_equal(memo_run(f, f->n, 1), 0);
            assert_false(poisoned(f));
            assert_answers(f, false);
        }
        test_file_write(path, good, len);
    }
    /* One answer changed, not sealed again. */
    write_replaced(path, good, len, "示政发〔2025〕1号", strlen("示政发〔2025〕1号"),
                   "示政发〔2025〕7号", strlen("示政发〔2025〕7号"), false);
    assert_int_equal(memo_run(f, f->n, 1), 0);
    assert_false(poisoned(f));
    assert_answers(f, false);
    test_file_write(path, good, len);
    const struct {
        const char *from, *to;
        size_t flen, tlen;
    } edits[] = {
        {"gongkai", "gongkaj", 7, 7},        /* magic */
        {"\0002025\0", "\00010000\0", 6, 7}, /* a year out of bounds */
        {"\0002025\0", "\0002o25\0", 6, 6},  /* not a number */
        {"示政发〔", "示政发\t", 12, 10},    /* a control character */
        {"示政发〔", "示\377发〔", 12, 10},  /* not UTF-8 */
        {"\000+\0", "\000*\0", 3, 3},        /* neither split nor not */
    };
    for (size_t k = 0; k < sizeof edits / sizeof *edits; k++) {
        write_replaced(path, good, len, edits[k].from, edits[k].flen, edits[k].to, edits[k].tlen,
                       false);
        reseal(path);
        assert_int_equal(memo_run(f, f->n, 1), 0);
        assert_false(poisoned(f));
        test_file_write(path, good, len);
    }
    /* Bytes after the checksum, or after the last entry before it. */
    char *longer = malloc(len + 3);
    memcpy(longer, good, len);
    memcpy(longer + len, "x", 2);
    test_file_write(path, longer, len + 1);
    assert_int_equal(memo_run(f, f->n, 1), 0);
    assert_false(poisoned(f));
    memcpy(longer + len - 17, "x", 2);
    test_file_write_sealed(path, longer, len - 17 + 1);
    assert_int_equal(memo_run(f, f->n, 1), 0);
    assert_false(poisoned(f));
    test_file_write_sealed(path, longer, len - 17 + 2);
    assert_int_equal(memo_run(f, f->n, 1), 0);
    assert_false(poisoned(f));
    free(longer);
    free(good);
    fixture_close(f);
}

/* A memo written under another naming.lua or site.toml is not used. */
static void test_memo_other_key(void **state)
{
    (void)state;
    const char *edits[] = {"templates/naming.lua", "site.toml"};
    for (size_t k = 0; k < 2; k++) {
        fixture *f = fixture_open(-1);
        assert_int_equal(memo_run(f, f->n, 1), 0);
        size_t len;
        free(poison_memo(f, &len));
        char path[128];
        snprintf(path, sizeof path, "%s/%s", f->root, edits[k]);
        FILE *fp = fopen(path, "a");
        assert_non_null(fp);
        fputs("\n-- edited\n", fp);
        fclose(fp);
        assert_int_equal(memo_run(f, f->n, 1), 0);
        assert_false(poisoned(f));
        assert_answers(f, false);
        fixture_close(f);
    }
}

/* A number naming.lua fails on is never kept: every run reports it, once,
 * and the items after it stay unanswered although the memo knows them. */
static void test_memo_error_every_run(void **state)
{
    (void)state;
    for (size_t workers = 1; workers <= 2; workers++) {
        fixture *f = fixture_open(200);
        f->items[200].doc_number.s = "示财发[2025]200号";
        assert_int_equal(memo_run(f, f->n, workers), 0);
        f->items[200].doc_number.s = f->raw[200];
        for (int run = 0; run < 2; run++) {
            naming_close(f->n);
            diag_list_free(&f->diags);
            diag_list_init(&f->diags);
            assert_int_equal(naming_open(&f->n, &f->cfg, &f->diags), 0);
            assert_int_equal(memo_run(f, f->n, workers), -1);
            assert_int_equal(f->diags.len, 1);
            assert_non_null(strstr(f->diags.items[0].message, "坏文号 坏[2025]200号"));
            assert_string_equal(f->cat.items[199].doc_number, "示财发〔2025〕199号");
            for (int i = 200; i < ITEMS; i++)
                assert_null(f->cat.items[i].doc_number);
        }
        fixture_close(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_and_two_threads),  cmocka_unit_test(test_wanted),
        cmocka_unit_test(test_error_once),           cmocka_unit_test(test_memo_round_trip),
        cmocka_unit_test(test_memo_damaged),         cmocka_unit_test(test_memo_other_key),
        cmocka_unit_test(test_memo_error_every_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
