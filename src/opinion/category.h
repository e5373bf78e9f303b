/*
 * category.h - agreement by declared category, for small rooms.
 *
 * A deep-talk session may have twenty people: too few for latent opinion groups, but each has
 * a declared category (member, expert, official ...). For every statement this gives each
 * category's smoothed agree share (A+1)/(S+2) with its counts, and the cross-category
 * consensus: the product of the shares over the categories present, the same form as Pol.is's
 * group-informed consensus, so it is high only when every category agrees.
 *
 * "Too few voters" rule: latent groups are called unstable when fewer than
 * OPINION_MIN_IN_CONV (15) participants have at least min(OPINION_MIN_VOTES (7), statements)
 * votes, i.e. exactly when Pol.is would have to top the clustered set up with participants
 * who voted less. Then the categories are the reliable view and the latent groups should be
 * shown, if at all, as provisional.
 *
 * Pure computation, thread-safe.
 */
#ifndef SHENLIAO_OPINION_CATEGORY_H
#define SHENLIAO_OPINION_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "opinion/votes.h"

enum { CATEGORY_NONE = -1 };

struct category_stat {
	uint32_t agree, disagree, votes; /* votes include passes */
	double share;			 /* (agree + 1) / (votes + 2) */
};

struct category_result {
	size_t n_categories, n_statements;
	int64_t *statement_ids;	     /* [n_statements], the matrix's columns */
	uint8_t *moderated;	     /* [n_statements] */
	uint32_t *members;	     /* [n_categories] voters who declared the category */
	struct category_stat *stats; /* [n_statements * n_categories], by statement */
	double *consensus;	     /* [n_statements]: product of shares over categories with
					members; 0 when no category has members */
	size_t n_qualified;	     /* participants with enough votes (see the rule above) */
	bool too_few_voters;	     /* n_qualified < OPINION_MIN_IN_CONV */
};

/* category_agreement counts m's votes by category. ids[i] has category cats[i] (0 ..
 * n_categories-1, or CATEGORY_NONE) for i < n; participants of m not listed, or listed with
 * CATEGORY_NONE, count for no category; listed ids without votes are ignored. On success *out
 * is a new result (free with category_result_free). ERR_INVALID for a category out of range
 * or an id listed twice; ERR_NOMEM. */
int category_agreement(const struct vote_matrix *m, const int64_t *ids, const int32_t *cats,
		       size_t n, size_t n_categories, struct category_result **out) WARN_UNUSED;

/* category_result_free releases r; NULL is fine. */
void category_result_free(struct category_result *r);

#endif
