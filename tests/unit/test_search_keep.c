/* The search index kept from build to build (search_keep.c): generation
 * after generation of made-up docs, a few changed each time (tokens gone,
 * new, with other fields; summaries with characters JSON escapes; another
 * department; docs new and gone, the others renumbered), the kept index
 * writes the files a full build of the same docs writes, byte for byte,
 * also when a changed doc's previous entry does not read back and when the
 * index needs another number of shards; the
 * stand-ins of unchanged docs give their summaries. A kept file that does
 * not read, or that was made from other entries, is not used; a shard gone
 * from the site makes the index whole again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/search.h"
#include "../../generator/render/search_internal.h"
#include "../../generator/util/hash.h"
#include "search_site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOCS 300
/* Room for docs that come: at most this many more. */
#define DOCS_MAX (DOCS + 40)
#define VOCABULARY 4000
#define DOC_TOKENS 40
/* Tokens from here on are long: they weigh. */
#define LONG_TOKENS 1000000u

/* One doc as the test keeps it: its entry's bytes (search_entry_write's
 * format), made from these. */
typedef struct doc {
    unsigned id; /* its title and URL */
    char summary[96];
    int dept;
    unsigned token[DOC_TOKENS * 4]; /* vocabulary numbers, distinct */
    unsigned char mask[DOC_TOKENS * 4];
    size_t tokens;
    buf bytes;
} doc;

/* The docs of this generation and (at the same places) of the previous
 * one: count of them, numbered in the order of the index. */
typedef struct world {
    size_t count;
    doc now[DOCS_MAX], was[DOCS_MAX];
    uint64_t sums[DOCS_MAX];
    bool had[DOCS_MAX];  /* it had an entry last generation, of checksum sums[] */
    bool lost[DOCS_MAX]; /* its previous entry does not read back */
    unsigned next_id;
    size_t entries_read; /* this build's entries read back (the index made whole) */
    uint32_t x;
    char dir[64], site[128], ref[128], file[160];
} world;

static uint32_t next_random(world *w)
{
    w->x = w->x * 1103515245u + 12345u;
    return w->x >> 8;
}

/* Token n of the vocabulary: a word, or CJK characters and a number. */
static void token_text(unsigned n, buf *out)
{
    static const char cjk[] = "财政预算公开信息政府采购资金项目经费年度报告";
    size_t chars = (sizeof cjk - 1) / 3;
    if (n >= LONG_TOKENS) {
        buf_printf(out, "long%u", n);
        for (int k = 0; k < 400; k++)
            buf_putc(out, 'x');
    } else if (n % 3 == 0) {
        buf_printf(out, "w%u", n);
    } else {
        buf_put(out, cjk + n % chars * 3, 3);
        buf_put(out, cjk + n / chars % chars * 3, 3);
        buf_printf(out, "%u", n);
    }
}

static void doc_encode(doc *d)
{
    unsigned number = d->id;
    buf_reset(&d->bytes);
    search_varint_put(&d->bytes, d->tokens);
    search_varint_put(&d->bytes, (uint64_t)(d->dept + 1));
    search_varint_put(&d->bytes, (uint64_t)(number % 2 + 1));
    char title[32], url[32];
    snprintf(title, sizeof title, "第%u号", number);
    snprintf(url, sizeof url, "/czj/%u/", number);
    const char *strings[SEARCH_DOC_STRINGS] = {title, url, "2025-01-02", "", "", d->summary};
    for (int k = 0; k < SEARCH_DOC_STRINGS; k++) {
        search_varint_put(&d->bytes, strlen(strings[k]));
        buf_puts(&d->bytes, strings[k]);
    }
    buf text = BUF_INIT;
    for (size_t i = 0; i < d->tokens; i++) {
        buf_reset(&text);
        token_text(d->token[i], &text);
        search_varint_put(&d->bytes, text.len);
        buf_putc(&d->bytes, (char)d->mask[i]);
        buf_put(&d->bytes, text.ptr, text.len);
    }
    buf_free(&text);
}

