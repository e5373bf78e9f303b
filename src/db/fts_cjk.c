/*
 * fts_cjk.c - an FTS5 tokenizer for Chinese text: "cjk".
 *
 * SQLite's own tokenizers cannot find two-character Chinese words (trigram needs three;
 * unicode61 treats a whole run of Han characters as one token) and Debian's SQLite has no
 * ICU. We index every run of CJK characters as its overlapping bigrams (深聊会 -> 深聊, 聊会),
 * a lone CJK character as itself, and every run of other letters and digits as one lower-cased
 * word. A query is tokenized the same way, and FTS5 matches a phrase only at consecutive
 * positions, so any CJK string of two or more characters is found exactly where it occurs:
 * bigrams give exact recall for every >= 2-character substring (DESIGN.md).
 *
 * cjk_bm25(search_index, dfs) is the rank of a row: FTS5's bm25 computed by cjk_bm25 (cjk.c),
 * the function PostgreSQL's ranking calls too, so both backends give the same number. dfs is
 * NULL for a query of one phrase (its idf is a common factor: every idf 1, the same order),
 * or the rows each phrase is found in, separated by spaces (search.c counts them), from which
 * the idf are FTS5's. The row count and mean length are FTS5's own totals.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cjk.h"
#include "db_internal.h"

struct cjk_tok {
	int unused;
};

static int cjk_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	static struct cjk_tok tok;
	(void)ctx;
	(void)argv;
	(void)argc;
	*out = (Fts5Tokenizer *)&tok;
	return SQLITE_OK;
}

static void cjk_delete(Fts5Tokenizer *t)
{
	(void)t;
}

/* FTS5's emit takes flags first; cjk_tokens' does not. */
struct fts_emit {
	void *ctx;
	int (*emit)(void *, int, const char *, int, int, int);
};

static int fts_emit_tok(void *ud, const char *tok, int len, int start, int end)
{
	struct fts_emit *e = ud;

	return e->emit(e->ctx, 0, tok, len, start, end);
}

static int cjk_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			int (*emit)(void *, int, const char *, int, int, int))
{
	struct fts_emit e = {ctx, emit};
	(void)t;
	(void)flags;

	return cjk_tokens(text, n, fts_emit_tok, &e);
}

/* What stays the same for every row of one query (kept as FTS5 auxiliary data). */
struct rank_data {
	size_t n;
	bool with_idf;
	double avgdl, idf[CJK_MAX_PHRASES];
};

static struct rank_data *rank_data(const Fts5ExtensionApi *api, Fts5Context *fts,
				   sqlite3_value *dfs, int *rc)
{
	struct rank_data *d = api->xGetAuxdata(fts, 0);
	sqlite3_int64 nrow = 0, ntok = 0;
	const char *p;
	size_t i;

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d) {
		*rc = SQLITE_NOMEM;
		return NULL;
	}
	d->n = (size_t)api->xPhraseCount(fts);
	if (d->n > CJK_MAX_PHRASES)
		d->n = CJK_MAX_PHRASES;
	*rc = api->xRowCount(fts, &nrow);
	if (*rc == SQLITE_OK)
		*rc = api->xColumnTotalSize(fts, -1, &ntok);
	d->avgdl = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	p = dfs && sqlite3_value_type(dfs) == SQLITE_TEXT ? (const char *)sqlite3_value_text(dfs)
							  : NULL;
	for (i = 0; p && *p && i < d->n; i++) {
		char *end;
		long long nhit = strtoll(p, &end, 10);

		d->idf[i] = cjk_idf(nrow, nhit);
		p = end;
	}
	d->with_idf = p != NULL;
	if (*rc == SQLITE_OK)
		*rc = api->xSetAuxdata(fts, d, free);
	else
		free(d);
	return *rc == SQLITE_OK ? d : NULL;
}

static void cjk_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
		     sqlite3_value **val)
{
	double freq[CJK_MAX_PHRASES] = {0};
	struct rank_data *d;
	int rc = SQLITE_OK, ninst = 0, i, ntok = 0;

	d = rank_data(api, fts, nval > 0 ? val[0] : NULL, &rc);
	if (d)
		rc = api->xInstCount(fts, &ninst);
	if (rc == SQLITE_OK && d->n == 1) /* one phrase: every instance is its */
		freq[0] = (double)ninst;
	for (i = 0; rc == SQLITE_OK && d->n > 1 && i < ninst; i++) {
		int ip, ic, io;

		rc = api->xInst(fts, i, &ip, &ic, &io);
		if (rc == SQLITE_OK && ip >= 0 && (size_t)ip < d->n)
			freq[ip] += 1.0;
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &ntok);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	sqlite3_result_double(
	    ctx, cjk_bm25(freq, d->with_idf ? d->idf : NULL, d->n, (double)ntok, d->avgdl));
}

int fts_cjk_register(sqlite3 *h)
{
	static fts5_tokenizer tok = {cjk_create, cjk_delete, cjk_tokenize};
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api)
		return SQLITE_ERROR;
	rc = api->xCreateTokenizer(api, "cjk", NULL, &tok, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, "cjk_bm25", NULL, cjk_rank, NULL);
	return rc;
}
