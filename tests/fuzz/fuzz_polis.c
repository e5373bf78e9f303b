/*
 * fuzz_polis.c - the Pol.is import (cli/polis.c): polis_load reads a conversation
 * directory, so the input is split into its files at form feeds ("\f"): votes.csv (or
 * votes.bin when the first part starts with the SLVOTES1 magic), comments.csv,
 * participants-votes.csv; a part that is absent leaves its file out. The parts are written
 * to a temporary directory and loaded as `shenliao import polis DIR` does; a small
 * conversation that loads is then put through the opinion engine (vote_matrix_build,
 * opinion_compute), and participants-votes.csv through polis_load_groups. Seeds: a slice of
 * each Pol.is conversation in tests/data/polis (with their licences there).
 *
 * Invariants: a loaded conversation's votes point at its participants and statements, ids
 * are found again by polis_statement_index, the vote sign is +1 or -1; an error comes with a
 * reason; the engine's result places every participant in a group that exists (or none).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/polis.h"
#include "fuzz.h"
#include "opinion/opinion.h"

static char dir[64];
static const char *const files[] = {"votes.csv", "comments.csv", "participants-votes.csv",
				    "votes.bin"};

static void remove_dir(void)
{
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/shenliao-fuzz-polis-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	atexit(remove_dir);
	return 0;
}

/* put writes p[0..n) to dir/name, or removes the file when p is NULL. */
static void put(const char *name, const char *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!p) {
		FUZZ_ASSERT(unlink(path) == 0 || errno == ENOENT);
		return;
	}
	f = fopen(path, "wb");
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(fwrite(p, 1, n, f) == n);
	FUZZ_ASSERT(fclose(f) == 0);
}

static void check_opinion(const struct polis_conv *c)
{
	struct opinion_input in;
	struct opinion_params params;
	struct vote_matrix *m = NULL;
	struct opinion_result *r = NULL;
	size_t i;
	int rc;

	polis_input(c, &in);
	rc = vote_matrix_build(&in, 1, &m);
	FUZZ_ASSERT(rc == ERR_OK);
	FUZZ_ASSERT(m->n_rows <= c->n_participants && m->n_cols <= c->n_statements);
	if (c->n_votes <= 2000) {
		opinion_params_default(&params);
		rc = opinion_compute(m, NULL, &params, &r);
		FUZZ_ASSERT(rc == ERR_OK);
		FUZZ_ASSERT(r->n_groups <= OPINION_MAX_GROUPS);
		for (i = 0; i < r->n_participants; i++)
			FUZZ_ASSERT(r->participants[i].group >= -1 &&
				    r->participants[i].group < (int32_t)r->n_groups);
		opinion_result_free(r);
	}
	vote_matrix_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *part[3] = {NULL, NULL, NULL};
	size_t len[3] = {0, 0, 0}, i, k;
	struct polis_conv c;
	char why[256] = "", path[128];
	int rc;

	for (k = 0; k < 3 && p <= end; k++) {
		const char *ff = memchr(p, '\f', (size_t)(end - p));

		part[k] = p;
		len[k] = (size_t)((ff ? ff : end) - p);
		if (!ff)
			break;
		p = ff + 1;
	}
	if (len[0] >= 8 && memcmp(part[0], POLIS_BIN_MAGIC, 8) == 0) {
		put("votes.csv", NULL, 0);
		put("votes.bin", part[0], len[0]);
	} else {
		put("votes.bin", NULL, 0);
		put("votes.csv", part[0], len[0]);
	}
	put("comments.csv", part[1], len[1]);
	put("participants-votes.csv", part[2], len[2]);

	rc = polis_load(dir, &c, why, sizeof(why));
	if (rc == ERR_OK) {
		FUZZ_ASSERT(c.agree_sign == 1 || c.agree_sign == -1);
		for (i = 0; i < c.n_votes; i++) {
			FUZZ_ASSERT(c.votes[i].participant < c.n_participants);
			FUZZ_ASSERT(c.votes[i].statement < c.n_statements);
			FUZZ_ASSERT(c.votes[i].value >= -1 && c.votes[i].value <= 1);
		}
		for (i = 0; i < c.n_statements; i++)
			FUZZ_ASSERT(polis_statement_index(&c, c.statement_ids[i]) == (ptrdiff_t)i);
		check_opinion(&c);
	} else {
		FUZZ_ASSERT(rc == ERR_INVALID || rc == ERR_TOO_BIG || rc == ERR_NOT_FOUND ||
			    rc == ERR_IO);
		FUZZ_ASSERT(why[0] != '\0');
	}
	polis_conv_fini(&c);

	if (part[2]) {
		int64_t *ids;
		int32_t *groups;
		size_t n;

		snprintf(path, sizeof(path), "%s/participants-votes.csv", dir);
		why[0] = '\0';
		rc = polis_load_groups(path, &ids, &groups, &n, why, sizeof(why));
		if (rc == ERR_OK) {
			for (i = 0; i < n; i++)
				FUZZ_ASSERT(groups[i] >= -1);
			free(ids);
			free(groups);
		} else {
			FUZZ_ASSERT(why[0] != '\0' && !ids && !groups && n == 0);
		}
	}
	return 0;
}
