/* The search index: folding, tokens, an item's entry, and the shards read
 * back as the browser reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/markdown.h"
#include "../../generator/render/search.h"
#include "../../generator/render/search_internal.h"
#include "search_site.h"

#include <lauxlib.h>
#include <lualib.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void assert_folds(const char *in, const char *want)
{
    buf out = BUF_INIT;
    assert_int_equal(search_fold(in, strlen(in), &out), 0);
    assert_string_equal(buf_cstr(&out), want);
    buf_free(&out);
}

static void test_fold_nfkc_and_case(void **state)
{
    (void)state;
    assert_folds("ＧＢ／Ｔ　９７０４－２０１２", "gb/t 9704-2012"); /* full width, 　 */
    assert_folds("㈠总则", "(一)总则");                             /* parenthesised ideograph */
    assert_folds("①Ⅻ", "1xii");                                     /* circled digit, numeral */
    assert_folds("ﾃｽﾄ", "テスト");                                  /* half-width katakana */
    assert_folds("永办发〔2012〕21号", "永办发〔2012〕21号");       /* already folded */
    assert_folds("Straße ÉCOLE", "straße école");
}

static void test_fold_refuses_invalid_utf8(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    assert_int_equal(search_fold("\xb2\xe2\xca\xd4", 4, &out), -1); /* GBK 测试 */
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void collect(const char *tok, size_t len, void *ctx)
{
    buf *b = ctx;
    buf_put(b, tok, len);
    buf_putc(b, '|');
}

static void assert_tokens(const char *in, const char *want)
{
    buf folded = BUF_INIT, out = BUF_INIT;
    assert_int_equal(search_fold(in, strlen(in), &folded), 0);
    search_tokens(folded.ptr, folded.len, collect, &out);
    assert_string_equal(buf_cstr(&out), want);
    buf_free(&folded);
    buf_free(&out);
}

static void test_tokens(void **state)
{
    (void)state;
    /* Characters and bigrams of a CJK run; digits kept as words. */
    assert_tokens("〔2012〕21号", "2012|21|号|");
    assert_tokens("财政预算", "财|财政|政|政预|预|预算|算|");
    assert_tokens("ＧＢ／Ｔ 9704", "gb|t|9704|");
    assert_tokens("Hello世界", "hello|世|世界|界|");
    assert_tokens("二〇一二年", "二|二〇|〇|〇一|一|一二|二|二年|年|");
    assert_tokens("“三公”经费", "三|三公|公|经|经费|费|");
    assert_tokens("11339901MB0001222Q/2025-00012", "11339901mb0001222q|2025|00012|");
    assert_tokens("", "");
    /* A word is cut at SEARCH_WORD_MAX code points. */
    assert_tokens("abcdefghijklmnopqrstuvwxyz0123456789 x", "abcdefghijklmnopqrstuvwxyz012345|x|");
}

static void test_token_hash_is_fnv1a(void **state)
{
    (void)state;
    assert_int_equal(search_token_hash("", 0), 2166136261u);
    assert_int_equal(search_token_hash("a", 1), 0xe40c292cu);
}

/* ---- an index written and read back ------------------------------------ */

typedef struct posting {
    unsigned doc, mask;
} posting;

static size_t varint(const unsigned char **p)
{
    size_t v = 0;
    int shift = 0;
    unsigned char byte;
    do {
        byte = *(*p)++;
        v |= (size_t)(byte & 0x7f) << shift;
        shift += 7;
    } while (byte & 0x80);
    return v;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.ptr ? b.ptr : calloc(1, 1);
}

/* The postings of `token` as the browser finds them: in the shard its hash
 * names. Returns how many (at most max). */
static size_t lookup(const char *site, size_t shards, const char *token, posting *out, size_t max)
{
    char path[512];
    snprintf(path, sizeof path, "%s/search/s/%lu.bin", site,
             search_token_hash(token, strlen(token)) % shards);
    size_t len;
    char *data = slurp(path, &len);
    assert_non_null(data);
    assert_memory_equal(data, "GKS1", 4);
    const unsigned char *p = (const unsigned char *)data + 4;
    size_t found = 0;
    for (size_t n = varint(&p); n > 0; n--) {
        size_t tlen = varint(&p);
        bool match = tlen == strlen(token) && memcmp(p, token, tlen) == 0;
        p += tlen;
        size_t count = varint(&p), size = varint(&p);
        if (!match) {
            p += size;
            continue;
        }
        unsigned doc = 0;
        for (size_t i = 0; i < count && found < max; i++) {
            size_t v = varint(&p);
            doc += (unsigned)(v >> 1);
            out[found].doc = doc;
            out[found++].mask = v & 1 ? *p++ : SEARCH_FIELD_BODY;
        }
        break;
    }
    free(data);
    return found;
}

static void push_item(lua_State *L, const char *title, const char *doc_number, const char *dept,
                      const char *cat_key)
{
    lua_newtable(L);
    lua_pushstring(L, title);
    lua_setfield(L, -2, "title");
    lua_pushstring(L, "/czj/2025/x/");
    lua_setfield(L, -2, "url");
    lua_pushstring(L, "2025-03-20");
    lua_setfield(L, -2, "date");
    lua_pushstring(L, "11339901MB0001222Q/2025-00012");
    lua_setfield(L, -2, "index_no");
    if (doc_number) {
        lua_pushstring(L, doc_number);
        lua_setfield(L, -2, "doc_number");
    }
    lua_newtable(L);
    lua_pushstring(L, "预算");
    lua_rawseti(L, -2, 1);
    lua_setfield(L, -2, "keywords");
    lua_newtable(L);
    lua_pushstring(L, dept);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, "财政局");
    lua_setfield(L, -2, "name");
    lua_setfield(L, -2, "dept");
    lua_newtable(L);
    lua_pushstring(L, cat_key);
    lua_setfield(L, -2, "key");
    lua_setfield(L, -2, "category");
}

