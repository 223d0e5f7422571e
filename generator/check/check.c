#include "check_internal.h"

#include "../util/buf.h"
#include "../util/pool.h"
#include "../util/utf8.h"
#include "../util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

bool check_item_published(const check_ctx *c, const content_item *it)
{
    return it->disclosure != CONTENT_DISCLOSURE_WITHHELD && (!it->draft || c->opt->drafts);
}

const catalogue_item *check_catalogue_item(const check_ctx *c, size_t i)
{
    if (!c->cat || c->cat->item_count != c->set->len || i >= c->cat->item_count)
        return NULL;
    return &c->cat->items[i];
}

void check_diag(check_ctx *c, diag_severity severity, const char *code, const content_item *it,
                int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(c->diags, severity, code, it ? it->path : "", line, col, fmt, ap);
    va_end(ap);
}

typedef struct check_each {
    const check_ctx *c;
    check_item_fn fn;
    diag_list *found; /* per item */
} check_each;

static void check_each_item(void *ctx, size_t i)
{
    check_each *e = ctx;
    e->fn(e->c, i, &e->found[i]);
}

void check_items_each(check_ctx *c, check_item_fn fn)
{
    size_t n = c->set->len;
    check_each e = {c, fn, xmalloc((n + 1) * sizeof *e.found)};
    for (size_t i = 0; i < n; i++)
        diag_list_init(&e.found[i]);
    pool_for(c->workers, n, 1, check_each_item, &e);
    for (size_t i = 0; i < n; i++) {
        diag_list_append(c->diags, &e.found[i]);
        diag_list_free(&e.found[i]);
    }
    free(e.found);
}

static size_t check_bom(const content_item *it)
{
    return it->text_len >= 3 && memcmp(it->text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

void check_position(const content_item *it, size_t off, int *line, int *col)
{
    size_t start = check_bom(it);
    if (off < start)
        off = start;
    if (off > it->text_len)
        off = it->text_len;
    utf8_position(it->text + start, off - start, line, col);
}

void check_body_position(const content_item *it, int line_in_body, int byte_col, int *line,
                         int *col)
{
    size_t off = (size_t)(it->body - it->text);
    for (int l = 1; l < line_in_body && off < it->text_len; off++)
        if (it->text[off] == '\n')
            l++;
    for (int k = 1; k < byte_col && off < it->text_len && it->text[off] != '\n'; k++)
        off++;
    check_position(it, off, line, col);
}

const char *check_excerpt(check_ctx *c, const char *s, size_t n)
{
    buf out = BUF_INIT;
    size_t i = 0;
    for (int chars = 0; i < n && chars < 40; chars++) {
        uint32_t cp;
        size_t step = utf8_decode(s + i, n - i, &cp);
        if (!step || cp < 0x20 || cp == 0x7f)
            buf_putc(&out, ' ');
        else
            buf_put(&out, s + i, step);
        i += step ? step : 1;
    }
    if (i < n)
        buf_puts(&out, "…");
    const char *r = arena_strndup(&c->mem, buf_cstr(&out), out.len);
    buf_free(&out);
    return r;
}

const char *check_nfc(check_ctx *c, const char *s)
{
    return utf8_nfc(&c->mem, s);
}

date check_add_years(date a, int years)
{
    date d = {a.year + years, a.month, a.day};
    if (d.month == 2 && d.day == 29 && !date_is_leap(d.year))
        d.day = 28;
    return d;
}

int check_run(const site_config *cfg, const catalogue *cat, const content_set *set, naming *names,
              const check_options *opt, size_t workers, diag_list *diags)
{
    size_t before = diag_list_count(diags, DIAG_ERROR);
    check_ctx c = {cfg, cat, set, names, opt, diags, {0}, {0}, 0, NULL, NULL};
    c.workers = workers ? workers : pool_default_workers();
    arena_init(&c.mem);
    c.cal = config_calendar(cfg);
    check_memo_begin(&c);

    check_secrecy_run(&c);
    check_pii_run(&c);
    check_docnum_run(&c);
    check_attachments_run(&c);
    check_links_run(&c);
    if (!opt->errors_only) {
        check_timeliness_run(&c);
        check_periodic_run(&c);
        check_fixed_run(&c);
        check_validity_run(&c);
        check_review_run(&c);
    }
    check_memo_end(&c);
    arena_free(&c.mem);
    return diag_list_count(diags, DIAG_ERROR) > before ? -1 : 0;
}
