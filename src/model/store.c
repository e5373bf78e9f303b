/*
 * store.c - opening, migrating, copying and transacting on the database for the commands
 * and the server (see store.h): the only door from the layers above the model to src/db.
 */
#include "model/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "db/db.h"
#include "model/model.h"
#include "model/output.h"
#include "model/session.h"

/* remove_files unlinks path and the WAL and shared-memory files SQLite keeps beside it. */
static void remove_files(const char *path)
{
	static const char *const suffix[] = {"-wal", "-shm"};
	char side[4096];
	size_t i;
	int n;

	unlink(path);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		n = snprintf(side, sizeof(side), "%s%s", path, suffix[i]);
		if (n > 0 && (size_t)n < sizeof(side))
			unlink(side);
	}
}

/* open_finish brings an opened database up to date: the migrations, the hashes of rows from
 * before the audit chain (once), and the statistics summary of a new schema or of what a
 * bulk writer left (if it cannot be made now, for a database opened only to be read, the
 * next writer or reader makes it). */
static int open_finish(struct db *db, int *v, enum store_stage *stage)
{
	int rc;

	if (stage)
		*stage = STORE_STAGE_MIGRATE;
	rc = db_migrate(db, v);
	if (!rc)
		rc = audit_seal(db, NULL);
	if (!rc && stats_refresh_now(db))
		log_warn("store: the statistics summary was not refreshed");
	return rc;
}

/* open_uri is store_open for a PostgreSQL URI: no files to look at. With STORE_CREATE the
 * database is created on its server when missing, and refused (ERR_EXISTS) when it already
 * holds a schema; failing after that leaves the (empty) database behind. */
static int open_uri(const char *path, int flags, struct db **out, int *version,
		    enum store_stage *stage)
{
	bool create = (flags & STORE_CREATE) != 0;
	struct db *db;
	int rc, v = 0;

	rc = db_open(path, create ? DB_OPEN_CREATE : 0, &db);
	if (rc)
		return rc;
	if (create) {
		rc = db_schema_version(db, &v);
		if (!rc && v > 0)
			rc = ERR_EXISTS;
		if (rc) {
			db_close(db);
			return rc;
		}
	}
	rc = open_finish(db, &v, stage);
	if (rc) {
		db_close(db);
		return rc;
	}
	if (stage)
		*stage = STORE_STAGE_NONE;
	if (version)
		*version = v;
	*out = db;
	return ERR_OK;
}

int store_open(const char *path, int flags, struct db **out, int *version, enum store_stage *stage)
{
	bool create = (flags & STORE_CREATE) != 0;
	struct stat sb;
	struct db *db;
	int rc, v = 0;

	*out = NULL;
	if (stage)
		*stage = STORE_STAGE_OPEN;
	if (db_is_uri(path))
		return open_uri(path, flags, out, version, stage);
	if (stat(path, &sb) == 0) {
		if (create)
			return ERR_EXISTS;
	} else if (!create) {
		return ERR_NOT_FOUND;
	}
	rc = db_open(
	    path, (create ? DB_OPEN_CREATE : 0) | (flags & STORE_SYNC_FULL ? DB_OPEN_SYNC_FULL : 0),
	    &db);
	if (rc) {
		if (create)
			remove_files(path);
		return rc;
	}
	rc = open_finish(db, &v, stage);
	if (rc) {
		db_close(db);
		if (create)
			remove_files(path);
		return rc;
	}
	if (stage)
		*stage = STORE_STAGE_NONE;
	if (version)
		*version = v;
	*out = db;
	return ERR_OK;
}

int store_open_existing(const char *path, struct db **out)
{
	struct stat sb;

	*out = NULL;
	if (db_is_uri(path))
		return db_open(path, 0, out);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return ERR_NOT_FOUND;
	return db_open(path, 0, out);
}

bool store_exists(const char *path)
{
	struct stat sb;
	struct db *db;
	int v = 0;

	if (!db_is_uri(path))
		return stat(path, &sb) == 0;
	if (db_open(path, DB_OPEN_QUIET, &db))
		return false;
	if (db_schema_version(db, &v))
		v = 0;
	db_close(db);
	return v > 0;
}

bool store_is_uri(const char *path)
{
	return db_is_uri(path);
}

const char *store_safe_name(const char *path, char *buf, size_t cap)
{
	return db_safe_name(path, buf, cap);
}

void store_close(struct db *db)
{
	db_close(db);
}

void store_discard(struct db *db, const char *path)
{
	db_close(db);
	if (!db_is_uri(path)) /* a PostgreSQL database stays, as CREATE DATABASE made it */
		remove_files(path);
}

int store_begin(struct db *db)
{
	return db_begin_write(db);
}

int store_begin_read(struct db *db)
{
	return db_begin_read(db);
}

int store_commit(struct db *db)
{
	/* the statistics summary changes in the same transaction as what it counts */
	int rc = stats_refresh(db);

	return rc ? rc : db_commit(db);
}

