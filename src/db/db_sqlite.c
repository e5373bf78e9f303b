/*
 * db_sqlite.c - the SQLite driver behind db.h (reached through db.c's dispatch table; the
 * statement cache and the per-thread pool are db.c's).
 */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "db_internal.h"

struct lite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

#define LST(s) ((struct lite_stmt *)(s))
#define LDB(d) ((struct lite_db *)(d))

/*
 * Writers in this process take write_lock before BEGIN IMMEDIATE. SQLite lets one
 * writer in at a time anyway; without the mutex the others poll in its busy handler,
 * sleeping 1 ms, 2 ms, 5 ms... while the writer needs some 50 us. The mutex hands the
 * lock over at once. A thread that already holds it (a second connection on the same
 * thread) goes by SQLite's busy handler alone rather than deadlock on itself. Other
 * processes (the CLI while serving) still meet the busy timeout.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_lock_held;

struct lite_db {
	struct db base;
	sqlite3 *h;
	bool holds_write_lock;
};

static const struct db_driver lite_driver;

int db_sqlite_open(const char *path, int flags, struct db **out)
{
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct lite_db *db;
	int rc;

	db = calloc(1, sizeof(*db));
	if (!db)
		return ERR_NOMEM;
	db->base.drv = &lite_driver;
	db->base.dialect = DB_SQLITE;
	if (flags & DB_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		log_error("db: cannot open %s: %s", path,
			  db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 10000);
	if (fts_cjk_register(db->h) != SQLITE_OK) {
		log_error("db: cannot register the cjk tokenizer: %s", sqlite3_errmsg(db->h));
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec_script(
		&db->base,
		"PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"))
		goto fail;
	if (db_exec_script(&db->base, (flags & DB_OPEN_SYNC_FULL) ? "PRAGMA synchronous=FULL;"
								  : "PRAGMA synchronous=NORMAL;"))
		goto fail;
	*out = &db->base;
	return ERR_OK;
fail:
	sqlite3_close(db->h);
	free(db);
	return ERR_DB;
}

static void lite_close(struct db *d)
{
	struct lite_db *db = LDB(d);

	sqlite3_close(db->h);
	free(db);
}

static int lite_exec_script(struct db *d, const char *sql)
{
	struct lite_db *db = LDB(d);
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("db: %s", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return ERR_DB;
	}
	return ERR_OK;
}

static int lite_stmt_new(struct db *d, const char *sql, struct db_stmt **out)
{
	struct lite_db *db = LDB(d);
	struct lite_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return ERR_NOMEM;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
	    SQLITE_OK) {
		log_error("db: prepare failed: %s: %s", sqlite3_errmsg(db->h), sql);
		free(s);
		return ERR_DB;
	}
	s->base.sql = sql;
	s->base.db = d;
	*out = &s->base;
	return ERR_OK;
}

static void lite_stmt_reset(struct db_stmt *st)
{
	sqlite3_reset(LST(st)->st);
	sqlite3_clear_bindings(LST(st)->st);
}

static void lite_stmt_free(struct db_stmt *st)
{
	sqlite3_finalize(LST(st)->st);
	free(st);
}

static int bind_rc(struct db_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		return ERR_OK;
	log_error("db: bind failed: %s", sqlite3_errmsg(LDB(st->db)->h));
	return rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_DB;
}

static int lite_bind_int(struct db_stmt *st, int i, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(LST(st)->st, i, v));
}

static int lite_bind_text(struct db_stmt *st, int i, const char *p, size_t n)
{
	return bind_rc(st,
		       sqlite3_bind_text64(LST(st)->st, i, p, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int lite_bind_null(struct db_stmt *st, int i)
{
	return bind_rc(st, sqlite3_bind_null(LST(st)->st, i));
}

static int lite_bind_double(struct db_stmt *st, int i, double v)
{
	return bind_rc(st, sqlite3_bind_double(LST(st)->st, i, v));
}

static int lite_step(struct db_stmt *st)
{
	int rc = sqlite3_step(LST(st)->st);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return ERR_CONFLICT;
	log_error("db: step failed (%d): %s", rc, sqlite3_errmsg(LDB(st->db)->h));
	return ERR_DB;
}

static int64_t lite_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(LST(st)->st, i);
}

static double lite_col_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(LST(st)->st, i);
}

static const char *lite_col_text(struct db_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(LST(st)->st, i);

	return t ? (const char *)t : "";
}

static size_t lite_col_len(struct db_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(LST(st)->st, i);
}

static bool lite_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(LST(st)->st, i) == SQLITE_NULL;
}

static void lite_done(struct db_stmt *st)
{
	sqlite3_reset(LST(st)->st);
}

static void write_unlock(struct lite_db *db)
{
	if (db->holds_write_lock) {
		db->holds_write_lock = false;
		write_lock_held = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

static int lite_begin_write(struct db *d)
{
	struct lite_db *db = LDB(d);
	bool took = false;
	int rc;

	if (!write_lock_held && !db->holds_write_lock) {
		pthread_mutex_lock(&write_lock);
		write_lock_held = 1;
		db->holds_write_lock = took = true;
	}
	rc = lite_exec_script(d, "BEGIN IMMEDIATE");
	if (rc && took) /* (a BEGIN inside an open transaction keeps that one's lock) */
		write_unlock(db);
	return rc;
}

