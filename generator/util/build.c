/* The program's identity for the caches (build.h). The Makefile writes it
 * into build/<kind>/stamp.c: GK_VERSION and a hash of every object file of
 * that build, so that gongkai and gongkai-extra, linked from the same
 * objects, share their caches, and any change to the code gives another. */
#include "build.h"

extern const char build_version_text[];

const char *build_version(void)
{
    return build_version_text;
}
