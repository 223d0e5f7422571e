/* gongkai build: check, render the whole site, record new index numbers. */
#include "cli.h"

#include "../render/site.h"
#include "../util/buf.h"
#include "../util/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct build_options {
    const char *site;
    const char *out;
    bool drafts;
    bool quiet;
    size_t jobs; /* 0: one per core */
} build_options;

static int build_option(int opt, const char *arg, void *ctx)
{
    build_options *o = ctx;
    if (opt == 's')
        o->site = arg;
    else if (opt == 'o')
        o->out = arg;
    else if (opt == 'd')
        o->drafts = true;
    else if (opt == 'q')
        o->quiet = true;
    else if (opt == 'j')
        return cli_jobs_parse(arg, &o->jobs);
    return 0;
}

/* A progress line on a terminal: items rendered of all, and the time taken. */
static void build_progress(void *ctx, size_t done, size_t total)
{
    const struct timespec *started = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double s =
        (double)(now.tv_sec - started->tv_sec) + (double)(now.tv_nsec - started->tv_nsec) / 1e9;
    fprintf(stderr, "\r渲染信息页面 %zu/%zu，已用 %.1f 秒", done, total, s);
}

static void *build_lock_stage(void *cat)
{
    catalogue_lock_stage(cat);
    return NULL;
}

int cli_build(int argc, char **argv)
{
    static const struct option longs[] = {
        {"site", required_argument, NULL, 's'}, {"output", required_argument, NULL, 'o'},
        {"drafts", no_argument, NULL, 'd'},     {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'j'}, {NULL, 0, NULL, 0},
    };
    build_options o = {".", NULL, false, false, 0};
    int first;
    int rc = cli_options_parse(argc, argv, "s:o:qj:", longs, build_option, &o, &first);
    if (rc)
        return rc;
    if (first < argc)
        return cli_usage_error("build 不接受参数 %s", argv[first]);
    diag_list diags;
    diag_list_init(&diags);
    cli_model m;
    buf out = BUF_INIT, cache = BUF_INIT;
    history *h = NULL;
    cli_output_path(&out, o.out, o.site, "public");
    buf_printf(&cache, "%s/.gongkai/items.cache", o.site);
    /* The render's first look runs while the model loads, which leaves a
     * core idle much of the time; -j1 asks for one thread. */
    render_prefetch *prefetch = (o.jobs ? o.jobs : pool_default_workers()) > 1
                                    ? render_prefetch_start(cache.ptr, out.ptr)
                                    : NULL;
    /* A site that breaks a refusal is never written. */
    rc = cli_model_ready(&m, o.site, o.drafts, o.jobs, &h, &diags);
    /* catalogue.lock's new text goes to disk while the site renders; it
     * is put in place only once the site is written. */
    pthread_t stager;
    bool staging =
        rc == 0 && o.jobs != 1 && pthread_create(&stager, NULL, build_lock_stage, &m.cat) == 0;
    if (rc == 0) {
        struct timespec started;
        clock_gettime(CLOCK_MONOTONIC, &started);
        render_options ropt = {
            out.ptr,  o.drafts, h,         o.quiet || !isatty(2) ? NULL : build_progress,
            &started, o.jobs,   cache.ptr, prefetch};
        render_stats stats = {0};
        int r = render_site(&m.cfg, &m.cat, m.names, &ropt, &stats, &diags);
        if (ropt.progress)
            fputs("\r\033[K", stderr);
        bool written = false;
        if (staging)
            pthread_join(stager, NULL);
        if (r == RENDER_ERROR_IO)
            rc = EXIT_INTERNAL;
        else if (r != 0)
            rc = EXIT_CONTENT;
        else if (catalogue_lock_write(&m.cat, &written, &diags) != 0)
            rc = EXIT_INTERNAL;
        if (rc == 0 && !o.quiet)
            fprintf(
                stderr,
                "gongkai: 已生成 %s：%zu 条信息，%zu 个页面，共 %zu 个文件（%zu 个有变化）%s。\n",
                out.ptr, stats.items, stats.pages, stats.files, stats.files - stats.unchanged,
                written ? "；catalogue.lock 已更新（请一并提交）" : "");
    }
    cli_diags_report(&diags, false);
    if (rc)
        fprintf(stderr, "gongkai: 有 %zu 个错误，未生成网站，原有输出保持不变。\n",
                diag_list_count(&diags, DIAG_ERROR));
    render_prefetch_free(prefetch);
    buf_free(&out);
    buf_free(&cache);
    history_close(h);
    cli_model_free(&m);
    diag_list_free(&diags);
    return rc;
}
