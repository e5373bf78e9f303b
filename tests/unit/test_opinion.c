/*
 * test_opinion.c - the opinion engine step by step on small hand-computed cases: the vote
 * matrix (latest vote wins, canonical order, moderation, merge), PCA on matrices with known
 * components, projection, k-means and silhouette, repness / consensus / group-informed
 * consensus on counted examples (expected values from shared/reference/polis_ref.py), the
 * in-conversation rule with its top-up, agreement by category, and the adjusted Rand index.
 * The real Pol.is conversations are in test_opinion_polis.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "opinion/category.h"
#include "opinion/kmeans.h"
#include "opinion/opinion.h"
#include "opinion/par.h"
#include "opinion/pca.h"
#include "opinion/repness.h"
#include "opinion/votes.h"

#define EPS		       1e-9
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* ---- helpers --------------------------------------------------------------------------- */

struct tv {
	int64_t p, s;
	int v;
	int64_t t;
};

/* A test conversation: ids in order of first appearance (deliberately not canonical). */
struct conv {
	int64_t pid[4096], sid[16384];
	uint8_t mod[16384];
	size_t np, ns;
	struct opinion_vote votes[65536];
	size_t nv;
};

static uint32_t index_of(int64_t *ids, size_t *n, int64_t id)
{
	size_t i;

	for (i = *n; i > 0; i--) /* latest first: fillers add ids in order */
		if (ids[i - 1] == id)
			return (uint32_t)(i - 1);
	ids[*n] = id;
	return (uint32_t)(*n)++;
}

static void conv_add(struct conv *c, const struct tv *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct opinion_vote *v = &c->votes[c->nv++];

		v->participant = index_of(c->pid, &c->np, t[i].p);
		v->statement = index_of(c->sid, &c->ns, t[i].s);
		v->value = (int8_t)t[i].v;
		v->time = t[i].t;
	}
}

static void conv_moderate(struct conv *c, int64_t sid)
{
	c->mod[index_of(c->sid, &c->ns, sid)] = 1;
}

static void conv_input(const struct conv *c, struct opinion_input *in)
{
	in->participant_ids = c->pid;
	in->n_participants = c->np;
	in->statement_ids = c->sid;
	in->n_statements = c->ns;
	in->moderated_out = c->mod;
	in->votes = c->votes;
	in->n_votes = c->nv;
}

static struct vote_matrix *conv_matrix(const struct conv *c)
{
	struct opinion_input in;
	struct vote_matrix *m = NULL;

	conv_input(c, &in);
	assert_int_equal(vote_matrix_build(&in, 2, &m), ERR_OK);
	return m;
}

/* cell returns the vote of participant id p on statement id s, or 99 when there is none. */
static int cell(const struct vote_matrix *m, int64_t p, int64_t s)
{
	ptrdiff_t r = vote_matrix_find(m->row_ids, m->n_rows, p);
	ptrdiff_t j = vote_matrix_find(m->col_ids, m->n_cols, s);
	size_t e;

	if (r < 0 || j < 0)
		return 99;
	for (e = m->row_ptr[r]; e < m->row_ptr[r + 1]; e++)
		if (m->col[e] == (uint32_t)j)
			return m->val[e];
	return 99;
}

static uint64_t rng_state = 42;

static uint64_t rnd(void)
{
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* ---- the vote matrix ------------------------------------------------------------------- */

static void test_latest_vote_wins(void **state)
{
	static const struct tv t[] = {
	    {7, 3, 1, 100}, {7, 3, -1, 300}, {7, 3, 0, 200}, /* latest (300) wins: -1 */
	    {5, 3, -1, 50}, {5, 3, 1, 40},		     /* 50 wins: -1 */
	    {5, 9, 1, 10},  {5, 9, -1, 10},		     /* tie in time: larger value, +1 */
	    {9, 9, 0, 1},				     /* single pass */
	};
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;

	(void)state;
	conv_add(c, t, sizeof(t) / sizeof(t[0]));
	m = conv_matrix(c);
	assert_int_equal(m->n_rows, 3);
	assert_int_equal(m->n_cols, 2);
	assert_int_equal(m->nnz, 4);
	assert_int_equal(cell(m, 7, 3), -1);
	assert_int_equal(cell(m, 5, 3), -1);
	assert_int_equal(cell(m, 5, 9), 1);
	assert_int_equal(cell(m, 9, 9), 0);
	assert_int_equal(cell(m, 7, 9), 99);
	/* canonical order: ids ascending whatever the input order */
	assert_true(m->row_ids[0] == 5 && m->row_ids[1] == 7 && m->row_ids[2] == 9);
	assert_true(m->col_ids[0] == 3 && m->col_ids[1] == 9);
	vote_matrix_free(m);
	free(c);
}

static void test_matrix_order_independent(void **state)
{
	struct conv *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct tv t[300];
	struct vote_matrix *ma, *mb;
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++) {
		t[i].p = (int64_t)(rnd() % 40);
		t[i].s = (int64_t)(rnd() % 12) * 10;
		t[i].v = (int)(rnd() % 3) - 1;
		t[i].t = (int64_t)(rnd() % 50);
	}
	conv_add(a, t, 300);
	for (i = 299; i > 0; i--) { /* shuffle */
		size_t j = (size_t)(rnd() % (i + 1));
		struct tv x = t[i];

		t[i] = t[j];
		t[j] = x;
	}
	conv_add(b, t, 300);
	ma = conv_matrix(a);
	mb = conv_matrix(b);
	assert_int_equal(ma->nnz, mb->nnz);
	assert_int_equal(ma->n_rows, mb->n_rows);
	assert_memory_equal(ma->row_ids, mb->row_ids, ma->n_rows * sizeof(int64_t));
	assert_memory_equal(ma->row_ptr, mb->row_ptr, (ma->n_rows + 1) * sizeof(size_t));
	assert_memory_equal(ma->col, mb->col, ma->nnz * sizeof(uint32_t));
	assert_memory_equal(ma->val, mb->val, ma->nnz);
	vote_matrix_free(ma);
	vote_matrix_free(mb);
	free(a);
	free(b);
}

