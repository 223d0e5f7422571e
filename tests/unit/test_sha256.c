/* SHA-256 against the FIPS 180-4 examples (NIST's "abc", the two-block
 * 448-bit and 896-bit messages, a million 'a'), the empty message, and
 * lengths around the padding boundary (55, 56, 63, 64 ... bytes) checked
 * against Python's hashlib, fed whole and in awkward pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../generator/util/sha256.h"

#include <string.h>

static void hex_of_pieces(const void *data, size_t len, size_t piece, char out[SHA256_HEX_SIZE])
{
    sha256_ctx c;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    const unsigned char *p = data;
    for (size_t done = 0; done < len; done += piece)
        sha256_update(&c, p + done, len - done < piece ? len - done : piece);
    sha256_final(&c, d);
    sha256_hex(d, out);
}

static void expect(const void *data, size_t len, const char *want)
{
    char got[SHA256_HEX_SIZE];
    sha256_hex_of(data, len, got);
    assert_string_equal(got, want);
    static const size_t pieces[] = {1, 3, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        hex_of_pieces(data, len, pieces[i], got);
        assert_string_equal(got, want);
    }
}

static void test_fips_examples(void **state)
{
    (void)state;
    expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *four =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmn"
        "opqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect(four, strlen(four), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_million_a(void **state)
{
    (void)state;
    static char a[1000000];
    memset(a, 'a', sizeof a);
    expect(a, sizeof a, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
        {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
        {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
        {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
        {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
        {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
        {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
        {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
    };
    unsigned char data[128];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i % 251);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect(data, cases[i].len, cases[i].hex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_examples),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
