/* What earlier runs found out about the catalogue, in the site's .gongkai/:
 * naming.lua's answers (naming_memo.c) and the items' fingerprints
 * (fp_memo.c), two files because they are keyed apart: a new naming.lua
 * or site.toml makes the answers worthless, not the fingerprints. */
#include "catalogue_internal.h"

#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

catalogue_memo *catalogue_memo_open(const char *dir, const site_config *cfg)
{
    catalogue_memo *m = xcalloc(1, sizeof *m);
    buf path = BUF_INIT;
    buf_printf(&path, "%s/naming.cache", dir);
    m->names = naming_memo_open(path.ptr, cfg);
    buf_reset(&path);
    buf_printf(&path, "%s/fingerprints.cache", dir);
    m->fps = fp_memo_open(path.ptr);
    buf_free(&path);
    return m;
}

void catalogue_memo_save(const catalogue_memo *m)
{
    if (!m)
        return;
    naming_memo_save(m->names);
    memo_map_save(m->fps);
}

void catalogue_memo_free(catalogue_memo *m)
{
    if (!m)
        return;
    naming_memo_free(m->names);
    memo_map_free(m->fps);
    free(m);
}
