/*
 * migrate.c - numbered SQL migrations embedded in the binary (migrations/NNNN_name.sql).
 * Each runs in its own transaction and is recorded in schema_migrations, so a partly
 * applied migration never stays behind.
 *
 * On PostgreSQL the same numbered migrations run, each as the text db_pg_migration_sql
 * gives (a file of migrations/pg/ or the SQLite text translated); the foreign-key pragmas
 * are SQLite's alone (PostgreSQL checks every reference as it goes), and a session-level
 * advisory lock is held around the whole run so two processes starting at once on one
 * database do not both migrate.
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/embed.h"
#include "base/log.h"
#include "db_internal.h"

#define DB_PG_MIGRATE_KEY 0x5348454e4d494752ll /* "SHENMIGR" */

static const char sql_create[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				 " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
				 " applied_at INTEGER NOT NULL)";
static const char sql_max[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
/* Foreign keys are not enforced while a migration runs (a table rebuild drops the old table,
 * which would otherwise cascade into its children), and checked whole before it commits. */
static const char sql_fk_off[] = "PRAGMA foreign_keys = OFF";
static const char sql_fk_on[] = "PRAGMA foreign_keys = ON";
static const char sql_fk_check[] = "PRAGMA foreign_key_check";
/* fk_on turns enforcement back on after a migration, whatever its outcome. */
static void fk_on(struct db *db)
{
	if (db_exec_script(db, sql_fk_on))
		log_error("db: cannot turn foreign keys back on");
}

static const char sql_record[] = "INSERT INTO schema_migrations (version, name, applied_at)"
				 " VALUES (?, ?, ?)";

/* migration_number returns NNNN of "migrations/NNNN_x.sql", or -1 if f is not one. */
static int migration_number(const struct embed_file *f)
{
	const char *p;
	int v = 0, digits = 0;

	if (strncmp(f->name, "migrations/", 11) != 0)
		return -1;
	for (p = f->name + 11; *p >= '0' && *p <= '9'; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits != 4 || *p != '_')
		return -1;
	return v;
}

int db_latest_version(void)
{
	const struct embed_file *f;
	int v, max = 0;

	for (f = embed_files; f->name; f++) {
		v = migration_number(f);
		if (v > max)
			max = v;
	}
	return max;
}

int db_schema_version(struct db *db, int *version)
{
	int64_t v;
	int rc;

	rc = db_exec_script(db, sql_create);
	if (rc)
		return rc;
	rc = db_get_int(db, sql_max, &v, NULL);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_DB : rc; /* MAX() always has a row */
	*version = (int)v;
	return ERR_OK;
}

/* current_version reads the schema version into *cur; ERR_CONFLICT when it is newer than
 * this binary's migrations. */
static int current_version(struct db *db, int *cur)
{
	int rc = db_schema_version(db, cur);

	if (rc)
		return rc;
	if (*cur > db_latest_version()) {
		log_error("db: schema %d is newer than this binary (%d)", *cur,
			  db_latest_version());
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

int db_drop_schema(struct db *db)
{
	const struct embed_file *f;
	struct buf b;
	char *sql = NULL, *text;
	int rc;

	if (db_dialect(db) != DB_POSTGRES)
		return ERR_UNSUPPORTED;
	buf_init(&b, (size_t)1 << 20);
	rc = buf_puts(&b, "DROP TABLE IF EXISTS schema_migrations CASCADE;\n");
	for (f = embed_files; !rc && f->name; f++) {
		if (migration_number(f) < 0)
			continue;
		rc = db_pg_migration_sql(f->name + 11, f->data, &sql);
		if (!rc)
			rc = db_pg_drop_text(sql, &b);
		free(sql);
		sql = NULL;
	}
	text = rc ? NULL : buf_detach(&b);
	buf_fini(&b);
	if (!rc && !text)
		rc = ERR_NOMEM;
	if (!rc)
		rc = db_begin_write(db);
	if (!rc) {
		rc = db_exec_script(db, text);
		rc = rc ? rc : db_commit(db);
		if (rc)
			db_rollback(db);
	}
	free(text);
	return rc;
}

/* find_migration returns the embedded migration numbered n (logged when missing). */
static const struct embed_file *find_migration(int n)
{
	const struct embed_file *f;

	for (f = embed_files; f->name; f++)
		if (migration_number(f) == n)
			return f;
	log_error("db: migration %04d is missing", n);
	return NULL;
}

/* migrate_pg is db_migrate on PostgreSQL, called with the migration lock held. */
static int migrate_pg(struct db *db, int *version)
{
	const struct embed_file *f;
	struct db_stmt *st;
	char *sql = NULL;
	int cur, next, rc;

	rc = current_version(db, &cur);
	if (rc)
		return rc;
	for (next = cur + 1; next <= db_latest_version(); next++) {
		f = find_migration(next);
		if (!f)
			return ERR_NOT_FOUND;
		rc = db_pg_migration_sql(f->name + 11, f->data, &sql);
		if (rc)
			return rc;
		rc = db_begin_write(db);
		if (rc)
			goto out;
		rc = db_exec_script(db, sql);
		if (!rc)
			rc = db_prepare(db, sql_record, &st);
		if (!rc) {
			rc = db_bind_int(st, 1, next);
			if (!rc)
				rc = db_bind_str(st, 2, f->name + 11);
			if (!rc)
				rc = db_bind_int(st, 3, (int64_t)time(NULL));
			if (!rc)
				rc = db_run(st);
		}
		if (!rc)
			rc = db_commit(db);
		if (rc) {
			db_rollback(db);
			log_error("db: migration %s failed on PostgreSQL", f->name);
			goto out;
		}
		free(sql);
		sql = NULL;
		log_info("db: applied %s", f->name);
		cur = next;
	}
	if (version)
		*version = cur;
out:
	free(sql);
	return rc;
}

int db_migrate(struct db *db, int *version)
{
	const struct embed_file *f;
	struct db_stmt *st;
	int cur, next, rc;

	if (db_dialect(db) == DB_POSTGRES) {
		rc = db_pg_lock(db, DB_PG_MIGRATE_KEY);
		if (rc)
			return rc;
		rc = migrate_pg(db, version);
		db_pg_unlock(db, DB_PG_MIGRATE_KEY);
		return rc;
	}
	rc = current_version(db, &cur);
	if (rc)
		return rc;
	for (next = cur + 1; next <= db_latest_version(); next++) {
		f = find_migration(next);
		if (!f)
			return ERR_NOT_FOUND;
		/* the pragma is a no-op inside a transaction: set it before BEGIN */
		rc = db_exec_script(db, sql_fk_off);
		if (!rc)
			rc = db_begin_write(db);
		if (rc) {
			fk_on(db);
			return rc;
		}
		rc = db_exec_script(db, f->data);
		if (rc)
			goto fail;
		rc = db_get_row(db, sql_fk_check, &st, NULL);
		if (rc == ERR_OK) {
			log_error("db: migration %s leaves a reference to table %s dangling",
				  f->name, db_col_text(st, 0));
			db_done(st);
			rc = ERR_DB;
			goto fail;
		}
		if (rc != ERR_NOT_FOUND)
			goto fail;
		rc = db_prepare(db, sql_record, &st);
		if (rc)
			goto fail;
		rc = db_bind_int(st, 1, next);
		if (!rc)
			rc = db_bind_str(st, 2, f->name + 11);
		if (!rc) /* the time from C: strftime('%s') is SQLite's own */
			rc = db_bind_int(st, 3, (int64_t)time(NULL));
		if (!rc)
			rc = db_run(st);
		if (rc)
			goto fail;
		rc = db_commit(db);
		if (rc)
			goto fail;
		rc = db_exec_script(db, sql_fk_on);
		if (rc)
			return rc;
		log_info("db: applied %s", f->name);
		cur = next;
	}
	if (version)
		*version = cur;
	return ERR_OK;
fail:
	db_rollback(db);
	fk_on(db);
	log_error("db: migration %s failed", f->name);
	return rc;
}
