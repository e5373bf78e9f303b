/*
 * dialect_stub_e2.c - db_dialect for a tree without the PostgreSQL driver: always SQLite.
 * (The driver's branch defines the real one; the merger deletes this file.)
 */
#include "db.h"

enum db_dialect db_dialect(const struct db *db)
{
	(void)db;
	return DB_SQLITE;
}
