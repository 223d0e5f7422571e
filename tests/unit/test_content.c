/* The content stage end to end: fixture sites under tests/fixtures/content/
 * (one file per diagnostic rule, and good sites in TOML and YAML), plus sites
 * generated in a temporary directory for the big, binary and symlink cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_loaded.h"
#include "test_tree.h"
#include "../../generator/content/content.h"
#include "../../generator/util/buf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a hand-built site.toml: czj (财政局), baima (白马镇) and its board --- */

static department test_departments[] = {
    {.id = "czj", .name = "财政局", .kind = DEPARTMENT_KIND_DEPARTMENT, .line = 6},
    {.id = "baima", .name = "白马镇", .kind = DEPARTMENT_KIND_TOWNSHIP, .line = 11},
};

static board test_boards[] = {
    {.id = "baima-board", .department = "baima", .paper = "A3", .review_required = true},
};

static void test_config(site_config *cfg, const char *root)
{
    memset(cfg, 0, sizeof *cfg);
    arena_init(&cfg->mem);
    cfg->root = root;
    cfg->path = "site.toml";
    cfg->departments = test_departments;
    cfg->department_count = 2;
    cfg->boards = test_boards;
    cfg->board_count = 1;
}

static void load(loaded *l, const char *root)
{
    test_config(&l->cfg, root);
    diag_list_init(&l->diags);
    l->rc = content_load(&l->set, &l->cfg, 0, NULL, &l->diags);
    diag_list_sort(&l->diags);
}

/* The diagnostic at index i, which must be exactly this one. */
typedef struct want {
    const char *path;
    int line, col;
    diag_severity severity;
    const char *code;
} want;

static void assert_diags(const loaded *l, const want *w, size_t n)
{
    bool same = l->diags.len == n;
    for (size_t i = 0; same && i < n; i++) {
        const diag *d = &l->diags.items[i];
        same = strcmp(d->path, w[i].path) == 0 && d->line == w[i].line && d->col == w[i].col &&
               d->severity == w[i].severity && strcmp(d->code, w[i].code) == 0;
    }
    if (!same) {
        diag_list_print_text(&l->diags, stderr);
        fail_msg("diagnostics differ from the %zu expected", n);
    }
}

static const diag *diag_for(const loaded *l, const char *path, const char *code)
{
    for (size_t i = 0; i < l->diags.len; i++)
        if (strcmp(l->diags.items[i].path, path) == 0 && strcmp(l->diags.items[i].code, code) == 0)
            return &l->diags.items[i];
    fail_msg("no %s for %s", code, path);
    return NULL;
}

/* Some diagnostic with this file and code says this. */
static void assert_message_has(const loaded *l, const char *path, const char *code,
                               const char *needle)
{
    for (size_t i = 0; i < l->diags.len; i++) {
        const diag *d = &l->diags.items[i];
        if (strcmp(d->path, path) == 0 && strcmp(d->code, code) == 0 && strstr(d->message, needle))
            return;
    }
    diag_list_print_text(&l->diags, stderr);
    fail_msg("no %s for %s says \"%s\"", code, path, needle);
}

static void assert_when(content_when w, int y, int m, int d)
{
    assert_true(w.set);
    assert_int_equal(w.day.year, y);
    assert_int_equal(w.day.month, m);
    assert_int_equal(w.day.day, d);
}

/* ---- the good site ------------------------------------------------------ */

