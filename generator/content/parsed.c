/* An item as content_item_read made it, written to bytes and read back, so
 * that the text store (keep.c) keeps with a text its parse and a rebuild
 * skips the split, the front matter parser and the field readers for a file
 * that did not change. Everything of content_item is written but what the
 * caller gives back: its names (from the path), its text, length and hash.
 * The front matter tree is not an item's (content_item_read frees it; a
 * check that wants a key's position parses the text again with
 * content_item_where), so it is not written either.
 *
 * Only items that loaded without any diagnostic are written (scan.c), so a
 * restored item has ok true and reports nothing, as its parse would. What
 * else a parse depends on is site.toml (departments, boards) and this
 * program: keep.c keys the parses on both and drops them when either
 * changed. A department and a defaulted board are written as their index
 * in cfg's arrays, so that a restored item points into cfg as a parsed one
 * does; a given board is a string of the front matter.
 *
 * Numbers are LEB128 varints (signed ones zigzagged), a string its length
 * + 1 (0: NULL), its bytes and a NUL. A restored string points into the
 * bytes read, which must live as long as the item (the mapped texts file).
 * Reading is checked at every step (lengths, ranges, enums): bytes that are
 * not a record this code wrote give false, never a crash; that they are the
 * record that was written is for keep.c's checks to tell. Records are keyed
 * by the program's build (util/build.h), so a change to content_item or to
 * how an item is read never meets a record of the old code. */
#include "content_internal.h"

#include "../util/buf.h"

#include <limits.h>
#include <string.h>

static void parsed_u(buf *out, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    buf_put(out, b, n);
}

static void parsed_i(buf *out, int64_t v)
{
    uint64_t u = (uint64_t)v;
    parsed_u(out, v < 0 ? ~(u << 1) : u << 1);
}

static void parsed_s(buf *out, const char *s, size_t len)
{
    if (!s) {
        parsed_u(out, 0);
        return;
    }
    parsed_u(out, (uint64_t)len + 1);
    buf_put(out, s, len);
    buf_putc(out, '\0');
}

static void parsed_cstr(buf *out, const char *s)
{
    parsed_s(out, s, s ? strlen(s) : 0);
}

static void parsed_str(buf *out, const content_str *s)
{
    parsed_cstr(out, s->s);
    parsed_i(out, s->line);
    parsed_i(out, s->col);
}

static void parsed_when(buf *out, const content_when *w)
{
    parsed_u(out, (uint64_t)w->set | (uint64_t)w->has_time << 1);
    parsed_i(out, w->day.year);
    parsed_i(out, w->day.month);
    parsed_i(out, w->day.day);
    parsed_i(out, w->hour);
    parsed_i(out, w->minute);
    parsed_i(out, w->second);
}

/* A list's strings; with `cfg`, an entry that is a board id of cfg's (a
 * defaulted board, line 0) as that board's index + 1, 0 for a string. */
static void parsed_list(buf *out, const content_list *l, const site_config *cfg)
{
    parsed_u(out, l->v != NULL);
    parsed_u(out, l->len);
    for (size_t i = 0; i < l->len; i++) {
        size_t ref = 0;
        for (size_t b = 0; cfg && !ref && b < cfg->board_count; b++)
            if (l->v[i].s == cfg->boards[b].id)
                ref = b + 1;
        parsed_u(out, ref);
        if (!ref)
            parsed_cstr(out, l->v[i].s);
        parsed_i(out, l->v[i].line);
        parsed_i(out, l->v[i].col);
    }
}

