/* A decoder for the toml-test suite: TOML on stdin; on success the document
 * as tagged JSON on stdout ({"type": T, "value": "..."} for every scalar)
 * and exit 0; on error `line:col: message` on stderr and exit 1. */
#include "../generator/config/toml.h"
#include "../generator/util/buf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void put_scalar(buf *out, const char *type, const char *text)
{
    buf_printf(out, "{\"type\":\"%s\",\"value\":\"%s\"}", type, text);
}

/* The shortest of %.15g..%.17g that reads back as the same double. */
static void format_float(double d, char out[40])
{
    if (isnan(d)) {
        snprintf(out, 40, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(out, 40, "%s", d < 0 ? "-inf" : "inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static void put_datetime(buf *out, const value *v)
{
    const value_datetime *dt = &v->u.dt;
    buf b = BUF_INIT;
    if (v->type != VALUE_TIME_LOCAL)
        buf_printf(&b, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
    if (v->type != VALUE_DATE_LOCAL) {
        if (v->type != VALUE_TIME_LOCAL)
            buf_putc(&b, 'T');
        buf_printf(&b, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
        if (dt->frac_digits > 0) {
            int frac = dt->nanosecond;
            for (int i = dt->frac_digits; i < 9; i++)
                frac /= 10;
            buf_printf(&b, ".%0*d", dt->frac_digits, frac);
        }
    }
    if (v->type == VALUE_DATETIME) {
        int off = dt->offset_minutes;
        if (off == 0)
            buf_putc(&b, 'Z');
        else
            buf_printf(&b, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
    }
    static const char *const types[] = {
        [VALUE_DATETIME] = "datetime",
        [VALUE_DATETIME_LOCAL] = "datetime-local",
        [VALUE_DATE_LOCAL] = "date-local",
        [VALUE_TIME_LOCAL] = "time-local",
    };
    put_scalar(out, types[v->type], buf_cstr(&b));
    buf_free(&b);
}

/* Recursion is safe: the parser refuses nesting deeper than it allows. */
static void put_value(buf *out, const value *v)
{
    char text[40];
    switch (v->type) {
    case VALUE_STRING:
        buf_puts(out, "{\"type\":\"string\",\"value\":\"");
        buf_put_json_string(out, v->u.str.ptr, v->u.str.len);
        buf_puts(out, "\"}");
        break;
    case VALUE_INTEGER:
        snprintf(text, sizeof text, "%" PRId64, v->u.integer);
        put_scalar(out, "integer", text);
        break;
    case VALUE_FLOAT:
        format_float(v->u.real, text);
        put_scalar(out, "float", text);
        break;
    case VALUE_BOOL:
        put_scalar(out, "bool", v->u.boolean ? "true" : "false");
        break;
    case VALUE_DATETIME:
    case VALUE_DATETIME_LOCAL:
    case VALUE_DATE_LOCAL:
    case VALUE_TIME_LOCAL:
        put_datetime(out, v);
        break;
    case VALUE_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i > 0)
                buf_putc(out, ',');
            put_value(out, v->u.array.items[i]);
        }
        buf_putc(out, ']');
        break;
    case VALUE_TABLE:
        buf_putc(out, '{');
        for (size_t i = 0; i < v->u.table.len; i++) {
            const value_entry *e = &v->u.table.entries[i];
            if (i > 0)
                buf_putc(out, ',');
            buf_putc(out, '"');
            buf_put_json_string(out, e->key, e->key_len);
            buf_puts(out, "\":");
            put_value(out, e->val);
        }
        buf_putc(out, '}');
        break;
    }
}

int main(void)
{
    buf in = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_put(&in, chunk, n);

    arena mem;
    arena_init(&mem);
    value *root;
    toml_error err;
    int status = 0;
    if (toml_parse(&mem, in.ptr ? in.ptr : "", in.len, 1, &root, &err) < 0) {
        fprintf(stderr, "%d:%d: %s\n", err.line, err.col, err.message);
        status = 1;
    } else {
        buf out = BUF_INIT;
        put_value(&out, root);
        buf_putc(&out, '\n');
        fwrite(out.ptr, 1, out.len, stdout);
        buf_free(&out);
    }
    arena_free(&mem);
    buf_free(&in);
    return status;
}
