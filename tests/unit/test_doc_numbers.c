/* The catalogue's 文号 (catalogue_doc_numbers_apply): which items are asked,
 * the same answers on one thread and on several, and a naming.lua error
 * reported once, for the first item in order, however many threads ask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/catalogue/catalogue.h"

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
    snprintf(path, sizeof path, "%s/templates/naming.lua", f->root);
    unlink(path);
    snprintf(path, sizeof path, "%s/templates", f->root);
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
            assert_int_equal(catalogue_doc_numbers_apply(&f->cat, f->n, drafts, workers), 0);
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
        assert_int_equal(catalogue_doc_numbers_apply(&f->cat, f->n, false, workers), -1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_and_two_threads),
        cmocka_unit_test(test_wanted),
        cmocka_unit_test(test_error_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