bool content_parsed_put(buf *out, const site_config *cfg, const content_item *it)
{
    size_t dept = 0;
    if (it->dept) {
        if (it->dept < cfg->departments || it->dept >= cfg->departments + cfg->department_count)
            return false;
        dept = (size_t)(it->dept - cfg->departments) + 1;
    }
    if (!it->ok || it->body < it->text || it->body > it->text + it->text_len)
        return false;
    parsed_u(out, (uint64_t)it->format);
    parsed_i(out, it->front_line);
    parsed_u(out, (uint64_t)(it->body - it->text));
    parsed_u(out, it->body_len);
    parsed_i(out, it->body_line);
    parsed_cstr(out, it->title);
    parsed_when(out, &it->date);
    parsed_when(out, &it->created);
    parsed_cstr(out, it->department);
    parsed_u(out, dept);
    parsed_u(out, it->department_given);
    parsed_str(out, &it->category);
    parsed_str(out, &it->doc_number);
    parsed_u(out, (uint64_t)it->status);
    parsed_when(out, &it->effective);
    parsed_when(out, &it->expires);
    parsed_u(out, (uint64_t)it->disclosure);
    parsed_str(out, &it->secrecy);
    parsed_cstr(out, it->period_text);
    parsed_u(out, (uint64_t)it->period.kind);
    parsed_i(out, it->period.year);
    parsed_i(out, it->period.n);
    parsed_list(out, &it->boards, cfg);
    parsed_u(out, it->boards_given);
    parsed_list(out, &it->keywords, NULL);
    parsed_list(out, &it->reviewed_by, NULL);
    parsed_when(out, &it->reviewed_on);
    parsed_list(out, &it->attachments, NULL);
    parsed_u(out, it->draft);
    parsed_str(out, &it->pii_allowed);
    parsed_str(out, &it->amends);
    return true;
}

/* ---- reading back ------------------------------------------------------ */

typedef struct parsed_reader {
    const unsigned char *p, *end;
    bool bad; /* then every read gives 0 or NULL */
    arena *mem;
    const site_config *cfg;
} parsed_reader;

static uint64_t parsed_get_u(parsed_reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !r->bad && shift < 64 && r->p < r->end; shift += 7) {
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static int64_t parsed_get_i64(parsed_reader *r)
{
    uint64_t u = parsed_get_u(r);
    return u & 1 ? (int64_t) ~(u >> 1) : (int64_t)(u >> 1);
}

static int parsed_get_int(parsed_reader *r)
{
    int64_t v = parsed_get_i64(r);
    if (v < INT_MIN || v > INT_MAX) {
        r->bad = true;
        return 0;
    }
    return (int)v;
}

/* A value below `limit` (an enum's count, a flag's 2). */
static unsigned parsed_get_below(parsed_reader *r, unsigned limit)
{
    uint64_t v = parsed_get_u(r);
    if (v >= limit) {
        r->bad = true;
        return 0;
    }
    return (unsigned)v;
}

/* A count of things that each take at least a byte of what is left. */
static size_t parsed_get_count(parsed_reader *r)
{
    uint64_t n = parsed_get_u(r);
    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return 0;
    }
    return (size_t)n;
}

/* A string in place, its NUL checked; NULL for NULL (and when bad). */
static const char *parsed_get_s(parsed_reader *r, size_t *len)
{
    uint64_t n = parsed_get_u(r);
    *len = 0;
    if (!n || r->bad)
        return NULL;
    if (n > (uint64_t)(r->end - r->p) || r->p[n - 1] != '\0') {
        r->bad = true;
        return NULL;
    }
    const char *s = (const char *)r->p;
    r->p += n;
    *len = (size_t)n - 1;
    return s;
}

static const char *parsed_get_cstr(parsed_reader *r)
{
    size_t len;
    return parsed_get_s(r, &len);
}

static void parsed_get_str(parsed_reader *r, content_str *s)
{
    s->s = parsed_get_cstr(r);
    s->line = parsed_get_int(r);
    s->col = parsed_get_int(r);
}

static void parsed_get_when(parsed_reader *r, content_when *w)
{
    unsigned flags = parsed_get_below(r, 4);
    w->set = flags & 1;
    w->has_time = flags & 2;
    w->day.year = parsed_get_int(r);
    w->day.month = parsed_get_int(r);
    w->day.day = parsed_get_int(r);
    w->hour = parsed_get_int(r);
    w->minute = parsed_get_int(r);
    w->second = parsed_get_int(r);
}

