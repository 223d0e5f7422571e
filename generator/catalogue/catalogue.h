/* The unified disclosure catalogue (政府信息公开目录): the category tree that
 * templates/catalogue.lua declares, and the resolution of every item's
 * category against it. The tree is site data, never hard-coded here. */
#ifndef GK_CATALOGUE_CATALOGUE_H
#define GK_CATALOGUE_CATALOGUE_H

#include "../config/config.h"
#include "../content/content.h"
#include "../util/arena.h"
#include "../util/diag.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum category_periodic {
    CATEGORY_PERIODIC_NONE,
    CATEGORY_PERIODIC_QUARTER,
    CATEGORY_PERIODIC_MONTH,
    CATEGORY_PERIODIC_YEAR,
} category_periodic;

typedef enum category_scope {
    CATEGORY_SCOPE_BOTH,
    CATEGORY_SCOPE_GOVERNMENT,
    CATEGORY_SCOPE_DEPARTMENT,
    CATEGORY_SCOPE_TOWNSHIP,
} category_scope;

typedef struct category {
    const char *key;  /* ASCII, unique in the tree, used in URLs */
    const char *name; /* 规范性文件 */
    const char *description;
    int parent; /* index of the parent category, -1 at the top */
    int depth;
    bool validity; /* items carry 有效性 (valid / expired / repealed) */
    bool fixed;    /* fixed content, refreshed yearly */
    category_periodic periodic;
    category_scope scope;
} category;

/* The catalogue's view of one item. */
typedef struct catalogue_item {
    const content_item *item;
    const category *category; /* NULL when the item names no known category */
} catalogue_item;

typedef struct catalogue {
    arena mem;
    category *categories; /* depth first: every parent before its children */
    size_t count;
    const char *source;    /* the catalogue.lua that was read, as shown to users */
    catalogue_item *items; /* after catalogue_items_resolve: one per content item, same order */
    size_t item_count;
} catalogue;

/* Read catalogue.lua (site, theme, then installed defaults). Returns 0, or -1
 * with diagnostics against that file. */
int catalogue_load(catalogue *cat, const site_config *cfg, diag_list *diags);
void catalogue_free(catalogue *cat);

/* A category by key or by exact Chinese name, or NULL. */
const category *catalogue_category_find(const catalogue *cat, const char *key_or_name);

/* Resolve every item's category (key or Chinese name). An unknown category is
 * an error against the line the editor wrote it on. Returns 0, or -1. */
int catalogue_items_resolve(catalogue *cat, const content_set *set, diag_list *diags);

#endif
