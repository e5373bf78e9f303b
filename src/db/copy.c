/*
 * copy.c - db_copy: every row of every table from one database to another, across
 * backends (SQLite -> PostgreSQL and back), with every id kept.
 *
 * The tables and their columns are read from each side's own catalogue (sqlite_master and
 * pragma_table_info; information_schema on PostgreSQL), so nothing here lists the schema:
 * both sides are migrated to the same version first (store_copy), and a column copies when
 * both sides have it. Tables go parents first (foreign keys, read from the source), rows in
 * the order of their first column (the id: a parent row of the same table comes first).
 * Values travel as text, which each side casts to its column's type (PostgreSQL booleans
 * come back as 1/0, see db_pg.c). All of it is one transaction on the target, and the row
 * count of every table on both sides is compared before it commits.
 *
 * The statements are made from catalogue names at run time, so they are prepared outside
 * the statement cache (db_prepare_uncached); names are checked to be plain identifiers and
 * quoted.
 *
 * A table made from other rows (the search index, whose PostgreSQL form holds tokens made in
 * C) is named by the caller as derived: emptied here, filled by the caller's hook in the
 * same transaction, its row count compared like every other.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "db_internal.h"

#define COPY_MAX_TABLES 256
#define COPY_MAX_COLS	128
#define COPY_NAME_MAX	64

struct copy_cols {
	char name[COPY_MAX_COLS][COPY_NAME_MAX];
	size_t n;
};

static const char sql_lite_tables[] =
    "SELECT name, CASE WHEN sql LIKE 'CREATE VIRTUAL TABLE%' THEN 1 ELSE 0 END"
    " FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " AND name <> 'schema_migrations' ORDER BY name";
static const char sql_pg_tables[] =
    "SELECT table_name, 0 FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name";
static const char sql_lite_cols[] = "SELECT name FROM pragma_table_info(?) ORDER BY cid";
static const char sql_pg_cols[] =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position";
static const char sql_lite_fks[] = "SELECT \"table\" FROM pragma_foreign_key_list(?)";
static const char sql_pg_fks[] =
    "SELECT DISTINCT ccu.table_name FROM information_schema.table_constraints tc"
    " JOIN information_schema.constraint_column_usage ccu"
    " ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema"
    " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
    " AND tc.table_name = ?";
static const char sql_pg_serials[] =
    "SELECT table_name, column_name FROM information_schema.columns"
    " WHERE table_schema = current_schema()"
    " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')";

/* plain_name: a catalogue name we are willing to put into SQL (quoted). */
static bool plain_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= COPY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

struct table_list {
	struct db_copy_table *t;
	size_t n;
	int rc;
};

static int table_row(struct db_stmt *st, void *ud)
{
	struct table_list *l = ud;
	const char *name = db_col_text(st, 0);

	if (!plain_name(name)) {
		log_warn("copy: table \"%s\" left out (not a plain name)", name);
		return ERR_OK;
	}
	if (l->n >= COPY_MAX_TABLES)
		return ERR_TOO_BIG;
	memset(&l->t[l->n], 0, sizeof(l->t[l->n]));
	snprintf(l->t[l->n].name, sizeof(l->t[l->n].name), "%s", name);
	l->t[l->n].is_virtual = db_col_int(st, 1) != 0;
	l->n++;
	return ERR_OK;
}

/* shadow_of tells whether name is a shadow table of one of the virtual tables in l
 * (FTS5 keeps NAME_data, NAME_idx, NAME_content, NAME_docsize, NAME_config). */
static bool shadow_of(const struct table_list *l, const char *name)
{
	size_t i, n;

	for (i = 0; i < l->n; i++) {
		if (!l->t[i].is_virtual)
			continue;
		n = strlen(l->t[i].name);
		if (strncmp(name, l->t[i].name, n) == 0 && name[n] == '_')
			return true;
	}
	return false;
}

/* list_tables fills l with db's tables (shadow tables of virtual ones left out). */
static int list_tables(struct db *db, struct table_list *l)
{
	size_t i, j;
	int rc;

	l->n = 0;
	rc = db_each(db, db_dialect(db) == DB_POSTGRES ? sql_pg_tables : sql_lite_tables, table_row,
		     l, NULL);
	if (rc)
		return rc;
	for (i = j = 0; i < l->n; i++)
		if (!shadow_of(l, l->t[i].name))
			l->t[j++] = l->t[i];
	l->n = j;
	return ERR_OK;
}

static int col_row(struct db_stmt *st, void *ud)
{
	struct copy_cols *c = ud;
	const char *name = db_col_text(st, 0);

	if (!plain_name(name))
		return ERR_OK;
	if (c->n >= COPY_MAX_COLS)
		return ERR_TOO_BIG;
	snprintf(c->name[c->n++], COPY_NAME_MAX, "%s", name);
	return ERR_OK;
}

