/*
 * votes.c - building the sparse vote matrix (see votes.h).
 *
 * Build in four passes, each linear: count votes per participant and mark used statements;
 * give participants and statements their canonical row and column numbers (sorted ids);
 * scatter every vote into its row (rows keep input order, so the scatter is the same however
 * it is split among threads); then sort each row by column and keep, for each column, the
 * latest vote. Only the scatter needs room for the raw votes (9 bytes each); the duplicates
 * it keeps are rare and compacted away at the end.
 */
#include "votes.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

enum { ROW_SORT_SMALL = 32 };
#define NO_INDEX UINT32_MAX

struct id_index {
	int64_t id;
	uint32_t index;
};

static int id_index_cmp(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

ptrdiff_t vote_matrix_find(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (ptrdiff_t)lo : -1;
}

void vote_matrix_free(struct vote_matrix *m)
{
	if (!m)
		return;
	free(m->row_ids);
	free(m->col_ids);
	free(m->moderated);
	free(m->row_ptr);
	free(m->col);
	free(m->val);
	free(m);
}

/* number_used gives the used indices of ids (used[i] != 0) consecutive numbers in id order:
 * map[i] = number or NO_INDEX, sorted_ids gets the ids in order. ERR_INVALID when two used
 * indices share an id. */
static int number_used(const int64_t *ids, size_t n, const uint32_t *used, uint32_t *map,
		       int64_t **sorted_ids, size_t *n_used)
{
	struct id_index *tmp;
	size_t i, k = 0;
	int64_t *out;

	for (i = 0; i < n; i++)
		k += used[i] != 0;
	tmp = malloc((k ? k : 1) * sizeof(*tmp));
	out = malloc((k ? k : 1) * sizeof(*out));
	if (!tmp || !out) {
		free(tmp);
		free(out);
		return ERR_NOMEM;
	}
	k = 0;
	for (i = 0; i < n; i++) {
		map[i] = NO_INDEX;
		if (used[i]) {
			tmp[k].id = ids[i];
			tmp[k].index = (uint32_t)i;
			k++;
		}
	}
	qsort(tmp, k, sizeof(*tmp), id_index_cmp);
	for (i = 0; i < k; i++) {
		if (i > 0 && tmp[i].id == tmp[i - 1].id) {
			free(tmp);
			free(out);
			return ERR_INVALID;
		}
		map[tmp[i].index] = (uint32_t)i;
		out[i] = tmp[i].id;
	}
	free(tmp);
	*sorted_ids = out;
	*n_used = k;
	return ERR_OK;
}

/* ---- scatter ---------------------------------------------------------------------------- */

struct scatter_ctx {
	const struct opinion_input *in;
	const uint32_t *prow, *scol;
	const size_t *bounds; /* row ranges per part */
	size_t *cursor;	      /* [n_rows], next free slot of each row */
	uint32_t *col, *src;
	int8_t *val;
};

static void scatter_part(void *arg, size_t part)
{
	struct scatter_ctx *c = arg;
	uint32_t lo = (uint32_t)c->bounds[part], hi = (uint32_t)c->bounds[part + 1];
	const struct opinion_vote *v = c->in->votes;
	size_t i, n = c->in->n_votes, pos;
	uint32_t r;

	if (lo == hi)
		return;
	for (i = 0; i < n; i++) {
		r = c->prow[v[i].participant];
		if (r < lo || r >= hi)
			continue;
		pos = c->cursor[r]++;
		c->col[pos] = c->scol[v[i].statement];
		c->src[pos] = (uint32_t)i;
		c->val[pos] = v[i].value;
	}
}

/* ---- per-row sort and dedupe ---------------------------------------------------------- */

struct entry {
	uint32_t col, src;
	int8_t val;
};

struct dedupe_ctx {
	const struct opinion_input *in;
	const size_t *bounds;
	const size_t *row_ptr;
	uint32_t *col, *src;
	int8_t *val;
	uint32_t *len; /* [n_rows] length after dedupe */
	atomic_int failed;
};

/* merge_sort sorts e[0..n) by col, stably, using tmp[0..n). */
static void merge_sort(struct entry *e, struct entry *tmp, size_t n)
{
	size_t width, lo, mid, hi, i, j, k;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi)
				tmp[k++] = e[j].col < e[i].col ? e[j++] : e[i++];
			while (i < mid)
				tmp[k++] = e[i++];
			while (j < hi)
				tmp[k++] = e[j++];
		}
		memcpy(e, tmp, n * sizeof(*e));
	}
}

