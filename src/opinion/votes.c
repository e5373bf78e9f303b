/*
 * votes.c - building the sparse vote matrix (see votes.h).
 *
 * Build in four passes, each linear: count votes per participant and mark used statements;
 * give participants and statements their canonical row and column numbers (sorted ids);
 * scatter every vote into its row (rows keep input order, so the scatter is the same however
 * it is split among threads); then order each row by column and keep, for each column, the
 * latest vote. Only the scatter needs room for the raw votes (9 bytes each); the duplicates
 * it keeps are rare and compacted away at the end.
 */
#include "votes.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"

_Static_assert(sizeof(struct opinion_vote) == 16, "a vote takes 16 bytes");

enum { ROW_SORT_SMALL = 32, ROW_BUCKET_MAX = 4096 };
#define NO_INDEX UINT32_MAX

struct id_index {
	int64_t id;
	uint32_t index;
};

/* sort_ids sorts a[0..n) by id, then index (the indices are distinct and a is in index
 * order on entry, so a stable sort by id gives that): LSD radix sort on 16-bit digits of the
 * id with its sign bit flipped, skipping digits that are the same everywhere; tmp has room
 * for n, count for 65536. */
static void sort_ids(struct id_index *a, struct id_index *tmp, size_t n, size_t *count)
{
	static const uint64_t flip = (uint64_t)1 << 63;
	size_t i, shift;

	for (i = 1; i < n && a[i - 1].id < a[i].id; i++)
		;
	if (i >= n) /* already in order (ids numbered in id order, as deferred votes are) */
		return;
	for (shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		const uint64_t d0 = n ? (((uint64_t)a[0].id ^ flip) >> shift) & 0xffff : 0;
		bool same = true;

		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++) {
			uint64_t d = (((uint64_t)a[i].id ^ flip) >> shift) & 0xffff;

			count[d]++;
			same = same && d == d0;
		}
		if (same)
			continue;
		for (i = 0; i < 65536; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(((uint64_t)a[i].id ^ flip) >> shift) & 0xffff]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
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
	struct id_index *tmp, *tmp2;
	size_t i, k = 0, *count;
	int64_t *out;

	for (i = 0; i < n; i++)
		k += used[i] != 0;
	tmp = malloc((k ? k : 1) * sizeof(*tmp));
	tmp2 = malloc((k ? k : 1) * sizeof(*tmp2));
	count = malloc(65536 * sizeof(*count));
	out = malloc((k ? k : 1) * sizeof(*out));
	if (!tmp || !tmp2 || !count || !out) {
		free(tmp);
		free(tmp2);
		free(count);
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
	sort_ids(tmp, tmp2, k, count);
	free(tmp2);
	free(count);
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

/* ---- count and scatter ---------------------------------------------------------------- */

/* The votes are cut into parts of VOTE_PART (fixed by the input's size, not by the threads).
 * Each part counts its votes per participant; those counts become, per part and participant,
 * the slot where the part's next vote of that participant goes, so each part scatters its
 * own votes and a row holds its votes in input order, whoever ran which part. */
#define VOTE_PART	   ((size_t)1 << 22)
#define VOTE_CURSOR_MEMORY ((size_t)128 << 20) /* bytes of per-part cursors at most */
enum { VOTE_MAX_PARTS = 64 };

/* Where the votes are: an array, or a decoder (vote_matrix_build_decoded). */
struct vote_src {
	const struct opinion_vote *votes;
	opinion_decode_fn *decode;
	const void *ctx;
};

enum { DECODE_CHUNK = 256 }; /* votes decoded at a time */

struct scan_ctx {
	const struct opinion_input *in;
	const struct vote_src *vs;
	size_t per;   /* votes per part */
	uint32_t *pc; /* [n_parts][n_participants]: counts, then cursors */
	uint8_t *su;  /* [n_parts][n_statements]: statement used */
	const uint32_t *scol;
	uint32_t *col, *src;
	int8_t *val;
	atomic_int bad;
};

/* src_chunk returns votes first .. first + n - 1 (n <= DECODE_CHUNK): in place, or decoded
 * into buf. */
static const struct opinion_vote *src_chunk(const struct vote_src *s, size_t first, size_t n,
					    struct opinion_vote *buf)
{
	if (s->votes)
		return s->votes + first;
	s->decode(s->ctx, first, n, buf);
	return buf;
}

static struct opinion_vote src_one(const struct vote_src *s, size_t i)
{
	struct opinion_vote v;

	if (s->votes)
		return s->votes[i];
	s->decode(s->ctx, i, 1, &v);
	return v;
}

static void count_part(void *arg, size_t part)
{
	struct scan_ctx *c = arg;
	const struct opinion_input *in = c->in;
	uint32_t *pc = c->pc + part * in->n_participants;
	uint8_t *su = c->su + part * in->n_statements;
	size_t i, k, hi = (part + 1) * c->per < in->n_votes ? (part + 1) * c->per : in->n_votes;
	struct opinion_vote buf[DECODE_CHUNK];

	for (i = part * c->per; i < hi; i += DECODE_CHUNK) {
		const size_t n = hi - i < DECODE_CHUNK ? hi - i : DECODE_CHUNK;
		const struct opinion_vote *vv = src_chunk(c->vs, i, n, buf);

		for (k = 0; k < n; k++) {
			const struct opinion_vote *v = &vv[k];

			if (v->participant >= in->n_participants ||
			    v->statement >= in->n_statements || v->value == -2) {
				atomic_store(&c->bad, 1);
				return;
			}
			pc[v->participant]++;
			su[v->statement] = 1;
		}
	}
}

static void scatter_part(void *arg, size_t part)
{
	struct scan_ctx *c = arg;
	const struct opinion_input *in = c->in;
	uint32_t *pc = c->pc + part * in->n_participants;
	size_t i, k, hi = (part + 1) * c->per < in->n_votes ? (part + 1) * c->per : in->n_votes;
	struct opinion_vote buf[DECODE_CHUNK];

	for (i = part * c->per; i < hi; i += DECODE_CHUNK) {
		const size_t n = hi - i < DECODE_CHUNK ? hi - i : DECODE_CHUNK;
		const struct opinion_vote *vv = src_chunk(c->vs, i, n, buf);

		for (k = 0; k < n; k++) {
			const struct opinion_vote *v = &vv[k];
			const uint32_t pos = pc[v->participant]++;

			c->col[pos] = c->scol[v->statement];
			c->src[pos] = (uint32_t)(i + k);
			c->val[pos] = (int8_t)v->value;
		}
	}
}

/* The per-part counts are added up, and later turned into cursors, participant by
 * participant: parts of PC_PART participants, each independent of the others. */
#define PC_PART ((size_t)1 << 16)

struct pc_ctx {
	const struct scan_ctx *sc;
	size_t n_vparts;
	uint32_t *pcount;      /* phase 0: the sums */
	const uint32_t *prow;  /* phase 1: row of each participant or NO_INDEX */
	const size_t *row_ptr; /* phase 1 */
	bool cursors;	       /* false: phase 0 */
};

static void pc_part(void *arg, size_t part)
{
	struct pc_ctx *c = arg;
	const size_t np = c->sc->in->n_participants;
	uint32_t *pc = c->sc->pc;
	size_t i, p, lo = part * PC_PART, hi = lo + PC_PART < np ? lo + PC_PART : np;

	if (!c->cursors) {
		for (p = 0; p < c->n_vparts; p++)
			for (i = lo; i < hi; i++)
				c->pcount[i] += pc[p * np + i];
		return;
	}
	/* the parts' counts become their cursors: part p's votes of a participant follow those
	 * of parts 0 .. p-1 in the participant's row */
	for (i = lo; i < hi; i++) {
		size_t at;

		if (c->prow[i] == NO_INDEX)
			continue;
		at = c->row_ptr[c->prow[i]];
		for (p = 0; p < c->n_vparts; p++) {
			uint32_t n = pc[p * np + i];

			pc[p * np + i] = (uint32_t)at;
			at += n;
		}
	}
}

/* ---- per-row sort and dedupe ---------------------------------------------------------- */

struct dedupe_ctx {
	const struct opinion_input *in;
	const struct vote_src *vs;
	size_t n_cols;
	const size_t *bounds;
	const size_t *row_ptr;
	uint32_t *col;
	const uint32_t *src;
	int8_t *val;
	uint32_t *len; /* [n_rows] length after dedupe */
	atomic_int failed;
};

/* sort_keys sorts the distinct keys k[0..n) ascending: insertion sort for short rows, a
 * bottom-up merge sort through tmp[0..n) for long ones. */
static void sort_keys(uint64_t *k, uint64_t *tmp, size_t n)
{
	size_t width, lo, mid, hi, i, j, o;

	if (n <= ROW_SORT_SMALL) {
		for (i = 1; i < n; i++) {
			uint64_t x = k[i];

			for (j = i; j > 0 && k[j - 1] > x; j--)
				k[j] = k[j - 1];
			k[j] = x;
		}
		return;
	}
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			i = lo;
			j = mid;
			o = lo;
			while (i < mid && j < hi)
				tmp[o++] = k[j] < k[i] ? k[j++] : k[i++];
			while (i < mid)
				tmp[o++] = k[i++];
			while (j < hi)
				tmp[o++] = k[j++];
		}
		memcpy(k, tmp, n * sizeof(*k));
	}
}

