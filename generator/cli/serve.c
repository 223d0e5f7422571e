/* gongkai serve: preview the site in a browser while editing it. Builds go
 * to <site>/.gongkai/serve/site, never over public/, and never write
 * catalogue.lock: a preview changes nothing in the site. */
#include "cli.h"

#include "../render/site.h"
#include "../serve/serve.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct serve_cli {
    const char *site;
    const char *bind;
    int port;
    bool drafts;
} serve_cli;

static int serve_option(int opt, const char *arg, void *ctx)
{
    serve_cli *o = ctx;
    if (opt == 's') {
        o->site = arg;
    } else if (opt == 'p') {
        char *end;
        long port = strtol(arg, &end, 10);
        if (*arg == '\0' || *end || port < 0 || port > 65535)
            return cli_usage_error("--port 应是 0 到 65535 之间的数，而不是 %s", arg);
        o->port = (int)port;
    } else if (opt == 'b') {
        unsigned char any[16];
        if (inet_pton(AF_INET, arg, any) != 1 && inet_pton(AF_INET6, arg, any) != 1)
            return cli_usage_error("--bind 应是 IP 地址（如 127.0.0.1），而不是 %s", arg);
        o->bind = arg;
    } else if (opt == 'd') {
        o->drafts = true;
    }
    return 0;
}

/* One build as `gongkai build` does it, without recording index numbers.
 * The diagnostics go to stderr, and to *report when the build failed. */
static int serve_build_site(void *ctx, const char *out_dir, buf *report)
{
    const serve_cli *o = ctx;
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    history *h = NULL;
    int rc = cli_model_ready(&m, o->site, o->drafts, 0, &h, &diags);
    if (rc == 0) {
        /* Its own cache: the preview is written elsewhere than build's. */
        buf cache = BUF_INIT;
        buf_printf(&cache, "%s/.gongkai/serve-items.cache", o->site);
        render_options ropt = {
            .out_dir = out_dir, .drafts = o->drafts, .history = h, .cache_file = cache.ptr};
        render_stats stats = {0};
        rc = render_site(&m.cfg, &m.cat, m.names, &ropt, &stats, &diags);
        buf_free(&cache);
        if (rc == 0)
            fprintf(stderr, "gongkai: 渲染了 %zu 个页面（共 %zu 个文件，%zu 个有变化）。\n",
                    stats.pages, stats.files, stats.files - stats.unchanged);
    }
    diag_list_sort(&diags);
    diag_list_print_text(&diags, stderr);
    if (rc) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            diag_list_print_text(&diags, f);
            fclose(f);
            buf_put(report, text, len);
            free(text);
        }
    }
    history_close(h);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}

static bool serve_is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

int cli_serve(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'},
        {"port", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'b'},
        {"drafts", no_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    serve_cli o = {".", "127.0.0.1", 1313, false};
    int first;
    int rc = cli_options_parse(argc, argv, "s:p:", longs, serve_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("serve 不接受参数 %s", argv[first]);
    if (!serve_is_loopback(o.bind))
        fprintf(stderr,
                "gongkai: 警告 [GK703]: 预览绑定在 %s 上，同一网络中的其他人也能访问，"
                "包括尚未发布的草稿和修改。\n",
                o.bind);
    buf out = BUF_INIT, err = BUF_INIT;
    buf_printf(&out, "%s/.gongkai/serve/site", o.site);
    serve_options sopt = {o.site, out.ptr, o.bind, o.port, serve_build_site, &o};
    int r = serve_run(&sopt, &err);
    if (r != 0)
        fprintf(stderr, "gongkai: 错误 [%s]: %s\n", r == SERVE_ERROR_WATCH ? "GK702" : "GK701",
                err.ptr);
    buf_free(&out);
    buf_free(&err);
    return r == 0 ? 0 : EXIT_INTERNAL;
}
