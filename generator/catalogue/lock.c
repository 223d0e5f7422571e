/* Index numbers that never change: matching this build's items against
 * catalogue.lock (by path, then by fingerprint for moved files), numbering
 * the new ones, keeping every URL ever published, and withdrawing what is
 * gone. The file itself is read and written by lock_file.c. */
#include "catalogue_internal.h"

#include "../util/pool.h"
#include "../util/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A body shorter than this (white space aside) has no fingerprint: "见附件。"
 * would make unrelated items look alike. */
#define LOCK_BODY_MIN 32
/* How many times item_url is asked again when its URL is taken. */
#define LOCK_CLASH_MAX 9
/* Items per share of the fingerprinting work, and fewer items than this are
 * fingerprinted on the calling thread alone. */
#define LOCK_FP_CHUNK 256

/* This build's view of one content item. */
typedef struct lock_item {
    int entry;        /* the register entry it is, or -1 */
    bool publishable; /* not a draft, not 不予公开, no secrecy level */
    bool numberable;  /* read without error, with department, date and category */
    uint64_t title_fp, body_fp;
    bool keyed;        /* numberable, with a memo, and body_key set: */
    uint64_t body_key; /* fp_memo_key, what the memo knows the body by */
    /* Found by its path: the entry's title is known to be the item's or
     * not, and, when it is numberable and publishable, the memo was asked
     * for its URL (the first question lock_url_assign asks). */
    bool by_path, same_title, url_asked;
    const char *memo_url; /* the memo's answer, or NULL */
} lock_item;

typedef struct lock_apply {
    catalogue *cat;
    const content_set *set;
    naming *n;
    const site_config *cfg;
    diag_list *diags;
    catalogue_lock *lk;
    arena *mem;
    lock_item *items;
    date today;
    size_t workers;
    catalogue_memo *memo; /* or NULL */
    bool url_failed;      /* naming.lua's item_url failed: the memo is left alone */
    int errors;
    atomic_size_t next; /* the next chunk to fingerprint */
} lock_apply;

static bool lock_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* FNV-1a over the bytes that are not ASCII white space, so that re-wrapping
 * or re-indenting keeps it; 0 ("none") when fewer than `min` bytes count. */
static uint64_t lock_fingerprint(const char *s, size_t len, size_t min)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t kept = 0;
    for (size_t i = 0; i < len; i++) {
        if (lock_blank(s[i]))
            continue;
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
        kept++;
    }
    if (kept < min)
        return 0;
    return h ? h : 1;
}

/* Byte order of the index numbers: plain, and what `sort` would give. */
static int lock_entry_cmp(const void *pa, const void *pb)
{
    const lock_entry *a = pa, *b = pb;
    return strcmp(a->index_no, b->index_no);
}

/* ---- matching ----------------------------------------------------------- */

static bool lock_publishable(const content_item *it)
{
    return !it->draft && it->disclosure != CONTENT_DISCLOSURE_WITHHELD && !it->secrecy.s;
}

/* Item i's fingerprints; its body's from the memo when an earlier run took
 * that of the same body. */
static void lock_item_fingerprints(lock_apply *a, size_t i)
{
    const content_item *it = &a->set->items[i];
    lock_item *li = &a->items[i];
    li->title_fp = lock_fingerprint(it->title, strlen(it->title), 1);
    li->keyed = a->memo && fp_memo_key(it, &li->body_key);
    if (!li->keyed || !memo_map_find(a->memo->fps, li->body_key, &li->body_fp))
        li->body_fp = lock_fingerprint(it->body, it->body_len, LOCK_BODY_MIN);
}

/* What the updates and URLs of item i's entry, found by its path, will
 * need to know: found here, on the workers, as comparing strings and asking
 * the memo for 10 000 items or more is most of their time (entries and
 * memo are only read; the memo's questions about different files are
 * apart). */
