/*
 * repness.c - Pol.is's repness, consensus and group-informed consensus (see repness.h).
 *
 * The selection rules follow repness.clj step by step, including its quirks: the "best"
 * fallback stops updating once any statement is significant, and the best-agree statement is
 * reported in whichever direction its two z-tests favour.
 */
#include "repness.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

double repness_prop_test(double s, double n)
{
	return 2.0 * sqrt(n + 1.0) * ((s + 1.0) / (n + 1.0) - 0.5);
}

double repness_two_prop(double s_in, double s_out, double n_in, double n_out)
{
	double pi1, pi2, ph;

	s_in += 1.0;
	s_out += 1.0;
	n_in += 1.0;
	n_out += 1.0;
	pi1 = s_in / n_in;
	pi2 = s_out / n_out;
	ph = (s_in + s_out) / (n_in + n_out);
	if (ph == 1.0)
		return 0.0;
	return (pi1 - pi2) / sqrt(ph * (1.0 - ph) * (1.0 / n_in + 1.0 / n_out));
}

struct stat {
	double na, nd, ns, pa, pd, pat, pdt, ra, rd, rat, rdt;
};

static void stat_of(const struct repness_counts *g, const struct repness_counts *rest,
		    struct stat *s)
{
	double rna = rest->na, rnd = rest->nd, rns = rest->ns;

	s->na = g->na;
	s->nd = g->nd;
	s->ns = g->ns;
	s->pa = (1.0 + s->na) / (2.0 + s->ns);
	s->pd = (1.0 + s->nd) / (2.0 + s->ns);
	s->pat = repness_prop_test(s->na, s->ns);
	s->pdt = repness_prop_test(s->nd, s->ns);
	s->ra = s->pa / ((1.0 + rna) / (2.0 + rns));
	s->rd = s->pd / ((1.0 + rnd) / (2.0 + rns));
	s->rat = repness_two_prop(s->na, rna, s->ns, rns);
	s->rdt = repness_two_prop(s->nd, rnd, s->ns, rns);
}

/* fin: the entry for column j, in the direction whose two-proportion z is larger */
static void fin(const struct stat *s, uint32_t j, struct repness_entry *e)
{
	e->col = j;
	e->ns = (uint32_t)s->ns;
	if (s->rat > s->rdt) {
		e->agree = 1;
		e->n = (uint32_t)s->na;
		e->p = s->pa;
		e->pz = s->pat;
		e->r = s->ra;
		e->rz = s->rat;
	} else {
		e->agree = 0;
		e->n = (uint32_t)s->nd;
		e->p = s->pd;
		e->pz = s->pdt;
		e->r = s->rd;
		e->rz = s->rdt;
	}
}

static double entry_score(const struct repness_entry *e)
{
	return e->r * e->rz * e->p * e->pz;
}

/* top_insert keeps list[0..*n) (capacity cap) as the best entries by score, descending, with
 * earlier insertions first among equal scores (a stable sort's order). */
static void top_insert(struct repness_entry *list, double *score, size_t *n, size_t cap,
		       const struct repness_entry *e, double sc)
{
	size_t at = *n;

	while (at > 0 && score[at - 1] < sc)
		at--;
	if (at >= cap)
		return;
	if (*n < cap)
		(*n)++;
	memmove(list + at + 1, list + at, (*n - 1 - at) * sizeof(*list));
	memmove(score + at + 1, score + at, (*n - 1 - at) * sizeof(*score));
	list[at] = *e;
	score[at] = sc;
}

