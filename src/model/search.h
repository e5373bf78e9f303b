/*
 * search.h - one search over topics, sessions, remarks, suggestions, outputs, statements
 * and people (search.c), with
 * typed results. The model finds what the searcher may see and cuts an excerpt of plain
 * text around the first match, with the offsets of every match in it; making HTML of it
 * (escaping, <mark>) is the view's job (view/snippet.h).
 *
 * Indexing (search_put, search_drop) is declared in model/session.h beside the modules that
 * feed the index.
 */
#ifndef SHENLIAO_MODEL_SEARCH_H
#define SHENLIAO_MODEL_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
struct db; /* the connection (db/db.h): only the model opens it up */
#include "model/model.h"

/* The excerpt holds at most 100 characters, each match at least one: at most 100 marks. */
#define SEARCH_MAX_MARKS 100

struct search_hit {
	char kind[16];	    /* "topic", "session", "remark", "suggestion", "output",
			     * "statement", "person" */
	int64_t id;	    /* of the object of that kind */
	int64_t session_id; /* the session a remark, suggestion or statement belongs to; 0
			     * otherwise */
	char *title;	    /* the title shown (a remark's, a statement's: its session's);
			     * owned */
	char *text;	    /* the excerpt, plain UTF-8 text; owned */
	size_t text_len;
	bool cut_before, cut_after; /* the excerpt starts or ends inside the text */
	size_t nmarks;		    /* matches in the excerpt, in order, not overlapping: */
	size_t mark_off[SEARCH_MAX_MARKS], mark_len[SEARCH_MAX_MARKS]; /* bytes into text */
};

/* The hits of one query, best first; owned by the caller, freed with search_hits_release. */
struct search_hits {
	struct search_hit *v;
	size_t n, cap;
};

void search_hits_init(struct search_hits *h);
void search_hits_release(struct search_hits *h);

/* search_kind_valid: kind is one of the kinds indexed. */
bool search_kind_valid(const char *kind);

/* search_query appends to out the hits for q that a may see, best matches first, at most
 * limit: topics of the actor's branch; the records, suggestions and accepted statements of
 * public sessions, of the branch's sessions and of sessions linked to it (anonymous
 * callers: public sessions only); outputs and people only to signed-in callers who may read
 * them (output_authorize, person_authorize). kind (NULL or "": every kind) keeps the hits of
 * one kind. q is split at spaces; all terms must match. ERR_INVALID when q has nothing to
 * search for or kind is unknown. */
int search_query(struct db *db, const struct actor *a, const char *q, const char *kind, int limit,
		 struct search_hits *out) WARN_UNUSED;

/* search_cache_clear forgets every kept answer (search_query keeps answers while nothing
 * they depend on has changed: search.c). For tests and benchmarks of the uncached path. */
void search_cache_clear(void);

/* search_cache_enable turns the cache on (the default) or off (every query runs: for
 * benchmarks of the uncached path; serve reads SHENLIAO_SEARCH_CACHE=off). Call before
 * serving. */
void search_cache_enable(bool on);

#endif