static void test_good_site(void **state)
{
    (void)state;
    loaded l;
    load(&l, "tests/fixtures/content/good");
    assert_diags(&l, NULL, 0);
    assert_int_equal(l.rc, 0);

    /* Sorted by path in byte order; _index.md, hidden names and non-.md skipped. */
    static const char *const order[] = {
        "content/baima/2026-Q1/zhengwu.md",
        "content/baima/caogao.md",
        "content/czj/2026/yusuan.md",
        "content/czj/2026/三公经费 公开.md",
        "content/czj/crlf.md",
        "content/top.md",
    };
    assert_int_equal(l.set.len, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(l.set.items[i].path, order[i]);
        assert_true(l.set.items[i].ok);
    }

    const content_item *it = loaded_find(&l, "content/czj/2026/yusuan.md");
    assert_string_equal(it->rel, "czj/2026/yusuan.md");
    assert_string_equal(it->slug, "yusuan");
    assert_int_equal(it->format, CONTENT_FORMAT_TOML);
    assert_string_equal(it->title, "示例县财政局2026年部门预算公开");
    assert_when(it->date, 2026, 1, 5);
    assert_true(it->date.has_time);
    assert_int_equal(it->date.hour, 9);
    assert_int_equal(it->date.minute, 30);
    assert_when(it->created, 2025, 12, 28);
    assert_false(it->created.has_time);
    assert_string_equal(it->department, "czj");
    assert_false(it->department_given);
    assert_non_null(it->dept);
    assert_string_equal(it->dept->name, "财政局");
    assert_string_equal(it->category.s, "财政预决算");
    assert_int_equal(it->category.line, 5);
    assert_int_equal(it->category.col, 12);
    assert_string_equal(it->doc_number.s, "示财发〔2026〕1号");
    assert_int_equal(it->status, CONTENT_VALIDITY_VALID);
    assert_when(it->effective, 2026, 1, 5);
    assert_when(it->expires, 2027, 12, 31);
    assert_int_equal(it->disclosure, CONTENT_DISCLOSURE_PUBLIC);
    assert_null(it->secrecy.s);
    assert_int_equal(it->period.kind, CONTENT_PERIOD_NONE);
    assert_int_equal(it->keywords.len, 2);
    assert_string_equal(it->keywords.v[1].s, "三公经费");
    assert_int_equal(it->reviewed_by.len, 1);
    assert_string_equal(it->reviewed_by.v[0].s, "张三");
    assert_when(it->reviewed_on, 2026, 1, 4);
    assert_int_equal(it->attachments.len, 1);
    assert_string_equal(it->attachments.v[0].s, "yusuan-biao.xlsx");
    assert_int_equal(it->attachments.v[0].line, 14);
    assert_int_equal(it->boards.len, 0); /* czj has no board */
    assert_false(it->draft);
    assert_string_equal(it->pii_allowed.s, "公示名单经本人同意");
    assert_int_equal(it->body_line, 17);
    assert_true(it->body_len > 0);
    assert_memory_equal(it->body, "\n## 一、部门职责", strlen("\n## 一、部门职责"));
    /* Where its value was written, as the field says and the checks ask. */
    int line = 0, col = 0;
    assert_true(content_item_where(it, "doc_number", &line, &col));
    assert_int_equal(line, 6);
    assert_int_equal(col, 14);
    assert_int_equal(it->doc_number.line, 6);
    assert_int_equal(it->doc_number.col, 14);

    it = loaded_find(&l, "content/czj/2026/三公经费 公开.md");
    assert_int_equal(it->format, CONTENT_FORMAT_YAML);
    assert_string_equal(it->slug, "三公经费 公开");
    assert_string_equal(it->title, "2025年度“三公”经费决算公开");
    assert_when(it->date, 2026, 3, 1);
    assert_int_equal(it->status, CONTENT_VALIDITY_REPEALED);
    assert_int_equal(it->disclosure, CONTENT_DISCLOSURE_ON_REQUEST);
    assert_int_equal(it->keywords.len, 1); /* one string is a list of one */
    assert_string_equal(it->keywords.v[0].s, "三公经费");
    assert_int_equal(it->category.line, 4);
    assert_int_equal(it->category.col, 11);
    assert_int_equal(it->body_line, 9);

    it = loaded_find(&l, "content/czj/crlf.md");
    assert_string_equal(it->title, "用 Windows 记事本保存的公告");
    assert_when(it->date, 2026, 2, 1);
    assert_true(it->date.has_time);
    assert_int_equal(it->date.hour, 8);
    assert_int_equal(it->body_line, 6);
    assert_int_equal(it->body_len, strlen("正文\r\n"));
    assert_memory_equal(it->body, "正文\r\n", it->body_len);
    assert_int_equal(it->text_len, 3 + strlen(it->text + 3));

    it = loaded_find(&l, "content/baima/2026-Q1/zhengwu.md");
    assert_string_equal(it->department, "baima");
    assert_int_equal(it->dept->kind, DEPARTMENT_KIND_TOWNSHIP);
    assert_int_equal(it->period.kind, CONTENT_PERIOD_QUARTER);
    assert_int_equal(it->period.year, 2026);
    assert_int_equal(it->period.n, 1);
    assert_string_equal(it->period_text, "2026-Q1");
    assert_int_equal(it->reviewed_by.len, 2);
    assert_string_equal(it->reviewed_by.v[1].s, "王五");
    assert_int_equal(it->reviewed_by.v[1].line, 8);
    assert_when(it->reviewed_on, 2026, 4, 1);
    assert_false(it->boards_given); /* the department's boards by default */
    assert_int_equal(it->boards.len, 1);
    assert_string_equal(it->boards.v[0].s, "baima-board");

    it = loaded_find(&l, "content/baima/caogao.md");
    assert_true(it->draft);
    assert_int_equal(it->period.kind, CONTENT_PERIOD_MONTH);
    assert_int_equal(it->period.n, 8);
    assert_true(it->boards_given); /* boards = [] posts it nowhere */
    assert_int_equal(it->boards.len, 0);
    assert_int_equal(it->body_len, 0);

    it = loaded_find(&l, "content/top.md");
    assert_string_equal(it->rel, "top.md");
    assert_string_equal(it->department, "czj");
    assert_true(it->department_given);
    assert_int_equal(it->boards.len, 1);
    assert_int_equal(it->boards.v[0].line, 6);
    loaded_release(&l);
}

