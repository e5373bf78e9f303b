/*
 * kmeans.c - Lloyd's k-means with Pol.is's rules (see kmeans.h).
 *
 * The assignment step finds each point's nearest centre. For few points every distance is
 * computed. For many (a million participants, 100 centres, up to 101 iterations) the points
 * are bucketed once into a grid over their bounding box, with each cell's point sums; every
 * iteration then lists, per cell, the centres that can be nearest to some point of the cell.
 * With the cell's middle g and half-diagonal h, and d* the smallest distance from g to a
 * centre, a centre at distance d from g is at least d - h from every point of the cell while
 * the nearest is at most d* + h away, so only centres with d <= d* + 2h can win (plus a
 * relative margin for rounding). Most cells list one centre: their points all go to it, and
 * the cell's precomputed sums are added at once. Points of the other cells compute the
 * distances to their few candidates exactly as the plain loop does (dx*dx + dy*dy, lowest
 * index on a tie). The partition is therefore Lloyd's; only the order in which the new
 * centres' sums are added differs from a plain loop (by cell, then point).
 *
 * Sums are kept per part (fixed ranges of points or cells) and added in part order, so the
 * threads never change the result.
 */
#include "kmeans.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

#define KM_PART	      ((size_t)1 << 16) /* points per part */
#define KM_BRUTE_WORK ((size_t)1 << 21) /* n * k up to which every distance is computed */
#define KM_GRID	      128		/* grid cells per side */
#define KM_CELLS      (KM_GRID * KM_GRID)
#define KM_CELL_PARTS 64   /* parts of the cells, KM_CELLS / KM_CELL_PARTS each */
#define KM_MARGIN     1e-9 /* relative rounding margin of the candidate test */

size_t kmeans_first_distinct(const double *pts, size_t n, size_t k, size_t *idx)
{
	size_t i, f, found = 0;

	for (i = 0; i < n && found < k; i++) {
		for (f = 0; f < found; f++)
			if (pts[2 * idx[f]] == pts[2 * i] && pts[2 * idx[f] + 1] == pts[2 * i + 1])
				break;
		if (f == found)
			idx[found++] = i;
	}
	return found;
}

/* The grid: cell (cx, cy) covers [x0 + cx*side, x0 + (cx+1)*side] x (the same in y). Its
 * points are order[first[c] .. first[c+1]) (ascending index), their sums csum[4c .. 4c+3];
 * its candidates this iteration are cand[c*kmax .. c*kmax + ncand[c]) (ascending index). */
struct km_grid {
	double x0, y0, side, inv;
	size_t kmax;
	uint32_t *first; /* [KM_CELLS + 1] */
	uint32_t *order; /* [n] */
	double *sp;	 /* [2n]: the points in that order, so a cell's points are adjacent */
	double *sw;	 /* [n]: their weights, or NULL */
	double *csum;	 /* [KM_CELLS * 4]: sum w*x, sum w*y, sum w, count */
	uint32_t *ncand; /* [KM_CELLS] */
	uint32_t *cand;	 /* [KM_CELLS * kmax] */
};

static size_t cell_of(const struct km_grid *g, double x, double y)
{
	size_t cx = (size_t)((x - g->x0) * g->inv), cy = (size_t)((y - g->y0) * g->inv);

	if (cx >= KM_GRID)
		cx = KM_GRID - 1;
	if (cy >= KM_GRID)
		cy = KM_GRID - 1;
	return cy * KM_GRID + cx;
}

/* grid_setup sizes the grid to the points' bounding box and buckets the points; false when
 * the box has no extent (all points equal: the plain loop is then as fast) or on ERR_NOMEM
 * (*nomem set). */
