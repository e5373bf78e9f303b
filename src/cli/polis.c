/*
 * polis.c - Pol.is export loader (see polis.h).
 *
 * Files are mapped, not read into buffers, and walked with the project's CSV reader; votes
 * go straight into the engine's vote array. Ids become indices through a direct table when
 * they are small non-negative integers (Pol.is numbers voters and comments from 0) and a
 * hash table otherwise.
 */
#include "polis.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/utf8.h"
#include "base/util.h"
#include "opinion/par.h"

#define IDMAP_DIRECT_LIMIT ((int64_t)1 << 24) /* ids below this use the direct table */
#define POLIS_MAX_VOTES	   ((size_t)UINT32_MAX - 1)
#define POLIS_BODY_MAX	   ((size_t)64 * 1024)

/* ---- id -> index -------------------------------------------------------------------------- */

struct polis_idmap {
	uint32_t *direct; /* [direct_cap]: index + 1, 0 when absent */
	size_t direct_cap;
	int64_t *keys; /* open addressing for the other ids */
	uint32_t *vals;
	size_t hcap, hn;
};

static void idmap_free(struct polis_idmap *m)
{
	if (!m)
		return;
	free(m->direct);
	free(m->keys);
	free(m->vals);
	free(m);
}

static size_t id_hash(int64_t id, size_t cap)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(x ^ (x >> 29)) & (cap - 1);
}

/* idmap_find returns the index of id, or UINT32_MAX. */
static uint32_t idmap_find(const struct polis_idmap *m, int64_t id)
{
	size_t h;

	if (id >= 0 && id < IDMAP_DIRECT_LIMIT) {
		if ((size_t)id >= m->direct_cap || m->direct[id] == 0)
			return UINT32_MAX;
		return m->direct[id] - 1;
	}
	if (m->hcap == 0)
		return UINT32_MAX;
	for (h = id_hash(id, m->hcap);; h = (h + 1) & (m->hcap - 1)) {
		if (m->vals[h] == 0)
			return UINT32_MAX;
		if (m->keys[h] == id)
			return m->vals[h] - 1;
	}
}

static int idmap_put(struct polis_idmap *m, int64_t id, uint32_t index)
{
	size_t h, i;

	if (id >= 0 && id < IDMAP_DIRECT_LIMIT) {
		if ((size_t)id >= m->direct_cap) {
			size_t cap = m->direct_cap ? m->direct_cap : 1024;
			uint32_t *d;

			while (cap <= (size_t)id)
				cap *= 2;
			d = realloc(m->direct, cap * sizeof(*d));
			if (!d)
				return ERR_NOMEM;
			memset(d + m->direct_cap, 0, (cap - m->direct_cap) * sizeof(*d));
			m->direct = d;
			m->direct_cap = cap;
		}
		m->direct[id] = index + 1;
		return ERR_OK;
	}
	if (2 * (m->hn + 1) > m->hcap) {
		size_t cap = m->hcap ? 2 * m->hcap : 1024;
		int64_t *k = calloc(cap, sizeof(*k));
		uint32_t *v = calloc(cap, sizeof(*v));

		if (!k || !v) {
			free(k);
			free(v);
			return ERR_NOMEM;
		}
		for (i = 0; i < m->hcap; i++) {
			if (!m->vals[i])
				continue;
			for (h = id_hash(m->keys[i], cap); v[h]; h = (h + 1) & (cap - 1))
				;
			k[h] = m->keys[i];
			v[h] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = k;
		m->vals = v;
		m->hcap = cap;
	}
	for (h = id_hash(id, m->hcap); m->vals[h]; h = (h + 1) & (m->hcap - 1))
		;
	m->keys[h] = id;
	m->vals[h] = index + 1;
	m->hn++;
	return ERR_OK;
}

/* grow makes room for one more element in *arr (element size sz, capacity *cap). */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return ERR_OK;
	nc = *cap ? *cap * 2 : 1024;
	p = realloc(*arr, nc * sz);
	if (!p)
		return ERR_NOMEM;
	*arr = p;
	*cap = nc;
	return ERR_OK;
}

static int participant_index(struct polis_conv *c, int64_t id, uint32_t *out)
{
	uint32_t i = idmap_find(c->pmap, id);
	int rc;

	if (i == UINT32_MAX) {
		if (c->n_participants >= UINT32_MAX - 1)
			return ERR_TOO_BIG;
		rc = grow((void **)&c->participant_ids, &c->cap_participants, c->n_participants,
			  sizeof(*c->participant_ids));
		if (rc)
			return rc;
		i = (uint32_t)c->n_participants;
		rc = idmap_put(c->pmap, id, i);
		if (rc)
			return rc;
		c->participant_ids[c->n_participants++] = id;
	}
	*out = i;
	return ERR_OK;
}

static int statement_index(struct polis_conv *c, int64_t id, uint32_t *out)
{
	uint32_t i = idmap_find(c->smap, id);
	size_t old = c->cap_statements;
	int rc;

	if (i == UINT32_MAX) {
		if (c->n_statements >= OPINION_MAX_STATEMENTS)
			return ERR_TOO_BIG;
		rc = grow((void **)&c->statement_ids, &c->cap_statements, c->n_statements,
			  sizeof(*c->statement_ids));
		if (rc)
			return rc;
		if (c->cap_statements != old) {
			uint8_t *m = realloc(c->moderated_out, c->cap_statements);
			char **b = realloc(c->bodies, c->cap_statements * sizeof(*b));
			uint64_t *pa = realloc(c->plus, c->cap_statements * sizeof(*pa));
			uint64_t *mi = realloc(c->minus, c->cap_statements * sizeof(*mi));

			if (m)
				c->moderated_out = m;
			if (b)
				c->bodies = b;
			if (pa)
				c->plus = pa;
			if (mi)
				c->minus = mi;
			if (!m || !b || !pa || !mi)
				return ERR_NOMEM;
		}
		i = (uint32_t)c->n_statements;
		rc = idmap_put(c->smap, id, i);
		if (rc)
			return rc;
		c->statement_ids[i] = id;
		c->moderated_out[i] = 0;
		c->bodies[i] = NULL;
		c->plus[i] = c->minus[i] = 0;
		c->n_statements++;
	}
	*out = i;
	return ERR_OK;
}

