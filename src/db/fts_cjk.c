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
#include <string.h>

#include "db_internal.h"

/* utf8_next decodes the code point at p[i] (well-formed UTF-8 assumed; SQLite gives us
 * what was stored, which we validate on the way in) and returns its length, at least 1. */
static int utf8_next(const unsigned char *p, int n, int i, unsigned *cp)
{
	unsigned c = p[i];

	if (c < 0x80 || i + 1 >= n) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		*cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
		return 2;
	}
	if ((c & 0xF0) == 0xE0 && i + 2 < n) {
		*cp = ((c & 0x0F) << 12) | ((unsigned)(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
		return 3;
	}
	if ((c & 0xF8) == 0xF0 && i + 3 < n) {
		*cp = ((c & 0x07) << 18) | ((unsigned)(p[i + 1] & 0x3F) << 12) |
		      ((unsigned)(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
		return 4;
	}
	*cp = c;
	return 1;
}

static int is_cjk(unsigned cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||   /* extension A */
	       (cp >= 0x20000 && cp <= 0x2FA1F) || /* extensions B.., compatibility supplement */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
	       (cp >= 0x3040 && cp <= 0x30FF) ||   /* kana */
	       (cp >= 0xAC00 && cp <= 0xD7AF);	   /* hangul */
}

/* is_word: letters and digits outside CJK that make up words (ASCII alphanumerics, and
 * anything non-ASCII that is not punctuation or space in the ranges we know). */
static int is_word(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp >= 0x2000 && cp <= 0x2BFF) /* punctuation, symbols, arrows, math */
		return 0;
	if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
		return 0;
	if (cp >= 0xFF00 && cp <= 0xFFEF) /* full-width forms: letters and digits only */
		return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		       (cp >= 0xFF41 && cp <= 0xFF5A);
	return cp >= 0xC0;
}

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

#define WORD_MAX 64

static int cjk_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			int (*emit)(void *, int, const char *, int, int, int))
{
	const unsigned char *p = (const unsigned char *)text;
	int i = 0, rc = SQLITE_OK;
	(void)t;
	(void)flags;

	while (i < n && rc == SQLITE_OK) {
		unsigned cp;
		int len = utf8_next(p, n, i, &cp);

		if (is_cjk(cp)) {
			/* a run of CJK characters: bigrams, or the character alone */
			int start = i, next = i + len, count = 0;

			while (next <= n) {
				unsigned cp2;
				int len2;

				if (next == n)
					break;
				len2 = utf8_next(p, n, next, &cp2);
				if (!is_cjk(cp2))
					break;
				rc = emit(ctx, 0, text + start, next + len2 - start, start,
					  next + len2);
				if (rc != SQLITE_OK)
					return rc;
				count++;
				start = next;
				next += len2;
			}
			if (count == 0)
				rc = emit(ctx, 0, text + i, len, i, i + len);
			i = next;
		} else if (is_word(cp)) {
			char word[WORD_MAX * 4];
			int start = i, w = 0;

			while (i < n) {
				int l = utf8_next(p, n, i, &cp);

				if (!is_word(cp) || is_cjk(cp))
					break;
				if (w + l <= (int)sizeof(word)) {
					int k;

					for (k = 0; k < l; k++) {
						char ch = text[i + k];

						word[w++] =
						    (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
					}
				}
				i += l;
			}
			rc = emit(ctx, 0, word, w, start, i);
		} else {
			i += len;
		}
	}
	return rc;
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
