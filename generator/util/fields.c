#include "fields.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void fields_reader_init(fields_reader *r, const char *data, size_t len)
{
    r->p = data;
    r->end = data + len;
    r->bad = false;
}

const char *fields_next(fields_reader *r)
{
    const char *nul = r->bad || r->p >= r->end ? NULL : memchr(r->p, '\0', (size_t)(r->end - r->p));
    if (!nul) {
        r->bad = true;
        return "";
    }
    const char *f = r->p;
    r->p = nul + 1;
    return f;
}

uint64_t fields_number(fields_reader *r, int base)
{
    const char *f = fields_next(r);
    if (r->bad)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(f, &end, base);
    if (!*f || *end || errno || *f == '-' || *f == '+' || *f == ' ') {
        r->bad = true;
        return 0;
    }
    return v;
}
