/* gongkai new: an item with its front matter filled in, for an editor. */
#include "cli.h"

#include "../util/buf.h"
#include "../util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

typedef struct new_options {
    const char *site;
    const char *category;
} new_options;

static int new_option(int opt, const char *arg, void *ctx)
{
    new_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    else if (opt == 'c')
        o->category = arg;
    return 0;
}

int cli_new(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"category", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    new_options o = {".", NULL};
    int first;
    int rc = cli_options_parse(argc, argv, "s:", longs, new_option, &o, &first);
    if (rc)
        return rc;
    if (first != argc - 1)
        return cli_usage_error("new 需要一个参数：content/<部门>/<文件名>.md%s", "");
    const char *item = argv[first];
    buf dept_id = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
    diag_list diags;
    diag_list_init(&diags);
    site_config cfg;
    catalogue cat;
    memset(&cat, 0, sizeof cat);
    bool have_cat = false;

    if (!new_item_department(item, &dept_id)) {
        rc = cli_usage_error("新信息的路径应为 content/<部门 id>/…/<文件名>.md，而不是 %s", item);
        goto out_nocfg;
    }
    if (config_load(&cfg, o.site, &diags) != 0) {
        cli_diags_report(&diags, false);
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
        cli_diags_report(&diags, false);
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
    buf dir = BUF_INIT;
    buf_put(&dir, path.ptr, (size_t)(strrchr(path.ptr, '/') - path.ptr));
    int made = path_mkdirs(dir.ptr);
    buf_free(&dir);
    if (made != 0) {
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