/* ---- one file per rule -------------------------------------------------- */

#define BAD "content/czj/"

static void test_bad_site(void **state)
{
    (void)state;
    loaded l;
    load(&l, "tests/fixtures/content/bad");
    const diag_severity E = DIAG_ERROR, W = DIAG_WARNING;
    const want w[] = {
        {BAD "gk101-invalid-utf8.md", 6, 3, E, "GK101"},
        {BAD "gk102-gbk.md", 2, 10, E, "GK102"},
        {BAD "gk103-blank.md", 1, 1, E, "GK103"},
        {BAD "gk103-empty.md", 1, 1, E, "GK103"},
        {BAD "gk104-blank-line-first.md", 1, 1, E, "GK104"},
        {BAD "gk104-no-front-matter.md", 1, 1, E, "GK104"},
        {BAD "gk105-unclosed.md", 1, 1, E, "GK105"},
        {BAD "gk106-toml-date.md", 3, 8, E, "GK106"},
        {BAD "gk106-toml-syntax.md", 4, 12, E, "GK106"},
        {BAD "gk106-yaml-alias.md", 2, 8, E, "GK106"},
        {BAD "gk106-yaml-duplicate.md", 4, 1, E, "GK106"},
        {BAD "gk106-yaml-not-mapping.md", 2, 1, E, "GK106"},
        {BAD "gk106-yaml-syntax.md", 5, 1, E, "GK106"},
        {BAD "gk107-missing.md", 1, 1, E, "GK107"},
        {BAD "gk107-missing.md", 1, 1, E, "GK107"},
        {BAD "gk108-wrong-type.md", 2, 9, E, "GK108"},
        {BAD "gk108-wrong-type.md", 5, 12, E, "GK108"},
        {BAD "gk108-wrong-type.md", 6, 9, E, "GK108"},
        {BAD "gk108-wrong-type.md", 7, 15, E, "GK108"},
        {BAD "gk108-wrong-type.md", 8, 25, E, "GK108"},
        {BAD "gk109-bad-date.md", 3, 8, E, "GK109"},
        {BAD "gk109-bad-date.md", 4, 11, E, "GK109"},
        {BAD "gk109-bad-date.md", 6, 11, E, "GK109"},
        {BAD "gk109-yaml-date.md", 3, 7, E, "GK109"},
        {BAD "gk110-unknown-department.md", 5, 14, E, "GK110"},
        {BAD "gk112-unknown-key.md", 5, 1, W, "GK112"},
        {BAD "gk112-unknown-key.md", 6, 1, W, "GK112"},
        {BAD "gk112-unknown-key.md", 7, 1, W, "GK112"},
        {BAD "gk112-unknown-key.md", 8, 1, W, "GK112"},
        {BAD "gk113-invalid-value.md", 2, 9, E, "GK113"},
        {BAD "gk113-invalid-value.md", 5, 10, E, "GK113"},
        {BAD "gk113-invalid-value.md", 6, 14, E, "GK113"},
        {BAD "gk113-invalid-value.md", 7, 10, E, "GK113"},
        {BAD "gk113-invalid-value.md", 8, 26, E, "GK113"},
        {BAD "gk113-invalid-value.md", 9, 15, E, "GK113"},
        {BAD "gk113-title-lines.md", 2, 8, E, "GK113"},
        {"content/gk107-top-no-department.md", 1, 1, E, "GK107"},
        {"content/nosuch/gk110-folder.md", 1, 1, E, "GK110"},
    };
    assert_diags(&l, w, sizeof w / sizeof w[0]);
    assert_int_equal(l.rc, -1);

    assert_message_has(&l, BAD "gk102-gbk.md", "GK102", "GBK");
    assert_message_has(&l, BAD "gk102-gbk.md", "GK102", "gongkai fix-encoding " BAD "gk102-gbk.md");
    assert_message_has(&l, BAD "gk104-blank-line-first.md", "GK104", "第 2 行");
    assert_message_has(&l, BAD "gk106-toml-syntax.md", "GK106", "TOML");
    assert_message_has(&l, BAD "gk106-yaml-alias.md", "GK106", "锚点");
    assert_message_has(&l, BAD "gk106-yaml-duplicate.md", "GK106", "第 2 行");
    assert_message_has(&l, BAD "gk107-missing.md", "GK107", "date");
    assert_message_has(&l, BAD "gk108-wrong-type.md", "GK108",
                       "“title”的类型不对：应为字符串，实际是整数");
    assert_message_has(&l, BAD "gk108-wrong-type.md", "GK108", "“attachments”的第 2 项");
    assert_message_has(&l, BAD "gk109-bad-date.md", "GK109", "2 月只有 28 天");
    assert_message_has(&l, BAD "gk110-unknown-department.md", "GK110", "czj、baima");
    assert_message_has(&l, "content/nosuch/gk110-folder.md", "GK110", "文件夹“nosuch”");
    assert_message_has(&l, BAD "gk112-unknown-key.md", "GK112", "是不是想写“title”");
    assert_message_has(&l, BAD "gk112-unknown-key.md", "GK112", "是不是想写“doc_number”");
    assert_message_has(&l, BAD "gk113-invalid-value.md", "GK113", "标题（title）不能为空");

    /* Files whose front matter could not be read are not items; the others
     * are, flagged, so that later checks can still look at them. */
    assert_int_equal(l.set.len, 11);
    assert_true(loaded_find(&l, BAD "gk112-unknown-key.md")->ok);
    const content_item *it = loaded_find(&l, BAD "gk108-wrong-type.md");
    assert_false(it->ok);
    assert_string_equal(it->title, "");
    assert_string_equal(it->category.s, "x");
    assert_when(it->date, 2026, 1, 5);
    it = loaded_find(&l, "content/nosuch/gk110-folder.md");
    assert_string_equal(it->department, "nosuch");
    assert_null(it->dept);
    loaded_release(&l);
}

