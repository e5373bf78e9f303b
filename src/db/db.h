/*
 * db.h - the one small query interface every caller uses.
 *
 * Callers see connections, prepared statements, positional parameters and typed columns,
 * never a driver's API, so a PostgreSQL driver can be added beside db_sqlite.c without
 * touching them. SQL text is written with '?' placeholders (a PostgreSQL driver rewrites
 * them to $1, $2...). Only prepared statements with bound parameters: no SQL is ever built
 * from input. Statements are prepared once per connection and cached by their SQL text's
 * address, so SQL must be a string literal (or otherwise live as long as the process).
 *
 * Drivers: db_sqlite.c for a file path, db_pg.c (libpq) for a postgresql:// URI; db.c
 * dispatches (db_internal.h).
 *
 * Threads: a struct db is one connection and belongs to one thread at a time. db_thread()
 * hands each worker thread its own connection to the file given to db_pool_init().
 */
#ifndef SHENLIAO_DB_DB_H
#define SHENLIAO_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"

struct db;
struct db_stmt;

/* Which SQL a connection speaks, for the few statements written twice (docs/POSTGRESQL.md). */
enum db_dialect { DB_SQLITE = 0, DB_POSTGRES = 1 };
enum db_dialect db_dialect(const struct db *db);

enum db_open_flags {
	DB_OPEN_CREATE = 1,    /* create the file if missing (default: it must exist) */
	DB_OPEN_SYNC_FULL = 2, /* synchronous=FULL instead of NORMAL */
	DB_OPEN_QUIET = 4      /* PostgreSQL: a failure to connect is not logged (a probe) */
};

bool db_is_uri(const char *path); /* a postgresql:// or postgres:// URI */

/* db_safe_name copies path to buf (cap bytes) with the password of a URI masked
 * ("postgresql://u:***@host/db"), for messages; returns buf (truncated when too long). */
const char *db_safe_name(const char *path, char *buf, size_t cap);

/* db_open opens a connection: a file path is SQLite (WAL, foreign keys and a busy timeout
 * set), a postgresql:// URI is PostgreSQL (db_pg.c; with DB_OPEN_CREATE a missing database
 * is created on that server). *out is the caller's, closed with db_close. */
int db_open(const char *path, int flags, struct db **out) WARN_UNUSED;

/* db_close finalizes cached statements and closes; accepts NULL. */
void db_close(struct db *db);

/* db_exec_script runs trusted SQL text (from the binary, never from input) that may hold
 * several statements. */
int db_exec_script(struct db *db, const char *sql) WARN_UNUSED;

/* db_prepare returns the cached statement for sql (prepared on first use), reset and with
 * bindings cleared. The statement is borrowed; call db_done when finished with it. A
 * statement must not be prepared again while in use (no nesting of the same SQL). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out) WARN_UNUSED;

/* Parameters are numbered from 1. Text is copied. */
int db_bind_int(struct db_stmt *st, int i, int64_t v) WARN_UNUSED;
int db_bind_text(struct db_stmt *st, int i, const char *p, size_t n) WARN_UNUSED;
int db_bind_str(struct db_stmt *st, int i, const char *s) WARN_UNUSED; /* NULL binds NULL */
int db_bind_null(struct db_stmt *st, int i) WARN_UNUSED;
int db_bind_double(struct db_stmt *st, int i, double v) WARN_UNUSED;

enum { DB_DONE = 0, DB_ROW = 1 };

/* db_step runs st: DB_ROW with a row to read, DB_DONE at the end; ERR_CONFLICT on a
 * constraint violation (unique, check, foreign key); ERR_DB otherwise. */
int db_step(struct db_stmt *st) WARN_UNUSED;

/* Columns are numbered from 0 and valid until the next db_step/db_done. */
int64_t db_col_int(struct db_stmt *st, int i);
double db_col_double(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i); /* "" for NULL */
size_t db_col_len(struct db_stmt *st, int i);
bool db_col_null(struct db_stmt *st, int i);
/* db_col_dup returns a heap copy (strdup) of column i's text ("" for NULL), for the caller
 * to free; NULL when out of memory. */
char *db_col_dup(struct db_stmt *st, int i);
/* db_col_dup_rc is db_col_dup that also sets *rc to ERR_NOMEM when out of memory (and
 * leaves it alone otherwise), so a row reader copies several columns and checks once. */
char *db_col_dup_rc(struct db_stmt *st, int i, int *rc);

/* db_done resets st so the connection holds no read lock; accepts NULL. */
void db_done(struct db_stmt *st);

/* db_run binds nothing more, steps st to completion and resets it: for INSERT/UPDATE. */
int db_run(struct db_stmt *st) WARN_UNUSED;

