/* A JSON reader (RFC 8259) for manifest.json: `--verify` must not trust the
 * manifest's layout, only its content, so it reads the file as JSON rather
 * than as the lines the writer happens to produce. */
#include "archive_internal.h"

#include "../util/utf8.h"

#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct json_reader {
    arena *mem;
    const char *s, *end, *line_start;
    int line;
    buf *err;
    buf scratch;
} json_reader;

static int json_fail(json_reader *r, const char *what)
{
    buf_printf(r->err, "第 %d 行第 %d 列：%s", r->line, (int)(r->s - r->line_start) + 1, what);
    return -1;
}

static void json_space(json_reader *r)
{
    while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r')) {
        if (*r->s == '\n') {
            r->line++;
            r->line_start = r->s + 1;
        }
        r->s++;
    }
}

static int json_hex4(json_reader *r, uint32_t *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++, r->s++) {
        char c = r->s < r->end ? *r->s : '\0';
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return json_fail(r, "\\u 后应是四位十六进制数字");
        *out = *out << 4 | (uint32_t)d;
    }
    return 0;
}

/* A string after its opening quote, into r->scratch. */
static int json_string(json_reader *r)
{
    buf_reset(&r->scratch);
    buf_puts(&r->scratch, "");
    for (;;) {
        if (r->s >= r->end)
            return json_fail(r, "字符串没有结束");
        unsigned char c = (unsigned char)*r->s;
        if (c == '"') {
            r->s++;
            return 0;
        }
        if (c < 0x20)
            return json_fail(r, "字符串中有控制字符");
        if (c != '\\') {
            uint32_t cp;
            size_t n = utf8_decode(r->s, (size_t)(r->end - r->s), &cp);
            if (!n)
                return json_fail(r, "不是有效的 UTF-8");
            buf_put(&r->scratch, r->s, n);
            r->s += n;
            continue;
        }
        r->s++;
        char e = r->s < r->end ? *r->s++ : '\0';
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            buf_putc(&r->scratch, to[k - from]);
            continue;
        }
        if (e != 'u')
            return json_fail(r, "无法识别的转义");
        uint32_t cp, low;
        if (json_hex4(r, &cp) != 0)
            return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (r->end - r->s < 2 || r->s[0] != '\\' || r->s[1] != 'u')
                return json_fail(r, "代理项没有配对");
            r->s += 2;
            if (json_hex4(r, &low) != 0)
                return -1;
            if (low < 0xDC00 || low > 0xDFFF)
                return json_fail(r, "代理项没有配对");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return json_fail(r, "代理项没有配对");
        }
        char enc[4];
        buf_put(&r->scratch, enc, utf8_encode(cp, enc));
    }
}

static int json_number(json_reader *r, value **out, int line, int col)
{
    const char *start = r->s;
    bool integer = true;
    if (r->s < r->end && *r->s == '-')
        r->s++;
    if (r->s >= r->end || *r->s < '0' || *r->s > '9')
        return json_fail(r, "不是数字");
    if (*r->s == '0')
        r->s++;
    else
        while (r->s < r->end && *r->s >= '0' && *r->s <= '9')
            r->s++;
    if (r->s < r->end && *r->s == '.') {
        integer = false;
        r->s++;
        if (r->s >= r->end || *r->s < '0' || *r->s > '9')
            return json_fail(r, "小数点后应有数字");
        while (r->s < r->end && *r->s >= '0' && *r->s <= '9')
            r->s++;
    }
    if (r->s < r->end && (*r->s == 'e' || *r->s == 'E')) {
        integer = false;
        r->s++;
        if (r->s < r->end && (*r->s == '+' || *r->s == '-'))
            r->s++;
        if (r->s >= r->end || *r->s < '0' || *r->s > '9')
            return json_fail(r, "指数应有数字");
        while (r->s < r->end && *r->s >= '0' && *r->s <= '9')
            r->s++;
    }
    char *text = arena_strndup(r->mem, start, (size_t)(r->s - start));
    if (integer) {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (*end == '\0') {
            *out = value_new(r->mem, VALUE_INTEGER, line, col);
            (*out)->u.integer = n;
            return 0;
        }
    }
    *out = value_new(r->mem, VALUE_FLOAT, line, col);
    (*out)->u.real = strtod(text, NULL);
    return 0;
}

static bool json_word(json_reader *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->s) < n || memcmp(r->s, w, n) != 0)
        return false;
    r->s += n;
    return true;
}

/* One value; *out NULL for null. */
static int json_value(json_reader *r, value **out, int depth)
{
    json_space(r);
    *out = NULL;
    if (r->s >= r->end)
        return json_fail(r, "缺少值");
    if (depth > JSON_MAX_DEPTH)
        return json_fail(r, "嵌套太深");
    int line = r->line, col = (int)(r->s - r->line_start) + 1;
    char c = *r->s;
    if (c == '"') {
        r->s++;
        if (json_string(r) != 0)
            return -1;
        *out = value_new_string(r->mem, r->scratch.ptr, r->scratch.len, line, col);
        return 0;
    }
    if (c == '{' || c == '[') {
        bool object = c == '{';
        *out = value_new(r->mem, object ? VALUE_TABLE : VALUE_ARRAY, line, col);
        r->s++;
        json_space(r);
        if (r->s < r->end && *r->s == (object ? '}' : ']')) {
            r->s++;
            return 0;
        }
        for (;;) {
            char *key = NULL;
            size_t key_len = 0;
            int kline = 0, kcol = 0;
            if (object) {
                json_space(r);
                kline = r->line;
                kcol = (int)(r->s - r->line_start) + 1;
                if (r->s >= r->end || *r->s != '"')
                    return json_fail(r, "对象的键应是字符串");
                r->s++;
                if (json_string(r) != 0)
                    return -1;
                key_len = r->scratch.len;
                key = arena_strndup(r->mem, r->scratch.ptr, key_len);
                if (value_table_find(*out, key, key_len))
                    return json_fail(r, "对象的键重复");
                json_space(r);
                if (r->s >= r->end || *r->s != ':')
                    return json_fail(r, "键后应有冒号");
                r->s++;
            }
            value *v;
            if (json_value(r, &v, depth + 1) != 0)
                return -1;
            if (v && object)
                value_table_add(r->mem, *out, key, key_len, v, kline, kcol);
            else if (v)
                value_array_push(r->mem, *out, v);
            json_space(r);
            if (r->s < r->end && *r->s == ',') {
                r->s++;
                continue;
            }
            if (r->s < r->end && *r->s == (object ? '}' : ']')) {
                r->s++;
                return 0;
            }
            return json_fail(r, object ? "对象中应是逗号或 }" : "数组中应是逗号或 ]");
        }
    }
    if (json_word(r, "true") || json_word(r, "false")) {
        *out = value_new(r->mem, VALUE_BOOL, line, col);
        (*out)->u.boolean = c == 't';
        return 0;
    }
    if (json_word(r, "null"))
        return 0;
    return json_number(r, out, line, col);
}

int archive_json_parse(arena *mem, const char *text, size_t len, value **out, buf *err)
{
    json_reader r = {mem, text, text + len, text, 1, err, BUF_INIT};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r.s += 3;
    int rc = json_value(&r, out, 0);
    if (rc == 0) {
        json_space(&r);
        if (r.s != r.end)
            rc = json_fail(&r, "值后面还有多余的内容");
        else if (!*out)
            rc = json_fail(&r, "整个文档是 null");
    }
    buf_free(&r.scratch);
    return rc;
}