/* later reports whether vote a supersedes vote b (same pair). */
static bool later(const struct opinion_vote *a, const struct opinion_vote *b)
{
	if (a->time != b->time)
		return a->time > b->time;
	return a->value > b->value;
}

static void dedupe_part(void *arg, size_t part)
{
	struct dedupe_ctx *c = arg;
	size_t r, lo = c->bounds[part], hi = c->bounds[part + 1], n, i, j, w, best, cap = 0;
	struct entry *e = NULL, *tmp = NULL;
	const struct opinion_vote *v = c->in->votes;

	for (r = lo; r < hi; r++) {
		uint32_t *col = c->col + c->row_ptr[r], *src = c->src + c->row_ptr[r];
		int8_t *val = c->val + c->row_ptr[r];

		n = c->row_ptr[r + 1] - c->row_ptr[r];
		if (n <= ROW_SORT_SMALL) {
			for (i = 1; i < n; i++) {
				uint32_t kc = col[i], ks = src[i];
				int8_t kv = val[i];

				for (j = i; j > 0 && col[j - 1] > kc; j--) {
					col[j] = col[j - 1];
					src[j] = src[j - 1];
					val[j] = val[j - 1];
				}
				col[j] = kc;
				src[j] = ks;
				val[j] = kv;
			}
		} else {
			if (n > cap) {
				free(e);
				free(tmp);
				cap = n;
				e = malloc(cap * sizeof(*e));
				tmp = malloc(cap * sizeof(*tmp));
				if (!e || !tmp) {
					atomic_store(&c->failed, 1);
					break;
				}
			}
			for (i = 0; i < n; i++) {
				e[i].col = col[i];
				e[i].src = src[i];
				e[i].val = val[i];
			}
			merge_sort(e, tmp, n);
			for (i = 0; i < n; i++) {
				col[i] = e[i].col;
				src[i] = e[i].src;
				val[i] = e[i].val;
			}
		}
		/* keep the latest vote of each run of equal columns */
		w = 0;
		for (i = 0; i < n; i = j) {
			best = i;
			for (j = i + 1; j < n && col[j] == col[i]; j++)
				if (later(&v[src[j]], &v[src[best]]))
					best = j;
			col[w] = col[best];
			src[w] = src[best];
			val[w] = val[best];
			w++;
		}
		c->len[r] = (uint32_t)w;
	}
	free(e);
	free(tmp);
}

/* row_parts splits the rows of row_ptr into parts of about equal vote counts. */
static size_t *row_parts(const size_t *row_ptr, size_t n_rows, size_t min_weight, size_t *n_parts)
{
	enum { MAX_PARTS = 256 };
	size_t *bounds = malloc((MAX_PARTS + 1) * sizeof(*bounds));

	if (!bounds)
		return NULL;
	*n_parts = par_split(row_ptr, n_rows, min_weight, MAX_PARTS, bounds);
	return bounds;
}

