/*
 * opinion.h - the opinion engine: who thinks alike, what each group stands for, and what
 * everyone shares, computed from the votes of a conversation the way Pol.is does.
 *
 * Pipeline (DESIGN.md "Opinion engine"; shared/reference/polis_ref.py is the reference):
 *   1. the vote matrix (votes.h): latest vote wins, canonical order by participant and
 *      statement id, moderated-out statements flagged;
 *   2. in the conversation: participants with at least min(7, statements) votes; when fewer
 *      than 15 qualify, the most active others are added (ties: lower id) up to 15;
 *   3. two principal components of the mean-imputed, centred matrix with moderated-out
 *      columns zeroed (pca.h), warm-started from a previous result when one is given;
 *   4. every participant's sparsity-aware projection (x, y);
 *   5. base k-means, k = 100, on the projections of those in the conversation (kmeans.h);
 *   6. weighted k-means on the base centres for k = 2 .. min(5, 2 + bases/12), the k with the
 *      best silhouette wins (ties: the larger k); a participant's group is its base's group;
 *   7. representative statements per group, consensus, group-informed consensus (repness.h).
 *
 * Deterministic: the same votes in any order give the same result bit for bit, whatever the
 * number of threads. Pure computation: no I/O. Thread-safe (no shared state); one call may
 * use params.threads threads.
 */
#ifndef SHENLIAO_OPINION_OPINION_H
#define SHENLIAO_OPINION_OPINION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "opinion/repness.h"
#include "opinion/votes.h"

enum {
	OPINION_MIN_VOTES = 7,	  /* votes that put a participant in the conversation */
	OPINION_MIN_IN_CONV = 15, /* fewer qualifying participants: top up, and "too few" */
	OPINION_BASE_K = 100,
	OPINION_MAX_GROUPS = 5,
	OPINION_K_LIMIT = 16 /* the largest max_group_k accepted */
};

struct opinion_params {
	int threads;		 /* worker threads, >= 1 (default 1) */
	unsigned min_votes;	 /* OPINION_MIN_VOTES */
	unsigned min_in_conv;	 /* OPINION_MIN_IN_CONV */
	unsigned base_k;	 /* OPINION_BASE_K */
	unsigned base_iters;	 /* 100, as Pol.is */
	unsigned max_group_k;	 /* OPINION_MAX_GROUPS, at most OPINION_K_LIMIT */
	unsigned group_iters;	 /* 20, as Pol.is */
	unsigned pca_max_passes; /* 1000 */
	double pca_tol;		 /* 1e-6: relative residual of the components (see pca.h) */
	bool warm_kmeans; /* with a warm result, start base k-means from its centres (true) */
};

/* opinion_params_default fills p with the values above. */
void opinion_params_default(struct opinion_params *p);

struct opinion_participant {
	int64_t id;
	double x, y;	  /* projection on the two components */
	int32_t group;	  /* 0 .. n_groups-1, or -1 when not in the conversation */
	int32_t base;	  /* base cluster, or -1 */
	uint32_t n_votes; /* latest votes, moderated-out statements included */
};

struct opinion_repness {
	int64_t statement;
	int agree;	/* 1 agree, 0 disagree */
	uint32_t n, ns; /* the group's agrees (or disagrees), its votes */
	double p;	/* smoothed share (n+1)/(ns+2) */
	double pz;	/* one-proportion z of p against 1/2 */
	double r;	/* p over the other groups' share */
	double rz;	/* two-proportion z against the other groups: the repness z */
};

struct opinion_group {
	uint32_t size; /* participants */
	double x, y;   /* centre (weighted mean of its base centres) */
	size_t n_repness;
	struct opinion_repness repness[REPNESS_MAX];
};

struct opinion_consensus {
	int64_t statement;
	uint32_t n, ns; /* agrees (or disagrees) and votes, over all participants */
	double p, pz;
};

struct opinion_result {
	size_t n_participants;
	struct opinion_participant *participants; /* ascending id: every participant with a vote */
	size_t n_statements;
	int64_t *statement_ids; /* ascending: every statement with a vote */
	uint8_t *moderated;	/* [n_statements] 1 = moderated out */
	double *gic;	 /* [n_statements] group-informed consensus (raw votes, all columns) */
	double *center;	 /* [n_statements] column means */
	double *comp[2]; /* [n_statements] each: the components; the warm start */
	double eigval[2];
	size_t n_groups;
	struct opinion_group *groups;
	size_t n_agree, n_disagree;
	struct opinion_consensus agree[CONSENSUS_MAX], disagree[CONSENSUS_MAX];
	size_t n_base;
	double *base_centers;			/* [2 * n_base] */
	uint32_t *base_sizes;			/* [n_base] */
	double silhouette[OPINION_K_LIMIT + 1]; /* by k; 0 where k was not tried */
	unsigned k_tried;			/* silhouette[2 .. k_tried] are set */
	size_t n_in_conv;			/* participants clustered */
	size_t n_qualified;			/* of them, those with enough votes by themselves */
	bool too_few_voters; /* n_qualified < min_in_conv: latent groups are not stable */
	unsigned pca_passes; /* passes over the votes the components took */
	double pca_residual;
	unsigned base_iters;   /* assignments the base k-means took */
	double seconds[5];     /* wall time of: PCA, projection, base k-means, groups, statements */
	double cpu_seconds[5]; /* CPU time of the process (all its threads) in the same phases */
};

/* opinion_compute runs the pipeline on m. warm (may be NULL) is an earlier result for the same
 * conversation: its components start the PCA (matched by statement id) and, with
 * p->warm_kmeans, its base centres start the base k-means, as Pol.is does on every update;
 * the groups are then those of the live system and may differ slightly from a cold run. p may
 * be NULL (defaults). On success *out is a new result (free with opinion_result_free).
 * ERR_INVALID for bad params, ERR_NOMEM. m and warm are only read. */
int opinion_compute(const struct vote_matrix *m, const struct opinion_result *warm,
		    const struct opinion_params *p, struct opinion_result **out) WARN_UNUSED;

/* opinion_result_free releases r; NULL is fine. */
void opinion_result_free(struct opinion_result *r);

/* opinion_find_participant returns the index of participant id in r, or -1. */
ptrdiff_t opinion_find_participant(const struct opinion_result *r, int64_t id);

/* opinion_count_qualified returns how many rows of m have at least min(min_votes, n_cols)
 * votes: the participants who are in the conversation by their own votes. */
size_t opinion_count_qualified(const struct vote_matrix *m, unsigned min_votes);

/* opinion_ari sets *out to the adjusted Rand index of the two labellings a[n], b[n] (any
 * int32 labels): 1 for identical partitions, about 0 for unrelated ones; 1 when both are a
 * single cluster (as scikit-learn). ERR_NOMEM. */
int opinion_ari(const int32_t *a, const int32_t *b, size_t n, double *out) WARN_UNUSED;

#endif
