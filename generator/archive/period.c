/* The period archive (建档): one zip per board and period with the sheets
 * PDF, the items' sources and attachments as committed, their pages as the
 * site renders them (with the theme's static files, so that they look the
 * same offline), and manifest.json. */
#include "archive_internal.h"

#include "../util/path.h"

#include "../render/site.h"
#include "../sheets/sheets.h"
#include "../util/atomic.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct archive_session {
    const site_config *cfg;
    const catalogue *cat;
    naming *names;
    arena mem;
    buf out_dir;
    buf work;     /* the work folder */
    buf site_dir; /* the site rendered in it */
    history *h;
    char head[41];           /* the source commit: HEAD, "" outside git */
    const char *release_tag; /* in h, or NULL */
};

static int archive_io_error(diag_list *diags, const buf *err)
{
    diag_add(diags, DIAG_ERROR, "GK801", "", 0, 0, "%s", buf_cstr(err));
    return ARCHIVE_ERROR_IO;
}

int archive_session_open(archive_session **out, const site_config *cfg, const catalogue *cat,
                         naming *names, history *h, const char *out_dir, diag_list *diags)
{
    archive_session *s = xcalloc(1, sizeof *s);
    *out = s;
    s->cfg = cfg;
    s->cat = cat;
    s->names = names;
    s->h = h;
    arena_init(&s->mem);
    buf_puts(&s->out_dir, out_dir);
    buf err = BUF_INIT;
    int rc = 0;
    if (archive_workdir_open(out_dir, &s->work, &err) != 0) {
        rc = archive_io_error(diags, &err);
    } else {
        /* One rendering serves every board: the pages are the site's own. */
        buf_printf(&s->site_dir, "%s/site", s->work.ptr);
        render_options ropt = {.out_dir = s->site_dir.ptr, .history = h};
        render_stats stats = {0};
        int r = render_site(cfg, cat, names, &ropt, &stats, diags);
        if (r != 0)
            rc = r == RENDER_ERROR_IO ? ARCHIVE_ERROR_IO : ARCHIVE_ERROR_CONTENT;
    }
    if (rc == 0 && history_head_read(h, s->head, diags) != 0)
        rc = ARCHIVE_ERROR_IO;
    s->release_tag = history_release_tag_find(h, s->head);
    buf_free(&err);
    return rc;
}

void archive_session_close(archive_session *s)
{
    if (!s)
        return;
    if (s->work.len)
        path_remove_tree(s->work.ptr);
    arena_free(&s->mem);
    buf_free(&s->out_dir);
    buf_free(&s->work);
    buf_free(&s->site_dir);
    free(s);
}

bool archive_board_latest_closed(const catalogue *cat, const board *b, date today,
                                 content_period *out)
{
    content_period_kind kind = catalogue_board_period_kind(b);
    bool found = false;
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        if (!catalogue_item_printable(ci) || !catalogue_item_on_board(ci, b))
            continue;
        content_period p = catalogue_item_period(ci, kind);
        if (date_cmp(catalogue_period_last_day(p), today) >= 0)
            continue; /* not over yet: its archive would be incomplete */
        if (!found || catalogue_period_cmp(p, *out) > 0)
            *out = p;
        found = true;
    }
    return found;
}

int archive_attachment_path(const content_item *it, size_t i, buf *out)
{
    const char *a = it->attachments.v[i].s;
    if (!a || a[0] == '/' || strchr(a, '\\'))
        return -1;
    const char *slash = strrchr(it->path, '/');
    buf_put(out, it->path, (size_t)(slash - it->path) + 1);
    size_t base = out->len;
    for (const char *p = a; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return -1;
        if (n && !(n == 1 && p[0] == '.')) {
            if (out->len > base)
                buf_putc(out, '/');
            buf_put(out, p, n);
        }
        p += n + (p[n] == '/');
    }
    return out->len > base ? 0 : -1;
}

/* The working-tree file at `path` (from the site root) when it is a regular
 * file inside content/, links resolved. 0 with its full path in *full, or
 * -1 with the reason in *why. */
static int archive_content_file(const site_config *cfg, const char *path, buf *full,
                                const char **why)
{
    char real[PATH_MAX], content[PATH_MAX];
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/content", cfg->root);
    buf_printf(full, "%s/%s", cfg->root, path);
    struct stat st;
    int rc = -1;
    if (!realpath(full->ptr, real) || stat(real, &st) != 0)
        *why = "不存在";
    else if (!realpath(dir.ptr, content) || strncmp(real, content, strlen(content)) != 0 ||
             real[strlen(content)] != '/')
        *why = "指向 content/ 以外（经过符号链接）";
    else if (!S_ISREG(st.st_mode))
        *why = "不是普通文件";
    else
        rc = 0;
    buf_free(&dir);
    return rc;
}

