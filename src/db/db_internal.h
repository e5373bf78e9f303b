/*
 * db_internal.h - shared between db.c (the dispatcher) and the drivers: db_sqlite.c for a
 * file path, db_pg.c for a postgresql:// URI.
 *
 * A driver's connection embeds struct db as its first member, and its statement embeds
 * struct db_stmt, so db.c reaches the driver through db->drv. The statement cache (keyed
 * by the address of the SQL text) and the per-thread pool live in db.c, once for both.
 */
#ifndef SHENLIAO_DB_INTERNAL_H
#define SHENLIAO_DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

struct db_driver {
	void (*close)(struct db *db);
	int (*exec_script)(struct db *db, const char *sql);
	/* stmt_new compiles sql into a new statement (with base.db and base.sql set) */
	int (*stmt_new)(struct db *db, const char *sql, struct db_stmt **out);
	void (*stmt_reset)(struct db_stmt *st); /* done, and bindings cleared */
	void (*stmt_free)(struct db_stmt *st);
	int (*bind_int)(struct db_stmt *st, int i, int64_t v);
	int (*bind_text)(struct db_stmt *st, int i, const char *p, size_t n);
	int (*bind_null)(struct db_stmt *st, int i);
	int (*bind_double)(struct db_stmt *st, int i, double v);
	int (*step)(struct db_stmt *st);
	int64_t (*col_int)(struct db_stmt *st, int i);
	double (*col_double)(struct db_stmt *st, int i);
	const char *(*col_text)(struct db_stmt *st, int i);
	size_t (*col_len)(struct db_stmt *st, int i);
	bool (*col_null)(struct db_stmt *st, int i);
	void (*done)(struct db_stmt *st);
	int (*begin_write)(struct db *db);
	int (*begin_write_shared)(struct db *db);
	int (*begin_read)(struct db *db);
	int (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	int64_t (*last_id)(struct db *db);
	int (*changes)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*backup)(struct db *db, const char *path, progress_fn progress, void *ud);
};

struct db {
	const struct db_driver *drv;
	enum db_dialect dialect;
	struct db_stmt **cache; /* cap slots, NULL when empty */
	size_t cap, ncache;
	struct db *next_in_pool;
};

struct db_stmt {
	const char *sql;
	struct db *db;
};

/* db_sqlite_open / db_pg_open: db_open for a file path / a URI (base fields set). */
int db_sqlite_open(const char *path, int flags, struct db **out) WARN_UNUSED;
int db_pg_open(const char *uri, int flags, struct db **out) WARN_UNUSED;

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

struct buf;

/* db_pg_drop_text appends to out the DROP statements of what the PostgreSQL text pgsql of a
 * migration creates: "DROP TABLE IF EXISTS t CASCADE;" for each CREATE TABLE and "DROP
 * FUNCTION IF EXISTS f(args) CASCADE;" for each CREATE FUNCTION (at the start of a line).
 * Indexes, sequences and triggers go with their tables. dialect.c. */
int db_pg_drop_text(const char *pgsql, struct buf *out);

/* db_pg_lock / db_pg_unlock take and release a session-level advisory lock (key) on a
 * PostgreSQL connection, waiting for it: migrations use it so two processes starting at
 * once do not both migrate. */
int db_pg_lock(struct db *db, int64_t key) WARN_UNUSED;
void db_pg_unlock(struct db *db, int64_t key);

#endif