static void test_matrix_wide_rows(void **state)
{
	/* 12000 statements, so a row of 6 votes is sorted by keys rather than marked in a
	 * bitmap (see dedupe_part): the same latest-vote-wins and column order must come out */
	static const struct tv t[] = {{1, 2900, 1, 5}, {1, 17, -1, 5},	 {1, 2900, -1, 9},
				      {1, 400, 0, 1},  {1, 17, 1, 2},	 {1, 1, 1, 1},
				      {2, 5, 1, 1},    {2, 2999, -1, 1}, {2, 5, 0, 1}};
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	size_t j, e;

	(void)state;
	for (j = 0; j < 12000; j++) { /* a filler voter makes every statement a column */
		struct tv f = {99, (int64_t)j, 0, 0};

		conv_add(c, &f, 1);
	}
	conv_add(c, t, sizeof(t) / sizeof(t[0]));
	m = conv_matrix(c);
	assert_int_equal(m->n_cols, 12000);
	assert_int_equal(cell(m, 1, 2900), -1);
	assert_int_equal(cell(m, 1, 17), -1);
	assert_int_equal(cell(m, 1, 400), 0);
	assert_int_equal(cell(m, 1, 1), 1);
	assert_int_equal(cell(m, 2, 5), 1); /* equal times: the larger value */
	assert_int_equal(cell(m, 2, 2999), -1);
	assert_int_equal(m->row_ptr[1] - m->row_ptr[0], 4);
	assert_int_equal(m->row_ptr[2] - m->row_ptr[1], 2);
	for (e = m->row_ptr[0] + 1; e < m->row_ptr[1]; e++)
		assert_true(m->col[e - 1] < m->col[e]);
	vote_matrix_free(m);
	free(c);
}

static void test_matrix_rejects_bad_input(void **state)
{
	int64_t pid[2] = {1, 1}, sid[1] = {5};
	struct opinion_vote v[2] = {{0, 0, 0, 1}, {0, 1, 0, 1}};
	struct opinion_input in = {pid, 2, sid, 1, NULL, v, 2};
	struct vote_matrix *m = NULL;

	(void)state;
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_INVALID); /* id 1 twice */
	pid[1] = 2;
	v[1].value = -2;
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_INVALID); /* value -2 */
	v[1].value = -1;
	v[1].statement = 1;
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_INVALID); /* index out of range */
	v[1].statement = 0;
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_OK);
	assert_int_equal(m->nnz, 2);
	vote_matrix_free(m);
	in.n_votes = 0; /* no votes: an empty matrix */
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_OK);
	assert_int_equal(m->n_rows, 0);
	assert_int_equal(m->n_cols, 0);
	vote_matrix_free(m);
}

static void test_moderation_flags(void **state)
{
	static const struct tv t[] = {{1, 10, 1, 0}, {1, 20, -1, 0}, {2, 20, 1, 0}};
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;

	(void)state;
	conv_add(c, t, 3);
	conv_moderate(c, 20);
	conv_moderate(c, 30); /* no votes: not a column at all */
	m = conv_matrix(c);
	assert_int_equal(m->n_cols, 2);
	assert_int_equal(m->n_moderated, 1);
	assert_int_equal(m->moderated[0], 0);
	assert_int_equal(m->moderated[1], 1);
	assert_int_equal(cell(m, 1, 20), -1); /* votes are kept; the math ignores them */
	vote_matrix_free(m);
	free(c);
}

static void test_matrix_merge(void **state)
{
	static const struct tv old[] = {
	    {1, 10, 1, 0}, {1, 30, 1, 0}, {5, 10, -1, 0}, {5, 30, 0, 0}};
	static const struct tv add[] = {
	    {5, 10, 1, 9}, {3, 20, -1, 9}, {1, 20, 0, 9}, {1, 20, 1, 10}, {9, 30, -1, 9}};
	struct conv *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b)), *all;
	struct opinion_input in;
	struct vote_matrix *ma, *mm = NULL, *mall;

	(void)state;
	all = calloc(1, sizeof(*all));
	conv_add(a, old, 4);
	conv_add(b, add, 5);
	conv_moderate(b, 30);
	ma = conv_matrix(a);
	conv_input(b, &in);
	assert_int_equal(vote_matrix_merge(ma, &in, 2, &mm), ERR_OK);
	assert_int_equal(mm->n_rows, 4);
	assert_int_equal(mm->n_cols, 3);
	assert_true(mm->row_ids[0] == 1 && mm->row_ids[1] == 3 && mm->row_ids[2] == 5 &&
		    mm->row_ids[3] == 9);
	assert_true(mm->col_ids[0] == 10 && mm->col_ids[1] == 20 && mm->col_ids[2] == 30);
	assert_int_equal(cell(mm, 5, 10), 1); /* replaced */
	assert_int_equal(cell(mm, 1, 20), 1); /* latest of the new ones */
	assert_int_equal(cell(mm, 1, 10), 1); /* kept */
	assert_int_equal(cell(mm, 5, 30), 0);
	assert_int_equal(cell(mm, 9, 30), -1);
	assert_int_equal(mm->moderated[2], 1);
	assert_int_equal(mm->n_moderated, 1);
	/* the same as building from all the votes at once */
	conv_add(all, old, 4);
	conv_add(all, add, 5);
	conv_moderate(all, 30);
	mall = conv_matrix(all);
	assert_int_equal(mall->nnz, mm->nnz);
	assert_memory_equal(mall->row_ptr, mm->row_ptr, (mm->n_rows + 1) * sizeof(size_t));
	assert_memory_equal(mall->col, mm->col, mm->nnz * sizeof(uint32_t));
	assert_memory_equal(mall->val, mm->val, mm->nnz);
	vote_matrix_free(ma);
	vote_matrix_free(mm);
	vote_matrix_free(mall);
	free(a);
	free(b);
	free(all);
}

