/* Dates and times as RFC 3339 writes them, in TOML's four kinds:
 * 1979-05-27T07:32:00Z (with offset), 1979-05-27T07:32:00 (local),
 * 1979-05-27 (local date) and 07:32:00 (local time). Every field has a fixed
 * number of digits, and the values must name a real date and time. */
#include "../util/date.h"
#include "toml_internal.h"

static bool dt_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits at the cursor; on failure the cursor is left on the
 * character that is not a digit, for the error to point at. */
static bool dt_fixed(toml_parser *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        int c = toml_peek(p, (size_t)i);
        if (!dt_digit(c)) {
            p->pos += (size_t)i;
            return false;
        }
        v = v * 10 + (c - '0');
    }
    p->pos += (size_t)n;
    *out = v;
    return true;
}

static bool dt_sep(toml_parser *p, char sep)
{
    if (toml_peek(p, 0) != sep)
        return false;
    p->pos++;
    return true;
}

bool toml_at_datetime(const toml_parser *p)
{
    if (dt_digit(toml_peek(p, 0)) && dt_digit(toml_peek(p, 1)) && toml_peek(p, 2) == ':')
        return true;
    for (size_t i = 0; i < 4; i++)
        if (!dt_digit(toml_peek(p, i)))
            return false;
    return toml_peek(p, 4) == '-';
}

static int dt_date(toml_parser *p, value_datetime *dt)
{
    size_t start = p->pos;
    if (!dt_fixed(p, 4, &dt->year) || !dt_sep(p, '-') || !dt_fixed(p, 2, &dt->month) ||
        !dt_sep(p, '-') || !dt_fixed(p, 2, &dt->day))
        return toml_fail(p, p->pos, "日期格式应为 YYYY-MM-DD");
    /* Not date_valid(): RFC 3339 allows the year 0000. */
    if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
        dt->day > date_days_in_month(dt->year, dt->month))
        return toml_fail(p, start, "日期无效");
    return 0;
}

static int dt_time(toml_parser *p, value_datetime *dt)
{
    size_t start = p->pos;
    if (!dt_fixed(p, 2, &dt->hour) || !dt_sep(p, ':') || !dt_fixed(p, 2, &dt->minute) ||
        !dt_sep(p, ':') || !dt_fixed(p, 2, &dt->second))
        return toml_fail(p, p->pos, "时间格式应为 HH:MM:SS");
    /* Second 60 is a leap second, which RFC 3339 allows. */
    if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
        return toml_fail(p, start, "时间无效");
    if (toml_peek(p, 0) != '.')
        return 0;
    p->pos++;
    if (!dt_digit(toml_peek(p, 0)))
        return toml_fail(p, p->pos, "秒的小数部分缺少数字");
    /* Digits past nanoseconds are dropped, as the specification asks of an
     * implementation that cannot keep them. */
    for (int c; dt_digit(c = toml_peek(p, 0)); p->pos++) {
        if (dt->frac_digits < 9) {
            dt->nanosecond = dt->nanosecond * 10 + (c - '0');
            dt->frac_digits++;
        }
    }
    for (int i = dt->frac_digits; i < 9; i++)
        dt->nanosecond *= 10;
    return 0;
}

/* Z or ±HH:MM after a time; returns 1 when there was one. */
static int dt_offset(toml_parser *p, value_datetime *dt)
{
    int c = toml_peek(p, 0);
    if (c == 'Z' || c == 'z') {
        p->pos++;
        dt->offset_minutes = 0;
        return 1;
    }
    if (c != '+' && c != '-')
        return 0;
    size_t start = p->pos++;
    int h, m;
    if (!dt_fixed(p, 2, &h) || !dt_sep(p, ':') || !dt_fixed(p, 2, &m))
        return toml_fail(p, p->pos, "时区偏移格式应为 ±HH:MM");
    if (h > 23 || m > 59)
        return toml_fail(p, start, "时区偏移无效");
    dt->offset_minutes = (c == '-' ? -1 : 1) * (h * 60 + m);
    return 1;
}

int toml_datetime(toml_parser *p, value *v)
{
    value_datetime *dt = &v->u.dt;
    if (toml_peek(p, 2) == ':') {
        v->type = VALUE_TIME_LOCAL;
        return dt_time(p, dt);
    }
    if (dt_date(p, dt) < 0)
        return -1;
    /* The date and time may be parted by T or by a space; after a space
     * the time must follow at once, or the space just ends the value. */
    int c = toml_peek(p, 0);
    bool has_time = c == 'T' || c == 't' ||
                    (c == ' ' && dt_digit(toml_peek(p, 1)) && dt_digit(toml_peek(p, 2)) &&
                     toml_peek(p, 3) == ':');
    if (!has_time) {
        v->type = VALUE_DATE_LOCAL;
        return 0;
    }
    p->pos++;
    if (dt_time(p, dt) < 0)
        return -1;
    int r = dt_offset(p, dt);
    if (r < 0)
        return -1;
    v->type = r ? VALUE_DATETIME : VALUE_DATETIME_LOCAL;
    return 0;
}