static bool grid_setup(struct km_grid *g, const double *pts, const double *w, size_t n, size_t kmax,
		       bool *nomem)
{
	double x1 = pts[0], y1 = pts[1], side;
	uint32_t *cellv = NULL;
	size_t i, c;

	g->x0 = pts[0];
	g->y0 = pts[1];
	for (i = 1; i < n; i++) {
		g->x0 = pts[2 * i] < g->x0 ? pts[2 * i] : g->x0;
		x1 = pts[2 * i] > x1 ? pts[2 * i] : x1;
		g->y0 = pts[2 * i + 1] < g->y0 ? pts[2 * i + 1] : g->y0;
		y1 = pts[2 * i + 1] > y1 ? pts[2 * i + 1] : y1;
	}
	side = x1 - g->x0 > y1 - g->y0 ? x1 - g->x0 : y1 - g->y0;
	if (!(side > 0) || !isfinite(side))
		return false;
	g->side = side / KM_GRID;
	g->inv = KM_GRID / side;
	g->kmax = kmax;
	g->first = calloc(KM_CELLS + 1, sizeof(*g->first));
	g->order = malloc(n * sizeof(*g->order));
	g->sp = malloc(2 * n * sizeof(*g->sp));
	g->sw = w ? malloc(n * sizeof(*g->sw)) : NULL;
	g->csum = calloc(4 * KM_CELLS, sizeof(*g->csum));
	g->ncand = malloc(KM_CELLS * sizeof(*g->ncand));
	g->cand = malloc(KM_CELLS * kmax * sizeof(*g->cand));
	cellv = malloc(n * sizeof(*cellv));
	if (!g->first || !g->order || !g->sp || (w && !g->sw) || !g->csum || !g->ncand ||
	    !g->cand || !cellv) {
		free(cellv);
		*nomem = true;
		return false;
	}
	for (i = 0; i < n; i++) {
		cellv[i] = (uint32_t)cell_of(g, pts[2 * i], pts[2 * i + 1]);
		g->first[cellv[i] + 1]++;
	}
	for (c = 0; c < KM_CELLS; c++)
		g->first[c + 1] += g->first[c];
	{
		uint32_t *next = g->ncand; /* borrowed as cursors */

		memcpy(next, g->first, KM_CELLS * sizeof(*next));
		for (i = 0; i < n; i++) {
			const double wi = w ? w[i] : 1.0;
			double *cs = g->csum + 4 * (size_t)cellv[i];

			const size_t at = next[cellv[i]]++;

			g->order[at] = (uint32_t)i;
			g->sp[2 * at] = pts[2 * i];
			g->sp[2 * at + 1] = pts[2 * i + 1];
			if (w)
				g->sw[at] = w[i];
			cs[0] += wi * pts[2 * i];
			cs[1] += wi * pts[2 * i + 1];
			cs[2] += wi;
			cs[3] += 1;
		}
	}
	free(cellv);
	return true;
}

static void grid_free(struct km_grid *g)
{
	free(g->first);
	free(g->order);
	free(g->sp);
	free(g->sw);
	free(g->csum);
	free(g->ncand);
	free(g->cand);
}

struct km_ctx {
	const double *pts, *w;
	size_t n, kc;		    /* points, current centres */
	const double *c;	    /* [2 kc] */
	const struct km_grid *grid; /* NULL: every distance */
	uint32_t *a;		    /* [n] assignment (brute force, and the final labels) */
	double *sums;		    /* [n_parts][kc][4]: sum w*x, sum w*y, sum w, count */
};

/* nearest_of returns the lowest index among the centres cand[0..n) (ascending indices) at the
 * smallest squared distance from (x, y). */
static uint32_t nearest_of(const double *c, const uint32_t *cand, size_t n, double x, double y)
{
	double best = INFINITY;
	uint32_t bi = cand[0];
	size_t i;

	for (i = 0; i < n; i++) {
		double dx = x - c[2 * cand[i]], dy = y - c[2 * cand[i] + 1], d = dx * dx + dy * dy;

		if (d < best) {
			best = d;
			bi = cand[i];
		}
	}
	return bi;
}

