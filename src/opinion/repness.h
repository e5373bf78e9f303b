/*
 * repness.h - representative statements, consensus and group-informed consensus.
 *
 * Pol.is's repness.clj on vote counts. For a set of participants and a statement: na agrees,
 * nd disagrees, ns votes (passes included). Smoothed shares pa = (na+1)/(ns+2) (pd alike);
 * one-proportion z  pat = 2 sqrt(ns+1) ((na+1)/(ns+1) - 1/2); against the other groups
 * combined, the ratio ra = pa / pa_rest and the two-proportion z rat (both with +1
 * smoothing). A statement is significant at z > 1.2816 (90%, one-sided).
 *
 * Pure functions of the counts; thread-safe.
 */
#ifndef SHENLIAO_OPINION_REPNESS_H
#define SHENLIAO_OPINION_REPNESS_H

#include <stddef.h>
#include <stdint.h>

#define REPNESS_Z90 1.2816
enum { REPNESS_MAX = 5, CONSENSUS_MAX = 5 };

struct repness_counts {
	uint32_t na, nd, ns; /* agrees, disagrees, votes (passes count in ns only) */
};

/* A representative statement of a group: which way the group leans, and how strongly. */
struct repness_entry {
	uint32_t col;	/* column of the statement */
	int agree;	/* 1: the group agrees more than the rest; 0: disagrees more */
	uint32_t n, ns; /* the group's agrees (or disagrees) and votes */
	double p;	/* smoothed share (n+1)/(ns+2) */
	double pz;	/* one-proportion z of that share against 1/2 */
	double r;	/* p over the same share among the other groups */
	double rz;	/* two-proportion z against the other groups */
};

/* A statement most participants agree (or disagree) with. */
struct consensus_entry {
	uint32_t col;
	uint32_t n, ns; /* agrees (or disagrees) and votes over everyone */
	double p, pz;	/* smoothed share and its one-proportion z */
};

/* repness_prop_test returns 2 sqrt(n+1) ((s+1)/(n+1) - 1/2). */
double repness_prop_test(double s, double n);

/* repness_two_prop returns Pol.is's two-proportion z of s_in/n_in against s_out/n_out, each
 * count +1; 0 when the pooled share is 1. */
double repness_two_prop(double s_in, double s_out, double n_in, double n_out);

/* repness_select picks a group's representative statements as Pol.is does: the statements
 * significant both on their own and against the rest (rat and pat > 1.2816, or rdt and pdt),
 * plus the "best agree" statement (beats-best-agr), best first by r*rz*p*pz, at most
 * REPNESS_MAX, agrees before disagrees; when none is significant, the best agree or else the
 * single most distinctive statement. in[j] are the group's counts, rest[j] the other groups'
 * summed; columns with skip[j] != 0 (moderated out; skip may be NULL) are never chosen.
 * Writes to out[REPNESS_MAX] and returns how many. */
size_t repness_select(const struct repness_counts *in, const struct repness_counts *rest,
		      size_t n_cols, const uint8_t *skip, struct repness_entry *out);

/* repness_consensus picks, over everyone's counts all[j], up to CONSENSUS_MAX statements with
 * pa > 1/2 and pat > 1.2816, highest pa*pat first (ties: lower column first), into agree, and
 * the same for disagrees into disagree. Skipped columns as above. */
void repness_consensus(const struct repness_counts *all, size_t n_cols, const uint8_t *skip,
		       struct consensus_entry *agree, size_t *n_agree,
		       struct consensus_entry *disagree, size_t *n_disagree);

/* repness_gic writes the group-informed consensus of every column to gic[n_cols]: the
 * product over the k groups of (A_g+1)/(S_g+2), with groups[g * n_cols + j] the counts of
 * group g (A = na, S = ns). */
void repness_gic(const struct repness_counts *groups, size_t k, size_t n_cols, double *gic);

#endif
