/* The list of the files of the site a build made (output.h), inside render/
 * only. The file is "GKFILES1", the real path of the output folder it
 * belongs to, the number of files, each file's path in the site ("czj/
 * index.html", sorted, each once), and the 64-bit checksum in hex of all
 * the bytes before it; every field ends with a NUL. */
#ifndef GK_RENDER_OUTPUT_LIST_H
#define GK_RENDER_OUTPUT_LIST_H

#include "output.h"

typedef struct output_listed {
    buf data;           /* the whole file */
    const char **paths; /* into data */
    size_t len;
    bool *written; /* per path: whether this build wrote it (output_list_match) */
} output_listed;

/* Read the list the previous build left. Returns 0, or -1 when there is
 * no list that reads whole, belongs to this output folder and names only
 * plain paths inside it (no "." or ".." part, not absolute): then walk. */
int output_list_read(output *o, output_listed *prev);
/* Remove the list before the target changes but for files it names: a
 * list left behind by an interrupted update would miss the files it moved
 * in. */
void output_list_drop(output *o);
/* Note which listed files this build wrote (prev->written), by hash, in any
 * order of o->written. Returns whether it wrote those and no others: the
 * usual rebuild, whose list is then the previous one, already sorted. */
bool output_list_match(const output *o, output_listed *prev);
/* Remove each listed file this build did not write (after
 * output_list_match), when it is a regular file reached without following
 * a link, and the folders that leaves empty; no folder is read. */
void output_list_prune(output *o, const output_listed *prev);
void output_listed_free(output_listed *prev);
/* Write the list of o->written (sorted) atomically. A list that cannot be
 * written only makes the next build walk. */
void output_list_save(output *o);

#endif
