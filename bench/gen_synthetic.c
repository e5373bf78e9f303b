/*
 * gen_synthetic.c - a synthetic Pol.is conversation with planted opinion groups, for the
 * opinion engine's benchmark (bench/opinion.sh).
 *
 *   cc -O2 -o gen_synthetic bench/gen_synthetic.c
 *   gen_synthetic --out DIR [--participants N] [--statements M] [--votes V] [--groups G]
 *                 [--seed S] [--format bin|csv] [--moderated FRACTION] [--revotes FRACTION]
 *
 * Writes DIR/votes.bin (see src/cli/polis.h; or votes.csv with --format csv),
 * DIR/comments.csv (comment-id, agrees, disagrees, moderated, comment-body) and
 * DIR/participants-votes.csv (participant, group-id: the planted groups), which
 * `shenliao opinion --polis DIR` reads like a Pol.is export and compares with.
 *
 * The model: G groups of sizes proportional to G, G-1, ..., 1. Each statement leans, for each
 * group, towards agree (agree 0.75, disagree 0.10), disagree (0.10, 0.75) or neither (0.30,
 * 0.30), the rest passes; a tenth of the statements are consensus statements that every group
 * leans to agree with. Each participant votes on about V/N distinct statements drawn
 * uniformly (between half and one and a half times the mean), and a fraction of the votes are
 * later re-votes on a statement already voted (latest wins). Participants arrive over time,
 * one session each; the file is written in time order, sessions interleaved, as a live system
 * would log them. Everything follows from --seed. Defaults: 1,000,000 participants, 10,000
 * statements, 50,000,000 votes, 3 groups.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct rec {
	int64_t time;
	uint32_t comment, voter;
	int8_t vote;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

static void die(const char *what)
{
	fprintf(stderr, "gen_synthetic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static const char usage[] =
    "usage: gen_synthetic --out DIR [--participants N] [--statements M] [--votes V]\n"
    "                     [--groups G] [--seed S] [--format bin|csv] [--moderated F]\n"
    "                     [--revotes F]\n";

int main(int argc, char **argv)
{
	uint64_t n_part = 1000000, n_stmt = 10000, n_votes = 50000000, groups = 3, seed = 1;
	double moderated = 0.05, revotes = 0.01;
	const char *out = NULL, *format = "bin";
	enum { WINDOW = 1024 };
	uint8_t *stance, *mod;
	uint32_t *stamp, *group, *picked;
	uint64_t *agrees, *disagrees, written = 0, i, j, g, window_cap, carry = 0;
	uint64_t *cum_group;
	struct rec *win;
	char path[4096];
	FILE *fv, *f;
	int a;

	for (a = 1; a < argc; a++) {
		const char *k = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(k, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (!v) {
			fputs(usage, stderr);
			return 2;
		}
		a++;
		if (strcmp(k, "--out") == 0)
			out = v;
		else if (strcmp(k, "--participants") == 0)
			n_part = strtoull(v, NULL, 10);
		else if (strcmp(k, "--statements") == 0)
			n_stmt = strtoull(v, NULL, 10);
		else if (strcmp(k, "--votes") == 0)
			n_votes = strtoull(v, NULL, 10);
		else if (strcmp(k, "--groups") == 0)
			groups = strtoull(v, NULL, 10);
		else if (strcmp(k, "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else if (strcmp(k, "--format") == 0)
			format = v;
		else if (strcmp(k, "--moderated") == 0)
			moderated = strtod(v, NULL);
		else if (strcmp(k, "--revotes") == 0)
			revotes = strtod(v, NULL);
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!out || n_part == 0 || n_stmt == 0 || groups < 1 || groups > 16 ||
	    n_votes > UINT32_MAX - 2 || n_part >= UINT32_MAX || n_stmt >= UINT32_MAX ||
	    (strcmp(format, "bin") != 0 && strcmp(format, "csv") != 0) ||
	    n_votes / n_part * 2 > n_stmt) {
		fputs(usage, stderr);
		fputs("(needs --out; at most 2^32 votes; mean votes per participant at most half "
		      "the statements)\n",
		      stderr);
		return 2;
	}
	rng_state = seed * 0x2545f4914f6cdd1dULL;
	if (mkdir(out, 0755) != 0 && errno != EEXIST)
		die(out);

	/* statements: a stance per (group, statement), moderation */
	stance = malloc(groups * n_stmt);
	mod = calloc(n_stmt, 1);
	stamp = calloc(n_stmt, sizeof(*stamp));
	agrees = calloc(n_stmt, sizeof(*agrees));
	disagrees = calloc(n_stmt, sizeof(*disagrees));
	group = malloc(n_part * sizeof(*group));
	cum_group = calloc(groups + 1, sizeof(*cum_group));
	window_cap = (n_votes / n_part * 2 + 2) * WINDOW * 2;
	win = malloc(window_cap * sizeof(*win));
	picked = malloc((n_stmt + 1) * sizeof(*picked));
	if (!stance || !mod || !stamp || !agrees || !disagrees || !group || !cum_group || !win ||
	    !picked)
		die("memory");
	for (j = 0; j < n_stmt; j++) {
		int consensus = unit() < 0.1;

		for (g = 0; g < groups; g++)
			stance[g * n_stmt + j] = consensus ? 0 : (uint8_t)below(3);
		mod[j] = unit() < moderated;
	}
	/* planted groups: sizes proportional to groups, groups-1, ..., 1 */
	for (g = 0; g < groups; g++)
		cum_group[g + 1] = cum_group[g] + (groups - g);
	for (i = 0; i < n_part; i++) {
		uint64_t x = below(cum_group[groups]);

		for (g = 0; cum_group[g + 1] <= x; g++)
			;
		group[i] = (uint32_t)g;
	}

	snprintf(path, sizeof(path), "%s/votes.%s", out, format);
	fv = fopen(path, "wb");
	if (!fv)
		die(path);
	setvbuf(fv, NULL, _IOFBF, 1 << 20);
	if (strcmp(format, "bin") == 0) {
		unsigned char head[16];

		memcpy(head, "SLVOTES1", 8);
		put_le(head + 8, n_votes, 8);
		fwrite(head, 1, 16, fv);
	} else {
		fputs("timestamp,datetime,comment-id,voter-id,vote\n", fv);
	}

	/* participants in windows of WINDOW arrivals; each window's votes sorted by time */
	for (i = 0; i < n_part; i += WINDOW) {
		uint64_t end = i + WINDOW < n_part ? i + WINDOW : n_part, nw = 0, p;

		for (p = i; p < end; p++) {
			/* votes of p: the exact share of the total, +/- a paired random swing */
			uint64_t share = n_votes * (p + 1) / n_part - n_votes * p / n_part;
			uint64_t pair_share =
			    n_votes * (p + 2) / n_part - n_votes * (p + 1) / n_part;
			uint64_t k, nv = share, nrev, distinct, half = share / 2;
			int64_t t = 1600000000000LL + (int64_t)p * 2600 + (int64_t)below(2600);

			if (p % 2 == 0 && p + 1 < n_part) {
				uint64_t most = half < pair_share ? half : pair_share;

				carry = below(most + 1); /* p gets it, p + 1 gives it up */
				nv = share + carry;
			} else if (p % 2 == 1) {
				nv = share >= carry ? share - carry : 0;
				carry = 0;
			}
			if (nv > n_stmt)
				nv = n_stmt;
			nrev = (uint64_t)((double)nv * revotes + unit());
			if (nrev >= nv)
				nrev = nv ? nv - 1 : 0;
			distinct = nv - nrev;
			if (distinct == 0 && nv > 0)
				distinct = 1, nrev = nv - 1;
			/* distinct statements by rejection, stamps mark those taken (stamp = p+1)
			 */
			for (k = 0; k < distinct; k++) {
				uint32_t s;

				do
					s = (uint32_t)below(n_stmt);
				while (stamp[s] == (uint32_t)(p + 1));
				stamp[s] = (uint32_t)(p + 1);
				picked[k + 1] = s;
			}
			for (k = 0; k < nv; k++) {
				uint32_t s =
				    k < distinct ? picked[k + 1] : picked[1 + below(distinct)];
				uint8_t st = stance[group[p] * n_stmt + s];
				double u = unit(), pa = st == 0 ? 0.75 : st == 1 ? 0.10 : 0.30;
				double pd = st == 0 ? 0.10 : st == 1 ? 0.75 : 0.30;
				struct rec *r = &win[nw++];

				t += 2000 + (int64_t)below(8000);
				r->time = t;
				r->comment = s;
				r->voter = (uint32_t)p;
				r->vote = u < pa ? 1 : u < pa + pd ? -1 : 0;
				agrees[s] += r->vote == 1;
				disagrees[s] += r->vote == -1;
			}
		}
		qsort(win, nw, sizeof(*win), rec_cmp);
		for (p = 0; p < nw; p++) {
			if (strcmp(format, "bin") == 0) {
				unsigned char b[17];

				put_le(b, (uint64_t)win[p].time, 8);
				put_le(b + 8, win[p].comment, 4);
				put_le(b + 12, win[p].voter, 4);
				b[16] = (unsigned char)win[p].vote;
				fwrite(b, 1, 17, fv);
			} else {
				fprintf(fv, "%" PRId64 ",,%u,%u,%d\n", win[p].time, win[p].comment,
					win[p].voter, win[p].vote);
			}
		}
		written += nw;
	}
	if (strcmp(format, "bin") == 0) { /* the exact count, should rounding have moved it */
		unsigned char head[8];

		put_le(head, written, 8);
		if (fseek(fv, 8, SEEK_SET) != 0 || fwrite(head, 1, 8, fv) != 8)
			die(path);
	}
	if (fclose(fv) != 0)
		die(path);

	snprintf(path, sizeof(path), "%s/comments.csv", out);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fputs("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n",
	      f);
	for (j = 0; j < n_stmt; j++)
		fprintf(f,
			"%" PRIu64 ",,%" PRIu64 ",0,%" PRIu64 ",%" PRIu64 ",%d,\"statement %" PRIu64
			", synthetic\"\n",
			(uint64_t)1600000000000ULL, j, agrees[j], disagrees[j], mod[j] ? -1 : 1, j);
	if (fclose(f) != 0)
		die(path);

	snprintf(path, sizeof(path), "%s/participants-votes.csv", out);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fputs("participant,group-id\n", f);
	for (i = 0; i < n_part; i++)
		fprintf(f, "%" PRIu64 ",%u\n", i, group[i]);
	if (fclose(f) != 0)
		die(path);
	fprintf(stderr,
		"gen_synthetic: %s: %" PRIu64 " participants, %" PRIu64 " statements, %" PRIu64
		" votes, %" PRIu64 " planted groups\n",
		out, n_part, n_stmt, written, groups);
	free(stance);
	free(mod);
	free(stamp);
	free(agrees);
	free(disagrees);
	free(group);
	free(cum_group);
	free(win);
	free(picked);
	return 0;
}