void store_rollback(struct db *db)
{
	db_rollback(db);
}

int store_tx(struct db *db, int (*fn)(struct db *db, void *ud), void *ud)
{
	int rc = db_begin_write(db);

	if (rc)
		return rc;
	rc = fn(db, ud);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

int store_backup(struct db *db, const char *path)
{
	return db_backup(db, path);
}

int store_backup_progress(struct db *db, const char *path, progress_fn progress, void *ud)
{
	return db_backup_progress(db, path, progress, ud);
}

int store_pool_init(const char *path, int flags)
{
	return db_pool_init(path, flags & STORE_SYNC_FULL ? DB_OPEN_SYNC_FULL : 0);
}

void store_pool_fini(void)
{
	db_pool_fini();
}

struct db *store_thread(void)
{
	return db_thread();
}

/* search_copy fills the search index of to from from's, through search_put (so each side
 * stores it its own way: FTS5 on SQLite, tokens in C on PostgreSQL): db_copy's hook. */
static const char sql_search_rows[] =
    "SELECT kind, ref, session, org, title, body FROM search_index ORDER BY rowid";

struct search_copy_ctx {
	struct db *to;
};

static int search_copy_row(struct db_stmt *st, void *ud)
{
	struct search_copy_ctx *c = ud;

	return search_put(c->to, db_col_text(st, 0), db_col_int(st, 1), db_col_int(st, 2),
			  db_col_int(st, 3), db_col_text(st, 4), db_col_text(st, 5));
}

static int search_copy(struct db *from, struct db *to, void *ud)
{
	struct search_copy_ctx c = {to};

	(void)ud;
	return db_each(from, sql_search_rows, search_copy_row, &c, NULL);
}

/* open_copy_target opens (creating when missing) the database a copy goes to: ERR_EXISTS
 * when it holds data and replace is false; with replace, a file is made anew and a
 * PostgreSQL database has its schema dropped and migrated again. */
static int open_copy_target(const char *path, bool replace, struct db **out)
{
	bool empty = true;
	struct db *db;
	int rc;

	*out = NULL;
	if (!store_exists(path))
		return store_open(path, STORE_CREATE, out, NULL, NULL);
	rc = store_open(path, 0, &db, NULL, NULL);
	if (rc)
		return rc;
	rc = db_copy_empty(db, &empty);
	if (rc || empty) {
		if (rc)
			db_close(db);
		else
			*out = db;
		return rc;
	}
	if (!replace) {
		db_close(db);
		return ERR_EXISTS;
	}
	if (!db_is_uri(path)) {
		store_discard(db, path);
		return store_open(path, STORE_CREATE, out, NULL, NULL);
	}
	/* only what the migrations made: other tables of the database stay */
	rc = db_drop_schema(db);
	if (!rc)
		rc = db_migrate(db, NULL);
	if (rc) {
		db_close(db);
		return rc;
	}
	*out = db;
	return ERR_OK;
}

/* copy_fill fills the derived tables of a copy: the search index, then the statistics
 * summary (stats_copy_summary). */
static int copy_fill(struct db *from, struct db *to, void *ud)
{
	int rc = search_copy(from, to, ud);

	return rc ? rc : stats_copy_summary(from, to);
}

int store_copy(const char *from, const char *to, bool replace, progress_fn progress,
	       store_copy_table_fn table, void *ud, enum store_copy_stage *stage)
{
	struct db *src = NULL, *dst = NULL;
	/* session_list_count: the triggers that keep it fill it as the sessions arrive; the
	 * statistics summary is the source's as it is (copy_fill), not what the triggers note
	 * while the rows arrive */
	static const char *const derived[] = {"search_index", "session_list_count", "stats_cell",
					      "stats_dirty", NULL};
	const struct db_copy_hook hook = {derived, copy_fill, NULL};
	struct db_copy_report rep = {NULL, 0};
	size_t i;
	int rc, v1 = 0, v2 = 0;

	*stage = STORE_COPY_FROM;
	if (strcmp(from, to) == 0)
		return ERR_INVALID;
	rc = store_open(from, 0, &src, &v1, NULL);
	if (rc)
		return rc;
	*stage = STORE_COPY_TO;
	rc = open_copy_target(to, replace, &dst);
	if (rc)
		goto out;
	rc = db_schema_version(dst, &v2);
	if (!rc && v1 != v2)
		rc = ERR_CONFLICT; /* (both were migrated to this binary's latest) */
	*stage = STORE_COPY_ROWS;
	if (!rc)
		rc = db_copy(src, dst, &hook, progress, ud, &rep);
	for (i = 0; !rc && table && i < rep.n; i++)
		table(ud, rep.t[i].name, rep.t[i].rows_from, rep.t[i].rows_to);
	db_copy_report_free(&rep);
out:
	db_close(src);
	db_close(dst);
	return rc;
}
