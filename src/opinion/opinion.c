/*
 * opinion.c - the opinion pipeline (see opinion.h): from the vote matrix to groups,
 * representative statements and consensus.
 *
 * Memory beyond the vote matrix is linear in participants and statements: projections,
 * cluster labels and per-group vote counts. Nothing dense in participants x statements.
 */
#include "opinion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opinion/kmeans.h"
#include "opinion/par.h"
#include "opinion/pca.h"

static double clock_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* cpu_s is the CPU time of the whole process, every thread's: with the wall time of a phase it
 * tells how many CPUs the phase kept busy, and whether more threads cost more work. */
static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void opinion_params_default(struct opinion_params *p)
{
	memset(p, 0, sizeof(*p));
	p->threads = 1;
	p->min_votes = OPINION_MIN_VOTES;
	p->min_in_conv = OPINION_MIN_IN_CONV;
	p->base_k = OPINION_BASE_K;
	p->base_iters = 100;
	p->max_group_k = OPINION_MAX_GROUPS;
	p->group_iters = 20;
	p->pca_max_passes = 1000;
	p->pca_tol = 1e-6;
	p->warm_kmeans = true;
}

void opinion_result_free(struct opinion_result *r)
{
	if (!r)
		return;
	free(r->participants);
	free(r->statement_ids);
	free(r->moderated);
	free(r->gic);
	free(r->center);
	free(r->comp[0]);
	free(r->comp[1]);
	free(r->groups);
	free(r->base_centers);
	free(r->base_sizes);
	free(r);
}

ptrdiff_t opinion_find_participant(const struct opinion_result *r, int64_t id)
{
	size_t lo = 0, hi = r->n_participants, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->participants[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_participants && r->participants[lo].id == id ? (ptrdiff_t)lo : -1;
}

static size_t vote_threshold(const struct vote_matrix *m, unsigned min_votes)
{
	return m->n_cols < min_votes ? m->n_cols : min_votes;
}

size_t opinion_count_qualified(const struct vote_matrix *m, unsigned min_votes)
{
	size_t r, n = 0, thr = vote_threshold(m, min_votes);

	for (r = 0; r < m->n_rows; r++)
		n += m->row_ptr[r + 1] - m->row_ptr[r] >= thr;
	return n;
}

/* ---- ARI ------------------------------------------------------------------------------- */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* pairs_in_runs sorts v[0..n) and returns the sum over runs of equal values of C(run, 2). */
static double pairs_in_runs(uint64_t *v, size_t n)
{
	size_t i, j;
	double s = 0;

	qsort(v, n, sizeof(*v), u64_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] == v[i]; j++)
			;
		s += (double)(j - i) * (double)(j - i - 1) / 2.0;
	}
	return s;
}

/* ari_dense counts the contingency table directly when both label ranges are small. */
static bool ari_dense(const int32_t *a, const int32_t *b, size_t n, double *sab, double *sa,
		      double *sb)
{
	int32_t amin = INT32_MAX, amax = INT32_MIN, bmin = INT32_MAX, bmax = INT32_MIN;
	size_t i, ka, kb, j;
	uint64_t *t, *ra, *rb;

	for (i = 0; i < n; i++) {
		amin = a[i] < amin ? a[i] : amin;
		amax = a[i] > amax ? a[i] : amax;
		bmin = b[i] < bmin ? b[i] : bmin;
		bmax = b[i] > bmax ? b[i] : bmax;
	}
	ka = (size_t)((int64_t)amax - amin + 1);
	kb = (size_t)((int64_t)bmax - bmin + 1);
	if (ka > 4096 || kb > 4096 || ka * kb > ((size_t)1 << 20))
		return false;
	t = calloc(ka * kb + ka + kb, sizeof(*t));
	if (!t)
		return false;
	ra = t + ka * kb;
	rb = ra + ka;
	for (i = 0; i < n; i++) {
		size_t x = (size_t)(a[i] - amin), y = (size_t)(b[i] - bmin);

		t[x * kb + y]++;
		ra[x]++;
		rb[y]++;
	}
	*sab = *sa = *sb = 0;
	for (i = 0; i < ka * kb; i++)
		*sab += (double)t[i] * ((double)t[i] - 1) / 2.0;
	for (j = 0; j < ka; j++)
		*sa += (double)ra[j] * ((double)ra[j] - 1) / 2.0;
	for (j = 0; j < kb; j++)
		*sb += (double)rb[j] * ((double)rb[j] - 1) / 2.0;
	free(t);
	return true;
}

