/* The gongkai command line. Each command loads the site model in the one
 * direction the data flows (config → content → catalogue) and then does its
 * own job: check reports, build renders, new writes a skeleton item. */
#include "catalogue/catalogue.h"
#include "config/config.h"
#include "content/content.h"
#include "render/markdown.h"
#include "render/site.h"
#include "util/buf.h"
#include "util/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_CONTENT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "用法：gongkai <命令> [选项]\n"
    "\n"
    "命令：\n"
    "  check  [-s 站点] [--format text|json] [--drafts]\n"
    "         检查 site.toml、分类目录和全部信息条目，报告所有错误和警告\n"
    "  build  [-s 站点] [-o 输出目录] [--drafts]\n"
    "         检查站点并生成网站（默认输出到 站点/public），分配索引号并记入 catalogue.lock\n"
    "  new    content/<部门>/<文件名>.md [-s 站点] [--category 分类]\n"
    "         新建一条信息，front matter 已按部门和今天的日期填好\n"
    "\n"
    "选项：\n"
    "  -s, --site 目录   站点目录（含 site.toml），默认当前目录\n"
    "  -h, --help        显示本帮助\n"
    "      --version     显示版本\n"
    "\n"
    "退出码：0 成功，1 内容或检查有错误，2 用法错误，3 内部或读写错误。\n"
    "诊断信息输出到标准错误，格式为 路径:行:列: 错误|警告 [代码]: 说明。\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "gongkai: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n请运行 gongkai --help 查看用法。\n");
    return EXIT_USAGE;
}

typedef struct options {
    const char *site;
    const char *out;
    const char *category;
    bool json;
    bool drafts;
    int first_arg; /* index in argv of the first operand */
} options;

enum { OPT_FORMAT = 256, OPT_DRAFTS, OPT_CATEGORY };

/* Parse the options `allowed` (a string of short names; long ones map onto
 * them) for one command. Returns 0, or EXIT_USAGE after saying why. */
static int options_parse(int argc, char **argv, const char *allowed, options *o)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"drafts", no_argument, NULL, OPT_DRAFTS},
        {"category", required_argument, NULL, OPT_CATEGORY},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->site = ".";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":s:o:", longs, NULL)) != -1) {
        char name = c == OPT_FORMAT     ? 'f'
                    : c == OPT_DRAFTS   ? 'd'
                    : c == OPT_CATEGORY ? 'c'
                                        : (char)c;
        if (c == ':')
            return usage_error("选项 %s 缺少参数", argv[optind - 1]);
        if (c == '?' || !strchr(allowed, name))
            return usage_error("这个命令不支持选项 %s", argv[optind - 1]);
        switch (c) {
        case 's':
            o->site = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return usage_error("--format 只能是 text 或 json，而不是 %s", optarg);
            o->json = strcmp(optarg, "json") == 0;
            break;
        case OPT_DRAFTS:
            o->drafts = true;
            break;
        case OPT_CATEGORY:
            o->category = optarg;
            break;
        }
    }
    o->first_arg = optind;
    return 0;
}

/* Everything a command knows about a site, loaded in the order data flows. */
typedef struct model {
    site_config cfg;
    catalogue cat;
    content_set content;
    naming *names;
    bool has_cfg, has_cat, has_content;
} model;

/* Load as far as the errors allow, so that one run reports every problem:
 * a broken catalogue does not stop the items from being read. */
static int model_load(model *m, const char *site, diag_list *diags)
{
    memset(m, 0, sizeof *m);
    int rc = config_load(&m->cfg, site, diags);
    m->has_cfg = true;
    if (!m->cfg.parsed)
        return -1; /* without departments every item would be misreported */
    rc |= catalogue_load(&m->cat, &m->cfg, diags);
    m->has_cat = true;
    rc |= content_load(&m->content, &m->cfg, diags);
    m->has_content = true;
    if (!m->cat.count)
        return -1;
    rc |= catalogue_items_resolve(&m->cat, &m->content, diags);
    if (naming_open(&m->names, &m->cfg, diags) != 0)
        return -1;
    rc |= catalogue_lock_apply(&m->cat, &m->content, m->names, &m->cfg, date_today(), diags);
    return rc ? -1 : 0;
}

static void model_free(model *m)
{
    naming_close(m->names);
    if (m->has_content)
        content_free(&m->content);
    if (m->has_cat)
        catalogue_free(&m->cat);
    if (m->has_cfg)
        config_free(&m->cfg);
}