static bool doc_has(const doc *d, unsigned token)
{
    for (size_t i = 0; i < d->tokens; i++)
        if (d->token[i] == token)
            return true;
    return false;
}

static unsigned char random_mask(world *w)
{
    static const unsigned char masks[] = {SEARCH_FIELD_BODY, SEARCH_FIELD_BODY,
                                          SEARCH_FIELD_TITLE | SEARCH_FIELD_BODY,
                                          SEARCH_FIELD_TITLE, SEARCH_FIELD_KEYWORDS};
    return masks[next_random(w) % sizeof masks];
}

static void doc_add_token(world *w, doc *d, unsigned token)
{
    if (doc_has(d, token) || d->tokens == sizeof d->token / sizeof *d->token)
        return;
    d->token[d->tokens] = token;
    d->mask[d->tokens++] = random_mask(w);
}

/* A doc of random tokens, new to the world. */
static void doc_make(world *w, doc *d)
{
    unsigned id = d->id = w->next_id++;
    snprintf(d->summary, sizeof d->summary, "第%u条的摘要", id);
    d->dept = (int)(id % 3) - 1;
    while (d->tokens < DOC_TOKENS)
        doc_add_token(w, d, next_random(w) % VOCABULARY);
    doc_encode(d);
}

static void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    w->x = 7;
    snprintf(w->dir, sizeof w->dir, "/tmp/gk-keep-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->site, sizeof w->site, "%s/site", w->dir);
    snprintf(w->ref, sizeof w->ref, "%s/ref", w->dir);
    snprintf(w->file, sizeof w->file, "%s/items.search", w->dir);
    w->count = DOCS;
    for (unsigned i = 0; i < DOCS; i++)
        doc_make(w, &w->now[i]);
}

static void world_free(world *w)
{
    for (size_t i = 0; i < w->count; i++) {
        buf_free(&w->now[i].bytes);
        buf_free(&w->was[i].bytes);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
    assert_int_equal(system(cmd), 0);
    free(w);
}

/* ---- the index's callbacks ------------------------------------------------ */

static int prev_entry(void *ctx, size_t i, buf *out)
{
    world *w = ctx;
    if (w->lost[i])
        return -1;
    buf_reset(out);
    buf_put(out, w->was[i].bytes.ptr, w->was[i].bytes.len);
    return 0;
}

static int this_entry(void *ctx, size_t i, buf *out)
{
    world *w = ctx;
    w->entries_read++;
    buf_reset(out);
    buf_put(out, w->now[i].bytes.ptr, w->now[i].bytes.len);
    return 0;
}

/* ---- builds ----------------------------------------------------------------- */

typedef enum { FULL, KEEP } build_kind;

/* Build this generation's index at `site`: FULL adds every entry, KEEP
 * (over the previous build) the stand-ins of unchanged docs, which a doc
 * new to the index has none of; both save it for the next. Returns how
 * many diagnostics the build added. */
static size_t build(world *w, const char *site, build_kind kind, const bool *changed,
                    bool expect_kept)
{
    output out;
    buf err = BUF_INIT;
    diag_list diags;
    diag_list_init(&diags);
    assert_int_equal(output_open(&out, site, &err), 0);
    search_index *s = search_index_new(&test_cfg, &test_cat);
    search_keep_io io = {prev_entry, this_entry, w};
    search_prev_doc prev[DOCS_MAX];
    for (size_t i = 0; i < w->count; i++)
        prev[i] = (search_prev_doc){w->sums[i], w->had[i]};
    search_index_keep(s, w->file, kind == KEEP ? prev : NULL, w->count, &out, &io, 2, &diags);
    for (size_t i = 0; i < w->count; i++) {
        search_entry *kept = search_index_kept_entry(s, i);
        assert_true(!kept == !(expect_kept && w->had[i]));
        if (kept && !changed[i]) {
            assert_string_equal(search_entry_summary(kept), w->was[i].summary);
            search_index_add(s, kept);
            continue;
        }
        search_entry_free(kept);
        search_entry *e = search_entry_read(w->now[i].bytes.ptr, w->now[i].bytes.len);
        assert_non_null(e);
        search_index_add(s, e);
    }
    search_stats st;
    assert_int_equal(search_index_write(s, &out, &st, &err), 0);
    assert_int_equal(output_commit(&out, &err), 0);
    uint64_t sums[DOCS_MAX];
    for (size_t i = 0; i < w->count; i++) {
        sums[i] = hash64_block(w->now[i].bytes.ptr, w->now[i].bytes.len);
        w->had[i] = true;
    }
    assert_int_equal(search_index_save(s, sums, w->count, &err), 0);
    memcpy(w->sums, sums, w->count * sizeof *sums);
    output_free(&out);
    search_index_free(s);
    buf_free(&err);
    size_t n = diags.len;
    diag_list_free(&diags);
    return n;
}

/* A full build of this generation at `ref`, without the kept file. */
static void build_ref(world *w)
{
    char cmd[200], saved[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->ref);
    assert_int_equal(system(cmd), 0);
    snprintf(saved, sizeof saved, "%s.saved", w->file);
    assert_int_equal(rename(w->file, saved), 0);
    uint64_t sums[DOCS_MAX];
    bool had[DOCS_MAX];
    memcpy(sums, w->sums, sizeof sums);
    memcpy(had, w->had, sizeof had);
    bool none[DOCS_MAX] = {false};
    build(w, w->ref, FULL, none, false);
    memcpy(w->sums, sums, sizeof sums);
    memcpy(w->had, had, sizeof had);
    assert_int_equal(rename(saved, w->file), 0);
}

/* The index this build kept is, file for file, what a full build of the
 * same generation writes (at `ref`). */
static void assert_same_as_full(world *w)
{
    build_ref(w);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "diff -r '%s/search' '%s/search' >/dev/null", w->site, w->ref);
    assert_int_equal(system(cmd), 0);
}

