/* The search index: folding, tokens, and the shards read back as the
 * browser reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/render/markdown.h"
#include "../../generator/render/search.h"

#include <lauxlib.h>
#include <lualib.h>

#include <dirent.h>
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

static void test_index_round_trip(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gk-search-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char site[600];
    snprintf(site, sizeof site, "%s/public", tmp);

    department depts[] = {{.id = "zfb", .name = "县政府办公室"}, {.id = "czj", .name = "财政局"}};
    site_config cfg = {.departments = depts, .department_count = 2};
    category cats[] = {{.key = "czxx", .name = "财政信息", .parent = -1},
                       {.key = "ysjs", .name = "预决算", .parent = 0}};
    catalogue cat = {.categories = cats, .count = 2};
    search_index *s = search_index_new(&cfg, &cat);
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
        search_index_add(s, L, -1, doc);
        if (doc)
            cmark_node_free(doc);
        lua_pop(L, 1);
    }
    output out;
    buf err = BUF_INIT;
    assert_int_equal(output_open(&out, site, &err), 0);
    search_stats st;
    assert_int_equal(search_index_write(s, &out, &st, &err), 0);
    assert_int_equal(output_commit(&out, &err), 0);
    output_free(&out);
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
    search_index_free(s);
    buf_free(&err);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    markdown_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_nfkc_and_case),
        cmocka_unit_test(test_fold_refuses_invalid_utf8),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_token_hash_is_fnv1a),
        cmocka_unit_test(test_index_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
