/*
 * proxy.h - the client's address behind trusted reverse proxies (serve --trust-proxy).
 *
 * Without trusted proxies the client is the peer of the TCP connection and X-Forwarded-For
 * is ignored: anyone can write that header. With them, and only when the peer is one of
 * them, the header is read from the right (each proxy appends the address it saw): entries
 * that are themselves trusted proxies are skipped, and the first that is not is the
 * client. Everything to its left was written by the client and is never believed. When
 * every entry is a trusted proxy the left-most is the client; an entry that is not an
 * address ends the walk at the hop that handed it on.
 *
 * Threads: a parsed list is read-only; every function is pure and thread-safe.
 */
#ifndef SHENLIAO_HTTP_PROXY_H
#define SHENLIAO_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PROXY_MAX 16 /* trusted networks in one list */

struct proxy_net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network address, in network order */
	int bits;		/* prefix length */
};

struct proxy_list {
	struct proxy_net nets[PROXY_MAX];
	int n; /* 0: no proxy is trusted */
};

/* proxy_list_parse reads spec into l: "loopback" (127.0.0.0/8 and ::1) or a comma list of
 * addresses and CIDR blocks ("127.0.0.1,10.0.0.0/8,fd00::/8"; "loopback" may be one of
 * them). ERR_INVALID for anything else, an empty list or more than PROXY_MAX entries. */
int proxy_list_parse(const char *spec, struct proxy_list *l) WARN_UNUSED;

/* proxy_trusted says whether the numeric address addr is in l. */
bool proxy_trusted(const struct proxy_list *l, const char *addr);

/* proxy_client writes into out[n] the client's address (numeric, as inet_ntop prints it)
 * for a connection from peer carrying xff (the X-Forwarded-For headers joined by commas;
 * NULL when none), as described above. */
void proxy_client(const struct proxy_list *l, const char *peer, const char *xff, char *out,
		  size_t n);

#endif
