/*
 * util.c - checked parsing, tokens, time (see util.h).
 */
#include "util.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

int num_parse(const char *p, size_t n, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return ERR_INVALID;
	if (p[0] == '-') {
		neg = true;
		i = 1;
		if (n == 1)
			return ERR_INVALID;
	}
	if (n - i > 19)
		return ERR_INVALID;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return ERR_INVALID;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (!neg && v > (uint64_t)INT64_MAX)
		return ERR_INVALID;
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return ERR_INVALID;
	{
		int64_t r =
		    neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
		if (r < min || r > max)
			return ERR_INVALID;
		*out = r;
	}
	return ERR_OK;
}

void hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void rand_token(size_t bytes, char *out)
{
	unsigned char r[64];

	if (bytes > sizeof(r))
		bytes = sizeof(r);
	randombytes_buf(r, bytes);
	hex_encode(r, bytes, out);
	sodium_memzero(r, sizeof(r));
}

void hash_token(const char *token, size_t n, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, n, NULL, 0);
	hex_encode(h, sizeof(h), out);
}

int64_t time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t time_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void time_iso(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool str_eq_ct(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na != nb || na == 0)
		return false;
	return sodium_memcmp(a, b, na) == 0;
}