/* --- typed helpers (query.c): prepare, bind and step in one call ---
 *
 * types names each parameter after sql, one letter each, in order:
 *   'i'  int64_t (cast ints: va_arg reads 64 bits)
 *   'n'  int
 *   'd'  double
 *   'z'  int64_t, 0 binds NULL (an unset time or id: NULLIF(?, 0) written once for both
 *        dialects, as a time column is timestamptz on PostgreSQL)
 *   's'  const char * (NULL binds NULL)
 *   '0'  nothing is read; binds NULL
 * A wrong letter is a programming error: logged, ERR_INVALID. */

/* DB_PG_CHINA(alias, col) is PostgreSQL's text for the time column alias.col (a
 * timestamptz) as a timestamp in China time (UTC+8, no daylight saving), for the statements
 * that need a calendar there (SQLite writes them with t + 28800 and strftime or / 86400). */
#define DB_PG_CHINA(alias, col) "((" alias "." col ") AT TIME ZONE 'UTC' + INTERVAL '8 hours')"

/* db_exec runs an INSERT/UPDATE/DELETE to completion. ERR_CONFLICT on a constraint. */
int db_exec(struct db *db, const char *sql, const char *types, ...) WARN_UNUSED;

/* db_get_row runs a query and leaves *st on its first row for the caller to read; the
 * caller ends it with db_done(*st). ERR_NOT_FOUND (nothing left to release) when there is
 * no row. */
int db_get_row(struct db *db, const char *sql, struct db_stmt **st, const char *types,
	       ...) WARN_UNUSED;

/* db_get_int reads the first column of the first row as an integer into *out.
 * ERR_NOT_FOUND when there is no row. */
int db_get_int(struct db *db, const char *sql, int64_t *out, const char *types, ...) WARN_UNUSED;

/* db_each calls fn(st, ud) for every row; a non-zero return from fn stops the loop and is
 * returned. The statement is released in every case. */
typedef int (*db_row_fn)(struct db_stmt *st, void *ud);
int db_each(struct db *db, const char *sql, db_row_fn fn, void *ud, const char *types,
	    ...) WARN_UNUSED;

/* db_each_planned is db_each with sql prepared for this call alone (outside the statement
 * cache) and finalized after: PostgreSQL plans it for these parameters, where a cached
 * statement soon gets one generic plan for all (the right plan for a text search depends on
 * how common the word is: model/search.c). */
int db_each_planned(struct db *db, const char *sql, db_row_fn fn, void *ud, const char *types,
		    ...) WARN_UNUSED;

/* db_ids_row is a db_each callback that collects the first column of each row as an
 * integer into a struct db_ids (start it {NULL, 0}; free(ids) afterwards, also on error).
 * ERR_NOMEM when out of memory. */
struct db_ids {
	int64_t *ids;
	size_t n;
};
int db_ids_row(struct db_stmt *st, void *ud);

/* Transactions. db_begin_write takes the write lock at once (BEGIN IMMEDIATE), so a
 * read-then-write transaction never fails half-way with "busy". */
int db_begin_write(struct db *db) WARN_UNUSED;
/* db_begin_write_shared is a write transaction that may run beside others of its kind but
 * never beside one of db_begin_write: for writes that are pure upserts and increments, whose
 * reads decide nothing that another such writer could change (the vote batch, model/vote
 * queue). SQLite: the same as db_begin_write (one writer at a time). PostgreSQL: BEGIN, then
 * the writers' advisory lock in shared mode (pg_advisory_xact_lock_shared). */
int db_begin_write_shared(struct db *db) WARN_UNUSED;
int db_begin_read(struct db *db) WARN_UNUSED;
int db_commit(struct db *db) WARN_UNUSED;
void db_rollback(struct db *db); /* safe when no transaction is open */

int64_t db_last_id(struct db *db);
int db_changes(struct db *db);

/* db_errmsg returns the driver's message for the last failure (borrowed). */
const char *db_errmsg(struct db *db);

/* db_backup copies the database to path consistently (online backup), even while others
 * write. Refuses (ERR_EXISTS) when path exists. On PostgreSQL: ERR_UNSUPPORTED, with
 * db_errmsg saying to use pg_dump. */
int db_backup(struct db *db, const char *path) WARN_UNUSED;
/* db_backup_progress is db_backup telling progress (may be NULL) of the pages copied. */
int db_backup_progress(struct db *db, const char *path, progress_fn progress, void *ud) WARN_UNUSED;

