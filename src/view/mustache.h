/*
 * mustache.h - our Mustache template renderer.
 *
 * Implements the Mustache spec (github.com/mustache/spec): interpolation, sections, inverted
 * sections, comments, partials, set-delimiter tags, and the optional inheritance module
 * (parents {{<name}} with blocks {{$name}}), which our page layouts are built on. Lambdas and
 * dynamic names are not supported.
 *
 * Context data is a jansson value. {{x}} is HTML-escaped (& < > " '); only {{{x}}} and {{&x}}
 * emit raw text. Falsey, as in the spec: missing, null, false and the empty list; everything
 * else (including "" and 0) is truthy. Numbers print as JavaScript would print them
 * (85, 1.21, 100, 1e+21).
 *
 * A template is compiled once into a struct mustache, which is immutable afterwards, so one
 * compiled template may be rendered from many threads at once. Partials and parents are
 * looked up by name through a callback while rendering; a partial's source is compiled once
 * per render call (cached for the rest of that call), or not at all when the caller hands out
 * compiled templates through mustache_render_lookup.
 *
 * Errors follow base/err.h. Syntax errors (unclosed tag or section, mismatched close, bad
 * set-delimiter tag, empty name) and runaway partial recursion are ERR_INVALID and come with a
 * line number and a message in struct mustache_error.
 */
#ifndef SHENLIAO_VIEW_MUSTACHE_H
#define SHENLIAO_VIEW_MUSTACHE_H

#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

/* Partials, parents and block overrides may nest this deep; deeper is ERR_INVALID. */
#define MUSTACHE_MAX_DEPTH 64
/* Sections, blocks and parents may nest this deep inside one template source. */
#define MUSTACHE_MAX_NESTING 100

struct mustache; /* a compiled template; immutable once compiled */

struct mustache_error {
	int line;	   /* 1-based line in the template (or partial) at fault; 0 if none */
	char message[160]; /* NUL-terminated, for people; may be truncated */
};

/* resolves a partial/parent name to its source text; returns NULL when unknown (renders as
 * empty). The text need only stay valid until the callback is called again or the render
 * returns; it is copied. */
typedef const char *(*mustache_source_fn)(void *ud, const char *name, size_t name_len,
					  size_t *out_len);

/* resolves a partial/parent name to a compiled template; NULL when unknown (renders as empty).
 * The template is borrowed and must stay alive until the render returns. */
typedef const struct mustache *(*mustache_lookup_fn)(void *ud, const char *name, size_t name_len);

/*
 * mustache_compile parses tpl[0..n) (need not be NUL-terminated; it is copied) into *out,
 * which the caller frees with mustache_free. Returns 0, ERR_INVALID on a syntax error (err,
 * if not NULL, gets the line and a message) or ERR_NOMEM; *out is NULL on error.
 * Thread-safe (touches no shared state).
 */
int mustache_compile(const char *tpl, size_t n, struct mustache **out,
		     struct mustache_error *err) WARN_UNUSED;

/* mustache_free frees m; NULL is fine. m must not be in use by any render. */
void mustache_free(struct mustache *m);

/*
 * mustache_render_compiled renders m against ctx (borrowed; may be NULL) and appends the
 * result to out. Partials and parents are resolved through src(ud, ...) (src may be NULL: all
 * are then empty) and compiled once per call. Returns 0, ERR_INVALID (a partial fails to
 * compile, or partials nest deeper than MUSTACHE_MAX_DEPTH; err filled), ERR_TOO_BIG (out's
 * bound hit) or ERR_NOMEM. On error out is restored to its length before the call.
 * Thread-safe: any number of threads may render the same m at once (each with its own out).
 */
int mustache_render_compiled(const struct mustache *m, const json_t *ctx, mustache_source_fn src,
			     void *ud, struct buf *out, struct mustache_error *err) WARN_UNUSED;

/*
 * mustache_render_lookup is mustache_render_compiled with partials and parents resolved to
 * already compiled templates through lookup(ud, ...) (may be NULL), so nothing is compiled
 * while rendering. Same results and thread-safety.
 */
int mustache_render_lookup(const struct mustache *m, const json_t *ctx, mustache_lookup_fn lookup,
			   void *ud, struct buf *out, struct mustache_error *err) WARN_UNUSED;

/*
 * mustache_render compiles tpl[0..n) and renders it against ctx into out (appended):
 * mustache_compile followed by mustache_render_compiled. Partials/parents are resolved via src
 * (may be NULL). Returns 0, ERR_INVALID (syntax error: unclosed tag/section, mismatched
 * section close - err filled with line and message), ERR_TOO_BIG (out's bound hit),
 * ERR_NOMEM. On error out is restored to its length before the call. Thread-safe.
 */
int mustache_render(const char *tpl, size_t n, const json_t *ctx, mustache_source_fn src, void *ud,
		    struct buf *out, struct mustache_error *err) WARN_UNUSED;

#endif
