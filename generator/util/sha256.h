/* SHA-256 (FIPS 180-4), for the archive manifest: every file filed with a
 * period's archive is listed with its digest, so that anyone can check it
 * years later with any sha256sum. Streaming: feed data in pieces of any
 * size. */
#ifndef GK_UTIL_SHA256_H
#define GK_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t bytes; /* message length so far */
    unsigned char block[64];
    size_t fill; /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE]);
/* The digest in lowercase hex, as sha256sum prints it. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);
/* One call for data in memory: the hex digest. */
void sha256_hex_of(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

#endif
