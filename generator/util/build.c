/* dl_iterate_phdr is a GNU extension. */
#define _GNU_SOURCE

#include "build.h"

#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char build_text[sizeof GK_VERSION + 1 + 2 * 64];
static pthread_once_t build_once = PTHREAD_ONCE_INIT;

/* The GNU build ID note among the notes of one PT_NOTE segment. */
static void build_id_find(const char *p, const char *end)
{
    while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
        const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
        const char *name = p + sizeof *n;
        const unsigned char *desc = (const unsigned char *)name + ((n->n_namesz + 3) & ~3u);
        const char *next = (const char *)desc + ((n->n_descsz + 3) & ~3u);
        if (next > end || next <= p)
            return;
        if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
            n->n_descsz <= 64) {
            char *out = build_text + strlen(build_text);
            *out++ = '+';
            for (size_t i = 0; i < n->n_descsz; i++, out += 2)
                snprintf(out, 3, "%02x", desc[i]);
            return;
        }
        p = next;
    }
}

/* dl_iterate_phdr gives the program itself first. */
static int build_program(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE || strchr(build_text, '+'))
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        build_id_find(p, p + ph->p_memsz);
    }
    return 1;
}

static void build_find(void)
{
    memcpy(build_text, GK_VERSION, sizeof GK_VERSION);
    dl_iterate_phdr(build_program, NULL);
}

const char *build_version(void)
{
    pthread_once(&build_once, build_find);
    return build_text;
}
