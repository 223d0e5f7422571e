/* An item file as the content stage sees it: split into front matter and
 * body, then the front matter parsed as TOML or YAML. */
#include "fuzz.h"

#include "../../generator/content/content.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    arena mem;
    arena_init(&mem);
    content_frontmatter fm;
    if (content_frontmatter_split(&mem, text, size, &fm) == 0) {
        /* The body lies inside the file, after the front matter. */
        if (fm.body < text || fm.body + fm.body_len != text + size || fm.body_line < 2)
            abort();
        value *front = NULL;
        content_error err;
        if (content_frontmatter_parse(&mem, &fm, &front, &err) == 0) {
            if (!front || front->type != VALUE_TABLE)
                abort();
        } else if (err.line < 1 || err.col < 1) {
            abort();
        }
    }
    arena_free(&mem);
    free(text);
    return 0;
}
