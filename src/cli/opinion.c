/*
 * opinion.c - `shenliao opinion --polis DIR`: the opinion engine on a Pol.is export.
 *
 * Reads the conversation (polis.h), builds the vote matrix, runs the engine and prints either
 * a summary for people or one JSON object for programs. When DIR has Pol.is's own
 * participants-votes.csv the summary also gives the agreement (adjusted Rand index) between
 * our groups and Pol.is's.
 *
 * Hidden options for the benchmarks: --recompute-after PERCENT holds back the latest PERCENT
 * of the votes, computes without them, then adds them and recomputes warm-started from the
 * first result (the live path), reporting both times and printing the second result;
 * --timings prints phase times on stderr.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/polis.h"
#include "cli/progress.h"
#include "opinion/opinion.h"

static const struct cli_opt opinion_opts[] = {
    {"polis", "DIR", NULL, "the Pol.is export folder (votes.csv or votes.bin, comments.csv)", true},
    {"json", NULL, NULL, "print one JSON object instead of the summary", false},
    {"threads", "N", "the CPUs, at most 8",
     "worker threads (1 to 64); the result does not depend on it", false},
    {"recompute-after", "PERCENT", NULL,
     "(benchmarks) hold back the latest PERCENT of the votes, then recompute warm", false},
    {"timings", NULL, NULL, "(benchmarks) print phase times on stderr", false},
};

static int cmd_opinion(int argc, char **argv);

const struct cli_cmd cli_cmd_opinion = {
    "opinion",
    "",
    0,
    0,
    "opinion groups and consensus of a Pol.is conversation export",
    "Finds the opinion groups of a Pol.is conversation export the way Pol.is does: groups,\n"
    "their representative statements, consensus and group-informed consensus.\n"
    "DIR holds votes.csv (timestamp,datetime,comment-id,voter-id,vote) and comments.csv\n"
    "(comment-id, agrees, disagrees, moderated, comment-body); moderated -1 is moderated out.\n"
    "The vote sign (agree +1 as exported, or -1 as Pol.is stores it) is detected from the\n"
    "agrees/disagrees counts of comments.csv.\n",
    opinion_opts,
    ARRAY_LEN(opinion_opts),
    cmd_opinion,
};

static double now_s(void)
{
	return (double)time_now_us() / 1e6;
}

/* cpu_now_s is the process's CPU time, all threads (for --timings) */
static double cpu_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- holding back the latest votes (for --recompute-after) ------------------------------ */

static void vote_swap(struct opinion_vote *a, struct opinion_vote *b)
{
	struct opinion_vote t = *a;

	*a = *b;
	*b = t;
}

/* select_latest reorders v so that v[k..n) are the n-k votes with the latest times
 * (quickselect, median of three). */
static void select_latest(struct opinion_vote *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, i, store;
		int64_t pivot;

		if (v[mid].time < v[lo].time)
			vote_swap(&v[mid], &v[lo]);
		if (v[hi - 1].time < v[lo].time)
			vote_swap(&v[hi - 1], &v[lo]);
		if (v[hi - 1].time < v[mid].time)
			vote_swap(&v[hi - 1], &v[mid]);
		pivot = v[mid].time;
		vote_swap(&v[mid], &v[hi - 1]);
		store = lo;
		for (i = lo; i < hi - 1; i++)
			if (v[i].time < pivot)
				vote_swap(&v[i], &v[store++]);
		vote_swap(&v[store], &v[hi - 1]);
		if (store == k)
			return;
		if (k < store)
			hi = store;
		else
			lo = store + 1;
	}
}

/* ---- output -------------------------------------------------------------------------------- */

static void json_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.10g", x);
	else
		fputs("null", f);
}