/* ---- PCA and projection --------------------------------------------------------------------- */

static void test_pca_known_components(void **state)
{
	/* rows u, -u, v, -v, u, -u with u = (1,1,-1,-1), v = (1,-1,1,-1): column means 0,
	 * X^T X = 4 u u^T + 2 v v^T, so the components are u/2 (eigenvalue 16) and v/2 (8) */
	static const int rows[6][4] = {{1, 1, -1, -1}, {-1, -1, 1, 1}, {1, -1, 1, -1},
				       {-1, 1, -1, 1}, {1, 1, -1, -1}, {-1, -1, 1, 1}};
	struct conv *c = calloc(1, sizeof(*c));
	struct pca_params pp = {1000, 1e-12, 1};
	struct vote_matrix *m;
	struct pca p;
	double xy[12];
	size_t i, j;

	(void)state;
	for (i = 0; i < 6; i++) {
		for (j = 0; j < 4; j++) {
			struct tv t = {(int64_t)i, (int64_t)j, rows[i][j], 0};

			conv_add(c, &t, 1);
		}
	}
	m = conv_matrix(c);
	assert_int_equal(pca_fit(m, NULL, NULL, &pp, &p), ERR_OK);
	assert_true(p.converged);
	assert_near(p.eigval[0], 16, 1e-9);
	assert_near(p.eigval[1], 8, 1e-9);
	for (j = 0; j < 4; j++) {
		assert_near(p.center[j], 0, EPS);
		/* sign rule: the largest-magnitude entry (first on ties) is positive */
		assert_near(p.comp[0][j], 0.5 * rows[0][j], 1e-9);
		assert_near(p.comp[1][j], 0.5 * rows[2][j], 1e-9);
	}
	assert_int_equal(pca_project(m, &p, 1, xy), ERR_OK);
	assert_near(xy[0], 2, 1e-9); /* u . comp0 = 2, scale sqrt(4/4) */
	assert_near(xy[1], 0, 1e-9);
	assert_near(xy[4], 0, 1e-9);
	assert_near(xy[5], 2, 1e-9);
	assert_near(xy[6], 0, 1e-9);
	assert_near(xy[7], -2, 1e-9);
	pca_fini(&p);
	vote_matrix_free(m);
	free(c);
}

static void test_pca_sparse_moderated_projection(void **state)
{
	/* X = [[1,1],[-1,0],[0,-1]] after mean imputation and centring (means 0); X^T X =
	 * [[2,1],[1,2]]: components (1,1)/sqrt2 (3) and (1,-1)/sqrt2 (1). Statement 7 is
	 * moderated out: a zero column that still counts as voted in the projection. */
	static const struct tv t[] = {{1, 0, 1, 0},  {1, 1, 1, 0}, {2, 0, -1, 0},
				      {3, 1, -1, 0}, {1, 7, 1, 0}, {2, 7, -1, 0}};
	struct conv *c = calloc(1, sizeof(*c));
	struct pca_params pp = {1000, 1e-12, 2};
	const double h = sqrt(0.5), s32 = sqrt(1.5);
	struct vote_matrix *m;
	struct pca p, pw;
	double xy[6];

	(void)state;
	conv_add(c, t, 6);
	conv_moderate(c, 7);
	m = conv_matrix(c);
	assert_int_equal(pca_fit(m, NULL, NULL, &pp, &p), ERR_OK);
	assert_near(p.eigval[0], 3, 1e-9);
	assert_near(p.eigval[1], 1, 1e-9);
	assert_near(p.comp[0][0], h, 1e-9);
	assert_near(p.comp[0][1], h, 1e-9);
	assert_near(p.comp[0][2], 0, 1e-12);
	assert_near(p.comp[1][0], h, 1e-9);
	assert_near(p.comp[1][1], -h, 1e-9);
	assert_near(p.center[2], 0, 0); /* moderated column: mean 0 */
	assert_int_equal(pca_project(m, &p, 1, xy), ERR_OK);
	/* participant 1: voted 0, 1 and (moderated) 7: scale sqrt(3/3) */
	assert_near(xy[0], 2 * h, 1e-9);
	assert_near(xy[1], 0, 1e-9);
	/* participant 2: voted 0 and 7: scale sqrt(3/2); X row (-1, 0) */
	assert_near(xy[2], -h * s32, 1e-9);
	assert_near(xy[3], -h * s32, 1e-9);
	/* participant 3: voted 1 only, the moderated column counts: scale sqrt(3/2) */
	assert_near(xy[4], -h * s32, 1e-9);
	assert_near(xy[5], h * s32, 1e-9);

	/* a warm start from the answer converges in one pass, same result and sign */
	assert_int_equal(pca_fit(m, p.comp[0], p.comp[1], &pp, &pw), ERR_OK);
	assert_int_equal(pw.passes, 1);
	assert_near(pw.comp[0][0], p.comp[0][0], 1e-12);
	assert_near(pw.comp[1][1], p.comp[1][1], 1e-12);
	pca_fini(&pw);
	/* a warm start of the opposite sign keeps that sign */
	{
		double w0[3], w1[3];
		size_t j;

		for (j = 0; j < 3; j++) {
			w0[j] = -p.comp[0][j];
			w1[j] = -p.comp[1][j];
		}
		assert_int_equal(pca_fit(m, w0, w1, &pp, &pw), ERR_OK);
		assert_near(pw.comp[0][0], -h, 1e-9);
		assert_near(pw.comp[1][0], -h, 1e-9);
		pca_fini(&pw);
	}
	pca_fini(&p);
	vote_matrix_free(m);
	free(c);
}

