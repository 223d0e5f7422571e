/* The site package: the whole site, built fresh, in one zip with a
 * README.txt, for townships that deploy it without a network. The links
 * of the site are relative already (render/output.h), so the package works
 * unzipped under any folder and opened straight from the disk; no base-URL
 * switch is needed. */
#include "archive_internal.h"

#include "../util/path.h"

#include "../render/site.h"
#include "../util/atomic.h"

#include <stdio.h>
#include <string.h>

#define PACKAGE_README "README.txt"

/* The newest published item's date: the package's entry date. */
static date package_stamp(const catalogue *cat)
{
    date newest = {1980, 1, 1};
    for (size_t i = 0; i < cat->item_count; i++) {
        const catalogue_item *ci = &cat->items[i];
        const content_item *it = ci->item;
        if (catalogue_item_published(ci, false) && it->date.set &&
            date_cmp(it->date.day, newest) > 0)
            newest = it->date.day;
    }
    return newest;
}

/* How to serve the package, for the township's technician: UTF-8 with a
 * byte order mark and CRLF, so that Windows Notepad shows it right. */
static void package_readme(const site_config *cfg, date stamp, buf *out)
{
    char day[11];
    date_format(stamp, day);
    buf_puts(out, "\xEF\xBB\xBF");
    buf_printf(
        out,
        "%s 网站离线包\r\n"
        "由 gongkai " GK_VERSION " 生成，内容截至 %s（最新一条信息的发布日期）。\r\n"
        "\r\n"
        "怎样使用\r\n"
        "\r\n"
        "1. 把压缩包解压到任意文件夹，例如 D:\\网站 或 /srv/www/gongkai。\r\n"
        "2. 直接用浏览器打开其中的 index.html 就能浏览，不需要联网：网站内的链接都是"
        "相对链接，\r\n"
        "   放在哪个文件夹、用什么网址访问都能用。\r\n"
        "3. 站内搜索需要通过网页服务器访问（直接打开的页面，浏览器不允许读取搜索索引）。\r\n"
        "   任何静态网页服务器都可以，把网站根目录指向解压后的文件夹即可，例如：\r\n"
        "     python3 -m http.server 8000    （在解压后的文件夹中运行，再访问 "
        "http://localhost:8000/）\r\n"
        "     nginx、Apache 或 IIS           （root / DocumentRoot / 物理路径设为该文件夹）\r\n"
        "   找不到的网址请配置为显示 404.html。\r\n"
        "4. 页面上的二维码、订阅（feed.xml）和网站地图（sitemap.xml）使用正式网址 %s。\r\n"
        "\r\n"
        "How to use: unzip anywhere and open index.html in a browser (all links are\r\n"
        "relative), or serve the folder with any static web server (search needs one),\r\n"
        "e.g. `python3 -m http.server 8000` in the folder, then http://localhost:8000/.\r\n",
        cfg->name, day, cfg->base_url);
}

/* The folder of out_path ("." when it names none). */
static void package_parent(const char *out_path, buf *out)
{
    const char *slash = strrchr(out_path, '/');
    if (!slash)
        buf_puts(out, ".");
    else if (slash == out_path)
        buf_puts(out, "/");
    else
        buf_put(out, out_path, (size_t)(slash - out_path));
}

static int package_zip(const site_config *cfg, const catalogue *cat, const char *site_dir,
                       const char *zip_path, archive_result *res, buf *err)
{
    arena mem;
    arena_init(&mem);
    archive_zip z;
    archive_zip_init(&z);
    const char **files;
    size_t n;
    buf path = BUF_INIT, readme = BUF_INIT;
    int rc = archive_tree_list(site_dir, &mem, &files, &n);
    if (rc != 0)
        buf_printf(err, "无法读取生成的网站 %s", site_dir);
    for (size_t i = 0; i < n && rc == 0; i++) {
        buf_reset(&path);
        buf_printf(&path, "%s/%s", site_dir, files[i]);
        rc = archive_zip_add_file(&z, files[i], path.ptr, ARCHIVE_FROM_GENERATED, err);
    }
    date stamp = package_stamp(cat);
    if (rc == 0 && !archive_zip_has(&z, PACKAGE_README)) {
        package_readme(cfg, stamp, &readme);
        archive_zip_add_data(&z, PACKAGE_README, readme.ptr, readme.len, ARCHIVE_FROM_GENERATED);
    }
    if (rc == 0)
        rc = archive_zip_write(&z, zip_path, stamp, err);
    res->files = z.len;
    for (size_t i = 0; i < z.len; i++)
        res->bytes += z.v[i].size;
    archive_zip_free(&z);
    arena_free(&mem);
    buf_free(&path);
    buf_free(&readme);
    return rc;
}

int archive_package_write(const site_config *cfg, const catalogue *cat, naming *names, history *h,
                          const char *out_path, archive_result *res, diag_list *diags)
{
    memset(res, 0, sizeof *res);
    buf parent = BUF_INIT, work = BUF_INIT, site_dir = BUF_INIT, tmp = BUF_INIT, err = BUF_INIT;
    package_parent(out_path, &parent);
    int rc = 0;
    if (archive_workdir_open(parent.ptr, &work, &err) != 0) {
        rc = ARCHIVE_ERROR_IO;
    } else {
        buf_printf(&site_dir, "%s/site", work.ptr);
        render_options ropt = {.out_dir = site_dir.ptr, .history = h};
        render_stats stats = {0};
        int r = render_site(cfg, cat, names, &ropt, &stats, diags);
        if (r != 0)
            rc = r == RENDER_ERROR_IO ? ARCHIVE_ERROR_IO : ARCHIVE_ERROR_CONTENT;
        res->items = stats.items;
        buf_printf(&tmp, "%s/site.zip", work.ptr);
        if (rc == 0 && (package_zip(cfg, cat, site_dir.ptr, tmp.ptr, res, &err) != 0 ||
                        atomic_rename(tmp.ptr, out_path, &err) != 0))
            rc = ARCHIVE_ERROR_IO;
    }
    if (rc == ARCHIVE_ERROR_IO && err.len)
        diag_add(diags, DIAG_ERROR, "GK801", "", 0, 0, "%s", err.ptr);
    if (rc == 0)
        buf_puts(&res->path, out_path);
    if (work.len)
        path_remove_tree(work.ptr);
    buf_free(&parent);
    buf_free(&work);
    buf_free(&site_dir);
    buf_free(&tmp);
    buf_free(&err);
    return rc;
}