static void lock_item_known(lock_apply *a, size_t i)
{
    const content_item *it = &a->set->items[i];
    lock_item *li = &a->items[i];
    const lock_entry *e = &a->lk->v[li->entry];
    li->by_path = true;
    li->same_title = strcmp(e->title, it->title) == 0;
    if (li->numberable && li->publishable && a->memo) {
        naming_item ni = {it->dept->id, e->year, e->seq, a->cat->items[i].category->key,
                          it->slug,     it->rel, 0};
        li->memo_url = memo_url_answer(a->memo->names, &ni);
        li->url_asked = true;
    }
}

/* Fingerprinting reads every byte of every body, one multiply after another
 * (the stored values fix the hash): the items are shared out in chunks, and
 * with them the lookup of each item's entry by its path. */
static void lock_fp_worker(void *ctx, size_t worker)
{
    (void)worker;
    lock_apply *a = ctx;
    for (;;) {
        size_t start = atomic_fetch_add(&a->next, 1) * LOCK_FP_CHUNK;
        if (start >= a->set->len)
            return;
        size_t end = start + LOCK_FP_CHUNK < a->set->len ? start + LOCK_FP_CHUNK : a->set->len;
        for (size_t i = start; i < end; i++) {
            const content_item *it = &a->set->items[i];
            lock_item *li = &a->items[i];
            /* Each item's strings lie apart, far from the cache by now:
             * those a few items on are asked for while this one is done. */
            if (i + 4 < end) {
                __builtin_prefetch(it[4].title);
                __builtin_prefetch(it[4].path);
            }
            li->publishable = lock_publishable(it);
            li->numberable = it->ok && it->dept && it->date.set && a->cat->items[i].category;
            if (li->numberable)
                lock_item_fingerprints(a, i);
            /* The map is complete and only read here. */
            li->entry = lock_map_get(a->lk->by_live_path, it->path);
            if (li->entry >= 0)
                lock_item_known(a, i);
        }
    }
}

/* This run's body fingerprints, for the next. */
static void lock_fp_keep(lock_apply *a)
{
    memo_record *recs = xmalloc((a->set->len + 1) * sizeof *recs);
    size_t n = 0;
    for (size_t i = 0; i < a->set->len; i++)
        if (a->items[i].keyed)
            recs[n++] = (memo_record){a->items[i].body_key, a->items[i].body_fp};
    memo_map_keep(a->memo->fps, recs, n);
    free(recs);
}

static void lock_items_prepare(lock_apply *a)
{
    catalogue_lock *lk = a->lk;
    size_t chunks = (a->set->len + LOCK_FP_CHUNK - 1) / LOCK_FP_CHUNK;
    atomic_init(&a->next, 0);
    size_t workers = a->workers < chunks ? a->workers : chunks;
    pool_run(workers ? workers : 1, lock_fp_worker, a);
    if (a->memo)
        lock_fp_keep(a);
    for (size_t i = 0; i < a->set->len; i++)
        if (a->items[i].entry >= 0)
            lk->v[a->items[i].entry].item = (int)i;
}

/* Vanished entries by one fingerprint, for looking items up. */
typedef struct lock_fp {
    uint64_t fp;
    int entry;
} lock_fp;

typedef struct lock_fp_index {
    lock_fp *v;
    size_t len;
    bool title; /* title fingerprints: the entry's department must match too */
} lock_fp_index;

static int lock_fp_cmp(const void *pa, const void *pb)
{
    const lock_fp *a = pa, *b = pb;
    if (a->fp != b->fp)
        return a->fp < b->fp ? -1 : 1;
    return a->entry - b->entry;
}