static void print_json(FILE *f, const struct opinion_result *r, const struct polis_conv *c)
{
	size_t i, g, k;

	fputs("{\"participants\":[", f);
	for (i = 0; i < r->n_participants; i++) {
		const struct opinion_participant *p = &r->participants[i];

		fprintf(f, "%s{\"id\":\"%lld\",\"group\":", i ? "," : "", (long long)p->id);
		if (p->group >= 0)
			fprintf(f, "%d", p->group);
		else
			fputs("null", f);
		fputs(",\"x\":", f);
		json_num(f, p->x);
		fputs(",\"y\":", f);
		json_num(f, p->y);
		fputc('}', f);
	}
	fputs("],\"groups\":[", f);
	for (g = 0; g < r->n_groups; g++) {
		const struct opinion_group *gr = &r->groups[g];

		fprintf(f, "%s{\"id\":%zu,\"size\":%u,\"repness\":[", g ? "," : "", g, gr->size);
		for (k = 0; k < gr->n_repness; k++) {
			const struct opinion_repness *e = &gr->repness[k];

			fprintf(f, "%s{\"statement\":\"%lld\",\"direction\":\"%s\",\"p\":",
				k ? "," : "", (long long)e->statement,
				e->agree ? "agree" : "disagree");
			json_num(f, e->p);
			fputs(",\"z\":", f);
			json_num(f, e->rz);
			fputs(",\"pz\":", f);
			json_num(f, e->pz);
			fputs(",\"r\":", f);
			json_num(f, e->r);
			fprintf(f, ",\"n\":%u,\"ns\":%u}", e->n, e->ns);
		}
		fputs("]}", f);
	}
	fputs("],\"consensus\":{", f);
	for (k = 0; k < 2; k++) {
		const struct opinion_consensus *list = k == 0 ? r->agree : r->disagree;
		size_t n = k == 0 ? r->n_agree : r->n_disagree;

		fprintf(f, "%s\"%s\":[", k ? "," : "", k == 0 ? "agree" : "disagree");
		for (i = 0; i < n; i++) {
			fprintf(f, "%s{\"statement\":\"%lld\",\"p\":", i ? "," : "",
				(long long)list[i].statement);
			json_num(f, list[i].p);
			fputs(",\"z\":", f);
			json_num(f, list[i].pz);
			fprintf(f, ",\"n\":%u,\"ns\":%u}", list[i].n, list[i].ns);
		}
		fputc(']', f);
	}
	fputs("},\"gic\":{", f);
	for (i = 0; i < r->n_statements; i++) {
		fprintf(f, "%s\"%lld\":", i ? "," : "", (long long)r->statement_ids[i]);
		json_num(f, r->gic[i]);
	}
	fputs("},\"meta\":{", f);
	fprintf(f, "\"participants\":%zu,\"statements\":%zu,\"in_conversation\":%zu,",
		r->n_participants, r->n_statements, r->n_in_conv);
	fprintf(f, "\"base_clusters\":%zu,\"agree_sign\":%d,\"too_few_voters\":%s,", r->n_base,
		c->agree_sign, r->too_few_voters ? "true" : "false");
	fputs("\"moderated_out\":[", f);
	for (i = 0, k = 0; i < r->n_statements; i++)
		if (r->moderated[i])
			fprintf(f, "%s\"%lld\"", k++ ? "," : "", (long long)r->statement_ids[i]);
	fputs("],\"silhouette\":{", f);
	for (k = 2; k <= r->k_tried; k++) {
		fprintf(f, "%s\"%zu\":", k > 2 ? "," : "", k);
		json_num(f, r->silhouette[k]);
	}
	fprintf(f, "},\"pca_passes\":%u}}\n", r->pca_passes);
}

/* body_excerpt writes up to max bytes of the comment text to out, on one line, never
 * cutting a UTF-8 character. */
static void body_excerpt(const char *body, char *out, size_t max)
{
	size_t i = 0, o = 0;

	if (!body) {
		out[0] = '\0';
		return;
	}
	while (body[i] && o < max) {
		unsigned char ch = (unsigned char)body[i];
		size_t len = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;

		if (o + len > max) {
			break;
		}
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			out[o++] = ' ';
			i++;
			continue;
		}
		memcpy(out + o, body + i, len);
		o += len;
		i += len;
	}
	if (body[i] && o + 3 <= max + 3) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static const char *body_of(const struct polis_conv *c, int64_t id)
{
	ptrdiff_t i = polis_statement_index(c, id);

	return i < 0 || !c->bodies ? NULL : c->bodies[i];
}