static uint64_t rd_le64(const unsigned char *p);
static uint32_t rd_le32(const unsigned char *p);

void polis_decode(const void *ctx, size_t first, size_t n, struct opinion_vote *out)
{
	const struct polis_conv *c = ctx;
	const uint32_t *pd = c->pmap->direct, *sd = c->smap->direct;
	size_t i;

	for (i = 0; i < n; i++) {
		const unsigned char *p = c->records + (first + i) * POLIS_BIN_RECORD;

		out[i].time = (int64_t)rd_le64(p);
		out[i].participant =
		    c->participants_dense ? rd_le32(p + 12) : pd[rd_le32(p + 12)] - 1;
		out[i].statement = sd[rd_le32(p + 8)] - 1;
		out[i].value = (int8_t)p[16] * c->agree_sign;
	}
}

int polis_build_matrix(const struct polis_conv *c, int threads, struct vote_matrix **out)
{
	struct opinion_input in;

	polis_input(c, &in);
	if (!c->votes && c->records)
		return vote_matrix_build_decoded(&in, polis_decode, c, threads, out);
	return vote_matrix_build(&in, threads, out);
}

void polis_release_votes(struct polis_conv *c)
{
	free(c->votes);
	c->votes = NULL;
	if (c->records_map)
		munmap(c->records_map, c->records_map_n);
	c->records = NULL;
	c->records_map = NULL;
	c->records_map_n = 0;
	c->n_votes = 0;
}

ptrdiff_t polis_statement_index(const struct polis_conv *c, int64_t id)
{
	uint32_t i = idmap_find(c->smap, id);

	return i == UINT32_MAX ? -1 : (ptrdiff_t)i;
}

void polis_conv_fini(struct polis_conv *c)
{
	size_t i;

	free(c->participant_ids);
	free(c->statement_ids);
	free(c->moderated_out);
	for (i = 0; c->bodies && i < c->n_statements; i++)
		free(c->bodies[i]);
	free(c->bodies);
	free(c->plus);
	free(c->minus);
	free(c->votes);
	if (c->records_map)
		munmap(c->records_map, c->records_map_n);
	idmap_free(c->pmap);
	idmap_free(c->smap);
	memset(c, 0, sizeof(*c));
}

void polis_input(const struct polis_conv *c, struct opinion_input *in)
{
	in->participant_ids = c->participant_ids;
	in->n_participants = c->n_participants;
	in->statement_ids = c->statement_ids;
	in->n_statements = c->n_statements;
	in->moderated_out = c->moderated_out;
	in->votes = c->votes;
	in->n_votes = c->n_votes;
}

/* ---- files -------------------------------------------------------------------------------- */

struct mapped {
	const char *p;
	size_t n;
	void *base;
};

static int why_set(char *why, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int why_set(char *why, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;

	/* a reason for people: a very long one (a long path in it) may end cut short, which
	 * only shortens the message; rc still says what happened */
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return rc;
}

/* map_file maps path read-only. ERR_NOT_FOUND when it does not exist, ERR_IO otherwise. */
static int map_file(const char *path, struct mapped *m, char *why, size_t cap)
{
	struct stat sb;
	int fd;

	memset(m, 0, sizeof(*m));
	m->p = "";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return why_set(why, cap, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return why_set(why, cap, ERR_IO, "%s: not a readable file", path);
	}
	if (sb.st_size > 0) {
		m->base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m->base == MAP_FAILED) {
			m->base = NULL;
			close(fd);
			return why_set(why, cap, ERR_IO, "%s: cannot map: %s", path,
				       strerror(errno));
		}
		madvise(m->base, (size_t)sb.st_size, MADV_SEQUENTIAL);
		m->p = m->base;
		m->n = (size_t)sb.st_size;
	}
	close(fd);
	return ERR_OK;
}

static void unmap_file(struct mapped *m)
{
	if (m->base)
		munmap(m->base, m->n);
	memset(m, 0, sizeof(*m));
}

/* not_text refuses a file that is not text (utf8_check_text: invalid UTF-8, overlong forms,
 * surrogates, code points above U+10FFFF, NUL bytes) before anything is read from it,
 * naming its path and physical line, in Chinese and then in English. */
static int not_text(const char *path, const struct mapped *f, char *why, size_t cap)
{
	const char *zh, *en;
	size_t line;

	if (utf8_check_text(f->p, f->n, &line, &zh, &en) == f->n)
		return ERR_OK;
	return why_set(why, cap, ERR_INVALID, "%s 第%zu行: %s (line %zu: %s)", path, line, zh, line,
		       en);
}

/* column returns the index of the header field named name, or -1. */
static ptrdiff_t column(const struct csv_reader *r, const char *name)
{
	size_t i, n;
	const char *f;

	for (i = 0; i < r->nfields; i++) {
		f = csv_field(r, i, &n);
		if (n == strlen(name) && memcmp(f, name, n) == 0)
			return (ptrdiff_t)i;
	}
	return -1;
}

/* parse_int parses an integer field, allowing a ".0" tail as Pol.is exports sometimes write
 * (Python's int(float(x)) in the reference accepts it too). */
