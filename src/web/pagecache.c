/*
 * pagecache.c - the cache of public pages for signed-out visitors (pagecache.h).
 *
 * A hash table of entries chained per bucket, and one list of all entries from the most to
 * the least recently used, both under one mutex. An entry holds its key, the versions it was
 * rendered at, its tag (a BLAKE2b hash of the identity bytes, hex) and a body per content
 * coding (identity always; gzip and br once asked for). A request copies the body it needs
 * into its response while it holds the lock, so an entry can be replaced or evicted at any
 * time without waiting for a response to be sent.
 */
#include "web/pagecache.h"

#include <pthread.h>
#include <time.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"
#include "http/compress.h"
#include "model/pagever.h"
#include "web/web.h"

enum { NBUCKETS = 4096, KEY_MAX = 2048, TAG_HEX = 32, FLIGHTS = 32, FLIGHT_WAIT_MS = 2000 };

enum page_kind { PAGE_NONE = 0, PAGE_SESSION, PAGE_LIST };

/* the pages kept, by their handler */
static const struct {
	int (*handler)(struct web_ctx *c);
	enum page_kind kind;
} cached_pages[] = {
    {h_session_page, PAGE_SESSION},
    {h_sessions_page, PAGE_LIST},
};

struct entry {
	struct entry *chain;	   /* next in the bucket */
	struct entry *prev, *next; /* the use list: prev is more recent */
	uint64_t hash;
	char *key;
	size_t key_len;
	enum page_kind kind;
	struct page_version v;
	int64_t made;		       /* time_now() when rendered */
	char tag[TAG_HEX + 1];	       /* hex hash of the identity body */
	struct buf body[HTTP_CODINGS]; /* [HTTP_CODING_IDENTITY] always */
	bool tried[HTTP_CODINGS];      /* coding made (or found not worth it) */
	size_t bytes;
};

/* A render in flight: the first request that misses a page renders it while the others
 * for the same page and versions wait for its entry (a change to a page watched by
 * thousands would otherwise be rendered by each of them at once). key is the renderer's. */
struct flight {
	bool busy;
	uint64_t hash, seq;
	const char *key;
	size_t key_len;
	struct page_version v;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t landed; /* a flight ended */
	struct flight flight[FLIGHTS];
	uint64_t flight_seq;
	struct entry *bucket[NBUCKETS];
	struct entry *head, *tail;
	size_t bytes, max_bytes, entries;
	uint64_t hits, misses, not_modified, evictions;
} pc = {.lock = PTHREAD_MUTEX_INITIALIZER, .landed = PTHREAD_COND_INITIALIZER};

static const char cache_control[] = "public, max-age=0, must-revalidate";
static const char vary[] = "Accept-Encoding, Accept-Language, Cookie";
static const char html_type[] = "text/html; charset=utf-8";

static uint64_t key_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void entry_free(struct entry *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < HTTP_CODINGS; i++)
		buf_fini(&e->body[i]);
	free(e->key);
	free(e);
}

static size_t entry_bytes(const struct entry *e)
{
	size_t n = sizeof(*e) + e->key_len + 1;
	int i;

	for (i = 0; i < HTTP_CODINGS; i++)
		n += e->body[i].cap;
	return n;
}

/* unlink_entry takes e out of its bucket and the use list (the lock held). */
static void unlink_entry(struct entry *e)
{
	struct entry **pp = &pc.bucket[e->hash % NBUCKETS];

	while (*pp && *pp != e)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = e->chain;
	if (e->prev)
		e->prev->next = e->next;
	else
		pc.head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		pc.tail = e->prev;
	pc.bytes -= e->bytes;
	pc.entries--;
}

static void touch(struct entry *e)
{
	if (pc.head == e)
		return;
	e->prev->next = e->next; /* e is not the head, so it has a prev */
	if (e->next)
		e->next->prev = e->prev;
	else
		pc.tail = e->prev;
	e->prev = NULL;
	e->next = pc.head;
	pc.head->prev = e;
	pc.head = e;
}

