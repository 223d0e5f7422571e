#include "sandbox.h"
#include "xalloc.h"

#include <lauxlib.h>
#include <lualib.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    luaL_error(L, "运行超出指令上限（%d 亿条），可能是死循环",
               (int)(SANDBOX_INSTRUCTION_LIMIT / 100000000L));
}

/* Run protected, so that running out of memory while opening the
 * libraries is an error rather than a panic. */
static int sandbox_open(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* Everything in base that compiles code from strings or reads files. */
    static const char *const unsafe[] = {"dofile",  "loadfile",       "load",
                                         "require", "collectgarbage", NULL};
    for (const char *const *name = unsafe; *name; name++) {
        lua_pushnil(L);
        lua_setglobal(L, *name);
    }
    /* string.dump yields bytecode, which the loader would otherwise trust. */
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    return 0;
}

static lua_State *sandbox_prepare(lua_State *L)
{
    if (!L)
        return NULL;
    lua_pushcfunction(L, sandbox_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        sandbox_close(L);
        return NULL;
    }
    return L;
}

/* Lua's small blocks (strings, table nodes, closures: most of a page
 * render's allocations) come from free lists of their size class, carved out
 * of large chunks: malloc's bookkeeping for each of them was a tenth of a
 * site build. A state is used by one thread at a time, so the lists need no
 * lock; their memory goes back when the state is closed. */
#define SANDBOX_GRAIN 16
#define SANDBOX_SMALL 256 /* larger blocks go to malloc */
#define SANDBOX_CHUNK (64 * 1024)

typedef struct sandbox_block {
    struct sandbox_block *next;
} sandbox_block;

typedef struct sandbox_chunk {
    struct sandbox_chunk *next;
} sandbox_chunk;

typedef struct sandbox_heap {
    size_t used, limit;
    sandbox_block *free[SANDBOX_SMALL / SANDBOX_GRAIN];
    sandbox_chunk *chunks;
    char *fresh; /* the unused end of the newest chunk */
    size_t fresh_len;
} sandbox_heap;

static size_t sandbox_class(size_t size)
{
    return (size - 1) / SANDBOX_GRAIN;
}

static void *sandbox_small_get(sandbox_heap *heap, size_t size)
{
    size_t c = sandbox_class(size);
    sandbox_block *b = heap->free[c];
    if (b) {
        heap->free[c] = b->next;
        return b;
    }
    size_t len = (c + 1) * SANDBOX_GRAIN;
    if (heap->fresh_len < len) {
        /* The rest of the old chunk is too small for this class: it joins
         * the free list of the class it fits. */
        if (heap->fresh_len >= SANDBOX_GRAIN) {
            size_t k = heap->fresh_len / SANDBOX_GRAIN - 1;
            sandbox_block *rest = (sandbox_block *)heap->fresh;
            rest->next = heap->free[k];
            heap->free[k] = rest;
        }
        sandbox_chunk *chunk = malloc(SANDBOX_CHUNK);
        if (!chunk)
            return NULL;
        chunk->next = heap->chunks;
        heap->chunks = chunk;
        heap->fresh = (char *)chunk + SANDBOX_GRAIN;
        heap->fresh_len = SANDBOX_CHUNK - SANDBOX_GRAIN;
    }
    void *p = heap->fresh;
    heap->fresh += len;
    heap->fresh_len -= len;
    return p;
}

static void sandbox_small_put(sandbox_heap *heap, void *p, size_t size)
{
    sandbox_block *b = p;
    size_t c = sandbox_class(size);
    b->next = heap->free[c];
    heap->free[c] = b;
}

/* Lua gives the size of every block it frees or resizes, which says where
 * the block came from. */
static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox_heap *heap = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize names the kind of object */
    if (nsize == 0) {
        if (old > SANDBOX_SMALL)
            free(ptr);
        else if (ptr)
            sandbox_small_put(heap, ptr, old);
        heap->used -= old;
        return NULL;
    }
    if (nsize > old && (heap->used > heap->limit || nsize - old > heap->limit - heap->used))
        return NULL;
    void *p;
    if (old > SANDBOX_SMALL && nsize > SANDBOX_SMALL) {
        p = realloc(ptr, nsize);
    } else if (old && nsize <= SANDBOX_SMALL && sandbox_class(old) == sandbox_class(nsize)) {
        p = ptr;
    } else {
        p = nsize > SANDBOX_SMALL ? malloc(nsize) : sandbox_small_get(heap, nsize);
        if (p && old) {
            memcpy(p, ptr, old < nsize ? old : nsize);
            if (old > SANDBOX_SMALL)
                free(ptr);
            else
                sandbox_small_put(heap, ptr, old);
        }
    }
    if (!p)
        return nsize <= old ? ptr : NULL; /* Lua assumes shrinking never fails */
    heap->used = heap->used - old + nsize;
    return p;
}

static int sandbox_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "gongkai: Lua 出现未受保护的错误：%s\n", msg ? msg : "（没有说明）");
    return 0; /* Lua aborts */
}

lua_State *sandbox_new_bounded(size_t memory_limit)
{
    sandbox_heap *heap = xcalloc(1, sizeof *heap);
    heap->limit = memory_limit;
    lua_State *L = lua_newstate(sandbox_alloc, heap);
    if (!L) {
        free(heap);
        return NULL;
    }
    lua_atpanic(L, sandbox_panic);
    return sandbox_prepare(L);
}

lua_State *sandbox_new(void)
{
    return sandbox_new_bounded(SIZE_MAX);
}

void sandbox_close(lua_State *L)
{
    if (!L)
        return;
    void *ud;
    lua_Alloc alloc = lua_getallocf(L, &ud);
    lua_close(L);
    if (alloc != sandbox_alloc)
        return;
    sandbox_heap *heap = ud;
    while (heap->chunks) {
        sandbox_chunk *next = heap->chunks->next;
        free(heap->chunks);
        heap->chunks = next;
    }
    free(heap);
}

static int sandbox_pcall(lua_State *L, int nargs, int nresults, buf *err)
{
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, (int)SANDBOX_INSTRUCTION_LIMIT);
    int rc = lua_pcall(L, nargs, nresults, 0);
    lua_sethook(L, NULL, 0, 0);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        buf_puts(err, msg ? msg : "（Lua 错误没有说明）");
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

int sandbox_run_file(lua_State *L, const char *path, const char *name, int nresults, buf *err)
{
    buf text = BUF_INIT;
    if (buf_read_file(&text, path) != 0) {
        buf_printf(err, "%s: 无法读取：%s", name, strerror(errno));
        buf_free(&text);
        return -1;
    }
    /* Text only ("t"): precompiled chunks can break the VM's invariants. */
    lua_pushfstring(L, "@%s", name);
    int rc = luaL_loadbufferx(L, buf_cstr(&text), text.len, lua_tostring(L, -1), "t");
    buf_free(&text);
    lua_remove(L, -2);
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        buf_puts(err, msg ? msg : "无法加载");
        lua_pop(L, 1);
        return -1;
    }
    return sandbox_pcall(L, 0, nresults, err);
}

int sandbox_call(lua_State *L, int nargs, int nresults, buf *err)
{
    return sandbox_pcall(L, nargs, nresults, err);
}

void sandbox_set_string(lua_State *L, const char *key, const char *s)
{
    if (!s)
        return;
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}
