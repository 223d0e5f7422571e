/* libFuzzer entry point, shared by every target in tests/fuzz/ and by the
 * replay driver that runs saved inputs (regressions) without libFuzzer. */
#ifndef GK_TESTS_FUZZ_H
#define GK_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
