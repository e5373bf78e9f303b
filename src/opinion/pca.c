/*
 * pca.c - principal components of the sparse, centred vote matrix (see pca.h).
 *
 * Every pass over the votes multiplies a block of PCA_BLOCK vectors at once: the votes are
 * read from memory once per pass, and the arithmetic per vote is small, so a block of four
 * costs about what one vector does while converging far faster (the rate of the second
 * component is lambda_5 / lambda_2 instead of lambda_3 / lambda_2).
 *
 * Passes are split into parts by vote count, independent of the thread count, each with its
 * own partial product, summed in part order: the result does not depend on the threads.
 */
#include "pca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

enum { PCA_MAX_PARTS = 256 };
#define PCA_PART_VOTES ((size_t)1 << 20)
#define PCA_PARTIAL_BYTES ((size_t)256 << 20) /* cap on the partial products' memory */

void pca_fini(struct pca *p)
{
	free(p->center);
	free(p->comp[0]);
	free(p->comp[1]);
	memset(p, 0, sizeof(*p));
}

/* splitmix64: a deterministic stream of pseudo-random numbers keyed by statement id, so that a
 * cold start is the same whatever order the votes came in, and stays put as columns arrive. */
static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double start_value(int64_t col_id, unsigned k, unsigned attempt)
{
	uint64_t h = splitmix64((uint64_t)col_id * 0x100000001b3ULL + k * 7919u + attempt * 104729u);

	return (double)(h >> 11) * (1.0 / 9007199254740992.0) - 0.5;
}

/* orthonormalize makes columns 0..nb-1 of v (m x PCA_BLOCK, row-major) orthonormal by
 * modified Gram-Schmidt, twice; a column that vanishes is replaced by a pseudo-random one. */
static void orthonormalize(double *v, size_t m, size_t nb, const int64_t *col_ids)
{
	size_t k, q, j;
	unsigned attempt, round;

	for (k = 0; k < nb; k++) {
		for (attempt = 0;; attempt++) {
			double before = 0, norm = 0;

			for (j = 0; j < m; j++)
				before += v[j * PCA_BLOCK + k] * v[j * PCA_BLOCK + k];
			for (round = 0; round < 2; round++) {
				for (q = 0; q < k; q++) {
					double d = 0;

					for (j = 0; j < m; j++)
						d += v[j * PCA_BLOCK + q] * v[j * PCA_BLOCK + k];
					for (j = 0; j < m; j++)
						v[j * PCA_BLOCK + k] -= d * v[j * PCA_BLOCK + q];
				}
			}
			for (j = 0; j < m; j++)
				norm += v[j * PCA_BLOCK + k] * v[j * PCA_BLOCK + k];
			if (norm > 1e-24 * before && norm > 0) {
				norm = 1.0 / sqrt(norm);
				for (j = 0; j < m; j++)
					v[j * PCA_BLOCK + k] *= norm;
				break;
			}
			for (j = 0; j < m; j++)
				v[j * PCA_BLOCK + k] = start_value(col_ids[j], (unsigned)k, attempt + 1);
		}
	}
}

void pca_eigen_sym(double *a, size_t n, double *w, double *v)
{
	size_t i, j, k, p, q, sweep;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			v[i * n + j] = i == j;
	for (sweep = 0; sweep < 100; sweep++) {
		double off = 0, diag = 0;

		for (p = 0; p < n; p++) {
			diag += a[p * n + p] * a[p * n + p];
			for (q = p + 1; q < n; q++)
				off += a[p * n + q] * a[p * n + q];
		}
		if (off <= 1e-30 * diag || off == 0)
			break;
		for (p = 0; p < n; p++) {
			for (q = p + 1; q < n; q++) {
				double apq = a[p * n + q], theta, t, c, s;

				if (apq == 0)
					continue;
				theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
				t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
				c = 1 / sqrt(t * t + 1);
				s = t * c;
				for (k = 0; k < n; k++) {
					double akp = a[k * n + p], akq = a[k * n + q];

					a[k * n + p] = c * akp - s * akq;
					a[k * n + q] = s * akp + c * akq;
				}
				for (k = 0; k < n; k++) {
					double apk = a[p * n + k], aqk = a[q * n + k];

					a[p * n + k] = c * apk - s * aqk;
					a[q * n + k] = s * apk + c * aqk;
				}
				for (k = 0; k < n; k++) {
					double vkp = v[k * n + p], vkq = v[k * n + q];

					v[k * n + p] = c * vkp - s * vkq;
					v[k * n + q] = s * vkp + c * vkq;
				}
			}
		}
	}
	for (i = 0; i < n; i++)
		w[i] = a[i * n + i];
	/* sort descending (selection sort; n is tiny), permuting the columns of v */
	for (i = 0; i < n; i++) {
		size_t best = i;

		for (j = i + 1; j < n; j++)
			if (w[j] > w[best])
				best = j;
		if (best != i) {
			double t = w[i];

			w[i] = w[best];
			w[best] = t;
			for (k = 0; k < n; k++) {
				t = v[k * n + i];
				v[k * n + i] = v[k * n + best];
				v[k * n + best] = t;
			}
		}
	}
}

