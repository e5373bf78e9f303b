/*
 * db_pg.c - the PostgreSQL driver behind db.h, on libpq.
 *
 * A struct db here is one PGconn. SQL is written for db.h with '?' and '?N' placeholders;
 * each statement's text is rewritten once to $1, $2... (quoted strings, quoted names and
 * comments are left alone) and prepared once per connection under the name "sN". Values
 * are sent as text (integers and doubles formatted here), NULL as NULL; a step runs the
 * statement and fetches its whole result, and later steps walk its rows. Times
 * (timestamptz) and flags (boolean) are converted to and from the model's unix seconds and
 * 0/1 here ("Types" below).
 *
 * The write lock. The model relies on SQLite's BEGIN IMMEDIATE: inside a write
 * transaction it reads, decides, then writes, and no other writer can slip in between
 * (e.g. "is this name free? then insert it", "next number is max+1"). PostgreSQL's default
 * READ COMMITTED would let two such transactions interleave; SERIALIZABLE would make them
 * fail and need retry loops the model does not have. So db_begin_write takes one
 * transaction-scoped advisory lock (pg_advisory_xact_lock(DB_PG_WRITE_KEY)) right after
 * BEGIN: writers on every connection of every process are serialised exactly as on
 * SQLite, readers are never blocked, and the lock goes with COMMIT or ROLLBACK (or with
 * the connection). See docs/POSTGRESQL.md.
 *
 * An error inside a PostgreSQL transaction aborts the rest of it, where SQLite lets the
 * transaction go on after a failed statement. A statement that fails inside a transaction
 * is therefore run under a savepoint when it may fail with a constraint (any INSERT,
 * UPDATE or DELETE), and rolled back to it, so the model can catch ERR_CONFLICT and carry
 * on as it does on SQLite. SAVEPOINT, the statement and RELEASE go to the server in one
 * round trip (libpq's pipeline mode), so the guard costs little more than the statement.
 */
#include "db.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"
#include "db_internal.h"

#define DB_PG_WRITE_KEY 0x5348454e4c49414fll /* "SHENLIAO": the one writers' lock */
#define PG_MAX_PARAMS	1000
#define PG_BOOLOID	16
#define PG_TIMESTAMPOID 1114
#define PG_TSTZOID	1184

struct pg_db {
	struct db base;
	PGconn *c;
	unsigned next_name;
	int changes;
	bool inserted; /* an INSERT ran on this connection: lastval() may be defined */
	char errmsg[1024];
};

struct pg_stmt {
	struct db_stmt base;
	char name[16];
	int nparams;
	bool writes; /* INSERT / UPDATE / DELETE: may fail on a constraint */
	bool inserts;
	char **vals; /* nparams values, NULL for NULL */
	char *conv;  /* nparams: what the server typed each parameter (PCONV_...) */
	PGresult *res;
	int row, nrows;
	char (*cells)[24]; /* per column of res: a time column's text as unix seconds */
	int ncells;
};

/* What a parameter's type asks of the value the model binds (see "Types" below). */
enum { PCONV_NONE, PCONV_TIME, PCONV_BOOL };

#define PDB(d) ((struct pg_db *)(d))
#define PST(s) ((struct pg_stmt *)(s))

static const struct db_driver pg_driver;

/* set_err keeps msg (trimmed of its newline) as the connection's last error. */
static void set_err(struct pg_db *db, const char *msg)
{
	size_t n;

	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "unknown error");
	n = strlen(db->errmsg);
	while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = '\0';
}

/* sqlstate_class23 tells a constraint violation (unique, foreign key, check, not null). */
static bool sqlstate_class23(const PGresult *r)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s && s[0] == '2' && s[1] == '3';
}

static bool sqlstate_is(const PGresult *r, const char *code)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s && strcmp(s, code) == 0;
}

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	log_warn("db: postgres: %s", msg);
}

/* --- opening, and creating a missing database --- */

/* valid_db_name accepts the names CREATE DATABASE gets from us: letters, digits, '_', '-'
 * and '.', at most 63 bytes (the name is quoted anyway; this keeps it plain). */
static bool valid_db_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* connect_as connects with the options of uri, its dbname replaced by dbname when not
 * NULL. NULL only when out of memory or uri does not parse (logged). */
