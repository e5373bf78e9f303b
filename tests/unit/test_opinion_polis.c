/*
 * test_opinion_polis.c - the opinion engine on the two real Pol.is conversations in
 * tests/data/polis, through the Pol.is loader: agreement with Pol.is's own groups (adjusted
 * Rand index >= 0.9), the same result for ten shuffled input orders, the vote sign detection,
 * the binary vote file, and the loader's errors. The data directory is $SHENLIAO_TESTDATA,
 * by default tests/data (tests run from the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/polis.h"
#include "opinion/opinion.h"

static const char *const conversations[] = {
    "scoop-hivemind.biodiversity",
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
};

static void conv_dir(const char *name, char *out, size_t cap)
{
	const char *data = getenv("SHENLIAO_TESTDATA");

	snprintf(out, cap, "%s/polis/%s", data && *data ? data : "tests/data", name);
}

static struct opinion_result *compute(const struct opinion_input *in, int threads)
{
	struct vote_matrix *m = NULL;
	struct opinion_result *r = NULL;
	struct opinion_params p;

	opinion_params_default(&p);
	p.threads = threads;
	assert_int_equal(vote_matrix_build(in, threads, &m), ERR_OK);
	assert_int_equal(opinion_compute(m, NULL, &p, &r), ERR_OK);
	vote_matrix_free(m);
	return r;
}

/* ari_vs_polis compares r's groups with participants-votes.csv over those grouped by both */
static double ari_vs_polis(const char *dir, const struct opinion_result *r, size_t *n_common)
{
	char path[4200], why[512];
	int64_t *ids;
	int32_t *groups, *a, *b;
	size_t n, i, k = 0;
	double ari;

	snprintf(path, sizeof(path), "%s/participants-votes.csv", dir);
	assert_int_equal(polis_load_groups(path, &ids, &groups, &n, why, sizeof(why)), ERR_OK);
	a = malloc(n * sizeof(*a));
	b = malloc(n * sizeof(*b));
	for (i = 0; i < n; i++) {
		ptrdiff_t at = opinion_find_participant(r, ids[i]);

		if (groups[i] < 0 || at < 0 || r->participants[at].group < 0)
			continue;
		a[k] = groups[i];
		b[k] = r->participants[at].group;
		k++;
	}
	assert_int_equal(opinion_ari(a, b, k, &ari), ERR_OK);
	*n_common = k;
	free(ids);
	free(groups);
	free(a);
	free(b);
	return ari;
}

static void test_accuracy_vs_polis(void **state)
{
	size_t c;

	(void)state;
	for (c = 0; c < 2; c++) {
		char dir[4096], why[512];
		struct polis_conv pc;
		struct opinion_input in;
		struct opinion_result *r;
		size_t n_common;
		double ari;

		conv_dir(conversations[c], dir, sizeof(dir));
		assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
		assert_int_equal(pc.agree_sign, 1); /* exports use agree = +1 */
		assert_true(pc.sign_same < pc.sign_swapped);
		polis_input(&pc, &in);
		r = compute(&in, 2);
		ari = ari_vs_polis(dir, r, &n_common);
		print_message("%s: ARI vs Pol.is %.4f over %zu participants, k=%zu\n",
			      conversations[c], ari, n_common, r->n_groups);
		assert_true(ari >= 0.9);
		assert_true(n_common > 300);
		assert_false(r->too_few_voters);
		assert_int_equal(r->n_base, 100);
		opinion_result_free(r);
		polis_conv_fini(&pc);
	}
}

static uint64_t rng = 7;

