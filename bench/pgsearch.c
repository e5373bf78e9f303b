/*
 * pgsearch.c - search on SQLite (FTS5, cjk bigrams) beside PostgreSQL (a tsvector of the same
 * bigrams, and pg_trgm), on the same rows: speed, hits, and how alike the rankings are.
 *
 *   pgsearch --sqlite DB --pg URL [--reps N] [QUERY...]   (queries also from BENCH_QUERIES,
 *                                                         separated by |)
 *
 * The PostgreSQL database must hold the translated schema (build/pgschema | psql -1); its
 * search_index is emptied and filled from the SQLite file's, with terms made by
 * cjk_tsvector exactly as src/model/search.c writes them. pg_trgm indexes are made on title
 * and body. Each query runs the core of search_query (match, the newest 4,000 hits, ranked,
 * the best 80; no visibility joins, the same for all three) --reps times after one warm-up;
 * the table gives the median milliseconds, the hit count and the share of SQLite's top 20
 * that each PostgreSQL way also ranks in its top 20. docs/POSTGRESQL.md has the numbers.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "db/cjk.h"
#include "db/db.h"

#define TOP  20
#define MAXQ 64

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "pgsearch: %s: %s\n", what, msg);
	exit(1);
}

static void pg_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		die(sql, PQerrorMessage(c));
	PQclear(r);
}

/* copy_field appends s in COPY's text format (backslash, tab, newline, CR escaped). */
static int copy_field(struct buf *b, const char *s)
{
	int rc = ERR_OK;

	for (; !rc && *s; s++) {
		if (*s == '\\')
			rc = buf_puts(b, "\\\\");
		else if (*s == '\t')
			rc = buf_puts(b, "\\t");
		else if (*s == '\n')
			rc = buf_puts(b, "\\n");
		else if (*s == '\r')
			rc = buf_puts(b, "\\r");
		else
			rc = buf_putc(b, *s);
	}
	return rc;
}

struct loader {
	PGconn *c;
	struct buf line, tsv;
	long n;
};

static int load_row(struct db_stmt *st, void *ud)
{
	struct loader *l = ud;
	const char *title = db_col_text(st, 1), *body = db_col_text(st, 2);
	int rc;

	buf_reset(&l->line);
	rc = cjk_tsvector(title, body, &l->tsv);
	if (!rc)
		rc = buf_printf(&l->line, "%lld\t", (long long)db_col_int(st, 0));
	if (!rc)
		rc = copy_field(&l->line, title);
	if (!rc)
		rc = buf_putc(&l->line, '\t');
	if (!rc)
		rc = copy_field(&l->line, body);
	if (!rc)
		rc = buf_printf(&l->line, "\t%s\t%lld\t%lld\t%lld\t", db_col_text(st, 3),
				(long long)db_col_int(st, 4), (long long)db_col_int(st, 5),
				(long long)db_col_int(st, 6));
	if (!rc)
		rc = copy_field(&l->line, buf_cstr(&l->tsv));
	if (!rc)
		rc = buf_putc(&l->line, '\n');
	if (rc)
		return rc;
	if (PQputCopyData(l->c, l->line.p, (int)l->line.n) != 1)
		die("copy", PQerrorMessage(l->c));
	l->n++;
	return 0;
}

struct terms {
	char t[8][128];
	int n;
};

static void split(const char *q, struct terms *tm)
{
	const char *p = q;

	tm->n = 0;
	while (*p && tm->n < 8) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n && n < sizeof(tm->t[0])) {
			memcpy(tm->t[tm->n], p, n);
			tm->t[tm->n++][n] = '\0';
		}
		p += n;
	}
}

static int is_lone_cjk(const char *t)
{
	return (unsigned char)t[0] >= 0xE0 && strlen(t) == 3;
}

