/*
 * kmeans.c - Lloyd's k-means with Pol.is's rules, Hamerly-accelerated (see kmeans.h).
 *
 * Hamerly keeps, per point, an upper bound u on the distance to its centre and a lower bound
 * l on the distance to every other centre. When centres move, u grows by its centre's move
 * and l shrinks by the largest move. A point whose u is below max(l, half the distance from
 * its centre to the nearest other centre) provably keeps its centre, so it is skipped; the
 * comparison is strict, so a point that might be tied is recomputed and gets the lowest
 * index, as in the plain loop.
 */
#include "kmeans.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

#define KM_PART	      ((size_t)1 << 16) /* points per part */
#define KM_BRUTE_WORK ((size_t)1 << 21) /* n * k up to which every distance is computed */

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

/* Centres sorted by x, for nearest(): a rescan looks outward from the point's x and stops
 * once the horizontal distance alone exceeds the second-best distance found. */
struct sorted_centres {
	size_t k;
	double *x, *y;	/* [k] ascending x (then index) */
	uint32_t *idx;	/* [k] the centre's index */
};

struct km_ctx {
	const double *pts, *w;
	size_t n, kc;		   /* points, current centres */
	const double *c;	   /* [2 kc] */
	const double *s;	   /* [kc]: half the distance to the nearest other centre */
	const struct sorted_centres *sc;
	uint32_t *a;		   /* [n] assignment */
	double *u, *l;		   /* [n] Hamerly bounds; NULL: every point is rescanned */
	double *sums;		   /* [n_parts][kc][4]: sum w*x, sum w*y, sum w, count */
	bool first;		   /* first assignment: every point scanned */
	const uint32_t *keep_of;   /* pending from the last update: old index -> new, or NULL */
	const double *move;	   /* [kc] how far each (new-index) centre moved */
	double max_move;
};

/* nearest finds the centre nearest to (x, y): the lowest index among those at the minimal
 * squared distance (computed as dx*dx + dy*dy, like the plain loop), and the two smallest
 * distances. Exact: a centre is skipped only when its dx alone rules it out. */