int vote_matrix_build(const struct opinion_input *in, int threads, struct vote_matrix **out)
{
	uint32_t *pcount = NULL, *sused = NULL, *prow = NULL, *scol = NULL, *src = NULL;
	uint32_t *len = NULL;
	size_t *cursor = NULL, *bounds = NULL, *tb = NULL;
	struct vote_matrix *m;
	size_t i, r, n_parts, n_tparts, raw, w;
	int rc = ERR_NOMEM;

	if (in->n_votes >= UINT32_MAX || in->n_participants >= UINT32_MAX ||
	    in->n_statements >= UINT32_MAX)
		return ERR_TOO_BIG;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	pcount = calloc(in->n_participants + 1, sizeof(*pcount));
	sused = calloc(in->n_statements + 1, sizeof(*sused));
	prow = malloc((in->n_participants + 1) * sizeof(*prow));
	scol = malloc((in->n_statements + 1) * sizeof(*scol));
	if (!pcount || !sused || !prow || !scol)
		goto fail;

	/* 1. count, and check every vote */
	for (i = 0; i < in->n_votes; i++) {
		const struct opinion_vote *v = &in->votes[i];

		if (v->participant >= in->n_participants || v->statement >= in->n_statements ||
		    v->value < -1 || v->value > 1) {
			rc = ERR_INVALID;
			goto fail;
		}
		pcount[v->participant]++;
		sused[v->statement] = 1;
	}

	/* 2. canonical numbering */
	rc = number_used(in->participant_ids, in->n_participants, pcount, prow, &m->row_ids,
			 &m->n_rows);
	if (rc)
		goto fail;
	rc = number_used(in->statement_ids, in->n_statements, sused, scol, &m->col_ids, &m->n_cols);
	if (rc)
		goto fail;
	rc = ERR_NOMEM;
	m->moderated = calloc(m->n_cols + 1, 1);
	m->row_ptr = malloc((m->n_rows + 1) * sizeof(*m->row_ptr));
	cursor = malloc((m->n_rows + 1) * sizeof(*cursor));
	len = malloc((m->n_rows + 1) * sizeof(*len));
	if (!m->moderated || !m->row_ptr || !cursor || !len)
		goto fail;
	for (i = 0; i < in->n_statements; i++) {
		if (scol[i] != NO_INDEX && in->moderated_out && in->moderated_out[i]) {
			m->moderated[scol[i]] = 1;
			m->n_moderated++;
		}
	}
	m->row_ptr[0] = 0;
	for (i = 0; i < in->n_participants; i++)
		if (prow[i] != NO_INDEX)
			m->row_ptr[prow[i] + 1] = pcount[i];
	for (r = 0; r < m->n_rows; r++)
		m->row_ptr[r + 1] += m->row_ptr[r];
	raw = m->row_ptr[m->n_rows];
	free(pcount);
	pcount = NULL;
	free(sused);
	sused = NULL;

	/* 3. scatter; one part per thread, each scanning all votes for its rows */
	m->col = malloc((raw + 1) * sizeof(*m->col));
	m->val = malloc(raw + 1);
	src = malloc((raw + 1) * sizeof(*src));
	tb = malloc(((size_t)(threads > 1 ? threads : 1) + 1) * sizeof(*tb));
	if (!m->col || !m->val || !src || !tb)
		goto fail;
	memcpy(cursor, m->row_ptr, m->n_rows * sizeof(*cursor));
	n_tparts = par_split(m->row_ptr, m->n_rows, (size_t)1 << 20,
			     (size_t)(threads > 1 ? threads : 1), tb);
	{
		struct scatter_ctx sc = {in, prow, scol, tb, cursor, m->col, src, m->val};

		par_run(threads, n_tparts, scatter_part, &sc);
	}

	/* 4. sort rows, keep the latest vote per cell */
	bounds = row_parts(m->row_ptr, m->n_rows, (size_t)1 << 18, &n_parts);
	if (!bounds)
		goto fail;
	{
		struct dedupe_ctx dc;

		dc.in = in;
		dc.bounds = bounds;
		dc.row_ptr = m->row_ptr;
		dc.col = m->col;
		dc.src = src;
		dc.val = m->val;
		dc.len = len;
		atomic_init(&dc.failed, 0);
		par_run(threads, n_parts, dedupe_part, &dc);
		if (atomic_load(&dc.failed))
			goto fail;
	}
	/* compact rows that lost duplicates (sequential: rows move left across parts) */
	w = 0;
	for (r = 0; r < m->n_rows; r++) {
		size_t start = m->row_ptr[r];

		if (w != start) {
			memmove(m->col + w, m->col + start, len[r] * sizeof(*m->col));
			memmove(m->val + w, m->val + start, len[r]);
		}
		m->row_ptr[r] = w;
		w += len[r];
	}
	m->row_ptr[m->n_rows] = w;
	m->nnz = w;
	if (w < raw) {
		uint32_t *c2 = realloc(m->col, (w + 1) * sizeof(*m->col));
		int8_t *v2 = realloc(m->val, w + 1);

		if (c2)
			m->col = c2;
		if (v2)
			m->val = v2;
	}
	free(src);
	free(prow);
	free(scol);
	free(cursor);
	free(len);
	free(bounds);
	free(tb);
	*out = m;
	return ERR_OK;
fail:
	free(pcount);
	free(sused);
	free(prow);
	free(scol);
	free(src);
	free(cursor);
	free(len);
	free(bounds);
	free(tb);
	vote_matrix_free(m);
	return rc;
}