static uint32_t nearest_all(const double *c, size_t kc, double x, double y)
{
	double best = INFINITY;
	uint32_t bi = 0;
	size_t j;

	for (j = 0; j < kc; j++) {
		double dx = x - c[2 * j], dy = y - c[2 * j + 1], d = dx * dx + dy * dy;

		if (d < best) {
			best = d;
			bi = (uint32_t)j;
		}
	}
	return bi;
}

/* candidates_part lists the candidates of the (non-empty) cells of one part of the grid. */
static void candidates_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	struct km_grid *g = (struct km_grid *)c->grid;
	const size_t per = KM_CELLS / KM_CELL_PARTS;
	const double h = g->side * 0.7071067811865476;
	size_t cell, j;

	for (cell = part * per; cell < (part + 1) * per; cell++) {
		const double mx = g->x0 + ((double)(cell % KM_GRID) + 0.5) * g->side;
		const double my = g->y0 + ((double)(cell / KM_GRID) + 0.5) * g->side;
		uint32_t *cand = g->cand + cell * g->kmax, nc = 0;
		double best = INFINITY, limit;

		if (g->first[cell] == g->first[cell + 1]) {
			g->ncand[cell] = 0;
			continue;
		}
		for (j = 0; j < c->kc; j++) {
			double dx = mx - c->c[2 * j], dy = my - c->c[2 * j + 1],
			       d = dx * dx + dy * dy;

			best = d < best ? d : best;
		}
		/* d <= d* + 2h, compared squared (both sides are non-negative) */
		limit = (sqrt(best) + 2 * h) * (1 + KM_MARGIN) + KM_MARGIN * h;
		limit *= limit;
		for (j = 0; j < c->kc; j++) {
			double dx = mx - c->c[2 * j], dy = my - c->c[2 * j + 1];

			if (dx * dx + dy * dy <= limit)
				cand[nc++] = (uint32_t)j;
		}
		g->ncand[cell] = nc;
	}
}

/* grid_sums_part adds up one part of the cells: whole cells for single-candidate cells,
 * point by point for the others. */
static void grid_sums_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	const struct km_grid *g = c->grid;
	const size_t per = KM_CELLS / KM_CELL_PARTS;
	double *sums = c->sums + part * c->kc * 4;
	size_t cell, i;

	memset(sums, 0, c->kc * 4 * sizeof(*sums));
	for (cell = part * per; cell < (part + 1) * per; cell++) {
		const uint32_t *cand = g->cand + cell * g->kmax;
		const size_t nc = g->ncand[cell];

		if (nc == 0)
			continue;
		if (nc == 1) {
			const double *cs = g->csum + 4 * cell;
			double *s = sums + 4 * (size_t)cand[0];

			s[0] += cs[0];
			s[1] += cs[1];
			s[2] += cs[2];
			s[3] += cs[3];
			continue;
		}
		for (i = g->first[cell]; i < g->first[cell + 1]; i++) {
			const double x = g->sp[2 * i], y = g->sp[2 * i + 1];
			const double wi = g->sw ? g->sw[i] : 1.0;
			double *s = sums + 4 * (size_t)nearest_of(c->c, cand, nc, x, y);

			s[0] += wi * x;
			s[1] += wi * y;
			s[2] += wi;
			s[3] += 1;
		}
	}
}

/* grid_labels_part writes the labels of one part of the points from this iteration's
 * candidates. */
static void grid_labels_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	const struct km_grid *g = c->grid;
	size_t i, lo = part * KM_PART, hi = lo + KM_PART < c->n ? lo + KM_PART : c->n;

	for (i = lo; i < hi; i++) {
		const double x = c->pts[2 * i], y = c->pts[2 * i + 1];
		const size_t cell = cell_of(g, x, y);

		c->a[i] = nearest_of(c->c, g->cand + cell * g->kmax, g->ncand[cell], x, y);
	}
}

