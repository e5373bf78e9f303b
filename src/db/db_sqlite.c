/*
 * db_sqlite.c - the SQLite driver behind db.h.
 *
 * Each connection keeps a cache of prepared statements keyed by the address of their SQL
 * text (always a literal), so each statement is compiled once per connection. The cache is
 * an open-addressing hash table that doubles when it is half full, so it is as large as
 * the program's set of statements and no larger; each statement is allocated on its own,
 * so the pointers callers borrow stay valid when the table grows.
 */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "db_internal.h"

#define DB_CACHE_MIN 64 /* slots of a new connection's table (a power of two) */

struct db_stmt {
	const char *sql;
	sqlite3_stmt *st;
	struct db *db;
};

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

struct db {
	sqlite3 *h;
	bool holds_write_lock;
	struct db_stmt **cache; /* cap slots, NULL when empty */
	size_t cap, ncache;
	struct db *next_in_pool;
};

int db_open(const char *path, int flags, struct db **out)
{
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct db *db;
	int rc;

	db = calloc(1, sizeof(*db));
	if (!db)
		return ERR_NOMEM;
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
		db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"))
		goto fail;
	if (db_exec_script(db, (flags & DB_OPEN_SYNC_FULL) ? "PRAGMA synchronous=FULL;"
							   : "PRAGMA synchronous=NORMAL;"))
		goto fail;
	*out = db;
	return ERR_OK;
fail:
	sqlite3_close(db->h);
	free(db);
	return ERR_DB;
}

void db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	if (db->holds_write_lock)
		db_rollback(db);
	for (i = 0; i < db->cap; i++) {
		if (db->cache[i]) {
			sqlite3_finalize(db->cache[i]->st);
			free(db->cache[i]);
		}
	}
	free(db->cache);
	sqlite3_close(db->h);
	free(db);
}

int db_exec_script(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("db: %s", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return ERR_DB;
	}
	return ERR_OK;
}

static size_t slot_of(const char *sql, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

/* cache_grow doubles the table (or makes the first one) and places every statement again. */
static int cache_grow(struct db *db)
{
	size_t cap = db->cap ? db->cap * 2 : DB_CACHE_MIN, i, j;
	struct db_stmt **t = calloc(cap, sizeof(*t));

	if (!t)
		return ERR_NOMEM;
	for (i = 0; i < db->cap; i++) {
		if (!db->cache[i])
			continue;
		for (j = slot_of(db->cache[i]->sql, cap); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = db->cache[i];
	}
	free(db->cache);
	db->cache = t;
	db->cap = cap;
	return ERR_OK;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *s;
	size_t i;

	if (db->cap) {
		for (i = slot_of(sql, db->cap); db->cache[i]; i = (i + 1) & (db->cap - 1)) {
			if (db->cache[i]->sql == sql) {
				s = db->cache[i];
				sqlite3_reset(s->st);
				sqlite3_clear_bindings(s->st);
				*out = s;
				return ERR_OK;
			}
		}
	}
	if ((db->ncache + 1) * 2 > db->cap && cache_grow(db))
		return ERR_NOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
	    SQLITE_OK) {
		log_error("db: prepare failed: %s: %s", sqlite3_errmsg(db->h), sql);
		free(s);
		return ERR_DB;
	}
	s->sql = sql;
	s->db = db;
	for (i = slot_of(sql, db->cap); db->cache[i]; i = (i + 1) & (db->cap - 1))
		;
	db->cache[i] = s;
	db->ncache++;
	*out = s;
	return ERR_OK;
}

static int bind_rc(struct db_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		return ERR_OK;
	log_error("db: bind failed: %s", sqlite3_errmsg(st->db->h));
	return rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_DB;
}

int db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(st->st, i, v));
}

int db_bind_text(struct db_stmt *st, int i, const char *p, size_t n)
{
	return bind_rc(
	    st, sqlite3_bind_text64(st->st, i, p ? p : "", n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

int db_bind_str(struct db_stmt *st, int i, const char *s)
{
	if (!s)
		return db_bind_null(st, i);
	return db_bind_text(st, i, s, strlen(s));
}

int db_bind_null(struct db_stmt *st, int i)
{
	return bind_rc(st, sqlite3_bind_null(st->st, i));
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
	return bind_rc(st, sqlite3_bind_double(st->st, i, v));
}

int db_step(struct db_stmt *st)
{
	int rc = sqlite3_step(st->st);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return ERR_CONFLICT;
	log_error("db: step failed (%d): %s", rc, sqlite3_errmsg(st->db->h));
	return ERR_DB;
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

double db_col_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(st->st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st->st, i);

	return t ? (const char *)t : "";
}

size_t db_col_len(struct db_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(st->st, i);
}

char *db_col_dup(struct db_stmt *st, int i)
{
	return strdup(db_col_text(st, i));
}

bool db_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

void db_done(struct db_stmt *st)
{
	if (st)
		sqlite3_reset(st->st);
}

int db_run(struct db_stmt *st)
{
	int rc;

	do
		rc = db_step(st);
	while (rc == DB_ROW);
	db_done(st);
	return rc;
}

static void write_unlock(struct db *db)
{
	if (db->holds_write_lock) {
		db->holds_write_lock = false;
		write_lock_held = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

int db_begin_write(struct db *db)
{
	bool took = false;
	int rc;

	if (!write_lock_held && !db->holds_write_lock) {
		pthread_mutex_lock(&write_lock);
		write_lock_held = 1;
		db->holds_write_lock = took = true;
	}
	rc = db_exec_script(db, "BEGIN IMMEDIATE");
	if (rc && took) /* (a BEGIN inside an open transaction keeps that one's lock) */
		write_unlock(db);
	return rc;
}

int db_begin_read(struct db *db)
{
	return db_exec_script(db, "BEGIN");
}

int db_commit(struct db *db)
{
	int rc = db_exec_script(db, "COMMIT");

	if (sqlite3_get_autocommit(db->h))
		write_unlock(db);
	return rc;
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	write_unlock(db);
}

int64_t db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

const char *db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

int db_backup(struct db *db, const char *path)
{
	return db_backup_progress(db, path, NULL, NULL);
}

int db_backup_progress(struct db *db, const char *path, progress_fn progress, void *ud)
{
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

/* --- per-thread connections --- */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static char *pool_path;
static int pool_flags;
static struct db *pool_all;
static _Thread_local struct db *thread_db;

int db_pool_init(const char *path, int flags)
{
	pool_path = strdup(path);
	pool_flags = flags & ~DB_OPEN_CREATE;
	return pool_path ? ERR_OK : ERR_NOMEM;
}

struct db *db_thread(void)
{
	struct db *db;

	if (thread_db)
		return thread_db;
	if (!pool_path || db_open(pool_path, pool_flags, &db))
		return NULL;
	pthread_mutex_lock(&pool_lock);
	db->next_in_pool = pool_all;
	pool_all = db;
	pthread_mutex_unlock(&pool_lock);
	thread_db = db;
	return db;
}

void db_pool_fini(void)
{
	struct db *db, *next;

	pthread_mutex_lock(&pool_lock);
	for (db = pool_all; db; db = next) {
		next = db->next_in_pool;
		db_close(db);
	}
	pool_all = NULL;
	pthread_mutex_unlock(&pool_lock);
	thread_db = NULL;
	free(pool_path);
	pool_path = NULL;
}