/* ---- merge ------------------------------------------------------------------------------ */

struct merge_ctx {
	const struct vote_matrix *a, *b;
	const size_t *ra, *rb; /* [n_rows]: row in a / b, or SIZE_MAX */
	const uint32_t *amap, *bmap;
	const size_t *bounds;
	size_t *row_ptr; /* counting pass: lengths at row_ptr[r + 1] */
	uint32_t *col;
	int8_t *val;
	bool fill;
};

static void merge_part(void *arg, size_t part)
{
	struct merge_ctx *c = arg;
	size_t r, i, ie, j, je, w;

	for (r = c->bounds[part]; r < c->bounds[part + 1]; r++) {
		i = ie = j = je = 0;
		if (c->ra[r] != SIZE_MAX) {
			i = c->a->row_ptr[c->ra[r]];
			ie = c->a->row_ptr[c->ra[r] + 1];
		}
		if (c->rb[r] != SIZE_MAX) {
			j = c->b->row_ptr[c->rb[r]];
			je = c->b->row_ptr[c->rb[r] + 1];
		}
		w = c->fill ? c->row_ptr[r] : 0;
		while (i < ie || j < je) {
			uint32_t ca = i < ie ? c->amap[c->a->col[i]] : UINT32_MAX;
			uint32_t cb = j < je ? c->bmap[c->b->col[j]] : UINT32_MAX;

			if (c->fill) {
				c->col[w] = ca < cb ? ca : cb;
				c->val[w] = cb <= ca ? c->b->val[j] : c->a->val[i];
			}
			w++;
			if (ca <= cb && i < ie)
				i++;
			if (cb <= ca && j < je)
				j++;
		}
		if (!c->fill)
			c->row_ptr[r + 1] = w;
	}
}

int vote_matrix_merge(const struct vote_matrix *a, const struct opinion_input *more, int threads,
		      struct vote_matrix **out)
{
	struct vote_matrix *b = NULL, *m = NULL;
	size_t *ra = NULL, *rb = NULL, *bounds = NULL, n_parts, i, j, r, k;
	uint32_t *amap = NULL, *bmap = NULL;
	int rc;

