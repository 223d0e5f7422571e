/* Personal data in public items (个人隐私): ID numbers, mobile numbers and
 * bank card numbers. The scanner looks for numbers that validate, not for
 * anything with enough digits, so that amounts, dates, 文号 and index
 * numbers do not drown the real findings: an 18-digit ID must carry a real
 * province, a real birth date and the right ISO 7064 MOD 11-2 check digit,
 * a card number must pass Luhn and start like a card. Messages show the
 * number masked, never in full. */
#include "check_internal.h"

#include "../util/utf8.h"

#include <stdio.h>
#include <string.h>

#define PII_MAX_DIGITS 128
#define PII_MAX_GROUPS 6

const char *check_pii_kind_name(check_pii_kind kind)
{
    static const char *const names[] = {"身份证号", "身份证号（15 位）", "手机号码", "银行卡号"};
    return names[kind];
}

/* The digit at s[i] (ASCII or full-width ０-９): its byte length, 0 if none. */
static size_t pii_digit(const unsigned char *s, size_t len, size_t i, char *d)
{
    if (s[i] >= '0' && s[i] <= '9') {
        *d = (char)s[i];
        return 1;
    }
    if (s[i] == 0xef && i + 2 < len && s[i + 1] == 0xbc && s[i + 2] >= 0x90 && s[i + 2] <= 0x99) {
        *d = (char)('0' + (s[i + 2] - 0x90));
        return 3;
    }
    return 0;
}

/* The code point before byte i (0 at the start, U+FFFD when not UTF-8). */
static uint32_t pii_prev(const unsigned char *s, size_t i, size_t *start)
{
    if (i == 0) {
        *start = 0;
        return 0;
    }
    size_t k = i - 1;
    while (k > 0 && i - k < 4 && (s[k] & 0xc0) == 0x80)
        k--;
    uint32_t cp;
    if (utf8_decode((const char *)s + k, i - k, &cp) != i - k) {
        *start = i - 1;
        return 0xfffd;
    }
    *start = k;
    return cp;
}

/* The code point at byte i (0 at the end), and its length. */
static uint32_t pii_next(const unsigned char *s, size_t len, size_t i, size_t *n)
{
    uint32_t cp;
    if (i >= len) {
        *n = 0;
        return 0;
    }
    *n = utf8_decode((const char *)s + i, len - i, &cp);
    if (!*n) {
        *n = 1;
        return 0xfffd;
    }
    return cp;
}

static bool pii_alnum(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xff10 && cp <= 0xff19);
}

static bool pii_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* A number [from, to) of text is part of something else when what touches
 * it says so: a letter or a slash (codes, index numbers, paths), a hyphen or
 * a point joining it to more digits or letters (2025-00012, 12.50), the
 * brackets and 号 of a 文号 (〔2025〕123号, though 号码 after a number is just
 * "number"). */
static bool pii_embedded(const unsigned char *s, size_t len, size_t from, size_t to)
{
    size_t p0, p1, n0, n1;
    uint32_t prev = pii_prev(s, from, &p0);
    uint32_t before = pii_prev(s, p0, &p1);
    uint32_t next = pii_next(s, len, to, &n0);
    uint32_t after = pii_next(s, len, to + n0, &n1);
    if (pii_letter(prev) || pii_letter(next))
        return true;
    if (prev == '/' || prev == '\\' || prev == '_' || prev == '=' || prev == '#' || next == '/' ||
        next == '\\' || next == '_')
        return true;
    if ((prev == '-' || prev == '.') && pii_alnum(before))
        return true;
    if ((next == '-' || next == '.') && pii_alnum(after))
        return true;
    if (prev == 0x3015 /* 〕 */ || prev == ']' || prev == 0xff3d /* ］ */ ||
        prev == 0x3011 /* 】 */ || (next == 0x53f7 /* 号 */ && after != 0x7801 /* 码 */))
        return true;
    return false;
}

