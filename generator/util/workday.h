/* The working-day calendar: Monday to Friday work, weekends rest, except
 * statutory holidays (off, even on a weekday) and make-up working days (调休,
 * on, even on a weekend). The dates come from site.toml's [calendar], which
 * the webmaster extends each year; a year the calendar says nothing about is
 * counted with weekends only, and callers can ask which years those are. */
#ifndef GK_UTIL_WORKDAY_H
#define GK_UTIL_WORKDAY_H

#include "date.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct workday_calendar {
    const date *holidays; /* sorted; duplicates allowed */
    size_t holiday_count;
    const date *workdays; /* sorted; duplicates allowed */
    size_t workday_count;
} workday_calendar;

bool workday_is(const workday_calendar *cal, date d);
/* Working days in (from, to]: the days after `from` up to and including
 * `to`; 0 when `to` is not after `from`. Constant in the span's length. */
long workday_count(const workday_calendar *cal, date from, date to);
/* The n-th working day after `from` (n >= 1): the last day something formed
 * on `from` may be published within an n-working-day limit. */
date workday_add(const workday_calendar *cal, date from, long n);
/* Whether the calendar lists any holiday or make-up day in `year`. */
bool workday_year_known(const workday_calendar *cal, int year);

#endif