static void test_pca_warm_start_saves_passes(void **state)
{
	/* 400 participants in 3 camps on 150 statements, with noise; then 1% more votes */
	struct conv *c = calloc(1, sizeof(*c));
	struct pca_params pp = {1000, 1e-9, 1};
	struct vote_matrix *m, *m2 = NULL;
	struct opinion_input in;
	struct pca cold, warm, cold2;
	size_t i, j, extra;

	(void)state;
	for (i = 0; i < 400; i++) {
		for (j = 0; j < 150; j++) {
			struct tv t = {(int64_t)i, (int64_t)j, 0, (int64_t)j};
			int camp = (int)(i % 3), lean = (int)((j * 7 + (size_t)camp * 11) % 3) - 1;

			if (rnd_unit() < 0.65)
				continue;
			t.v = rnd_unit() < 0.8 ? lean : (int)(rnd() % 3) - 1;
			conv_add(c, &t, 1);
		}
	}
	m = conv_matrix(c);
	assert_int_equal(pca_fit(m, NULL, NULL, &pp, &cold), ERR_OK);
	extra = c->nv;
	for (i = 0; i < 210; i++) {
		struct tv t = {(int64_t)(rnd() % 400), (int64_t)(rnd() % 150), (int)(rnd() % 3) - 1,
			       1000};

		conv_add(c, &t, 1);
	}
	conv_input(c, &in);
	in.votes += extra;
	in.n_votes -= extra;
	assert_int_equal(vote_matrix_merge(m, &in, 1, &m2), ERR_OK);
	assert_int_equal(pca_fit(m2, NULL, NULL, &pp, &cold2), ERR_OK);
	/* warm vectors are indexed like m2's columns: the statements did not change */
	assert_int_equal(m2->n_cols, m->n_cols);
	assert_int_equal(pca_fit(m2, cold.comp[0], cold.comp[1], &pp, &warm), ERR_OK);
	assert_true(warm.converged);
	print_message("passes: cold %u, warm %u\n", cold2.passes, warm.passes);
	assert_true(warm.passes < cold2.passes);
	for (j = 0; j < m2->n_cols; j++) {
		assert_near(fabs(warm.comp[0][j]), fabs(cold2.comp[0][j]), 1e-6);
		assert_near(fabs(warm.comp[1][j]), fabs(cold2.comp[1][j]), 1e-6);
	}
	pca_fini(&cold);
	pca_fini(&warm);
	pca_fini(&cold2);
	vote_matrix_free(m);
	vote_matrix_free(m2);
	free(c);
}

static void test_eigen_sym(void **state)
{
	double a[9] = {2, 1, 0, 1, 2, 0, 0, 0, 5}, w[3], v[9];

	(void)state;
	pca_eigen_sym(a, 3, w, v);
	assert_near(w[0], 5, 1e-12);
	assert_near(w[1], 3, 1e-12);
	assert_near(w[2], 1, 1e-12);
	assert_near(fabs(v[2 * 3 + 0]), 1, 1e-12);	   /* e3 for 5 */
	assert_near(fabs(v[0 * 3 + 1]), sqrt(0.5), 1e-12); /* (1,1,0)/sqrt2 for 3 */
}

/* ---- k-means and silhouette ----------------------------------------------------------------- */

static void test_kmeans_separable(void **state)
{
	/* the reference: polis_kmeans(X, 3) with a duplicate first row: init rows 0, 2, 3 */
	static const double x[] = {0, 0, 0, 0, 1, 0, 10, 10, 11, 10, 10, 11, 0, 1};
	struct kmeans_params kp = {100, 1};
	uint32_t lab[7], sizes[3];
	double cen[6];
	size_t k, idx[3];
	unsigned it;

	(void)state;
	assert_int_equal(kmeans_first_distinct(x, 7, 3, idx), 3);
	assert_true(idx[0] == 0 && idx[1] == 2 && idx[2] == 3);
	assert_int_equal(kmeans_fit(x, NULL, 7, 3, NULL, 0, &kp, lab, cen, sizes, &k, &it), 0);
	assert_int_equal(k, 3);
	assert_true(lab[0] == 0 && lab[1] == 0 && lab[2] == 1 && lab[3] == 2 && lab[4] == 2 &&
		    lab[5] == 2 && lab[6] == 0);
	assert_near(cen[0], 0, EPS);
	assert_near(cen[1], 1.0 / 3, EPS);
	assert_near(cen[2], 1, EPS);
	assert_near(cen[3], 0, EPS);
	assert_near(cen[4], 31.0 / 3, EPS);
	assert_near(cen[5], 31.0 / 3, EPS);
	assert_true(sizes[0] == 3 && sizes[1] == 1 && sizes[2] == 3);
}

static void test_kmeans_weighted_and_dropped(void **state)
{
	/* the reference: polis_kmeans(X, 2, weights=[1,3,1,1]) */
	static const double x[] = {0, 0, 5, 0, 6, 0, 0, 1};
	static const double w[] = {1, 3, 1, 1};
	/* a start with a centre nobody is near: it is dropped, the others keep their order */
	static const double init[] = {0, 0, 100, 100, 5, 0};
	struct kmeans_params kp = {20, 1};
	uint32_t lab[4];
	double cen[6];
	size_t k;

	(void)state;
	assert_int_equal(kmeans_fit(x, w, 4, 2, NULL, 0, &kp, lab, cen, NULL, &k, NULL), 0);
	assert_int_equal(k, 2);
	assert_true(lab[0] == 0 && lab[1] == 1 && lab[2] == 1 && lab[3] == 0);
	assert_near(cen[0], 0, EPS);
	assert_near(cen[1], 0.5, EPS);
	assert_near(cen[2], 5.25, EPS); /* (3*5 + 6) / 4 */
	assert_near(cen[3], 0, EPS);
	assert_int_equal(kmeans_fit(x, w, 4, 0, init, 3, &kp, lab, cen, NULL, &k, NULL), 0);
	assert_int_equal(k, 2);
	assert_true(lab[0] == 0 && lab[1] == 1 && lab[2] == 1 && lab[3] == 0);
	assert_near(cen[2], 5.25, EPS);
	/* no points */
	assert_int_equal(kmeans_fit(x, w, 0, 2, NULL, 0, &kp, lab, cen, NULL, &k, NULL), 0);
	assert_int_equal(k, 0);
}

