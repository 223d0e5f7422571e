/* The HTTP side of the preview server (libmicrohttpd, a thread per
 * connection so that event streams may block): files of the served
 * directory with their content types, ETags and 304s, HEAD, the event
 * stream that tells pages to reload, and the reload script and error panel
 * injected into HTML on the way out. */
#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What each request sees of the state, taken under the lock at its start. */
typedef struct serve_view {
    unsigned long generation;
    bool has_site;
    char *error_html;
} serve_view;

static void serve_view_take(serve_state *st, serve_view *v)
{
    pthread_mutex_lock(&st->lock);
    v->generation = st->generation;
    v->has_site = st->has_site;
    v->error_html = st->error_html ? strdup(st->error_html) : NULL;
    pthread_mutex_unlock(&st->lock);
}

static void serve_common_headers(struct MHD_Response *r)
{
    /* A preview is always revalidated: the ETag makes that cheap. */
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result serve_queue(struct MHD_Connection *c, unsigned status,
                                   struct MHD_Response *r)
{
    serve_common_headers(r);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result serve_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    return serve_queue(c, status, r);
}

/* The page's tail: the reload script, and the error panel while the last
 * build failed. */
static void serve_snippet(const serve_view *v, buf *out)
{
    if (v->error_html)
        buf_puts(out, v->error_html);
    buf_printf(out,
               "<script>/* gongkai serve */(function(){var g=\"%lu\",s=new EventSource(\"%s\");"
               "s.onmessage=function(e){if(e.data!==g){s.close();location.reload();}};})();"
               "</script>\n",
               v->generation, SERVE_EVENTS_PATH);
}

static enum MHD_Result serve_html(struct MHD_Connection *c, unsigned status, const char *html,
                                  size_t len, const serve_view *v, const char *etag)
{
    buf page = BUF_INIT;
    size_t at = serve_inject_offset(html, len);
    buf_put(&page, html, at);
    serve_snippet(v, &page);
    buf_put(&page, html + at, len - at);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(page.len, page.ptr, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    if (etag)
        MHD_add_response_header(r, "ETag", etag);
    return serve_queue(c, status, r);
}

/* No site to show yet: the first build failed. */
static enum MHD_Result serve_no_site(struct MHD_Connection *c, const serve_view *v)
{
    static const char page[] = "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n"
                               "<meta charset=\"utf-8\">\n<title>网站生成失败</title>\n</head>\n"
                               "<body>\n</body>\n</html>\n";
    return serve_html(c, MHD_HTTP_INTERNAL_SERVER_ERROR, page, sizeof page - 1, v, NULL);
}

/* ---- the event stream ---------------------------------------------------- */

typedef struct serve_stream {
    serve_state *st;
    unsigned long sent; /* the generation last sent */
    bool started;
} serve_stream;

static ssize_t serve_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    serve_stream *s = cls;
    serve_state *st = s->st;
    pthread_mutex_lock(&st->lock);
    if (s->started) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += SERVE_PING_SECONDS;
        while (!st->stopping && st->generation == s->sent)
            if (pthread_cond_timedwait(&st->changed, &st->lock, &until) == ETIMEDOUT)
                break;
    }
    ssize_t n;
    if (st->stopping) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else if (s->started && st->generation == s->sent) {
        n = snprintf(out, max, ": ping\n\n");
    } else {
        /* The first message also asks for a quick reconnection, so that a
         * page finds the server again soon after it was restarted. */
        n = snprintf(out, max, "%sdata: %lu\n\n", s->started ? "" : "retry: 500\n", st->generation);
        s->started = true;
        s->sent = st->generation;
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

static enum MHD_Result serve_events(struct MHD_Connection *c, serve_state *st)
{
    serve_stream *s = xcalloc(1, sizeof *s);
    s->st = st;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, serve_stream_read, s, free);
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    return serve_queue(c, MHD_HTTP_OK, r);
}

/* ---- files --------------------------------------------------------------- */

static bool serve_etag_matches(struct MHD_Connection *c, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    /* A list of tags, maybe weak (W/"…"): compare each. */
    size_t n = strlen(etag);
    for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += n)
        if ((p[n] == '\0' || p[n] == ',' || p[n] == ' ') &&
            (p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/'))
            return true;
    return false;
}

static char *serve_read_fd(int fd, size_t size)
{
    char *data = xmalloc(size + 1);
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done != size) {
        free(data);
        return NULL;
    }
    return data;
}

/* Serve the file at `path` (under the root), or return false if there is
 * none. */
static bool serve_file(struct MHD_Connection *c, const serve_state *st, const char *path,
                       unsigned status, const serve_view *v, enum MHD_Result *ret)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return false;
    size_t rootlen = strlen(st->root);
    if (strncmp(real, st->root, rootlen) != 0 || real[rootlen] != '/')
        return false; /* a link out of the site: as if it were not there */
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return false;
    }
    const char *type = serve_mime_type(real);
    bool html = strncmp(type, "text/html", 9) == 0;
    char etag[128];
    /* Injected pages differ with the generation and the error panel. */
    snprintf(etag, sizeof etag, "\"%lx-%llx-%llx%s%lu%s\"", (unsigned long)sb.st_ino,
             (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)sb.st_mtim.tv_nsec,
             html ? "-g" : "", html ? v->generation : 0, html && v->error_html ? "e" : "");
    if (status == MHD_HTTP_OK && serve_etag_matches(c, etag)) {
        close(fd);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "ETag", etag);
        *ret = serve_queue(c, MHD_HTTP_NOT_MODIFIED, r);
        return true;
    }
    if (html) {
        char *data = serve_read_fd(fd, (size_t)sb.st_size);
        close(fd);
        if (!data)
            return false;
        *ret = serve_html(c, status, data, (size_t)sb.st_size, v, etag);
        free(data);
        return true;
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "ETag", etag);
    *ret = serve_queue(c, status, r);
    return true;
}

