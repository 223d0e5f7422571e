/* manifest.json: what a period archive holds and where it came from, one
 * fact per line so that a diff of two manifests reads well. Nothing in it
 * depends on the clock or the machine: the same content gives the same
 * text. */
#include "archive_internal.h"

#include "../util/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void manifest_string(buf *out, const char *s)
{
    if (!s) {
        buf_puts(out, "null");
        return;
    }
    buf_putc(out, '"');
    buf_put_json_string(out, s, strlen(s));
    buf_putc(out, '"');
}

static void manifest_date(buf *out, const content_when *w)
{
    char day[11];
    if (!w->set) {
        buf_puts(out, "null");
        return;
    }
    date_format(w->day, day);
    manifest_string(out, day);
}

static void manifest_list(buf *out, const content_list *l)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < l->len; i++) {
        if (i)
            buf_puts(out, ", ");
        manifest_string(out, l->v[i].s);
    }
    buf_putc(out, ']');
}

/* Reviewers named on the period's items, each once, in order of first
 * appearance (the items are oldest first). */
static void manifest_reviewers(buf *out, const archive_manifest *m)
{
    const char **seen = NULL;
    size_t n = 0, cap = 0;
    buf_putc(out, '[');
    for (size_t i = 0; i < m->item_count; i++) {
        const content_list *l = &m->items[i]->item->reviewed_by;
        for (size_t k = 0; k < l->len; k++) {
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = strcmp(seen[j], l->v[k].s) == 0;
            if (dup)
                continue;
            seen = xgrow(seen, &cap, n + 1, sizeof *seen);
            seen[n] = l->v[k].s;
            if (n++)
                buf_puts(out, ", ");
            manifest_string(out, l->v[k].s);
        }
    }
    buf_putc(out, ']');
    free(seen);
}

/* The zip entry names of an item: its source, page and attachments. */
static void manifest_item(buf *out, const archive_manifest *m, const catalogue_item *ci)
{
    const content_item *it = ci->item;
    buf_puts(out, "    {\"index_no\": ");
    manifest_string(out, ci->index_no);
    buf_puts(out, ", \"title\": ");
    manifest_string(out, it->title);
    buf_puts(out, ",\n     \"date\": ");
    manifest_date(out, &it->date);
    buf_puts(out, ", \"doc_number\": ");
    manifest_string(out, it->doc_number.s);
    buf_puts(out, ", \"url\": ");
    buf abs = BUF_INIT;
    buf_printf(&abs, "%s%s", m->cfg->base_url, ci->url + 1);
    manifest_string(out, abs.ptr);
    buf_puts(out, ",\n     \"source\": ");
    manifest_string(out, it->path);
    buf_reset(&abs);
    buf_printf(&abs, "html%sindex.html", ci->url);
    buf_puts(out, ", \"html\": ");
    manifest_string(out, abs.ptr);
    buf_free(&abs);
    buf_puts(out, ",\n     \"attachments\": [");
    buf name = BUF_INIT;
    for (size_t i = 0; i < it->attachments.len; i++) {
        buf_reset(&name);
        archive_attachment_path(it, i, &name);
        if (i)
            buf_puts(out, ", ");
        manifest_string(out, name.ptr);
    }
    buf_free(&name);
    buf_puts(out, "],\n     \"reviewed_by\": ");
    manifest_list(out, &it->reviewed_by);
    buf_puts(out, ", \"reviewed_on\": ");
    manifest_date(out, &it->reviewed_on);
    buf_puts(out, "}");
}

void archive_manifest_json(const archive_manifest *m, buf *out)
{
    char period[16], day[11];
    catalogue_period_format(m->period, period);
    date_format(m->stamp, day);
    const department *dept = config_department_find(m->cfg, m->board->department);
    buf_puts(out, "{\n  \"format\": \"gongkai-archive/1\",\n  \"generator\": \"gongkai " GK_VERSION
                  "\",\n  \"site\": ");
    manifest_string(out, m->cfg->name);
    buf_puts(out, ",\n  \"base_url\": ");
    manifest_string(out, m->cfg->base_url);
    buf_puts(out, ",\n  \"board\": {\"id\": ");
    manifest_string(out, m->board->id);
    buf_puts(out, ", \"title\": ");
    manifest_string(out, m->board_title);
    buf_puts(out, ", \"department\": ");
    manifest_string(out, m->board->department);
    buf_puts(out, ", \"department_name\": ");
    manifest_string(out, dept ? dept->full_name : NULL);
    buf_puts(out, "},\n  \"period\": ");
    manifest_string(out, period);
    buf_puts(out, ",\n  \"period_label\": ");
    manifest_string(out, m->period_label);
    buf_puts(out, ",\n  \"date\": ");
    manifest_string(out, day);
    buf_puts(out, ",\n  \"source_commit\": ");
    manifest_string(out, m->source_commit);
    buf_puts(out, ",\n  \"release_tag\": ");
    manifest_string(out, m->release_tag);
    buf_puts(out, ",\n  \"reviewers\": ");
    manifest_reviewers(out, m);
    buf_puts(out, ",\n  \"items\": [\n");
    for (size_t i = 0; i < m->item_count; i++) {
        manifest_item(out, m, m->items[i]);
        buf_puts(out, i + 1 < m->item_count ? ",\n" : "\n");
    }
    buf_puts(out, "  ],\n  \"files\": [\n");
    for (size_t i = 0; i < m->zip->len; i++) {
        const archive_entry *e = &m->zip->v[i];
        buf_puts(out, "    {\"path\": ");
        manifest_string(out, e->name);
        buf_printf(out, ", \"size\": %" PRIu64 ", \"sha256\": \"%s\", \"from\": ", e->size,
                   e->sha256);
        manifest_string(out, e->from);
        buf_puts(out, i + 1 < m->zip->len ? "},\n" : "}\n");
    }
    buf_puts(out, "  ]\n}\n");
}
