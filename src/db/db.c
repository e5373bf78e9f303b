/*
 * db.c - the dispatcher behind db.h: db_open picks the driver (a postgresql:// URI goes to
 * db_pg.c, anything else is an SQLite file for db_sqlite.c), and every other call goes
 * through the connection's driver table (db_internal.h).
 *
 * The statement cache lives here, once for both drivers: each connection keeps its
 * prepared statements keyed by the address of their SQL text (always a literal), so each
 * is compiled once per connection. The cache is an open-addressing hash table that doubles
 * when it is half full; each statement is allocated on its own, so the pointers callers
 * borrow stay valid when the table grows.
 */
#include "db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "db_internal.h"

#define DB_CACHE_MIN 64 /* slots of a new connection's table (a power of two) */

bool db_is_uri(const char *path)
{
	return path &&
	       (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

enum db_dialect db_dialect(const struct db *db)
{
	return db->dialect;
}

const char *db_safe_name(const char *path, char *buf, size_t cap)
{
	const char *auth, *at, *colon, *slash;
	int n;

	if (!cap)
		return buf;
	if (!db_is_uri(path)) {
		snprintf(buf, cap, "%s", path ? path : "");
		return buf;
	}
	auth = strstr(path, "://") + 3;
	slash = strchr(auth, '/');
	at = strchr(auth, '@');
	if (at && slash && at > slash)
		at = NULL; /* an '@' in the path or query, not a user */
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon)
		n = snprintf(buf, cap, "%s", path);
	else
		n = snprintf(buf, cap, "%.*s:***%s", (int)(colon - path), path, at);
	(void)n;
	/* a password given as a parameter (?password=...) is masked whole: drop the query */
	if (strstr(buf, "password=")) {
		char *q = strchr(buf, '?');

		if (q)
			snprintf(q, cap - (size_t)(q - buf), "?***");
	}
	return buf;
}

int db_open(const char *path, int flags, struct db **out)
{
	*out = NULL;
	if (db_is_uri(path))
		return db_pg_open(path, flags, out);
	return db_sqlite_open(path, flags, out);
}

void db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	db_rollback(db);
	for (i = 0; i < db->cap; i++)
		if (db->cache[i])
			db->drv->stmt_free(db->cache[i]);
	free(db->cache);
	db->cache = NULL;
	db->drv->close(db);
}

int db_exec_script(struct db *db, const char *sql)
{
	return db->drv->exec_script(db, sql);
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
	int rc;

	if (db->cap) {
		for (i = slot_of(sql, db->cap); db->cache[i]; i = (i + 1) & (db->cap - 1)) {
			if (db->cache[i]->sql == sql) {
				s = db->cache[i];
				db->drv->stmt_reset(s);
				*out = s;
				return ERR_OK;
			}
		}
	}
	if ((db->ncache + 1) * 2 > db->cap && cache_grow(db))
		return ERR_NOMEM;
	rc = db->drv->stmt_new(db, sql, &s);
	if (rc)
		return rc;
	for (i = slot_of(sql, db->cap); db->cache[i]; i = (i + 1) & (db->cap - 1))
		;
	db->cache[i] = s;
	db->ncache++;
	*out = s;
	return ERR_OK;
}

int db_prepare_uncached(struct db *db, const char *sql, struct db_stmt **out)
{
	return db->drv->stmt_new(db, sql, out);
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->drv->stmt_free(st);
}

int db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	return st->db->drv->bind_int(st, i, v);
}

int db_bind_text(struct db_stmt *st, int i, const char *p, size_t n)
{
	return st->db->drv->bind_text(st, i, p ? p : "", p ? n : 0);
}

int db_bind_str(struct db_stmt *st, int i, const char *s)
{
	if (!s)
		return db_bind_null(st, i);
	return db_bind_text(st, i, s, strlen(s));
}

int db_bind_null(struct db_stmt *st, int i)
{
	return st->db->drv->bind_null(st, i);
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
	return st->db->drv->bind_double(st, i, v);
}

int db_step(struct db_stmt *st)
{
	return st->db->drv->step(st);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
	return st->db->drv->col_int(st, i);
}

double db_col_double(struct db_stmt *st, int i)
{
	return st->db->drv->col_double(st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
	return st->db->drv->col_text(st, i);
}

size_t db_col_len(struct db_stmt *st, int i)
{
	return st->db->drv->col_len(st, i);
}

char *db_col_dup(struct db_stmt *st, int i)
{
	return strdup(db_col_text(st, i));
}

bool db_col_null(struct db_stmt *st, int i)
{
	return st->db->drv->col_null(st, i);
}

void db_done(struct db_stmt *st)
{
	if (st)
		st->db->drv->done(st);
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

int db_begin_write(struct db *db)
{
	return db->drv->begin_write(db);
}

int db_begin_write_shared(struct db *db)
{
	return db->drv->begin_write_shared(db);
}

int db_begin_read(struct db *db)
{
	return db->drv->begin_read(db);
}

int db_commit(struct db *db)
{
	return db->drv->commit(db);
}

void db_rollback(struct db *db)
{
	db->drv->rollback(db);
}

int64_t db_last_id(struct db *db)
{
	return db->drv->last_id(db);
}

int db_changes(struct db *db)
{
	return db->drv->changes(db);
}

const char *db_errmsg(struct db *db)
{
	return db->drv->errmsg(db);
}

int db_backup(struct db *db, const char *path)
{
	return db_backup_progress(db, path, NULL, NULL);
}

int db_backup_progress(struct db *db, const char *path, progress_fn progress, void *ud)
{
	return db->drv->backup(db, path, progress, ud);
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
