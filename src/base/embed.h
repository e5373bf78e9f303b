/*
 * embed.h - files compiled into the binary (templates/, static/, migrations/, i18n/).
 * The table is generated at build time by tools/embedgen.c; it is sorted by name.
 */
#ifndef SHENLIAO_BASE_EMBED_H
#define SHENLIAO_BASE_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name; /* path relative to the repository, e.g. "templates/login.mustache" */
	const char *data; /* content, followed by a NUL not counted in len */
	size_t len;
};

/* NULL-name-terminated table of every embedded file. */
extern const struct embed_file embed_files[];

/* embed_find returns the file called name (n bytes), or NULL. Thread-safe. */
const struct embed_file *embed_find(const char *name, size_t n);

#endif