/* ---- column means ------------------------------------------------------------------------ */

struct colsum_ctx {
	const struct vote_matrix *m;
	const size_t *bounds;
	int64_t *sum;	/* [n_parts][n_cols] */
	uint32_t *cnt;	/* [n_parts][n_cols] */
};

static void colsum_part(void *arg, size_t part)
{
	struct colsum_ctx *c = arg;
	const struct vote_matrix *m = c->m;
	int64_t *sum = c->sum + part * m->n_cols;
	uint32_t *cnt = c->cnt + part * m->n_cols;
	size_t e, lo = m->row_ptr[c->bounds[part]], hi = m->row_ptr[c->bounds[part + 1]];

	for (e = lo; e < hi; e++) {
		sum[m->col[e]] += m->val[e];
		cnt[m->col[e]]++;
	}
}

/* ---- X^T X V ------------------------------------------------------------------------------ */

struct mul_ctx {
	const struct vote_matrix *m;
	const size_t *bounds;
	const double *xtab; /* [3 * n_cols]: X value of a vote -1/0/+1 in column j */
	const double *v;    /* [n_cols * PCA_BLOCK] */
	double *partial;    /* [n_parts][n_cols * PCA_BLOCK] */
};

static void mul_part(void *arg, size_t part)
{
	struct mul_ctx *c = arg;
	const struct vote_matrix *m = c->m;
	double *w = c->partial + part * m->n_cols * PCA_BLOCK;
	const double *v = c->v, *xtab = c->xtab;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	size_t r, e, k;

	memset(w, 0, m->n_cols * PCA_BLOCK * sizeof(*w));
	for (r = c->bounds[part]; r < c->bounds[part + 1]; r++) {
		size_t lo = m->row_ptr[r], hi = m->row_ptr[r + 1];
		double s[PCA_BLOCK] = {0};

		for (e = lo; e < hi; e++) {
			const double x = xtab[3 * (size_t)col[e] + (size_t)(val[e] + 1)];
			const double *vj = v + (size_t)col[e] * PCA_BLOCK;

			for (k = 0; k < PCA_BLOCK; k++)
				s[k] += x * vj[k];
		}
		for (e = lo; e < hi; e++) {
			const double x = xtab[3 * (size_t)col[e] + (size_t)(val[e] + 1)];
			double *wj = w + (size_t)col[e] * PCA_BLOCK;

			for (k = 0; k < PCA_BLOCK; k++)
				wj[k] += x * s[k];
		}
	}
}

struct reduce_ctx {
	double *out;
	const double *partial;
	size_t n, n_parts, chunk;
};

static void reduce_part(void *arg, size_t part)
{
	struct reduce_ctx *c = arg;
	size_t lo = part * c->chunk, hi = lo + c->chunk < c->n ? lo + c->chunk : c->n, p, i;

	memcpy(c->out + lo, c->partial + lo, (hi - lo) * sizeof(double));
	for (p = 1; p < c->n_parts; p++) {
		const double *src = c->partial + p * c->n;

		for (i = lo; i < hi; i++)
			c->out[i] += src[i];
	}
}

