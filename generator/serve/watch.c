/* Watching the site's sources with inotify: content/, templates/ and
 * themes/ with every folder below them (folders created later included),
 * and site.toml in the site directory. Everything else there (public/, the
 * preview's own .gongkai/, editors' hidden and backup files) is ignored, so
 * a build never triggers the next one. */
#include "serve_internal.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WATCH_TREE_MASK                                                                            \
    (IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |            \
     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_ROOT_MASK (IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO)

static const char *const watch_trees[] = {"content", "templates", "themes"};

static bool watch_ignored(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n && name[n - 1] == '~') || strcmp(name, "4913") == 0;
}

/* Watch `path` and every folder below it. */
static int watch_tree(serve_watch *w, const char *path, buf *err)
{
    int wd = inotify_add_watch(w->fd, path, WATCH_TREE_MASK);
    if (wd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0; /* gone already, or not a folder */
        buf_printf(err, "无法监视 %s：%s%s", path, strerror(errno),
                   errno == ENOSPC ? "（请调高 fs.inotify.max_user_watches）" : "");
        return -1;
    }
    w->paths = xgrow(w->paths, &w->path_cap, (size_t)wd + 1, sizeof *w->paths);
    for (size_t i = w->path_count; i <= (size_t)wd; i++)
        w->paths[i] = NULL;
    if ((size_t)wd + 1 > w->path_count)
        w->path_count = (size_t)wd + 1;
    free(w->paths[wd]);
    w->paths[wd] = strdup(path);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    buf child = BUF_INIT;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (watch_ignored(e->d_name))
            continue;
        buf_reset(&child);
        buf_printf(&child, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child.ptr, &st) == 0 && S_ISDIR(st.st_mode))
            rc = watch_tree(w, child.ptr, err);
    }
    closedir(d);
    buf_free(&child);
    return rc;
}

static int watch_all(serve_watch *w, buf *err)
{
    w->root_wd = inotify_add_watch(w->fd, w->site, WATCH_ROOT_MASK | IN_ONLYDIR);
    if (w->root_wd < 0) {
        buf_printf(err, "无法监视站点目录 %s：%s", w->site, strerror(errno));
        return -1;
    }
    buf path = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < sizeof watch_trees / sizeof *watch_trees && rc == 0; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/%s", w->site, watch_trees[i]);
        rc = watch_tree(w, path.ptr, err);
    }
    buf_free(&path);
    return rc;
}

int serve_watch_open(serve_watch *w, const char *site, buf *err)
{
    memset(w, 0, sizeof *w);
    w->site = site;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        buf_printf(err, "inotify 不可用：%s", strerror(errno));
        return -1;
    }
    return watch_all(w, err);
}

void serve_watch_close(serve_watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    for (size_t i = 0; i < w->path_count; i++)
        free(w->paths[i]);
    free(w->paths);
}

/* Whether an event in the site directory itself concerns the sources. */
static bool watch_root_relevant(const struct inotify_event *ev)
{
    if (!ev->len)
        return false;
    if (strcmp(ev->name, "site.toml") == 0)
        return true;
    for (size_t i = 0; i < sizeof watch_trees / sizeof *watch_trees; i++)
        if (strcmp(ev->name, watch_trees[i]) == 0)
            return true;
    return false;
}

/* Read what is queued. Returns 1 when something relevant changed, 0 if not,
 * -1 on a watch error (in *err). */
static int watch_read(serve_watch *w, buf *err)
{
    char events[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int changed = 0;
    for (;;) {
        ssize_t n = read(w->fd, events, sizeof events);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            buf_printf(err, "读取 inotify 事件失败：%s", strerror(errno));
            return -1;
        }
        if (n <= 0)
            return changed;
        for (char *p = events; p < events + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                /* Events were lost: watch everything afresh. */
                changed = 1;
                if (watch_all(w, err) != 0)
                    return -1;
                continue;
            }
            if (ev->wd == w->root_wd) {
                if (!watch_root_relevant(ev))
                    continue;
                changed = 1;
                if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && strcmp(ev->name, "site.toml") != 0) {
                    buf path = BUF_INIT;
                    buf_printf(&path, "%s/%s", w->site, ev->name);
                    int rc = watch_tree(w, path.ptr, err);
                    buf_free(&path);
                    if (rc)
                        return -1;
                }
                continue;
            }
            if (ev->len && watch_ignored(ev->name))
                continue;
            changed = 1;
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
                (size_t)ev->wd < w->path_count && w->paths[ev->wd]) {
                buf path = BUF_INIT;
                buf_printf(&path, "%s/%s", w->paths[ev->wd], ev->name);
                int rc = watch_tree(w, path.ptr, err);
                buf_free(&path);
                if (rc)
                    return -1;
            }
        }
    }
}

static long watch_ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

int serve_watch_wait(serve_watch *w, int stop_fd, buf *err)
{
    struct pollfd fds[2] = {{w->fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    bool changed = false;
    struct timespec last;
    for (;;) {
        /* After a change, wait until the sources have been quiet for a
         * moment: an editor's save or a copied folder is many events. */
        int timeout = -1;
        if (changed) {
            long left = SERVE_QUIET_MS - watch_ms_since(&last);
            if (left <= 0)
                return 1;
            timeout = (int)left;
        }
        int n = poll(fds, 2, timeout);
        if (n < 0 && errno != EINTR) {
            buf_printf(err, "poll：%s", strerror(errno));
            return -1;
        }
        if (n > 0 && fds[1].revents)
            return 0;
        if (n > 0 && fds[0].revents) {
            int rc = watch_read(w, err);
            if (rc < 0)
                return -1;
            if (rc > 0) {
                changed = true;
                clock_gettime(CLOCK_MONOTONIC, &last);
            }
        }
    }
}