/* Whether the file at `full` holds exactly data[0..len). */
static bool archive_file_equals(const char *full, const buf *data)
{
    FILE *f = fopen(full, "rb");
    if (!f)
        return false;
    bool same = true;
    char chunk[65536];
    size_t off = 0, n;
    while (same && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        same = off + n <= data->len && memcmp(data->ptr + off, chunk, n) == 0;
        off += n;
    }
    fclose(f);
    return same && off == data->len;
}

/* Add the source file `path` (an item or an attachment) as committed, or
 * from the working tree when git does not have it. line/col point at what
 * named it, for the diagnostics. */
static int archive_add_source(archive_session *s, archive_zip *z, const content_item *it,
                              const char *path, int line, int col, diag_list *diags)
{
    if (archive_zip_has(z, path))
        return 0; /* an attachment two items share */
    buf data = BUF_INIT, full = BUF_INIT, err = BUF_INIT;
    const char *why = NULL;
    int found = history_commit_file_read(s->h, s->head, path, &data, diags);
    int on_disk = archive_content_file(s->cfg, path, &full, &why);
    int rc = 0;
    if (found < 0) {
        rc = ARCHIVE_ERROR_IO;
    } else if (found) {
        archive_zip_add_data(z, path, data.ptr, data.len, ARCHIVE_FROM_COMMIT);
        if (on_disk != 0 || !archive_file_equals(full.ptr, &data))
            diag_add(diags, DIAG_WARNING, "GK804", it->path, line, col,
                     "%s 有未提交的改动：建档收录的是已提交（HEAD）的版本，而网页和公开栏 PDF "
                     "是按现在的文件生成的；请先提交再建档",
                     path);
    } else if (on_disk != 0) {
        diag_add(diags, DIAG_ERROR, "GK802", it->path, line, col, "附件 %s %s，无法建档", path,
                 why);
        rc = ARCHIVE_ERROR_CONTENT;
    } else if (archive_zip_add_file(z, path, full.ptr, ARCHIVE_FROM_WORKING_TREE, &err) != 0) {
        rc = archive_io_error(diags, &err);
    }
    buf_free(&data);
    buf_free(&full);
    buf_free(&err);
    return rc;
}

static int archive_add_item(archive_session *s, archive_zip *z, const catalogue_item *ci,
                            diag_list *diags)
{
    const content_item *it = ci->item;
    int rc = archive_add_source(s, z, it, it->path, 1, 1, diags);
    buf path = BUF_INIT, name = BUF_INIT, err = BUF_INIT;
    for (size_t i = 0; i < it->attachments.len && rc == 0; i++) {
        const content_str *a = &it->attachments.v[i];
        buf_reset(&path);
        if (archive_attachment_path(it, i, &path) != 0) {
            diag_add(diags, DIAG_ERROR, "GK802", it->path, a->line, a->col,
                     "附件“%s”不是本信息所在文件夹中的文件（不能是绝对路径、不能含 .. 或 \\），"
                     "无法建档",
                     a->s ? a->s : "");
            rc = ARCHIVE_ERROR_CONTENT;
        } else {
            rc = archive_add_source(s, z, it, path.ptr, a->line, a->col, diags);
        }
    }
    if (rc == 0) {
        buf_reset(&path);
        buf_printf(&path, "%s%sindex.html", s->site_dir.ptr, ci->url);
        buf_printf(&name, "html%sindex.html", ci->url);
        if (archive_zip_add_file(z, name.ptr, path.ptr, ARCHIVE_FROM_GENERATED, &err) != 0)
            rc = archive_io_error(diags, &err);
    }
    buf_free(&path);
    buf_free(&name);
    buf_free(&err);
    return rc;
}

