/* The command line's shared parts: exit codes, option errors, and the site
 * model every command loads in the order data flows (config → content →
 * catalogue). One file per command: cli/<command>.c. */
#ifndef GK_CLI_CLI_H
#define GK_CLI_CLI_H

#include "../catalogue/catalogue.h"
#include "../check/check.h"
#include "../config/config.h"
#include "../content/content.h"
#include "../history/history.h"
#include "../util/buf.h"
#include "../util/diag.h"

#include <getopt.h>
#include <stdbool.h>

enum { EXIT_CONTENT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* Say what is wrong with the command line; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, const char *arg);
/* Parse a command's options with getopt_long ("+" not used: options may
 * follow operands). Calls `take` for each option; returns 0 with *first set to
 * the first operand's index, or EXIT_USAGE after saying what was wrong. */
typedef int (*cli_option_fn)(int opt, const char *arg, void *ctx);
int cli_options_parse(int argc, char **argv, const char *shorts, const struct option *longs,
                      cli_option_fn take, void *ctx, int *first);

/* --period as sheets and archive take it: 2026-Q3, 2026-09, or "latest",
 * which `latest_means` explains in the error message. Returns 0, or
 * EXIT_USAGE after saying what is wrong. */
typedef struct cli_period {
    bool latest; /* each board's latest period with items */
    bool given;  /* a period was named */
    content_period period;
} cli_period;
int cli_period_parse(const char *arg, const char *latest_means, cli_period *out);

/* -j N, a thread count from 1 to 256, into *jobs. Returns 0, or EXIT_USAGE
 * after saying what is wrong. */
int cli_jobs_parse(const char *arg, size_t *jobs);

/* Everything a command knows about a site. */
typedef struct cli_saves cli_saves;

typedef struct cli_model {
    site_config cfg;
    catalogue cat;
    content_set content;
    naming *names;
    bool has_cfg, has_cat, has_content;
    size_t workers;   /* threads for loading and checking; 0: one per core */
    cli_saves *saves; /* what cli_model_ready saves meanwhile, or NULL */
} cli_model;

/* Load as far as the errors allow, so that one run reports every problem,
 * the items read, and later checked, on `workers` threads (0: one per
 * core). Returns 0, or -1 when an error was added to diags. Free with
 * cli_model_free either way. */
int cli_model_load(cli_model *m, const char *site, size_t workers, diag_list *diags);
void cli_model_free(cli_model *m);
/* Run the compliance checks over whatever part of the model loaded.
 * Returns 0, or -1 when an error was added to diags. */
int cli_model_check(cli_model *m, const check_options *opt, diag_list *diags);

/* The site's git history for the model's items: revisions and releases
 * (history_close it either way). Returns 0, or -1 after a GK603 error. */
int cli_history_load(history **h, cli_model *m, diag_list *diags);

/* What every command that writes the site or files of it does first: load
 * the model on `workers` threads (0: one per core), run the checks (drafts
 * counted when `drafts`), refuse on any error, then read the history.
 * Returns 0, EXIT_CONTENT or EXIT_INTERNAL; free the model and close *h
 * either way. */
int cli_model_ready(cli_model *m, const char *site, bool drafts, size_t workers, history **h,
                    diag_list *diags);

/* Where a command writes: the -o path as given, or `fallback` in the site. */
void cli_output_path(buf *out, const char *given, const char *site, const char *fallback);

/* --board and --period, as sheets and archive take them: *sel updated for
 * option 'b' or 'p'. Returns 0, or EXIT_USAGE after saying what is wrong. */
typedef struct cli_board_selection {
    const char *board; /* NULL: every board */
    bool latest;       /* --period latest */
    bool period_given; /* --period 2026-Q3 */
    content_period period;
} cli_board_selection;
int cli_board_option(int opt, const char *arg, const char *latest_means, cli_board_selection *sel);

/* Print the diagnostics sorted: text on stderr, or JSON on stdout. */
void cli_diags_report(diag_list *diags, bool json);

int cli_check(int argc, char **argv);
int cli_build(int argc, char **argv);
int cli_new(int argc, char **argv);
int cli_sheets(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_publish(int argc, char **argv);
int cli_history(int argc, char **argv);
int cli_fix_encoding(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_archive(int argc, char **argv);
int cli_package(int argc, char **argv);

#endif
