/*
 * store.h - the database as the commands see it: open one for a command (a new file or an
 * existing one, migrated to the latest schema), the per-thread connections of the server,
 * a consistent copy, and the transaction around a command's unit of work.
 *
 * It exists so the layers above the model (src/cli, src/web) never speak to src/db: they
 * hold a struct db only as an opaque handle to pass to model functions.
 *
 * Threads: store_open's connection belongs to the thread that uses it; store_pool_init and
 * store_pool_fini are called once, before the worker threads start and after they stop.
 */
#ifndef SHENLIAO_MODEL_STORE_H
#define SHENLIAO_MODEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"

struct db;

enum store_open_flags {
	STORE_CREATE = 1,   /* make a new database: ERR_EXISTS when path exists */
	STORE_SYNC_FULL = 2 /* synchronous=FULL instead of NORMAL (store_pool_init) */
};

/* Why store_open failed, for the command's message. */
enum store_stage {
	STORE_STAGE_NONE = 0,
	STORE_STAGE_OPEN,   /* the file could not be opened or created */
	STORE_STAGE_MIGRATE /* the schema could not be created or migrated */
};

/* store_open opens path for a command and migrates it to the latest schema. Without
 * STORE_CREATE the file must exist (ERR_NOT_FOUND); with it the file must not (ERR_EXISTS),
 * and a file that cannot be given its schema is removed again. *out is the caller's, closed
 * with store_close. *version (may be NULL) gets the schema version in force; *stage (may be
 * NULL) says which step failed. */
int store_open(const char *path, int flags, struct db **out, int *version,
	       enum store_stage *stage) WARN_UNUSED;

/* store_open_existing opens the existing file path as it is, neither migrated nor sealed,
 * for a command that inspects a database and must not change it (`audit verify`): whether
 * it is a shenliao database at all is for that command to find out. ERR_NOT_FOUND when there
 * is no such file; *out is the caller's, closed with store_close. */
int store_open_existing(const char *path, struct db **out) WARN_UNUSED;

/* store_exists tells whether path holds a database: the file exists, or (a PostgreSQL URI)
 * the database can be opened and has a schema. */
bool store_exists(const char *path);

/* store_is_uri tells a postgresql:// URI from a file path. */
bool store_is_uri(const char *path);

/* store_safe_name copies path to buf (cap bytes) with a URI's password masked, for
 * messages; returns buf. */
const char *store_safe_name(const char *path, char *buf, size_t cap);

/* store_copy copies every row of the database from to the database to (either a file or a
 * URI; `shenliao copy`), ids kept, in one transaction on to, and compares the row counts
 * of every table (db_copy in src/db/copy.c). to is created when missing; ERR_EXISTS when
 * it holds data and replace is false (with replace it is emptied first). Both are migrated
 * to the latest schema. After the commit, table(ud, name, rows in from, rows in to) is
 * called for each table copied, parents first. *stage says which side failed.
 * ERR_INVALID when from and to are the same. */
enum store_copy_stage { STORE_COPY_FROM, STORE_COPY_TO, STORE_COPY_ROWS };
typedef void (*store_copy_table_fn)(void *ud, const char *name, int64_t from, int64_t to);
int store_copy(const char *from, const char *to, bool replace, progress_fn progress,
	       store_copy_table_fn table, void *ud, enum store_copy_stage *stage) WARN_UNUSED;

/* store_close closes a connection from store_open; accepts NULL. */
void store_close(struct db *db);

/* store_discard closes db and removes its file path (and the WAL files beside it): for a
 * command that created a database and failed before it was complete. */
void store_discard(struct db *db, const char *path);

/* A command's unit of work. store_begin takes the write lock at once; store_commit makes
 * the work durable; store_rollback undoes it (safe when no transaction is open). */
int store_begin(struct db *db) WARN_UNUSED;
/* store_begin_read opens a read transaction (one snapshot, no write lock); end it with
 * store_rollback. */
int store_begin_read(struct db *db) WARN_UNUSED;
int store_commit(struct db *db) WARN_UNUSED;
void store_rollback(struct db *db);

/* store_tx runs fn(db, ud) in one write transaction: committed when fn returns ERR_OK,
 * rolled back otherwise. Returns fn's result, or the failure to begin or commit. */
int store_tx(struct db *db, int (*fn)(struct db *db, void *ud), void *ud) WARN_UNUSED;

/* store_backup copies the database of db to path consistently, even while others write.
 * ERR_EXISTS when path exists. */
int store_backup(struct db *db, const char *path) WARN_UNUSED;
/* store_backup_progress is store_backup telling progress (may be NULL; base/progress.h) of
 * the pages copied so far and the pages in all. */
int store_backup_progress(struct db *db, const char *path, progress_fn progress,
			  void *ud) WARN_UNUSED;

/* store_pool_init records the file whose connection each server thread opens on first use
 * (flags: STORE_SYNC_FULL); store_pool_fini closes them all after the threads stopped. */
int store_pool_init(const char *path, int flags) WARN_UNUSED;
void store_pool_fini(void);

/* store_thread returns the calling server thread's connection (opened on first use, kept
 * until store_pool_fini); NULL when it cannot be opened (logged). */
struct db *store_thread(void);

#endif