static PGconn *connect_as(const char *uri, const char *dbname)
{
	const char *keys[64], *vals[64];
	PQconninfoOption *opts, *o;
	char *err = NULL;
	PGconn *c;
	int n = 0;

	opts = PQconninfoParse(uri, &err);
	if (!opts) {
		log_error("db: bad PostgreSQL URI: %s", err ? err : "out of memory");
		PQfreemem(err);
		return NULL;
	}
	for (o = opts; o->keyword && n < 62; o++) {
		if (dbname && strcmp(o->keyword, "dbname") == 0) {
			keys[n] = "dbname";
			vals[n++] = dbname;
		} else if (o->val) {
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
	}
	keys[n] = NULL;
	vals[n] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);
	return c;
}

/* uri_dbname returns a heap copy of the database name uri gives, NULL when none. */
static char *uri_dbname(const char *uri)
{
	PQconninfoOption *opts, *o;
	char *name = NULL;

	opts = PQconninfoParse(uri, NULL);
	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
			name = strdup(o->val);
	PQconninfoFree(opts);
	return name;
}

/* create_database connects to the maintenance database "postgres" of uri's server and
 * creates name there unless it exists. */
static int create_database(const char *uri, const char *name)
{
	const char *params[1] = {name};
	char sql[128];
	PGresult *r;
	PGconn *c;
	int rc = ERR_OK;

	if (!valid_db_name(name)) {
		log_error("db: refusing to create a database named \"%s\" (letters, digits, _ - . "
			  "only)",
			  name);
		return ERR_INVALID;
	}
	c = connect_as(uri, "postgres");
	if (!c || PQstatus(c) != CONNECTION_OK) {
		log_error("db: cannot connect to the maintenance database: %s",
			  c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return ERR_DB;
	}
	r = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params, NULL,
			 NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("db: %s", PQresultErrorMessage(r));
		rc = ERR_DB;
	} else if (PQntuples(r) == 0) {
		PQclear(r);
		snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
		r = PQexec(c, sql);
		/* another process may have created it meanwhile: 42P04 duplicate_database */
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !sqlstate_is(r, "42P04")) {
			log_error("db: cannot create database %s: %s", name,
				  PQresultErrorMessage(r));
			rc = ERR_DB;
		} else {
			log_info("db: created PostgreSQL database %s", name);
		}
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

int db_pg_open(const char *uri, int flags, struct db **out)
{
	struct pg_db *db;
	char safe[512];
	char *name = NULL;
	PGresult *r;
	int rc;

	db = calloc(1, sizeof(*db));
	if (!db)
		return ERR_NOMEM;
	db->base.drv = &pg_driver;
	db->base.dialect = DB_POSTGRES;
	db_safe_name(uri, safe, sizeof(safe));
	db->c = connect_as(uri, NULL);
	if (db->c && PQstatus(db->c) != CONNECTION_OK && (flags & DB_OPEN_CREATE)) {
		/* most likely 3D000, no such database: create it and connect again */
		PQfinish(db->c);
		db->c = NULL;
		name = uri_dbname(uri);
		if (!name) {
			log_error("db: %s names no database to create", safe);
			rc = ERR_INVALID;
			goto fail;
		}
		rc = create_database(uri, name);
		if (rc)
			goto fail;
		db->c = connect_as(uri, NULL);
	}
	if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
		if (!(flags & DB_OPEN_QUIET))
			log_error("db: cannot connect to %s: %s", safe,
				  db->c ? PQerrorMessage(db->c) : "out of memory");
		rc = ERR_DB;
		goto fail;
	}
	PQsetNoticeProcessor(db->c, notice_quiet, NULL);
	r = PQexec(db->c, "SET client_encoding = 'UTF8'; SET client_min_messages = warning;"
			  " SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_error("db: cannot set up the session on %s: %s", safe, PQresultErrorMessage(r));
		PQclear(r);
		rc = ERR_DB;
		goto fail;
	}
	PQclear(r);
	free(name);
	*out = &db->base;
	return ERR_OK;
fail:
	free(name);
	PQfinish(db->c);
	free(db);
	return rc;
}

static void pg_close(struct db *d)
{
	PQfinish(PDB(d)->c);
	free(d);
}

/* check_result turns r (consumed) into an error code, keeping the message. */
static int check_result(struct pg_db *db, PGresult *r, const char *what)
{
	ExecStatusType s = PQresultStatus(r);
	int rc = ERR_OK;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		set_err(db, r ? PQresultErrorMessage(r) : PQerrorMessage(db->c));
		rc = r && sqlstate_class23(r) ? ERR_CONFLICT : ERR_DB;
		if (rc == ERR_DB)
			log_error("db: %s: %s", what, db->errmsg);
	}
	PQclear(r);
	return rc;
}

