/* The small site the search tests index: two departments, a category and
 * its child. Included by each test program that needs it. */
#ifndef GK_TESTS_SEARCH_SITE_H
#define GK_TESTS_SEARCH_SITE_H

#include "../../generator/catalogue/catalogue.h"

static department test_depts[] = {{.id = "zfb", .name = "县政府办公室"},
                                  {.id = "czj", .name = "财政局"}};
static const site_config test_cfg = {.departments = test_depts, .department_count = 2};
static category test_cats[] = {{.key = "czxx", .name = "财政信息", .parent = -1},
                               {.key = "ysjs", .name = "预决算", .parent = 0}};
static const catalogue test_cat = {.categories = test_cats, .count = 2};

#endif
