/* gongkai-extra: the commands that need cairo and pango (sheets, archive),
 * libzip (archive, package) or libmicrohttpd (serve). gongkai runs it in
 * its place for them (main.c), so that its other commands start without
 * loading those libraries. Run alone, it takes the same arguments. */
#include "cli/cli.h"
#include "render/markdown.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"sheets", cli_sheets},
        {"serve", cli_serve},
        {"archive", cli_archive},
        {"package", cli_package},
    };
    const char *cmd = argc > 1 ? argv[1] : "";
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(cmd, commands[i].name) == 0) {
            xalloc_heap_prepare();
            markdown_init();
            return commands[i].run(argc - 1, argv + 1);
        }
    return cli_usage_error("gongkai-extra 只运行 sheets、serve、archive 和 package，没有命令 %s",
                           cmd);
}
