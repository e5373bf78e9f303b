/*
 * kmeans.c - Lloyd's k-means with Pol.is's rules (see kmeans.h).
 *
 * The assignment step finds each point's nearest centre. For few points every distance is
 * computed. For many (a million participants, 100 centres, up to 101 iterations) a grid
 * over the points' bounding box is rebuilt each iteration: every grid cell lists the centres
 * that can be nearest to some point of the cell. With the cell's middle g and half-diagonal
 * h, and d* the smallest distance from g to a centre, a centre at distance d from g is at
 * least d - h from every point of the cell while the nearest is at most d* + h away, so only
 * centres with d <= d* + 2h can win (plus a relative margin for rounding). Most cells list one
 * centre, so most points are assigned without computing a distance; the others compute the
 * distances to their few candidates exactly as the plain loop does (dx*dx + dy*dy, lowest
 * index on a tie). The partition is therefore Lloyd's, bit for bit.
 *
 * Sums for the new centres are kept per part of KM_PART points and added in part order, so
 * the threads never change the result.
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
#define KM_MARGIN     1e-9		/* relative rounding margin of the candidate test */

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

/* The candidate grid: cell (cx, cy) covers [x0 + cx*side, x0 + (cx+1)*side] x (same in y);
 * its candidates are cand[start[c] .. start[c+1]), ascending centre index. */
struct km_grid {
	double x0, y0, side, inv;
	uint32_t *start; /* [KM_GRID * KM_GRID + 1] */
	uint32_t *cand;	 /* room for KM_GRID * KM_GRID * k */
};

static void grid_build(struct km_grid *g, const double *c, size_t kc, double *dist)
{
	size_t cx, cy, j, n = 0;
	const double h = g->side * 0.7071067811865476;

	for (cy = 0; cy < KM_GRID; cy++) {
		for (cx = 0; cx < KM_GRID; cx++) {
			const double mx = g->x0 + ((double)cx + 0.5) * g->side;
			const double my = g->y0 + ((double)cy + 0.5) * g->side;
			double best = INFINITY, limit;

			for (j = 0; j < kc; j++) {
				double dx = mx - c[2 * j], dy = my - c[2 * j + 1];

				dist[j] = sqrt(dx * dx + dy * dy);
				if (dist[j] < best)
					best = dist[j];
			}
			limit = (best + 2 * h) * (1 + KM_MARGIN) + KM_MARGIN * h;
			g->start[cy * KM_GRID + cx] = (uint32_t)n;
			for (j = 0; j < kc; j++)
				if (dist[j] <= limit)
					g->cand[n++] = (uint32_t)j;
		}
	}
	g->start[KM_GRID * KM_GRID] = (uint32_t)n;
}

struct km_ctx {
	const double *pts, *w;
	size_t n, kc;		    /* points, current centres */
	const double *c;	    /* [2 kc] */
	const struct km_grid *grid; /* NULL: every distance */
	uint32_t *a;		    /* [n] assignment */
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

static void assign_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	size_t i, lo = part * KM_PART, hi = lo + KM_PART < c->n ? lo + KM_PART : c->n;
	double *sums = c->sums + part * c->kc * 4;
	const struct km_grid *g = c->grid;