/* Start a generation: what is now becomes what was. */
static void next_generation(world *w, bool *changed)
{
    w->entries_read = 0;
    for (size_t i = 0; i < w->count; i++) {
        buf_free(&w->was[i].bytes);
        w->was[i] = w->now[i];
        w->was[i].bytes = (buf)BUF_INIT;
        buf_put(&w->was[i].bytes, w->now[i].bytes.ptr, w->now[i].bytes.len);
        changed[i] = false;
        w->lost[i] = false;
    }
}

/* A world of DOCS docs, the first generation built in full. */
static world *world_built(bool *changed)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    world_init(w);
    next_generation(w, changed);
    assert_int_equal(build(w, w->site, FULL, changed, false), 0);
    return w;
}

/* Change doc i a little: tokens gone, new ones, other fields. */
static void change_doc(world *w, unsigned i, bool *changed)
{
    doc *d = &w->now[i];
    for (int k = 0; k < 5 && d->tokens > 1; k++) {
        size_t at = next_random(w) % d->tokens;
        d->token[at] = d->token[--d->tokens];
        d->mask[at] = d->mask[d->tokens];
    }
    for (int k = 0; k < 5; k++)
        doc_add_token(w, d, next_random(w) % VOCABULARY);
    doc_add_token(w, d, VOCABULARY + next_random(w) % 1000); /* maybe new to the index */
    d->mask[next_random(w) % d->tokens] = random_mask(w);
    changed[i] = true;
    doc_encode(d);
}

/* A doc new to the index comes at place `at`: those after it move up. */
static void insert_doc(world *w, size_t at, bool *changed)
{
    assert_true(w->count < DOCS_MAX);
    size_t n = w->count - at;
    memmove(&w->now[at + 1], &w->now[at], n * sizeof *w->now);
    memmove(&w->was[at + 1], &w->was[at], n * sizeof *w->was);
    memmove(&w->sums[at + 1], &w->sums[at], n * sizeof *w->sums);
    memmove(&w->had[at + 1], &w->had[at], n * sizeof *w->had);
    memmove(&w->lost[at + 1], &w->lost[at], n * sizeof *w->lost);
    memmove(&changed[at + 1], &changed[at], n * sizeof *changed);
    memset(&w->now[at], 0, sizeof w->now[at]);
    memset(&w->was[at], 0, sizeof w->was[at]);
    doc_make(w, &w->now[at]);
    w->had[at] = w->lost[at] = false;
    changed[at] = true;
    w->count++;
}

