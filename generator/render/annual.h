/* The annual report's statistics page (/xxgk/nb/<year>/): the figures of
 * report/report.h as the `page.report` table templates/report.html reads
 * (fields in templates/README.md). */
#ifndef GK_RENDER_ANNUAL_H
#define GK_RENDER_ANNUAL_H

#include "../report/report.h"

#include <lua.h>
#include <stdint.h>

/* The site path of year's statistics page, and of its CSV beside it. */
void annual_page_url(int year, buf *out);
void annual_csv_url(int year, buf *out);

/* Push year's figures as a Lua table. */
void annual_table_push(lua_State *L, const report *r);
/* h fed with all that table shows, for the build cache's key of the page. */
uint64_t annual_key(uint64_t h, const report *r);

#endif