int opinion_ari(const int32_t *a, const int32_t *b, size_t n, double *out)
{
	double sab, sa, sb, total, expected, max;
	size_t i;

	if (n == 0 || !ari_dense(a, b, n, &sab, &sa, &sb)) {
		uint64_t *v = malloc((n + 1) * sizeof(*v));

		if (!v)
			return ERR_NOMEM;
		for (i = 0; i < n; i++)
			v[i] = (uint64_t)(uint32_t)a[i] << 32 | (uint32_t)b[i];
		sab = pairs_in_runs(v, n);
		for (i = 0; i < n; i++)
			v[i] = (uint32_t)a[i];
		sa = pairs_in_runs(v, n);
		for (i = 0; i < n; i++)
			v[i] = (uint32_t)b[i];
		sb = pairs_in_runs(v, n);
		free(v);
	}
	total = (double)n * ((double)n - 1) / 2.0;
	expected = total > 0 ? sa * sb / total : 0;
	max = (sa + sb) / 2.0;
	*out = max == expected ? 1.0 : (sab - expected) / (max - expected);
	return ERR_OK;
}

/* ---- per-group vote counts ----------------------------------------------------------------- */

struct count_ctx {
	const struct vote_matrix *m;
	const int32_t *group; /* [n_rows] group or -1 */
	size_t k;
	const size_t *bounds;
	struct repness_counts *partial; /* [n_parts][k + 1][n_cols]; slot k: everyone */
};

static void count_part(void *arg, size_t part)
{
	struct count_ctx *c = arg;
	const struct vote_matrix *m = c->m;
	struct repness_counts *base = c->partial + part * (c->k + 1) * m->n_cols;
	struct repness_counts *all = base + c->k * m->n_cols;
	size_t r, e;

	memset(base, 0, (c->k + 1) * m->n_cols * sizeof(*base));
	for (r = c->bounds[part]; r < c->bounds[part + 1]; r++) {
		struct repness_counts *g =
		    c->group[r] >= 0 ? base + (size_t)c->group[r] * m->n_cols : NULL;

		for (e = m->row_ptr[r]; e < m->row_ptr[r + 1]; e++) {
			uint32_t j = m->col[e];
			int8_t v = m->val[e];

			all[j].ns++;
			all[j].na += v == VOTE_AGREE;
			all[j].nd += v == VOTE_DISAGREE;
			if (g) {
				g[j].ns++;
				g[j].na += v == VOTE_AGREE;
				g[j].nd += v == VOTE_DISAGREE;
			}
		}
	}
}

/* ---- the pipeline -------------------------------------------------------------------------- */

struct active {
	uint32_t votes;
	uint32_t row;
};