/* The first position in ix whose fingerprint is >= fp. */
static size_t lock_fp_lower(const lock_fp_index *ix, uint64_t fp)
{
    size_t lo = 0, hi = ix->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->v[mid].fp < fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The one vanished entry item i may be, or -1: every entry whose body
 * fingerprint is the item's, or whose title fingerprint is and whose number
 * belongs to the item's department. Several candidates are narrowed to the
 * one at the item's own path (a withdrawn item coming back), else none. */
static int lock_move_candidate(lock_apply *a, size_t i, const lock_fp_index *by_title,
                               const lock_fp_index *by_body)
{
    const content_item *it = &a->set->items[i];
    const lock_item *li = &a->items[i];
    const lock_entry *v = a->lk->v;
    int found = -1, found_here = -1, count = 0, count_here = 0;
    const lock_fp_index *ixs[2] = {by_body, by_title};
    uint64_t fps[2] = {li->body_fp, li->title_fp};
    for (int k = 0; k < 2; k++) {
        if (!fps[k])
            continue;
        for (size_t p = lock_fp_lower(ixs[k], fps[k]); p < ixs[k]->len && ixs[k]->v[p].fp == fps[k];
             p++) {
            int e = ixs[k]->v[p].entry;
            if (ixs[k]->title && strcmp(v[e].dept, it->dept->id) != 0)
                continue;
            if (ixs[k]->title && li->body_fp && v[e].body_fp == li->body_fp)
                continue; /* counted already, by its body */
            found = e;
            count++;
            if (strcmp(v[e].path, it->path) == 0) {
                found_here = e;
                count_here++;
            }
        }
    }
    if (count == 1)
        return found;
    return count_here == 1 ? found_here : -1;
}

/* Items at new paths that are entries whose files are gone: moved or
 * renamed, or withdrawn and back. A match must be unique both ways. */
static void lock_match_moves(lock_apply *a)
{
    catalogue_lock *lk = a->lk;
    lock_fp_index by_title = {xmalloc((lk->len + 1) * sizeof(lock_fp)), 0, true};
    lock_fp_index by_body = {xmalloc((lk->len + 1) * sizeof(lock_fp)), 0, false};
    for (size_t e = 0; e < lk->len; e++)
        if (lk->v[e].item < 0) {
            by_title.v[by_title.len++] = (lock_fp){lk->v[e].title_fp, (int)e};
            by_body.v[by_body.len++] = (lock_fp){lk->v[e].body_fp, (int)e};
        }
    qsort(by_title.v, by_title.len, sizeof(lock_fp), lock_fp_cmp);
    qsort(by_body.v, by_body.len, sizeof(lock_fp), lock_fp_cmp);

    size_t n = a->set->len;
    int *pick = xmalloc((n + 1) * sizeof *pick);
    int *wanted = xcalloc(lk->len + 1, sizeof *wanted);
    for (size_t i = 0; i < n; i++) {
        const lock_item *li = &a->items[i];
        pick[i] = -1;
        if (li->entry < 0 && li->publishable && li->numberable && by_body.len)
            pick[i] = lock_move_candidate(a, i, &by_title, &by_body);
        if (pick[i] >= 0)
            wanted[pick[i]]++;
    }
    for (size_t i = 0; i < n; i++) {
        int e = pick[i];
        if (e < 0)
            continue;
        /* Two new files like one old entry: only one at its old path may have it. */
        if (wanted[e] > 1 && strcmp(lk->v[e].path, a->set->items[i].path) != 0)
            continue;
        a->items[i].entry = e;
        lk->v[e].item = (int)i;
    }
    free(pick);
    free(wanted);
    free(by_title.v);
    free(by_body.v);
}

/* Bring an entry that an item matched up to date with it. */
static void lock_entry_update(lock_apply *a, size_t i)
{
    const content_item *it = &a->set->items[i];
    const lock_item *li = &a->items[i];
    lock_entry *e = &a->lk->v[li->entry];
    if (!it->ok)
        return; /* unreadable this time: keep what was known */
    if (!li->publishable) {
        if (!e->withdrawn) {
            e->withdrawn = true;
            e->withdrawn_on = a->today;
            a->lk->dirty = true;
        }
        return;
    }
    if (e->withdrawn) {
        e->withdrawn = false;
        e->reason = NULL;
        a->lk->dirty = true;
    }
    if (!li->by_path && strcmp(e->path, it->path) != 0) {
        e->path = it->path;
        a->lk->dirty = true;
    }
    if (li->by_path ? !li->same_title : strcmp(e->title, it->title) != 0) {
        e->title = it->title;
        a->lk->dirty = true;
    }
    if (li->numberable && (e->title_fp != li->title_fp || e->body_fp != li->body_fp)) {
        e->title_fp = li->title_fp;
        e->body_fp = li->body_fp;
        a->lk->dirty = true;
    }
}

/* ---- numbering ---------------------------------------------------------- */

static int lock_new_order_cmp(const void *pa, const void *pb)
{
    const content_item *a = *(const content_item *const *)pa;
    const content_item *b = *(const content_item *const *)pb;
    int c = date_cmp(a->date.day, b->date.day);
    if (c)
        return c;
    long ta = a->date.has_time ? a->date.hour * 3600L + a->date.minute * 60 + a->date.second : 0;
    long tb = b->date.has_time ? b->date.hour * 3600L + b->date.minute * 60 + b->date.second : 0;
    if (ta != tb)
        return ta < tb ? -1 : 1;
    return strcmp(a->path, b->path);
}

static const char *lock_new_id(lock_apply *a, const char *index_no, const char *path)
{
    buf b = BUF_INIT;
    char hex[17];
    for (unsigned salt = 0;; salt++) {
        buf_reset(&b);
        buf_printf(&b, "%s\n%s", index_no, path);
        if (salt)
            buf_printf(&b, "\n%u", salt);
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)lock_hash(b.ptr, b.len));
        if (lock_map_get(a->lk->by_id, hex) < 0)
            break;
    }
    buf_free(&b);
    return arena_strdup(a->mem, hex);
}