static void print_summary(FILE *f, const char *dir, const struct opinion_result *r,
			  const struct polis_conv *c, size_t n_votes, double ari, size_t ari_n)
{
	char ex[256];
	size_t g, i, n_mod = 0;
	unsigned k;

	for (i = 0; i < r->n_statements; i++)
		n_mod += r->moderated[i];
	fprintf(f, "conversation %s\n", dir);
	fprintf(f, "  %zu participants, %zu statements with votes (%zu moderated out), %zu votes\n",
		r->n_participants, r->n_statements, n_mod, n_votes);
	fprintf(f, "  vote sign: agree = %+d (%s)\n", c->agree_sign,
		!c->have_comments   ? "assumed: no comments.csv"
		: c->agree_sign > 0 ? "export convention, checked against comments.csv"
				    : "raw Pol.is convention, detected from comments.csv; negated");
	fprintf(f, "  in the conversation: %zu (%zu with enough votes of their own)%s\n",
		r->n_in_conv, r->n_qualified,
		r->too_few_voters ? "; too few voters: the groups are not stable" : "");
	fprintf(f, "  %zu base clusters; %zu groups; silhouette", r->n_base, r->n_groups);
	for (k = 2; k <= r->k_tried; k++)
		fprintf(f, " k=%u %.3f", k, r->silhouette[k]);
	fputc('\n', f);
	for (g = 0; g < r->n_groups; g++) {
		fprintf(f, "\ngroup %zu: %u participants\n", g, r->groups[g].size);
		for (i = 0; i < r->groups[g].n_repness; i++) {
			const struct opinion_repness *e = &r->groups[g].repness[i];

			body_excerpt(body_of(c, e->statement), ex, 70);
			fprintf(f, "  %-8s %6lld  %3.0f%% of %-4u z=%5.2f  %s\n",
				e->agree ? "agree" : "disagree", (long long)e->statement,
				100 * e->p, e->ns, e->rz, ex);
		}
	}
	for (k = 0; k < 2; k++) {
		const struct opinion_consensus *list = k == 0 ? r->agree : r->disagree;
		size_t n = k == 0 ? r->n_agree : r->n_disagree;

		fprintf(f, "\nconsensus, %s:\n", k == 0 ? "agree" : "disagree");
		if (n == 0)
			fputs("  (none)\n", f);
		for (i = 0; i < n; i++) {
			body_excerpt(body_of(c, list[i].statement), ex, 70);
			fprintf(f, "  %6lld  %3.0f%% of %-4u  %s\n", (long long)list[i].statement,
				100 * list[i].p, list[i].ns, ex);
		}
	}
	{
		/* top five group-informed consensus among statements not moderated out */
		size_t top[5], nt = 0, j;

		for (i = 0; i < r->n_statements; i++) {
			if (r->moderated[i])
				continue;
			for (j = nt; j > 0 && r->gic[top[j - 1]] < r->gic[i]; j--)
				if (j < 5)
					top[j] = top[j - 1];
			if (j < 5) {
				top[j] = i;
				if (nt < 5)
					nt++;
			}
		}
		fputs("\ngroup-informed consensus, top:\n", f);
		for (i = 0; i < nt; i++) {
			body_excerpt(body_of(c, r->statement_ids[top[i]]), ex, 70);
			fprintf(f, "  %6lld  %.3f  %s\n", (long long)r->statement_ids[top[i]],
				r->gic[top[i]], ex);
		}
	}
	if (ari_n > 0)
		fprintf(f,
			"\nPol.is's own groups (participants-votes.csv): ARI %.4f over %zu "
			"participants\n",
			ari, ari_n);
}

/* compare_polis computes the ARI between r's groups and DIR/participants-votes.csv's
 * group-id over participants grouped by both. *n = 0 when there is nothing to compare. */