static void remove_tree(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Write the index under `site`. */
static void write_index(search_index *s, const char *site, search_stats *st)
{
    output out;
    buf err = BUF_INIT;
    assert_int_equal(output_open(&out, site, &err), 0);
    assert_int_equal(search_index_write(s, &out, st, &err), 0);
    assert_int_equal(output_commit(&out, &err), 0);
    output_free(&out);
    buf_free(&err);
}

/* The mask of `token` in the entry, 0 when it has none; fails when the token
 * is there twice. */
static unsigned entry_mask(const search_entry *e, const char *token)
{
    unsigned mask = 0;
    for (size_t i = 0; i < e->token_count; i++) {
        const search_entry_token *t = &e->tokens[i];
        if (t->len == strlen(token) && memcmp(e->text + t->off, token, t->len) == 0) {
            assert_int_equal(mask, 0);
            mask = t->mask;
        }
    }
    return mask;
}

static void push_small_item(lua_State *L, const char *title)
{
    lua_newtable(L);
    lua_pushstring(L, title);
    lua_setfield(L, -2, "title");
    lua_pushstring(L, "/czj/2025/y/");
    lua_setfield(L, -2, "url");
    lua_newtable(L);
    lua_pushstring(L, "czxx");
    lua_setfield(L, -2, "key");
    lua_setfield(L, -2, "category");
}

static void test_entry_distinct_tokens(void **state)
{
    (void)state;
    search_collector *c = search_collector_new(&test_cfg, &test_cat);
    lua_State *L = luaL_newstate();
    push_small_item(L, "三公经费说明");
    const char *text = "三公经费。\n\n三公\n";
    cmark_node *body = markdown_parse(text, strlen(text));
    lua_pushinteger(L, 7); /* the item need not be on top */
    search_entry *e = search_collect(c, L, -2, body);
    assert_int_equal(lua_gettop(L), 2);

    /* 三公经费 is in the title and (twice) in the body: one token each, with
     * both bits; 说明 only in the title. The url and 。 give none. */
    assert_int_equal(e->token_count, 11);
    const char *both[] = {"三", "三公", "公", "公经", "经", "经费", "费"};
    for (size_t i = 0; i < sizeof both / sizeof *both; i++)
        assert_int_equal(entry_mask(e, both[i]), SEARCH_FIELD_TITLE | SEARCH_FIELD_BODY);
    const char *title_only[] = {"费说", "说", "说明", "明"};
    for (size_t i = 0; i < sizeof title_only / sizeof *title_only; i++)
        assert_int_equal(entry_mask(e, title_only[i]), SEARCH_FIELD_TITLE);
    assert_string_equal(e->doc.string[SEARCH_DOC_TITLE], "三公经费说明");
    assert_string_equal(e->doc.string[SEARCH_DOC_URL], "/czj/2025/y/");
    assert_string_equal(e->doc.string[SEARCH_DOC_DATE], "");
    assert_int_equal(e->doc.dept, -1);
    assert_int_equal(e->doc.category, 0);

    /* The same collector, next item: nothing of the first one is left. */
    lua_settop(L, 0);
    push_small_item(L, "说明");
    search_entry *e2 = search_collect(c, L, -1, NULL);
    assert_int_equal(e2->token_count, 3);
    assert_int_equal(entry_mask(e2, "说明"), SEARCH_FIELD_TITLE);
    assert_int_equal(entry_mask(e2, "三公"), 0);
    search_entry_free(e2); /* one that is never added */

    /* Added, the token has one posting with both bits. */
    char tmp[] = "/tmp/gk-search-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char site[600];
    snprintf(site, sizeof site, "%s/public", tmp);
    search_index *s = search_index_new(&test_cfg, &test_cat);
    search_index_add(s, e);
    search_stats st;
    write_index(s, site, &st);
    assert_int_equal(st.docs, 1);
    assert_int_equal(st.tokens, 11);
    posting p[4];
    assert_int_equal(lookup(site, st.shards, "三公", p, 4), 1);
    assert_int_equal(p[0].doc, 0);
    assert_int_equal(p[0].mask, SEARCH_FIELD_TITLE | SEARCH_FIELD_BODY);

    search_index_free(s);
    cmark_node_free(body);
    lua_close(L);
    search_collector_free(c);
    remove_tree(tmp);
}

/* ---- collecting on several threads ------------------------------------- */

#define MANY_ITEMS 300

/* Item i of a made-up site: a title and a body of characters drawn from a
 * few hundred, so that the items share many tokens and the index needs
 * several shards. */
static void many_item_text(unsigned i, buf *title, buf *body)
{
    static const char pool[] =
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成"
        "会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着"
        "等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
        "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新"
        "线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
        "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
        "设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运"
        "农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规";
    size_t chars = (sizeof pool - 1) / 3;
    uint32_t x = i * 2654435761u + 1;
    buf_reset(title);
    buf_reset(body);
    buf_printf(title, "第%u号 关于", i);
    for (int k = 0; k < 6; k++) {
        x = x * 1103515245u + 12345u;
        buf_put(title, pool + (x >> 8) % chars * 3, 3);
    }
    size_t len = 200 + i % 7 * 100;
    for (size_t k = 0; k < len; k++) {
        x = x * 1103515245u + 12345u;
        buf_put(body, pool + (x >> 8) % chars * 3, 3);
        if (k % 40 == 39)
            buf_puts(body, "。\n\n");
    }
}

typedef struct many_items {
    cmark_node *body[MANY_ITEMS];
    char *title[MANY_ITEMS];
    search_entry *entry[MANY_ITEMS];
} many_items;

typedef struct collect_job {
    many_items *items;
    unsigned first, step;
} collect_job;

/* Collect items first, first + step, … with a collector and a Lua state of
 * the job's own. */
static void *collect_some(void *arg)
{
    const collect_job *job = arg;
    search_collector *c = search_collector_new(&test_cfg, &test_cat);
    lua_State *L = luaL_newstate();
    for (unsigned i = job->first; i < MANY_ITEMS; i += job->step) {
        push_item(L, job->items->title[i], i % 3 ? NULL : "示财发[2025]8号", i % 2 ? "czj" : "zfb",
                  i % 5 ? "ysjs" : "czxx");
        job->items->entry[i] = search_collect(c, L, -1, i % 11 ? job->items->body[i] : NULL);
        lua_pop(L, 1);
    }
    lua_close(L);
    search_collector_free(c);
    return NULL;
}

/* Add the collected entries in doc order and write the index under `site`. */
static void write_many(many_items *items, const char *site, search_stats *st)
{
    search_index *s = search_index_new(&test_cfg, &test_cat);
    for (unsigned i = 0; i < MANY_ITEMS; i++) {
        search_index_add(s, items->entry[i]);
        items->entry[i] = NULL;
    }
    write_index(s, site, st);
    search_index_free(s);
}

static void assert_same_file(const char *a, const char *b, const char *name)
{
    char pa[700], pb[700];
    snprintf(pa, sizeof pa, "%s/search/%s", a, name);
    snprintf(pb, sizeof pb, "%s/search/%s", b, name);
    size_t la, lb;
    char *da = slurp(pa, &la), *db = slurp(pb, &lb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
}

static void test_threads_write_what_one_collector_writes(void **state)
{
    (void)state;
    many_items *items = calloc(1, sizeof *items);
    buf title = BUF_INIT, body = BUF_INIT;
    for (unsigned i = 0; i < MANY_ITEMS; i++) {
        many_item_text(i, &title, &body);
        items->title[i] = strdup(buf_cstr(&title));
        items->body[i] = markdown_parse(body.ptr, body.len);
    }
    char tmp[] = "/tmp/gk-search-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char serial[600], threaded[600];
    snprintf(serial, sizeof serial, "%s/serial", tmp);
    snprintf(threaded, sizeof threaded, "%s/threaded", tmp);

    collect_job one = {items, 0, 1};
    collect_some(&one);
    search_stats st1;
    write_many(items, serial, &st1);

    collect_job jobs[2] = {{items, 0, 2}, {items, 1, 2}};
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, collect_some, &jobs[t]), 0);
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    search_stats st2;
    write_many(items, threaded, &st2);

    assert_int_equal(st1.docs, MANY_ITEMS);
    assert_true(st1.shards > 1);
    assert_int_equal(st2.shards, st1.shards);
    assert_int_equal(st2.tokens, st1.tokens);
    char name[64];
    for (size_t k = 0; k < st1.shards; k++) {
        snprintf(name, sizeof name, "s/%zu.bin", k);
        assert_same_file(serial, threaded, name);
    }
    for (size_t j = 0; j * SEARCH_CHUNK < MANY_ITEMS; j++) {
        snprintf(name, sizeof name, "d/%zu.json", j);
        assert_same_file(serial, threaded, name);
    }
    assert_same_file(serial, threaded, "index.json");

    for (unsigned i = 0; i < MANY_ITEMS; i++) {
        free(items->title[i]);
        cmark_node_free(items->body[i]);
    }
    free(items);
    buf_free(&title);
    buf_free(&body);
    remove_tree(tmp);
}