/* Provinces (first two digits of an ID number) as the national standard
 * GB/T 2260 lists them, Hong Kong, Macao and Taiwan included. */
static bool pii_province(const char *d)
{
    static const char *const codes[] = {"11", "12", "13", "14", "15", "21", "22", "23", "31",
                                        "32", "33", "34", "35", "36", "37", "41", "42", "43",
                                        "44", "45", "46", "50", "51", "52", "53", "54", "61",
                                        "62", "63", "64", "65", "71", "81", "82"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (d[0] == codes[i][0] && d[1] == codes[i][1])
            return true;
    return false;
}

static int pii_num(const char *d, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (d[i] - '0');
    return v;
}

/* 18 characters: 17 digits and a check character (digit or X). */
static bool pii_id18(const char *d)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    if (!pii_province(d))
        return false;
    int y = pii_num(d + 6, 4), m = pii_num(d + 10, 2), day = pii_num(d + 12, 2);
    if (y < 1900 || y > 2099 || !date_valid(y, m, day))
        return false;
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d[i] - '0') * weights[i];
    return "10X98765432"[sum % 11] == d[17];
}

static bool pii_id15(const char *d)
{
    return pii_province(d) &&
           date_valid(1900 + pii_num(d + 6, 2), pii_num(d + 8, 2), pii_num(d + 10, 2));
}

