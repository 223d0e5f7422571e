/* What a cache or memo is keyed by besides its own inputs: this very
 * program. The version number alone would let a build of changed code
 * trust what an earlier build of the same version wrote (how items are
 * read, pages rendered, answers kept); a hash of the build's object files
 * tells every build of the code apart, and is the same for gongkai and
 * gongkai-extra, which write and read the same caches. */
#ifndef GK_UTIL_BUILD_H
#define GK_UTIL_BUILD_H

/* GK_VERSION and the hash of the build's objects ("0.1.0+6193f6…"). */
const char *build_version(void);

#endif