static int pg_exec_script(struct db *d, const char *sql)
{
	struct pg_db *db = PDB(d);

	return check_result(db, PQexec(db->c, sql), "script failed");
}

/* --- types ---
 *
 * The model reads and writes times as int64 unix seconds and flags as 0/1, on both
 * backends; on PostgreSQL those columns are timestamptz and boolean (docs/POSTGRESQL.md,
 * "Types chosen"). The conversion happens here and nowhere else: a parameter the server
 * typed timestamptz (PQdescribePrepared at prepare time) gets an integer - bound as an int,
 * a double or a text of digits, as shenliao copy does - as an ISO 8601 UTC text; one typed
 * boolean gets 't' or 'f'. A timestamptz result column reads as unix seconds through
 * db_col_int, db_col_double and db_col_text; a boolean as 1/0. The session's TimeZone is UTC
 * and DateStyle ISO, so the server's text is "2026-12-07 23:15:08+00" (a fraction or
 * another offset are parsed too). Times past year 9999 or before year 1 go as 'infinity' /
 * '-infinity' and come back as INT64_MAX / INT64_MIN. */

#define PG_TS_MAX 253402300799ll   /* 9999-12-31 23:59:59 UTC */
#define PG_TS_MIN (-62135596800ll) /* 0001-01-01 00:00:00 UTC */

/* days_from_civil: days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* civil_from_days: the y-m-d of z days since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* pg_time_text writes unix seconds t as a timestamptz literal into b[cap]. */
static int pg_time_text(int64_t t, char *b, size_t cap)
{
	int64_t days, secs, y;
	unsigned m, d;

	if (t > PG_TS_MAX)
		return snprintf(b, cap, "infinity");
	if (t < PG_TS_MIN)
		return snprintf(b, cap, "-infinity");
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	return snprintf(b, cap, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d+00", y, m, d,
			(int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* digits_at reads n decimal digits at *pp into *v; false when there are fewer. */
static bool digits_at(const char **pp, int n, int64_t *v)
{
	const char *p = *pp;
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return true;
}

/* pg_time_secs parses the server's text of a timestamptz or timestamp (ISO DateStyle:
 * "YYYY-MM-DD HH:MM:SS[.fff][+HH[:MM[:SS]]][ BC]", or [-]infinity) as unix seconds (a
 * fraction is dropped: towards the past). 0 when it does not parse. */
static int64_t pg_time_secs(const char *v)
{
	const char *p = v, *y0;
	int64_t y = 0, mo, d, h, mi, sec, oh = 0, om = 0, os = 0, t;
	int sign = 0;

	if (strcmp(v, "infinity") == 0)
		return INT64_MAX;
	if (strcmp(v, "-infinity") == 0)
		return INT64_MIN;
	for (y0 = p; isdigit((unsigned char)*p); p++)
		y = y * 10 + (*p - '0');
	if (p - y0 < 4 || *p++ != '-' || !digits_at(&p, 2, &mo) || *p++ != '-' ||
	    !digits_at(&p, 2, &d) || *p++ != ' ' || !digits_at(&p, 2, &h) || *p++ != ':' ||
	    !digits_at(&p, 2, &mi) || *p++ != ':' || !digits_at(&p, 2, &sec))
		return 0;
	/* a fraction is always positive: dropping it is the floor */
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits_at(&p, 2, &oh))
			return 0;
		if (*p == ':' && p++ && !digits_at(&p, 2, &om))
			return 0;
		if (*p == ':' && p++ && !digits_at(&p, 2, &os))
			return 0;
	}
	if (strcmp(p, " BC") == 0)
		y = 1 - y;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	return t - sign * (oh * 3600 + om * 60 + os);
}

/* is_time_oid: a timestamptz or timestamp column. */
static bool is_time_oid(Oid t)
{
	return t == PG_TSTZOID || t == PG_TIMESTAMPOID;
}

/* int_text: whether p[n] is a decimal integer ([-]digits), as *v. */
static bool int_text(const char *p, size_t n, int64_t *v)
{
	char b[24], *end;

	if (n == 0 || n >= sizeof(b))
		return false;
	memcpy(b, p, n);
	b[n] = '\0';
	errno = 0;
	*v = strtoll(b, &end, 10);
	return *end == '\0' && errno == 0;
}

/* --- statements --- */

/* rewrite_placeholders gives sql with '?' and '?N' as $n (malloc'd) and the number of
 * parameters in *nparams; quoted strings, quoted names and comments are copied as they
 * are. NULL when out of memory. */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
	/* each byte gives at most 7 ("?" -> "$999999"), so one allocation does */
	size_t n = strlen(sql), o = 0;
	const char *p = sql;
	int seq = 0, max = 0;
	char *out = malloc(n * 7 + 1);

	if (!out)
		return NULL;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			out[o++] = *p++;
			while (*p && *p != q)
				out[o++] = *p++;
			if (*p) /* the closing quote; a doubled quote reopens at once */
				out[o++] = *p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				out[o++] = *p++;
			continue;
		}
		if (*p == '?') {
			int k = 0;

			p++;
			if (*p >= '0' && *p <= '9') {
				while (*p >= '0' && *p <= '9' && k < 99999)
					k = k * 10 + (*p++ - '0');
			} else {
				k = ++seq;
			}
			if (k > max)
				max = k;
			o += (size_t)snprintf(out + o, n * 7 + 1 - o, "$%d", k);
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	*nparams = max;
	return out;
}

