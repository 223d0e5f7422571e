/* Files that appear whole or not at all: written to a temporary name in the
 * same directory, flushed to disk, then renamed into place (a rename within
 * one file system is atomic), and the directory flushed so that the rename
 * survives a crash. An interrupted run leaves the old file (atomic_replace:
 * the old file or none), never half a new one. */
#ifndef GK_UTIL_ATOMIC_H
#define GK_UTIL_ATOMIC_H

#include "buf.h"

#include <stddef.h>

/* Replace `path` with data[0..len) through `.<name>.<pid>.tmp` beside it.
 * Returns 0, or -1 with a message in *err (the old file untouched). */
int atomic_write(const char *path, const void *data, size_t len, buf *err);

/* atomic_write without the flushes, which can cost milliseconds at the end
 * of a build that wrote many files: whole or not at all while the system
 * runs, but after a power failure the file may be missing, empty or cut
 * short. The old file is removed before the new one takes its name, so a
 * reader may find neither for an instant: renaming over a file makes ext4
 * write the new one out at once (auto_da_alloc), 3 ms for the 2 MB cache
 * of a 10 000-item site. Only for a cache that checks its own bytes when
 * it reads them, and is rebuilt when it is missing. */
int atomic_replace(const char *path, const void *data, size_t len, buf *err);

/* Flush the finished file `from` and rename it to `to` (same file system),
 * then flush `to`'s directory. Returns 0, or -1 with a message in *err. */
int atomic_rename(const char *from, const char *to, buf *err);

#endif
