/* The TOML parser (site.toml, +++ front matter) on arbitrary bytes. The text
 * is NUL-terminated after its end, as every caller's is. */
#include "fuzz.h"

#include "../../generator/config/toml.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    arena mem;
    arena_init(&mem);
    value *root = NULL;
    toml_error err;
    if (toml_parse(&mem, text, size, 1, &root, &err) == 0) {
        if (!root || root->type != VALUE_TABLE)
            abort();
    } else if (err.line < 1 || err.col < 1 || !memchr(err.message, '\0', sizeof err.message)) {
        abort(); /* every error has a position and a terminated message */
    }
    arena_free(&mem);
    free(text);
    return 0;
}
