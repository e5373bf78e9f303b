/*
 * query.c - the typed helpers of db.h: one call prepares a cached statement, binds its
 * parameters from a type string and steps it. Written on db.h alone, so every driver has
 * them.
 */
#include "db.h"

#include <stdarg.h>

#include "base/log.h"
#include "base/util.h"

/* bind_all binds the parameters named by types from ap to st. */
static int bind_all(struct db_stmt *st, const char *types, va_list ap)
{
	int i, rc = ERR_OK;

	for (i = 0; types && types[i] && !rc; i++) {
		switch (types[i]) {
		case 'i':
			rc = db_bind_int(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'n':
			rc = db_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'd':
			rc = db_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 'z': {
			int64_t v = va_arg(ap, int64_t);

			rc = v ? db_bind_int(st, i + 1, v) : db_bind_null(st, i + 1);
			break;
		}
		case 's':
			rc = db_bind_str(st, i + 1, va_arg(ap, const char *));
			break;
		case '0':
			rc = db_bind_null(st, i + 1);
			break;
		default:
			log_error("db: bad parameter type '%c' in \"%s\"", types[i], types);
			rc = ERR_INVALID;
		}
	}
	return rc;
}

/* start prepares sql and binds its parameters; *st is released on failure. */
static int start(struct db *db, const char *sql, struct db_stmt **st, const char *types, va_list ap)
{
	int rc = db_prepare(db, sql, st);

	if (rc)
		return rc;
	rc = bind_all(*st, types, ap);
	if (rc) {
		db_done(*st);
		*st = NULL;
	}
	return rc;
}

int db_exec(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = start(db, sql, &st, types, ap);
	va_end(ap);
	return rc ? rc : db_run(st);
}

/* first_row prepares and binds sql and steps it once: ERR_OK with *st on the row (the
 * caller ends it with db_done), ERR_NOT_FOUND with nothing left to release. */
static int first_row(struct db *db, const char *sql, struct db_stmt **st, const char *types,
		     va_list ap)
{
	int rc = start(db, sql, st, types, ap);

	if (rc)
		return rc;
	rc = db_step(*st);
	if (rc == DB_ROW)
		return ERR_OK;
	db_done(*st);
	*st = NULL;
	return rc == DB_DONE ? ERR_NOT_FOUND : rc;
}

int db_get_row(struct db *db, const char *sql, struct db_stmt **st, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = first_row(db, sql, st, types, ap);
	va_end(ap);
	return rc;
}

int db_get_int(struct db *db, const char *sql, int64_t *out, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = first_row(db, sql, &st, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	*out = db_col_int(st, 0);
	db_done(st);
	return ERR_OK;
}

int db_each(struct db *db, const char *sql, db_row_fn fn, void *ud, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = start(db, sql, &st, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		rc = fn(st, ud);
		if (rc)
			break;
	}
	db_done(st);
	return rc == DB_DONE ? ERR_OK : rc;
}

int db_each_planned(struct db *db, const char *sql, db_row_fn fn, void *ud, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc = db_prepare_uncached(db, sql, &st);

	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_all(st, types, ap);
	va_end(ap);
	while (!rc && (rc = db_step(st)) == DB_ROW)
		rc = fn(st, ud);
	db_finalize(st);
	return rc == DB_DONE ? ERR_OK : rc;
}

int db_ids_row(struct db_stmt *st, void *ud)
{
	struct db_ids *acc = ud;
	int64_t *x = array_grow(&acc->ids, &acc->n, sizeof(*x));

	if (!x)
		return ERR_NOMEM;
	*x = db_col_int(st, 0);
	return ERR_OK;
}

char *db_col_dup_rc(struct db_stmt *st, int i, int *rc)
{
	char *p = db_col_dup(st, i);

	if (!p)
		*rc = ERR_NOMEM;
	return p;
}
