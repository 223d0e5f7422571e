#include "diff.h"

#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct diff_line {
    const char *s;
    size_t len; /* without the line end */
} diff_line;

/* The line at *pos, and *pos moved past its end. */
static diff_line diff_line_next(const char *text, size_t len, size_t *pos)
{
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl != NULL);
    if (n && s[n - 1] == '\r')
        n--;
    return (diff_line){s, n};
}

static bool diff_blank(diff_line l)
{
    for (size_t i = 0; i < l.len; i++)
        if (l.s[i] != ' ' && l.s[i] != '\t')
            return false;
    return true;
}

/* The fence a line opens or closes (``` or ~~~, at most three spaces in):
 * its character, its length in *n, and in *bare whether nothing but blanks
 * follows it (as a closing fence must); 0 when the line is none. */
static char diff_fence(diff_line l, size_t *n, bool *bare)
{
    size_t i = 0;
    while (i < l.len && i < 3 && l.s[i] == ' ')
        i++;
    if (i == l.len || (l.s[i] != '`' && l.s[i] != '~'))
        return 0;
    char c = l.s[i];
    size_t k = i;
    while (k < l.len && l.s[k] == c)
        k++;
    *n = k - i;
    *bare = diff_blank((diff_line){l.s + k, l.len - k});
    return *n >= 3 ? c : 0;
}

static size_t diff_trimmed(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n;
}

size_t diff_blocks_split(arena *mem, const char *text, size_t len, diff_piece **out)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    diff_piece *v = arena_alloc(mem, cap * sizeof *v);
    size_t n = 0, pos = 0;
    const char *start = NULL; /* of the block being gathered */
    char fence = 0;
    size_t fence_len = 0;
    while (pos < len) {
        diff_line l = diff_line_next(text, len, &pos);
        size_t flen = 0;
        bool bare = false;
        char f = diff_fence(l, &flen, &bare);
        if (fence) {
            if (f == fence && flen >= fence_len && bare)
                fence = 0;
            continue;
        }
        if (diff_blank(l)) {
            if (start) {
                v[n++] = (diff_piece){start, diff_trimmed(start, (size_t)(l.s - start))};
                start = NULL;
            }
            continue;
        }
        if (!start)
            start = l.s;
        if (f) {
            fence = f;
            fence_len = flen;
        }
    }
    if (start)
        v[n++] = (diff_piece){start, diff_trimmed(start, (size_t)(text + len - start))};
    *out = v;
    return n;
}

size_t diff_lines_split(arena *mem, const char *text, size_t len, diff_piece **out)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    diff_piece *v = arena_alloc(mem, cap * sizeof *v);
    size_t n = 0, pos = 0;
    while (pos < len) {
        diff_line l = diff_line_next(text, len, &pos);
        v[n++] = (diff_piece){l.s, l.len};
    }
    *out = v;
    return n;
}

static bool diff_equal(const diff_piece *a, const diff_piece *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static uint64_t diff_hash(const diff_piece *p)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < p->len; i++)
        h = (h ^ (unsigned char)p->s[i]) * 1099511628211ull;
    return h;
}

/* The middle a[0..n) against b[0..m), appended to ops. */
static size_t diff_middle(const diff_piece *a, size_t n, const diff_piece *b, size_t m,
                          size_t a_base, size_t b_base, diff_op *ops)
{
    size_t k = 0;
    if (n == 0 || m == 0 || n > DIFF_MAX_CELLS / m) {
        for (size_t i = 0; i < n; i++)
            ops[k++] = (diff_op){DIFF_REMOVED, a_base + i};
        for (size_t j = 0; j < m; j++)
            ops[k++] = (diff_op){DIFF_ADDED, b_base + j};
        return k;
    }
    uint64_t *ha = xmalloc(n * sizeof *ha), *hb = xmalloc(m * sizeof *hb);
    for (size_t i = 0; i < n; i++)
        ha[i] = diff_hash(&a[i]);
    for (size_t j = 0; j < m; j++)
        hb[j] = diff_hash(&b[j]);
    /* L[i][j]: the longest common subsequence of a[i..n) and b[j..m). */
    size_t w = m + 1;
    uint32_t *L = xcalloc((n + 1) * w, sizeof *L);
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;) {
            if (ha[i] == hb[j] && diff_equal(&a[i], &b[j]))
                L[i * w + j] = L[(i + 1) * w + j + 1] + 1;
            else
                L[i * w + j] =
                    L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j] : L[i * w + j + 1];
        }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && ha[i] == hb[j] && diff_equal(&a[i], &b[j]) &&
            L[i * w + j] == L[(i + 1) * w + j + 1] + 1) {
            ops[k++] = (diff_op){DIFF_SAME, a_base + i};
            i++;
            j++;
        } else if (i < n && (j == m || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
            ops[k++] = (diff_op){DIFF_REMOVED, a_base + i++};
        } else {
            ops[k++] = (diff_op){DIFF_ADDED, b_base + j++};
        }
    }
    free(L);
    free(ha);
    free(hb);
    return k;
}

size_t diff_compare(arena *mem, const diff_piece *a, size_t na, const diff_piece *b, size_t nb,
                    diff_op **out)
{
    diff_op *ops = arena_alloc(mem, (na + nb + 1) * sizeof *ops);
    size_t pre = 0, suf = 0, k = 0;
    while (pre < na && pre < nb && diff_equal(&a[pre], &b[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && diff_equal(&a[na - 1 - suf], &b[nb - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        ops[k++] = (diff_op){DIFF_SAME, i};
    k += diff_middle(a + pre, na - pre - suf, b + pre, nb - pre - suf, pre, pre, ops + k);
    for (size_t i = na - suf; i < na; i++)
        ops[k++] = (diff_op){DIFF_SAME, i};
    *out = ops;
    return k;
}