static void parsed_get_list(parsed_reader *r, content_list *l, bool boards)
{
    bool has_v = parsed_get_below(r, 2);
    l->len = parsed_get_count(r);
    l->v = has_v ? arena_alloc(r->mem, (l->len ? l->len : 1) * sizeof *l->v) : NULL;
    if (!has_v && l->len)
        r->bad = true;
    for (size_t i = 0; i < l->len && !r->bad; i++) {
        content_str *s = &l->v[i];
        size_t ref = parsed_get_count(r);
        if (ref && (!boards || ref > r->cfg->board_count))
            r->bad = true;
        else
            s->s = ref ? r->cfg->boards[ref - 1].id : parsed_get_cstr(r);
        s->line = parsed_get_int(r);
        s->col = parsed_get_int(r);
        if (!s->s)
            r->bad = true;
    }
    if (r->bad)
        l->len = 0;
}

bool content_parsed_get(arena *mem, const site_config *cfg, const char *path, const char *text,
                        size_t len, uint64_t hash, const char *data, size_t data_len,
                        content_item *it)
{
    parsed_reader r = {(const unsigned char *)data, (const unsigned char *)data + data_len, false,
                       mem, cfg};
    memset(it, 0, sizeof *it);
    it->format = (content_format)parsed_get_below(&r, CONTENT_FORMAT_YAML + 1);
    it->front_line = parsed_get_int(&r);
    uint64_t body = parsed_get_u(&r);
    it->body_len = (size_t)parsed_get_u(&r);
    if (body > len || it->body_len > len - body)
        r.bad = true;
    it->body_line = parsed_get_int(&r);
    it->title = parsed_get_cstr(&r);
    parsed_get_when(&r, &it->date);
    parsed_get_when(&r, &it->created);
    it->department = parsed_get_cstr(&r);
    size_t dept = parsed_get_count(&r);
    if (dept > cfg->department_count)
        r.bad = true;
    else if (dept)
        it->dept = &cfg->departments[dept - 1];
    it->department_given = parsed_get_below(&r, 2);
    parsed_get_str(&r, &it->category);
    parsed_get_str(&r, &it->doc_number);
    it->status = (content_validity)parsed_get_below(&r, CONTENT_VALIDITY_REPEALED + 1);
    parsed_get_when(&r, &it->effective);
    parsed_get_when(&r, &it->expires);
    it->disclosure = (content_disclosure)parsed_get_below(&r, CONTENT_DISCLOSURE_WITHHELD + 1);
    parsed_get_str(&r, &it->secrecy);
    it->period_text = parsed_get_cstr(&r);
    it->period.kind = (content_period_kind)parsed_get_below(&r, CONTENT_PERIOD_MONTH + 1);
    it->period.year = parsed_get_int(&r);
    it->period.n = parsed_get_int(&r);
    parsed_get_list(&r, &it->boards, true);
    it->boards_given = parsed_get_below(&r, 2);
    parsed_get_list(&r, &it->keywords, false);
    parsed_get_list(&r, &it->reviewed_by, false);
    parsed_get_when(&r, &it->reviewed_on);
    parsed_get_list(&r, &it->attachments, false);
    it->draft = parsed_get_below(&r, 2);
    parsed_get_str(&r, &it->pii_allowed);
    parsed_get_str(&r, &it->amends);
    /* Whole, and with what every parsed item has: a title and a category,
     * "" when missing. */
    if (r.bad || r.p != r.end || !it->title || !it->category.s)
        return false;
    content_item_names(mem, it, path);
    it->text = text;
    it->text_len = len;
    it->text_hash = hash;
    it->body = text + body;
    it->ok = true;
    return true;
}