/* evict drops the least recently used entries but keep until the bound holds. */
static void evict(const struct entry *keep)
{
	while (pc.bytes > pc.max_bytes && pc.tail && pc.tail != keep) {
		struct entry *e = pc.tail;

		unlink_entry(e);
		entry_free(e);
		pc.evictions++;
	}
}

static struct entry *find(uint64_t hash, const char *key, size_t n)
{
	struct entry *e;

	for (e = pc.bucket[hash % NBUCKETS]; e; e = e->chain)
		if (e->hash == hash && e->key_len == n && memcmp(e->key, key, n) == 0)
			return e;
	return NULL;
}

int pagecache_init(size_t max_bytes)
{
	pagecache_fini();
	pthread_mutex_lock(&pc.lock);
	pc.max_bytes = max_bytes;
	pc.hits = pc.misses = pc.not_modified = pc.evictions = 0;
	pthread_mutex_unlock(&pc.lock);
	return ERR_OK;
}

void pagecache_fini(void)
{
	pthread_mutex_lock(&pc.lock);
	while (pc.head) {
		struct entry *e = pc.head;

		unlink_entry(e);
		entry_free(e);
	}
	pthread_mutex_unlock(&pc.lock);
}

void pagecache_stats(struct pagecache_stats *out)
{
	pthread_mutex_lock(&pc.lock);
	out->hits = pc.hits;
	out->misses = pc.misses;
	out->not_modified = __atomic_load_n(&pc.not_modified, __ATOMIC_RELAXED);
	out->evictions = pc.evictions;
	out->entries = pc.entries;
	out->bytes = pc.bytes;
	out->max_bytes = pc.max_bytes;
	pthread_mutex_unlock(&pc.lock);
}

static enum page_kind page_kind(const struct web_ctx *c)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(cached_pages); i++)
		if (c->route->handler == cached_pages[i].handler)
			return cached_pages[i].kind;
	return PAGE_NONE;
}

static bool same_version(const struct entry *e, const struct page_version *v)
{
	if (e->v.shared != v->shared)
		return false;
	return e->kind == PAGE_SESSION ? e->v.session == v->session : e->v.lists == v->lists;
}

/* etag_of writes the quoted entity tag of the representation in coding. */
static void etag_of(const char *tag, enum http_coding coding, char *out, size_t cap)
{
	snprintf(out, cap, "\"%s%s\"", tag,
		 coding == HTTP_CODING_GZIP ? "-gz"
		 : coding == HTTP_CODING_BR ? "-br"
					    : "");
}

/* inm_matches applies If-None-Match (a list of entity tags, or "*") to etag with the weak
 * comparison RFC 9110 13.1.2 asks for: W/ is ignored, the quoted tags must be equal. */
static bool inm_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false; /* malformed: no match, the page is sent */
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return true;
		p = strchr(p + 1, '"');
		if (p)
			p++;
	}
	return false;
}

static void drop_headers(struct http_resp *r)
{
	int i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	r->nheaders = 0;
}

/* answer makes c's response the page in coding from body[0..n) (NULL for a 304): the
 * headers of a cached page, and X-Page-Cache saying whether it was kept already. */