/* Number item i: the next sequence of its department and year. */
static void lock_number(lock_apply *a, size_t i)
{
    catalogue_lock *lk = a->lk;
    const content_item *it = &a->set->items[i];
    char key[96];
    snprintf(key, sizeof key, "%s/%d", it->dept->id, it->date.day.year);
    int max = lock_map_get(lk->max_seq, key);
    naming_item ni = {it->dept->id,
                      it->date.day.year,
                      max > 0 ? max + 1 : 1,
                      a->cat->items[i].category->key,
                      it->slug,
                      it->rel,
                      0};
    const char *index_no;
    if (naming_index_number(a->n, a->mem, &ni, &index_no) != 0) {
        a->errors++;
        return;
    }
    int other = lock_map_get(lock_index_map(lk, a->mem), index_no);
    if (other >= 0) {
        diag_add(a->diags, DIAG_ERROR, "GK302", naming_source(a->n), 0, 0,
                 "命名规则 index_number 给 %s 的索引号 %s 已经属于 %s：索引号必须各不相同，"
                 "请让它用上 seq（顺序号）",
                 it->path, index_no, lk->v[other].path);
        a->errors++;
        return;
    }
    int idx = (int)lk->len++;
    lock_entry *e = &lk->v[idx];
    memset(e, 0, sizeof *e);
    e->index_no = index_no;
    e->dept = it->dept->id;
    e->year = ni.year;
    e->seq = ni.seq;
    e->id = lock_new_id(a, index_no, it->path);
    e->path = it->path;
    e->title = it->title;
    e->title_fp = a->items[i].title_fp;
    e->body_fp = a->items[i].body_fp;
    e->item = (int)i;
    a->items[i].entry = idx;
    lock_map_put(a->mem, lk->by_index, index_no, idx);
    lock_map_put(a->mem, lk->by_id, e->id, idx);
    *lock_map_at(a->mem, lk->max_seq, key, true) = ni.seq;
    lk->dirty = true;
}

/* Number the items that are new, oldest first, so that a first build gives
 * numbers in the order things were published. */
static void lock_number_new(lock_apply *a)
{
    size_t n = 0;
    const content_item **order = xmalloc((a->set->len + 1) * sizeof *order);
    for (size_t i = 0; i < a->set->len; i++) {
        const lock_item *li = &a->items[i];
        if (li->entry < 0 && li->publishable && li->numberable)
            order[n++] = &a->set->items[i];
    }
    qsort(order, n, sizeof *order, lock_new_order_cmp);
    for (size_t k = 0; k < n; k++)
        lock_number(a, (size_t)(order[k] - a->set->items));
    free(order);
}

