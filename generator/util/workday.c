#include "workday.h"

/* Index of the first date in sorted a[0..n) not before d. */
static size_t workday_lower(const date *a, size_t n, date d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (date_cmp(a[mid], d) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool workday_listed(const date *a, size_t n, date d)
{
    size_t i = workday_lower(a, n, d);
    return i < n && date_cmp(a[i], d) == 0;
}

static bool workday_weekend(date d)
{
    return date_weekday(d) >= 6;
}

bool workday_is(const workday_calendar *cal, date d)
{
    if (workday_listed(cal->holidays, cal->holiday_count, d))
        return false;
    if (workday_listed(cal->workdays, cal->workday_count, d))
        return true;
    return !workday_weekend(d);
}

/* Monday to Friday among the days numbered (a, b] since the epoch. */
static long workday_weekdays(long a, long b)
{
    /* Days since the Monday 1969-12-29, so that whole weeks start on Monday. */
    long x = a + 3, y = b + 3;
    long fx = x >= 0 ? x / 7 : -((-x + 6) / 7), fy = y >= 0 ? y / 7 : -((-y + 6) / 7);
    long rx = x - fx * 7, ry = y - fy * 7; /* 0 = Monday ... 6 = Sunday */
    /* Weekdays in [week start, day] for a remainder r: min(r + 1, 5). */
    long wx = rx + 1 < 5 ? rx + 1 : 5, wy = ry + 1 < 5 ? ry + 1 : 5;
    return (fy - fx) * 5 + wy - wx;
}

long workday_count(const workday_calendar *cal, date from, date to)
{
    long a = date_to_days(from), b = date_to_days(to);
    if (b <= a)
        return 0;
    long n = workday_weekdays(a, b);
    date first = date_from_days(a + 1);
    const date *h = cal->holidays;
    for (size_t i = workday_lower(h, cal->holiday_count, first);
         i < cal->holiday_count && date_cmp(h[i], to) <= 0; i++) {
        bool repeat = i > 0 && date_cmp(h[i - 1], h[i]) == 0;
        if (!repeat && !workday_weekend(h[i]))
            n--;
    }
    const date *w = cal->workdays;
    for (size_t i = workday_lower(w, cal->workday_count, first);
         i < cal->workday_count && date_cmp(w[i], to) <= 0; i++) {
        bool repeat = i > 0 && date_cmp(w[i - 1], w[i]) == 0;
        if (!repeat && workday_weekend(w[i]) &&
            !workday_listed(cal->holidays, cal->holiday_count, w[i]))
            n++;
    }
    return n;
}

date workday_add(const workday_calendar *cal, date from, long n)
{
    /* Seven days hold at least one working day unless a holiday run covers
     * them; jump by whole weeks while far off, then walk. */
    long day = date_to_days(from);
    long left = n;
    while (left > 10) {
        long step = left / 5 * 7 - 7;
        long got = workday_count(cal, date_from_days(day), date_from_days(day + step));
        day += step;
        left -= got;
    }
    while (left > 0) {
        day++;
        if (workday_is(cal, date_from_days(day)))
            left--;
    }
    /* A jump may overshoot when holidays were dense: step back over them. */
    while (left < 0) {
        if (workday_is(cal, date_from_days(day)))
            left++;
        day--;
    }
    while (!workday_is(cal, date_from_days(day)))
        day--;
    return date_from_days(day);
}

static bool workday_year_in(const date *a, size_t n, int year)
{
    size_t i = workday_lower(a, n, (date){year, 1, 1});
    return i < n && a[i].year == year;
}

bool workday_year_known(const workday_calendar *cal, int year)
{
    return workday_year_in(cal->holidays, cal->holiday_count, year) ||
           workday_year_in(cal->workdays, cal->workday_count, year);
}