static void answer(struct web_ctx *c, const char *tag, enum http_coding coding, const char *body,
		   size_t n, bool hit)
{
	struct http_resp *r = c->resp;
	const char *inm = http_header(c->req, "If-None-Match");
	char etag[TAG_HEX + 8];
	bool fresh;

	etag_of(tag, coding, etag, sizeof(etag));
	fresh = inm && inm_matches(inm, etag);
	drop_headers(r);
	buf_reset(&r->body);
	r->static_body = NULL;
	r->static_len = 0;
	if (http_resp_header(r, "ETag", etag) ||
	    http_resp_header(r, "Cache-Control", cache_control) ||
	    http_resp_header(r, "Vary", vary) ||
	    http_resp_header(r, "X-Page-Cache", hit ? "hit" : "miss"))
		log_warn("pagecache: too many headers");
	if (fresh) {
		r->status = 304;
		r->content_type = NULL;
		__atomic_fetch_add(&pc.not_modified, 1, __ATOMIC_RELAXED);
		return;
	}
	if (http_resp_header(r, "Content-Security-Policy",
			     "default-src 'self'; img-src 'self' data:; style-src 'self';"
			     " script-src 'self'; frame-ancestors 'none'; base-uri 'none';"
			     " form-action 'self'") ||
	    http_resp_header(r, "X-Frame-Options", "DENY") ||
	    http_resp_header(r, "Referrer-Policy", "same-origin") ||
	    (coding != HTTP_CODING_IDENTITY &&
	     http_resp_header(r, "Content-Encoding", http_coding_name(coding))))
		log_warn("pagecache: too many headers");
	r->status = 200;
	r->content_type = html_type;
	if (buf_append(&r->body, body, n)) {
		drop_headers(r);
		r->status = 500;
		r->content_type = "text/plain; charset=utf-8";
		buf_reset(&r->body);
	}
}

/* keepable says whether the handler's answer is a signed-out visitor's page to keep: 200,
 * HTML, a body of its own, and no header but the page's own (no Set-Cookie, no Location). */
static bool keepable(const struct http_resp *r)
{
	static const char *const own[] = {"Content-Security-Policy", "X-Frame-Options",
					  "Referrer-Policy", "Cache-Control"};
	int i;
	size_t k;

	if (r->status != 200 || r->stream || r->static_body || !r->body.n || !r->content_type ||
	    strcmp(r->content_type, html_type) != 0)
		return false;
	for (i = 0; i < r->nheaders; i++) {
		for (k = 0; k < ARRAY_LEN(own); k++)
			if (strcasecmp(r->headers[i].name, own[k]) == 0)
				break;
		if (k == ARRAY_LEN(own))
			return false;
	}
	return true;
}

/* make_entry copies the handler's page into a new entry (NULL when out of memory). */
static struct entry *make_entry(const char *key, size_t n, uint64_t hash, enum page_kind kind,
				const struct page_version *v, const struct buf *page)
{
	struct entry *e = calloc(1, sizeof(*e));
	unsigned char h[TAG_HEX / 2];
	int i;

	if (!e)
		return NULL;
	for (i = 0; i < HTTP_CODINGS; i++)
		buf_init(&e->body[i], page->n + 1024);
	e->key = malloc(n + 1);
	if (!e->key || buf_append(&e->body[HTTP_CODING_IDENTITY], page->p, page->n)) {
		entry_free(e);
		return NULL;
	}
	memcpy(e->key, key, n);
	e->key[n] = '\0';
	e->key_len = n;
	e->hash = hash;
	e->kind = kind;
	e->v = *v;
	e->made = time_now();
	e->tried[HTTP_CODING_IDENTITY] = true;
	crypto_generichash(h, sizeof(h), (const unsigned char *)page->p, page->n, NULL, 0);
	sodium_bin2hex(e->tag, sizeof(e->tag), h, sizeof(h));
	e->bytes = entry_bytes(e);
	return e;
}

/* insert puts e (taken) in the table in place of an entry of the same key, unless that one
 * was made at newer versions (the lock held). */