/* --- many processes on one database (docs/POSTGRESQL.md "Many processes") ---
 *
 * PostgreSQL: LISTEN/NOTIFY and session-level advisory locks. SQLite (one serving process
 * per file): notifying does nothing, listening is ERR_UNSUPPORTED, a try-lock always gets
 * the lock. A channel is 1 to 63 lower-case letters, digits or '_' (ERR_INVALID else). */

/* db_notify sends payload (at most 7999 bytes) on channel. Inside a transaction it is
 * delivered at the commit, and not at all on a rollback. */
int db_notify(struct db *db, const char *channel, const char *payload) WARN_UNUSED;

/* db_listen subscribes this connection to channel (use a connection of its own). */
int db_listen(struct db *db, const char *channel) WARN_UNUSED;

/* db_wait_notify waits up to timeout_ms for a notification on a channel this connection
 * listens to and copies its payload into payload[cap] (cut when longer). ERR_OK with one,
 * ERR_NOT_FOUND when none came in time, ERR_DB when the connection is lost. */
int db_wait_notify(struct db *db, int timeout_ms, char *payload, size_t cap) WARN_UNUSED;

/* db_try_lock tries the session-level advisory lock key without waiting: *got tells
 * whether this connection now holds it (release with db_unlock). */
int db_try_lock(struct db *db, int64_t key, bool *got) WARN_UNUSED;
void db_unlock(struct db *db, int64_t key);

/* db_prepare_uncached prepares sql outside the statement cache, for SQL made at run time
 * from catalogue names (never from input: db_copy); the caller ends it with db_finalize. */
int db_prepare_uncached(struct db *db, const char *sql, struct db_stmt **out) WARN_UNUSED;
void db_finalize(struct db_stmt *st); /* accepts NULL */

/* --- copying a whole database (copy.c) --- */

struct db_copy_table {
	char name[64];
	bool is_virtual, is_virtual_to; /* an SQLite virtual table (FTS5) on the source / target */
	int64_t rows_from, rows_to;	/* its rows in the source, and in the target after */
};

struct db_copy_report {
	struct db_copy_table *t; /* in the order copied (parents first) */
	size_t n;
};

/* db_copy copies every row of every table both from and to have (ids kept) in one write
 * transaction on to, after deleting what to's tables hold; from is read in one snapshot.
 * Both must be at the same schema version. The tables named in derived (NULL-terminated;
 * may be NULL), e.g. an index made from other rows, are emptied but not copied: fill(from,
 * to, ud) is called for them inside the transaction, after the other tables. Row counts
 * are compared per table, derived ones too, before the commit (ERR_CONFLICT when one
 * differs, nothing committed). progress (may be NULL) gets rows done of the total. *rep
 * gets the tables; free it with db_copy_report_free. */
struct db_copy_hook {
	const char *const *derived;
	int (*fill)(struct db *from, struct db *to, void *ud);
	void *ud;
};
int db_copy(struct db *from, struct db *to, const struct db_copy_hook *hook, progress_fn progress,
	    void *ud, struct db_copy_report *rep) WARN_UNUSED;
void db_copy_report_free(struct db_copy_report *rep);

/* db_copy_empty sets *empty unless db holds a body (org) or an audit row: what its
 * migrations alone put there does not count. */
int db_copy_empty(struct db *db, bool *empty) WARN_UNUSED;

/* --- per-thread connections (see top of file) --- */

/* db_pool_init records the database path for db_thread; call once before threads start. */
int db_pool_init(const char *path, int flags) WARN_UNUSED;

/* db_thread returns the calling thread's connection, opening it on first use; NULL if it
 * cannot be opened (logged). */
struct db *db_thread(void);

/* db_pool_fini closes every connection db_thread opened; call after all threads stopped. */
void db_pool_fini(void);

/* --- migrations (migrate.c) --- */

/* db_migrate applies every embedded migrations/NNNN_*.sql newer than the database's schema,
 * each in its own transaction, and records it in schema_migrations. *version gets the
 * schema version now in force (may be NULL). */
int db_migrate(struct db *db, int *version) WARN_UNUSED;

/* db_drop_schema drops from a PostgreSQL database what the migrations made (their tables,
 * with their indexes, sequences and triggers, their functions, schema_migrations) and
 * nothing else of its schema, in one transaction: for copy --replace. ERR_UNSUPPORTED on
 * SQLite (a file is made anew instead). */
int db_drop_schema(struct db *db) WARN_UNUSED;

/* db_schema_version reads the highest applied migration (0 for a new database). */
int db_schema_version(struct db *db, int *version) WARN_UNUSED;

/* db_latest_version is the number of the newest embedded migration. */
int db_latest_version(void);

#endif