static int pt_cmp(const void *a, const void *b)
{
	const double *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	if (x[1] != y[1])
		return x[1] < y[1] ? -1 : 1;
	return 0;
}

/* naive_kmeans: Pol.is's k-means written plainly, to check the accelerated one against */
static size_t naive_kmeans(const double *x, size_t n, size_t k, unsigned max_iters, uint32_t *lab,
			   double *cen)
{
	size_t idx[128], kc = kmeans_first_distinct(x, n, k, idx), i, j, kn;
	double c[256], nc[256], sx[128], sy[128], cnt[128];
	uint32_t keep[128];
	unsigned it = max_iters;

	for (j = 0; j < kc; j++) {
		c[2 * j] = x[2 * idx[j]];
		c[2 * j + 1] = x[2 * idx[j] + 1];
	}
	for (;;) {
		bool same = true;

		memset(sx, 0, sizeof(sx));
		memset(sy, 0, sizeof(sy));
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++) {
			double best = INFINITY;

			for (j = 0; j < kc; j++) {
				double dx = x[2 * i] - c[2 * j], dy = x[2 * i + 1] - c[2 * j + 1];

				if (dx * dx + dy * dy < best) {
					best = dx * dx + dy * dy;
					lab[i] = (uint32_t)j;
				}
			}
			sx[lab[i]] += 1.0 * x[2 * i];
			sy[lab[i]] += 1.0 * x[2 * i + 1];
			cnt[lab[i]] += 1.0;
		}
		for (j = kn = 0; j < kc; j++) {
			if (cnt[j] == 0)
				continue;
			keep[j] = (uint32_t)kn;
			nc[2 * kn] = sx[j] / cnt[j];
			nc[2 * kn + 1] = sy[j] / cnt[j];
			kn++;
		}
		/* Pol.is's same-clustering: sorted lists, pairwise (zip stops at the shorter) */
		{
			double a[256], b[256];

			memcpy(a, c, 2 * kc * sizeof(double));
			memcpy(b, nc, 2 * kn * sizeof(double));
			qsort(a, kc, 2 * sizeof(double), pt_cmp);
			qsort(b, kn, 2 * sizeof(double), pt_cmp);
			for (j = 0; j < (kc < kn ? kc : kn) && same; j++)
				if (!(hypot(a[2 * j] - b[2 * j], a[2 * j + 1] - b[2 * j + 1]) <
				      0.01))
					same = false;
		}
		if (it == 0 || same) {
			for (i = 0; i < n; i++)
				lab[i] = keep[lab[i]];
			memcpy(cen, nc, 2 * kn * sizeof(double));
			return kn;
		}
		memcpy(c, nc, 2 * kn * sizeof(double));
		for (i = 0; i < n; i++)
			lab[i] = keep[lab[i]];
		kc = kn;
		it--;
	}
}

static void test_kmeans_accelerated_matches_plain(void **state)
{
	/* enough points that the grid path runs (n * k > 2^21) */
	enum { N = 22000, K = 100 };
	double *x = malloc(2 * N * sizeof(double)), cen[2 * K], cen2[2 * K];
	uint32_t *lab = malloc(N * sizeof(uint32_t)), *lab2 = malloc(N * sizeof(uint32_t));
	struct kmeans_params kp = {100, 2};
	size_t i, k, k2;

	(void)state;
	for (i = 0; i < N; i++) {
		double a = 6.283185307179586 * (double)(i % 5) / 5;

		x[2 * i] = 4 * cos(a) + rnd_unit() * 2;
		x[2 * i + 1] = 4 * sin(a) + rnd_unit() * 2;
	}
	assert_int_equal(kmeans_fit(x, NULL, N, K, NULL, 0, &kp, lab, cen, NULL, &k, NULL), 0);
	k2 = naive_kmeans(x, N, K, 100, lab2, cen2);
	assert_int_equal(k, k2);
	assert_memory_equal(lab, lab2, N * sizeof(uint32_t));
	for (i = 0; i < 2 * k; i++)
		assert_near(cen[i], cen2[i], 1e-9);
	free(x);
	free(lab);
	free(lab2);
}

static void test_silhouette(void **state)
{
	static const double x[] = {0, 0, 1, 0, 10, 0, 11, 0};
	static const uint32_t l[] = {0, 0, 1, 1}, l1[] = {0, 0, 0, 0}, l2[] = {0, 0, 1};

	(void)state;
	assert_near(kmeans_silhouette(x, 4, l), 0.899749373434, 1e-11);
	assert_near(kmeans_silhouette(x, 4, l1), -1, 0); /* one cluster */
	/* a singleton's point scores 0: the reference gives 0.516666666667 */
	{
		static const double y[] = {0, 0, 1, 0, 5, 0};

		assert_near(kmeans_silhouette(y, 3, l2), 0.516666666667, 1e-11);
	}
}

/* ---- repness, consensus, gic ----------------------------------------------------------------- */

/* counts per statement, (na, nd, ns), group A and group B: the example of the report */
static const struct repness_counts ga[6] = {{9, 1, 10}, {5, 5, 10},  {2, 6, 9},
					    {8, 0, 10}, {10, 0, 10}, {0, 0, 0}};
static const struct repness_counts gb[6] = {{1, 8, 10}, {5, 4, 10},  {7, 1, 9},
					    {9, 0, 10}, {0, 10, 10}, {3, 0, 4}};
static const uint8_t skip4[6] = {0, 0, 0, 0, 1, 0};