int pca_fit(const struct vote_matrix *m, const double *warm0, const double *warm1,
	    const struct pca_params *p, struct pca *out)
{
	const size_t n = m->n_cols, nb = n < PCA_BLOCK ? n : PCA_BLOCK, nc = n < 2 ? n : 2;
	size_t bounds[PCA_MAX_PARTS + 1], n_parts, max_parts, j, k, q;
	double *xtab = NULL, *v = NULL, *w = NULL, *partial = NULL, *u = NULL, *cu = NULL;
	int64_t *sum = NULL;
	uint32_t *cnt = NULL;
	double h[PCA_BLOCK * PCA_BLOCK], s[PCA_BLOCK * PCA_BLOCK], lam[PCA_BLOCK];
	int rc = ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	out->n_cols = n;
	out->center = calloc(n + 1, sizeof(double));
	out->comp[0] = calloc(n + 1, sizeof(double));
	out->comp[1] = calloc(n + 1, sizeof(double));
	if (!out->center || !out->comp[0] || !out->comp[1])
		return ERR_NOMEM;
	out->converged = 1;
	if (n == 0)
		return ERR_OK;

	max_parts = PCA_PARTIAL_BYTES / (n * PCA_BLOCK * sizeof(double));
	if (max_parts < 1)
		max_parts = 1;
	if (max_parts > PCA_MAX_PARTS)
		max_parts = PCA_MAX_PARTS;
	n_parts = par_split(m->row_ptr, m->n_rows, PCA_PART_VOTES, max_parts, bounds);

	/* column means: integer sums, exact in any order */
	sum = calloc(n_parts * n, sizeof(*sum));
	cnt = calloc(n_parts * n, sizeof(*cnt));
	xtab = malloc(3 * n * sizeof(*xtab));
	v = calloc(n * PCA_BLOCK, sizeof(*v));
	w = calloc(n * PCA_BLOCK, sizeof(*w));
	u = calloc(n * PCA_BLOCK, sizeof(*u));
	cu = calloc(n * PCA_BLOCK, sizeof(*cu));
	partial = malloc(n_parts * n * PCA_BLOCK * sizeof(*partial));
	if (!sum || !cnt || !xtab || !v || !w || !u || !cu || !partial)
		goto done;
	{
		struct colsum_ctx c = {m, bounds, sum, cnt};

		par_run(p->threads, n_parts, colsum_part, &c);
	}
	for (j = 0; j < n; j++) {
		int64_t sj = 0;
		uint64_t cj = 0;

		for (k = 0; k < n_parts; k++) {
			sj += sum[k * n + j];
			cj += cnt[k * n + j];
		}
		out->center[j] = m->moderated[j] || cj == 0 ? 0.0 : (double)sj / (double)cj;
		for (k = 0; k < 3; k++)
			xtab[3 * j + k] = m->moderated[j] ? 0.0 : ((double)k - 1.0) - out->center[j];
	}

	/* the starting block: warm vectors first, pseudo-random columns after */
	for (j = 0; j < n; j++)
		for (k = 0; k < nb; k++)
			v[j * PCA_BLOCK + k] = start_value(m->col_ids[j], (unsigned)k, 0);
	for (j = 0; j < n && warm0; j++)
		v[j * PCA_BLOCK] = warm0[j];
	for (j = 0; j < n && warm1 && nb > 1; j++)
		v[j * PCA_BLOCK + 1] = warm1[j];
	orthonormalize(v, n, nb, m->col_ids);

	out->converged = 0;
	for (;;) {
		struct mul_ctx mc = {m, bounds, xtab, v, partial};
		size_t chunk = 4096;
		struct reduce_ctx rc2 = {w, partial, n * PCA_BLOCK, n_parts, chunk};
		double worst = 0;

		par_run(p->threads, n_parts, mul_part, &mc);
		par_run(p->threads, (n * PCA_BLOCK + chunk - 1) / chunk, reduce_part, &rc2);
		out->passes++;

		/* Rayleigh-Ritz: H = V^T W, H = S diag(lam) S^T; U = V S, CU = W S */
		for (k = 0; k < nb; k++) {
			for (q = 0; q < nb; q++) {
				double d = 0;

				for (j = 0; j < n; j++)
					d += v[j * PCA_BLOCK + k] * w[j * PCA_BLOCK + q];
				h[k * nb + q] = d;
			}
		}
		for (k = 0; k < nb; k++)
			for (q = k + 1; q < nb; q++)
				h[k * nb + q] = h[q * nb + k] = 0.5 * (h[k * nb + q] + h[q * nb + k]);
		pca_eigen_sym(h, nb, lam, s);
		for (j = 0; j < n; j++) {
			for (k = 0; k < nb; k++) {
				double a = 0, b = 0;

				for (q = 0; q < nb; q++) {
					a += v[j * PCA_BLOCK + q] * s[q * nb + k];
					b += w[j * PCA_BLOCK + q] * s[q * nb + k];
				}
				u[j * PCA_BLOCK + k] = a;
				cu[j * PCA_BLOCK + k] = b;
			}
		}
		for (k = 0; k < nc; k++) {
			double r2 = 0;

			for (j = 0; j < n; j++) {
				double d = cu[j * PCA_BLOCK + k] - lam[k] * u[j * PCA_BLOCK + k];

				r2 += d * d;
			}
			if (sqrt(r2) > worst)
				worst = sqrt(r2);
		}
		out->residual = lam[0] > 0 ? worst / lam[0] : 0;
		if (lam[0] <= 0 || out->residual <= p->tol) {
			out->converged = 1;
			break;
		}
		if (out->passes >= p->max_passes)
			break;
		memcpy(v, cu, n * PCA_BLOCK * sizeof(*v));
		orthonormalize(v, n, nb, m->col_ids);
	}

	for (k = 0; k < nc; k++) {
		const double *warm = k == 0 ? warm0 : warm1;
		double norm = 0, dot = 0, big = 0;
		size_t at = 0;

		out->eigval[k] = lam[k];
		for (j = 0; j < n; j++)
			norm += u[j * PCA_BLOCK + k] * u[j * PCA_BLOCK + k];
		norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
		for (j = 0; j < n; j++) {
			double x = u[j * PCA_BLOCK + k] * norm;

			out->comp[k][j] = x;
			if (warm)
				dot += x * warm[j];
			if (fabs(x) > big) {
				big = fabs(x);
				at = j;
			}
		}
		if (warm ? dot < 0 : out->comp[k][at] < 0)
			for (j = 0; j < n; j++)
				out->comp[k][j] = -out->comp[k][j];
	}
	rc = ERR_OK;
done:
	free(sum);
	free(cnt);
	free(xtab);
	free(v);
	free(w);
	free(u);
	free(cu);
	free(partial);
	return rc;
}

