/*
 * proxy.c - the client's address behind trusted reverse proxies (see proxy.h).
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* parse_addr reads the numeric address s[0..len) into fam/bytes; false if it is none. */
static bool parse_addr(const char *s, size_t len, int *fam, unsigned char bytes[16])
{
	char tmp[64];

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, tmp, bytes) == 1) {
		*fam = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, bytes) == 1) {
		*fam = AF_INET6;
		return true;
	}
	return false;
}

static int add_net(struct proxy_list *l, int fam, const unsigned char *addr, int bits)
{
	struct proxy_net *p;

	if (l->n >= PROXY_MAX)
		return ERR_INVALID;
	p = &l->nets[l->n++];
	p->family = fam;
	memcpy(p->addr, addr, 16);
	p->bits = bits;
	return ERR_OK;
}

/* parse_one reads one entry s[0..len) of a list ("loopback", "ADDR" or "ADDR/BITS"). */
static int parse_one(struct proxy_list *l, const char *s, size_t len)
{
	static const unsigned char v4_loop[16] = {127}, v6_loop[16] = {[15] = 1};
	const char *slash = memchr(s, '/', len);
	unsigned char bytes[16];
	int fam, bits, max;

	if (len == 8 && memcmp(s, "loopback", 8) == 0) {
		int rc = add_net(l, AF_INET, v4_loop, 8);

		return rc ? rc : add_net(l, AF_INET6, v6_loop, 128);
	}
	if (!parse_addr(s, slash ? (size_t)(slash - s) : len, &fam, bytes))
		return ERR_INVALID;
	max = fam == AF_INET ? 32 : 128;
	bits = max;
	if (slash) {
		size_t i, nd = len - (size_t)(slash - s) - 1;

		if (nd < 1 || nd > 3)
			return ERR_INVALID;
		for (bits = 0, i = 0; i < nd; i++) {
			char ch = slash[1 + i];

			if (ch < '0' || ch > '9')
				return ERR_INVALID;
			bits = bits * 10 + (ch - '0');
		}
		if (bits > max)
			return ERR_INVALID;
	}
	return add_net(l, fam, bytes, bits);
}

int proxy_list_parse(const char *spec, struct proxy_list *l)
{
	const char *p = spec, *comma;

	memset(l, 0, sizeof(*l));
	if (!spec || !*spec)
		return ERR_INVALID;
	for (;;) {
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		while (len && p[len - 1] == ' ')
			len--;
		if (!len || parse_one(l, p, len)) {
			memset(l, 0, sizeof(*l));
			return ERR_INVALID;
		}
		if (!comma)
			return ERR_OK;
		p = comma + 1;
	}
}

static bool in_net(const struct proxy_net *net, int fam, const unsigned char *a)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (net->family != fam)
		return false;
	if (memcmp(net->addr, a, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		return (net->addr[full] & mask) == (a[full] & mask);
	}
	return true;
}

/* trusted_bytes: is the address fam/a in l? An IPv4 address mapped into IPv6
 * (::ffff:a.b.c.d) is compared as the IPv4 address it is. */
static bool trusted_bytes(const struct proxy_list *l, int fam, const unsigned char *a)
{
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	unsigned char v4[16] = {0};
	int i;

	if (fam == AF_INET6 && memcmp(a, mapped, 12) == 0) {
		memcpy(v4, a + 12, 4);
		fam = AF_INET;
		a = v4;
	}
	for (i = 0; i < l->n; i++)
		if (in_net(&l->nets[i], fam, a))
			return true;
	return false;
}

bool proxy_trusted(const struct proxy_list *l, const char *addr)
{
	unsigned char a[16];
	int fam;

	if (!l || !l->n || !addr || !parse_addr(addr, strlen(addr), &fam, a))
		return false;
	return trusted_bytes(l, fam, a);
}

void proxy_client(const struct proxy_list *l, const char *peer, const char *xff, char *out,
		  size_t n)
{
	unsigned char a[16], best[16];
	int fam, best_fam = 0;
	size_t end;

	snprintf(out, n, "%s", peer);
	if (!xff || !proxy_trusted(l, peer))
		return;
	/* from the right: skip trusted proxies; the first other address is the client */
	end = strlen(xff);
	for (;;) {
		size_t start = end;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (!parse_addr(xff + start, end - start, &fam, a)) {
			/* a blank entry between commas is skipped; anything else ends the walk */
			size_t i;

			for (i = start; i < end && (xff[i] == ' ' || xff[i] == '\t'); i++)
				;
			if (i < end)
				break;
		} else {
			memcpy(best, a, 16);
			best_fam = fam;
			if (!trusted_bytes(l, fam, a))
				break;
		}
		if (start == 0)
			break;
		end = start - 1;
	}
	if (best_fam && !inet_ntop(best_fam, best, out, (socklen_t)n))
		snprintf(out, n, "%s", peer);
}