static void test_repness_formulas(void **state)
{
	(void)state;
	assert_near(repness_prop_test(3, 4), 1.3416407865, 1e-10);
	assert_near(repness_two_prop(8, 2, 10, 10), 2.56904651573, 1e-10);
	assert_near(repness_two_prop(10, 10, 10, 10), 0, 0); /* pooled share 1 */
}

static void test_repness_select(void **state)
{
	struct repness_entry e[REPNESS_MAX];
	size_t n;

	(void)state;
	/* polis_ref.repness on the same counts:
	 *   group 0: 0 agree n=9 ns=10 p=0.833333333333 pt=2.7136021012 r=5 rt=3.42539535431
	 *   group 1: 2 agree n=7 ns=9 p=0.727272727273 pt=1.8973665961 r=2.66666666667
	 *              rt=2.24733287488; 0 disagree n=8 ns=10 p=0.75 pt=2.11057941204 r=4.5
	 *              rt=2.98481002898 */
	n = repness_select(ga, gb, 6, skip4, e);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].col, 0);
	assert_int_equal(e[0].agree, 1);
	assert_int_equal(e[0].n, 9);
	assert_int_equal(e[0].ns, 10);
	assert_near(e[0].p, 0.833333333333, 1e-11);
	assert_near(e[0].pz, 2.7136021012, 1e-10);
	assert_near(e[0].r, 5, 1e-11);
	assert_near(e[0].rz, 3.42539535431, 1e-10);
	n = repness_select(gb, ga, 6, skip4, e);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].col, 2);
	assert_int_equal(e[0].agree, 1);
	assert_int_equal(e[0].n, 7);
	assert_near(e[0].p, 0.727272727273, 1e-11);
	assert_near(e[0].pz, 1.8973665961, 1e-10);
	assert_near(e[0].r, 2.66666666667, 1e-10);
	assert_near(e[0].rz, 2.24733287488, 1e-10);
	assert_int_equal(e[1].col, 0);
	assert_int_equal(e[1].agree, 0);
	assert_int_equal(e[1].n, 8);
	assert_near(e[1].p, 0.75, 1e-12);
	assert_near(e[1].rz, 2.98481002898, 1e-10);
	/* without the skip the moderated statement 4 would be group 0's best */
	n = repness_select(ga, gb, 6, NULL, e);
	assert_true(n >= 1);
	assert_int_equal(e[0].col, 4);
}

static void test_consensus_and_gic(void **state)
{
	struct repness_counts all[6];
	struct consensus_entry ag[CONSENSUS_MAX], dg[CONSENSUS_MAX];
	struct repness_counts groups[12];
	double gic[6];
	size_t na, nd, j;

	(void)state;
	for (j = 0; j < 6; j++) {
		all[j].na = ga[j].na + gb[j].na;
		all[j].nd = ga[j].nd + gb[j].nd;
		all[j].ns = ga[j].ns + gb[j].ns;
		groups[j] = ga[j];
		groups[6 + j] = gb[j];
	}
	/* polis_ref.consensus: agree [3 (n=17, ns=20, p=0.818181818182), 5 (3, 4, 0.6667)],
	 * disagree none */
	repness_consensus(all, 6, skip4, ag, &na, dg, &nd);
	assert_int_equal(na, 2);
	assert_int_equal(nd, 0);
	assert_int_equal(ag[0].col, 3);
	assert_int_equal(ag[0].n, 17);
	assert_int_equal(ag[0].ns, 20);
	assert_near(ag[0].p, 0.818181818182, 1e-11);
	assert_int_equal(ag[1].col, 5);
	assert_near(ag[1].p, 4.0 / 6, 1e-12);
	/* gic = prod_g (A_g+1)/(S_g+2) */
	repness_gic(groups, 2, 6, gic);
	assert_near(gic[0], (10.0 / 12) * (2.0 / 12), 1e-12);
	assert_near(gic[3], (9.0 / 12) * (10.0 / 12), 1e-12);
	assert_near(gic[5], (1.0 / 2) * (4.0 / 6), 1e-12);
}

/* ---- the in-conversation rule -----------------------------------------------------------------
 */

static void test_in_conversation_top_up(void **state)
{
	/* 20 statements; ten participants (100..109) with 8 votes each qualify; the top-up adds
	 * the five most active of the rest: 200 (6), 201 (6), 202 (5), then of 203, 204, 205
	 * (4 each) the lower ids 203 and 204 */
	static const int extra[] = {6, 6, 5, 4, 4, 4, 2, 1};
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	struct opinion_result *r = NULL;
	size_t i, j, grouped = 0;

	(void)state;
	for (i = 0; i < 10; i++)
		for (j = 0; j < 8; j++) {
			struct tv t = {(int64_t)(100 + i), (int64_t)((i + j) % 20),
				       (i + j) % 3 ? 1 : -1, 0};

			conv_add(c, &t, 1);
		}
	for (i = 0; i < 8; i++)
		for (j = 0; j < (size_t)extra[i]; j++) {
			struct tv t = {(int64_t)(200 + i), (int64_t)(j * 3 % 20), j % 2 ? 1 : -1,
				       0};

			conv_add(c, &t, 1);
		}
	m = conv_matrix(c);
	assert_int_equal(opinion_count_qualified(m, OPINION_MIN_VOTES), 10);
	assert_int_equal(opinion_compute(m, NULL, NULL, &r), ERR_OK);
	assert_int_equal(r->n_qualified, 10);
	assert_int_equal(r->n_in_conv, 15);
	assert_true(r->too_few_voters);
	for (i = 0; i < r->n_participants; i++) {
		const struct opinion_participant *p = &r->participants[i];
		bool expect = p->id <= 204;

		assert_int_equal(p->group >= 0, expect);
		grouped += p->group >= 0;
	}
	assert_int_equal(grouped, 15);
	opinion_result_free(r);
	vote_matrix_free(m);
	free(c);
}