/* list_cols fills c with table's columns on db; a virtual table's rowid comes first. */
static int list_cols(struct db *db, const char *table, bool is_virtual, struct copy_cols *c)
{
	c->n = 0;
	if (is_virtual)
		snprintf(c->name[c->n++], COPY_NAME_MAX, "rowid");
	return db_each(db, db_dialect(db) == DB_POSTGRES ? sql_pg_cols : sql_lite_cols, col_row, c,
		       "s", table);
}

static bool has_col(const struct copy_cols *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return true;
	return false;
}

struct deps {
	char parent[32][COPY_NAME_MAX];
	size_t n;
};

static int dep_row(struct db_stmt *st, void *ud)
{
	struct deps *d = ud;

	if (d->n < 32)
		snprintf(d->parent[d->n++], COPY_NAME_MAX, "%s", db_col_text(st, 0));
	return ERR_OK;
}

/* order_tables sorts t parents first by the foreign keys db (the source) declares;
 * a cycle keeps the remaining tables in name order (rows are still ordered by id). */
static int order_tables(struct db *db, struct db_copy_table *t, size_t n)
{
	struct db_copy_table *out = calloc(n ? n : 1, sizeof(*out));
	bool *done = calloc(n ? n : 1, sizeof(*done));
	struct deps *deps = calloc(n ? n : 1, sizeof(*deps));
	size_t placed = 0, i, j, k;
	int rc = ERR_OK;

	if (!out || !done || !deps) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n && !rc; i++)
		if (!t[i].is_virtual)
			rc = db_each(db, db_dialect(db) == DB_POSTGRES ? sql_pg_fks : sql_lite_fks,
				     dep_row, &deps[i], "s", t[i].name);
	if (rc)
		goto out;
	while (placed < n) {
		bool progress = false;

		for (i = 0; i < n; i++) {
			bool ready = !done[i];

			for (j = 0; ready && j < deps[i].n; j++)
				for (k = 0; k < n; k++)
					if (!done[k] && k != i &&
					    strcmp(t[k].name, deps[i].parent[j]) == 0)
						ready = false;
			if (ready) {
				out[placed++] = t[i];
				done[i] = true;
				progress = true;
			}
		}
		if (!progress) /* a cycle: take the first left */
			for (i = 0; i < n; i++)
				if (!done[i]) {
					out[placed++] = t[i];
					done[i] = true;
					break;
				}
	}
	memcpy(t, out, n * sizeof(*t));
out:
	free(out);
	free(done);
	free(deps);
	return rc;
}

/* count_rows counts table's rows on db into *n. */
static int count_rows(struct db *db, const char *table, int64_t *n)
{
	char sql[160];
	struct db_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
	rc = db_prepare_uncached(db, sql, &st);
	if (rc)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*n = db_col_int(st, 0);
		rc = ERR_OK;
	} else if (rc == DB_DONE) {
		rc = ERR_DB;
	}
	db_finalize(st);
	return rc;
}

/* exec_dynamic runs one statement built from catalogue names. */
static int exec_dynamic(struct db *db, const char *sql)
{
	struct db_stmt *st;
	int rc = db_prepare_uncached(db, sql, &st);

	if (rc)
		return rc;
	rc = db_run(st);
	db_finalize(st);
	return rc;
}

/* build_sql writes the SELECT on the source and the INSERT on the target of table's
 * shared columns c. */
static int build_sql(const struct db *to, const char *table, const struct copy_cols *c, char **sel,
		     char **ins)
{
	size_t cap = 128 + c->n * (COPY_NAME_MAX + 8), i, a = 0, b = 0;
	char *s = malloc(cap), *t = malloc(cap);

	if (!s || !t) {
		free(s);
		free(t);
		return ERR_NOMEM;
	}
	a += (size_t)snprintf(s + a, cap - a, "SELECT ");
	b += (size_t)snprintf(t + b, cap - b, "INSERT INTO \"%s\" (", table);
	for (i = 0; i < c->n; i++) {
		a += (size_t)snprintf(s + a, cap - a, "%s\"%s\"", i ? ", " : "", c->name[i]);
		b += (size_t)snprintf(t + b, cap - b, "%s\"%s\"", i ? ", " : "", c->name[i]);
	}
	a += (size_t)snprintf(s + a, cap - a, " FROM \"%s\" ORDER BY 1", table);
	b += (size_t)snprintf(t + b, cap - b, ")%s VALUES (",
			      to->dialect == DB_POSTGRES ? " OVERRIDING SYSTEM VALUE" : "");
	for (i = 0; i < c->n; i++)
		b += (size_t)snprintf(t + b, cap - b, "%s?", i ? ", " : "");
	snprintf(t + b, cap - b, ")");
	*sel = s;
	*ins = t;
	return ERR_OK;
}