static void insert(struct entry *e)
{
	struct entry *old = find(e->hash, e->key, e->key_len);

	if (old && old->v.session >= e->v.session && old->v.shared >= e->v.shared &&
	    old->v.lists >= e->v.lists && memcmp(&old->v, &e->v, sizeof(e->v)) != 0) {
		/* rendered at older versions than the entry kept meanwhile: useless */
		entry_free(e);
		return;
	}
	if (old) {
		unlink_entry(old);
		entry_free(old);
	}
	e->chain = pc.bucket[e->hash % NBUCKETS];
	pc.bucket[e->hash % NBUCKETS] = e;
	e->prev = NULL;
	e->next = pc.head;
	if (pc.head)
		pc.head->prev = e;
	pc.head = e;
	if (!pc.tail)
		pc.tail = e;
	pc.bytes += e->bytes;
	pc.entries++;
	evict(e);
}

/* attach keeps coding's body z (taken) with the entry of key when it is still the one with
 * tag, so the next request for it finds it made (the lock not held). */
static void attach(uint64_t hash, const char *key, size_t n, const char *tag,
		   enum http_coding coding, struct buf *z)
{
	struct entry *e;

	pthread_mutex_lock(&pc.lock);
	e = find(hash, key, n);
	if (e && strcmp(e->tag, tag) == 0 && !e->tried[coding]) {
		e->body[coding] = *z;
		buf_init(z, 0);
		e->tried[coding] = true;
		pc.bytes -= e->bytes;
		e->bytes = entry_bytes(e);
		pc.bytes += e->bytes;
		evict(e);
	}
	pthread_mutex_unlock(&pc.lock);
}

/* send_coded answers with the page in coding, compressing identity[0..n) when the entry has
 * no such body yet, and keeping what it made. */
static void send_coded(struct web_ctx *c, uint64_t hash, const char *key, size_t kn,
		       const char *tag, enum http_coding coding, const char *identity, size_t n,
		       bool hit)
{
	struct buf z;

	buf_init(&z, n + 1024);
	if (coding == HTTP_CODING_IDENTITY || !http_compressible(html_type, n) ||
	    http_compress(coding, identity, n, &z)) {
		/* not worth it (or it failed): identity, and the entry remembers (an empty body) */
		buf_fini(&z);
		answer(c, tag, HTTP_CODING_IDENTITY, identity, n, hit);
		if (coding != HTTP_CODING_IDENTITY)
			attach(hash, key, kn, tag, coding, &z);
		return;
	}
	answer(c, tag, coding, z.p, z.n, hit);
	attach(hash, key, kn, tag, coding, &z);
	buf_fini(&z);
}

/* lookup answers c from the valid entry of key (the lock held): 1 when answered, 2 when the
 * entry lacks coding and its identity body was copied into copy (tag set) for the caller
 * to compress, 0 when there is no valid entry. */
static int lookup(struct web_ctx *c, uint64_t hash, const char *key, size_t n,
		  const struct page_version *v, enum http_coding coding, char *tag,
		  struct buf *copy)
{
	struct entry *e = find(hash, key, n);

	if (!e || !same_version(e, v) || time_now() - e->made >= PAGECACHE_TTL_S)
		return 0;
	touch(e);
	pc.hits++;
	snprintf(tag, TAG_HEX + 1, "%s", e->tag);
	if (e->tried[coding]) {
		/* made, or found not worth it for this page (empty): identity */
		if (coding != HTTP_CODING_IDENTITY && e->body[coding].n)
			answer(c, tag, coding, e->body[coding].p, e->body[coding].n, true);
		else
			answer(c, tag, HTTP_CODING_IDENTITY, e->body[0].p, e->body[0].n, true);
		return 1;
	}
	if (buf_append(copy, e->body[0].p, e->body[0].n))
		return 0;
	return 2;
}

static struct flight *flight_find(uint64_t hash, const char *key, size_t n,
				  const struct page_version *v)
{
	size_t i;

	for (i = 0; i < FLIGHTS; i++) {
		struct flight *f = &pc.flight[i];

		if (f->busy && f->hash == hash && f->key_len == n && memcmp(f->key, key, n) == 0 &&
		    memcmp(&f->v, v, sizeof(*v)) == 0)
			return f;
	}
	return NULL;
}