static int parse_int(const char *p, size_t n, int64_t min, int64_t max, int64_t *out)
{
	size_t dot;

	for (dot = 0; dot < n && p[dot] != '.'; dot++)
		;
	if (dot < n) {
		size_t i;

		if (dot + 1 == n)
			return ERR_INVALID;
		for (i = dot + 1; i < n; i++)
			if (p[i] != '0')
				return ERR_INVALID;
		n = dot;
	}
	return num_parse(p, n, min, max, out);
}

static int csv_error(const struct csv_reader *r, const char *path, char *why, size_t cap)
{
	return why_set(why, cap, r->err == ERR_TOO_BIG ? ERR_TOO_BIG : ERR_INVALID, "%s:%zu: %s",
		       path, r->err_line, r->err_en ? r->err_en : "bad CSV");
}

/* How often (in records) the loaders report progress. */
enum { POLIS_REPORT_EVERY = 1 << 14 };

static int load_votes_csv(struct polis_conv *c, const char *path, const struct mapped *f, char *why,
			  size_t cap, progress_fn progress, void *ud)
{
	struct csv_reader r;
	ptrdiff_t it, ic, iv, ivote;
	int rc;

	csv_reader_init(&r, f->p, f->n);
	rc = csv_next(&r);
	if (rc == ERR_NOT_FOUND) {
		rc = why_set(why, cap, ERR_INVALID, "%s:1: empty file, expected a header", path);
		goto done;
	}
	if (rc) {
		rc = csv_error(&r, path, why, cap);
		goto done;
	}
	it = column(&r, "timestamp");
	ic = column(&r, "comment-id");
	iv = column(&r, "voter-id");
	ivote = column(&r, "vote");
	if (it < 0 || ic < 0 || iv < 0 || ivote < 0) {
		rc = why_set(why, cap, ERR_INVALID,
			     "%s:%zu: the header needs timestamp, comment-id, voter-id and vote",
			     path, r.rec_line);
		goto done;
	}
	for (;;) {
		struct opinion_vote v;
		const char *fld;
		size_t n;
		int64_t t, cid, vid, vote;
		uint32_t pi, si;

		rc = csv_next(&r);
		if (rc == ERR_NOT_FOUND) {
			rc = ERR_OK;
			break;
		}
		if (rc) {
			rc = csv_error(&r, path, why, cap);
			goto done;
		}
		if (progress && c->n_votes % POLIS_REPORT_EVERY == 0)
			progress(ud, r.pos, f->n);
		if (csv_record_blank(&r))
			continue;
		fld = csv_field(&r, (size_t)it, &n);
		if (parse_int(fld, n, INT64_MIN, INT64_MAX, &t)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad timestamp '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		fld = csv_field(&r, (size_t)ic, &n);
		if (parse_int(fld, n, INT64_MIN, INT64_MAX, &cid)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad comment-id '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		fld = csv_field(&r, (size_t)iv, &n);
		if (parse_int(fld, n, INT64_MIN, INT64_MAX, &vid)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad voter-id '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		fld = csv_field(&r, (size_t)ivote, &n);
		if (parse_int(fld, n, -1, 1, &vote)) {
			rc = why_set(why, cap, ERR_INVALID,
				     "%s:%zu: bad vote '%.40s' (expected -1, 0 or 1)", path,
				     r.rec_line, fld);
			goto done;
		}
		if (c->n_votes >= POLIS_MAX_VOTES) {
			rc = why_set(why, cap, ERR_TOO_BIG, "%s:%zu: too many votes", path,
				     r.rec_line);
			goto done;
		}
		rc = participant_index(c, vid, &pi);
		if (!rc)
			rc = statement_index(c, cid, &si);
		if (!rc)
			rc = grow((void **)&c->votes, &c->cap_votes, c->n_votes, sizeof(*c->votes));
		if (rc) {
			rc = why_set(why, cap, rc, "%s:%zu: %s", path, r.rec_line,
				     rc == ERR_NOMEM ? "out of memory" : "too many ids");
			goto done;
		}
		v.time = t;
		v.participant = pi;
		v.statement = si;
		v.value = (int8_t)vote;
		c->votes[c->n_votes++] = v;
		c->plus[si] += vote == 1;
		c->minus[si] += vote == -1;
	}
done:
	csv_reader_fini(&r);
	return rc;
}

static uint64_t rd_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t rd_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

/* ---- votes.bin on several threads --------------------------------------------------------- */

/* A large votes.bin is read in parts of BIN_PART records by up to `threads` threads, in two
 * passes over the mapped file, with the same result as the one-thread loop below. Pass 1
 * checks every vote and finds, for every voter-id and comment-id, the first record that has
 * it (an atomic minimum per id); the ids then get their indices in that order, as the loop
 * gives them. Pass 2 writes each record's vote to its own slot and counts +1 and -1 votes per
 * part. Only for ids of the direct tables (below IDMAP_DIRECT_LIMIT); a file with larger ids
 * is read by the loop. */
#define BIN_PART     ((size_t)1 << 18)
#define BIN_PAR_MIN  (2 * BIN_PART)    /* records from which the threads pay off */
#define BIN_COUNTS   ((size_t)1 << 22) /* per-part +1/-1 counters at most, else counted after */
#define BIN_NO_ERROR SIZE_MAX
#define BIN_PM_IDS   ((uint32_t)1 << 14) /* pass 1 counts +1/-1 for comment-ids below this */

struct bin_ctx {
	const unsigned char *rec; /* the first record */
	size_t n, n_parts;
	atomic_uint *pfirst, *sfirst; /* [IDMAP_DIRECT_LIMIT]: first record + 1, 0 = unseen */
	size_t *bad;		      /* [n_parts]: first bad record of the part, or BIN_NO_ERROR */
	uint32_t *pmax, *smax;	      /* [n_parts]: largest ids of the part */
	const struct polis_conv *c;
	struct opinion_vote *votes;
	uint32_t *plus, *minus; /* [n_parts][n_statements], or NULL */
	uint32_t **pm;		/* [n_parts]: pass 1's +1/-1 counts by comment-id, or NULL */
	uint32_t *pm_cap;	/* [n_parts]: comment-ids they cover */
};

static void first_min(atomic_uint *first, uint32_t id, uint32_t at)
{
	unsigned cur = atomic_load_explicit(&first[id], memory_order_relaxed);

	while (cur == 0 || cur > at) {
		if (atomic_compare_exchange_weak_explicit(
			&first[id], &cur, at, memory_order_relaxed, memory_order_relaxed))
			return;
	}
}

static void bin_scan_part(void *arg, size_t part)
{
	struct bin_ctx *b = arg;
	size_t i, lo = part * BIN_PART, hi = lo + BIN_PART < b->n ? lo + BIN_PART : b->n;
	uint32_t pmax = 0, smax = 0, pm_cap = 0, *pm = NULL;
	bool counting = true;

	b->bad[part] = BIN_NO_ERROR;
	for (i = lo; i < hi; i++) {
		const unsigned char *p = b->rec + i * POLIS_BIN_RECORD;
		const uint32_t cid = rd_le32(p + 8), vid = rd_le32(p + 12);
		const int8_t vote = (int8_t)p[16];

		if (vote < -1 || vote > 1 || cid >= IDMAP_DIRECT_LIMIT ||
		    vid >= IDMAP_DIRECT_LIMIT) {
			b->bad[part] = i;
			break;
		}
		/* the +1/-1 counts by comment-id, while the ids are small: pass 2 is then only
		 * needed for an array of votes */
		if (counting && cid >= pm_cap) {
			uint32_t nc = pm_cap ? 2 * pm_cap : 1024, *q;

			while (nc <= cid)
				nc *= 2;
			q = nc <= BIN_PM_IDS ? realloc(pm, 2 * (size_t)nc * sizeof(*pm)) : NULL;
			if (!q) {
				free(pm);
				pm = NULL;
				counting = false;
			} else {
				memset(q + 2 * (size_t)pm_cap, 0,
				       2 * (size_t)(nc - pm_cap) * sizeof(*q));
				pm = q;
				pm_cap = nc;
			}
		}
		if (counting) {
			pm[2 * cid] += vote == 1;
			pm[2 * cid + 1] += vote == -1;
		}
		pmax = vid > pmax ? vid : pmax;
		smax = cid > smax ? cid : smax;
		first_min(b->pfirst, vid, (uint32_t)(i + 1));
		first_min(b->sfirst, cid, (uint32_t)(i + 1));
	}
	b->pmax[part] = pmax;
	b->smax[part] = smax;
	b->pm[part] = pm;
	b->pm_cap[part] = counting ? pm_cap : 0;
}

static void bin_fill_part(void *arg, size_t part)
{
	struct bin_ctx *b = arg;
	const struct polis_conv *c = b->c;
	size_t i, lo = part * BIN_PART, hi = lo + BIN_PART < b->n ? lo + BIN_PART : b->n;
	uint32_t *plus = b->plus ? b->plus + part * c->n_statements : NULL;
	uint32_t *minus = b->minus ? b->minus + part * c->n_statements : NULL;
	const uint32_t *pd = c->pmap->direct, *sd = c->smap->direct;

	if (plus) {
		memset(plus, 0, c->n_statements * sizeof(*plus));
		memset(minus, 0, c->n_statements * sizeof(*minus));
	}
	for (i = lo; i < hi; i++) {
		const unsigned char *p = b->rec + i * POLIS_BIN_RECORD;
		const int8_t vote = (int8_t)p[16];
		const uint32_t si = sd[rd_le32(p + 8)] - 1;
		if (b->votes) {
			struct opinion_vote *v = &b->votes[i];

			v->time = (int64_t)rd_le64(p);
			v->participant = pd[rd_le32(p + 12)] - 1;
			v->statement = si;
			v->value = vote;
		}
		if (plus) {
			plus[si] += vote == 1;
			minus[si] += vote == -1;
		}
	}
	if (b->votes) {
		/* the part's records are read for the last time: out of the process's resident
		 * memory with them (they stay in the page cache), so that the mapped file and the
		 * array of votes are not both resident at the end */
		const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
		uintptr_t a =
		    ((uintptr_t)(b->rec + lo * POLIS_BIN_RECORD) + page - 1) & ~(page - 1);
		uintptr_t z = (uintptr_t)(b->rec + hi * POLIS_BIN_RECORD) & ~(page - 1);

		if (z > a)
			(void)madvise((void *)a, z - a, MADV_DONTNEED);
	}
}

/* firsts lists the ids seen (first[id] != 0, id <= max) ordered by their first record: a
 * radix sort on the record number. ids gets them; returns how many (SIZE_MAX: no memory). */
static size_t firsts(atomic_uint *first, uint32_t max, uint32_t **ids)
{
	uint64_t *a, *t;
	size_t n = 0, i, shift, *count;

	for (i = 0; i <= max; i++)
		n += atomic_load_explicit(&first[i], memory_order_relaxed) != 0;
	a = malloc((n + 1) * sizeof(*a));
	t = malloc((n + 1) * sizeof(*t));
	count = malloc(65536 * sizeof(*count));
	*ids = malloc((n + 1) * sizeof(**ids));
	if (!a || !t || !count || !*ids) {
		free(a);
		free(t);
		free(count);
		free(*ids);
		*ids = NULL;
		return SIZE_MAX;
	}
	n = 0;
	for (i = 0; i <= max; i++) {
		unsigned f = atomic_load_explicit(&first[i], memory_order_relaxed);

		if (f)
			a[n++] = (uint64_t)f << 32 | i;
	}
	for (shift = 32; shift < 64; shift += 16) {
		size_t sum = 0;

		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xffff]++;
		for (i = 0; i < 65536; i++) {
			size_t k = count[i];

			count[i] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			t[count[(a[i] >> shift) & 0xffff]++] = a[i];
		memcpy(a, t, n * sizeof(*a));
	}
	for (i = 0; i < n; i++)
		(*ids)[i] = (uint32_t)a[i];
	free(a);
	free(t);
	free(count);
	return n;
}

/* load_votes_bin_par reads the n records at rec (see above). ERR_NOT_FOUND, with nothing
 * changed in c, when an id is too large for it: the caller reads the file the other way. */
static int load_votes_bin_par(struct polis_conv *c, const char *path, const unsigned char *rec,
			      size_t n, int threads, bool *defer, char *why, size_t cap)
{
	struct bin_ctx b;
	uint32_t *pids = NULL, *sids = NULL, pmax = 0, smax = 0;
	size_t np = 0, ns = 0, i, k, bad = BIN_NO_ERROR;
	bool counted;
	int rc = ERR_NOMEM;

	memset(&b, 0, sizeof(b));
	b.rec = rec;
	b.n = n;
	b.n_parts = (n + BIN_PART - 1) / BIN_PART;
	/* zero pages until written: only the ids' own stretch of the tables is ever touched */
	b.pfirst = calloc(IDMAP_DIRECT_LIMIT, sizeof(*b.pfirst));
	b.sfirst = calloc(IDMAP_DIRECT_LIMIT, sizeof(*b.sfirst));
	b.bad = malloc(b.n_parts * sizeof(*b.bad));
	b.pmax = malloc(b.n_parts * sizeof(*b.pmax));
	b.smax = malloc(b.n_parts * sizeof(*b.smax));
	b.pm = calloc(b.n_parts, sizeof(*b.pm));
	b.pm_cap = calloc(b.n_parts, sizeof(*b.pm_cap));
	if (!b.pfirst || !b.sfirst || !b.bad || !b.pmax || !b.smax || !b.pm || !b.pm_cap)
		goto nomem;
	par_run(threads, b.n_parts, bin_scan_part, &b);
	for (k = 0; k < b.n_parts; k++) {
		if (b.bad[k] != BIN_NO_ERROR) {
			bad = b.bad[k];
			break;
		}
		pmax = b.pmax[k] > pmax ? b.pmax[k] : pmax;
		smax = b.smax[k] > smax ? b.smax[k] : smax;
	}
	if (bad != BIN_NO_ERROR) {
		const int8_t vote = (int8_t)rec[bad * POLIS_BIN_RECORD + 16];

		if (vote >= -1 && vote <= 1) { /* a large id: not for this reader */
			rc = ERR_NOT_FOUND;
			goto done;
		}
		rc = why_set(why, cap, ERR_INVALID,
			     "%s: record %llu: bad vote %d (expected -1, 0 or 1)", path,
			     (unsigned long long)(bad + 1), vote);
		goto done;
	}
	ns = firsts(b.sfirst, smax, &sids);
	if (ns == SIZE_MAX)
		goto nomem;
	if (*defer) {
		/* deferred votes are read twice more, each time mapping the voter-id to its
		 * index: voters are numbered in id order, and when the ids are 0 .. n-1 the index
		 * is the id, with no table to look up */
		np = 0;
		for (i = 0; i <= pmax; i++)
			np += atomic_load_explicit(&b.pfirst[i], memory_order_relaxed) != 0;
		pids = malloc((np + 1) * sizeof(*pids));
		if (!pids)
			goto nomem;
		np = 0;
		for (i = 0; i <= pmax; i++)
			if (atomic_load_explicit(&b.pfirst[i], memory_order_relaxed))
				pids[np++] = (uint32_t)i;
		c->participants_dense = np == (size_t)pmax + 1;
	} else {
		np = firsts(b.pfirst, pmax, &pids);
	}
	if (np == SIZE_MAX)
		goto nomem;
	free(b.pfirst);
	free(b.sfirst);
	b.pfirst = b.sfirst = NULL;
	for (i = 0; i < ns; i++) {
		uint32_t si;

		if (statement_index(c, sids[i], &si))
			goto nomem;
	}
	for (i = 0; i < np; i++) {
		uint32_t pi;

		if (participant_index(c, pids[i], &pi))
			goto nomem;
	}
	counted = true;
	for (k = 0; k < b.n_parts; k++)
		counted = counted && b.pm[k];
	for (k = 0; counted && k < b.n_parts; k++) {
		for (i = 0; i < b.pm_cap[k]; i++) {
			uint32_t si;

			if (!b.pm[k][2 * i] && !b.pm[k][2 * i + 1])
				continue;
			si = c->smap->direct[i] - 1; /* (a counted id was seen: it has an index) */
			c->plus[si] += b.pm[k][2 * i];
			c->minus[si] += b.pm[k][2 * i + 1];
		}
	}
	if (counted && *defer) { /* pass 2 would only count: done already */
		c->n_votes = n;
		rc = ERR_OK;
		goto done;
	}
	if (counted) {
		/* pass 2 only writes the votes */
	} else if (b.n_parts * c->n_statements <= BIN_COUNTS) {
		b.plus = malloc((b.n_parts * c->n_statements + 1) * sizeof(*b.plus));
		b.minus = malloc((b.n_parts * c->n_statements + 1) * sizeof(*b.minus));
		if (!b.plus || !b.minus)
			goto nomem;
	} else {
		*defer = false; /* the votes are counted from the array below */
	}
	if (!*defer) {
		c->votes = malloc((n ? n : 1) * sizeof(*c->votes));
		if (!c->votes)
			goto nomem;
		c->cap_votes = n ? n : 1;
	}
	b.c = c;
	b.votes = c->votes; /* NULL when deferred: pass 2 only counts */
	par_run(threads, b.n_parts, bin_fill_part, &b);
	for (k = 0; b.plus && k < b.n_parts; k++) {
		for (i = 0; i < c->n_statements; i++) {
			c->plus[i] += b.plus[k * c->n_statements + i];
			c->minus[i] += b.minus[k * c->n_statements + i];
		}
	}
	for (i = 0; !counted && !b.plus && i < n; i++) { /* too many statements for counters */
		c->plus[c->votes[i].statement] += c->votes[i].value == 1;
		c->minus[c->votes[i].statement] += c->votes[i].value == -1;
	}
	c->n_votes = n;
	rc = ERR_OK;
	goto done;
nomem:
	rc = why_set(why, cap, ERR_NOMEM, "%s: out of memory for %zu votes", path, n);
done:
	free(b.pfirst);
	free(b.sfirst);
	free(b.bad);
	free(b.pmax);
	free(b.smax);
	free(b.plus);
	free(b.minus);
	for (k = 0; b.pm && k < b.n_parts; k++)
		free(b.pm[k]);
	free(b.pm);
	free(b.pm_cap);
	free(pids);
	free(sids);
	return rc;
}

static int load_votes_bin(struct polis_conv *c, const char *path, char *why, size_t cap,
			  progress_fn progress, void *ud, int threads, bool defer)
{
	enum { CHUNK = 1 << 16 };
	unsigned char head[POLIS_BIN_HEADER], *buf = NULL;
	uint64_t n, done = 0;
	struct stat sb;
	FILE *f;
	int rc = ERR_OK;

	f = fopen(path, "rb");
	if (!f)
		return why_set(why, cap, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "%s: %s", path,
			       strerror(errno));
	if (fread(head, 1, sizeof(head), f) != sizeof(head) ||
	    memcmp(head, POLIS_BIN_MAGIC, 8) != 0) {
		rc = why_set(why, cap, ERR_INVALID, "%s: not a %s file", path, POLIS_BIN_MAGIC);
		goto done;
	}
	n = rd_le64(head + 8);
	if (fstat(fileno(f), &sb) != 0 || n > POLIS_MAX_VOTES ||
	    (uint64_t)sb.st_size != POLIS_BIN_HEADER + n * POLIS_BIN_RECORD) {
		rc = why_set(why, cap, ERR_INVALID, "%s: size does not match its %llu records",
			     path, (unsigned long long)n);
		goto done;
	}
	if ((threads > 1 || defer) && n >= BIN_PAR_MIN) {
		struct mapped m;

		rc = map_file(path, &m, why, cap);
		if (rc)
			goto done;
		rc = load_votes_bin_par(c, path, (const unsigned char *)m.p + POLIS_BIN_HEADER,
					(size_t)n, threads, &defer, why, cap);
		if (!rc && defer) { /* the votes stay in the file: polis_decode reads them */
			c->records = (const unsigned char *)m.p + POLIS_BIN_HEADER;
			c->records_map = m.base;
			c->records_map_n = m.n;
		} else {
			unmap_file(&m);
		}
		if (rc != ERR_NOT_FOUND) {
			if (!rc && progress)
				progress(ud, n, n);
			goto done;
		}
		rc = ERR_OK; /* ids too large for the tables: the loop below reads it */
	}
	c->votes = malloc((size_t)(n ? n : 1) * sizeof(*c->votes));
	buf = malloc((size_t)CHUNK * POLIS_BIN_RECORD);
	if (!c->votes || !buf) {
		rc = why_set(why, cap, ERR_NOMEM, "%s: out of memory for %llu votes", path,
			     (unsigned long long)n);
		goto done;
	}
	c->cap_votes = (size_t)(n ? n : 1);
	while (done < n) {
		size_t want = n - done < CHUNK ? (size_t)(n - done) : CHUNK, i;

		if (fread(buf, POLIS_BIN_RECORD, want, f) != want) {
			rc = why_set(why, cap, ERR_IO, "%s: short read", path);
			goto done;
		}
		for (i = 0; i < want; i++) {
			const unsigned char *p = buf + i * POLIS_BIN_RECORD;
			struct opinion_vote *v = &c->votes[c->n_votes];
			const uint32_t cid = rd_le32(p + 8), vid = rd_le32(p + 12);
			const int8_t vote = (int8_t)p[16];
			uint32_t si, pi;

			if (vote < -1 || vote > 1) {
				rc = why_set(why, cap, ERR_INVALID,
					     "%s: record %llu: bad vote %d (expected -1, 0 or 1)",
					     path, (unsigned long long)(done + i + 1), vote);
				goto done;
			}
			/* the direct tables inline; new or large ids take the general path */
			if (cid < c->smap->direct_cap && c->smap->direct[cid])
				si = c->smap->direct[cid] - 1;
			else
				rc = statement_index(c, cid, &si);
			if (!rc && vid < c->pmap->direct_cap && c->pmap->direct[vid])
				pi = c->pmap->direct[vid] - 1;
			else if (!rc)
				rc = participant_index(c, vid, &pi);
			if (rc) {
				rc = why_set(why, cap, rc, "%s: record %llu: out of memory", path,
					     (unsigned long long)(done + i + 1));
				goto done;
			}
			v->time = (int64_t)rd_le64(p);
			v->participant = pi;
			v->statement = si;
			v->value = vote;
			c->plus[si] += vote == 1;
			c->minus[si] += vote == -1;
			c->n_votes++;
		}
		done += want;
		if (progress)
			progress(ud, done, n);
	}
done:
	free(buf);
	fclose(f);
	return rc;
}

static int load_comments(struct polis_conv *c, const char *path, const struct mapped *f,
			 uint64_t *agrees_disagrees_seen, int64_t **ad, char *why, size_t cap)
{
	struct csv_reader r;
	ptrdiff_t ic, im, ia, id, ib;
	int rc;
	size_t n_ad = 0, cap_ad = 0;

	*ad = NULL;
	*agrees_disagrees_seen = 0;
	csv_reader_init(&r, f->p, f->n);
	r.max_field = POLIS_BODY_MAX;
	rc = csv_next(&r);
	if (rc == ERR_NOT_FOUND) {
		rc = ERR_OK; /* an empty comments.csv: no moderation, no sign evidence */
		goto done;
	}
	if (rc) {
		rc = csv_error(&r, path, why, cap);
		goto done;
	}
	ic = column(&r, "comment-id");
	im = column(&r, "moderated");
	ia = column(&r, "agrees");
	id = column(&r, "disagrees");
	ib = column(&r, "comment-body");
	if (ic < 0) {
		rc = why_set(why, cap, ERR_INVALID, "%s:%zu: the header needs comment-id", path,
			     r.rec_line);
		goto done;
	}
	for (;;) {
		const char *fld;
		size_t n;
		int64_t cid, mod = 0, a = 0, d = 0;
		uint32_t si;

		rc = csv_next(&r);
		if (rc == ERR_NOT_FOUND) {
			rc = ERR_OK;
			break;
		}
		if (rc) {
			rc = csv_error(&r, path, why, cap);
			goto done;
		}
		if (csv_record_blank(&r))
			continue;
		fld = csv_field(&r, (size_t)ic, &n);
		if (parse_int(fld, n, INT64_MIN, INT64_MAX, &cid)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad comment-id '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		if (im >= 0) {
			fld = csv_field(&r, (size_t)im, &n);
			if (n > 0 && parse_int(fld, n, -1, 1, &mod)) {
				rc = why_set(why, cap, ERR_INVALID,
					     "%s:%zu: bad moderated '%.40s' (expected -1, 0 or 1)",
					     path, r.rec_line, fld);
				goto done;
			}
		}
		if (ia >= 0 && id >= 0) {
			const char *fa = csv_field(&r, (size_t)ia, &n);

			if (parse_int(fa, n, 0, INT64_MAX, &a)) {
				rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad agrees '%.40s'",
					     path, r.rec_line, fa);
				goto done;
			}
			fld = csv_field(&r, (size_t)id, &n);
			if (parse_int(fld, n, 0, INT64_MAX, &d)) {
				rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad disagrees '%.40s'",
					     path, r.rec_line, fld);
				goto done;
			}
		}
		rc = statement_index(c, cid, &si);
		if (rc) {
			rc = why_set(why, cap, rc, "%s:%zu: out of memory", path, r.rec_line);
			goto done;
		}
		c->moderated_out[si] = mod == -1;
		if (ib >= 0 && !c->bodies[si]) {
			fld = csv_field(&r, (size_t)ib, &n);
			c->bodies[si] = strndup(fld, n);
		}
		if (ia >= 0 && id >= 0) {
			rc = grow((void **)ad, &cap_ad, n_ad + 2, sizeof(**ad)); /* room for 3 */
			if (rc) {
				rc = why_set(why, cap, rc, "%s:%zu: out of memory", path,
					     r.rec_line);
				goto done;
			}
			(*ad)[n_ad++] = si;
			(*ad)[n_ad++] = a;
			(*ad)[n_ad++] = d;
		}
	}
	*agrees_disagrees_seen = n_ad / 3;
done:
	csv_reader_fini(&r);
	return rc;
}

/* decide_sign compares comments.csv's agree/disagree counts with the vote file's +1/-1
 * counts (see polis.h) and negates the votes when the file stores agree as -1. */
/* decide_sign compares comments.csv's agree/disagree counts with the vote file's +1/-1
 * counts (see polis.h) and negates the votes when the file stores agree as -1. */
static void decide_sign(struct polis_conv *c, const int64_t *ad, size_t n_ad)
{
	size_t i;

	for (i = 0; i < n_ad; i++) {
		size_t s = (size_t)ad[3 * i];
		int64_t a = ad[3 * i + 1], d = ad[3 * i + 2];
		int64_t p = (int64_t)c->plus[s], q = (int64_t)c->minus[s];

		c->sign_same += (uint64_t)(llabs(a - p) + llabs(d - q));
		c->sign_swapped += (uint64_t)(llabs(a - q) + llabs(d - p));
	}
	c->agree_sign = c->sign_swapped < c->sign_same ? -1 : 1;
	if (c->agree_sign < 0 && c->votes) /* (deferred votes: polis_decode negates) */
		for (i = 0; i < c->n_votes; i++)
			c->votes[i].value = (int8_t)-c->votes[i].value;
}

int polis_load(const char *dir, struct polis_conv *c, char *why, size_t cap)
{
	return polis_load_progress(dir, c, why, cap, NULL, NULL);
}

int polis_load_progress(const char *dir, struct polis_conv *c, char *why, size_t cap,
			progress_fn progress, void *ud)
{
	return polis_load_threads(dir, c, why, cap, progress, ud, 1);
}

static int load_all(const char *dir, struct polis_conv *c, char *why, size_t cap,
		    progress_fn progress, void *ud, int threads, bool defer);

int polis_load_threads(const char *dir, struct polis_conv *c, char *why, size_t cap,
		       progress_fn progress, void *ud, int threads)
{
	return load_all(dir, c, why, cap, progress, ud, threads, false);
}

int polis_load_deferred(const char *dir, struct polis_conv *c, char *why, size_t cap,
			progress_fn progress, void *ud, int threads)
{
	return load_all(dir, c, why, cap, progress, ud, threads, true);
}

static int load_all(const char *dir, struct polis_conv *c, char *why, size_t cap,
		    progress_fn progress, void *ud, int threads, bool defer)
{
	char path[4096];
	struct mapped f;
	int64_t *ad = NULL;
	uint64_t n_ad = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->agree_sign = 1;
	c->pmap = calloc(1, sizeof(*c->pmap));
	c->smap = calloc(1, sizeof(*c->smap));
	if (!c->pmap || !c->smap)
		return why_set(why, cap, ERR_NOMEM, "out of memory");
	if ((size_t)snprintf(path, sizeof(path), "%s/votes.csv", dir) >= sizeof(path))
		return why_set(why, cap, ERR_INVALID, "%s: path too long", dir);
	rc = map_file(path, &f, why, cap);
	if (rc == ERR_NOT_FOUND) {
		char bin[4096];
		struct stat sb;

		if ((size_t)snprintf(bin, sizeof(bin), "%s/votes.bin", dir) >= sizeof(bin) ||
		    stat(bin, &sb) != 0)
			return rc; /* the reason names votes.csv */
		c->binary = true;
		rc = load_votes_bin(c, bin, why, cap, progress, ud, threads, defer);
		if (rc)
			return rc;
	} else if (rc) {
		return rc;
	} else {
		rc = not_text(path, &f, why, cap);
		if (!rc)
			rc = load_votes_csv(c, path, &f, why, cap, progress, ud);
		if (!rc && progress)
			progress(ud, f.n, f.n);
		unmap_file(&f);
		if (rc)
			return rc;
	}

	if ((size_t)snprintf(path, sizeof(path), "%s/comments.csv", dir) >= sizeof(path))
		return why_set(why, cap, ERR_INVALID, "%s: path too long", dir);
	rc = map_file(path, &f, why, cap);
	if (rc == ERR_NOT_FOUND) {
		why[0] = '\0';
		rc = ERR_OK;
	} else if (rc) {
		return rc;
	} else {
		c->have_comments = true;
		rc = not_text(path, &f, why, cap);
		if (!rc)
			rc = load_comments(c, path, &f, &n_ad, &ad, why, cap);
		unmap_file(&f);
		if (rc) {
			free(ad);
			return rc;
		}
	}
	decide_sign(c, ad, (size_t)n_ad);
	free(ad);
	return ERR_OK;
}

int polis_load_groups(const char *path, int64_t **ids, int32_t **groups, size_t *n, char *why,
		      size_t cap)
{
	struct csv_reader r;
	struct mapped f;
	ptrdiff_t ip, ig;
	size_t cap_i = 0, cap_g = 0;
	int rc;

	*ids = NULL;
	*groups = NULL;
	*n = 0;
	rc = map_file(path, &f, why, cap);
	if (rc)
		return rc;
	csv_reader_init(&r, f.p, f.n);
	r.max_fields = (size_t)1 << 20; /* one column per comment */
	rc = not_text(path, &f, why, cap);
	if (rc)
		goto done;
	rc = csv_next(&r);
	if (rc) {
		rc = rc == ERR_NOT_FOUND ? why_set(why, cap, ERR_INVALID, "%s:1: empty file", path)
					 : csv_error(&r, path, why, cap);
		goto done;
	}
	ip = column(&r, "participant");
	ig = column(&r, "group-id");
	if (ip < 0 || ig < 0) {
		rc = why_set(why, cap, ERR_INVALID,
			     "%s:1: the header needs participant and group-id", path);
		goto done;
	}
	for (;;) {
		const char *fld;
		size_t len;
		int64_t pid, g = -1;

		rc = csv_next(&r);
		if (rc == ERR_NOT_FOUND) {
			rc = ERR_OK;
			break;
		}
		if (rc) {
			rc = csv_error(&r, path, why, cap);
			goto done;
		}
		if (csv_record_blank(&r))
			continue;
		fld = csv_field(&r, (size_t)ip, &len);
		if (parse_int(fld, len, INT64_MIN, INT64_MAX, &pid)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad participant '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		fld = csv_field(&r, (size_t)ig, &len);
		if (len > 0 && parse_int(fld, len, 0, INT32_MAX, &g)) {
			rc = why_set(why, cap, ERR_INVALID, "%s:%zu: bad group-id '%.40s'", path,
				     r.rec_line, fld);
			goto done;
		}
		rc = grow((void **)ids, &cap_i, *n, sizeof(**ids));
		if (!rc)
			rc = grow((void **)groups, &cap_g, *n, sizeof(**groups));
		if (rc) {
			rc = why_set(why, cap, rc, "%s: out of memory", path);
			goto done;
		}
		(*ids)[*n] = pid;
		(*groups)[*n] = (int32_t)g;
		(*n)++;
	}
done:
	csv_reader_fini(&r);
	unmap_file(&f);
	if (rc) {
		free(*ids);
		free(*groups);
		*ids = NULL;
		*groups = NULL;
		*n = 0;
	}
	return rc;
}
