/*
 * pgschema - prints the PostgreSQL text of the embedded migrations (src/db/dialect.c), in
 * order, for psql: `build/pgschema | psql -v ON_ERROR_STOP=1 -1 URL`. With an argument
 * NNNN it prints that migration only. Exit status 1 when a migration cannot be translated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embed.h"
#include "db/db_internal.h"

int main(int argc, char **argv)
{
	const struct embed_file *f;
	int status = 0;

	for (f = embed_files; f->name; f++) {
		const char *name = f->name + 11;
		char *sql = NULL;

		if (strncmp(f->name, "migrations/", 11) != 0 || name[0] < '0' || name[0] > '9')
			continue;
		if (argc > 1 && strncmp(name, argv[1], strlen(argv[1])) != 0)
			continue;
		if (db_pg_migration_sql(name, f->data, &sql)) {
			fprintf(stderr, "pgschema: cannot translate %s\n", f->name);
			status = 1;
			continue;
		}
		printf("-- ==== %s ====\n%s\n", name, sql);
		free(sql);
	}
	return status;
}