static int compare_polis(const char *dir, const struct opinion_result *r, double *ari, size_t *n)
{
	char path[4096], why[512];
	int64_t *ids = NULL;
	int32_t *groups = NULL, *a = NULL, *b = NULL;
	size_t count = 0, i;
	struct stat sb;
	int rc;

	*n = 0;
	*ari = 0;
	if (cli_fmt(path, sizeof(path), "%s/participants-votes.csv", dir)) {
		fprintf(stderr, "shenliao: (comparison skipped) %s: path too long\n", dir);
		return ERR_OK;
	}
	if (stat(path, &sb) != 0)
		return ERR_OK;
	rc = polis_load_groups(path, &ids, &groups, &count, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "shenliao: (comparison skipped) %s\n", why);
		return ERR_OK;
	}
	a = malloc((count + 1) * sizeof(*a));
	b = malloc((count + 1) * sizeof(*b));
	if (!a || !b) {
		rc = ERR_NOMEM;
		goto done;
	}
	for (i = 0; i < count; i++) {
		ptrdiff_t at = opinion_find_participant(r, ids[i]);

		if (groups[i] < 0 || at < 0 || r->participants[at].group < 0)
			continue;
		a[*n] = groups[i];
		b[*n] = r->participants[at].group;
		(*n)++;
	}
	if (*n > 0)
		rc = opinion_ari(a, b, *n, ari);
done:
	free(ids);
	free(groups);
	free(a);
	free(b);
	return rc;
}

static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

