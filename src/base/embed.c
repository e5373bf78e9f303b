/*
 * embed.c - lookup in the generated table of embedded files.
 */
#include "embed.h"

#include <string.h>

const struct embed_file *embed_find(const char *name, size_t n)
{
	const struct embed_file *f;

	for (f = embed_files; f->name; f++)
		if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
			return f;
	return NULL;
}