/* first_word_is tells whether sql's first word is w, case-insensitively. */
static bool first_word_is(const char *sql, const char *w)
{
	size_t n = strlen(w);

	while (isspace((unsigned char)*sql))
		sql++;
	return strncasecmp(sql, w, n) == 0 && !isalnum((unsigned char)sql[n]);
}

/* prepare_typed prepares text as name, letting the server infer every parameter's type.
 * A parameter it cannot infer (42P08, e.g. "? IS NULL OR address = ?" read left to right)
 * is declared text and the statement prepared again, as SQLite would take any value there.
 * Inside a transaction a failed attempt would abort it, so the attempts run under a
 * savepoint (prepared statements outlive a rollback). Returns the last result. */
static PGresult *prepare_typed(struct pg_db *db, const char *name, const char *text, int n)
{
	bool intx = PQtransactionStatus(db->c) == PQTRANS_INTRANS;
	Oid *types = n ? calloc((size_t)n, sizeof(*types)) : NULL;
	PGresult *r = NULL;
	int tries;

	if (intx)
		PQclear(PQexec(db->c, "SAVEPOINT db_prepare"));
	for (tries = 0; tries <= n; tries++) {
		const char *m, *dollar;
		long k;

		PQclear(r);
		r = PQprepare(db->c, name, text, n, types);
		/* 42P08 from a protocol-level Parse, 42P18 from SQL PREPARE */
		if (PQresultStatus(r) == PGRES_COMMAND_OK || !types ||
		    !(sqlstate_is(r, "42P08") || sqlstate_is(r, "42P18")))
			break;
		m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		dollar = m ? strchr(m, '$') : NULL;
		k = dollar ? strtol(dollar + 1, NULL, 10) : 0;
		if (k < 1 || k > n || types[k - 1])
			break;
		types[k - 1] = 25; /* text */
		if (intx)
			PQclear(PQexec(db->c, "ROLLBACK TO SAVEPOINT db_prepare"));
	}
	if (intx)
		PQclear(PQexec(db->c, PQresultStatus(r) == PGRES_COMMAND_OK
					  ? "RELEASE SAVEPOINT db_prepare"
					  : "ROLLBACK TO SAVEPOINT db_prepare"));
	free(types);
	return r;
}

static void deallocate(struct pg_db *db, const char *name)
{
	char sql[40];

	if (PQstatus(db->c) == CONNECTION_OK) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
		PQclear(PQexec(db->c, sql));
	}
}

/* describe_params asks the server how it typed s's parameters and notes in s->conv which
 * need the model's integers converted (times, booleans). */
static int describe_params(struct pg_db *db, struct pg_stmt *s)
{
	PGresult *r = PQdescribePrepared(db->c, s->name);
	int i;

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(db, r ? PQresultErrorMessage(r) : PQerrorMessage(db->c));
		PQclear(r);
		return ERR_DB;
	}
	s->conv = calloc((size_t)s->nparams, 1);
	for (i = 0; s->conv && i < s->nparams && i < PQnparams(r); i++) {
		Oid t = PQparamtype(r, i);

		s->conv[i] = is_time_oid(t)    ? PCONV_TIME
			     : t == PG_BOOLOID ? PCONV_BOOL
					       : PCONV_NONE;
	}
	PQclear(r);
	if (!s->conv) {
		set_err(db, "out of memory");
		return ERR_DB;
	}
	return ERR_OK;
}