/* The fixture sites must also be real sites for the config stage. */
static void test_fixture_site_toml(void **state)
{
    (void)state;
    static const char *const roots[] = {"tests/fixtures/content/good",
                                        "tests/fixtures/content/bad"};
    for (size_t i = 0; i < 2; i++) {
        site_config cfg;
        diag_list diags;
        diag_list_init(&diags);
        int rc = config_load(&cfg, roots[i], &diags);
        if (rc != 0 || diags.len) {
            diag_list_print_text(&diags, stderr);
            fail_msg("%s/site.toml does not load cleanly", roots[i]);
        }
        assert_int_equal(cfg.department_count, 2);
        assert_non_null(config_department_find(&cfg, "czj"));
        assert_non_null(config_department_find(&cfg, "baima"));
        assert_non_null(config_board_find(&cfg, "baima-board"));
        config_free(&cfg);
        diag_list_free(&diags);
    }
}

/* ---- generated sites ---------------------------------------------------- */

static char *make_site(void)
{
    char *root = strdup("/tmp/gk-content-XXXXXX");
    assert_non_null(mkdtemp(root));
    return root;
}

static void drop_site(char *root)
{
    test_tree_remove(AT_FDCWD, root);
    free(root);
}

static void test_big_inputs(void **state)
{
    (void)state;
    char *root = make_site();

    /* A 10 MB item. */
    buf b = BUF_INIT;
    buf_puts(&b, "+++\ntitle = \"大文件\"\ndate = 2026-01-05\ncategory = \"工作动态\"\n+++\n");
    size_t head = b.len;
    while (b.len < 10 * 1024 * 1024)
        buf_puts(&b, "财政预算公开，第二段正文。\n");
    test_tree_write(root, "content/czj/big.md", b.ptr, b.len);
    size_t big_len = b.len;

    /* Ten thousand keys, in TOML and in YAML. */
    buf_reset(&b);
    buf_puts(&b, "+++\ntitle = \"多键\"\ndate = 2026-01-05\ncategory = \"x\"\n");
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "key%05d = %d\n", i, i);
    buf_puts(&b, "+++\n");
    test_tree_write(root, "content/czj/many-toml.md", b.ptr, b.len);
    buf_reset(&b);
    buf_puts(&b, "---\ntitle: 多键\ndate: 2026-01-05\ncategory: x\n");
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "key%05d: %d\n", i, i);
    buf_puts(&b, "---\n");
    test_tree_write(root, "content/czj/many-yaml.md", b.ptr, b.len);
    buf_free(&b);

    /* Binary: NUL bytes only, and NUL after a valid front matter. */
    char zeros[4096] = {0};
    test_tree_write(root, "content/czj/nul.md", zeros, sizeof zeros);
    const char late[] = "+++\ntitle = \"a\"\n+++\nab\0cd";
    test_tree_write(root, "content/czj/nul-late.md", late, sizeof late - 1);

    loaded l;
    load(&l, root);
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.set.len, 3);
    const content_item *it = loaded_find(&l, "content/czj/big.md");
    assert_true(it->ok);
    assert_int_equal(it->text_len, big_len);
    assert_int_equal(it->body_len, big_len - head);
    assert_int_equal(it->body_line, 6);
    int line = 0, col = 0;
    it = loaded_find(&l, "content/czj/many-toml.md");
    assert_true(it->ok);
    assert_true(content_item_where(it, "key09999", &line, &col));
    assert_int_equal(line, 10004);
    assert_int_equal(col, 12);
    it = loaded_find(&l, "content/czj/many-yaml.md");
    assert_true(it->ok);
    assert_true(content_item_where(it, "key09999", &line, &col));
    assert_int_equal(line, 10004);
    assert_int_equal(col, 11);

    size_t warnings = 0, errors = 0;
    for (size_t i = 0; i < l.diags.len; i++) {
        const diag *d = &l.diags.items[i];
        if (d->severity == DIAG_WARNING && strcmp(d->code, "GK112") == 0)
            warnings++;
        if (d->severity == DIAG_ERROR)
            errors++;
    }
    assert_int_equal(warnings, 20000);
    assert_int_equal(errors, 2);
    const diag *d = diag_for(&l, "content/czj/nul.md", "GK101");
    assert_int_equal(d->line, 1);
    assert_int_equal(d->col, 1);
    d = diag_for(&l, "content/czj/nul-late.md", "GK101");
    assert_int_equal(d->line, 4);
    assert_int_equal(d->col, 3);
    loaded_release(&l);
    drop_site(root);
}