/* The theme's static files (CSS) beside the pages, as on the site. */
static int archive_add_static(archive_session *s, archive_zip *z, diag_list *diags)
{
    buf dir = BUF_INIT, name = BUF_INIT, path = BUF_INIT, err = BUF_INIT;
    arena mem;
    arena_init(&mem);
    int rc = 0;
    const char **files;
    size_t n = 0;
    if (config_theme_dir(s->cfg, &dir) == 0) {
        buf_puts(&dir, "/static");
        struct stat st;
        if (stat(dir.ptr, &st) == 0 && archive_tree_list(dir.ptr, &mem, &files, &n) != 0) {
            buf_printf(&err, "无法读取主题目录 %s：%s", dir.ptr, strerror(errno));
            rc = archive_io_error(diags, &err);
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        buf_reset(&name);
        buf_printf(&name, "html/%s", files[i]);
        buf_reset(&path);
        buf_printf(&path, "%s/%s", s->site_dir.ptr, files[i]);
        if (archive_zip_add_file(z, name.ptr, path.ptr, ARCHIVE_FROM_GENERATED, &err) != 0)
            rc = archive_io_error(diags, &err);
    }
    arena_free(&mem);
    buf_free(&dir);
    buf_free(&name);
    buf_free(&path);
    buf_free(&err);
    return rc;
}

/* The sheets PDF of the period, made through the sheets stage in `dir`. */
static int archive_add_sheet(archive_session *s, archive_zip *z, const board *b,
                             content_period period, const char *dir, diag_list *diags)
{
    sheets_request req = {b, period, NULL, dir};
    sheets_result res;
    int r = sheets_write(s->cfg, s->cat, s->names, &req, &res, diags);
    int rc = r == 0 ? 0 : r == SHEETS_ERROR_IO ? ARCHIVE_ERROR_IO : ARCHIVE_ERROR_CONTENT;
    if (rc == 0) {
        buf name = BUF_INIT, err = BUF_INIT;
        const char *base = strrchr(res.path.ptr, '/');
        buf_printf(&name, "sheets/%s", base ? base + 1 : res.path.ptr);
        if (archive_zip_add_file(z, name.ptr, res.path.ptr, ARCHIVE_FROM_GENERATED, &err) != 0)
            rc = archive_io_error(diags, &err);
        buf_free(&name);
        buf_free(&err);
    }
    buf_free(&res.path);
    return rc;
}

/* The manifest, then the zip in the work folder, renamed into place. */
static int archive_finish(archive_session *s, archive_zip *z, archive_manifest *m, const char *dir,
                          const char *name, archive_result *res, diag_list *diags)
{
    buf json = BUF_INIT, tmp = BUF_INIT, err = BUF_INIT;
    archive_zip_sort(z);
    archive_manifest_json(m, &json);
    for (size_t i = 0; i < z->len; i++)
        res->bytes += z->v[i].size;
    archive_zip_add_data(z, ARCHIVE_MANIFEST_NAME, json.ptr, json.len, ARCHIVE_FROM_GENERATED);
    res->bytes += json.len;
    res->files = z->len;
    buf_printf(&tmp, "%s/%s", dir, name);
    buf_printf(&res->path, "%s/%s", s->out_dir.ptr, name);
    int rc = 0;
    if (archive_zip_write(z, tmp.ptr, m->stamp, &err) != 0 ||
        atomic_rename(tmp.ptr, res->path.ptr, &err) != 0)
        rc = archive_io_error(diags, &err);
    buf_free(&json);
    buf_free(&tmp);
    buf_free(&err);
    return rc;
}

int archive_period_write(archive_session *s, const board *b, content_period period,
                         archive_result *res, diag_list *diags)
{
    memset(res, 0, sizeof *res);
    char label[16];
    catalogue_period_format(period, label);
    arena mem;
    arena_init(&mem);
    archive_zip z;
    archive_zip_init(&z);
    buf dir = BUF_INIT, name = BUF_INIT, err = BUF_INIT;
    buf_printf(&dir, "%s/%s-%s", s->work.ptr, label, b->id);
    buf_printf(&name, "%s-%s.zip", label, b->id);
    archive_manifest m = {.cfg = s->cfg,
                          .board = b,
                          .period = period,
                          .source_commit = s->head[0] ? s->head : NULL,
                          .release_tag = s->release_tag,
                          .zip = &z};
    m.items = catalogue_board_items(s->cat, b, period, &mem, &m.item_count);
    m.stamp = catalogue_period_last_day(period);
    for (size_t i = 0; i < m.item_count; i++)
        if (i == 0 || date_cmp(m.items[i]->item->date.day, m.stamp) > 0)
            m.stamp = m.items[i]->item->date.day;
    res->items = m.item_count;
    int rc = 0;
    if (naming_board_title(s->names, &mem, b, &m.board_title) != 0 ||
        naming_period_label(s->names, &mem, catalogue_period_periodic(period.kind), period.year,
                            period.n, &m.period_label) != 0) {
        rc = ARCHIVE_ERROR_CONTENT;
    } else if (path_mkdirs(dir.ptr) != 0) {
        buf_printf(&err, "无法创建临时目录 %s：%s", dir.ptr, strerror(errno));
        rc = archive_io_error(diags, &err);
    }
    if (rc == 0)
        rc = archive_add_sheet(s, &z, b, period, dir.ptr, diags);
    for (size_t i = 0; i < m.item_count && rc == 0; i++)
        rc = archive_add_item(s, &z, m.items[i], diags);
    if (rc == 0)
        rc = archive_add_static(s, &z, diags);
    if (rc == 0 && !m.item_count)
        diag_add(diags, DIAG_WARNING, "GK807", "", 0, 0,
                 "公开栏 %s 的 %s 没有公开事项：建档只含写明“本期无公开事项”的 PDF", b->id, label);
    if (rc == 0)
        rc = archive_finish(s, &z, &m, dir.ptr, name.ptr, res, diags);
    path_remove_tree(dir.ptr);
    archive_zip_free(&z);
    arena_free(&mem);
    buf_free(&dir);
    buf_free(&name);
    buf_free(&err);
    return rc;
}
