/* The serving loop: build, serve, wait for a change or a signal, rebuild,
 * tell the pages. SIGINT and SIGTERM are blocked in every thread and read
 * from a signalfd by this loop, so a stop always goes through the same
 * orderly path: streams end, connections close, threads are joined. */
#include "serve_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The panel that tops every page while the sources do not build. Inline
 * styles: it must not depend on the site's CSS. */
static char *serve_error_panel(const char *report)
{
    buf html = BUF_INIT;
    buf_puts(&html, "<div id=\"gongkai-build-error\" role=\"alert\" style=\"position:fixed;"
                    "top:0;left:0;right:0;z-index:2147483647;max-height:70vh;overflow:auto;"
                    "margin:0;padding:1rem 1.5rem;background:#fff;color:#1f2328;"
                    "border-bottom:4px solid #9b1b1f;box-shadow:0 4px 16px rgba(0,0,0,.35);"
                    "font:15px/1.6 sans-serif\">\n"
                    "<h2 style=\"margin:0 0 .5rem;color:#9b1b1f;font-size:1.2rem\">"
                    "网站生成失败</h2>\n<p style=\"margin:0 0 .5rem\">按下面的提示修改后，"
                    "页面会自动刷新。在此之前，预览显示的是上一次生成成功的网站。</p>\n"
                    "<pre style=\"margin:0;white-space:pre-wrap;font:13px/1.5 monospace;"
                    "background:#fbf3f2;padding:.75rem\">");
    buf_put_html_escaped(&html, report, strlen(report));
    buf_puts(&html, "</pre>\n</div>\n");
    return html.ptr;
}

static double serve_seconds(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Build, then publish the outcome to the HTTP threads and wake the streams. */
static void serve_build(const serve_options *opt, serve_state *st)
{
    buf report = BUF_INIT;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = opt->build(opt->ctx, opt->out_dir, &report);
    double took = serve_seconds(&t0);
    char *panel = rc ? serve_error_panel(buf_cstr(&report)) : NULL;
    pthread_mutex_lock(&st->lock);
    free(st->error_html);
    st->error_html = panel;
    st->has_site = st->has_site || rc == 0;
    st->generation++;
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->lock);
    if (rc == 0)
        fprintf(stderr, "gongkai: 预览已更新（%.2f 秒）。\n", took);
    else
        fprintf(stderr, "gongkai: 生成失败，浏览器中会显示错误；%s。\n",
                st->has_site ? "继续提供上一次生成成功的网站" : "修改后会自动重新生成");
    buf_free(&report);
}

static int serve_mkdirs(const char *path, buf *err)
{
    buf p = BUF_INIT;
    buf_puts(&p, path);
    int rc = 0;
    for (size_t i = 1; i <= p.len && rc == 0; i++) {
        if (i < p.len && p.ptr[i] != '/')
            continue;
        char c = p.ptr[i];
        p.ptr[i] = '\0';
        if (mkdir(p.ptr, 0777) != 0 && errno != EEXIST) {
            buf_printf(err, "无法创建 %s：%s", p.ptr, strerror(errno));
            rc = -1;
        }
        p.ptr[i] = c;
    }
    buf_free(&p);
    return rc;
}

typedef struct serve_addr {
    struct sockaddr_storage ss;
    bool ipv6;
} serve_addr;

static int serve_parse_addr(const char *bind, int port, serve_addr *a, buf *err)
{
    memset(a, 0, sizeof *a);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        a->ipv6 = true;
        return 0;
    }
    buf_printf(err, "“%s”不是 IP 地址", bind);
    return -1;
}

int serve_run(const serve_options *opt, buf *err)
{
    serve_addr addr;
    if (serve_parse_addr(opt->bind, opt->port, &addr, err) != 0 ||
        serve_mkdirs(opt->out_dir, err) != 0)
        return SERVE_ERROR_START;
    char root[PATH_MAX];
    if (!realpath(opt->out_dir, root)) {
        buf_printf(err, "无法访问 %s：%s", opt->out_dir, strerror(errno));
        return SERVE_ERROR_START;
    }
    serve_state st;
    memset(&st, 0, sizeof st);
    st.root = root;
    pthread_mutex_init(&st.lock, NULL);
    pthread_cond_init(&st.changed, NULL);

    /* Block the stop signals before any thread starts: all inherit the mask. */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    int sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
    serve_watch w = {.fd = -1};
    int rc = SERVE_ERROR_START;
    struct MHD_Daemon *d = NULL;
    if (sigfd < 0) {
        buf_printf(err, "signalfd：%s", strerror(errno));
    } else if (serve_watch_open(&w, opt->site, err) != 0) {
        rc = SERVE_ERROR_WATCH;
    } else {
        /* Watching starts before the first build: no edit is missed. */
        serve_build(opt, &st);
        d = serve_http_start(&st, (const struct sockaddr *)&addr.ss, addr.ipv6, err);
    }
    if (d) {
        const char *fmt = addr.ipv6 ? "http://[%s]:%d/" : "http://%s:%d/";
        fprintf(stderr, "gongkai: 正在预览 ");
        fprintf(stderr, fmt, opt->bind, serve_http_port(d));
        fprintf(stderr, "（按 Ctrl+C 停止）\n");
        int r;
        while ((r = serve_watch_wait(&w, sigfd, err)) > 0) {
            fprintf(stderr, "gongkai: 文件有改动，重新生成……\n");
            serve_build(opt, &st);
        }
        rc = r == 0 ? 0 : SERVE_ERROR_WATCH;
        if (r == 0) {
            /* Take the signal, or it would strike once unblocked below. */
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) < 0)
                buf_printf(err, "signalfd：%s", strerror(errno));
        }
        pthread_mutex_lock(&st.lock);
        st.stopping = true;
        pthread_cond_broadcast(&st.changed);
        pthread_mutex_unlock(&st.lock);
        serve_http_stop(d);
        if (rc == 0)
            fprintf(stderr, "gongkai: 预览已停止。\n");
    }
    serve_watch_close(&w);
    if (sigfd >= 0)
        close(sigfd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(st.error_html);
    pthread_cond_destroy(&st.changed);
    pthread_mutex_destroy(&st.lock);
    return rc;
}