static struct flight *flight_take(uint64_t hash, const char *key, size_t n,
				  const struct page_version *v)
{
	size_t i;

	for (i = 0; i < FLIGHTS; i++) {
		struct flight *f = &pc.flight[i];

		if (!f->busy) {
			*f = (struct flight){true, hash, ++pc.flight_seq, key, n, *v};
			return f;
		}
	}
	return NULL; /* all taken: render without one */
}

/* flight_wait waits (the lock held) until f's render with sequence seq has ended, at most
 * FLIGHT_WAIT_MS. */
static void flight_wait(const struct flight *f, uint64_t seq)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FLIGHT_WAIT_MS / 1000;
	until.tv_nsec += (long)(FLIGHT_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (f->busy && f->seq == seq)
		if (pthread_cond_timedwait(&pc.landed, &pc.lock, &until))
			break;
}

void pagecache_handle(struct web_ctx *c)
{
	enum page_kind kind = pc.max_bytes ? page_kind(c) : PAGE_NONE;
	enum http_coding coding;
	struct page_version v;
	char key[KEY_MAX], tag[TAG_HEX + 1];
	struct flight *mine = NULL, *other;
	struct buf kb, copy;
	struct entry *e = NULL;
	int64_t sid = 0;
	uint64_t hash;
	bool waited = false;
	int found;

	if (kind == PAGE_NONE || c->actor.via != AUTH_NONE ||
	    (c->req->method != HTTP_GET && c->req->method != HTTP_HEAD)) {
		c->route->handler(c);
		return;
	}
	if (kind == PAGE_SESSION)
		sid = web_id(c, "id");
	buf_init(&kb, KEY_MAX - 1);
	if ((kind == PAGE_SESSION && !sid) || page_version_read(c->db, sid, &v) ||
	    buf_printf(&kb, "%s|%s", c->lang, c->req->path) || http_query_canon(c->req, &kb)) {
		buf_fini(&kb);
		c->route->handler(c);
		return;
	}
	memcpy(key, kb.p, kb.n + 1);
	hash = key_hash(key, kb.n);
	coding = http_coding_pick(http_header(c->req, "Accept-Encoding"));
	buf_init(&copy, BUF_MAX_DEFAULT);
	pthread_mutex_lock(&pc.lock);
	for (;;) {
		found = lookup(c, hash, key, kb.n, &v, coding, tag, &copy);
		if (found)
			break;
		other = flight_find(hash, key, kb.n, &v);
		if (!other) {
			mine = waited ? NULL : flight_take(hash, key, kb.n, &v);
			break;
		}
		if (waited)
			break; /* its page was not kept: render it here too */
		flight_wait(other, other->seq);
		waited = true;
	}
	if (!found)
		pc.misses++;
	pthread_mutex_unlock(&pc.lock);
	if (found == 2)
		send_coded(c, hash, key, kb.n, tag, coding, copy.p, copy.n, true);
	buf_fini(&copy);
	if (found) {
		buf_fini(&kb);
		return;
	}
	c->route->handler(c);
	if (keepable(c->resp) && c->resp->body.n <= pc.max_bytes / 8)
		e = make_entry(key, kb.n, hash, kind, &v, &c->resp->body);
	pthread_mutex_lock(&pc.lock);
	if (e) {
		snprintf(tag, sizeof(tag), "%s", e->tag);
		insert(e);
	}
	if (mine) {
		mine->busy = false;
		pthread_cond_broadcast(&pc.landed);
	}
	pthread_mutex_unlock(&pc.lock);
	if (e) {
		/* the handler's body is the identity body: answer from a copy of it */
		buf_init(&copy, BUF_MAX_DEFAULT);
		if (buf_append(&copy, c->resp->body.p, c->resp->body.n) == ERR_OK)
			send_coded(c, hash, key, kb.n, tag, coding, copy.p, copy.n, false);
		buf_fini(&copy);
	}
	buf_fini(&kb);
}
