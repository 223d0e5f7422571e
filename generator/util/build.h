/* What a cache or memo is keyed by besides its own inputs: this very
 * program. The version number alone would let a build of changed code
 * trust what an earlier build of the same version wrote (how items are
 * read, pages rendered, answers kept); the linker's build ID tells every
 * build of the code apart. */
#ifndef GK_UTIL_BUILD_H
#define GK_UTIL_BUILD_H

/* GK_VERSION and, when the program has one, its build ID ("0.1.0+6193f6…"),
 * found once; safe on any thread. */
const char *build_version(void);

#endif
