/* content_item_where: items keep no front matter tree, and the checks ask
 * where a key's value was written, for a warning's line and column. The
 * answer is the value's position as the parsers give it (TOML and YAML,
 * nested values, CRLF and a BOM), nothing for a key that is absent or a text
 * that does not parse, and the same on several threads at once. (An item
 * restored from the text store: test_content_keep.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/content/content.h"

#include <pthread.h>
#include <string.h>

static department test_departments[] = {
    {.id = "czj", .name = "财政局", .kind = DEPARTMENT_KIND_DEPARTMENT, .line = 6},
};

static board test_boards[] = {
    {.id = "czj-gk", .department = "czj", .paper = "A3"},
};

/* One item read from `text` as content/czj/<name>, which must load. */
typedef struct one {
    site_config cfg;
    diag_list diags;
    content_set set;
} one;

static const content_item *one_load(one *o, const char *name, const char *text)
{
    memset(&o->cfg, 0, sizeof o->cfg);
    arena_init(&o->cfg.mem);
    o->cfg.root = "/nonexistent";
    o->cfg.path = "site.toml";
    o->cfg.departments = test_departments;
    o->cfg.department_count = 1;
    o->cfg.boards = test_boards;
    o->cfg.board_count = 1;
    diag_list_init(&o->diags);
    content_init(&o->set);
    char path[128];
    snprintf(path, sizeof path, "content/czj/%s", name);
    content_text_load(&o->set, &o->cfg, path, text, strlen(text), &o->diags);
    assert_int_equal(o->set.len, 1);
    return &o->set.items[0];
}

static void one_free(one *o)
{
    content_free(&o->set);
    diag_list_free(&o->diags);
    arena_free(&o->cfg.mem);
}

static void assert_where(const content_item *it, const char *key, int line, int col)
{
    int l = -1, c = -1;
    if (!content_item_where(it, key, &l, &c))
        fail_msg("%s not found", key);
    if (l != line || c != col)
        fail_msg("%s at %d:%d, not %d:%d", key, l, c, line, col);
}

static void assert_nowhere(const content_item *it, const char *key)
{
    int l = -7, c = -9;
    assert_false(content_item_where(it, key, &l, &c));
    /* Left alone: the caller's fallback stands. */
    assert_int_equal(l, -7);
    assert_int_equal(c, -9);
}

static const char toml_text[] = "+++\n"
                                "title = \"预算公开\"\n"
                                "date = 2026-01-05\n"
                                "category = \"财政预决算\"\n"
                                "\"密级\" = \"内部\"\n"
                                "boards = [\"czj-gk\"]\n"
                                "keywords = [\n"
                                "  \"预算\",\n"
                                "  \"决算\",\n"
                                "]\n"
                                "nested = {a = [1, 2], b = \"x\"}\n"
                                "[big]\n"
                                "k = 1\n"
                                "+++\n"
                                "正文\n";

static void test_toml(void **state)
{
    (void)state;
    one o;
    const content_item *it = one_load(&o, "t.md", toml_text);
    assert_where(it, "title", 2, 9);
    assert_where(it, "date", 3, 8);
    assert_where(it, "category", 4, 12);
    /* Columns count code points. */
    assert_where(it, "密级", 5, 8);
    assert_where(it, "boards", 6, 10);
    assert_where(it, "keywords", 7, 12);
    assert_where(it, "nested", 11, 10);
    assert_where(it, "big", 12, 1);
    /* As the item's own fields have them. */
    assert_int_equal(it->category.line, 4);
    assert_int_equal(it->category.col, 12);
    assert_int_equal(it->secrecy.line, 5);
    assert_int_equal(it->secrecy.col, 8);
    assert_int_equal(it->keywords.v[1].line, 9);
    assert_int_equal(it->keywords.v[1].col, 3);
    /* Only top-level keys, and whole keys. */
    assert_nowhere(it, "status");
    assert_nowhere(it, "a");
    assert_nowhere(it, "k");
    assert_nowhere(it, "titl");
    assert_nowhere(it, "");
    one_free(&o);
}

static const char yaml_text[] = "---\n"
                                "title: 乙\n"
                                "date: 2026-02-01\n"
                                "category: 工作动态\n"
                                "status: 有效\n"
                                "keywords:\n"
                                "  - 预算\n"
                                "  - 决算\n"
                                "reviewed_by: [甲, 乙]\n"
                                "nested:\n"
                                "  a: 1\n"
                                "---\n"
                                "\n"
                                "正文\n";

static void test_yaml(void **state)
{
    (void)state;
    one o;
    const content_item *it = one_load(&o, "y.md", yaml_text);
    assert_where(it, "title", 2, 8);
    assert_where(it, "date", 3, 7);
    assert_where(it, "category", 4, 11);
    assert_where(it, "status", 5, 9);
    assert_where(it, "keywords", 7, 3);
    assert_where(it, "reviewed_by", 9, 14);
    assert_where(it, "nested", 11, 3);
    assert_int_equal(it->keywords.v[0].line, 7);
    assert_int_equal(it->keywords.v[0].col, 5);
    assert_nowhere(it, "boards");
    assert_nowhere(it, "a");
    one_free(&o);
}

/* A BOM and CRLF line ends move nothing: lines and columns are the file's. */
static void test_crlf(void **state)
{
    (void)state;
    one o;
    const content_item *it = one_load(&o, "crlf.md",
                                      "\xef\xbb\xbf+++\r\n"
                                      "title = \"丙\"\r\n"
                                      "date = 2026-01-05\r\n"
                                      "category = \"x\"\r\n"
                                      "status = \"有效\"\r\n"
                                      "+++\r\n"
                                      "正文\r\n");
    assert_where(it, "title", 2, 9);
    assert_where(it, "date", 3, 8);
    assert_where(it, "status", 5, 10);
    assert_nowhere(it, "expires");
    one_free(&o);
}

/* A text with no front matter that parses has no key anywhere. */
static void test_unparsable(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "只有正文\n",
        "+++\ntitle = \"没有结束\"\n",
        "+++\ntitle = \n+++\n",
        "---\n- 不是映射\n---\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        content_item it = {
            .path = "content/czj/x.md", .text = texts[i], .text_len = strlen(texts[i])};
        assert_nowhere(&it, "title");
    }
}

/* The checks ask from the pool's threads: each call parses on its own. */
typedef struct where_job {
    const content_item *toml, *yaml;
    bool ok;
} where_job;

static void *where_run(void *arg)
{
    where_job *j = arg;
    j->ok = true;
    for (int i = 0; i < 2000 && j->ok; i++) {
        int line = 0, col = 0;
        const content_item *it = i % 2 ? j->yaml : j->toml;
        j->ok = content_item_where(it, i % 2 ? "reviewed_by" : "nested", &line, &col) &&
                line == (i % 2 ? 9 : 11) && col == (i % 2 ? 14 : 10);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    one t, y;
    where_job jobs[4];
    pthread_t threads[4];
    const content_item *toml = one_load(&t, "t.md", toml_text);
    const content_item *yaml = one_load(&y, "y.md", yaml_text);
    for (size_t i = 0; i < 4; i++) {
        jobs[i] = (where_job){toml, yaml, false};
        assert_int_equal(pthread_create(&threads[i], NULL, where_run, &jobs[i]), 0);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_true(jobs[i].ok);
    }
    one_free(&t);
    one_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toml),    cmocka_unit_test(test_yaml),
        cmocka_unit_test(test_crlf),    cmocka_unit_test(test_unparsable),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