/* The doc at place `at` goes: those after it move down. */
static void remove_doc(world *w, size_t at, bool *changed)
{
    buf_free(&w->now[at].bytes);
    buf_free(&w->was[at].bytes);
    size_t n = w->count - at - 1;
    memmove(&w->now[at], &w->now[at + 1], n * sizeof *w->now);
    memmove(&w->was[at], &w->was[at + 1], n * sizeof *w->was);
    memmove(&w->sums[at], &w->sums[at + 1], n * sizeof *w->sums);
    memmove(&w->had[at], &w->had[at + 1], n * sizeof *w->had);
    memmove(&w->lost[at], &w->lost[at + 1], n * sizeof *w->lost);
    memmove(&changed[at], &changed[at + 1], n * sizeof *changed);
    w->count--;
}

static void test_generations(void **state)
{
    (void)state;
    bool changed[DOCS_MAX] = {false};
    world *w = world_built(changed);

    for (int gen = 0; gen < 12; gen++) {
        next_generation(w, changed);
        for (int n = 0; n < 1 + gen % 4; n++)
            change_doc(w, next_random(w) % w->count, changed);
        unsigned i = next_random(w) % w->count;
        switch (gen % 4) {
        case 0: /* another department, all else the same */
            w->now[i].dept = (w->now[i].dept + 2) % 3 - 1;
            doc_encode(&w->now[i]);
            changed[i] = true;
            break;
        case 1: /* a summary JSON must escape */
            snprintf(w->now[i].summary, sizeof w->now[i].summary, "“引号”\"与\\反斜杠\n\t%c%d", 1,
                     gen);
            doc_encode(&w->now[i]);
            changed[i] = true;
            break;
        case 2: /* its previous entry does not read back */
            change_doc(w, i, changed);
            w->lost[i] = true;
            break;
        case 3: /* rendered again, the same */
            changed[i] = true;
            break;
        }
        assert_int_equal(build(w, w->site, KEEP, changed, true), 0);
        assert_same_as_full(w);
    }
    world_free(w);
}

/* Docs come (first, as a new item does, in the middle, last) and go, with
 * others changed: the index is kept, no entry read back, every build's
 * files those of a full build. A doc whose place changed (its date did),
 * or more new docs than kept ones, make it whole. */
static void test_docs_come_and_go(void **state)
{
    (void)state;
    bool changed[DOCS_MAX] = {false};
    world *w = world_built(changed);

    for (int gen = 0; gen < 8; gen++) {
        next_generation(w, changed);
        switch (gen) {
        case 0: /* the newest item */
            insert_doc(w, 0, changed);
            break;
        case 1: /* one in the middle, another edited */
            insert_doc(w, w->count / 2, changed);
            change_doc(w, 7, changed);
            break;
        case 2: /* one gone, one last */
            remove_doc(w, 5, changed);
            insert_doc(w, w->count, changed);
            break;
        case 3: /* the last gone */
            remove_doc(w, w->count - 1, changed);
            break;
        case 4: /* three new at the top, two gone, one whose entry is lost */
            for (int k = 0; k < 3; k++)
                insert_doc(w, 0, changed);
            remove_doc(w, 40, changed);
            remove_doc(w, 200, changed);
            change_doc(w, 100, changed);
            w->lost[100] = true;
            break;
        case 5: /* a chunk's worth new at once, then a doc of another department */
            for (size_t k = 0; k < SEARCH_CHUNK + 3; k++)
                insert_doc(w, 60 + 2 * k, changed);
            w->now[3].dept = (w->now[3].dept + 2) % 3 - 1;
            doc_encode(&w->now[3]);
            changed[3] = true;
            break;
        case 6: /* gone again */
            for (int k = 0; k < 20; k++)
                remove_doc(w, 61 + (size_t)k, changed);
            break;
        case 7: /* the first gone */
            remove_doc(w, 0, changed);
            break;
        }
        assert_int_equal(build(w, w->site, KEEP, changed, true), 0);
        assert_int_equal(w->entries_read, 0);
        assert_same_as_full(w);
    }

    /* Two docs change places: not kept, no word. */
    next_generation(w, changed);
    doc swap = w->now[10];
    w->now[10] = w->now[11];
    w->now[11] = swap;
    swap = w->was[10];
    w->was[10] = w->was[11];
    w->was[11] = swap;
    uint64_t sum = w->sums[10];
    w->sums[10] = w->sums[11];
    w->sums[11] = sum;
    changed[10] = changed[11] = true;
    assert_int_equal(build(w, w->site, KEEP, changed, false), 0);
    assert_same_as_full(w);

    /* More new docs than kept ones: made whole. */
    next_generation(w, changed);
    for (size_t i = 0; i < w->count; i += 3)
        w->had[i] = true;
    for (size_t i = 0; i < w->count; i++)
        if (i % 3) {
            w->had[i] = false;
            changed[i] = true;
        }
    assert_int_equal(build(w, w->site, KEEP, changed, false), 0);
    assert_same_as_full(w);
    world_free(w);
}