	rc = vote_matrix_build(more, threads, &b);
	if (rc)
		return rc;
	rc = ERR_NOMEM;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	/* the union of the row ids, and where each row comes from */
	m->row_ids = malloc((a->n_rows + b->n_rows + 1) * sizeof(*m->row_ids));
	ra = malloc((a->n_rows + b->n_rows + 1) * sizeof(*ra));
	rb = malloc((a->n_rows + b->n_rows + 1) * sizeof(*rb));
	m->col_ids = malloc((a->n_cols + b->n_cols + 1) * sizeof(*m->col_ids));
	m->moderated = calloc(a->n_cols + b->n_cols + 1, 1);
	amap = malloc((a->n_cols + 1) * sizeof(*amap));
	bmap = malloc((b->n_cols + 1) * sizeof(*bmap));
	if (!m->row_ids || !ra || !rb || !m->col_ids || !m->moderated || !amap || !bmap)
		goto fail;
	for (i = j = k = 0; i < a->n_rows || j < b->n_rows; k++) {
		int64_t ia = i < a->n_rows ? a->row_ids[i] : INT64_MAX;
		int64_t ib = j < b->n_rows ? b->row_ids[j] : INT64_MAX;
		bool take_a = i < a->n_rows && ia <= ib, take_b = j < b->n_rows && ib <= ia;

		m->row_ids[k] = take_a ? ia : ib;
		ra[k] = take_a ? i++ : SIZE_MAX;
		rb[k] = take_b ? j++ : SIZE_MAX;
	}
	m->n_rows = k;
	for (i = j = k = 0; i < a->n_cols || j < b->n_cols; k++) {
		int64_t ia = i < a->n_cols ? a->col_ids[i] : INT64_MAX;
		int64_t ib = j < b->n_cols ? b->col_ids[j] : INT64_MAX;
		bool take_a = i < a->n_cols && ia <= ib, take_b = j < b->n_cols && ib <= ia;

		m->col_ids[k] = take_a ? ia : ib;
		if (take_a) {
			m->moderated[k] |= a->moderated[i];
			amap[i++] = (uint32_t)k;
		}
		if (take_b) {
			m->moderated[k] |= b->moderated[j];
			bmap[j++] = (uint32_t)k;
		}
		m->n_moderated += m->moderated[k];
	}
	m->n_cols = k;
	if (m->n_rows >= UINT32_MAX || m->n_cols >= UINT32_MAX) {
		rc = ERR_TOO_BIG;
		goto fail;
	}

	/* parts by an estimate of the merged row lengths: a's rows plus b's */
	m->row_ptr = malloc((m->n_rows + 1) * sizeof(*m->row_ptr));
	if (!m->row_ptr)
		goto fail;
	m->row_ptr[0] = 0;
	for (r = 0; r < m->n_rows; r++) {
		size_t n = 0;

		if (ra[r] != SIZE_MAX)
			n += a->row_ptr[ra[r] + 1] - a->row_ptr[ra[r]];
		if (rb[r] != SIZE_MAX)
			n += b->row_ptr[rb[r] + 1] - b->row_ptr[rb[r]];
		m->row_ptr[r + 1] = m->row_ptr[r] + n;
	}
	bounds = row_parts(m->row_ptr, m->n_rows, (size_t)1 << 20, &n_parts);
	if (!bounds)
		goto fail;
	{
		struct merge_ctx c = {a,      b,	  ra,	rb,   amap, bmap,
				      bounds, m->row_ptr, NULL, NULL, false};

		par_run(threads, n_parts, merge_part, &c);
		m->row_ptr[0] = 0;
		for (r = 0; r < m->n_rows; r++)
			m->row_ptr[r + 1] += m->row_ptr[r];
		m->nnz = m->row_ptr[m->n_rows];
		m->col = malloc((m->nnz + 1) * sizeof(*m->col));
		m->val = malloc(m->nnz + 1);
		if (!m->col || !m->val)
			goto fail;
		c.col = m->col;
		c.val = m->val;
		c.fill = true;
		par_run(threads, n_parts, merge_part, &c);
	}
	free(ra);
	free(rb);
	free(amap);
	free(bmap);
	free(bounds);
	vote_matrix_free(b);
	*out = m;
	return ERR_OK;
fail:
	free(ra);
	free(rb);
	free(amap);
	free(bmap);
	free(bounds);
	vote_matrix_free(b);
	vote_matrix_free(m);
	return rc;
}