static void diags_report(diag_list *diags, bool json)
{
    diag_list_sort(diags);
    if (json) {
        diag_list_print_json(diags, stdout);
        return;
    }
    diag_list_print_text(diags, stderr);
}

static int cmd_check(int argc, char **argv)
{
    options o;
    int rc = options_parse(argc, argv, "sfd", &o);
    if (rc)
        return rc;
    if (o.first_arg < argc)
        return usage_error("check 不接受参数 %s", argv[o.first_arg]);
    diag_list diags;
    diag_list_init(&diags);
    model m;
    model_load(&m, o.site, &diags);
    size_t errors = diag_list_count(&diags, DIAG_ERROR);
    size_t warnings = diag_list_count(&diags, DIAG_WARNING);
    diags_report(&diags, o.json);
    if (!o.json)
        fprintf(stderr, "检查了 %zu 条信息：%zu 个错误，%zu 个警告\n", m.content.len, errors,
                warnings);
    model_free(&m);
    diag_list_free(&diags);
    return errors ? EXIT_CONTENT : 0;
}

static int cmd_build(int argc, char **argv)
{
    options o;
    int rc = options_parse(argc, argv, "sod", &o);
    if (rc)
        return rc;
    if (o.first_arg < argc)
        return usage_error("build 不接受参数 %s", argv[o.first_arg]);
    diag_list diags;
    diag_list_init(&diags);
    model m;
    buf out = BUF_INIT;
    if (model_load(&m, o.site, &diags) != 0) {
        rc = EXIT_CONTENT;
    } else {
        if (o.out)
            buf_puts(&out, o.out);
        else
            buf_printf(&out, "%s/public", o.site);
        render_options ropt = {out.ptr, o.drafts};
        render_stats stats = {0};
        int r = render_site(&m.cfg, &m.cat, m.names, &ropt, &stats, &diags);
        bool written = false;
        if (r == RENDER_ERROR_IO)
            rc = EXIT_INTERNAL;
        else if (r != 0)
            rc = EXIT_CONTENT;
        else if (catalogue_lock_write(&m.cat, &written, &diags) != 0)
            rc = EXIT_INTERNAL;
        if (rc == 0)
            fprintf(stderr, "gongkai: 已生成 %s：%zu 条信息，%zu 个页面，共 %zu 个文件%s。\n",
                    out.ptr, stats.items, stats.pages, stats.files,
                    written ? "；catalogue.lock 已更新（请一并提交）" : "");
    }
    diags_report(&diags, false);
    if (rc)
        fprintf(stderr, "gongkai: 有 %zu 个错误，未生成网站，原有输出保持不变。\n",
                diag_list_count(&diags, DIAG_ERROR));
    buf_free(&out);
    model_free(&m);
    diag_list_free(&diags);
    return rc;
}

/* content/<department>/.../<name>.md → the department id, or NULL. */
static const char *new_item_department(const char *path, buf *dept)
{
    const char *prefix = "content/";
    size_t len = strlen(path);
    if (strncmp(path, prefix, strlen(prefix)) != 0 || len < 4 ||
        strcmp(path + len - 3, ".md") != 0 || strstr(path, "..") || strstr(path, "//"))
        return NULL;
    const char *start = path + strlen(prefix);
    const char *slash = strchr(start, '/');
    if (!slash || slash == start)
        return NULL;
    buf_reset(dept);
    buf_put(dept, start, (size_t)(slash - start));
    return dept->ptr;
}

/* mkdir -p for the folders leading to `path`. */
static int new_item_mkdirs(const char *path)
{
    buf dir = BUF_INIT;
    int rc = 0;
    for (const char *p = strchr(path + 1, '/'); p && !rc; p = strchr(p + 1, '/')) {
        buf_reset(&dir);
        buf_put(&dir, path, (size_t)(p - path));
        if (mkdir(dir.ptr, 0777) != 0 && errno != EEXIST)
            rc = -1;
    }
    buf_free(&dir);
    return rc;
}

