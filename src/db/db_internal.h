/*
 * db_internal.h - shared inside the SQLite driver only.
 */
#ifndef SHENLIAO_DB_INTERNAL_H
#define SHENLIAO_DB_INTERNAL_H

#include <sqlite3.h>

/* fts_cjk_register adds the "cjk" FTS5 tokenizer to connection h (fts_cjk.c). */
int fts_cjk_register(sqlite3 *h);

/* db_pg_migration_sql gives the PostgreSQL text of an embedded migration (name like
 * "0001_foundation.sql", sql its SQLite text): migrations/pg/<name> when embedded, else
 * sql translated. *out is malloc'd, the caller frees it. (dialect.c: the translated text is
 * followed by migrations/pg/<name> when that file exists, and replaced by it when its first
 * line is "-- pg: replace"; ERR_INVALID when sql has statements with no translation and
 * there is no such file.) */
int db_pg_migration_sql(const char *name, const char *sql, char **out);

/* db_pg_translate translates SQLite DDL sql to PostgreSQL into *out (malloc'd, the caller
 * frees it); *dropped counts the statements left out that have no translation (virtual
 * tables, triggers, writes to the FTS5 index). dialect.c. */
int db_pg_translate(const char *sql, char **out, int *dropped);

#endif