/* the three query texts, as search.c makes them (fts, tsquery) and a LIKE pattern list */
static void make_queries(const struct terms *tm, struct buf *fts, struct buf *tsq)
{
	int i, ntok, n = 0;

	buf_reset(fts);
	buf_reset(tsq);
	for (i = 0; i < tm->n; i++) {
		size_t before = tsq->n;

		if (buf_printf(fts, "%s\"%s\"%s", i ? " " : "", tm->t[i],
			       is_lone_cjk(tm->t[i]) ? "*" : "") ||
		    (n && buf_puts(tsq, " & ")) ||
		    cjk_tsquery_term(tm->t[i], is_lone_cjk(tm->t[i]), tsq, &ntok))
			die("query", "too long");
		if (!ntok) {
			tsq->n = before;
			tsq->p[before] = '\0';
		} else {
			n++;
		}
	}
}

struct ids {
	long long v[256];
	int n;
};

static int id_row(struct db_stmt *st, void *ud)
{
	struct ids *r = ud;

	if (r->n < 256)
		r->v[r->n++] = db_col_int(st, 0);
	return 0;
}

static const char sql_sqlite[] =
    "SELECT rid FROM (SELECT rowid AS rid, rank AS r FROM search_index WHERE search_index"
    " MATCH ?1 ORDER BY rowid DESC LIMIT 4000) ORDER BY r, rid LIMIT 80";
static const char sql_sqlite_n[] = "SELECT COUNT(*) FROM search_index WHERE search_index MATCH ?1";
/* the normalization of ts_rank: $2 (src/model/search.c uses what this measured best) */
static const char sql_bigram[] =
    "SELECT rid FROM (SELECT w.rid, -ts_rank(w.terms, CAST($1 AS tsquery), CAST($2 AS integer))"
    " AS r FROM"
    " (SELECT rowid AS rid, terms FROM search_index WHERE terms @@ CAST($1 AS tsquery)"
    " ORDER BY rowid DESC LIMIT 4000) w) x ORDER BY r, rid LIMIT 80";
static const char sql_bigram_n[] =
    "SELECT COUNT(*) FROM search_index WHERE terms @@ CAST($1 AS tsquery)";

/* pg_trgm: every term in the title or the body (ILIKE: words match without case, as the
 * tokenizer lower-cases them), ranked by word_similarity of the whole query */
static void trgm_sql(int nterms, struct buf *q, struct buf *qn)
{
	struct buf w;
	int i;

	buf_init(&w, 4096);
	for (i = 0; i < nterms; i++)
		if (buf_printf(&w, "%s(title ILIKE $%d OR body ILIKE $%d)", i ? " AND " : "", i + 2,
			       i + 2))
			die("sql", "too long");
	buf_reset(q);
	buf_reset(qn);
	if (buf_printf(q,
		       "SELECT rid FROM (SELECT w.rid, -word_similarity($1, w.title || ' ' ||"
		       " w.body) AS r FROM (SELECT rowid AS rid, title, body FROM search_index"
		       " WHERE %s ORDER BY rowid DESC LIMIT 4000) w) x ORDER BY r, rid LIMIT 80",
		       buf_cstr(&w)) ||
	    buf_printf(qn,
		       "SELECT COUNT(*) FROM search_index WHERE %s AND CAST($1 AS TEXT)"
		       " IS NOT NULL",
		       buf_cstr(&w)))
		die("sql", "too long");
	buf_fini(&w);
}

static PGresult *pg_run(PGconn *c, const char *sql, int n, const char *const *v)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		die(sql, PQerrorMessage(c));
	return r;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n ? v[n / 2] : 0;
}

static int overlap(const struct ids *a, const struct ids *b)
{
	int i, k, n = 0;

	for (i = 0; i < a->n && i < TOP; i++)
		for (k = 0; k < b->n && k < TOP; k++)
			if (a->v[i] == b->v[k]) {
				n++;
				break;
			}
	return n;
}