static const category *new_item_category(const catalogue *cat, const department *dept)
{
    category_scope want = dept->kind == DEPARTMENT_KIND_DEPARTMENT ? CATEGORY_SCOPE_DEPARTMENT
                                                                   : CATEGORY_SCOPE_TOWNSHIP;
    for (size_t i = 0; i < cat->count; i++)
        if (cat->categories[i].scope == want)
            return &cat->categories[i];
    for (size_t i = 0; i < cat->count; i++)
        if (cat->categories[i].scope == CATEGORY_SCOPE_BOTH)
            return &cat->categories[i];
    return cat->count ? &cat->categories[0] : NULL;
}

static int cmd_new(int argc, char **argv)
{
    options o;
    int rc = options_parse(argc, argv, "sc", &o);
    if (rc)
        return rc;
    if (o.first_arg != argc - 1)
        return usage_error("new 需要一个参数：content/<部门>/<文件名>.md%s", "");
    const char *item = argv[o.first_arg];
    buf dept_id = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
    diag_list diags;
    diag_list_init(&diags);
    site_config cfg;
    catalogue cat;
    memset(&cat, 0, sizeof cat);
    bool have_cat = false;

    if (!new_item_department(item, &dept_id)) {
        rc = usage_error("新信息的路径应为 content/<部门 id>/…/<文件名>.md，而不是 %s", item);
        goto out_nocfg;
    }
    if (config_load(&cfg, o.site, &diags) != 0) {
        diags_report(&diags, false);
        rc = EXIT_CONTENT;
        goto out;
    }
    const department *dept = config_department_find(&cfg, dept_id.ptr);
    if (!dept) {
        fprintf(stderr,
                "gongkai: site.toml 中没有 id 为“%s”的部门；请先在 [[departments]] "
                "中添加，或检查路径中的部门文件夹名。\n",
                dept_id.ptr);
        rc = EXIT_CONTENT;
        goto out;
    }
    if (catalogue_load(&cat, &cfg, &diags) != 0) {
        diags_report(&diags, false);
        rc = EXIT_CONTENT;
        goto out;
    }
    have_cat = true;
    const category *c =
        o.category ? catalogue_category_find(&cat, o.category) : new_item_category(&cat, dept);
    if (!c) {
        fprintf(stderr, "gongkai: 分类“%s”不在 %s 中。\n", o.category ? o.category : "",
                cat.source);
        rc = EXIT_CONTENT;
        goto out;
    }

    char today[11];
    date_format(date_today(), today);
    buf_printf(&text,
               "+++\n"
               "title = \"\"            # 标题：必填，一行\n"
               "date = %s        # 发布日期\n"
               "created = %s     # 成文日期：时效从这天算起\n"
               "category = \"%s\"   # 分类：%s 中的名称或 key\n"
               "# doc_number = \"%s发〔%.4s〕1号\"   # 发布文号（如有）\n"
               "keywords = []\n"
               "+++\n"
               "\n",
               today, today, c->name, cat.source, dept->abbr ? dept->abbr : "", today);
    buf_printf(&path, "%s/%s", o.site, item);
    if (new_item_mkdirs(path.ptr) != 0) {
        fprintf(stderr, "gongkai: 无法创建 %s 的上级目录：%s\n", item, strerror(errno));
        rc = EXIT_INTERNAL;
        goto out;
    }
    /* O_EXCL: never overwrite an editor's existing item. */
    int fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) {
        fprintf(stderr, "gongkai: 无法新建 %s：%s\n", item,
                errno == EEXIST ? "文件已存在，不会覆盖" : strerror(errno));
        rc = errno == EEXIST ? EXIT_USAGE : EXIT_INTERNAL;
        goto out;
    }
    ssize_t n = write(fd, text.ptr, text.len);
    if (close(fd) != 0 || n != (ssize_t)text.len) {
        fprintf(stderr, "gongkai: 写入 %s 失败\n", item);
        unlink(path.ptr);
        rc = EXIT_INTERNAL;
        goto out;
    }
    printf("已新建 %s（%s · %s）：请填写标题和正文，然后运行 gongkai check。\n", item, dept->name,
           c->name);
out:
    if (have_cat)
        catalogue_free(&cat);
    config_free(&cfg);
out_nocfg:
    diag_list_free(&diags);
    buf_free(&dept_id);
    buf_free(&path);
    buf_free(&text);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("gongkai %s\n", GK_VERSION);
        return 0;
    }
    markdown_init();
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"check", cmd_check}, {"build", cmd_build}, {"new", cmd_new}};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return usage_error("未知命令 %s", cmd);
}
