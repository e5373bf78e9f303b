/*
 * category.c - agreement by declared category (see category.h).
 */
#include "category.h"

#include <stdlib.h>
#include <string.h>

#include "opinion/opinion.h"

void category_result_free(struct category_result *r)
{
	if (!r)
		return;
	free(r->statement_ids);
	free(r->moderated);
	free(r->members);
	free(r->stats);
	free(r->consensus);
	free(r);
}

int category_agreement(const struct vote_matrix *m, const int64_t *ids, const int32_t *cats,
		       size_t n, size_t n_categories, struct category_result **out)
{
	struct category_result *r;
	int32_t *row_cat = NULL;
	size_t i, j, c, e;
	int rc = ERR_NOMEM;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->n_categories = n_categories;
	r->n_statements = m->n_cols;
	r->statement_ids = malloc((m->n_cols + 1) * sizeof(*r->statement_ids));
	r->moderated = malloc(m->n_cols + 1);
	r->members = calloc(n_categories + 1, sizeof(*r->members));
	r->stats = calloc(m->n_cols * n_categories + 1, sizeof(*r->stats));
	r->consensus = calloc(m->n_cols + 1, sizeof(*r->consensus));
	row_cat = malloc((m->n_rows + 1) * sizeof(*row_cat));
	if (!r->statement_ids || !r->moderated || !r->members || !r->stats || !r->consensus ||
	    !row_cat)
		goto fail;
	memcpy(r->statement_ids, m->col_ids, m->n_cols * sizeof(*m->col_ids));
	memcpy(r->moderated, m->moderated, m->n_cols);
	for (i = 0; i < m->n_rows; i++)
		row_cat[i] = CATEGORY_NONE - 1; /* not listed yet */
	rc = ERR_INVALID;
	for (i = 0; i < n; i++) {
		ptrdiff_t row;

		if (cats[i] != CATEGORY_NONE && (cats[i] < 0 || (size_t)cats[i] >= n_categories))
			goto fail;
		row = vote_matrix_find(m->row_ids, m->n_rows, ids[i]);
		if (row < 0)
			continue;
		if (row_cat[row] != CATEGORY_NONE - 1)
			goto fail;
		row_cat[row] = cats[i];
	}
	for (i = 0; i < m->n_rows; i++) {
		struct category_stat *st;

		if (row_cat[i] < 0)
			continue;
		c = (size_t)row_cat[i];
		r->members[c]++;
		for (e = m->row_ptr[i]; e < m->row_ptr[i + 1]; e++) {
			st = &r->stats[(size_t)m->col[e] * n_categories + c];
			st->votes++;
			st->agree += m->val[e] == VOTE_AGREE;
			st->disagree += m->val[e] == VOTE_DISAGREE;
		}
	}
	for (j = 0; j < m->n_cols; j++) {
		double prod = 1;
		bool any = false;

		for (c = 0; c < n_categories; c++) {
			struct category_stat *st = &r->stats[j * n_categories + c];

			st->share = (st->agree + 1.0) / (st->votes + 2.0);
			if (r->members[c] > 0) {
				prod *= st->share;
				any = true;
			}
		}
		r->consensus[j] = any ? prod : 0;
	}
	r->n_qualified = opinion_count_qualified(m, OPINION_MIN_VOTES);
	r->too_few_voters = r->n_qualified < OPINION_MIN_IN_CONV;
	free(row_cat);
	*out = r;
	return ERR_OK;
fail:
	free(row_cat);
	category_result_free(r);
	return rc;
}
