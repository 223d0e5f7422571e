/* Integers (decimal, 0x, 0o, 0b) and floats (fraction, exponent, inf, nan).
 * The token is first cut out whole, then checked digit by digit, so that an
 * error can point at the very character that is wrong. */
#include "toml_internal.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool number_char(int c)
{
    return toml_is_bare_key_char(c) || c == '.' || c == '+';
}

static int digit_value(int c, int base)
{
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : 99;
    return d < base ? d : -1;
}

/* Digits of `base` from s[*i], an underscore allowed only between two of
 * them. Stops at the first character that does not continue the run;
 * returns false when there was no digit at all. */
static bool number_digits(const char *s, size_t n, size_t *i, int base)
{
    if (*i >= n || digit_value(s[*i], base) < 0)
        return false;
    while (*i < n) {
        if (digit_value(s[*i], base) >= 0)
            (*i)++;
        else if (s[*i] == '_' && *i + 1 < n && digit_value(s[*i + 1], base) >= 0)
            (*i)++;
        else
            break;
    }
    return true;
}

/* The error for token byte `i`: underscores get their own explanation,
 * since misplacing one is the usual mistake. */
static int number_fail(toml_parser *p, size_t start, const char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '_')
        return toml_fail(p, start + i, "数字中的下划线必须位于两个数字之间");
    return toml_fail(p, start + i, "无效的数字");
}

/* Accumulate the digits of s[from..to) in `base`, underscores skipped,
 * refusing any magnitude above `limit`. */
static bool number_accumulate(const char *s, size_t from, size_t to, int base, uint64_t limit,
                              uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = from; i < to; i++) {
        if (s[i] == '_')
            continue;
        uint64_t d = (uint64_t)digit_value(s[i], base);
        if (v > (limit - d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return true;
}

/* 0x..., 0o..., 0b...: never signed, never negative. */
static int number_based(toml_parser *p, value *v, size_t start, const char *s, size_t n)
{
    int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
    size_t i = 2;
    if (!number_digits(s, n, &i, base) || i != n)
        return number_fail(p, start, s, i, n);
    uint64_t mag;
    if (!number_accumulate(s, 2, n, base, INT64_MAX, &mag))
        return toml_fail(p, start, "整数超出 64 位范围");
    v->type = VALUE_INTEGER;
    v->u.integer = (int64_t)mag;
    return 0;
}

/* A float's text without its underscores, converted by strtod. */
static int number_float(toml_parser *p, value *v, size_t start, const char *s, size_t n)
{
    buf_reset(&p->scratch);
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            buf_putc(&p->scratch, s[i]);
    errno = 0;
    double d = strtod(buf_cstr(&p->scratch), NULL);
    if (errno == ERANGE && isinf(d))
        return toml_fail(p, start, "小数超出范围");
    v->type = VALUE_FLOAT;
    v->u.real = d;
    return 0;
}

int toml_number(toml_parser *p, value *v)
{
    size_t start = p->pos, end = start;
    while (end < p->len && number_char((unsigned char)p->src[end]))
        end++;
    const char *s = p->src + start;
    size_t n = end - start;
    p->pos = end;

    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
        v->type = VALUE_FLOAT;
        v->u.real = s[i] == 'i' ? (double)INFINITY : (double)NAN;
        if (neg)
            v->u.real = -v->u.real;
        return 0;
    }
    if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
        if (i > 0)
            return toml_fail(p, start, "十六进制、八进制和二进制整数不能带正负号");
        return number_based(p, v, start, s, n);
    }

    /* Decimal: an integer part, then an optional fraction and exponent. */
    if (!number_digits(s, n, &i, 10))
        return number_fail(p, start, s, i, n);
    size_t int_from = neg || s[0] == '+' ? 1 : 0, int_to = i;
    if (s[int_from] == '0' && int_to - int_from > 1)
        return toml_fail(p, start + int_from, "数字不能有前导零");
    bool is_float = false;
    if (i < n && s[i] == '.') {
        i++;
        if (!number_digits(s, n, &i, 10))
            return number_fail(p, start, s, i, n);
        is_float = true;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!number_digits(s, n, &i, 10))
            return number_fail(p, start, s, i, n);
        is_float = true;
    }
    if (i != n)
        return number_fail(p, start, s, i, n);
    if (is_float)
        return number_float(p, v, start, s, n);

    uint64_t mag;
    if (!number_accumulate(s, int_from, int_to, 10, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX,
                           &mag))
        return toml_fail(p, start, "整数超出 64 位范围");
    v->type = VALUE_INTEGER;
    /* -2^63 has no positive counterpart, hence the detour through mag - 1. */
    v->u.integer = !neg ? (int64_t)mag : mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
    return 0;
}
