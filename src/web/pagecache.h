/*
 * pagecache.h - rendered public pages kept for signed-out visitors, with their compressed
 * forms, served again while nothing they show has changed.
 *
 * Which pages: the public session page (/sessions/{id}) and the session list (/sessions,
 * any page and filter), as a signed-out visitor sees them: no sign-in (cookie or token), a
 * 200 HTML answer that sets no cookie and carries nothing of the visitor (these pages hold
 * no CSRF token for signed-out visitors). Every other request runs its handler as before.
 *
 * Key and validity: the page's path and query (as sent, canonical) and the language it was
 * rendered in; valid while the page versions it was rendered at (model/pagever.h: the
 * session's own version and the shared generation; the list generation for lists) are the
 * database's, which one read per request checks. The versions are read before the page is
 * rendered, so a write that lands during a render leaves an entry that the next request
 * sees as old, never a stale entry that looks new. An entry also expires PAGECACHE_TTL_S
 * after it was made (a page may show the year).
 *
 * HTTP: a strong ETag per representation: a hash of the identity bytes, with "-gz"/"-br"
 * for the compressed ones (RFC 9110 8.8.3: different content codings are different
 * representations); If-None-Match (weak comparison, "*") answers 304 without a body;
 * Cache-Control: public, max-age=0, must-revalidate (a CDN may keep the page and asks again
 * each time, cheaply, with If-None-Match); Vary: Accept-Encoding, Accept-Language, Cookie
 * (the language comes from the sl_lang cookie or Accept-Language, and a signed-in visitor
 * must never get a shared copy). gzip and br (compress.h) are made on the first request that
 * asks for them and kept with the entry: once per version, not per request.
 *
 * Bound: the entries' bytes (key, bodies, bookkeeping) stay under the bound given to
 * pagecache_init; the least recently used entries are evicted first; a page larger than an
 * eighth of the bound is not kept.
 *
 * One render per change: the first request that misses a page renders it; others for the
 * same page at the same versions wait for its entry (at most 2 s) instead of rendering it
 * too, so a change to a page that thousands are watching costs one render.
 *
 * Threads: one lock guards the table; bodies are copied into the response under it and
 * compressed outside it. All functions are thread-safe.
 */
#ifndef SHENLIAO_WEB_PAGECACHE_H
#define SHENLIAO_WEB_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct web_ctx;

#define PAGECACHE_TTL_S	     600
#define PAGECACHE_DEFAULT_MB 64

/* pagecache_init sets the bound in bytes (0: no cache, every request renders). Call before
 * serving; again to change it (the entries are dropped). */
int pagecache_init(size_t max_bytes) WARN_UNUSED;

/* pagecache_fini drops every entry. */
void pagecache_fini(void);

/* pagecache_handle answers c: from the cache when the request is one for a cached page and
 * its entry is valid, else by running the route's handler (and keeping its answer when it
 * is a signed-out visitor's page). Called by the dispatcher in place of the handler. */
void pagecache_handle(struct web_ctx *c);

struct pagecache_stats {
	uint64_t hits, misses, not_modified, evictions;
	size_t entries, bytes, max_bytes;
};

/* pagecache_stats copies the counters since pagecache_init. */
void pagecache_stats(struct pagecache_stats *out);

#endif