static void test_symlinks(void **state)
{
    (void)state;
    char *root = make_site();
    const char *item = "+++\ntitle = \"a\"\ndate = 2026-01-05\ncategory = \"x\"\n+++\n";
    test_tree_write_text(root, "content/baima/real.md", item);
    test_tree_write_text(root, "outside.md", item);
    buf p = BUF_INIT;
    buf_printf(&p, "%s/content/czj", root);
    assert_int_equal(mkdir(buf_cstr(&p), 0755), 0);
    buf_reset(&p);
    buf_printf(&p, "%s/content/czj/inside.md", root);
    assert_int_equal(symlink("../baima/real.md", buf_cstr(&p)), 0);
    buf_reset(&p);
    buf_printf(&p, "%s/content/czj/outside.md", root);
    assert_int_equal(symlink("../../outside.md", buf_cstr(&p)), 0);
    buf_reset(&p);
    buf_printf(&p, "%s/content/czj/broken.md", root);
    assert_int_equal(symlink("nowhere.md", buf_cstr(&p)), 0);
    buf_reset(&p);
    buf_printf(&p, "%s/content/czj/loop", root);
    assert_int_equal(symlink("..", buf_cstr(&p)), 0);
    buf_free(&p);

    loaded l;
    load(&l, root);
    const want w[] = {
        {"content/czj/broken.md", 0, 0, DIAG_ERROR, "GK901"},
        {"content/czj/outside.md", 0, 0, DIAG_ERROR, "GK208"},
    };
    assert_diags(&l, w, 2);
    assert_int_equal(l.rc, -1);
    assert_message_has(&l, "content/czj/outside.md", "GK208", "content/ 之外");
    assert_int_equal(l.set.len, 2); /* the loop was not followed */
    assert_string_equal(l.set.items[0].path, "content/baima/real.md");
    assert_string_equal(l.set.items[1].path, "content/czj/inside.md");
    assert_string_equal(l.set.items[1].department, "czj");
    loaded_release(&l);
    drop_site(root);
}