/* ---- projection ------------------------------------------------------------------------- */

struct proj_ctx {
	const struct vote_matrix *m;
	const size_t *bounds;
	const double *cc; /* [2 * n_cols] interleaved components */
	double *xy;
	const double *center;
};

static void proj_part(void *arg, size_t part)
{
	struct proj_ctx *c = arg;
	const struct vote_matrix *m = c->m;
	size_t r, e;

	for (r = c->bounds[part]; r < c->bounds[part + 1]; r++) {
		double s0 = 0, s1 = 0;
		size_t voted = m->n_moderated;

		for (e = m->row_ptr[r]; e < m->row_ptr[r + 1]; e++) {
			uint32_t j = m->col[e];
			double x;

			if (m->moderated[j])
				continue;
			x = (double)m->val[e] - c->center[j];
			s0 += x * c->cc[2 * (size_t)j];
			s1 += x * c->cc[2 * (size_t)j + 1];
			voted++;
		}
		{
			double scale = sqrt((double)m->n_cols / (double)(voted ? voted : 1));

			c->xy[2 * r] = s0 * scale;
			c->xy[2 * r + 1] = s1 * scale;
		}
	}
}

int pca_project(const struct vote_matrix *m, const struct pca *p, int threads, double *xy)
{
	size_t bounds[PCA_MAX_PARTS + 1], n_parts, j;
	double *cc = malloc((2 * m->n_cols + 1) * sizeof(*cc));
	struct proj_ctx c;

	if (!cc)
		return ERR_NOMEM;
	n_parts = par_split(m->row_ptr, m->n_rows, PCA_PART_VOTES, PCA_MAX_PARTS, bounds);
	for (j = 0; j < m->n_cols; j++) {
		cc[2 * j] = p->comp[0][j];
		cc[2 * j + 1] = p->comp[1][j];
	}
	c.m = m;
	c.bounds = bounds;
	c.cc = cc;
	c.xy = xy;
	c.center = p->center;
	par_run(threads, n_parts, proj_part, &c);
	free(cc);
	return ERR_OK;
}