int main(int argc, char **argv)
{
	const char *sqlite_path = NULL, *url = NULL, *queries[MAXQ];
	struct buf fts, tsq, tq, tqn;
	struct loader l;
	struct db *db;
	PGconn *c;
	PGresult *res;
	double t0, t_load, t_gin, t_trgm;
	double sum_s = 0, sum_b = 0, sum_t = 0;
	int nq = 0, reps = 20, i, k, ov_b = 0, ov_t = 0, top_s = 0;
	char *env = getenv("BENCH_QUERIES"), *envcopy = env ? strdup(env) : NULL;
	const char *norm = getenv("BENCH_PG_NORM") ? getenv("BENCH_PG_NORM") : "1";
	int load = !getenv("BENCH_NO_LOAD");

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sqlite") == 0 && i + 1 < argc)
			sqlite_path = argv[++i];
		else if (strcmp(argv[i], "--pg") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (nq < MAXQ)
			queries[nq++] = argv[i];
	}
	if (envcopy)
		for (char *s = strtok(envcopy, "|"); s && nq < MAXQ; s = strtok(NULL, "|"))
			queries[nq++] = s;
	if (!sqlite_path || !url || reps < 1)
		die("usage", "pgsearch --sqlite DB --pg URL [--reps N] [QUERY...]");
	if (db_open(sqlite_path, 0, &db))
		die(sqlite_path, "cannot open");
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		die(url, PQerrorMessage(c));

	/* load: the SQLite index's rows, with their tsvector (BENCH_NO_LOAD: as loaded before) */
	if (!load)
		goto measure;
	pg_ok(c, "DROP INDEX IF EXISTS search_trgm_title");
	pg_ok(c, "DROP INDEX IF EXISTS search_trgm_body");
	pg_ok(c, "DROP INDEX IF EXISTS search_index_terms");
	pg_ok(c, "TRUNCATE search_index");
	t0 = now_ms();
	res = PQexec(c, "COPY search_index (rowid, title, body, kind, ref, session, org, terms)"
			" FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN)
		die("copy", PQerrorMessage(c));
	PQclear(res);
	memset(&l, 0, sizeof(l));
	l.c = c;
	buf_init(&l.line, BUF_MAX_DEFAULT);
	buf_init(&l.tsv, BUF_MAX_DEFAULT);
	if (db_each(db,
		    "SELECT rowid, title, body, kind, ref, session, org FROM search_index"
		    " ORDER BY rowid",
		    load_row, &l, NULL))
		die("sqlite", db_errmsg(db));
	if (PQputCopyEnd(c, NULL) != 1)
		die("copy end", PQerrorMessage(c));
	res = PQgetResult(c);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		die("copy", PQerrorMessage(c));
	PQclear(res);
	t_load = now_ms() - t0;
	t0 = now_ms();
	pg_ok(c, "CREATE INDEX search_index_terms ON search_index USING gin (terms)");
	t_gin = now_ms() - t0;
	t0 = now_ms();
	pg_ok(c, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
	pg_ok(c, "CREATE INDEX search_trgm_title ON search_index USING gin (title gin_trgm_ops)");
	pg_ok(c, "CREATE INDEX search_trgm_body ON search_index USING gin (body gin_trgm_ops)");
	t_trgm = now_ms() - t0;
	pg_ok(c, "VACUUM ANALYZE search_index");
	res = pg_run(c,
		     "SELECT pg_size_pretty(pg_relation_size('search_index_terms')),"
		     " pg_size_pretty(pg_relation_size('search_trgm_title') +"
		     " pg_relation_size('search_trgm_body')),"
		     " pg_size_pretty(pg_table_size('search_index'))",
		     0, NULL);
	printf("- rows: %ld copied from %s in %.1f s (tsvector made in C); GIN on terms %.1f s "
	       "(%s), pg_trgm GIN on title and body %.1f s (%s); table %s\n",
	       l.n, sqlite_path, t_load / 1e3, t_gin / 1e3, PQgetvalue(res, 0, 0), t_trgm / 1e3,
	       PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	PQclear(res);
measure:
	printf("- ts_rank normalization %s\n", norm);
	printf("- each query %d times after one warm-up; median ms; top-%d: how many of SQLite's "
	       "top %d each way also ranks in its top %d\n\n",
	       reps, TOP, TOP, TOP);
	printf("| query | hits SQLite | hits bigram | hits trgm | SQLite ms | bigram ms | trgm ms |"
	       " top-%d bigram | top-%d trgm |\n|---|---|---|---|---|---|---|---|---|\n",
	       TOP, TOP);

	buf_init(&fts, 4096);
	buf_init(&tsq, 4096);
	buf_init(&tq, 8192);
	buf_init(&tqn, 8192);
	for (i = 0; i < nq; i++) {
		struct terms tm;
		struct ids rs = {{0}, 0}, rb = {{0}, 0}, rt = {{0}, 0};
		double ts[200], tb[200], tt[200], ms, mb, mt;
		const char *vb[2], *vt[9];
		char pat[8][140];
		int64_t n_s = 0;
		long n_b, n_t;
		int r, nrep = reps > 200 ? 200 : reps;

		split(queries[i], &tm);
		if (!tm.n)
			continue;
		make_queries(&tm, &fts, &tsq);
		trgm_sql(tm.n, &tq, &tqn);
		vb[0] = buf_cstr(&tsq);
		vb[1] = norm;
		vt[0] = queries[i];
		for (k = 0; k < tm.n; k++) {
			snprintf(pat[k], sizeof(pat[k]), "%%%s%%", tm.t[k]);
			vt[k + 1] = pat[k];
		}
		for (r = -1; r < nrep; r++) {
			struct ids tmp = {{0}, 0};

			t0 = now_ms();
			if (db_each(db, sql_sqlite, id_row, &tmp, "s", buf_cstr(&fts)))
				die("sqlite", db_errmsg(db));
			if (r >= 0)
				ts[r] = now_ms() - t0;
			rs = tmp;
			t0 = now_ms();
			res = pg_run(c, sql_bigram, 2, vb);
			if (r >= 0)
				tb[r] = now_ms() - t0;
			rb.n = 0;
			for (k = 0; k < PQntuples(res) && k < 256; k++)
				rb.v[rb.n++] = atoll(PQgetvalue(res, k, 0));
			PQclear(res);
			t0 = now_ms();
			res = pg_run(c, buf_cstr(&tq), tm.n + 1, vt);
			if (r >= 0)
				tt[r] = now_ms() - t0;
			rt.n = 0;
			for (k = 0; k < PQntuples(res) && k < 256; k++)
				rt.v[rt.n++] = atoll(PQgetvalue(res, k, 0));
			PQclear(res);
		}
		if (db_get_int(db, sql_sqlite_n, &n_s, "s", buf_cstr(&fts)))
			die("sqlite", db_errmsg(db));
		res = pg_run(c, sql_bigram_n, 1, vb);
		n_b = atol(PQgetvalue(res, 0, 0));
		PQclear(res);
		res = pg_run(c, buf_cstr(&tqn), tm.n + 1, vt);
		n_t = atol(PQgetvalue(res, 0, 0));
		PQclear(res);
		ms = median(ts, nrep);
		mb = median(tb, nrep);
		mt = median(tt, nrep);
		sum_s += ms;
		sum_b += mb;
		sum_t += mt;
		k = rs.n < TOP ? rs.n : TOP;
		top_s += k;
		ov_b += overlap(&rs, &rb);
		ov_t += overlap(&rs, &rt);
		printf("| %s | %lld | %ld | %ld | %.2f | %.2f | %.2f | %d/%d | %d/%d |\n",
		       queries[i], (long long)n_s, n_b, n_t, ms, mb, mt, overlap(&rs, &rb), k,
		       overlap(&rs, &rt), k);
		fflush(stdout);
	}
	printf("| **all %d queries** | | | | %.1f | %.1f | %.1f | %d/%d | %d/%d |\n", nq, sum_s,
	       sum_b, sum_t, ov_b, top_s, ov_t, top_s);
	PQfinish(c);
	db_close(db);
	free(envcopy);
	return 0;
}