static int pg_stmt_new(struct db *d, const char *sql, struct db_stmt **out)
{
	struct pg_db *db = PDB(d);
	struct pg_stmt *s = calloc(1, sizeof(*s));
	char *text = NULL;
	PGresult *r;

	if (!s)
		return ERR_NOMEM;
	text = rewrite_placeholders(sql, &s->nparams);
	if (!text)
		goto nomem;
	if (s->nparams > PG_MAX_PARAMS) {
		log_error("db: too many parameters in: %s", sql);
		free(text);
		free(s);
		return ERR_INVALID;
	}
	if (s->nparams) {
		s->vals = calloc((size_t)s->nparams, sizeof(*s->vals));
		if (!s->vals)
			goto nomem;
	}
	snprintf(s->name, sizeof(s->name), "s%u", ++db->next_name);
	r = prepare_typed(db, s->name, text, s->nparams);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_err(db, PQresultErrorMessage(r));
		log_error("db: prepare failed: %s: %s", db->errmsg, sql);
		PQclear(r);
		free(text);
		free(s->vals);
		free(s);
		return ERR_DB;
	}
	PQclear(r);
	free(text);
	if (s->nparams && describe_params(db, s)) {
		log_error("db: describe failed: %s: %s", db->errmsg, sql);
		deallocate(db, s->name);
		free(s->vals);
		free(s);
		return ERR_DB;
	}
	s->writes = first_word_is(sql, "INSERT") || first_word_is(sql, "UPDATE") ||
		    first_word_is(sql, "DELETE") || first_word_is(sql, "WITH");
	s->inserts = first_word_is(sql, "INSERT") || first_word_is(sql, "WITH");
	s->row = -1;
	s->base.sql = sql;
	s->base.db = d;
	*out = &s->base;
	return ERR_OK;
nomem:
	free(text);
	free(s);
	return ERR_NOMEM;
}

static void pg_done(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
}

static void clear_bindings(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
}

static void pg_stmt_reset(struct db_stmt *st)
{
	pg_done(st);
	clear_bindings(PST(st));
}

static void pg_stmt_free(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	pg_stmt_reset(st);
	deallocate(PDB(st->db), s->name);
	free(s->vals);
	free(s->conv);
	free(s->cells);
	free(s);
}