/* assign_part: the plain loop for one part of the points */
static void assign_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	size_t i, lo = part * KM_PART, hi = lo + KM_PART < c->n ? lo + KM_PART : c->n;
	double *sums = c->sums + part * c->kc * 4;

	memset(sums, 0, c->kc * 4 * sizeof(*sums));
	for (i = lo; i < hi; i++) {
		const double x = c->pts[2 * i], y = c->pts[2 * i + 1];
		const double wi = c->w ? c->w[i] : 1.0;
		const uint32_t a = nearest_all(c->c, c->kc, x, y);

		c->a[i] = a;
		sums[4 * a] += wi * x;
		sums[4 * a + 1] += wi * y;
		sums[4 * a + 2] += wi;
		sums[4 * a + 3] += 1;
	}
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

/* same_clustering: Pol.is compares the sorted centre lists pairwise (zip stops at the shorter
 * one) and calls them the same when every pair is closer than KMEANS_MOVE_EPS. */
static bool same_clustering(double *a, size_t na, double *b, size_t nb)
{
	size_t i, n = na < nb ? na : nb;

	qsort(a, na, 2 * sizeof(double), pt_cmp);
	qsort(b, nb, 2 * sizeof(double), pt_cmp);
	for (i = 0; i < n; i++) {
		double dx = a[2 * i] - b[2 * i], dy = a[2 * i + 1] - b[2 * i + 1];

		if (!(sqrt(dx * dx + dy * dy) < KMEANS_MOVE_EPS))
			return false;
	}
	return true;
}

int kmeans_fit(const double *pts, const double *w, size_t n, size_t k, const double *init,
	       size_t n_init, const struct kmeans_params *p, uint32_t *labels, double *centers,
	       uint32_t *sizes, size_t *k_out, unsigned *iters)
{
	size_t kc, kmax, n_parts = (n + KM_PART - 1) / KM_PART, i, j, q, kn, sum_parts;
	double *c = NULL, *nc = NULL, *sums = NULL, *sa = NULL, *sb = NULL;
	uint32_t *keep_of = NULL, *cnt = NULL;
	size_t *idx = NULL;
	struct km_grid grid;
	bool use_grid = false, nomem = false;
	unsigned it = p->max_iters, done = 0;
	int rc = ERR_NOMEM;

	memset(&grid, 0, sizeof(grid));
	*k_out = 0;
	if (iters)
		*iters = 0;
	if (n == 0 || (init ? n_init : k) == 0)
		return ERR_OK;
	kmax = init ? n_init : k;
	sum_parts = n_parts > KM_CELL_PARTS ? n_parts : KM_CELL_PARTS;
	c = malloc(2 * kmax * sizeof(*c));
	nc = malloc(2 * kmax * sizeof(*nc));
	sa = malloc(2 * kmax * sizeof(*sa));
	sb = malloc(2 * kmax * sizeof(*sb));
	keep_of = malloc(kmax * sizeof(*keep_of));
	cnt = malloc(kmax * sizeof(*cnt));
	sums = malloc(sum_parts * kmax * 4 * sizeof(*sums));
	idx = malloc(kmax * sizeof(*idx));
	if (!c || !nc || !sa || !sb || !keep_of || !cnt || !sums || !idx)
		goto done;
	if (init) {
		memcpy(c, init, 2 * n_init * sizeof(*c));
		kc = n_init;
	} else {
		kc = kmeans_first_distinct(pts, n, k, idx);
		for (j = 0; j < kc; j++) {
			c[2 * j] = pts[2 * idx[j]];
			c[2 * j + 1] = pts[2 * idx[j] + 1];
		}
	}
	if (n * kc > KM_BRUTE_WORK) {
		use_grid = grid_setup(&grid, pts, w, n, kmax, &nomem);
		if (nomem)
			goto done;
	}

	for (;;) {
		struct km_ctx ctx = {pts, w, n, kc, c, use_grid ? &grid : NULL, labels, sums};
		size_t parts = use_grid ? KM_CELL_PARTS : n_parts;

		if (use_grid) {
			par_run(p->threads, KM_CELL_PARTS, candidates_part, &ctx);
			par_run(p->threads, KM_CELL_PARTS, grid_sums_part, &ctx);
		} else {
			par_run(p->threads, n_parts, assign_part, &ctx);
		}
		done++;

		/* new centres: weighted means of the non-empty clusters, in cluster order */
		kn = 0;
		for (j = 0; j < kc; j++) {
			double sx = 0, sy = 0, sw = 0, sn = 0;

			for (q = 0; q < parts; q++) {
				const double *ps = sums + (q * kc + j) * 4;

				sx += ps[0];
				sy += ps[1];
				sw += ps[2];
				sn += ps[3];
			}
			if (sn == 0) {
				keep_of[j] = UINT32_MAX;
				continue;
			}
			keep_of[j] = (uint32_t)kn;
			nc[2 * kn] = sx / sw;
			nc[2 * kn + 1] = sy / sw;
			cnt[kn] = (uint32_t)sn;
			kn++;
		}
		memcpy(sa, c, 2 * kc * sizeof(*c));
		memcpy(sb, nc, 2 * kn * sizeof(*nc));
		if (it == 0 || same_clustering(sa, kc, sb, kn)) {
			if (use_grid) /* the labels of this (the last) assignment */
				par_run(p->threads, n_parts, grid_labels_part, &ctx);
			for (i = 0; i < n; i++)
				labels[i] = keep_of[labels[i]];
			memcpy(centers, nc, 2 * kn * sizeof(*nc));
			if (sizes)
				memcpy(sizes, cnt, kn * sizeof(*cnt));
			*k_out = kn;
			break;
		}
		memcpy(c, nc, 2 * kn * sizeof(*nc));
		kc = kn;
		it--;
	}
	if (iters)
		*iters = done;
	rc = ERR_OK;
done:
	free(c);
	free(nc);
	free(sa);
	free(sb);
	free(keep_of);
	free(cnt);
	free(sums);
	free(idx);
	grid_free(&grid);
	return rc;
}