static int cmd_opinion(int argc, char **argv)
{
	struct progress bar;
	struct cli_args args;
	const char *dir, *v;
	struct polis_conv c;
	struct opinion_input in, more;
	struct opinion_params params;
	struct vote_matrix *m = NULL, *m2 = NULL;
	struct opinion_result *r = NULL, *r2 = NULL, *cold = NULL;
	char why[600];
	double t0, t1, t2, t3, t4 = 0, t5 = 0, t6 = 0, hold_pct = 0, ari = 0;
	double c0, c1, c2;
	size_t ari_n = 0, total_votes;
	int64_t threads;
	bool json, timings;
	int rc, exit_code = EXIT_FAIL;

	rc = cli_parse(argc, argv, 1, &cli_cmd_opinion, &args);
	if (rc >= 0)
		return rc;
	dir = cli_arg(&args, "polis");
	json = args.json;
	timings = cli_arg(&args, "timings") != NULL;
	threads = default_threads();
	v = cli_arg(&args, "threads");
	if (v && num_parse(v, strlen(v), 1, 64, &threads))
		return cli_usage(&cli_cmd_opinion, "--threads takes a number from 1 to 64");
	v = cli_arg(&args, "recompute-after");
	if (v) {
		char *end;

		hold_pct = strtod(v, &end);
		if (end == v || *end || !(hold_pct > 0 && hold_pct < 100))
			return cli_usage(&cli_cmd_opinion,
					 "--recompute-after takes a percentage in (0, 100)");
	}
	opinion_params_default(&params);
	params.threads = (int)threads;

	t0 = now_s();
	c0 = cpu_now_s();
	progress_begin(&bar, "read polis", "B", 0);
	rc = hold_pct > 0
		 ? polis_load_threads(dir, &c, why, sizeof(why), progress_cb, &bar, (int)threads)
		 : polis_load_deferred(dir, &c, why, sizeof(why), progress_cb, &bar, (int)threads);
	progress_end(&bar);
	if (rc) {
		polis_conv_fini(&c);
		return cli_fail("%s", why);
	}
	if (c.n_votes == 0) {
		polis_conv_fini(&c);
		return cli_fail("%s: no votes (is it the export folder of a conversation?)", dir);
	}
	total_votes = c.n_votes;
	t1 = now_s();
	c1 = cpu_now_s();
	polis_input(&c, &in);
	more = in;
	if (hold_pct > 0) {
		size_t hold = (size_t)((double)c.n_votes * hold_pct / 100.0);

		if (hold < 1)
			hold = 1;
		select_latest(c.votes, c.n_votes, c.n_votes - hold);
		in.n_votes = c.n_votes - hold;
		more.votes = c.votes + in.n_votes;
		more.n_votes = hold;
	}
	rc = hold_pct > 0 ? vote_matrix_build(&in, params.threads, &m)
			  : polis_build_matrix(&c, params.threads, &m);
	if (rc) {
		cli_fail("%s: cannot build the vote matrix: %s", dir, err_name(rc));
		goto done;
	}
	if (hold_pct == 0) /* the votes are in the matrix now; give their memory back */
		polis_release_votes(&c);
	t2 = now_s();
	c2 = cpu_now_s();
	rc = opinion_compute(m, NULL, &params, &r);
	if (rc) {
		cli_fail("%s: the computation failed: %s", dir, err_name(rc));
		goto done;
	}
	t3 = now_s();
	if (hold_pct > 0) {
		t4 = now_s();
		rc = vote_matrix_merge(m, &more, params.threads, &m2);
		if (!rc) {
			t5 = now_s();
			rc = opinion_compute(m2, r, &params, &r2);
		}
		if (rc) {
			cli_fail("%s: the recomputation failed: %s", dir, err_name(rc));
			goto done;
		}
		t6 = now_s();
		{
			double ari_wc = 0;
			size_t i;
			int32_t *a = malloc((r2->n_participants + 1) * sizeof(*a));
			int32_t *b = malloc((r2->n_participants + 1) * sizeof(*b));

			rc = a && b ? opinion_compute(m2, NULL, &params, &cold) : ERR_NOMEM;
			if (!rc) {
				for (i = 0; i < r2->n_participants; i++) {
					a[i] = r2->participants[i].group;
					b[i] = cold->participants[i].group;
				}
				rc = opinion_ari(a, b, r2->n_participants, &ari_wc);
			}
			free(a);
			free(b);
			if (rc) {
				cli_fail("%s: the cold recomputation failed: %s", dir,
					 err_name(rc));
				goto done;
			}
			fprintf(stderr,
				"opinion: recompute after %zu new votes (%.3g%%): merge %.3f s, "
				"compute %.3f s (pca %.3f s, projection %.3f s, base k-means %.3f "
				"s, groups %.3f s, statements %.3f s), total %.3f s; pca passes %u "
				"(cold %u), base k-means assignments %u (cold %u); ARI warm vs "
				"cold %.4f; groups %zu (cold %zu)\n",
				more.n_votes, hold_pct, t5 - t4, t6 - t5, r2->seconds[0],
				r2->seconds[1], r2->seconds[2], r2->seconds[3], r2->seconds[4],
				t6 - t4, r2->pca_passes, cold->pca_passes, r2->base_iters,
				cold->base_iters, ari_wc, r2->n_groups, cold->n_groups);
		}
		opinion_result_free(r);
		r = r2;
		r2 = NULL;
	}
	if (timings)
		fprintf(
		    stderr,
		    "opinion: load %.3f s, matrix %.3f s, compute %.3f s (pca %.3f s in %u passes, "
		    "residual %.2g; projection %.3f s; base k-means %.3f s in %u assignments; "
		    "groups %.3f s; statements %.3f s); %zu participants, %zu statements, %zu "
		    "votes, %d threads\n",
		    t1 - t0, t2 - t1, t3 - t2, r->seconds[0], r->pca_passes, r->pca_residual,
		    r->seconds[1], r->seconds[2], r->base_iters, r->seconds[3], r->seconds[4],
		    r->n_participants, r->n_statements, total_votes, params.threads);
	if (timings) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr,
			"opinion: cpu: load %.3f s, matrix %.3f s, pca %.3f s, projection %.3f "
			"s, base k-means %.3f s, groups %.3f s, statements %.3f s; the whole "
			"process user %.3f s, sys %.3f s\n",
			c1 - c0, c2 - c1, r->cpu_seconds[0], r->cpu_seconds[1], r->cpu_seconds[2],
			r->cpu_seconds[3], r->cpu_seconds[4],
			(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
			(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	}
	if (!json) {
		rc = compare_polis(dir, r, &ari, &ari_n);
		if (rc) {
			cli_fail("%s: out of memory comparing groups", dir);
			goto done;
		}
		print_summary(stdout, dir, r, &c, total_votes, ari, ari_n);
	} else {
		print_json(stdout, r, &c);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_fail("cannot write the output");
		goto done;
	}
	exit_code = EXIT_OK;
done:
	opinion_result_free(r);
	opinion_result_free(r2);
	opinion_result_free(cold);
	vote_matrix_free(m);
	vote_matrix_free(m2);
	polis_conv_fini(&c);
	return exit_code;
}
