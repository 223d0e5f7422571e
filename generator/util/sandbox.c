#include "sandbox.h"
#include "xalloc.h"

#include <lauxlib.h>
#include <lualib.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

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

/* The heap of a bounded state. Blocks of up to HEAP_SMALL bytes, nearly all
 * a state allocates (strings, tables and their parts, closures), come from
 * free lists of its own, one per HEAP_GRAIN-byte size class, carved out of
 * HEAP_CHUNK-byte chunks; bigger ones from malloc. A render makes and drops
 * thousands of small objects a page and the collector frees them in
 * bursts, which glibc's per-thread caches do not absorb (its slow paths
 * took 5 % of a full build for these states). One thread uses a state at
 * a time, so the lists need no lock; the chunks go back when the state
 * closes. */
#define HEAP_GRAIN 16
#define HEAP_SMALL 512
#define HEAP_CLASSES (HEAP_SMALL / HEAP_GRAIN)
#define HEAP_CHUNK ((size_t)64 << 10)

typedef struct sandbox_heap {
    size_t used, limit;
    void *free[HEAP_CLASSES]; /* per class, linked through each block's first word */
    char *bump, *end;         /* the newest chunk's part not handed out yet */
    void *chunks;             /* linked through each chunk's first word */
} sandbox_heap;

static size_t heap_class(size_t size)
{
    return (size - 1) / HEAP_GRAIN;
}

/* A block for `size` (1..HEAP_SMALL) bytes, or NULL. */
static void *heap_take(sandbox_heap *heap, size_t size)
{
    size_t c = heap_class(size), block = (c + 1) * HEAP_GRAIN;
    void *p = heap->free[c];
    if (p) {
        ASAN_UNPOISON_MEMORY_REGION(p, sizeof(void *));
        heap->free[c] = *(void **)p;
        ASAN_POISON_MEMORY_REGION(p, block);
        ASAN_UNPOISON_MEMORY_REGION(p, size);
        return p;
    }
    if ((size_t)(heap->end - heap->bump) < block) {
        char *chunk = malloc(HEAP_CHUNK);
        if (!chunk)
            return NULL;
        *(void **)chunk = heap->chunks;
        heap->chunks = chunk;
        heap->bump = chunk + HEAP_GRAIN; /* keeps blocks HEAP_GRAIN-aligned */
        heap->end = chunk + HEAP_CHUNK;
        ASAN_POISON_MEMORY_REGION(heap->bump, (size_t)(heap->end - heap->bump));
    }
    p = heap->bump;
    heap->bump += block;
    ASAN_UNPOISON_MEMORY_REGION(p, size);
    return p;
}

/* Give back the block at p, of `size` bytes. */
static void heap_give(sandbox_heap *heap, void *p, size_t size)
{
    if (size > HEAP_SMALL) {
        free(p);
        return;
    }
    size_t c = heap_class(size);
    ASAN_UNPOISON_MEMORY_REGION(p, sizeof(void *));
    *(void **)p = heap->free[c];
    heap->free[c] = p;
    ASAN_POISON_MEMORY_REGION(p, (c + 1) * HEAP_GRAIN);
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox_heap *heap = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize names the kind of object */
    if (nsize == 0) {
        if (ptr)
            heap_give(heap, ptr, old);
        heap->used -= old;
        return NULL;
    }
    if (nsize > old && (heap->used > heap->limit || nsize - old > heap->limit - heap->used))
        return NULL;
    void *p;
    if (old > HEAP_SMALL && nsize > HEAP_SMALL) {
        p = realloc(ptr, nsize);
    } else if (old && old <= HEAP_SMALL && nsize <= HEAP_SMALL &&
               heap_class(old) == heap_class(nsize)) {
        p = ptr; /* the block has room already */
        ASAN_POISON_MEMORY_REGION(p, (heap_class(old) + 1) * HEAP_GRAIN);
        ASAN_UNPOISON_MEMORY_REGION(p, nsize);
    } else {
        p = nsize <= HEAP_SMALL ? heap_take(heap, nsize) : malloc(nsize);
        if (p && ptr) {
            memcpy(p, ptr, old < nsize ? old : nsize);
            heap_give(heap, ptr, old);
        }
    }
    /* Lua 5.4 copes with any failure, shrinking included. */
    if (!p)
        return NULL;
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

/* naming.lua and catalogue.lua, asked about every item, gain from the
 * same heap; they have no bound of their own. */
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
    for (void *chunk = heap->chunks, *next; chunk; chunk = next) {
        next = *(void **)chunk;
        free(chunk);
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