static void test_encodings(void **state)
{
    (void)state;
    char *root = make_site();
    test_tree_write_text(root, "content/czj/bom-bad.md", "\xef\xbb\xbf+\xff\n");
    test_tree_write_text(root, "content/czj/latin1.md", "+++\ntitle = \"caf\xe9\"\n+++\n");
    loaded l;
    load(&l, root);
    const want w[] = {
        {"content/czj/bom-bad.md", 1, 2, DIAG_ERROR, "GK101"},
        {"content/czj/latin1.md", 2, 13, DIAG_ERROR, "GK101"},
    };
    assert_diags(&l, w, 2);
    assert_message_has(&l, "content/czj/latin1.md", "GK101", "0xE9");
    loaded_release(&l);
    drop_site(root);
}

static void test_secrecy_kept(void **state)
{
    (void)state;
    char *root = make_site();
    test_tree_write_text(
        root, "content/czj/mi.md",
        "+++\ntitle = \"a\"\ndate = 2026-01-05\ncategory = \"x\"\nsecrecy = \"秘密\"\n+++\n");
    test_tree_write_text(root, "content/czj/mi-int.md",
                         "---\ntitle: a\ndate: 2026-01-05\ncategory: x\nsecrecy: 2\n---\n");
    test_tree_write_text(root, "content/czj/mi-zh.md",
                         "---\ntitle: a\ndate: 2026-01-05\ncategory: x\n密级: 机密\n---\n");
    loaded l;
    load(&l, root);
    const want w[] = {{"content/czj/mi-int.md", 5, 10, DIAG_ERROR, "GK108"}};
    assert_diags(&l, w, 1);
    const content_item *it = loaded_find(&l, "content/czj/mi.md");
    assert_true(it->ok);
    assert_string_equal(it->secrecy.s, "秘密");
    assert_int_equal(it->secrecy.line, 5);
    it = loaded_find(&l, "content/czj/mi-int.md");
    assert_non_null(it->secrecy.s);               /* a secrecy key of any type is still there */
    it = loaded_find(&l, "content/czj/mi-zh.md"); /* 密级 is secrecy, not an unknown key */
    assert_true(it->ok);
    assert_string_equal(it->secrecy.s, "机密");
    assert_int_equal(it->secrecy.line, 5);
    assert_int_equal(it->secrecy.col, 5);
    loaded_release(&l);
    drop_site(root);
}