/* bucket_sort_keys sorts the distinct keys k[0..n) (column << 32 | position) into out[0..n)
 * ascending: a counting sort on the column's top bits (bucket = column >> shift, about one key
 * per bucket; cnt has room for the buckets + 1), then an insertion sort that only moves keys
 * within their bucket; false (out unusable) when that takes over 16 moves a key, which only
 * rows crowded into a narrow range of many columns do. A row of a few dozen votes among thousands
 * of columns costs a few operations a vote and no branches that miss but the rare move (the bitmap
 * it replaces lost about 30 cycles a vote to the branches of reading 157 mostly empty words per
 * row). */
static bool bucket_sort_keys(const uint64_t *k, uint64_t *out, size_t n, unsigned shift,
			     size_t n_buckets, uint32_t *cnt)
{
	size_t i, j, sum = 0, moves = 0;

	memset(cnt, 0, (n_buckets + 1) * sizeof(*cnt));
	for (i = 0; i < n; i++)
		cnt[(k[i] >> 32) >> shift]++;
	for (i = 0; i < n_buckets; i++) {
		uint32_t c = cnt[i];

		cnt[i] = (uint32_t)sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		out[cnt[(k[i] >> 32) >> shift]++] = k[i];
	for (i = 1; i < n; i++) {
		uint64_t x = out[i];

		for (j = i; j > 0 && out[j - 1] > x; j--)
			out[j] = out[j - 1];
		out[j] = x;
		moves += i - j;
		if (moves > 16 * n)
			return false; /* columns crowded into few buckets: let the caller sort */
	}
	return true;
}

/* later reports whether vote a supersedes vote b (same pair). */
static bool later(const struct opinion_vote *a, const struct opinion_vote *b)
{
	if (a->time != b->time)
		return a->time > b->time;
	return a->value > b->value;
}

/* dedupe_part sorts each row of the part by column and keeps the latest vote of each column,
 * in place: the keys (column, then position, so equal columns keep input order) of rows up
 * to ROW_BUCKET_MAX votes go through bucket_sort_keys, longer rows through sort_keys. */
static void dedupe_part(void *arg, size_t part)
{
	struct dedupe_ctx *c = arg;
	size_t r, lo = c->bounds[part], hi = c->bounds[part + 1], n, i, w, cap = 0;
	uint64_t *key = NULL, *tmp = NULL;
	uint32_t *cnt = malloc((ROW_BUCKET_MAX + 2) * sizeof(*cnt));
	uint32_t last = 0;
	unsigned col_bits = 0;
	int8_t *sval = NULL;

	while (col_bits < 32 && ((size_t)1 << col_bits) < c->n_cols)
		col_bits++;
	if (!cnt) {
		atomic_store(&c->failed, 1);
		return;
	}
	for (r = lo; r < hi; r++) {
		uint32_t *col = c->col + c->row_ptr[r];
		const uint32_t *src = c->src + c->row_ptr[r];
		int8_t *val = c->val + c->row_ptr[r];
		const uint64_t *sorted;

		n = c->row_ptr[r + 1] - c->row_ptr[r];
		for (i = 1; i < n && col[i - 1] < col[i]; i++)
			;
		if (i >= n) { /* already ascending: nothing to sort or drop */
			c->len[r] = (uint32_t)n;
			continue;
		}
		if (n > cap) {
			free(key);
			free(tmp);
			free(sval);
			cap = n < 256 ? 256 : n;
			key = malloc(cap * sizeof(*key));
			tmp = malloc(cap * sizeof(*tmp));
			sval = malloc(cap);
			if (!key || !tmp || !sval) {
				atomic_store(&c->failed, 1);
				break;
			}
		}
		for (i = 0; i < n; i++) {
			key[i] = (uint64_t)col[i] << 32 | i;
			sval[i] = val[i];
		}
		if (n <= ROW_BUCKET_MAX) {
			unsigned b = 4, shift;

			while (b < 12 && ((size_t)1 << b) < n)
				b++;
			shift = col_bits > b ? col_bits - b : 0;
			sorted = tmp;
			if (!bucket_sort_keys(key, tmp, n, shift, ((c->n_cols - 1) >> shift) + 1,
					      cnt)) {
				sort_keys(key, tmp, n);
				sorted = key;
			}
		} else {
			sort_keys(key, tmp, n);
			sorted = key;
		}
		w = 0;
		for (i = 0; i < n; i++) {
			/* the column from the key (col is overwritten as we go), the source
			 * from src (read only) */
			const uint32_t at = (uint32_t)sorted[i], cl = (uint32_t)(sorted[i] >> 32);

			if (w > 0 && cl == col[w - 1]) {
				/* a repeated vote: keep the later one */
				const struct opinion_vote a = src_one(c->vs, src[at]),
							  b = src_one(c->vs, last);

				if (later(&a, &b)) {
					last = src[at];
					val[w - 1] = sval[at];
				}
				continue;
			}
			col[w] = cl;
			val[w] = sval[at];
			last = src[at];
			w++;
		}
		c->len[r] = (uint32_t)w;
	}
	free(key);
	free(tmp);
	free(sval);
	free(cnt);
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

static int build(const struct opinion_input *in, const struct vote_src *vs, int threads,
		 struct vote_matrix **out);

int vote_matrix_build(const struct opinion_input *in, int threads, struct vote_matrix **out)
{
	const struct vote_src vs = {in->votes, NULL, NULL};

	return build(in, &vs, threads, out);
}

int vote_matrix_build_decoded(const struct opinion_input *in, opinion_decode_fn *decode,
			      const void *ctx, int threads, struct vote_matrix **out)
{
	const struct vote_src vs = {NULL, decode, ctx};

	return build(in, &vs, threads, out);
}

static int build(const struct opinion_input *in, const struct vote_src *vs, int threads,
		 struct vote_matrix **out)
{
	uint32_t *pcount = NULL, *sused = NULL, *prow = NULL, *scol = NULL, *src = NULL;
	uint32_t *len = NULL;
	size_t *bounds = NULL;
	struct vote_matrix *m;
	struct scan_ctx sc;
	struct pc_ctx pcc;
	size_t i, r, p, n_parts, n_vparts, raw, w;
	int rc = ERR_NOMEM;

	if (in->n_votes >= UINT32_MAX || in->n_participants >= UINT32_MAX ||
	    in->n_statements > OPINION_MAX_STATEMENTS)
		return ERR_TOO_BIG;
	memset(&sc, 0, sizeof(sc));
	m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	n_vparts = (in->n_votes + VOTE_PART - 1) / VOTE_PART;
	if (n_vparts > VOTE_MAX_PARTS)
		n_vparts = VOTE_MAX_PARTS;
	if (n_vparts > VOTE_CURSOR_MEMORY / 4 / (in->n_participants + 1))
		n_vparts = VOTE_CURSOR_MEMORY / 4 / (in->n_participants + 1);
	if (n_vparts < 1)
		n_vparts = 1;
	sc.in = in;
	sc.vs = vs;
	sc.per = (in->n_votes + n_vparts - 1) / n_vparts;
	sc.per = sc.per ? sc.per : 1;
	atomic_init(&sc.bad, 0);
	sc.pc = calloc(n_vparts * in->n_participants + 1, sizeof(*sc.pc));
	sc.su = calloc(n_vparts * in->n_statements + 1, 1);
	pcount = calloc(in->n_participants + 1, sizeof(*pcount));
	sused = calloc(in->n_statements + 1, sizeof(*sused));
	prow = malloc((in->n_participants + 1) * sizeof(*prow));
	scol = malloc((in->n_statements + 1) * sizeof(*scol));
	if (!sc.pc || !sc.su || !pcount || !sused || !prow || !scol)
		goto fail;

	/* 1. count per part, and check every vote */
	par_run(threads, n_vparts, count_part, &sc);
	if (atomic_load(&sc.bad)) {
		rc = ERR_INVALID;
		goto fail;
	}
	pcc.sc = &sc;
	pcc.n_vparts = n_vparts;
	pcc.pcount = pcount;
	pcc.cursors = false;
	par_run(threads, (in->n_participants + PC_PART - 1) / PC_PART, pc_part, &pcc);
	for (p = 0; p < n_vparts; p++)
		for (i = 0; i < in->n_statements; i++)
			sused[i] |= sc.su[p * in->n_statements + i];
	free(sc.su);
	sc.su = NULL;

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
	len = malloc((m->n_rows + 1) * sizeof(*len));
	if (!m->moderated || !m->row_ptr || !len)
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
	pcc.prow = prow;
	pcc.row_ptr = m->row_ptr;
	pcc.cursors = true;
	par_run(threads, (in->n_participants + PC_PART - 1) / PC_PART, pc_part, &pcc);
	free(pcount);
	pcount = NULL;
	free(sused);
	sused = NULL;

	/* 3. scatter every part's votes into their rows */
	m->col = malloc((raw + 1) * sizeof(*m->col));
	m->val = malloc(raw + 1);
	src = malloc((raw + 1) * sizeof(*src));
	if (!m->col || !m->val || !src)
		goto fail;
	sc.scol = scol;
	sc.col = m->col;
	sc.src = src;
	sc.val = m->val;
	par_run(threads, n_vparts, scatter_part, &sc);
	free(sc.pc);
	sc.pc = NULL;

	/* 4. sort rows, keep the latest vote per cell */
	bounds = row_parts(m->row_ptr, m->n_rows, (size_t)1 << 18, &n_parts);
	if (!bounds)
		goto fail;
	{
		struct dedupe_ctx dc;

		dc.in = in;
		dc.vs = vs;
		dc.n_cols = m->n_cols;
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
	free(len);
	free(bounds);
	*out = m;
	return ERR_OK;
fail:
	free(sc.pc);
	free(sc.su);
	free(pcount);
	free(sused);
	free(prow);
	free(scol);
	free(src);
	free(len);
	free(bounds);
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
	bool a_identity; /* amap is the identity: no new statements */
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
		if (j == je && c->a_identity) { /* an old row without new votes: a copy */
			if (c->fill) {
				memcpy(c->col + w, c->a->col + i, (ie - i) * sizeof(*c->col));
				memcpy(c->val + w, c->a->val + i, ie - i);
			}
			w += ie - i;
			i = ie;
		}
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
		struct merge_ctx c = {a,      b,	  ra,	rb,   amap,  bmap,
				      bounds, m->row_ptr, NULL, NULL, false, false};

		c.a_identity = m->n_cols == a->n_cols;

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