static size_t shard_count(const world *w)
{
    char path[200];
    size_t n = 0;
    for (;; n++) {
        snprintf(path, sizeof path, "%s/search/s/%zu.bin", w->site, n);
        if (access(path, F_OK) != 0)
            return n;
    }
}

static void test_more_shards_and_back(void **state)
{
    (void)state;
    bool changed[DOCS_MAX] = {false};
    world *w = world_built(changed);
    size_t shards = shard_count(w);

    /* Long tokens new to the index in one doc: more shards. */
    next_generation(w, changed);
    doc *d = &w->now[5];
    size_t had = d->tokens;
    for (unsigned t = 0; t < DOC_TOKENS * 3; t++)
        doc_add_token(w, d, LONG_TOKENS + t);
    doc_encode(d);
    changed[5] = true;
    build(w, w->site, KEEP, changed, true);
    assert_same_as_full(w);
    size_t more = shard_count(w);

    next_generation(w, changed);
    d->tokens = had;
    doc_encode(d);
    changed[5] = true;
    build(w, w->site, KEEP, changed, true);
    assert_same_as_full(w);
    assert_true(more > shards);
    assert_int_equal(shard_count(w), shards);
    world_free(w);
}

static void test_not_kept(void **state)
{
    (void)state;
    bool changed[DOCS_MAX] = {false};
    world *w = world_built(changed);

    /* Other entries than the index was made from: nothing kept, no word. */
    next_generation(w, changed);
    w->sums[3] ^= 1;
    changed[3] = true;
    assert_int_equal(build(w, w->site, KEEP, changed, false), 0);

    /* A damaged file: a warning, nothing kept. */
    FILE *f = fopen(w->file, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 40, SEEK_SET), 0);
    fputc('#', f);
    fclose(f);
    next_generation(w, changed);
    assert_int_equal(build(w, w->site, KEEP, changed, false), 1);
    assert_same_as_full(w);

    /* Kept again after that build saved it. */
    next_generation(w, changed);
    change_doc(w, 9, changed);
    assert_int_equal(build(w, w->site, KEEP, changed, true), 0);
    assert_same_as_full(w);

    /* A shard gone from the site: found out when writing, and the index
     * made whole from this build's entries. */
    char shard[200];
    snprintf(shard, sizeof shard, "%s/search/s/0.bin", w->site);
    assert_int_equal(unlink(shard), 0);
    next_generation(w, changed);
    change_doc(w, 11, changed);
    assert_int_equal(build(w, w->site, KEEP, changed, true), 0);
    assert_same_as_full(w);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generations),
        cmocka_unit_test(test_docs_come_and_go),
        cmocka_unit_test(test_more_shards_and_back),
        cmocka_unit_test(test_not_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