static uint32_t nearest(const struct sorted_centres *sc, double x, double y, double *d1,
			double *d2)
{
	double best = INFINITY, second = INFINITY;
	uint32_t bi = UINT32_MAX;
	size_t lo = 0, hi = sc->k, mid;
	ptrdiff_t left, right;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sc->x[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	left = (ptrdiff_t)lo - 1;
	right = (ptrdiff_t)lo;
	while (left >= 0 || right < (ptrdiff_t)sc->k) {
		double dl = left >= 0 ? x - sc->x[left] : INFINITY;
		double dr = right < (ptrdiff_t)sc->k ? sc->x[right] - x : INFINITY;
		ptrdiff_t at;
		double dx, dy, d;

		if (dl <= dr) {
			at = left--;
		} else {
			at = right++;
		}
		dx = x - sc->x[at];
		if (dx * dx > second)
			break; /* every centre further out in x is further still */
		dy = y - sc->y[at];
		d = dx * dx + dy * dy;
		if (d < best || (d == best && sc->idx[at] < bi)) {
			second = best;
			best = d;
			bi = sc->idx[at];
		} else if (d < second) {
			second = d;
		}
	}
	*d1 = sqrt(best);
	*d2 = sqrt(second);
	return bi;
}

static void assign_part(void *arg, size_t part)
{
	struct km_ctx *c = arg;
	size_t i, lo = part * KM_PART, hi = lo + KM_PART < c->n ? lo + KM_PART : c->n;
	double *sums = c->sums + part * c->kc * 4;
	double d1, d2;

	memset(sums, 0, c->kc * 4 * sizeof(*sums));
	for (i = lo; i < hi; i++) {
		const double x = c->pts[2 * i], y = c->pts[2 * i + 1];
		const double wi = c->w ? c->w[i] : 1.0;
		uint32_t a;

		if (!c->u || c->first) {
			a = nearest(c->sc, x, y, &d1, &d2);
			if (c->u) {
				c->u[i] = d1;
				c->l[i] = d2;
			}
		} else {
			double z;

			a = c->keep_of ? c->keep_of[c->a[i]] : c->a[i];
			c->u[i] += c->move[a];
			c->l[i] -= c->max_move;
			z = c->l[i] > c->s[a] ? c->l[i] : c->s[a];
			if (!(c->u[i] < z)) {
				double dx = x - c->c[2 * a], dy = y - c->c[2 * a + 1];

				c->u[i] = sqrt(dx * dx + dy * dy);
				if (!(c->u[i] < z)) {
					a = nearest(c->sc, x, y, &d1, &d2);
					c->u[i] = d1;
					c->l[i] = d2;
				}
			}
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

int kmeans_fit(const double *pts, const double *w, size_t n, size_t k, const double *init,
	       size_t n_init, const struct kmeans_params *p, uint32_t *labels, double *centers,
	       uint32_t *sizes, size_t *k_out, unsigned *iters)
{
	size_t kc, kmax, n_parts = (n + KM_PART - 1) / KM_PART, i, j, q, kn;
	double *c = NULL, *nc = NULL, *sums = NULL, *s = NULL, *u = NULL, *l = NULL, *move = NULL;
	double *sa = NULL, *sb = NULL;
	uint32_t *keep_of = NULL, *cnt = NULL;
	size_t *idx = NULL;
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
	s = malloc(kmax * sizeof(*s));
	move = malloc(kmax * sizeof(*move));
	keep_of = malloc(kmax * sizeof(*keep_of));
	cnt = malloc(kmax * sizeof(*cnt));
	sums = malloc(n_parts * kmax * 4 * sizeof(*sums));
	idx = malloc(kmax * sizeof(*idx));
	if (!c || !nc || !sa || !sb || !s || !move || !keep_of || !cnt || !sums || !idx)
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
		u = malloc(n * sizeof(*u));
		l = malloc(n * sizeof(*l));
		if (!u || !l)
			goto done;
	}

	for (;;) {
		struct km_ctx ctx = {pts, w, n, kc, c, s, labels, u, l, sums, done == 0};

		/* half the distance from each centre to its nearest neighbour */
		for (j = 0; j < kc && u; j++) {
			double best = INFINITY;

			for (q = 0; q < kc; q++) {
				double dx, dy, d;

				if (q == j)
					continue;
				dx = c[2 * j] - c[2 * q];
				dy = c[2 * j + 1] - c[2 * q + 1];
				d = sqrt(dx * dx + dy * dy);
				if (d < best)
					best = d;
			}
			s[j] = 0.5 * best;
		}
		par_run(p->threads, n_parts, assign_part, &ctx);
		done++;

		/* new centres: weighted means of the non-empty clusters, in cluster order */
		kn = 0;
		for (j = 0; j < kc; j++) {
			double sx = 0, sy = 0, sw = 0, sc = 0;

			for (q = 0; q < n_parts; q++) {
				const double *ps = sums + (q * kc + j) * 4;

				sx += ps[0];
				sy += ps[1];
				sw += ps[2];
				sc += ps[3];
			}
			if (sc == 0) {
				keep_of[j] = UINT32_MAX;
				continue;
			}
			keep_of[j] = (uint32_t)kn;
			nc[2 * kn] = sx / sw;
			nc[2 * kn + 1] = sy / sw;
			cnt[kn] = (uint32_t)sc;
			move[kn] = hypot(nc[2 * kn] - c[2 * j], nc[2 * kn + 1] - c[2 * j + 1]);
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
		{
			struct bound_ctx bc = {n, labels, u, l, keep_of, move, 0};

			for (j = 0; j < kn; j++)
				if (move[j] > bc.max_move)
					bc.max_move = move[j];
			par_run(p->threads, n_parts, bound_part, &bc);
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
	free(s);
	free(move);
	free(keep_of);
	free(cnt);
	free(sums);
	free(idx);
	free(u);
	free(l);
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
