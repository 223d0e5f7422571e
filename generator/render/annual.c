#include "annual.h"

#include "../util/hash.h"
#include "../util/sandbox.h"

#include <stdio.h>

void annual_page_url(int year, buf *out)
{
    buf_printf(out, "/xxgk/nb/%d/", year);
}

void annual_csv_url(int year, buf *out)
{
    buf_printf(out, "/xxgk/nb/%d/report-%d.csv", year, year);
}

static void annual_set_count(lua_State *L, const char *key, size_t n)
{
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, -2, key);
}

/* {{key, name, count}, ...} */
static void annual_set_counts(lua_State *L, const char *key, const report_count *rows, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 3);
        sandbox_set_string(L, "key", rows[i].key);
        sandbox_set_string(L, "name", rows[i].name);
        annual_set_count(L, "count", rows[i].count);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, key);
}

static void annual_set_late(lua_State *L, const report *r)
{
    lua_createtable(L, (int)r->late, 0);
    for (size_t i = 0; i < r->late; i++) {
        const catalogue_item *ci = r->late_items[i].item;
        char day[11];
        lua_newtable(L);
        sandbox_set_string(L, "title", ci->item->title);
        sandbox_set_string(L, "url", ci->url);
        sandbox_set_string(L, "index_no", ci->index_no);
        date_format(ci->item->created.day, day);
        sandbox_set_string(L, "created", day);
        date_format(ci->item->date.day, day);
        sandbox_set_string(L, "date", day);
        annual_set_count(L, "workdays", (size_t)r->late_items[i].workdays);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "late_items");
}

static void annual_set_townships(lua_State *L, const report *r)
{
    lua_createtable(L, (int)r->township_count, 0);
    for (size_t t = 0; t < r->township_count; t++) {
        const report_township *tw = &r->townships[t];
        lua_newtable(L);
        sandbox_set_string(L, "id", tw->dept->id);
        sandbox_set_string(L, "name", tw->dept->name);
        size_t covered = 0;
        lua_createtable(L, 4, 0);
        for (int q = 0; q < 4; q++) {
            covered += tw->quarters[q] > 0;
            lua_pushinteger(L, (lua_Integer)tw->quarters[q]);
            lua_rawseti(L, -2, q + 1);
        }
        lua_setfield(L, -2, "quarters");
        annual_set_count(L, "covered", covered);
        lua_rawseti(L, -2, (lua_Integer)t + 1);
    }
    lua_setfield(L, -2, "townships");
}

void annual_table_push(lua_State *L, const report *r)
{
    lua_newtable(L);
    lua_pushinteger(L, r->year);
    lua_setfield(L, -2, "year");
    annual_set_count(L, "published", r->published);
    annual_set_counts(L, "categories", r->categories, r->category_count);
    annual_set_counts(L, "publishers", r->publishers, r->publisher_count);
    lua_createtable(L, 0, 5);
    annual_set_count(L, "new", r->normative_new);
    annual_set_count(L, "amended", r->normative_amended);
    annual_set_count(L, "repealed", r->normative_repealed);
    annual_set_count(L, "expired", r->normative_expired);
    annual_set_count(L, "in_force", r->normative_in_force);
    lua_setfield(L, -2, "normative");
    annual_set_count(L, "withdrawn", r->withdrawn);
    annual_set_count(L, "on_time", r->on_time);
    annual_set_count(L, "late", r->late);
    annual_set_count(L, "unmeasured", r->unmeasured);
    int permille = report_on_time_permille(r);
    if (permille >= 0) {
        char share[16];
        snprintf(share, sizeof share, "%d.%d%%", permille / 10, permille % 10);
        sandbox_set_string(L, "on_time_share", share);
    }
    annual_set_count(L, "due_workdays", REPORT_DUE_WORKDAYS);
    annual_set_late(L, r);
    annual_set_townships(L, r);
    buf csv = BUF_INIT;
    annual_csv_url(r->year, &csv);
    sandbox_set_string(L, "csv_url", csv.ptr);
    buf_free(&csv);
}

/* Kept beside annual_table_push: a field shown there and not hashed here
 * would leave a page unchanged that should change. */
static uint64_t annual_counts_key(uint64_t h, const report_count *rows, size_t n)
{
    h = hash64_int(h, (int64_t)n);
    for (size_t i = 0; i < n; i++)
        h = hash64_int(hash64_str(hash64_str(h, rows[i].key), rows[i].name),
                       (int64_t)rows[i].count);
    return h;
}

static uint64_t annual_day_key(uint64_t h, date d)
{
    return hash64_int(h, (int64_t)d.year * 10000 + d.month * 100 + d.day);
}

uint64_t annual_key(uint64_t h, const report *r)
{
    const size_t figures[] = {r->published,          r->normative_new,     r->normative_amended,
                              r->normative_repealed, r->normative_expired, r->normative_in_force,
                              r->withdrawn,          r->on_time,           r->late,
                              r->unmeasured,         REPORT_DUE_WORKDAYS};
    h = hash64_int(h, r->year);
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++)
        h = hash64_int(h, (int64_t)figures[i]);
    h = annual_counts_key(h, r->categories, r->category_count);
    h = annual_counts_key(h, r->publishers, r->publisher_count);
    for (size_t i = 0; i < r->late; i++) {
        const catalogue_item *ci = r->late_items[i].item;
        h = hash64_str(hash64_str(hash64_str(h, ci->item->title), ci->url), ci->index_no);
        h = annual_day_key(h, ci->item->created.day);
        h = annual_day_key(h, ci->item->date.day);
        h = hash64_int(h, r->late_items[i].workdays);
    }
    h = hash64_int(h, (int64_t)r->township_count);
    for (size_t t = 0; t < r->township_count; t++) {
        const report_township *tw = &r->townships[t];
        h = hash64_str(hash64_str(h, tw->dept->id), tw->dept->name);
        for (int q = 0; q < 4; q++)
            h = hash64_int(h, (int64_t)tw->quarters[q]);
    }
    return h;
}
