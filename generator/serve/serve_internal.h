/* What the parts of the preview server share: the watcher, and the state the
 * serving loop publishes to the HTTP threads. */
#ifndef GK_SERVE_SERVE_INTERNAL_H
#define GK_SERVE_SERVE_INTERNAL_H

#include "serve.h"

#include "../util/xalloc.h"

#include <pthread.h>
#include <sys/socket.h>

/* Rebuild once the sources have been quiet this long. */
#define SERVE_QUIET_MS 100
/* The server's own URLs live under this prefix, never the site's. */
#define SERVE_EVENTS_PATH "/__gongkai/events"
/* An idle event stream sends a comment this often, so dead clients go. */
#define SERVE_PING_SECONDS 15

typedef struct serve_watch {
    int fd;
    const char *site;
    int root_wd;
    char **paths; /* by watch descriptor: the folder watched */
    size_t path_count, path_cap;
} serve_watch;

int serve_watch_open(serve_watch *w, const char *site, buf *err);
/* Wait for a change of the sources (then 1, once they have been quiet for
 * SERVE_QUIET_MS) or for stop_fd to become readable (then 0). -1 with a
 * message in *err when watching failed. */
int serve_watch_wait(serve_watch *w, int stop_fd, buf *err);
void serve_watch_close(serve_watch *w);

typedef struct serve_state {
    const char *root; /* the served directory, resolved */
    pthread_mutex_t lock;
    pthread_cond_t changed;   /* generation or stopping changed */
    unsigned long generation; /* builds finished, good or not */
    bool has_site;            /* some build succeeded */
    bool stopping;
    char *error_html; /* the diagnostics panel while the last build failed, else NULL */
} serve_state;

struct MHD_Daemon;
/* Start serving st->root on addr (IPv6 when ipv6). NULL with *err set when
 * the address cannot be bound. */
struct MHD_Daemon *serve_http_start(serve_state *st, const struct sockaddr *addr, bool ipv6,
                                    buf *err);
void serve_http_stop(struct MHD_Daemon *d);
/* The port the daemon listens on. */
int serve_http_port(struct MHD_Daemon *d);

#endif