static int active_cmp(const void *a, const void *b)
{
	const struct active *x = a, *y = b;

	if (x->votes != y->votes)
		return x->votes > y->votes ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* pick_in_conv marks the rows in the conversation (in[r] = 1) and returns how many; *natural
 * gets those with enough votes of their own. */
static int pick_in_conv(const struct vote_matrix *m, const struct opinion_params *p, uint8_t *in,
			size_t *n_in, size_t *natural)
{
	size_t r, thr = vote_threshold(m, p->min_votes), n = 0, k = 0;
	struct active *rest;

	for (r = 0; r < m->n_rows; r++) {
		in[r] = m->row_ptr[r + 1] - m->row_ptr[r] >= thr;
		n += in[r];
	}
	*natural = n;
	if (n < p->min_in_conv && n < m->n_rows) {
		rest = malloc((m->n_rows - n) * sizeof(*rest));
		if (!rest)
			return ERR_NOMEM;
		for (r = 0; r < m->n_rows; r++) {
			if (in[r])
				continue;
			rest[k].votes = (uint32_t)(m->row_ptr[r + 1] - m->row_ptr[r]);
			rest[k].row = (uint32_t)r;
			k++;
		}
		qsort(rest, k, sizeof(*rest), active_cmp);
		for (r = 0; r < k && n < p->min_in_conv; r++, n++)
			in[rest[r].row] = 1;
		free(rest);
	}
	*n_in = n;
	return ERR_OK;
}

/* warm_vectors maps warm's components onto m's columns by statement id (0 for new ones). */
static int warm_vectors(const struct vote_matrix *m, const struct opinion_result *warm, double **w0,
			double **w1)
{
	size_t i = 0, j = 0;

	*w0 = calloc(m->n_cols + 1, sizeof(double));
	*w1 = calloc(m->n_cols + 1, sizeof(double));
	if (!*w0 || !*w1)
		return ERR_NOMEM;
	while (i < warm->n_statements && j < m->n_cols) {
		if (warm->statement_ids[i] < m->col_ids[j]) {
			i++;
		} else if (warm->statement_ids[i] > m->col_ids[j]) {
			j++;
		} else {
			(*w0)[j] = warm->comp[0][i];
			(*w1)[j] = warm->comp[1][i];
			i++;
			j++;
		}
	}
	return ERR_OK;
}

/* groups_from_bases clusters the base centres into groups: the silhouette picks k. Writes
 * each base's group to glab[n_base] and fills r's groups (sizes in base-weight terms). */
static int groups_from_bases(struct opinion_result *r, const struct opinion_params *p,
			     uint32_t *glab)
{
	const size_t nb = r->n_base;
	size_t max_k = 2 + nb / 12, k, kout, best_kout = 0, g;
	double *cen = NULL, *best_cen = NULL, *w = NULL, best_sil = -INFINITY;
	uint32_t *lab = NULL;
	struct kmeans_params kp = {p->group_iters, 1};
	int rc = ERR_NOMEM;

	if (max_k > p->max_group_k)
		max_k = p->max_group_k;
	cen = malloc(2 * max_k * sizeof(*cen));
	best_cen = malloc(2 * max_k * sizeof(*best_cen));
	w = malloc(nb * sizeof(*w));
	lab = malloc(nb * sizeof(*lab));
	if (!cen || !best_cen || !w || !lab)
		goto done;
	for (k = 0; k < nb; k++)
		w[k] = r->base_sizes[k];
	for (k = 2; k <= max_k; k++) {
		double sil;

		rc = kmeans_fit(r->base_centers, w, nb, k, NULL, 0, &kp, lab, cen, NULL, &kout,
				NULL);
		if (rc)
			goto done;
		sil = kmeans_silhouette(r->base_centers, nb, lab);
		if (sil < -1.5) {
			rc = ERR_NOMEM;
			goto done;
		}
		r->silhouette[k] = sil;
		r->k_tried = (unsigned)k;
		if (sil >= best_sil) { /* ties: the larger k, as Pol.is's max-key */
			best_sil = sil;
			best_kout = kout;
			memcpy(glab, lab, nb * sizeof(*lab));
			memcpy(best_cen, cen, 2 * kout * sizeof(*cen));
		}
	}
	r->n_groups = best_kout;
	r->groups = calloc(best_kout + 1, sizeof(*r->groups));
	if (!r->groups) {
		rc = ERR_NOMEM;
		goto done;
	}
	for (g = 0; g < best_kout; g++) {
		r->groups[g].x = best_cen[2 * g];
		r->groups[g].y = best_cen[2 * g + 1];
	}
	rc = ERR_OK;
done:
	free(cen);
	free(best_cen);
	free(w);
	free(lab);
	return rc;
}

/* statements: repness per group, consensus and gic from the per-group counts */
static int score_statements(const struct vote_matrix *m, const struct opinion_params *p,
			    const int32_t *group, struct opinion_result *r)
{
	const size_t n = m->n_cols, k = r->n_groups;
	size_t bounds[257], n_parts, g, h, j, i;
	struct repness_counts *partial = NULL, *cnt = NULL, *rest = NULL;
	struct repness_entry rep[REPNESS_MAX];
	struct consensus_entry ag[CONSENSUS_MAX], dg[CONSENSUS_MAX];
	int rc = ERR_NOMEM;

	/* integer counts are exact in any order; several parts per thread keep the threads
	 * busy when one of them is slowed down, within 64 MB of partial counts */
	{
		size_t max_parts = ((size_t)64 << 20) / ((k + 1) * (n + 1) * sizeof(*partial));

		max_parts = max_parts < 1 ? 1 : max_parts > 16 ? 16 : max_parts;
		n_parts = par_split(m->row_ptr, m->n_rows, (size_t)1 << 21, max_parts, bounds);
	}
	partial = malloc(n_parts * (k + 1) * (n + 1) * sizeof(*partial));
	cnt = calloc((k + 1) * (n + 1), sizeof(*cnt));
	rest = malloc((n + 1) * sizeof(*rest));
	if (!partial || !cnt || !rest)
		goto done;
	{
		struct count_ctx c = {m, group, k, bounds, partial};

		par_run(p->threads, n_parts, count_part, &c);
	}
	for (i = 0; i < n_parts; i++) {
		const struct repness_counts *src = partial + i * (k + 1) * n;

		for (j = 0; j < (k + 1) * n; j++) {
			cnt[j].na += src[j].na;
			cnt[j].nd += src[j].nd;
			cnt[j].ns += src[j].ns;
		}
	}
	for (g = 0; g < k; g++) {
		size_t nr;

		memset(rest, 0, n * sizeof(*rest));
		for (h = 0; h < k; h++) {
			if (h == g)
				continue;
			for (j = 0; j < n; j++) {
				rest[j].na += cnt[h * n + j].na;
				rest[j].nd += cnt[h * n + j].nd;
				rest[j].ns += cnt[h * n + j].ns;
			}
		}
		nr = repness_select(cnt + g * n, rest, n, m->moderated, rep);
		r->groups[g].n_repness = nr;
		for (i = 0; i < nr; i++) {
			struct opinion_repness *o = &r->groups[g].repness[i];

			o->statement = m->col_ids[rep[i].col];
			o->agree = rep[i].agree;
			o->n = rep[i].n;
			o->ns = rep[i].ns;
			o->p = rep[i].p;
			o->pz = rep[i].pz;
			o->r = rep[i].r;
			o->rz = rep[i].rz;
		}
	}
	repness_consensus(cnt + k * n, n, m->moderated, ag, &r->n_agree, dg, &r->n_disagree);
	for (i = 0; i < r->n_agree; i++) {
		r->agree[i].statement = m->col_ids[ag[i].col];
		r->agree[i].n = ag[i].n;
		r->agree[i].ns = ag[i].ns;
		r->agree[i].p = ag[i].p;
		r->agree[i].pz = ag[i].pz;
	}
	for (i = 0; i < r->n_disagree; i++) {
		r->disagree[i].statement = m->col_ids[dg[i].col];
		r->disagree[i].n = dg[i].n;
		r->disagree[i].ns = dg[i].ns;
		r->disagree[i].p = dg[i].p;
		r->disagree[i].pz = dg[i].pz;
	}
	repness_gic(cnt, k, n, r->gic);
	rc = ERR_OK;
done:
	free(partial);
	free(cnt);
	free(rest);
	return rc;
}

int opinion_compute(const struct vote_matrix *m, const struct opinion_result *warm,
		    const struct opinion_params *params, struct opinion_result **out)
{
	struct opinion_params def;
	const struct opinion_params *p = params;
	struct opinion_result *r;
	struct pca pc;
	struct pca_params pp;
	double *w0 = NULL, *w1 = NULL, *xy = NULL, *pts = NULL;
	uint8_t *in = NULL;
	uint32_t *blab = NULL, *glab = NULL;
	int32_t *group = NULL;
	size_t i, n_in, nrow = m->n_rows, ncol = m->n_cols;
	double t0, c0;
	int rc = ERR_NOMEM;

	if (!p) {
		opinion_params_default(&def);
		p = &def;
	}
	if (p->threads < 1 || p->max_group_k > OPINION_K_LIMIT || p->max_group_k < 2 ||
	    p->base_k < 1 || p->pca_max_passes < 1)
		return ERR_INVALID;
	memset(&pc, 0, sizeof(pc));
	r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->n_participants = nrow;
	r->n_statements = ncol;
	r->participants = calloc(nrow + 1, sizeof(*r->participants));
	r->statement_ids = malloc((ncol + 1) * sizeof(*r->statement_ids));
	r->moderated = malloc(ncol + 1);
	r->gic = calloc(ncol + 1, sizeof(*r->gic));
	xy = calloc(2 * nrow + 1, sizeof(*xy));
	in = malloc(nrow + 1);
	group = malloc((nrow + 1) * sizeof(*group));
	if (!r->participants || !r->statement_ids || !r->moderated || !r->gic || !xy || !in ||
	    !group)
		goto fail;
	memcpy(r->statement_ids, m->col_ids, ncol * sizeof(*m->col_ids));
	memcpy(r->moderated, m->moderated, ncol);

	/* components and projections */
	if (warm && warm->comp[0]) {
		rc = warm_vectors(m, warm, &w0, &w1);
		if (rc)
			goto fail;
	}
	t0 = clock_s();
	c0 = cpu_s();
	pp.max_passes = p->pca_max_passes;
	pp.tol = p->pca_tol;
	pp.threads = p->threads;
	rc = pca_fit(m, w0, w1, &pp, &pc);
	if (rc)
		goto fail;
	r->seconds[0] = clock_s() - t0;
	r->cpu_seconds[0] = cpu_s() - c0;
	t0 = clock_s();
	c0 = cpu_s();
	rc = pca_project(m, &pc, p->threads, xy);
	if (rc)
		goto fail;
	r->center = pc.center;
	r->comp[0] = pc.comp[0];
	r->comp[1] = pc.comp[1];
	pc.center = NULL;
	pc.comp[0] = pc.comp[1] = NULL;
	r->eigval[0] = pc.eigval[0];
	r->eigval[1] = pc.eigval[1];
	r->pca_passes = pc.passes;
	r->pca_residual = pc.residual;
	for (i = 0; i < nrow; i++) {
		r->participants[i].id = m->row_ids[i];
		r->participants[i].x = xy[2 * i];
		r->participants[i].y = xy[2 * i + 1];
		r->participants[i].group = -1;
		r->participants[i].base = -1;
		r->participants[i].n_votes = (uint32_t)(m->row_ptr[i + 1] - m->row_ptr[i]);
		group[i] = -1;
	}

	r->seconds[1] = clock_s() - t0;
	r->cpu_seconds[1] = cpu_s() - c0;
	t0 = clock_s();
	c0 = cpu_s();

	/* who is clustered */
	rc = pick_in_conv(m, p, in, &n_in, &r->n_qualified);
	if (rc)
		goto fail;
	r->n_in_conv = n_in;
	r->too_few_voters = r->n_qualified < p->min_in_conv;

	/* base clusters on the projections of those in the conversation, in id order */
	rc = ERR_NOMEM;
	pts = malloc((2 * n_in + 1) * sizeof(*pts));
	blab = malloc((n_in + 1) * sizeof(*blab));
	if (!pts || !blab)
		goto fail;
	n_in = 0;
	for (i = 0; i < nrow; i++) {
		if (!in[i])
			continue;
		pts[2 * n_in] = xy[2 * i];
		pts[2 * n_in + 1] = xy[2 * i + 1];
		n_in++;
	}
	free(xy);
	xy = NULL;
	{
		bool use_warm = warm && p->warm_kmeans && warm->n_base > 0;
		size_t kmax = use_warm ? warm->n_base : p->base_k;
		struct kmeans_params kp = {p->base_iters, p->threads};

		r->base_centers = malloc((2 * kmax + 1) * sizeof(*r->base_centers));
		r->base_sizes = malloc((kmax + 1) * sizeof(*r->base_sizes));
		if (!r->base_centers || !r->base_sizes)
			goto fail;
		rc = kmeans_fit(pts, NULL, n_in, p->base_k, use_warm ? warm->base_centers : NULL,
				use_warm ? warm->n_base : 0, &kp, blab, r->base_centers,
				r->base_sizes, &r->n_base, &r->base_iters);
		if (rc)
			goto fail;
	}

	r->seconds[2] = clock_s() - t0;
	r->cpu_seconds[2] = cpu_s() - c0;
	t0 = clock_s();
	c0 = cpu_s();

	/* groups of base clusters */
	if (r->n_base > 0) {
		size_t k = 0;

		glab = malloc(r->n_base * sizeof(*glab));
		if (!glab) {
			rc = ERR_NOMEM;
			goto fail;
		}
		rc = groups_from_bases(r, p, glab);
		if (rc)
			goto fail;
		for (i = 0; i < nrow; i++) {
			if (!in[i])
				continue;
			r->participants[i].base = (int32_t)blab[k];
			r->participants[i].group = (int32_t)glab[blab[k]];
			group[i] = r->participants[i].group;
			r->groups[group[i]].size++;
			k++;
		}
	}
	r->seconds[3] = clock_s() - t0;
	r->cpu_seconds[3] = cpu_s() - c0;
	t0 = clock_s();
	c0 = cpu_s();
	rc = score_statements(m, p, group, r);
	if (rc)
		goto fail;
	r->seconds[4] = clock_s() - t0;
	r->cpu_seconds[4] = cpu_s() - c0;

	free(w0);
	free(w1);
	free(in);
	free(group);
	free(pts);
	free(blab);
	free(glab);
	*out = r;
	return ERR_OK;
fail:
	pca_fini(&pc);
	free(w0);
	free(w1);
	free(xy);
	free(in);
	free(group);
	free(pts);
	free(blab);
	free(glab);
	opinion_result_free(r);
	return rc;
}