static bool pii_mobile(const char *d)
{
    return d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

static bool pii_luhn(const char *d, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* Card numbers start with the issuer's prefix: UnionPay 62 (most Chinese
 * cards, 16 to 19 digits), Visa 4, Mastercard 51-55 and 22-27, JCB 35,
 * 60 and 65, and the older domestic 95 cards of 19 digits. Lengths 17 and 18
 * are UnionPay only: other 18-digit numbers are mostly 统一社会信用代码. */
static bool pii_card(const char *d, int n)
{
    int p = pii_num(d, 2);
    bool ok;
    if (n == 16)
        ok = d[0] == '4' || (p >= 51 && p <= 55) || (p >= 22 && p <= 27) || p == 35 || p == 60 ||
             p == 62 || p == 65;
    else if (n == 19)
        ok = d[0] == '4' || p == 60 || p == 62 || p == 95;
    else
        ok = n >= 17 && n <= 18 && p == 62;
    return ok && pii_luhn(d, n);
}

/* Keep `head` leading and `tail` trailing characters, star the rest. */
static void pii_mask(check_pii_match *m, const char *d, int n, int head, int tail)
{
    int k = 0;
    for (int i = 0; i < n && k < (int)sizeof m->masked - 1; i++)
        m->masked[k++] = i < head || i >= n - tail ? d[i] : '*';
    m->masked[k] = '\0';
}

/* Classify the digits d[0..n) (with the ID check character X appended as
 * d[n-1] when `x`); 1 with *m filled when they are personal data. */
static int pii_classify(const char *d, int n, bool x, check_pii_match *m)
{
    if (n == 18 && pii_id18(d)) {
        m->kind = CHECK_PII_ID18;
        pii_mask(m, d, n, 4, 4);
        return 1;
    }
    if (x)
        return 0;
    if (n == 15 && pii_id15(d)) {
        m->kind = CHECK_PII_ID15;
        pii_mask(m, d, n, 4, 4);
        return 1;
    }
    if ((n == 11 && pii_mobile(d)) ||
        (n == 13 && d[0] == '8' && d[1] == '6' && pii_mobile(d + 2))) {
        m->kind = CHECK_PII_MOBILE;
        pii_mask(m, d, n, n - 8, 4);
        return 1;
    }
    if (n >= 16 && n <= 19 && pii_card(d, n)) {
        m->kind = CHECK_PII_CARD;
        pii_mask(m, d, n, 4, 4);
        return 1;
    }
    return 0;
}

/* One number as the scanner found it: digit groups joined by one separator
 * (a space or a hyphen, the same throughout). */
typedef struct pii_number {
    size_t from, to; /* bytes, an ID's trailing X included */
    char d[PII_MAX_DIGITS + 2];
    int n; /* digits kept in d; more than PII_MAX_DIGITS means a long run */
    int groups;
    int glen[PII_MAX_GROUPS];
    size_t gfrom[PII_MAX_GROUPS], gto[PII_MAX_GROUPS];
    int gfirst[PII_MAX_GROUPS]; /* index in d of each group's first digit */
} pii_number;

/* Read the digits of one group from byte i; returns the byte after it. */
static size_t pii_group(const unsigned char *s, size_t len, size_t i, pii_number *num)
{
    char d;
    size_t k;
    while (i < len && (k = pii_digit(s, len, i, &d)) > 0) {
        if (num->n < PII_MAX_DIGITS)
            num->d[num->n] = d;
        num->n++;
        i += k;
    }
    return i;
}

static size_t pii_read(const unsigned char *s, size_t len, size_t i, pii_number *num)
{
    num->from = i;
    num->n = 0;
    num->groups = 0;
    char sep = 0, d;
    for (;;) {
        int g = num->groups++;
        num->gfrom[g] = i;
        num->gfirst[g] = num->n;
        i = pii_group(s, len, i, num);
        num->gto[g] = i;
        num->glen[g] = num->n - num->gfirst[g];
        if (num->groups == PII_MAX_GROUPS || i + 1 >= len || (s[i] != ' ' && s[i] != '-') ||
            (sep && s[i] != sep) || !pii_digit(s, len, i + 1, &d))
            break;
        sep = (char)s[i];
        i++;
    }
    num->to = i;
    return i;
}

/* Report digits d[0..n) written at [from, to) when they are personal data. */
static void pii_report(size_t from, size_t to, const char *d, int n, bool x, const unsigned char *s,
                       size_t len, check_pii_fn fn, void *ctx)
{
    /* Nothing longer than a card number is personal data. */
    if (n > 19)
        return;
    char digits[24];
    memcpy(digits, d, (size_t)n);
    if (x)
        digits[n++] = 'X';
    /* Most numbers (dates, amounts) have the wrong length or digits, which
     * costs less to see than what surrounds them. */
    check_pii_match m;
    if (pii_classify(digits, n, x, &m) && !pii_embedded(s, len, from, to + x)) {
        m.off = from;
        m.len = to + x - from;
        fn(&m, ctx);
    }
}

/* Whether the groups are one number written in the usual grouping: a mobile
 * 3-4-4, a card in fours (the last group shorter), an ID 6-8-4. */
static bool pii_grouped(const pii_number *num, bool x)
{
    const int *g = num->glen;
    int k = num->groups;
    if (k == 3 && g[0] == 3 && g[1] == 4 && g[2] == 4 && !x)
        return true;
    if (k == 3 && g[0] == 6 && g[1] == 8 && g[2] == 4 - x)
        return true;
    if ((k == 4 || k == 5) && !x && num->n >= 16 && num->n <= 19) {
        for (int i = 0; i < k - 1; i++)
            if (g[i] != 4)
                return false;
        return g[k - 1] >= 1 && g[k - 1] <= 4;
    }
    return false;
}

static bool pii_x_at(const unsigned char *s, size_t len, size_t i)
{
    return i < len && (s[i] == 'X' || s[i] == 'x');
}

/* Sixteen bytes looked at together, each on its own: GCC's vector extension
 * (also Clang's), which is SSE2 on x86-64 and plain words elsewhere. */
typedef unsigned char pii_bytes __attribute__((vector_size(16)));

/* The first byte at or after i that starts a digit, or len. Personal data is
 * digits, and most of a text is not: sixteen bytes at a time are passed over
 * when none of them is an ASCII digit or starts a full-width one (EF BC
 * 90-99); the last few bytes are looked at one by one. */
static size_t pii_skip(const unsigned char *s, size_t len, size_t i)
{
    for (; i + 18 <= len; i += 16) {
        pii_bytes a, b, c;
        memcpy(&a, s + i, 16);
        memcpy(&b, s + i + 1, 16);
        memcpy(&c, s + i + 2, 16);
        pii_bytes hit = (pii_bytes)((pii_bytes)(a - '0') < 10) |
                        (pii_bytes)((a == 0xef) & (b == 0xbc) & ((pii_bytes)(c - 0x90) < 10));
        uint64_t any[2];
        memcpy(any, &hit, sizeof any);
        if (any[0] | any[1]) {
            int k = 0;
            while (!hit[k])
                k++;
            return i + (size_t)k;
        }
    }
    char d;
    while (i < len && !pii_digit(s, len, i, &d))
        i++;
    return i;
}

void check_pii_scan(const char *text, size_t len, check_pii_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while ((i = pii_skip(s, len, i)) < len) {
        pii_number num;
        size_t end = pii_read(s, len, i, &num);
        bool x = num.n == 17 && pii_x_at(s, len, end);
        if (num.groups == 1 || pii_grouped(&num, x)) {
            pii_report(num.from, num.to, num.d, num.n, x, s, len, fn, ctx);
        } else {
            /* Not one number: each group on its own, an ID's X after the last. */
            for (int g = 0; g < num.groups; g++) {
                bool gx = g == num.groups - 1 && num.glen[g] == 17 && pii_x_at(s, len, end);
                if (num.gfirst[g] + num.glen[g] <= PII_MAX_DIGITS)
                    pii_report(num.gfrom[g], num.gto[g], num.d + num.gfirst[g], num.glen[g], gx, s,
                               len, fn, ctx);
            }
        }
        i = end > i ? end : i + 1;
    }
}

/* ---- the rule ------------------------------------------------------------ */

typedef struct pii_found {
    const content_item *it;
    diag_list *out;
} pii_found;

static void pii_found_one(const check_pii_match *m, void *ctx)
{
    pii_found *f = ctx;
    int line, col;
    check_position(f->it, m->off, &line, &col);
    diag_add(f->out, DIAG_ERROR, "GK202", f->it->path, line, col,
             "疑似%s（%s）：公开信息不得包含身份证号、手机号码、银行卡号等个人信息。请删除或"
             "脱敏（只保留前后几位，中间用 * 代替，如 %s）；确需公开的，在前言中写明理由："
             "pii_allowed = \"……\"",
             check_pii_kind_name(m->kind), m->masked, m->masked);
}

/* What of an item's file its pages show: the front matter (title, 文号,
 * keywords...) always, the body only for 主动公开 ones. */
static size_t pii_shown_len(const content_item *it)
{
    size_t head = (size_t)(it->body - it->text);
    return it->disclosure == CONTENT_DISCLOSURE_PUBLIC ? it->text_len : head;
}

/* Items are scanned on several threads: the whole text of every item. */
static void pii_item(const check_ctx *c, size_t i, diag_list *out)
{
    const content_item *it = &c->set->items[i];
    if (!check_item_published(c, it) || it->pii_allowed.s ||
        check_memo_known(c, i, CHECK_MEMO_NO_PII))
        return;
    pii_found f = {it, out};
    size_t before = out->len;
    check_pii_scan(it->text, pii_shown_len(it), pii_found_one, &f);
    if (out->len == before)
        check_memo_note(c, i, CHECK_MEMO_NO_PII);
}

static void pii_note(const check_pii_match *m, void *ctx)
{
    (void)m;
    *(bool *)ctx = true;
}

bool check_item_personal_data(const content_item *it)
{
    bool found = false;
    if (!it->pii_allowed.s)
        check_pii_scan(it->text, pii_shown_len(it), pii_note, &found);
    return found;
}

void check_pii_run(check_ctx *c)
{
    check_items_each(c, pii_item);
}
