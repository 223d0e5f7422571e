/* Notice-board sheets (公开栏): one print-ready PDF per board and period, the
 * paper that township staff pin on the board outside the office (DESIGN §7,
 * DOMAIN items 3-5 and 12-14). A4 portrait or A3 landscape; the board's
 * unified title, the period and the posting dates at the head of every page;
 * each item with its title, a meta line, its whole body from the same
 * Markdown AST the web pages use, and a vector QR code of its web page,
 * flowed in columns; the supervision phone, page numbers and the review
 * sign-off at the foot. Drawn with cairo and pango in the Noto CJK fonts,
 * embedded and subset, so the text stays selectable and searchable. The
 * bytes depend on the content only: the PDF's dates are the posting date. */
#ifndef GK_SHEETS_SHEETS_H
#define GK_SHEETS_SHEETS_H

#include "../catalogue/catalogue.h"
#include "../config/config.h"
#include "../util/buf.h"
#include "../util/diag.h"

#include <stddef.h>

typedef struct sheets_request {
    const board *board;
    content_period period;
    const char *paper;   /* "A4" (portrait) or "A3" (landscape); NULL: the board's */
    const char *out_dir; /* the PDF goes in here, created when missing */
} sheets_request;

typedef struct sheets_result {
    buf path; /* the file written: <out_dir>/<board>-<period>.pdf */
    size_t pages;
    size_t items;
} sheets_result;

enum {
    SHEETS_ERROR_CONTENT = -1, /* the sheet cannot be made: a diagnostic says why */
    SHEETS_ERROR_IO = -2,      /* the PDF could not be written (GK501) */
};

/* Write the sheet of one board and period. The PDF is built in memory and
 * replaces the file in one rename, so a failure leaves any previous sheet as
 * it was. An empty period makes a sheet saying 本期无公开事项. Returns 0 (the
 * result filled in; warnings may have been added), or an error above. The
 * caller frees res->path. */
int sheets_write(const site_config *cfg, const catalogue *cat, naming *names,
                 const sheets_request *req, sheets_result *res, diag_list *diags);

#endif