/* ---- URLs --------------------------------------------------------------- */

/* Make url, which is not its URL, entry idx's URL; the one it had joins its
 * aliases. */
static void lock_url_adopt(lock_apply *a, int idx, const char *url)
{
    lock_entry *e = &a->lk->v[idx];
    url = arena_strdup(a->mem, url); /* it may be the memo's */
    if (e->url) {
        const char **aliases = arena_alloc(a->mem, (e->alias_count + 1) * sizeof *aliases);
        size_t n = 0;
        for (size_t k = 0; k < e->alias_count; k++)
            if (strcmp(e->aliases[k], url) != 0)
                aliases[n++] = e->aliases[k];
        aliases[n++] = e->url;
        e->aliases = aliases;
        e->alias_count = n;
    }
    e->url = url;
    lock_map_put(a->mem, a->lk->by_url, url, idx);
    a->lk->dirty = true;
}

/* The URL naming.lua gives the entry's item now, asking again while it is
 * taken by another item (published URLs belong to their item for good).
 * Once naming.lua has failed, the memo is not asked: later items fail
 * quietly, as they would without it. */
static void lock_url_assign(lock_apply *a, int idx)
{
    lock_entry *e = &a->lk->v[idx];
    const content_item *it = &a->set->items[e->item];
    const category *c = a->cat->items[e->item].category;
    naming_item ni = {it->dept->id, e->year, e->seq, c ? c->key : NULL, it->slug, it->rel, 0};
    naming_memo *names = a->memo && !a->url_failed ? a->memo->names : NULL;
    const lock_item *li = &a->items[e->item];
    for (; ni.clash <= LOCK_CLASH_MAX; ni.clash++) {
        const char *url =
            names && ni.clash == 0 && li->url_asked ? li->memo_url : memo_url_answer(names, &ni);
        if (!url) {
            if (naming_item_url(a->n, a->mem, &ni, &url) != 0) {
                a->url_failed = true;
                a->errors++;
                return;
            }
            memo_url_keep(names, &ni, url);
        }
        if (e->url && strcmp(e->url, url) == 0)
            return; /* its URL already */
        int owner = lock_map_get(a->lk->by_url, url);
        if (owner < 0 || owner == idx) {
            lock_url_adopt(a, idx, url);
            return;
        }
    }
    diag_add(a->diags, DIAG_ERROR, "GK302", naming_source(a->n), 0, 0,
             "命名规则 item_url 给 %s 的网址试了 %d 次都已被其他信息占用：请让它在 clash 不为 0 "
             "时给出不同的网址",
             it->path, LOCK_CLASH_MAX + 1);
    a->errors++;
}

/* An entry no item claimed: withdrawn, unless its file is still there and
 * only failed to load this time (the content stage leaves out a file whose
 * front matter it cannot read; that error must not withdraw the item). */
static void lock_entry_unclaimed(lock_apply *a, lock_entry *e)
{
    if (e->withdrawn)
        return;
    char *path = arena_printf(a->mem, "%s/%s", a->cfg->root, e->path);
    if (access(path, F_OK) == 0)
        return;
    e->withdrawn = true;
    e->withdrawn_on = a->today;
    a->lk->dirty = true;
}

/* ---- results ------------------------------------------------------------ */

static void lock_results(lock_apply *a)
{
    catalogue *cat = a->cat;
    catalogue_lock *lk = a->lk;
    size_t withdrawn = 0;
    for (size_t k = 0; k < lk->len; k++)
        withdrawn += lk->v[k].withdrawn;
    cat->withdrawn = arena_alloc(a->mem, (withdrawn + 1) * sizeof *cat->withdrawn);
    cat->withdrawn_count = 0;
    for (size_t k = 0; k < lk->len; k++) {
        const lock_entry *e = &lk->v[k];
        if (e->withdrawn) {
            catalogue_withdrawn *w = &cat->withdrawn[cat->withdrawn_count++];
            w->index_no = e->index_no;
            w->id = e->id;
            w->url = e->url;
            w->aliases = e->aliases;
            w->alias_count = e->alias_count;
            w->title = e->title;
            w->dept = e->dept;
            w->department = config_department_find(a->cfg, e->dept);
            w->path = e->path;
            w->withdrawn = e->withdrawn_on;
            w->reason = e->reason;
        } else if (e->item >= 0) {
            catalogue_item *ci = &cat->items[e->item];
            ci->index_no = e->index_no;
            ci->id = e->id;
            ci->url = e->url;
            ci->aliases = e->aliases;
            ci->alias_count = e->alias_count;
        }
    }
}

