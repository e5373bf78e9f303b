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

enum { PCA_MAX_PARTS = 256, PCA_MAX_BLOCKS = 10, MUL_ROW_CHUNK = 512 };
#define PCA_PART_VOTES	  ((size_t)1 << 20)
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
	uint64_t h =
	    splitmix64((uint64_t)col_id * 0x100000001b3ULL + k * 7919u + attempt * 104729u);

	return (double)(h >> 11) * (1.0 / 9007199254740992.0) - 0.5;
}

/* orthonormalize makes columns 0..nb-1 of the block v (n x PCA_BLOCK, row-major) orthonormal
 * to the n_prev earlier blocks prev[] and to each other: modified Gram-Schmidt, twice. A
 * column that vanishes (it lay in the span already) is replaced by a pseudo-random one, a few
 * times at most; returns 0, or -1 when the earlier blocks already span everything. */
static int orthonormalize(double *v, size_t n, size_t nb, double *const *prev, size_t n_prev,
			  size_t prev_nb, const int64_t *col_ids)
{
	size_t k, q, j, b;
	unsigned attempt, round;

	for (k = 0; k < nb; k++) {
		for (attempt = 0;; attempt++) {
			double before = 0, norm = 0;

			for (j = 0; j < n; j++)
				before += v[j * PCA_BLOCK + k] * v[j * PCA_BLOCK + k];
			for (round = 0; round < 2; round++) {
				for (b = 0; b < n_prev; b++) {
					for (q = 0; q < prev_nb; q++) {
						const double *pv = prev[b];
						double d = 0;

						for (j = 0; j < n; j++)
							d += pv[j * PCA_BLOCK + q] *
							     v[j * PCA_BLOCK + k];
						for (j = 0; j < n; j++)
							v[j * PCA_BLOCK + k] -=
							    d * pv[j * PCA_BLOCK + q];
					}
				}
				for (q = 0; q < k; q++) {
					double d = 0;

					for (j = 0; j < n; j++)
						d += v[j * PCA_BLOCK + q] * v[j * PCA_BLOCK + k];
					for (j = 0; j < n; j++)
						v[j * PCA_BLOCK + k] -= d * v[j * PCA_BLOCK + q];
				}
			}
			for (j = 0; j < n; j++)
				norm += v[j * PCA_BLOCK + k] * v[j * PCA_BLOCK + k];
			if (norm > 1e-20 * before && norm > 0) {
				norm = 1.0 / sqrt(norm);
				for (j = 0; j < n; j++)
					v[j * PCA_BLOCK + k] *= norm;
				break;
			}
			if (attempt == 4)
				return -1;
			for (j = 0; j < n; j++)
				v[j * PCA_BLOCK + k] =
				    start_value(col_ids[j], (unsigned)k, attempt + 1);
		}
	}
	return 0;
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
				t = (theta >= 0 ? 1.0 : -1.0) /
				    (fabs(theta) + sqrt(theta * theta + 1));
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
	int64_t *sum;  /* [n_parts][n_cols] */
	uint32_t *cnt; /* [n_parts][n_cols] */
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

/* The multiplication is bound by the cache misses of its random accesses (one row of the
 * block and one row of the partial product per vote), so its tables are kept small: the
 * block (32 bytes a column), the column means (8 bytes) and the partial product (32 bytes),
 * under 1 MB for 10,000 statements, so that they stay in a core's L2 cache. A vote's centred
 * value is computed (vote - mean); moderated-out columns, whose centred values are all zero,
 * have zero block rows going in and get zero rows coming out. */
struct mul_ctx {
	const struct vote_matrix *m;
	const size_t *bounds;
	const double *v;      /* [n_cols * PCA_BLOCK], moderated rows zero */
	const double *center; /* [n_cols] */
	double *partial;      /* [n_parts][n_cols * PCA_BLOCK] */
};

static void mul_part(void *arg, size_t part)
{
	struct mul_ctx *c = arg;
	const struct vote_matrix *m = c->m;
	double *w = c->partial + part * m->n_cols * PCA_BLOCK;
	const double *v = c->v, *center = c->center;
	const uint32_t *col = m->col;
	const int8_t *val = m->val;
	size_t r, e, k;
	double xs[MUL_ROW_CHUNK];

	memset(w, 0, m->n_cols * PCA_BLOCK * sizeof(*w));
	for (r = c->bounds[part]; r < c->bounds[part + 1]; r++) {
		size_t lo = m->row_ptr[r], hi = m->row_ptr[r + 1];
		double s[PCA_BLOCK] = {0};

		/* a row's centred values are kept (up to MUL_ROW_CHUNK of them) for the second
		 * loop, which then reads no column mean */
		for (e = lo; e < hi; e++) {
			const double x = (double)val[e] - center[col[e]];
			const double *vj = v + (size_t)col[e] * PCA_BLOCK;

			if (e - lo < MUL_ROW_CHUNK)
				xs[e - lo] = x;
			for (k = 0; k < PCA_BLOCK; k++)
				s[k] += x * vj[k];
		}
		for (e = lo; e < hi; e++) {
			const double x =
			    e - lo < MUL_ROW_CHUNK ? xs[e - lo] : (double)val[e] - center[col[e]];
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

/* multiply sets w = X^T X v for one block (one pass over the votes); vz is scratch. */
static void multiply(const struct vote_matrix *m, const size_t *bounds, size_t n_parts,
		     const double *center, const double *v, double *vz, double *partial, double *w,
		     int threads)
{
	struct mul_ctx mc = {m, bounds, vz, center, partial};
	const size_t chunk = 4096;
	struct reduce_ctx rc = {w, partial, m->n_cols * PCA_BLOCK, n_parts, chunk};
	size_t j;

	memcpy(vz, v, m->n_cols * PCA_BLOCK * sizeof(*vz));
	for (j = 0; j < m->n_cols; j++)
		if (m->moderated[j])
			memset(vz + j * PCA_BLOCK, 0, PCA_BLOCK * sizeof(*vz));
	par_run(threads, n_parts, mul_part, &mc);
	par_run(threads, (m->n_cols * PCA_BLOCK + chunk - 1) / chunk, reduce_part, &rc);
	for (j = 0; j < m->n_cols; j++)
		if (m->moderated[j])
			memset(w + j * PCA_BLOCK, 0, PCA_BLOCK * sizeof(*w));
}

int pca_fit(const struct vote_matrix *m, const double *warm0, const double *warm1,
	    const struct pca_params *p, struct pca *out)
{
	enum { DIM_MAX = PCA_MAX_BLOCKS * PCA_BLOCK };
	const size_t n = m->n_cols, nb = n < PCA_BLOCK ? n : PCA_BLOCK, nc = n < 2 ? n : 2;
	size_t bounds[PCA_MAX_PARTS + 1], n_parts, max_parts, j, k, s, l, t = 0, dim;
	double *partial = NULL, *u = NULL, *cu = NULL, *q_[PCA_MAX_BLOCKS] = {0};
	double *tab = NULL;
	double *aq[PCA_MAX_BLOCKS] = {0}, *h = NULL, *hs = NULL, *y = NULL, *lam = NULL;
	int64_t *sum = NULL;
	uint32_t *cnt = NULL;
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

	sum = calloc(n_parts * n, sizeof(*sum));
	cnt = calloc(n_parts * n, sizeof(*cnt));
	tab = malloc(n * PCA_BLOCK * sizeof(*tab));
	u = calloc(n * PCA_BLOCK, sizeof(*u));
	cu = calloc(n * PCA_BLOCK, sizeof(*cu));
	partial = malloc(n_parts * n * PCA_BLOCK * sizeof(*partial));
	h = calloc(DIM_MAX * DIM_MAX, sizeof(*h));
	hs = malloc(DIM_MAX * DIM_MAX * sizeof(*hs));
	y = malloc(DIM_MAX * DIM_MAX * sizeof(*y));
	lam = malloc(DIM_MAX * sizeof(*lam));
	if (!sum || !cnt || !tab || !u || !cu || !partial || !h || !hs || !y || !lam)
		goto done;
	for (t = 0; t < PCA_MAX_BLOCKS; t++) {
		q_[t] = calloc(n * PCA_BLOCK, sizeof(double));
		aq[t] = calloc(n * PCA_BLOCK, sizeof(double));
		if (!q_[t] || !aq[t])
			goto done;
	}

	/* column means: integer sums, exact in any order */
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
	}

	/* the starting block: warm vectors first, pseudo-random columns after */
	for (j = 0; j < n; j++)
		for (k = 0; k < nb; k++)
			q_[0][j * PCA_BLOCK + k] = start_value(m->col_ids[j], (unsigned)k, 0);
	for (j = 0; j < n && warm0; j++)
		q_[0][j * PCA_BLOCK] = warm0[j];
	for (j = 0; j < n && warm1 && nb > 1; j++)
		q_[0][j * PCA_BLOCK + 1] = warm1[j];
	(void)orthonormalize(q_[0], n, nb, NULL, 0, 0, m->col_ids);

	/* block Krylov: the basis q_[0..t] grows by one block per pass; Rayleigh-Ritz on it.
	 * When it is full, restart from the best nb Ritz vectors (thick restart). */
	out->converged = 0;
	t = 0;
	for (;;) {
		double worst = 0;

		multiply(m, bounds, n_parts, out->center, q_[t], tab, partial, aq[t], p->threads);
		out->passes++;
		dim = (t + 1) * nb;
		/* the new block column of H = Q^T X^T X Q (symmetric) */
		for (s = 0; s <= t; s++) {
			for (k = 0; k < nb; k++) {
				for (l = 0; l < nb; l++) {
					double d = 0;

					for (j = 0; j < n; j++)
						d += q_[s][j * PCA_BLOCK + k] *
						     aq[t][j * PCA_BLOCK + l];
					h[(s * nb + k) * DIM_MAX + t * nb + l] = d;
				}
			}
		}
		for (k = 0; k < dim; k++) {
			for (l = t * nb; l < dim; l++) {
				if (k >= t * nb && l < k)
					continue;
				if (k >= t * nb) { /* the diagonal block: average the two halves */
					double a = 0.5 * (h[k * DIM_MAX + l] + h[l * DIM_MAX + k]);

					h[k * DIM_MAX + l] = h[l * DIM_MAX + k] = a;
				} else {
					h[l * DIM_MAX + k] = h[k * DIM_MAX + l];
				}
			}
		}
		for (k = 0; k < dim; k++)
			for (l = 0; l < dim; l++)
				hs[k * dim + l] = h[k * DIM_MAX + l];
		pca_eigen_sym(hs, dim, lam, y);
		/* the best nb Ritz vectors u and X^T X u */
		memset(u, 0, n * PCA_BLOCK * sizeof(*u));
		memset(cu, 0, n * PCA_BLOCK * sizeof(*cu));
		for (s = 0; s <= t; s++) {
			for (l = 0; l < nb; l++) {
				for (k = 0; k < nb; k++) {
					double c = y[(s * nb + l) * dim + k];

					if (c == 0)
						continue;
					for (j = 0; j < n; j++) {
						u[j * PCA_BLOCK + k] +=
						    c * q_[s][j * PCA_BLOCK + l];
						cu[j * PCA_BLOCK + k] +=
						    c * aq[s][j * PCA_BLOCK + l];
					}
				}
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
		if (lam[0] <= 0 || out->residual <= p->tol || dim + nb > n) {
			out->converged = 1; /* (a basis of every dimension is exact) */
			break;
		}
		if (out->passes >= p->max_passes)
			break;
		if (t + 1 == PCA_MAX_BLOCKS) {
			/* thick restart: keep the Ritz block; the next block continues from the
			 * residuals, which is where the Krylov space was growing */
			memcpy(q_[0], u, n * PCA_BLOCK * sizeof(*u));
			memcpy(aq[0], cu, n * PCA_BLOCK * sizeof(*cu));
			memset(h, 0, DIM_MAX * DIM_MAX * sizeof(*h));
			for (k = 0; k < nb; k++)
				h[k * DIM_MAX + k] = lam[k];
			for (j = 0; j < n; j++)
				for (k = 0; k < nb; k++)
					q_[1][j * PCA_BLOCK + k] =
					    cu[j * PCA_BLOCK + k] - lam[k] * u[j * PCA_BLOCK + k];
			t = 1;
		} else {
			memcpy(q_[t + 1], aq[t], n * PCA_BLOCK * sizeof(double));
			t++;
		}
		if (orthonormalize(q_[t], n, nb, q_, t, nb, m->col_ids)) {
			out->converged =
			    1; /* the basis spans everything: the Ritz pairs are exact */
			break;
		}
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
			if (fabs(x) > big)
				big = fabs(x);
		}
		/* the sign: the warm vector's, else that of the first entry within rounding of
		 * the largest magnitude */
		for (at = 0; at < n && fabs(out->comp[k][at]) < big * (1 - 1e-9); at++)
			;
		if (warm ? dot < 0 : at < n && out->comp[k][at] < 0)
			for (j = 0; j < n; j++)
				out->comp[k][j] = -out->comp[k][j];
	}
	rc = ERR_OK;
done:
	for (t = 0; t < PCA_MAX_BLOCKS; t++) {
		free(q_[t]);
		free(aq[t]);
	}
	free(sum);
	free(cnt);
	free(tab);
	free(u);
	free(cu);
	free(partial);
	free(h);
	free(hs);
	free(y);
	free(lam);
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