static void test_in_conversation_few_statements(void **state)
{
	/* 3 statements: the threshold is min(7, 3) = 3 votes */
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	size_t i, j;

	(void)state;
	for (i = 0; i < 30; i++)
		for (j = 0; j < (i % 2 ? 3u : 2u); j++) {
			struct tv t = {(int64_t)i, (int64_t)j, 1, 0};

			conv_add(c, &t, 1);
		}
	m = conv_matrix(c);
	assert_int_equal(opinion_count_qualified(m, OPINION_MIN_VOTES), 15);
	vote_matrix_free(m);
	free(c);
}

/* ---- the whole pipeline on planted groups ------------------------------------------------------
 */

static void test_pipeline_planted_groups(void **state)
{
	/* three camps of 40 on 24 statements; each camp agrees with its own third of the
	 * statements and disagrees with another third; 70% of the cells voted */
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	struct opinion_result *r = NULL, *r2 = NULL;
	struct opinion_params p;
	int32_t truth[120], got[120];
	double ari;
	size_t i, j;

	(void)state;
	for (i = 0; i < 120; i++)
		for (j = 0; j < 24; j++) {
			int camp = (int)(i % 3), third = (int)(j % 3);
			struct tv t = {(int64_t)(1000 + i), (int64_t)(50 + j), 0, (int64_t)j};

			if (rnd_unit() < 0.3)
				continue;
			t.v = third == camp ? 1 : third == (camp + 1) % 3 ? -1 : 0;
			if (rnd_unit() < 0.1)
				t.v = -t.v;
			conv_add(c, &t, 1);
		}
	m = conv_matrix(c);
	opinion_params_default(&p);
	p.threads = 2;
	assert_int_equal(opinion_compute(m, NULL, &p, &r), ERR_OK);
	assert_int_equal(r->n_participants, 120);
	assert_int_equal(r->n_in_conv, 120);
	assert_false(r->too_few_voters);
	assert_int_equal(r->n_groups, 3);
	for (i = 0; i < 120; i++) {
		truth[i] = (int32_t)(i % 3);
		got[i] = r->participants[i].group;
	}
	assert_int_equal(opinion_ari(truth, got, 120, &ari), ERR_OK);
	assert_near(ari, 1, 1e-12);
	for (i = 0; i < r->n_groups; i++) {
		assert_int_equal(r->groups[i].size, 40);
		assert_true(r->groups[i].n_repness >= 1);
		/* a group's first agree statement is one of its camp's */
		if (r->groups[i].repness[0].agree) {
			int camp = r->participants[0].group == (int32_t)i   ? 0
				   : r->participants[1].group == (int32_t)i ? 1
									    : 2;

			assert_int_equal((r->groups[i].repness[0].statement - 50) % 3, camp);
		}
	}
	/* one thread gives the same bits; a warm recomputation of the same votes the same groups */
	p.threads = 1;
	assert_int_equal(opinion_compute(m, r, &p, &r2), ERR_OK);
	assert_true(r2->pca_passes <= 2);
	for (i = 0; i < 120; i++) {
		assert_int_equal(r2->participants[i].group, r->participants[i].group);
		assert_near(r2->participants[i].x, r->participants[i].x, 1e-8);
	}
	opinion_result_free(r2);
	r2 = NULL;
	assert_int_equal(opinion_compute(m, NULL, &p, &r2), ERR_OK);
	for (i = 0; i < 120; i++) {
		assert_true(r2->participants[i].x == r->participants[i].x);
		assert_true(r2->participants[i].y == r->participants[i].y);
	}
	for (j = 0; j < r->n_statements; j++)
		assert_true(r2->gic[j] == r->gic[j]);
	opinion_result_free(r);
	opinion_result_free(r2);
	vote_matrix_free(m);
	free(c);
}

static void test_pipeline_degenerate(void **state)
{
	/* everyone votes the same: one group at most, no crash; and a single statement */
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	struct opinion_result *r = NULL;
	struct opinion_params bad;
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++) {
		struct tv t = {(int64_t)i, 1, 1, 0};

		conv_add(c, &t, 1);
	}
	m = conv_matrix(c);
	assert_int_equal(opinion_compute(m, NULL, NULL, &r), ERR_OK);
	assert_int_equal(r->n_in_conv, 20);
	assert_int_equal(r->n_base, 1);
	assert_int_equal(r->n_groups, 1);
	assert_int_equal(r->groups[0].size, 20);
	assert_near(r->gic[0], 21.0 / 22, 1e-12);
	opinion_result_free(r);
	opinion_params_default(&bad);
	bad.threads = 0;
	assert_int_equal(opinion_compute(m, NULL, &bad, &r), ERR_INVALID);
	vote_matrix_free(m);
	free(c);
}

/* ---- categories --------------------------------------------------------------------------------
 */