/* set_val keeps a copy of p (n bytes) as parameter i; p NULL sets NULL. */
static int set_val(struct db_stmt *st, int i, const char *p, size_t n)
{
	struct pg_stmt *s = PST(st);
	char *v = NULL;

	if (i < 1 || i > s->nparams) {
		log_error("db: bind: no parameter %d in: %s", i, st->sql);
		return ERR_DB;
	}
	if (p) {
		v = malloc(n + 1);
		if (!v)
			return ERR_NOMEM;
		memcpy(v, p, n);
		v[n] = '\0';
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = v;
	return ERR_OK;
}

/* conv_of: how parameter i (from 1) is to be converted; PCONV_NONE when out of range. */
static int conv_of(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	return s->conv && i >= 1 && i <= s->nparams ? s->conv[i - 1] : PCONV_NONE;
}

/* set_int keeps v as parameter i in the text its server type wants. */
static int set_int(struct db_stmt *st, int i, int64_t v)
{
	char b[32];
	int n;

	switch (conv_of(st, i)) {
	case PCONV_TIME:
		n = pg_time_text(v, b, sizeof(b));
		break;
	case PCONV_BOOL:
		n = snprintf(b, sizeof(b), "%s", v ? "t" : "f");
		break;
	default:
		n = snprintf(b, sizeof(b), "%" PRId64, v);
	}
	return set_val(st, i, b, (size_t)n);
}

static int pg_bind_int(struct db_stmt *st, int i, int64_t v)
{
	return set_int(st, i, v);
}

static int pg_bind_text(struct db_stmt *st, int i, const char *p, size_t n)
{
	int64_t v;

	/* an integer as text (shenliao copy binds every value so) into a time or a flag */
	if (conv_of(st, i) != PCONV_NONE && int_text(p, n, &v))
		return set_int(st, i, v);
	return set_val(st, i, p, n);
}

static int pg_bind_null(struct db_stmt *st, int i)
{
	return set_val(st, i, NULL, 0);
}

static int pg_bind_double(struct db_stmt *st, int i, double v)
{
	char b[40];
	int n;

	if (conv_of(st, i) != PCONV_NONE && v > -9.2e18 && v < 9.2e18) {
		int64_t t = (int64_t)v;

		return set_int(st, i, (double)t > v ? t - 1 : t);
	}
	n = snprintf(b, sizeof(b), "%.17g", v);
	return set_val(st, i, b, (size_t)n);
}

/* exec_pipelined sends SAVEPOINT, the statement and RELEASE in one round trip (libpq's
 * pipeline mode) and returns the statement's result; when it failed, the RELEASE was
 * skipped by the server and the savepoint is rolled back to. NULL when the pipeline
 * cannot be used (the caller then goes one statement at a time). */
static PGresult *exec_pipelined(struct pg_db *db, struct pg_stmt *s)
{
	PGresult *r, *mine = NULL;
	int cmd = 0, nulls = 0;

	if (!PQenterPipelineMode(db->c))
		return NULL;
	if (!PQsendQueryParams(db->c, "SAVEPOINT db_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryPrepared(db->c, s->name, s->nparams, (const char *const *)s->vals, NULL,
				 NULL, 0) ||
	    !PQsendQueryParams(db->c, "RELEASE SAVEPOINT db_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(db->c)) {
		log_error("db: pipeline: %s", PQerrorMessage(db->c));
		PQexitPipelineMode(db->c);
		return NULL;
	}
	/* each command's results end in a NULL; then comes the sync (after an error the
	 * later commands come back as PGRES_PIPELINE_ABORTED) */
	while (nulls < 8) {
		r = PQgetResult(db->c);
		if (!r) {
			cmd++;
			nulls++;
			continue;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (cmd == 1 && !mine)
			mine = r;
		else
			PQclear(r);
	}
	PQexitPipelineMode(db->c);
	if (!mine)
		return NULL;
	if (PQresultStatus(mine) != PGRES_COMMAND_OK && PQresultStatus(mine) != PGRES_TUPLES_OK)
		PQclear(PQexec(db->c, "ROLLBACK TO SAVEPOINT db_stmt"));
	return mine;
}

/* exec_guarded runs s; inside a transaction a statement that may fail on a constraint runs
 * under a savepoint, so its failure leaves the transaction usable (see the top). */
static PGresult *exec_guarded(struct pg_db *db, struct pg_stmt *s)
{
	bool guard = s->writes && PQtransactionStatus(db->c) == PQTRANS_INTRANS;
	PGresult *r;
	ExecStatusType st;

	if (!guard)
		return PQexecPrepared(db->c, s->name, s->nparams, (const char *const *)s->vals,
				      NULL, NULL, 0);
	r = exec_pipelined(db, s);
	if (r)
		return r;
	PQclear(PQexec(db->c, "SAVEPOINT db_stmt"));
	r = PQexecPrepared(db->c, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
	st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		PQclear(PQexec(db->c, "RELEASE SAVEPOINT db_stmt"));
	else
		PQclear(PQexec(db->c, "ROLLBACK TO SAVEPOINT db_stmt"));
	return r;
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = PST(st);
	struct pg_db *db = PDB(st->db);
	ExecStatusType status;

	if (!s->res) {
		s->res = exec_guarded(db, s);
		status = PQresultStatus(s->res);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
			int rc = sqlstate_class23(s->res) ? ERR_CONFLICT : ERR_DB;

			set_err(db, PQresultErrorMessage(s->res));
			if (rc == ERR_DB)
				log_error("db: step failed: %s: %s", db->errmsg, st->sql);
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		db->changes = atoi(PQcmdTuples(s->res));
		if (s->inserts)
			db->inserted = true;
		s->nrows = status == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static bool have_cell(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static bool pg_col_null(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	return !have_cell(s, i) || PQgetisnull(s->res, s->row, i);
}

static int64_t pg_col_int(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);
	const char *v;
	Oid t;

	if (pg_col_null(st, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	t = PQftype(s->res, i);
	if (t == PG_BOOLOID)
		return v[0] == 't';
	if (is_time_oid(t))
		return pg_time_secs(v);
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);
	const char *v;
	Oid t;

	if (pg_col_null(st, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	t = PQftype(s->res, i);
	if (t == PG_BOOLOID)
		return v[0] == 't';
	if (is_time_oid(t))
		return (double)pg_time_secs(v);
	return strtod(v, NULL);
}

/* time_cell gives column i's time as the decimal text of its unix seconds (kept in
 * s->cells until the next step), as SQLite would give an integer column's text. */
static const char *time_cell(struct pg_stmt *s, int i, const char *v)
{
	int n = PQnfields(s->res);

	if (s->ncells < n) {
		char(*c)[24] = realloc(s->cells, (size_t)n * sizeof(*c));

		if (!c)
			return "";
		s->cells = c;
		s->ncells = n;
	}
	snprintf(s->cells[i], sizeof(s->cells[i]), "%" PRId64, pg_time_secs(v));
	return s->cells[i];
}

static const char *pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);
	const char *v;
	Oid t;

	if (pg_col_null(st, i))
		return "";
	v = PQgetvalue(s->res, s->row, i);
	t = PQftype(s->res, i);
	if (t == PG_BOOLOID) /* as SQLite would: an integer */
		return v[0] == 't' ? "1" : "0";
	if (is_time_oid(t))
		return time_cell(s, i, v);
	return v;
}

static size_t pg_col_len(struct db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	if (pg_col_null(st, i))
		return 0;
	if (PQftype(s->res, i) == PG_BOOLOID)
		return 1;
	if (is_time_oid(PQftype(s->res, i)))
		return strlen(pg_col_text(st, i));
	return (size_t)PQgetlength(s->res, s->row, i);
}

/* --- transactions --- */

static int pg_begin_write(struct db *d)
{
	struct pg_db *db = PDB(d);
	char sql[96];
	int rc;

	/* one writer at a time over every connection and process: see the top of the file */
	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
		 (long long)DB_PG_WRITE_KEY);
	rc = check_result(db, PQexec(db->c, sql), "begin");
	if (rc)
		PQclear(PQexec(db->c, "ROLLBACK"));
	return rc;
}

/* pg_begin_write_shared: the writers' lock in shared mode. Shared holders run together
 * (several processes' vote batches); an exclusive holder (db_begin_write) waits for them and
 * they for it, so every read-then-write under the exclusive lock still sees no writer come
 * in between. */
static int pg_begin_write_shared(struct db *d)
{
	struct pg_db *db = PDB(d);
	char sql[96];
	int rc;

	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock_shared(%lld)",
		 (long long)DB_PG_WRITE_KEY);
	rc = check_result(db, PQexec(db->c, sql), "begin");
	if (rc)
		PQclear(PQexec(db->c, "ROLLBACK"));
	return rc;
}

static int pg_begin_read(struct db *d)
{
	/* one snapshot for the whole read, like an SQLite read transaction */
	return pg_exec_script(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(struct db *d)
{
	struct pg_db *db = PDB(d);
	PGresult *r = PQexec(db->c, "COMMIT");

	/* COMMIT of a failed transaction "succeeds" as ROLLBACK: that is a failure here */
	if (PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		set_err(db, "the transaction failed earlier and was rolled back");
		log_error("db: commit: %s", db->errmsg);
		PQclear(r);
		return ERR_DB;
	}
	return check_result(db, r, "commit");
}

static void pg_rollback(struct db *d)
{
	struct pg_db *db = PDB(d);

	if (PQtransactionStatus(db->c) != PQTRANS_IDLE)
		PQclear(PQexec(db->c, "ROLLBACK"));
}

static int64_t pg_last_id(struct db *d)
{
	struct pg_db *db = PDB(d);
	bool intx = PQtransactionStatus(db->c) == PQTRANS_INTRANS;
	PGresult *r;
	int64_t id = 0;

	if (!db->inserted)
		return 0;
	/* lastval() fails (55000) when no sequence was used in this session; inside a
	 * transaction that would abort it, so it runs under a savepoint there */
	if (intx)
		PQclear(PQexec(db->c, "SAVEPOINT db_lastval"));
	r = PQexec(db->c, "SELECT lastval()");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else if (!sqlstate_is(r, "55000"))
		log_error("db: lastval: %s", PQresultErrorMessage(r));
	if (intx)
		PQclear(PQexec(db->c, PQresultStatus(r) == PGRES_TUPLES_OK
					  ? "RELEASE SAVEPOINT db_lastval"
					  : "ROLLBACK TO SAVEPOINT db_lastval"));
	PQclear(r);
	return id;
}

static int pg_changes(struct db *d)
{
	return PDB(d)->changes;
}

static const char *pg_errmsg(struct db *d)
{
	return PDB(d)->errmsg;
}

static int pg_backup(struct db *d, const char *path, progress_fn progress, void *ud)
{
	(void)path;
	(void)progress;
	(void)ud;
	set_err(PDB(d), "backup of a PostgreSQL database: use pg_dump (e.g. pg_dump -Fc -f FILE "
			"URI), or the server's own backup tools");
	return ERR_UNSUPPORTED;
}

int db_pg_lock(struct db *d, int64_t key)
{
	struct pg_db *db = PDB(d);
	char sql[64];

	if (d->dialect != DB_POSTGRES)
		return ERR_OK;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(%lld)", (long long)key);
	return check_result(db, PQexec(db->c, sql), "advisory lock");
}

void db_pg_unlock(struct db *d, int64_t key)
{
	struct pg_db *db = PDB(d);
	char sql[64];

	if (d->dialect != DB_POSTGRES)
		return;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", (long long)key);
	PQclear(PQexec(db->c, sql));
}

/* --- LISTEN / NOTIFY and try-locks (db.h) --- */

/* channel_ok: 1 to 63 of [a-z0-9_], so the name can go into LISTEN's text as it is. */
static bool channel_ok(const char *ch)
{
	size_t n = 0;

	if (!ch)
		return false;
	for (; ch[n]; n++)
		if (!((ch[n] >= 'a' && ch[n] <= 'z') || (ch[n] >= '0' && ch[n] <= '9') ||
		      ch[n] == '_') ||
		    n >= 63)
			return false;
	return n > 0;
}

int db_notify(struct db *d, const char *channel, const char *payload)
{
	struct pg_db *db = PDB(d);
	const char *vals[2];

	if (!channel_ok(channel) || !payload || strlen(payload) > 7999)
		return ERR_INVALID;
	if (d->dialect != DB_POSTGRES)
		return ERR_OK;
	vals[0] = channel;
	vals[1] = payload;
	return check_result(
	    db, PQexecParams(db->c, "SELECT pg_notify($1, $2)", 2, NULL, vals, NULL, NULL, 0),
	    "notify");
}

int db_listen(struct db *d, const char *channel)
{
	char sql[96];

	if (!channel_ok(channel))
		return ERR_INVALID;
	if (d->dialect != DB_POSTGRES)
		return ERR_UNSUPPORTED;
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	return check_result(PDB(d), PQexec(PDB(d)->c, sql), "listen");
}

int db_wait_notify(struct db *d, int timeout_ms, char *payload, size_t cap)
{
	struct pg_db *db = PDB(d);
	int64_t until = time_now_us() + (int64_t)timeout_ms * 1000;

	if (d->dialect != DB_POSTGRES)
		return ERR_UNSUPPORTED;
	for (;;) {
		PGnotify *n;
		struct pollfd p;
		int64_t left;

		if (!PQconsumeInput(db->c)) {
			set_err(db, PQerrorMessage(db->c));
			return ERR_DB;
		}
		n = PQnotifies(db->c);
		if (n) {
			if (cap)
				snprintf(payload, cap, "%s", n->extra ? n->extra : "");
			PQfreemem(n);
			return ERR_OK;
		}
		left = until - time_now_us();
		if (left <= 0)
			return ERR_NOT_FOUND;
		p.fd = PQsocket(db->c);
		p.events = POLLIN;
		p.revents = 0;
		if (p.fd < 0) {
			set_err(db, "the connection is gone");
			return ERR_DB;
		}
		if (poll(&p, 1, (int)((left + 999) / 1000)) < 0 && errno != EINTR) {
			set_err(db, strerror(errno));
			return ERR_IO;
		}
	}
}

int db_try_lock(struct db *d, int64_t key, bool *got)
{
	struct pg_db *db = PDB(d);
	char sql[64];
	PGresult *r;

	*got = true;
	if (d->dialect != DB_POSTGRES)
		return ERR_OK;
	snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%lld)", (long long)key);
	r = PQexec(db->c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		*got = false;
		return check_result(db, r, "try lock");
	}
	*got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return ERR_OK;
}

void db_unlock(struct db *d, int64_t key)
{
	db_pg_unlock(d, key);
}

static const struct db_driver pg_driver = {
    .close = pg_close,
    .exec_script = pg_exec_script,
    .stmt_new = pg_stmt_new,
    .stmt_reset = pg_stmt_reset,
    .stmt_free = pg_stmt_free,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .bind_double = pg_bind_double,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_len = pg_col_len,
    .col_null = pg_col_null,
    .done = pg_done,
    .begin_write = pg_begin_write,
    .begin_write_shared = pg_begin_write_shared,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .backup = pg_backup,
};
