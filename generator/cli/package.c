/* gongkai package: the whole site in one zip for offline deployment. */
#include "cli.h"

#include "../archive/archive.h"
#include "../util/buf.h"

#include <inttypes.h>
#include <stdio.h>

typedef struct package_options {
    const char *site;
    const char *out;
} package_options;

/* --relative-urls needs no handling: every link the site writes is relative
 * (render/output.h), so the package always works under any folder. The
 * option is accepted so that deployment scripts may say what they rely on. */
static int package_option(int opt, const char *arg, void *ctx)
{
    package_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    else if (opt == 'o')
        o->out = arg;
    return 0;
}

int cli_package(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"relative-urls", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    package_options o = {".", NULL};
    int first;
    int rc = cli_options_parse(argc, argv, "s:o:", longs, package_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("package 不接受参数 %s", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    buf out = BUF_INIT;
    cli_output_path(&out, o.out, o.site, "archive/site.zip");
    history *h = NULL;
    rc = cli_model_ready(&m, o.site, false, 0, &h, &diags);
    if (rc == 0) {
        archive_result res;
        int r = archive_package_write(&m.cfg, &m.cat, m.names, h, out.ptr, &res, &diags);
        rc = r == 0 ? 0 : r == ARCHIVE_ERROR_IO ? EXIT_INTERNAL : EXIT_CONTENT;
        /* As for build: the numbers in the package are published. */
        bool written = false;
        if (rc == 0 && catalogue_lock_write(&m.cat, &written, &diags) != 0)
            rc = EXIT_INTERNAL;
        if (rc == 0)
            fprintf(stderr,
                    "gongkai: 已生成 %s：%zu 条信息，%zu 个文件，共 %" PRIu64 " 字节%s。\n"
                    "gongkai: 解压后直接打开 index.html，或用任何静态网页服务器提供（见包内 "
                    "README.txt）。\n",
                    res.path.ptr, res.items, res.files, res.bytes,
                    written ? "；catalogue.lock 已更新（请一并提交）" : "");
        buf_free(&res.path);
    }
    history_close(h);
    cli_diags_report(&diags, false);
    if (rc)
        fprintf(stderr, "gongkai: 有 %zu 个错误，没有生成离线包，原有的文件保持不变。\n",
                diag_list_count(&diags, DIAG_ERROR));
    buf_free(&out);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