/* copy_table copies the rows of t->name's columns c, telling progress as it goes. */
static int copy_table(struct db *from, struct db *to, struct db_copy_table *t,
		      const struct copy_cols *c, progress_fn progress, void *ud, uint64_t *done,
		      uint64_t total)
{
	struct db_stmt *src = NULL, *dst = NULL;
	char *sel = NULL, *ins = NULL;
	size_t i;
	int rc;

	rc = build_sql(to, t->name, c, &sel, &ins);
	if (!rc)
		rc = db_prepare_uncached(from, sel, &src);
	if (!rc)
		rc = db_prepare_uncached(to, ins, &dst);
	while (!rc && (rc = db_step(src)) == DB_ROW) {
		rc = ERR_OK;
		for (i = 0; i < c->n && !rc; i++)
			rc = db_col_null(src, (int)i)
				 ? db_bind_null(dst, (int)i + 1)
				 : db_bind_text(dst, (int)i + 1, db_col_text(src, (int)i),
						db_col_len(src, (int)i));
		if (!rc)
			rc = db_run(dst);
		if (rc) {
			log_error("copy: a row of %s does not go in: %s", t->name, db_errmsg(to));
			rc = ERR_DB; /* (ERR_CONFLICT says the counts differ) */
			break;
		}
		(*done)++;
		if (progress && (*done % 256 == 0 || *done == total))
			progress(ud, *done, total);
	}
	if (rc == DB_DONE)
		rc = ERR_OK;
	db_finalize(src);
	db_finalize(dst);
	free(sel);
	free(ins);
	return rc;
}

struct serial {
	char table[COPY_NAME_MAX], col[COPY_NAME_MAX];
};
struct serials {
	struct serial s[COPY_MAX_TABLES];
	size_t n;
};

static int serial_row(struct db_stmt *st, void *ud)
{
	struct serials *s = ud;

	if (s->n < COPY_MAX_TABLES && plain_name(db_col_text(st, 0)) &&
	    plain_name(db_col_text(st, 1))) {
		snprintf(s->s[s->n].table, COPY_NAME_MAX, "%s", db_col_text(st, 0));
		snprintf(s->s[s->n].col, COPY_NAME_MAX, "%s", db_col_text(st, 1));
		s->n++;
	}
	return ERR_OK;
}

/* reset_sequences moves every identity (or serial) sequence of a PostgreSQL target past
 * the largest id copied, so the next insert does not collide with a copied row. */
static int reset_sequences(struct db *to)
{
	struct serials *s = calloc(1, sizeof(*s));
	char sql[512];
	struct db_stmt *st;
	size_t i;
	int rc;

	if (!s)
		return ERR_NOMEM;
	rc = db_each(to, sql_pg_serials, serial_row, s, NULL);
	for (i = 0; i < s->n && !rc; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'),"
			 " COALESCE((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false)",
			 s->s[i].table, s->s[i].col, s->s[i].col, s->s[i].table);
		rc = db_prepare_uncached(to, sql, &st);
		if (rc)
			break;
		rc = db_step(st) == DB_ROW ? ERR_OK : ERR_DB;
		db_finalize(st);
	}
	free(s);
	return rc;
}

int db_copy_empty(struct db *db, bool *empty)
{
	struct table_list l = {NULL, 0, 0};
	int64_t n;
	size_t i;
	int rc;

	*empty = true;
	l.t = calloc(COPY_MAX_TABLES, sizeof(*l.t));
	if (!l.t)
		return ERR_NOMEM;
	rc = list_tables(db, &l);
	/* what a new database holds from its migrations alone does not count: the bodies
	 * (every row hangs from one) and the audit log say whether anything was done */
	for (i = 0; i < l.n && !rc && *empty; i++) {
		if (strcmp(l.t[i].name, "org") != 0 && strcmp(l.t[i].name, "audit") != 0)
			continue;
		rc = count_rows(db, l.t[i].name, &n);
		if (!rc && n > 0)
			*empty = false;
	}
	free(l.t);
	return rc;
}

void db_copy_report_free(struct db_copy_report *r)
{
	if (!r)
		return;
	free(r->t);
	r->t = NULL;
	r->n = 0;
}

/* is_derived tells whether table is one hook fills itself. */
static bool is_derived(const struct db_copy_hook *hook, const char *table)
{
	size_t i;

	for (i = 0; hook && hook->derived && hook->derived[i]; i++)
		if (strcmp(hook->derived[i], table) == 0)
			return true;
	return false;
}

