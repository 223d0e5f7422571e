#include "diag.h"
#include "buf.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void diag_list_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
    arena_init(&d->mem);
}

void diag_list_free(diag_list *d)
{
    arena_free(&d->mem);
    free(d->items);
    memset(d, 0, sizeof *d);
}

void diag_vadd(diag_list *d, diag_severity severity, const char *code, const char *path, int line,
               int col, const char *fmt, va_list ap)
{
    buf msg = BUF_INIT;
    buf_vprintf(&msg, fmt, ap);
    d->items = xgrow(d->items, &d->cap, d->len + 1, sizeof *d->items);
    diag *g = &d->items[d->len++];
    g->severity = severity;
    g->code = code;
    g->path = arena_strdup(&d->mem, path ? path : "");
    g->line = line;
    g->col = col;
    g->seq = d->len - 1;
    g->message = arena_strndup(&d->mem, buf_cstr(&msg), msg.len);
    buf_free(&msg);
}

void diag_add(diag_list *d, diag_severity severity, const char *code, const char *path, int line,
              int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, severity, code, path, line, col, fmt, ap);
    va_end(ap);
}

void diag_list_append(diag_list *d, const diag_list *from)
{
    for (size_t i = 0; i < from->len; i++) {
        const diag *g = &from->items[i];
        diag_add(d, g->severity, g->code, g->path, g->line, g->col, "%s", g->message);
    }
}

size_t diag_list_count(const diag_list *d, diag_severity severity)
{
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += d->items[i].severity == severity;
    return n;
}

static int diag_cmp(const void *pa, const void *pb)
{
    const diag *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_list_sort(diag_list *d)
{
    if (d->len > 1)
        qsort(d->items, d->len, sizeof *d->items, diag_cmp);
}

/* Sorting by file first puts each file's diagnostics together; whether the
 * file has an error is then one flag per run of equal paths. */
typedef struct diag_keyed {
    diag d;
    bool file_has_error;
} diag_keyed;

static int diag_grouped_cmp(const void *pa, const void *pb)
{
    const diag_keyed *a = pa, *b = pb;
    if (a->file_has_error != b->file_has_error)
        return a->file_has_error ? -1 : 1;
    int c = strcmp(a->d.path, b->d.path);
    if (c)
        return c;
    if (a->d.severity != b->d.severity)
        return a->d.severity == DIAG_ERROR ? -1 : 1;
    return diag_cmp(&a->d, &b->d);
}

void diag_list_sort_grouped(diag_list *d)
{
    if (d->len < 2)
        return;
    diag_list_sort(d);
    diag_keyed *k = xmalloc(d->len * sizeof *k);
    for (size_t i = 0; i < d->len;) {
        size_t j = i;
        bool error = false;
        while (j < d->len && strcmp(d->items[j].path, d->items[i].path) == 0)
            error |= d->items[j++].severity == DIAG_ERROR;
        for (; i < j; i++)
            k[i] = (diag_keyed){d->items[i], error};
    }
    qsort(k, d->len, sizeof *k, diag_grouped_cmp);
    for (size_t i = 0; i < d->len; i++)
        d->items[i] = k[i].d;
    free(k);
}

static const char *diag_severity_text(diag_severity s)
{
    return s == DIAG_ERROR ? "错误" : "警告";
}

void diag_list_print_text(const diag_list *d, FILE *out)
{
    for (size_t i = 0; i < d->len; i++) {
        const diag *g = &d->items[i];
        if (!g->path[0])
            fprintf(out, "gongkai");
        else if (g->line > 0)
            fprintf(out, "%s:%d:%d", g->path, g->line, g->col > 0 ? g->col : 1);
        else
            fprintf(out, "%s", g->path);
        fprintf(out, ": %s [%s]: %s\n", diag_severity_text(g->severity), g->code, g->message);
    }
}

void diag_list_print_json(const diag_list *d, FILE *out)
{
    buf b = BUF_INIT;
    buf_puts(&b, "{\"diagnostics\":[");
    for (size_t i = 0; i < d->len; i++) {
        const diag *g = &d->items[i];
        buf_puts(&b, i ? ",\n{\"file\":\"" : "\n{\"file\":\"");
        buf_put_json_string(&b, g->path, strlen(g->path));
        buf_printf(&b, "\",\"line\":%d,\"column\":%d,\"severity\":\"%s\",\"code\":\"%s\",", g->line,
                   g->col, g->severity == DIAG_ERROR ? "error" : "warning", g->code);
        buf_puts(&b, "\"message\":\"");
        buf_put_json_string(&b, g->message, strlen(g->message));
        buf_puts(&b, "\"}");
    }
    buf_printf(&b, "\n],\"errors\":%zu,\"warnings\":%zu}\n", diag_list_count(d, DIAG_ERROR),
               diag_list_count(d, DIAG_WARNING));
    fwrite(b.ptr, 1, b.len, out);
    buf_free(&b);
}