static enum MHD_Result serve_redirect(struct MHD_Connection *c, const char *url)
{
    buf to = BUF_INIT;
    buf_printf(&to, "%s/", url);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Location", to.ptr);
    buf_free(&to);
    return serve_queue(c, MHD_HTTP_MOVED_PERMANENTLY, r);
}

static enum MHD_Result serve_path(struct MHD_Connection *c, serve_state *st, const char *url,
                                  const serve_view *v)
{
    buf rel = BUF_INIT, path = BUF_INIT;
    enum MHD_Result ret;
    if (serve_path_normalise(url, &rel) != SERVE_PATH_OK) {
        ret = serve_text(c, MHD_HTTP_BAD_REQUEST, "400 请求的路径不合法\n");
    } else if (!v->has_site) {
        ret = serve_no_site(c, v);
    } else {
        buf_printf(&path, "%s/%s", st->root, buf_cstr(&rel));
        struct stat sb;
        bool dir = stat(path.ptr, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (dir && rel.len && rel.ptr[rel.len - 1] != '/') {
            /* The page's relative links need the slash. */
            ret = serve_redirect(c, url);
        } else {
            if (dir)
                buf_puts(&path, "index.html"); /* path ends in "/" here */
            if (!serve_file(c, st, path.ptr, MHD_HTTP_OK, v, &ret)) {
                buf_reset(&path);
                buf_printf(&path, "%s/404.html", st->root);
                if (!serve_file(c, st, path.ptr, MHD_HTTP_NOT_FOUND, v, &ret))
                    ret = serve_text(c, MHD_HTTP_NOT_FOUND, "404 页面不存在\n");
            }
        }
    }
    buf_free(&rel);
    buf_free(&path);
    return ret;
}

static enum MHD_Result serve_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_size, void **req)
{
    (void)version;
    (void)upload_data;
    serve_state *st = cls;
    /* The first call only announces the request; answer on the second, once
     * any body has been read (and ignored). */
    if (*req == NULL) {
        *req = st;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Allow", "GET, HEAD");
        return serve_queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    }
    if (strcmp(url, SERVE_EVENTS_PATH) == 0)
        return serve_events(c, st);
    serve_view v;
    serve_view_take(st, &v);
    enum MHD_Result ret = serve_path(c, st, url, &v);
    free(v.error_html);
    return ret;
}

/* Paths are decoded by serve_path_normalise, which refuses what must not be
 * decoded (%00, %2f, %2e%2e): leave them to it. */
static size_t serve_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

struct MHD_Daemon *serve_http_start(serve_state *st, const struct sockaddr *addr, bool ipv6,
                                    buf *err)
{
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | (ipv6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, 0, NULL, NULL, serve_request, st, MHD_OPTION_SOCK_ADDR, addr,
                         MHD_OPTION_UNESCAPE_CALLBACK, serve_unescape, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    if (!d)
        buf_printf(err, "无法在该地址和端口上启动预览服务器（端口可能已被占用）");
    return d;
}

void serve_http_stop(struct MHD_Daemon *d)
{
    MHD_stop_daemon(d);
}

int serve_http_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}