int db_copy(struct db *from, struct db *to, const struct db_copy_hook *hook, progress_fn progress,
	    void *ud, struct db_copy_report *rep)
{
	struct table_list src = {NULL, 0, 0}, dst = {NULL, 0, 0};
	struct copy_cols *cf = NULL, *ct = NULL, *shared = NULL;
	bool lite_to = to->dialect == DB_SQLITE, began = false;
	uint64_t total = 0, done = 0;
	size_t i, j, k;
	int rc;

	memset(rep, 0, sizeof(*rep));
	src.t = calloc(COPY_MAX_TABLES, sizeof(*src.t));
	dst.t = calloc(COPY_MAX_TABLES, sizeof(*dst.t));
	cf = calloc(1, sizeof(*cf));
	ct = calloc(1, sizeof(*ct));
	shared = calloc(1, sizeof(*shared));
	if (!src.t || !dst.t || !cf || !ct || !shared) {
		rc = ERR_NOMEM;
		goto out;
	}
	/* one snapshot of the source for the whole copy */
	rc = db_begin_read(from);
	if (rc)
		goto out;
	rc = list_tables(from, &src);
	if (!rc)
		rc = list_tables(to, &dst);
	if (rc)
		goto out;
	/* the tables both sides have, in the source's dependency order */
	for (i = j = 0; i < src.n; i++) {
		for (k = 0; k < dst.n; k++)
			if (strcmp(src.t[i].name, dst.t[k].name) == 0)
				break;
		if (k == dst.n) {
			log_warn("copy: table %s is not in the target; left out", src.t[i].name);
			continue;
		}
		src.t[i].is_virtual_to = dst.t[k].is_virtual;
		src.t[j++] = src.t[i];
	}
	src.n = j;
	rc = order_tables(from, src.t, src.n);
	for (i = 0; i < src.n && !rc; i++) {
		rc = count_rows(from, src.t[i].name, &src.t[i].rows_from);
		total += (uint64_t)src.t[i].rows_from;
	}
	if (rc)
		goto out;
	/* SQLite checks foreign keys as each row goes in unless told not to (the pragma is a
	 * no-op inside a transaction, so before BEGIN); the whole is checked before commit */
	if (lite_to)
		rc = db_exec_script(to, "PRAGMA foreign_keys = OFF");
	if (!rc)
		rc = db_begin_write(to);
	if (rc)
		goto out;
	began = true;
	/* what the target's migrations put there (seed rows) gives way to the source's */
	for (i = src.n; i-- > 0 && !rc;) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", src.t[i].name);
		rc = exec_dynamic(to, sql);
	}
	for (i = 0; i < src.n && !rc; i++) {
		if (is_derived(hook, src.t[i].name)) {
			done += (uint64_t)src.t[i].rows_from;
			continue;
		}
		rc = list_cols(from, src.t[i].name, src.t[i].is_virtual, cf);
		if (!rc)
			rc = list_cols(to, src.t[i].name, src.t[i].is_virtual_to, ct);
		if (rc)
			break;
		shared->n = 0;
		for (j = 0; j < cf->n; j++) {
			if (has_col(ct, cf->name[j]))
				memcpy(shared->name[shared->n++], cf->name[j], COPY_NAME_MAX);
			else
				log_warn("copy: column %s.%s is not in the target; left out",
					 src.t[i].name, cf->name[j]);
		}
		rc = copy_table(from, to, &src.t[i], shared, progress, ud, &done, total);
	}
	if (!rc && hook && hook->fill)
		rc = hook->fill(from, to, hook->ud);
	if (!rc && !lite_to)
		rc = reset_sequences(to);
	if (!rc && lite_to) {
		struct db_stmt *st;

		rc = db_get_row(to, "PRAGMA foreign_key_check", &st, NULL);
		if (rc == ERR_OK) {
			log_error("copy: a row of %s refers to a missing row", db_col_text(st, 0));
			db_done(st);
			rc = ERR_DB;
		} else if (rc == ERR_NOT_FOUND) {
			rc = ERR_OK;
		}
	}
	/* the row counts of every table, on both sides, before the commit */
	for (i = 0; i < src.n && !rc; i++) {
		rc = count_rows(to, src.t[i].name, &src.t[i].rows_to);
		if (!rc && src.t[i].rows_to != src.t[i].rows_from) {
			log_error("copy: %s has %lld rows in the source but %lld in the target",
				  src.t[i].name, (long long)src.t[i].rows_from,
				  (long long)src.t[i].rows_to);
			rc = ERR_CONFLICT;
		}
	}
	if (!rc)
		rc = db_commit(to);
out:
	if (rc && began)
		db_rollback(to);
	if (lite_to && db_exec_script(to, "PRAGMA foreign_keys = ON"))
		log_error("copy: cannot turn foreign keys back on");
	db_rollback(from); /* ends the read */
	if (!rc) {
		rep->t = src.t;
		rep->n = src.n;
		src.t = NULL;
	}
	free(src.t);
	free(dst.t);
	free(cf);
	free(ct);
	free(shared);
	return rc;
}
