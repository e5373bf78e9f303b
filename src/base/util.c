/*
 * util.c - checked parsing, tokens, time (see util.h).
 */
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
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

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* digits reads exactly n decimal digits at *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	int64_t offset = TZ_OFFSET_S, days;
	struct tm tm;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return ERR_INVALID;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return ERR_INVALID;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se))
				return ERR_INVALID;
		}
		if (*p == 'Z') {
			offset = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1;

			p++;
			if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 14 ||
			    om > 59)
				return ERR_INVALID;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0' || y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
		return ERR_INVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	days = (int64_t)timegm(&tm) / 86400;
	*out = days * 86400 + h * 3600 + mi * 60 + se - offset;
	return ERR_OK;
}

void time_local(int64_t t, char out[26])
{
	time_fmt(t, "%Y-%m-%dT%H:%M:%S+08:00", out, 26);
}

void time_fmt(int64_t t, const char *fmt, char *out, size_t n)
{
	time_t tt = (time_t)(t + TZ_OFFSET_S);
	struct tm tm;

	gmtime_r(&tt, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(out, n, fmt, &tm) == 0 && n)
		out[0] = '\0';
#pragma GCC diagnostic pop
}

int time_year(int64_t t)
{
	time_t tt = (time_t)(t + TZ_OFFSET_S);
	struct tm tm;

	gmtime_r(&tt, &tm);
	return tm.tm_year + 1900;
}

void *array_grow(void *arr_p, size_t *n, size_t sz)
{
	void *base;
	char *p;

	memcpy(&base, arr_p, sizeof(base));
	p = realloc(base, (*n + 1) * sz);
	if (!p)
		return NULL;
	memcpy(arr_p, &p, sizeof(p));
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}
