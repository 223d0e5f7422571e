/* What the checks found out about an item's text that holds for those bytes
 * whatever else the site holds: no personal data in what its pages show
 * (pii.c), nothing in its body a link could be made of (links.c). Most
 * items of a rebuild are unchanged, so a build keeps these facts in
 * .gongkai/checks.cache (a memo_map, util/memo.h) and does not scan those
 * texts again. A record's key covers the text (its hash as the content
 * stage read it, its length, where the body lies), what decides how much
 * of it pages show (the disclosure) and the site's address (bare URLs to
 * it are links); its value, the facts as bits. Only what a scan found
 * absent is kept: a text with personal data or links is scanned each time
 * and reported as before. */
#include "check_internal.h"

#include "../util/hash.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CHECK_MEMO_MAGIC "gongkai-checks/1"

memo_map *check_memo_open(const char *dir)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%s/checks.cache", dir);
    memo_map *m = memo_map_open(path.ptr, CHECK_MEMO_MAGIC);
    buf_free(&path);
    return m;
}

/* 0 when the item's body does not lie within its text (it then has no
 * record). */
static uint64_t check_memo_key(const check_ctx *c, const content_item *it)
{
    uintptr_t text = (uintptr_t)it->text, body = (uintptr_t)it->body;
    if (!text || !body || body < text || body - text > it->text_len ||
        it->body_len > it->text_len - (body - text))
        return 0;
    uint64_t h = hash64_int(HASH64_INIT, (int64_t)it->text_hash);
    h = hash64_int(h, (int64_t)it->text_len);
    h = hash64_int(h, (int64_t)(body - text));
    h = hash64_int(h, (int64_t)it->body_len);
    h = hash64_int(h, (int64_t)it->disclosure);
    h = hash64_str(h, c->cfg->base_url ? c->cfg->base_url : "");
    return h ? h : 1;
}

void check_memo_begin(check_ctx *c)
{
    if (!c->opt->memo)
        return;
    size_t n = c->set->len;
    c->memo_keys = xmalloc((n + 1) * sizeof *c->memo_keys);
    c->memo_bits = xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++)
        c->memo_keys[i] = check_memo_key(c, &c->set->items[i]);
}

bool check_memo_known(const check_ctx *c, size_t i, unsigned bit)
{
    uint64_t bits;
    if (!c->memo_keys || !c->memo_keys[i] || !memo_map_find(c->opt->memo, c->memo_keys[i], &bits) ||
        !(bits & bit))
        return false;
    c->memo_bits[i] |= (unsigned char)bit;
    return true;
}

void check_memo_note(const check_ctx *c, size_t i, unsigned bit)
{
    if (c->memo_keys)
        c->memo_bits[i] |= (unsigned char)bit;
}

void check_memo_end(check_ctx *c)
{
    if (!c->memo_keys)
        return;
    size_t n = 0;
    memo_record *recs = xmalloc((c->set->len + 1) * sizeof *recs);
    for (size_t i = 0; i < c->set->len; i++)
        if (c->memo_keys[i] && c->memo_bits[i])
            recs[n++] = (memo_record){c->memo_keys[i], c->memo_bits[i]};
    memo_map_keep(c->opt->memo, recs, n);
    free(recs);
    free(c->memo_keys);
    free(c->memo_bits);
    c->memo_keys = NULL;
    c->memo_bits = NULL;
}