static int lite_begin_read(struct db *d)
{
	return lite_exec_script(d, "BEGIN");
}

static int lite_commit(struct db *d)
{
	struct lite_db *db = LDB(d);
	int rc = lite_exec_script(d, "COMMIT");

	if (sqlite3_get_autocommit(db->h))
		write_unlock(db);
	return rc;
}

static void lite_rollback(struct db *d)
{
	struct lite_db *db = LDB(d);

	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	write_unlock(db);
}

static int64_t lite_last_id(struct db *d)
{
	return sqlite3_last_insert_rowid(LDB(d)->h);
}

static int lite_changes(struct db *d)
{
	return sqlite3_changes(LDB(d)->h);
}

static const char *lite_errmsg(struct db *d)
{
	return sqlite3_errmsg(LDB(d)->h);
}

static int lite_backup(struct db *d, const char *path, progress_fn progress, void *ud)
{
	struct lite_db *db = LDB(d);
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int rc;

	if (stat(path, &sb) == 0)
		return ERR_EXISTS;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		log_error("backup: cannot create %s", path);
		sqlite3_close(dst);
		return ERR_IO;
	}
	b = sqlite3_backup_init(dst, "main", db->h, "main");
	if (!b) {
		log_error("backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return ERR_DB;
	}
	/* Copy in steps so writers are not blocked for long; a write by another
	 * connection restarts the copy, which keeps it consistent. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
		if (progress && (rc == SQLITE_OK || rc == SQLITE_DONE)) {
			int total = sqlite3_backup_pagecount(b);
			int left = sqlite3_backup_remaining(b);

			progress(ud, (uint64_t)(total - left), (uint64_t)total);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		log_error("backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return ERR_DB;
	}
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(dst);
	return rc == SQLITE_OK ? ERR_OK : ERR_DB;
}

static const struct db_driver lite_driver = {
    .close = lite_close,
    .exec_script = lite_exec_script,
    .stmt_new = lite_stmt_new,
    .stmt_reset = lite_stmt_reset,
    .stmt_free = lite_stmt_free,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_null = lite_bind_null,
    .bind_double = lite_bind_double,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_double = lite_col_double,
    .col_text = lite_col_text,
    .col_len = lite_col_len,
    .col_null = lite_col_null,
    .done = lite_done,
    .begin_write = lite_begin_write,
    .begin_write_shared = lite_begin_write, /* SQLite has one writer at a time */
    .begin_read = lite_begin_read,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .last_id = lite_last_id,
    .changes = lite_changes,
    .errmsg = lite_errmsg,
    .backup = lite_backup,
};