static void test_index_round_trip(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gk-search-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char site[600];
    snprintf(site, sizeof site, "%s/public", tmp);

    search_index *s = search_index_new(&test_cfg, &test_cat);
    search_collector *c = search_collector_new(&test_cfg, &test_cat);
    lua_State *L = luaL_newstate();

    /* Doc 0: the word in the title and a table cell; doc 1: only in the body,
     * twice; doc 2: no body (依申请公开). */
    const char *body0 = "| 项目 | 金额 |\n| --- | --- |\n| 三公经费 | 6.30 |\n";
    const char *body1 = "全年三公经费下降。\n\n再说一次三公经费。\n";
    const char *bodies[] = {body0, body1, NULL};
    const char *titles[] = {"２０２５年三公经费预算", "关于预算的说明", "依申请公开的信息"};
    for (int i = 0; i < 3; i++) {
        push_item(L, titles[i], i == 0 ? "示财发[2025]8号" : NULL, "czj", "ysjs");
        cmark_node *doc = bodies[i] ? markdown_parse(bodies[i], strlen(bodies[i])) : NULL;
        search_index_add(s, search_collect(c, L, -1, doc));
        if (doc)
            cmark_node_free(doc);
        lua_pop(L, 1);
    }
    search_stats st;
    write_index(s, site, &st);
    assert_int_equal(st.docs, 3);
    assert_int_equal(st.shards, 1);

    posting p[8];
    assert_int_equal(lookup(site, st.shards, "三公", p, 8), 2);
    assert_int_equal(p[0].doc, 0);
    assert_int_equal(p[0].mask, SEARCH_FIELD_TITLE | SEARCH_FIELD_BODY);
    assert_int_equal(p[1].doc, 1);
    assert_int_equal(p[1].mask, SEARCH_FIELD_BODY);
    /* 2025 from the full-width title, and from the doc number and index number. */
    assert_int_equal(lookup(site, st.shards, "2025", p, 8), 3);
    assert_int_equal(p[0].mask,
                     SEARCH_FIELD_TITLE | SEARCH_FIELD_DOC_NUMBER | SEARCH_FIELD_INDEX_NO);
    assert_int_equal(p[1].mask, SEARCH_FIELD_INDEX_NO);
    assert_int_equal(lookup(site, st.shards, "8", p, 8), 1);
    assert_int_equal(p[0].mask, SEARCH_FIELD_DOC_NUMBER);
    /* Keywords and the department, on every doc. */
    assert_int_equal(lookup(site, st.shards, "预算", p, 8), 3);
    assert_int_equal(p[2].doc, 2);
    assert_int_equal(p[2].mask, SEARCH_FIELD_KEYWORDS);
    assert_int_equal(lookup(site, st.shards, "政局", p, 8), 3);
    assert_int_equal(p[1].mask, SEARCH_FIELD_DEPARTMENT);
    /* Table cells are apart: no bigram across them. */
    assert_int_equal(lookup(site, st.shards, "目金", p, 8), 0);
    assert_int_equal(lookup(site, st.shards, "6", p, 8), 1);

    char path[700];
    size_t len;
    snprintf(path, sizeof path, "%s/search/index.json", site);
    char *manifest = slurp(path, &len);
    assert_non_null(manifest);
    assert_non_null(strstr(manifest, "\"docs\":3,\"shards\":1,"));
    assert_non_null(strstr(manifest, "\"departments\":[[\"zfb\",\"县政府办公室\"],[\"czj\""));
    assert_non_null(strstr(manifest, "[\"ysjs\",\"预决算\",0]"));
    assert_non_null(strstr(manifest, "\"dept\":[1,1,1],\n\"cat\":[1,1,1]"));
    free(manifest);
    snprintf(path, sizeof path, "%s/search/d/0.json", site);
    char *docs = slurp(path, &len);
    assert_non_null(docs);
    assert_non_null(strstr(docs, "[\"２０２５年三公经费预算\",\"/czj/2025/x/\",\"2025-03-20\","
                                 "\"示财发[2025]8号\",\"11339901MB0001222Q/2025-00012\",\"\"]"));
    free(docs);

    lua_close(L);
    search_collector_free(c);
    search_index_free(s);
    remove_tree(tmp);
}

int main(void)
{
    markdown_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_nfkc_and_case),
        cmocka_unit_test(test_fold_refuses_invalid_utf8),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_token_hash_is_fnv1a),
        cmocka_unit_test(test_entry_distinct_tokens),
        cmocka_unit_test(test_threads_write_what_one_collector_writes),
        cmocka_unit_test(test_index_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
