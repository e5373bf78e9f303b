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
 */
#include <sqlite3.h>

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
	return api->xCreateTokenizer(api, "cjk", NULL, &tok, NULL);
}
