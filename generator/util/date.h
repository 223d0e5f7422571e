/* Calendar dates: validation of real dates, ordering and day arithmetic. The
 * working-day calendar (holidays, make-up days) is built on these. */
#ifndef GK_UTIL_DATE_H
#define GK_UTIL_DATE_H

#include <stdbool.h>

typedef struct date {
    int year, month, day;
} date;

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_valid(int year, int month, int day);
/* Days since 1970-01-01 (negative before). */
long date_to_days(date d);
date date_from_days(long days);
/* 1 = Monday ... 7 = Sunday */
int date_weekday(date d);
int date_cmp(date a, date b);
/* Parse exactly "YYYY-MM-DD" (n bytes); 0 on success, -1 when malformed or
 * not a real date (2026-02-30). */
int date_parse(const char *s, unsigned long n, date *out);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void date_format(date d, char *out);
/* Today in local time. */
date date_today(void);

#endif