	memset(sums, 0, c->kc * 4 * sizeof(*sums));
	for (i = lo; i < hi; i++) {
		const double x = c->pts[2 * i], y = c->pts[2 * i + 1];
		const double wi = c->w ? c->w[i] : 1.0;
		uint32_t a;

		if (g) {
			size_t cx = (size_t)((x - g->x0) * g->inv),
			       cy = (size_t)((y - g->y0) * g->inv);
			size_t cell, b, e;

			if (cx >= KM_GRID)
				cx = KM_GRID - 1;
			if (cy >= KM_GRID)
				cy = KM_GRID - 1;
			cell = cy * KM_GRID + cx;
			b = g->start[cell];
			e = g->start[cell + 1];
			a = e - b == 1 ? g->cand[b] : nearest_of(c->c, g->cand + b, e - b, x, y);
		} else {
			a = nearest_all(c->c, c->kc, x, y);
		}
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

/* grid_setup sizes the grid to the points' bounding box; false when it has no extent (all
 * points equal: the plain loop is then as fast). */
static bool grid_setup(struct km_grid *g, const double *pts, size_t n)
{
	double x1 = pts[0], y1 = pts[1], side;
	size_t i;

	g->x0 = pts[0];
	g->y0 = pts[1];
	for (i = 1; i < n; i++) {
		if (pts[2 * i] < g->x0)
			g->x0 = pts[2 * i];
		if (pts[2 * i] > x1)
			x1 = pts[2 * i];
		if (pts[2 * i + 1] < g->y0)
			g->y0 = pts[2 * i + 1];
		if (pts[2 * i + 1] > y1)
			y1 = pts[2 * i + 1];
	}
	side = x1 - g->x0 > y1 - g->y0 ? x1 - g->x0 : y1 - g->y0;
	if (!(side > 0) || !isfinite(side))
		return false;
	g->side = side / KM_GRID;
	g->inv = KM_GRID / side;
	return true;
}

int kmeans_fit(const double *pts, const double *w, size_t n, size_t k, const double *init,
	       size_t n_init, const struct kmeans_params *p, uint32_t *labels, double *centers,
	       uint32_t *sizes, size_t *k_out, unsigned *iters)
{
	size_t kc, kmax, n_parts = (n + KM_PART - 1) / KM_PART, i, j, q, kn;
	double *c = NULL, *nc = NULL, *sums = NULL, *sa = NULL, *sb = NULL, *dist = NULL;
	uint32_t *keep_of = NULL, *cnt = NULL;
	size_t *idx = NULL;
	struct km_grid grid = {0, 0, 0, 0, NULL, NULL};
	bool use_grid = false;
	unsigned it = p->max_iters, done = 0;
	int rc = ERR_NOMEM;

	*k_out = 0;
	if (iters)
		*iters = 0;
	if (n == 0 || (init ? n_init : k) == 0)
		return ERR_OK;
	kmax = init ? n_init : k;
	c = malloc(2 * kmax * sizeof(*c));
	nc = malloc(2 * kmax * sizeof(*nc));
	sa = malloc(2 * kmax * sizeof(*sa));
	sb = malloc(2 * kmax * sizeof(*sb));
	dist = malloc(kmax * sizeof(*dist));
	keep_of = malloc(kmax * sizeof(*keep_of));
	cnt = malloc(kmax * sizeof(*cnt));
	sums = malloc(n_parts * kmax * 4 * sizeof(*sums));
	idx = malloc(kmax * sizeof(*idx));
	if (!c || !nc || !sa || !sb || !dist || !keep_of || !cnt || !sums || !idx)
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
	if (n * kc > KM_BRUTE_WORK && grid_setup(&grid, pts, n)) {
		grid.start = malloc((KM_GRID * KM_GRID + 1) * sizeof(*grid.start));
		grid.cand = malloc((size_t)KM_GRID * KM_GRID * kmax * sizeof(*grid.cand));
		if (!grid.start || !grid.cand)
			goto done;
		use_grid = true;
	}

	for (;;) {
		struct km_ctx ctx = {pts, w, n, kc, c, use_grid ? &grid : NULL, labels, sums};

		if (use_grid)
			grid_build(&grid, c, kc, dist);
		par_run(p->threads, n_parts, assign_part, &ctx);
		done++;

		/* new centres: weighted means of the non-empty clusters, in cluster order */
		kn = 0;
		for (j = 0; j < kc; j++) {
			double sx = 0, sy = 0, sw = 0, sn = 0;

			for (q = 0; q < n_parts; q++) {
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
	free(dist);
	free(keep_of);
	free(cnt);
	free(sums);
	free(idx);
	free(grid.start);
	free(grid.cand);
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