int catalogue_lock_apply(catalogue *cat, const content_set *set, naming *n, const site_config *cfg,
                         date today, size_t workers, catalogue_memo *memo, diag_list *diags)
{
    arena *mem = &cat->mem;
    catalogue_lock *lk = arena_alloc(mem, sizeof *lk);
    cat->lock = lk;
    lk->path = arena_printf(mem, "%s/%s", cfg->root, LOCK_FILE_NAME);
    if (cat->item_count != set->len) {
        diag_add(diags, DIAG_ERROR, "GK303", LOCK_FILE_NAME, 0, 0,
                 "内部错误：分配索引号之前没有先确定每条信息的分类");
        return -1;
    }
    if (!workers)
        workers = pool_default_workers();
    lk->workers = workers;
    /* Room for every item to be new: entries never move out of the arena. */
    if (lock_file_read(lk, mem, set->len, workers, diags) != 0)
        return -1;
    size_t old_len = lk->len;

    lock_apply a = {cat, set, n, cfg, diags, lk, mem, NULL, today, workers, memo, false, 0, 0};
    a.items = xcalloc(set->len + 1, sizeof *a.items);
    lock_items_prepare(&a);
    lock_match_moves(&a);
    for (size_t i = 0; i < set->len; i++)
        if (a.items[i].entry >= 0)
            lock_entry_update(&a, i);
    lock_number_new(&a);
    for (size_t k = 0; k < lk->len; k++) {
        lock_entry *e = &lk->v[k];
        if (e->item < 0)
            lock_entry_unclaimed(&a, e);
        else if (!e->withdrawn && set->items[e->item].ok)
            lock_url_assign(&a, (int)k);
    }
    /* In order as read and with nothing new, as on most builds, the entries
     * need no sort. */
    size_t k = 1;
    while (k < lk->len && lock_entry_cmp(&lk->v[k - 1], &lk->v[k]) <= 0)
        k++;
    if (k < lk->len) {
        if (k < old_len)
            lk->dirty = true; /* put back in order by hand: write it sorted */
        qsort(lk->v, lk->len, sizeof *lk->v, lock_entry_cmp);
    }
    lock_results(&a);
    free(a.items);
    if (!lk->existed)
        lk->dirty = true;
    lk->ok = a.errors == 0;
    return a.errors ? -1 : 0;
}

void catalogue_lock_stage(catalogue *cat)
{
    catalogue_lock *lk = cat->lock;
    if (!lk || !lk->ok || !lk->dirty || lk->staged.ptr)
        return;
    buf text = BUF_INIT;
    lock_file_format(lk, &text);
    lock_file_stage(lk, &text);
    buf_free(&text);
}

int catalogue_lock_write(catalogue *cat, bool *written, diag_list *diags)
{
    catalogue_lock *lk = cat->lock;
    if (written)
        *written = false;
    if (!lk || !lk->ok) {
        diag_add(diags, DIAG_ERROR, "GK304", LOCK_FILE_NAME, 0, 0,
                 "索引号没有分配成功，%s 保持不变", LOCK_FILE_NAME);
        return -1;
    }
    if (!lk->dirty)
        return 0;
    buf text = BUF_INIT;
    if (!lk->staged.ptr)
        lock_file_format(lk, &text);
    int rc = lock_file_replace(lk, &text, diags);
    if (rc == 0) {
        lk->existed = true;
        lk->dirty = false;
        if (written)
            *written = true;
    }
    buf_free(&text);
    return rc;
}