double kmeans_silhouette(const double *pts, size_t n, const uint32_t *labels)
{
	size_t i, j, k = 0, distinct = 0;
	double total = 0, *sum;
	uint32_t *cnt;

	for (i = 0; i < n; i++)
		if (labels[i] + (size_t)1 > k)
			k = labels[i] + (size_t)1;
	sum = calloc(k + 1, sizeof(*sum));
	cnt = calloc(k + 1, sizeof(*cnt));
	if (!sum || !cnt) {
		free(sum);
		free(cnt);
		return -2;
	}
	for (i = 0; i < n; i++)
		if (cnt[labels[i]]++ == 0)
			distinct++;
	if (distinct < 2) {
		free(sum);
		free(cnt);
		return -1;
	}
	for (i = 0; i < n; i++) {
		double a, b = INFINITY, mx;

		if (cnt[labels[i]] == 1)
			continue; /* scores 0 */
		memset(sum, 0, k * sizeof(*sum));
		for (j = 0; j < n; j++)
			if (j != i) {
				double dx = pts[2 * i] - pts[2 * j],
				       dy = pts[2 * i + 1] - pts[2 * j + 1];

				sum[labels[j]] += sqrt(dx * dx + dy * dy);
			}
		a = sum[labels[i]] / (double)(cnt[labels[i]] - 1);
		for (j = 0; j < k; j++)
			if (j != labels[i] && cnt[j] > 0 && sum[j] / cnt[j] < b)
				b = sum[j] / cnt[j];
		mx = a > b ? a : b;
		total += mx > 0 ? (b - a) / mx : 0;
	}
	free(sum);
	free(cnt);
	return total / (double)n;
}