static void test_file_load_and_missing_dir(void **state)
{
    (void)state;
    char *root = make_site();
    loaded l;
    load(&l, root); /* no content/ at all: an empty site */
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.set.len, 0);
    assert_int_equal(l.diags.len, 0);
    loaded_release(&l);

    /* Empty folders (once sorted with a null array: UBSan). */
    buf p = BUF_INIT;
    buf_printf(&p, "%s/content", root);
    assert_int_equal(mkdir(p.ptr, 0755), 0);
    buf_puts(&p, "/empty");
    assert_int_equal(mkdir(p.ptr, 0755), 0);
    buf_free(&p);
    load(&l, root);
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.diags.len, 0);

    test_tree_write_text(root, "content/czj/one.md",
                         "---\ntitle: 一\ndate: 2026-01-05 10:00\ncategory: x\n---\n");
    assert_int_equal(content_file_load(&l.set, &l.cfg, "content/czj/one.md", &l.diags), 0);
    assert_int_equal(l.set.len, 1);
    assert_string_equal(l.set.items[0].title, "一");
    assert_int_equal(l.set.items[0].date.hour, 10);
    assert_int_equal(content_file_load(&l.set, &l.cfg, "content/czj/two.md", &l.diags), -1);
    assert_int_equal(l.diags.len, 1);
    assert_string_equal(l.diags.items[0].code, "GK901");
    assert_string_equal(l.diags.items[0].path, "content/czj/two.md");
    loaded_release(&l);
    drop_site(root);
}

/* Items come in byte order of their paths on any number of threads, also
 * where that is not the order of the walk (2026-b.md before 2026/a.md, as
 * '-' sorts before '/'), and with files that give no item in between. */
static void test_path_order(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "content/czj/2026-b.md", "content/czj/2026.md",  "content/czj/2026/a.md",
        "content/czj/2026/b.md", "content/czj/2026a.md", "content/czj/a.md",
        "content/czj/z.md",
    };
    const size_t count = sizeof paths / sizeof *paths;
    char *root = make_site();
    for (size_t i = 0; i < count; i++)
        test_tree_write_text(root, paths[i],
                             "+++\ntitle = \"甲\"\ndate = 2026-01-05\ncategory = \"x\"\n+++\n");
    test_tree_write_text(root, "content/czj/2026/broken.md", "no front matter\n");
    test_tree_write_text(root, "content/czj/2026-a.md", "");
    for (size_t workers = 1; workers <= 3; workers++) {
        loaded l;
        test_config(&l.cfg, root);
        diag_list_init(&l.diags);
        l.rc = content_load(&l.set, &l.cfg, workers, NULL, &l.diags);
        diag_list_sort(&l.diags);
        assert_int_equal(l.rc, -1);
        assert_int_equal(l.diags.len, 2);
        assert_string_equal(l.diags.items[0].path, "content/czj/2026-a.md");
        assert_string_equal(l.diags.items[1].path, "content/czj/2026/broken.md");
        assert_int_equal(l.set.len, count);
        for (size_t i = 0; i < count; i++) {
            assert_string_equal(l.set.items[i].path, paths[i]);
            assert_true(l.set.items[i].ok);
        }
        loaded_release(&l);
    }
    drop_site(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_site),         cmocka_unit_test(test_bad_site),
        cmocka_unit_test(test_fixture_site_toml), cmocka_unit_test(test_big_inputs),
        cmocka_unit_test(test_symlinks),          cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_secrecy_kept),      cmocka_unit_test(test_file_load_and_missing_dir),
        cmocka_unit_test(test_path_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
