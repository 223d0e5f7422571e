/* The personal-data scanner on arbitrary bytes: matches lie inside the
 * input, in order, without overlapping, and what they report is masked. */
#include "fuzz.h"

#include "../../generator/check/check.h"

#include <stdlib.h>
#include <string.h>

typedef struct seen {
    size_t size, end;
} seen;

static void fuzz_match(const check_pii_match *m, void *ctx)
{
    seen *s = ctx;
    if (m->len == 0 || m->off < s->end || m->off + m->len > s->size)
        abort();
    s->end = m->off + m->len;
    size_t n = strlen(m->masked), stars = 0;
    for (size_t i = 0; i < n; i++) {
        char c = m->masked[i];
        if (c == '*')
            stars++;
        else if (!(c >= '0' && c <= '9') && c != 'X')
            abort();
    }
    /* Never the whole number: at least four digits hidden. */
    if (n < 11 || n > 19 || stars < 4)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so that reading past the end is caught. */
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    seen s = {size, 0};
    check_pii_scan(text, size, fuzz_match, &s);
    free(text);
    return 0;
}
