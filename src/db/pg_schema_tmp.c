/*
 * pg_schema_tmp.c - a pass-through db_pg_migration_sql so the PostgreSQL driver links
 * before the schema translation (dialect.c, another branch) is merged. The merger deletes
 * this file.
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

int db_pg_migration_sql(const char *name, const char *sql, char **out)
{
	(void)name;
	*out = strdup(sql);
	return *out ? ERR_OK : ERR_NOMEM;
}