size_t repness_select(const struct repness_counts *in, const struct repness_counts *rest,
		      size_t n_cols, const uint8_t *skip, struct repness_entry *out)
{
	struct repness_entry best, top[REPNESS_MAX], sel[REPNESS_MAX + 1], e;
	double top_score[REPNESS_MAX];
	struct stat s, sb = {0};
	size_t j, n_suff = 0, n_top = 0, n_sel = 0, i, o = 0;
	bool have_best = false, have_ba = false;
	uint32_t ba = 0;

	/* one pass for the count of significant statements, "best" and the best agree (whose
	 * stats beats-best-agr compares against, kept in sb) */
	for (j = 0; j < n_cols; j++) {
		bool ok;

		if (skip && skip[j])
			continue;
		stat_of(&in[j], &rest[j], &s);
		if ((s.rat > REPNESS_Z90 && s.pat > REPNESS_Z90) ||
		    (s.rdt > REPNESS_Z90 && s.pdt > REPNESS_Z90)) {
			n_suff++;
		}
		if (n_suff == 0 && (!have_best || (s.rat > s.rdt ? s.rat : s.rdt) > best.rz)) {
			fin(&s, (uint32_t)j, &best);
			have_best = true;
		}
		if (s.na == 0 && s.nd == 0)
			ok = false;
		else if (have_ba && sb.ra > 1.0)
			ok = s.ra * s.rat * s.pa * s.pat > sb.ra * sb.rat * sb.pa * sb.pat;
		else if (have_ba)
			ok = s.pa * s.pat > sb.pa * sb.pat;
		else
			ok = s.pat > REPNESS_Z90 || (s.ra > 1.0 && s.pa > 0.5);
		if (ok) {
			ba = (uint32_t)j;
			sb = s;
			have_ba = true;
		}
	}
	if (n_suff == 0) {
		if (have_ba) {
			fin(&sb, ba, &out[0]);
			return 1;
		}
		if (have_best) {
			out[0] = best;
			return 1;
		}
		return 0;
	}
	/* significant statements other than the best agree, best first (stable) */
	for (j = 0; j < n_cols; j++) {
		if (skip && skip[j])
			continue;
		stat_of(&in[j], &rest[j], &s);
		if (!((s.rat > REPNESS_Z90 && s.pat > REPNESS_Z90) ||
		      (s.rdt > REPNESS_Z90 && s.pdt > REPNESS_Z90)))
			continue;
		if (have_ba && j == ba)
			continue;
		fin(&s, (uint32_t)j, &e);
		top_insert(top, top_score, &n_top, REPNESS_MAX, &e, entry_score(&e));
	}
	if (have_ba)
		fin(&sb, ba, &sel[n_sel++]);
	for (i = 0; i < n_top && n_sel < REPNESS_MAX; i++)
		sel[n_sel++] = top[i];
	for (i = 0; i < n_sel; i++)
		if (sel[i].agree)
			out[o++] = sel[i];
	for (i = 0; i < n_sel; i++)
		if (!sel[i].agree)
			out[o++] = sel[i];
	return o;
}

static void cons_insert(struct consensus_entry *list, double *score, size_t *n,
			const struct consensus_entry *e, double sc)
{
	size_t at = *n;

	while (at > 0 && score[at - 1] < sc)
		at--;
	if (at >= CONSENSUS_MAX)
		return;
	if (*n < CONSENSUS_MAX)
		(*n)++;
	memmove(list + at + 1, list + at, (*n - 1 - at) * sizeof(*list));
	memmove(score + at + 1, score + at, (*n - 1 - at) * sizeof(*score));
	list[at] = *e;
	score[at] = sc;
}

void repness_consensus(const struct repness_counts *all, size_t n_cols, const uint8_t *skip,
		       struct consensus_entry *agree, size_t *n_agree,
		       struct consensus_entry *disagree, size_t *n_disagree)
{
	double sa[CONSENSUS_MAX], sd[CONSENSUS_MAX];
	size_t j;

	*n_agree = *n_disagree = 0;
	for (j = 0; j < n_cols; j++) {
		double ns = all[j].ns, pa, pd, pat, pdt;
		struct consensus_entry e;

		if (skip && skip[j])
			continue;
		pa = (1.0 + all[j].na) / (2.0 + ns);
		pd = (1.0 + all[j].nd) / (2.0 + ns);
		pat = repness_prop_test(all[j].na, ns);
		pdt = repness_prop_test(all[j].nd, ns);
		e.col = (uint32_t)j;
		e.ns = all[j].ns;
		if (pa > 0.5 && pat > REPNESS_Z90) {
			e.n = all[j].na;
			e.p = pa;
			e.pz = pat;
			cons_insert(agree, sa, n_agree, &e, pa * pat);
		}
		if (pd > 0.5 && pdt > REPNESS_Z90) {
			e.n = all[j].nd;
			e.p = pd;
			e.pz = pdt;
			cons_insert(disagree, sd, n_disagree, &e, pd * pdt);
		}
	}
}

void repness_gic(const struct repness_counts *groups, size_t k, size_t n_cols, double *gic)
{
	size_t g, j;

	for (j = 0; j < n_cols; j++)
		gic[j] = 1.0;
	for (g = 0; g < k; g++)
		for (j = 0; j < n_cols; j++)
			gic[j] *=
			    (groups[g * n_cols + j].na + 1.0) / (groups[g * n_cols + j].ns + 2.0);
}