static void test_category_agreement(void **state)
{
	static const struct tv t[] = {{1, 10, 1, 0}, {2, 10, 1, 0},  {3, 10, 1, 0},  {4, 10, -1, 0},
				      {5, 10, 1, 0}, {6, 10, -1, 0}, {1, 11, -1, 0}, {3, 11, 0, 0}};
	static const int64_t ids[] = {1, 2, 3, 4, 5, 77};
	static const int32_t cats[] = {0, 0, 1, 1, CATEGORY_NONE, 2};
	struct conv *c = calloc(1, sizeof(*c));
	struct vote_matrix *m;
	struct category_result *r = NULL;

	(void)state;
	conv_add(c, t, 8);
	m = conv_matrix(c);
	assert_int_equal(category_agreement(m, ids, cats, 6, 3, &r), ERR_OK);
	assert_int_equal(r->n_statements, 2);
	assert_true(r->members[0] == 2 && r->members[1] == 2 && r->members[2] == 0);
	/* statement 10: members 2 agree of 2 (3/4); experts 1 of 2 (2/4) */
	assert_int_equal(r->stats[0 * 3 + 0].agree, 2);
	assert_int_equal(r->stats[0 * 3 + 0].votes, 2);
	assert_near(r->stats[0 * 3 + 0].share, 0.75, 1e-12);
	assert_int_equal(r->stats[0 * 3 + 1].disagree, 1);
	assert_near(r->stats[0 * 3 + 1].share, 0.5, 1e-12);
	assert_near(r->consensus[0], 0.375, 1e-12); /* category 2 has no members: left out */
	/* statement 11: members 0 of 1 (1/3), experts a pass (1/3) */
	assert_near(r->consensus[1], 1.0 / 9, 1e-12);
	assert_true(r->too_few_voters);
	assert_int_equal(r->n_qualified, 2); /* threshold min(7, 2) = 2 votes: 1 and 3 */
	category_result_free(r);
	r = NULL;
	{
		static const int32_t badc[] = {0, 5};
		static const int64_t dup[] = {1, 1};
		static const int32_t dupc[] = {0, 1};

		assert_int_equal(category_agreement(m, ids, badc, 2, 3, &r), ERR_INVALID);
		assert_int_equal(category_agreement(m, dup, dupc, 2, 3, &r), ERR_INVALID);
	}
	vote_matrix_free(m);
	free(c);
}

/* ---- ARI
 * ----------------------------------------------------------------------------------------- */

static void test_ari(void **state)
{
	static const int32_t a[] = {0, 0, 1, 1}, b[] = {0, 0, 1, 2}, c[] = {7, 7, -3, -3};
	static const int32_t d[] = {0, 0, 0, 1, 1, 1, 2, 2}, e[] = {1, 1, 0, 0, 2, 2, 2, 2};
	double x;

	(void)state;
	assert_int_equal(opinion_ari(a, b, 4, &x), 0);
	assert_near(x, 0.5714285714285714, 1e-12); /* scikit-learn */
	assert_int_equal(opinion_ari(a, c, 4, &x), 0);
	assert_near(x, 1, 0); /* relabelled */
	assert_int_equal(opinion_ari(d, e, 8, &x), 0);
	assert_near(x, 0.18181818181818182, 1e-12);
	assert_int_equal(opinion_ari(a, a, 1, &x), 0);
	assert_near(x, 1, 0);
}

/* ---- the thread pool ------------------------------------------------------------------- */

struct par_probe {
	atomic_uint hits[512];
	int threads, nested;
	size_t n;
};

static void probe_part(void *arg, size_t part)
{
	struct par_probe *p = arg;

	atomic_fetch_add(&p->hits[part], 1);
	if (p->nested && part % 7 == 0) { /* a call from inside a part runs on its own thread */
		struct par_probe *q = calloc(1, sizeof(*q));

		q->n = 20;
		par_run(p->threads, q->n, probe_part, q);
		for (size_t i = 0; i < q->n; i++)
			assert_int_equal(atomic_load(&q->hits[i]), 1);
		free(q);
	}
}

/* run_probe makes rounds calls of n parts on `threads` threads; each part runs exactly once */
static void run_probe(int threads, size_t n, int nested, unsigned rounds)
{
	struct par_probe *p = calloc(1, sizeof(*p));
	unsigned r;
	size_t i;

	for (r = 0; r < rounds; r++) {
		memset(p, 0, sizeof(*p));
		p->threads = threads;
		p->nested = nested;
		p->n = n + r % 5;
		par_run(threads, p->n, probe_part, p);
		for (i = 0; i < p->n; i++)
			assert_int_equal(atomic_load(&p->hits[i]), 1);
		for (; i < 512; i++)
			assert_int_equal(atomic_load(&p->hits[i]), 0);
	}
	free(p);
}

static void *probe_thread(void *arg)
{
	run_probe(*(int *)arg, 100, 0, 300);
	return NULL;
}

/* par_run does every part once, call after call (workers that wake late take no part of a
 * call that is over), from inside a part, and from several threads at once */
static void test_par_run_each_part_once(void **state)
{
	pthread_t t[3];
	int threads[3] = {2, 3, 4}, i;

	(void)state;
	run_probe(1, 50, 0, 10);
	run_probe(2, 1, 0, 10);
	run_probe(2, 64, 0, 2000);
	run_probe(8, 300, 0, 200);
	run_probe(2, 100, 1, 50);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, probe_thread, &threads[i]), 0);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_par_run_each_part_once),
	    cmocka_unit_test(test_latest_vote_wins),
	    cmocka_unit_test(test_matrix_order_independent),
	    cmocka_unit_test(test_matrix_wide_rows),
	    cmocka_unit_test(test_matrix_rejects_bad_input),
	    cmocka_unit_test(test_moderation_flags),
	    cmocka_unit_test(test_matrix_merge),
	    cmocka_unit_test(test_pca_known_components),
	    cmocka_unit_test(test_pca_sparse_moderated_projection),
	    cmocka_unit_test(test_pca_warm_start_saves_passes),
	    cmocka_unit_test(test_eigen_sym),
	    cmocka_unit_test(test_kmeans_separable),
	    cmocka_unit_test(test_kmeans_weighted_and_dropped),
	    cmocka_unit_test(test_kmeans_accelerated_matches_plain),
	    cmocka_unit_test(test_silhouette),
	    cmocka_unit_test(test_repness_formulas),
	    cmocka_unit_test(test_repness_select),
	    cmocka_unit_test(test_consensus_and_gic),
	    cmocka_unit_test(test_in_conversation_top_up),
	    cmocka_unit_test(test_in_conversation_few_statements),
	    cmocka_unit_test(test_pipeline_planted_groups),
	    cmocka_unit_test(test_pipeline_degenerate),
	    cmocka_unit_test(test_category_agreement),
	    cmocka_unit_test(test_ari),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
