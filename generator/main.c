/* The gongkai command line: help, version, and the dispatch to the commands
 * in cli/. */
#include "cli/cli.h"
#include "render/markdown.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "用法：gongkai <命令> [选项]\n"
    "\n"
    "命令：\n"
    "  check  [-s 站点] [--format text|json] [--drafts] [--today YYYY-MM-DD] [-j 线程数]\n"
    "         检查 site.toml、分类目录和全部信息条目，报告所有错误和警告\n"
    "         （涉密、个人信息、重复文号、附件、链接、时效、定期公开、审核等）；\n"
    "         -j 指定读取和检查信息的线程数（默认每个 CPU 核一个）\n"
    "  build  [-s 站点] [-o 输出目录] [--drafts] [-q] [-j 线程数]\n"
    "         检查站点并生成网站（默认输出到 站点/public），分配索引号并记入 catalogue.lock；\n"
    "         -j 指定读取、检查和渲染的线程数（默认每个 CPU 核一个）\n"
    "  new    content/<部门>/<文件名>.md [-s 站点] [--category 分类]\n"
    "         新建一条信息，front matter 已按部门和今天的日期填好\n"
    "  sheets [-s 站点] [--board 公开栏] [--period 2026-Q3|2026-09|latest] [--paper A4|A3]\n"
    "         [-o 输出目录]\n"
    "         生成公开栏打印用的 PDF（默认：每个公开栏的本期，输出到 站点/sheets）\n"
    "  serve  [-s 站点] [--port 1313] [--bind 127.0.0.1] [--drafts]\n"
    "         在浏览器中预览：生成网站并监视改动，改动后自动重新生成、刷新页面\n"
    "  publish [-s 站点] [-m 说明] [--allow-dirty]\n"
    "         检查并生成网站，提交到 git 发布分支（site.toml [publish]）并打标签；\n"
    "         源文件有未提交的修改时拒绝发布，除非给出 --allow-dirty\n"
    "  history 信息 [-s 站点]\n"
    "         列出一条信息（文件路径、索引号或网址）的各个版本，以及哪些发布包含了它们\n"
    "  fix-encoding 文件\n"
    "         把 GBK/GB18030 编码的文件就地转换为 UTF-8，原文件保留为 文件.gbk.bak\n"
    "  report [-s 站点] --year 2026 [-o 文件.csv]\n"
    "         政府信息公开工作年度报告的统计数据，写成 CSV（默认 站点/report-<年>.csv）；\n"
    "         网页版随网站生成，在 /xxgk/nb/<年>/\n"
    "  archive [-s 站点] --period 2026-Q3|2026-09|latest [--board 公开栏] [-o 输出目录]\n"
    "         建档：每个公开栏一期一个 zip（公开栏 PDF、信息原文和附件、网页、manifest.json），\n"
    "         默认输出到 站点/archive/<期>-<公开栏>.zip\n"
    "  archive --verify 文件.zip\n"
    "         按 manifest.json 重新核对建档压缩包中的每个文件，有不符时退出码为 1\n"
    "  package [-s 站点] [-o 文件.zip] [--relative-urls]\n"
    "         生成整个网站并打成离线包（默认 站点/archive/site.zip），解压后可直接打开；\n"
    "         网站中的链接本来就都是相对链接，--relative-urls 可写可不写\n"
    "\n"
    "选项：\n"
    "  -s, --site 目录   站点目录（含 site.toml），默认当前目录\n"
    "  -h, --help        显示本帮助\n"
    "      --version     显示版本\n"
    "\n"
    "退出码：0 成功，1 内容或检查有错误，2 用法错误，3 内部或读写错误。\n"
    "诊断信息输出到标准错误，格式为 路径:行:列: 错误|警告 [代码]: 说明。\n";

/* The commands that draw PDFs, write zips or serve HTTP (sheets, archive,
 * package, serve) live in gongkai-extra (main_extra.c), beside this
 * program: linked here, cairo, pango, libzip and libmicrohttpd made every
 * start load and bind some 45 more shared libraries, about 5 ms of the
 * 0.1 s a rebuild may take. Run it in our place: argv[0] is the command. */
static int main_run_extra(int argc, char **argv)
{
    char self[PATH_MAX], extra[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "gongkai: 无法找到本程序所在的目录：%s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(extra, sizeof extra, "%s/gongkai-extra", self);
    char **args = xcalloc((size_t)argc + 2, sizeof *args);
    args[0] = extra;
    memcpy(args + 1, argv, (size_t)argc * sizeof *args);
    execv(extra, args);
    fprintf(stderr, "gongkai: 无法运行 %s（%s 命令在其中）：%s；请重新安装 gongkai\n", extra,
            argv[0], strerror(errno));
    free(args);
    return EXIT_INTERNAL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("gongkai %s\n", GK_VERSION);
        return 0;
    }
    xalloc_heap_prepare();
    markdown_init();
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        /* clang-format off */
        {"check", cli_check},
        {"build", cli_build},
        {"new", cli_new},
        {"sheets", main_run_extra},
        {"serve", main_run_extra},
        {"publish", cli_publish},
        {"history", cli_history},
        {"fix-encoding", cli_fix_encoding},
        {"report", cli_report},
        {"archive", main_run_extra},
        {"package", main_run_extra},
        /* clang-format on */
    };
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    return cli_usage_error("未知命令 %s", cmd);
}
