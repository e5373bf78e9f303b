/*
 * pgsearch.c - search on SQLite beside PostgreSQL through the product's own path
 * (search_query, src/model/search.c), on the same database: speed, hits, and whether both
 * give the same top 20 in the same order (issue 13: the same ranking rules on both).
 *
 *   pgsearch --sqlite DB --pg URL [--reps N] [QUERY...]   (queries also from BENCH_QUERIES,
 *                                                         separated by |)
 *
 * The PostgreSQL database is a copy of the SQLite file (shenliao copy --from DB --to URL,
 * which makes the tsvectors and token counts by the same tokenizer). Each query runs as an
 * anonymous visitor (the public search), limit 20, --reps times after one warm-up, with the
 * result cache emptied before each run (the uncached path: what an unseen word costs); the
 * table gives the results each gave (at most 20), the median milliseconds, and whether the
 * two top-20 lists are the same hits in the same order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "model/model.h"
#include "model/search.h"

#define TOP  20
#define MAXQ 1100

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

/* run searches q reps times (after one warm-up), uncached; *ms the median; out the hits */
static void run(struct db *db, const struct actor *a, const char *q, int reps, double *ms,
		struct search_hits *out)
{
	double t[200];
	int r, n = reps > 200 ? 200 : reps;

	for (r = -1; r < n; r++) {
		double t0;

		search_hits_release(out);
		search_cache_clear();
		t0 = now_ms();
		if (search_query(db, a, q, NULL, TOP, out))
			die(q, db_errmsg(db));
		if (r >= 0)
			t[r] = now_ms() - t0;
	}
	*ms = median(t, n);
}

static int same_at(const struct search_hits *x, const struct search_hits *y, size_t i)
{
	return i < x->n && i < y->n && x->v[i].id == y->v[i].id &&
	       strcmp(x->v[i].kind, y->v[i].kind) == 0;
}

static int overlap(const struct search_hits *x, const struct search_hits *y)
{
	size_t i, k;
	int n = 0;

	for (i = 0; i < x->n; i++)
		for (k = 0; k < y->n; k++)
			if (x->v[i].id == y->v[k].id && strcmp(x->v[i].kind, y->v[k].kind) == 0) {
				n++;
				break;
			}
	return n;
}

int main(int argc, char **argv)
{
	const char *sqlite_path = NULL, *url = NULL, *queries[MAXQ];
	struct db *lite, *pg;
	struct actor anon;
	double sum_s = 0, sum_p = 0;
	int nq = 0, reps = 20, i, same_lists = 0, nlists = 0, ov = 0, tot = 0, pos_same = 0;
	char *env = getenv("BENCH_QUERIES"), *envcopy = env ? strdup(env) : NULL;

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
	if (db_open(sqlite_path, 0, &lite))
		die(sqlite_path, "cannot open");
	if (db_open(url, 0, &pg))
		die("postgresql", "cannot connect");
	memset(&anon, 0, sizeof(anon));
	anon.via = AUTH_NONE;
	printf("- each query as an anonymous visitor, limit %d, %d times after one warm-up, the "
	       "result cache emptied before each; median ms; same: the two top-%d lists are the "
	       "same hits in the same order; shared: hits in both lists\n\n",
	       TOP, reps, TOP);
	printf("| query | results SQLite | results PostgreSQL | SQLite ms | PostgreSQL ms | same |"
	       " shared |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nq; i++) {
		struct search_hits hs, hp;
		double ms, mp;
		size_t k;
		int same = 1, o;

		search_hits_init(&hs);
		search_hits_init(&hp);
		run(lite, &anon, queries[i], reps, &ms, &hs);
		run(pg, &anon, queries[i], reps, &mp, &hp);
		same = hs.n == hp.n;
		for (k = 0; k < hs.n && k < hp.n; k++) {
			if (same_at(&hs, &hp, k))
				pos_same++;
			else
				same = 0;
		}
		o = overlap(&hs, &hp);
		ov += o;
		tot += (int)(hs.n > hp.n ? hs.n : hp.n);
		same_lists += same;
		nlists++;
		sum_s += ms;
		sum_p += mp;
		printf("| %s | %zu | %zu | %.2f | %.2f | %s | %d/%zu |\n", queries[i], hs.n, hp.n,
		       ms, mp, same ? "yes" : "**no**", o, hs.n > hp.n ? hs.n : hp.n);
		fflush(stdout);
		search_hits_release(&hs);
		search_hits_release(&hp);
	}
	printf("| **all %d queries** | | | %.1f | %.1f | %d/%d | %d/%d |\n", nlists, sum_s, sum_p,
	       same_lists, nlists, ov, tot);
	printf("\n- hits at the same place in both lists: %d of %d\n", pos_same, tot);
	db_close(lite);
	db_close(pg);
	return 0;
}