static uint64_t rnd(void)
{
	uint64_t x = (rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void permutation(uint32_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	for (i = n; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		uint32_t t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
}

static void test_shuffled_runs_agree(void **state)
{
	size_t c;

	(void)state;
	for (c = 0; c < 2; c++) {
		char dir[4096], why[512];
		struct polis_conv pc;
		struct opinion_input in;
		struct opinion_result *first = NULL;
		int run;

		conv_dir(conversations[c], dir, sizeof(dir));
		assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
		for (run = 0; run < 10; run++) {
			/* new index numbering for participants and statements, votes shuffled */
			uint32_t *pp = malloc(pc.n_participants * sizeof(*pp));
			uint32_t *sp = malloc(pc.n_statements * sizeof(*sp));
			uint32_t *vp = malloc(pc.n_votes * sizeof(*vp));
			int64_t *pid = malloc(pc.n_participants * sizeof(*pid));
			int64_t *sid = malloc(pc.n_statements * sizeof(*sid));
			uint8_t *mod = malloc(pc.n_statements);
			struct opinion_vote *v = malloc(pc.n_votes * sizeof(*v));
			struct opinion_result *r;
			size_t i;

			permutation(pp, pc.n_participants);
			permutation(sp, pc.n_statements);
			permutation(vp, pc.n_votes);
			for (i = 0; i < pc.n_participants; i++)
				pid[pp[i]] = pc.participant_ids[i];
			for (i = 0; i < pc.n_statements; i++) {
				sid[sp[i]] = pc.statement_ids[i];
				mod[sp[i]] = pc.moderated_out[i];
			}
			for (i = 0; i < pc.n_votes; i++) {
				v[vp[i]] = pc.votes[i];
				v[vp[i]].participant = pp[pc.votes[i].participant];
				v[vp[i]].statement = sp[pc.votes[i].statement];
			}
			in.participant_ids = pid;
			in.n_participants = pc.n_participants;
			in.statement_ids = sid;
			in.n_statements = pc.n_statements;
			in.moderated_out = mod;
			in.votes = v;
			in.n_votes = pc.n_votes;
			r = compute(&in, 1 + run % 3);
			if (!first) {
				first = r;
			} else {
				int32_t *a = malloc(r->n_participants * sizeof(*a));
				int32_t *b = malloc(r->n_participants * sizeof(*b));
				double ari;

				assert_int_equal(r->n_participants, first->n_participants);
				for (i = 0; i < r->n_participants; i++) {
					assert_true(r->participants[i].id ==
						    first->participants[i].id);
					/* bit for bit the same projection */
					assert_true(r->participants[i].x ==
						    first->participants[i].x);
					assert_true(r->participants[i].y ==
						    first->participants[i].y);
					a[i] = first->participants[i].group;
					b[i] = r->participants[i].group;
				}
				assert_int_equal(opinion_ari(a, b, r->n_participants, &ari), 0);
				assert_true(ari >= 0.95);
				assert_true(ari == 1.0);
				free(a);
				free(b);
				opinion_result_free(r);
			}
			free(pp);
			free(sp);
			free(vp);
			free(pid);
			free(sid);
			free(mod);
			free(v);
		}
		opinion_result_free(first);
		polis_conv_fini(&pc);
	}
}

/* ---- the loader on files written here ------------------------------------------------- */

static char tmp_root[256];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", tmp_root, name);
	mkdir(out, 0700);
}

static void test_sign_detection(void **state)
{
	/* raw Pol.is: agree = -1. comments.csv counts agrees 2 and disagrees 1 for comment 5,
	 * which matches the -1 votes as agrees */
	static const char votes[] = "timestamp,datetime,comment-id,voter-id,vote\n"
				    "10,\"Mon, Jan 1\",5,1,-1\n"
				    "11,x,5,2,-1\n"
				    "12,x,5,3,1\n"
				    "13,x,6,1,1\n"
				    "14,x,6,2,0\n";
	static const char comments[] =
	    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
	    "1,x,5,1,2,1,1,\"A body, with a comma\nand a line break, and \"\"quotes\"\"\"\n"
	    "2,x,6,1,0,1,-1,plain\n";
	char dir[512], why[512];
	struct polis_conv pc;
	size_t i;

	(void)state;
	make_dir("raw", dir, sizeof(dir));
	write_file(dir, "votes.csv", votes);
	write_file(dir, "comments.csv", comments);
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	assert_int_equal(pc.agree_sign, -1);
	assert_int_equal(pc.n_votes, 5);
	assert_int_equal(pc.votes[0].value, 1); /* negated: now agree = +1 */
	assert_int_equal(pc.votes[2].value, -1);
	assert_int_equal(pc.votes[4].value, 0);
	for (i = 0; i < pc.n_statements; i++) {
		if (pc.statement_ids[i] == 6)
			assert_int_equal(pc.moderated_out[i], 1);
		if (pc.statement_ids[i] == 5) {
			assert_int_equal(pc.moderated_out[i], 0);
			assert_string_equal(pc.bodies[i], "A body, with a comma\nand a line break, "
							  "and \"quotes\"");
		}
	}
	polis_conv_fini(&pc);

	/* the same file with export counts (agrees 1, disagrees 2) keeps the signs */
	write_file(dir, "comments.csv",
		   "comment-id,agrees,disagrees,moderated\n5,1,2,0\n6,1,0,0\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	assert_int_equal(pc.agree_sign, 1);
	assert_int_equal(pc.votes[0].value, -1);
	polis_conv_fini(&pc);

	/* no comments.csv: assumed export convention */
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/comments.csv", dir);
		unlink(path);
	}
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	assert_int_equal(pc.agree_sign, 1);
	assert_false(pc.have_comments);
	polis_conv_fini(&pc);
}

static void test_loader_errors(void **state)
{
	char dir[512], why[512];
	struct polis_conv pc;

	(void)state;
	assert_int_equal(polis_load("/nonexistent/conversation", &pc, why, sizeof(why)),
			 ERR_NOT_FOUND);
	assert_non_null(strstr(why, "/nonexistent/conversation/votes.csv"));
	polis_conv_fini(&pc);

	make_dir("bad", dir, sizeof(dir));
	write_file(dir, "votes.csv",
		   "timestamp,datetime,comment-id,voter-id,vote\n1,x,1,1,1\n2,x,1,2,maybe\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "votes.csv:3:"));
	assert_non_null(strstr(why, "maybe"));
	polis_conv_fini(&pc);

	write_file(dir, "votes.csv", "timestamp,comment-id,voter-id\n1,1,1\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "votes.csv:1:"));
	polis_conv_fini(&pc);

	write_file(dir, "votes.csv", "timestamp,comment-id,voter-id,vote\n1,1,1,\"1\"x\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "votes.csv:2:"));
	polis_conv_fini(&pc);

	/* ".0" tails are accepted, as the reference's int(float(x)) does */
	write_file(dir, "votes.csv", "timestamp,comment-id,voter-id,vote\n1,1,1,-1.0\n\n");
	write_file(dir, "comments.csv", "comment-id,moderated\n1,-2\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "comments.csv:2:"));
	polis_conv_fini(&pc);
	write_file(dir, "comments.csv", "comment-id,moderated\n1,0\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	assert_int_equal(pc.n_votes, 1);
	assert_int_equal(pc.votes[0].value, -1);
	polis_conv_fini(&pc);
}

static void write_bytes(const char *dir, const char *name, const char *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Files that are not text are refused before anything is read from them: the reason names
 * the file and the physical line (a quoted comment over two lines counts as two), in
 * Chinese and then in English. */
static void test_loader_not_text(void **state)
{
	static const char votes[] = "timestamp,datetime,comment-id,voter-id,vote\n"
				    "1,x,1,1,1\n2,x,2,1,-1\n";
	static const char *const bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
					  "\xf4\x90\x80\x80", "\xff"};
	char dir[512], why[512], text[256];
	struct polis_conv pc;
	size_t i;
	int n;

	(void)state;
	make_dir("nottext", dir, sizeof(dir));
	write_file(dir, "votes.csv", votes);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = snprintf(text, sizeof(text),
			     "comment-id,moderated,comment-body\n1,0,\"two\nlines\"\n2,0,b%sd\n",
			     bad[i]);
		write_bytes(dir, "comments.csv", text, (size_t)n);
		assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
		assert_non_null(strstr(why, "/comments.csv 第4行: 无效的 UTF-8"));
		assert_non_null(strstr(why, "line 4: invalid UTF-8"));
		polis_conv_fini(&pc);
	}
	/* a NUL, in votes.csv */
	write_file(dir, "comments.csv", "comment-id,moderated\n1,0\n");
	write_bytes(dir, "votes.csv", "timestamp,comment-id,voter-id,vote\n1,1,1,1\n2,1\0,2,1\n",
		    sizeof("timestamp,comment-id,voter-id,vote\n1,1,1,1\n2,1\0,2,1\n") - 1);
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "/votes.csv 第3行: 含有 NUL 字节"));
	assert_non_null(strstr(why, "line 3: contains a NUL byte"));
	polis_conv_fini(&pc);
	/* a byte order mark is fine; then the groups file */
	write_file(dir, "votes.csv",
		   "\xef\xbb\xbf"
		   "timestamp,comment-id,voter-id,vote\n1,1,1,1\n");
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	polis_conv_fini(&pc);
	{
		int64_t *ids;
		int32_t *groups;
		size_t count;
		char path[600];

		write_file(dir, "participants-votes.csv",
			   "participant,group-id\n1,0\n2\xc0\xaf,1\n");
		snprintf(path, sizeof(path), "%s/participants-votes.csv", dir);
		assert_int_equal(polis_load_groups(path, &ids, &groups, &count, why, sizeof(why)),
				 ERR_INVALID);
		assert_non_null(strstr(why, "participants-votes.csv 第3行: 无效的 UTF-8"));
	}
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void test_binary_votes(void **state)
{
	static const struct {
		int64_t t;
		uint32_t c, v;
		int8_t vote;
	} rec[] = {{5, 10, 1, 1}, {6, 11, 1, -1}, {7, 10, 2, 0}, {9, 10, 1, -1}};
	unsigned char buf[POLIS_BIN_HEADER + 4 * POLIS_BIN_RECORD];
	char dir[512], path[600], why[512];
	struct polis_conv pc;
	struct opinion_input in;
	struct vote_matrix *m = NULL;
	FILE *f;
	size_t i;

	(void)state;
	memcpy(buf, POLIS_BIN_MAGIC, 8);
	put_le(buf + 8, 4, 8);
	for (i = 0; i < 4; i++) {
		unsigned char *p = buf + POLIS_BIN_HEADER + i * POLIS_BIN_RECORD;

		put_le(p, (uint64_t)rec[i].t, 8);
		put_le(p + 8, rec[i].c, 4);
		put_le(p + 12, rec[i].v, 4);
		p[16] = (unsigned char)rec[i].vote;
	}
	make_dir("bin", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/votes.bin", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_OK);
	assert_true(pc.binary);
	assert_int_equal(pc.n_votes, 4);
	polis_input(&pc, &in);
	assert_int_equal(vote_matrix_build(&in, 1, &m), ERR_OK);
	assert_int_equal(m->nnz, 3); /* voter 1 on comment 10: the latest (-1) */
	assert_int_equal(m->val[0], -1);
	vote_matrix_free(m);
	polis_conv_fini(&pc);
	/* a truncated file */
	f = fopen(path, "wb");
	fwrite(buf, 1, sizeof(buf) - 3, f);
	fclose(f);
	assert_int_equal(polis_load(dir, &pc, why, sizeof(why)), ERR_INVALID);
	assert_non_null(strstr(why, "votes.bin"));
	polis_conv_fini(&pc);
}

/* write_bin writes n pseudo-random records (voter-ids below voters, comment-ids below
 * comments, votes -1/0/+1, some repeated pairs) to dir/votes.bin; record bad_at (if < n) gets
 * the vote bad_vote and record big_at (if < n) a voter-id of 2^30; voter-ids are multiples of
 * vmul. */
static void write_bin(const char *dir, size_t n, uint32_t voters, uint32_t comments, size_t bad_at,
		      int8_t bad_vote, size_t big_at, uint32_t vmul)
{
	char path[600];
	unsigned char head[POLIS_BIN_HEADER], rec[POLIS_BIN_RECORD];
	uint64_t x = 88172645463325252ULL;
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/votes.bin", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	memcpy(head, POLIS_BIN_MAGIC, 8);
	put_le(head + 8, n, 8);
	fwrite(head, 1, sizeof(head), f);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		put_le(rec, 1000 + i / 3, 8);
		put_le(rec + 8, (uint32_t)(x % comments), 4);
		put_le(rec + 12,
		       i == big_at ? (uint32_t)1 << 30 : (uint32_t)((x >> 20) % voters) * vmul, 4);
		rec[16] = (unsigned char)(i == bad_at ? bad_vote : (int8_t)((x >> 40) % 3) - 1);
		fwrite(rec, 1, sizeof(rec), f);
	}
	fclose(f);
}

static void assert_same_conv(const struct polis_conv *a, const struct polis_conv *b)
{
	size_t i;

	assert_int_equal(a->n_participants, b->n_participants);
	assert_int_equal(a->n_statements, b->n_statements);
	assert_int_equal(a->n_votes, b->n_votes);
	assert_memory_equal(a->participant_ids, b->participant_ids,
			    a->n_participants * sizeof(*a->participant_ids));
	assert_memory_equal(a->statement_ids, b->statement_ids,
			    a->n_statements * sizeof(*a->statement_ids));
	assert_memory_equal(a->plus, b->plus, a->n_statements * sizeof(*a->plus));
	assert_memory_equal(a->minus, b->minus, a->n_statements * sizeof(*a->minus));
	for (i = 0; i < a->n_votes; i++) {
		assert_int_equal(a->votes[i].time, b->votes[i].time);
		assert_int_equal(a->votes[i].participant, b->votes[i].participant);
		assert_int_equal(a->votes[i].statement, b->votes[i].statement);
		assert_int_equal(a->votes[i].value, b->votes[i].value);
	}
	assert_int_equal(a->agree_sign, b->agree_sign);
}

/* A votes.bin large enough to be read on several threads gives the same conversation as
 * the one-thread reader: ids in order of first appearance, every vote, the sign evidence;
 * the same error for a bad vote far into the file; and a voter-id too large for the
 * threads' tables still reads. */
static void test_binary_votes_threads(void **state)
{
	const size_t n = 700000;
	char dir[512], why1[512], why2[512];
	struct polis_conv one, two;
	int threads;

	(void)state;
	make_dir("binpar", dir, sizeof(dir));
	/* comment-ids up to 30000: past those whose votes the first pass counts */
	write_bin(dir, n, 60000, 30000, SIZE_MAX, 0, SIZE_MAX, 1);
	assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1), ERR_OK);
	assert_int_equal(polis_load_threads(dir, &two, why2, sizeof(why2), NULL, NULL, 2), ERR_OK);
	assert_same_conv(&one, &two);
	polis_conv_fini(&one);
	polis_conv_fini(&two);

	write_bin(dir, n, 60000, 400, SIZE_MAX, 0, SIZE_MAX, 1);
	assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1), ERR_OK);
	assert_true(one.n_participants > 50000);
	for (threads = 2; threads <= 3; threads++) {
		assert_int_equal(
		    polis_load_threads(dir, &two, why2, sizeof(why2), NULL, NULL, threads), ERR_OK);
		assert_same_conv(&one, &two);
		polis_conv_fini(&two);
	}

	/* deferred: the matrix straight from the mapped file, with the sign the comments tell
	 * (here agree = -1: agrees and disagrees are swapped against the file's counts) */
	{
		char path[600];
		struct vote_matrix *ma = NULL, *mb = NULL;
		FILE *f;
		size_t i;

		snprintf(path, sizeof(path), "%s/comments.csv", dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("comment-id,agrees,disagrees,moderated\n", f);
		for (i = 0; i < one.n_statements; i++)
			fprintf(f, "%lld,%llu,%llu,%d\n", (long long)one.statement_ids[i],
				(unsigned long long)one.minus[i], (unsigned long long)one.plus[i],
				i == 3 ? -1 : 0);
		fclose(f);
		polis_conv_fini(&one);
		assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1),
				 ERR_OK);
		assert_int_equal(one.agree_sign, -1);
		for (threads = 1; threads <= 2; threads++) {
			assert_int_equal(
			    polis_load_deferred(dir, &two, why2, sizeof(why2), NULL, NULL, threads),
			    ERR_OK);
			assert_null(two.votes);
			assert_non_null(two.records);
			assert_true(two.participants_dense);
			assert_int_equal(two.n_votes, n);
			assert_int_equal(two.agree_sign, -1);
			assert_int_equal(polis_build_matrix(&one, 1, &ma), ERR_OK);
			assert_int_equal(polis_build_matrix(&two, threads, &mb), ERR_OK);
			assert_int_equal(ma->n_rows, mb->n_rows);
			assert_int_equal(ma->n_cols, mb->n_cols);
			assert_int_equal(ma->nnz, mb->nnz);
			assert_int_equal(mb->n_moderated, 1);
			assert_memory_equal(ma->row_ids, mb->row_ids,
					    ma->n_rows * sizeof(*ma->row_ids));
			assert_memory_equal(ma->col_ids, mb->col_ids,
					    ma->n_cols * sizeof(*ma->col_ids));
			assert_memory_equal(ma->row_ptr, mb->row_ptr,
					    (ma->n_rows + 1) * sizeof(*ma->row_ptr));
			assert_memory_equal(ma->col, mb->col, ma->nnz * sizeof(*ma->col));
			assert_memory_equal(ma->val, mb->val, ma->nnz);
			assert_true(ma->nnz < n); /* repeated pairs were resolved */
			vote_matrix_free(ma);
			vote_matrix_free(mb);
			polis_release_votes(&two);
			assert_null(two.records);
			assert_int_equal(two.n_votes, 0);
			polis_conv_fini(&two);
		}
		unlink(path);
	}
	polis_conv_fini(&one);

	/* deferred with voter-ids that are not 0 .. n-1: the index table again */
	{
		struct vote_matrix *ma = NULL, *mb = NULL;

		write_bin(dir, n, 60000, 400, SIZE_MAX, 0, SIZE_MAX, 3);
		assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1),
				 ERR_OK);
		assert_int_equal(polis_load_deferred(dir, &two, why2, sizeof(why2), NULL, NULL, 2),
				 ERR_OK);
		assert_false(two.participants_dense);
		assert_int_equal(polis_build_matrix(&one, 1, &ma), ERR_OK);
		assert_int_equal(polis_build_matrix(&two, 2, &mb), ERR_OK);
		assert_int_equal(ma->nnz, mb->nnz);
		assert_memory_equal(ma->row_ids, mb->row_ids, ma->n_rows * sizeof(*ma->row_ids));
		assert_memory_equal(ma->row_ptr, mb->row_ptr,
				    (ma->n_rows + 1) * sizeof(*ma->row_ptr));
		assert_memory_equal(ma->col, mb->col, ma->nnz * sizeof(*ma->col));
		assert_memory_equal(ma->val, mb->val, ma->nnz);
		vote_matrix_free(ma);
		vote_matrix_free(mb);
		polis_conv_fini(&one);
		polis_conv_fini(&two);
	}

	write_bin(dir, n, 60000, 400, 612345, 7, SIZE_MAX, 1);
	assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1),
			 ERR_INVALID);
	assert_int_equal(polis_load_threads(dir, &two, why2, sizeof(why2), NULL, NULL, 2),
			 ERR_INVALID);
	assert_string_equal(why1, why2);
	assert_non_null(strstr(why2, "record 612346: bad vote 7"));
	polis_conv_fini(&one);
	polis_conv_fini(&two);

	write_bin(dir, n, 60000, 400, SIZE_MAX, 0, 400000, 1);
	assert_int_equal(polis_load_threads(dir, &one, why1, sizeof(why1), NULL, NULL, 1), ERR_OK);
	assert_int_equal(polis_load_threads(dir, &two, why2, sizeof(why2), NULL, NULL, 2), ERR_OK);
	assert_same_conv(&one, &two);
	polis_conv_fini(&one);
	polis_conv_fini(&two);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/shenliao-opinion-XXXXXX");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accuracy_vs_polis),	 cmocka_unit_test(test_shuffled_runs_agree),
	    cmocka_unit_test(test_sign_detection),	 cmocka_unit_test(test_loader_errors),
	    cmocka_unit_test(test_loader_not_text),	 cmocka_unit_test(test_binary_votes),
	    cmocka_unit_test(test_binary_votes_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
