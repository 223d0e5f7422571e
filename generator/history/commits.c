/* Every commit reachable from HEAD, each before its parents, newer first
 * where the graph leaves the choice. libgit2's revwalk would do, but it
 * stops with an error at the edge of a shallow clone (CI checkouts often
 * are), where parents are missing: here a missing parent just ends that
 * line of history. */
#include "history_internal.h"

#include "../util/xalloc.h"

#include <stdint.h>
#include <string.h>

typedef struct commit_node {
    git_oid id;
    git_time_t time;
    size_t parents; /* index into commit_graph.edges */
    unsigned nparents;
    size_t children; /* not yet visited */
} commit_node;

typedef struct commit_graph {
    commit_node *v;
    size_t len, cap;
    size_t *edges; /* parents of each node, node indices */
    size_t nedges, edge_cap;
    size_t *slots; /* open addressing by id: node index + 1, 0 empty */
    size_t slot_cap;
} commit_graph;

static size_t commit_slot(const commit_graph *g, const git_oid *id)
{
    uint64_t h;
    memcpy(&h, id->id, sizeof h);
    size_t i = (size_t)h & (g->slot_cap - 1);
    while (g->slots[i] && !git_oid_equal(&g->v[g->slots[i] - 1].id, id))
        i = (i + 1) & (g->slot_cap - 1);
    return i;
}

static void commit_rehash(commit_graph *g)
{
    free(g->slots);
    g->slot_cap = g->slot_cap ? g->slot_cap * 2 : 256;
    g->slots = xcalloc(g->slot_cap, sizeof *g->slots);
    for (size_t n = 0; n < g->len; n++)
        g->slots[commit_slot(g, &g->v[n].id)] = n + 1;
}

/* The node of commit `id`, added if new (*added set); SIZE_MAX when the
 * commit is not in the repository. */
static size_t commit_node_get(history *h, commit_graph *g, const git_oid *id, bool *added, int *err)
{
    *added = false;
    if ((g->len + 1) * 2 > g->slot_cap)
        commit_rehash(g);
    size_t s = commit_slot(g, id);
    if (g->slots[s])
        return g->slots[s] - 1;
    git_commit *c;
    int e = git_commit_lookup(&c, h->repo, id);
    if (e < 0) {
        if (e != GIT_ENOTFOUND)
            *err = e;
        return SIZE_MAX;
    }
    g->v = xgrow(g->v, &g->cap, g->len + 1, sizeof *g->v);
    commit_node *n = &g->v[g->len];
    memset(n, 0, sizeof *n);
    git_oid_cpy(&n->id, id);
    n->time = git_commit_time(c);
    git_commit_free(c);
    g->slots[s] = ++g->len;
    *added = true;
    return g->len - 1;
}

/* Find every commit from HEAD down and link it to the parents that exist. */
static int commit_graph_build(history *h, commit_graph *g, const git_oid *head)
{
    int err = 0;
    bool added;
    size_t *stack = xmalloc(sizeof *stack), cap = 1, depth = 0;
    size_t root = commit_node_get(h, g, head, &added, &err);
    if (root != SIZE_MAX)
        stack[depth++] = root;
    while (depth && !err) {
        size_t n = stack[--depth];
        git_commit *c;
        if (git_commit_lookup(&c, h->repo, &g->v[n].id) < 0) {
            err = -1;
            break;
        }
        unsigned count = git_commit_parentcount(c);
        g->edges = xgrow(g->edges, &g->edge_cap, g->nedges + count + 1, sizeof *g->edges);
        g->v[n].parents = g->nedges;
        for (unsigned p = 0; p < count && !err; p++) {
            size_t q = commit_node_get(h, g, git_commit_parent_id(c, p), &added, &err);
            if (q == SIZE_MAX)
                continue; /* beyond a shallow clone's edge */
            g->edges[g->nedges++] = q;
            g->v[n].nparents++;
            g->v[q].children++;
            if (added) {
                stack = xgrow(stack, &cap, depth + 1, sizeof *stack);
                stack[depth++] = q;
            }
        }
        git_commit_free(c);
    }
    free(stack);
    return err ? -1 : 0;
}

/* A max-heap of node indices by commit time. */
static void commit_heap_push(const commit_graph *g, size_t *heap, size_t *len, size_t n)
{
    size_t i = (*len)++;
    heap[i] = n;
    while (i && g->v[heap[(i - 1) / 2]].time < g->v[heap[i]].time) {
        size_t t = heap[i];
        heap[i] = heap[(i - 1) / 2];
        heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static size_t commit_heap_pop(const commit_graph *g, size_t *heap, size_t *len)
{
    size_t top = heap[0];
    heap[0] = heap[--*len];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *len && g->v[heap[l]].time > g->v[heap[m]].time)
            m = l;
        if (r < *len && g->v[heap[r]].time > g->v[heap[m]].time)
            m = r;
        if (m == i)
            break;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
    return top;
}

int history_commits_each(history *h, history_commit_fn fn, void *ctx, diag_list *diags)
{
    git_oid head;
    int e = history_head_oid(h, &head, diags);
    if (e <= 0)
        return e; /* 0: no commit yet */
    commit_graph g;
    memset(&g, 0, sizeof g);
    int rc = commit_graph_build(h, &g, &head);
    if (rc != 0)
        history_fail(diags, "GK603", "无法遍历 git 提交历史");
    size_t *heap = xmalloc((g.len + 1) * sizeof *heap), len = 0;
    if (rc == 0 && g.len)
        commit_heap_push(&g, heap, &len, 0);
    while (rc == 0 && len) {
        size_t n = commit_heap_pop(&g, heap, &len);
        git_commit *c;
        if (git_commit_lookup(&c, h->repo, &g.v[n].id) < 0) {
            rc = history_fail(diags, "GK603", "无法读取 git 提交");
            break;
        }
        rc = fn(c, ctx);
        git_commit_free(c);
        for (unsigned p = 0; p < g.v[n].nparents; p++) {
            size_t q = g.edges[g.v[n].parents + p];
            if (--g.v[q].children == 0)
                commit_heap_push(&g, heap, &len, q);
        }
    }
    free(heap);
    free(g.v);
    free(g.edges);
    free(g.slots);
    return rc;
}
