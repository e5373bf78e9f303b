/*
 * compress.c - Accept-Encoding negotiation and gzip/br compression (compress.h).
 */
#include "http/compress.h"

#include <brotli/encode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "base/util.h"

enum { GZIP_LEVEL = 9, BROTLI_QUALITY = 9 };

/* qvalue parses the parameters after a coding's token (";q=0.5"): its weight in thousandths,
 * 1000 when none is given, -1 when it is malformed (then the entry is ignored). */
static int qvalue(const char *p, const char *end)
{
	int q = 1000, scale = 100;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			if (p < end && *p == '1') {
				q = 1000;
				p++;
				while (p < end && (*p == '.' || *p == '0'))
					p++;
			} else if (p < end && *p == '0') {
				q = 0;
				p++;
				if (p < end && *p == '.')
					for (p++; p < end && *p >= '0' && *p <= '9' && scale; p++) {
						q += (*p - '0') * scale;
						scale /= 10;
					}
			} else {
				return -1;
			}
			if (p < end && *p != ';' && *p != ' ' && *p != '\t')
				return -1;
		} else {
			while (p < end && *p != ';') /* another parameter: not ours */
				p++;
		}
	}
	return q;
}

enum http_coding http_coding_pick(const char *ae)
{
	int q[HTTP_CODINGS] = {-1, -1, -1}, star = -1;
	const char *p = ae, *end, *tok_end;

	if (!ae)
		return HTTP_CODING_IDENTITY;
	while (*p) {
		size_t len;
		int w;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (tok_end = p;
		     tok_end < end && *tok_end != ';' && *tok_end != ' ' && *tok_end != '\t';
		     tok_end++)
			;
		len = (size_t)(tok_end - p);
		w = qvalue(tok_end, end);
		if (w >= 0) {
			if ((len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
			    (len == 6 && strncasecmp(p, "x-gzip", 6) == 0))
				q[HTTP_CODING_GZIP] = w;
			else if (len == 2 && strncasecmp(p, "br", 2) == 0)
				q[HTTP_CODING_BR] = w;
			else if (len == 1 && *p == '*')
				star = w;
		}
		p = end;
	}
	if (q[HTTP_CODING_GZIP] < 0)
		q[HTTP_CODING_GZIP] = star;
	if (q[HTTP_CODING_BR] < 0)
		q[HTTP_CODING_BR] = star;
	if (q[HTTP_CODING_BR] > 0 && q[HTTP_CODING_BR] >= q[HTTP_CODING_GZIP])
		return HTTP_CODING_BR;
	if (q[HTTP_CODING_GZIP] > 0)
		return HTTP_CODING_GZIP;
	return HTTP_CODING_IDENTITY;
}

const char *http_coding_name(enum http_coding coding)
{
	switch (coding) {
	case HTTP_CODING_GZIP:
		return "gzip";
	case HTTP_CODING_BR:
		return "br";
	case HTTP_CODING_IDENTITY:
		break;
	}
	return NULL;
}

bool http_compressible(const char *ct, size_t n)
{
	static const char *const types[] = {"application/json", "application/javascript",
					    "application/xml",	"image/svg+xml",
					    "text/calendar",	"application/manifest+json"};
	size_t i;

	if (n < HTTP_COMPRESS_MIN || !ct)
		return false;
	if (strncasecmp(ct, "text/", 5) == 0)
		return true;
	for (i = 0; i < ARRAY_LEN(types); i++)
		if (strncasecmp(ct, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

static int gzip_into(const char *p, size_t n, char *out, size_t *out_n)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a 32 KiB window with the gzip header and trailer (RFC 1952) */
	if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return ERR_NOMEM;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)*out_n;
	rc = deflate(&z, Z_FINISH);
	*out_n = (size_t)z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? ERR_OK : ERR_NOMEM;
}

int http_compress(enum http_coding coding, const char *p, size_t n, struct buf *out)
{
	size_t cap, got;
	char *tmp;
	int rc;

	if (coding == HTTP_CODING_IDENTITY || n > UINT32_MAX / 2)
		return ERR_INVALID;
	cap = coding == HTTP_CODING_GZIP ? (size_t)compressBound((uLong)n) + 32
					 : BrotliEncoderMaxCompressedSize(n);
	if (!cap)
		return ERR_INVALID;
	tmp = malloc(cap);
	if (!tmp)
		return ERR_NOMEM;
	got = cap;
	if (coding == HTTP_CODING_GZIP)
		rc = gzip_into(p, n, tmp, &got);
	else
		rc = BrotliEncoderCompress(BROTLI_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
					   n, (const uint8_t *)p, &got, (uint8_t *)tmp)
			 ? ERR_OK
			 : ERR_NOMEM;
	if (!rc)
		rc = buf_append(out, tmp, got);
	free(tmp);
	return rc;
}
