/* A content load as the content tests keep it: the config it was made
 * under, its diagnostics, its items and content_load's result; released
 * whole, and an item found by its path. Included by each test program that
 * needs it. */
#ifndef GK_TESTS_TEST_LOADED_H
#define GK_TESTS_TEST_LOADED_H

#include "../../generator/content/content.h"

#include <string.h>

typedef struct loaded {
    site_config cfg;
    diag_list diags;
    content_set set;
    int rc;
} loaded;

static inline void loaded_release(loaded *l)
{
    content_free(&l->set);
    diag_list_free(&l->diags);
}

/* The item of source `path`; the test fails when there is none. */
static inline const content_item *loaded_find(const loaded *l, const char *path)
{
    for (size_t i = 0; i < l->set.len; i++)
        if (strcmp(l->set.items[i].path, path) == 0)
            return &l->set.items[i];
    fail_msg("no item %s", path);
    return NULL;
}

#endif
