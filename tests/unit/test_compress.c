/*
 * test_compress.c - content codings (http/compress.h): choosing one from Accept-Encoding
 * (q-values, "*", refusals, malformed entries), which bodies are worth compressing, and
 * gzip/br bodies that decompress (zlib, libbrotli's decoder) to the bytes compressed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <brotli/decode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/compress.h"

static void test_pick(void **state)
{
	static const struct {
		const char *ae;
		enum http_coding want;
	} cases[] = {
	    {NULL, HTTP_CODING_IDENTITY},
	    {"", HTTP_CODING_IDENTITY},
	    {"identity", HTTP_CODING_IDENTITY},
	    {"deflate", HTTP_CODING_IDENTITY},
	    {"gzip", HTTP_CODING_GZIP},
	    {"GZip", HTTP_CODING_GZIP},
	    {"x-gzip", HTTP_CODING_GZIP},
	    {"br", HTTP_CODING_BR},
	    {"gzip, deflate, br", HTTP_CODING_BR},
	    {"gzip, deflate, br, zstd", HTTP_CODING_BR},
	    {"br;q=0.5, gzip", HTTP_CODING_GZIP},
	    {"br;q=0.5, gzip;q=0.5", HTTP_CODING_BR},
	    {"br;q=0, gzip", HTTP_CODING_GZIP},
	    {"gzip;q=0", HTTP_CODING_IDENTITY},
	    {"gzip;q=0.000", HTTP_CODING_IDENTITY},
	    {"gzip;q=0.001", HTTP_CODING_GZIP},
	    {"gzip;q=1.0, br;q=0.9", HTTP_CODING_GZIP},
	    {"*", HTTP_CODING_BR},
	    {"*;q=0", HTTP_CODING_IDENTITY},
	    {"gzip, *;q=0", HTTP_CODING_GZIP},
	    {"br;q=0, *", HTTP_CODING_GZIP},
	    {"gzip ; q=0.8 , br ; q=0.7", HTTP_CODING_GZIP},
	    {"brotli, gzipped", HTTP_CODING_IDENTITY},
	    {"gzip;q=x", HTTP_CODING_IDENTITY}, /* malformed: ignored */
	    {"gzip;q=2", HTTP_CODING_IDENTITY},
	    {"br;level=5", HTTP_CODING_BR}, /* another parameter: not ours */
	    {",,, ,gzip,,", HTTP_CODING_GZIP},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum http_coding got = http_coding_pick(cases[i].ae);

		if (got != cases[i].want)
			fail_msg("Accept-Encoding \"%s\": got %d, want %d",
				 cases[i].ae ? cases[i].ae : "(none)", got, cases[i].want);
	}
	assert_string_equal(http_coding_name(HTTP_CODING_GZIP), "gzip");
	assert_string_equal(http_coding_name(HTTP_CODING_BR), "br");
	assert_null(http_coding_name(HTTP_CODING_IDENTITY));
}

static void test_compressible(void **state)
{
	(void)state;
	assert_true(http_compressible("text/html; charset=utf-8", 5000));
	assert_true(http_compressible("application/json", 5000));
	assert_true(http_compressible("image/svg+xml", 5000));
	assert_false(http_compressible("text/html; charset=utf-8", HTTP_COMPRESS_MIN - 1));
	assert_false(http_compressible("image/png", 50000));
	assert_false(http_compressible("font/woff2", 50000));
	assert_false(http_compressible("application/zip", 50000));
	assert_false(http_compressible(NULL, 50000));
}

/* page makes a page-like text of about n bytes (HTML with Chinese text, repeated parts) */
static char *page(size_t n)
{
	char *p = malloc(n + 64);
	size_t o = 0;
	unsigned k = 0;

	assert_non_null(p);
	for (; o < n; k++)
		o += (size_t)snprintf(p + o, n + 64 - o,
				      "<li id=\"point-%u\">委员建议第%u条：推进托育服务</li>\n", k,
				      k * 7919u % 1000u);
	return p;
}

static void test_round_trip(void **state)
{
	static const size_t sizes[] = {0, 1, 1500, 20000, 300000};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *in = page(sizes[i]);
		size_t n = sizes[i] ? strlen(in) : 0;
		struct buf gz, br;
		uLongf out_n = (uLongf)n + 16;
		size_t dec_n = n + 16;
		unsigned char *out = malloc(n + 16);
		z_stream z;

		buf_init(&gz, (size_t)1 << 24);
		buf_init(&br, (size_t)1 << 24);
		assert_int_equal(http_compress(HTTP_CODING_GZIP, in, n, &gz), ERR_OK);
		assert_int_equal(http_compress(HTTP_CODING_BR, in, n, &br), ERR_OK);
		if (n > 1000) {
			assert_true(gz.n < n / 2);
			assert_true(br.n < gz.n);
		}
		/* gzip: the header (1f 8b) and inflate with gzip decoding */
		assert_true(gz.n > 10);
		assert_int_equal((unsigned char)gz.p[0], 0x1f);
		assert_int_equal((unsigned char)gz.p[1], 0x8b);
		memset(&z, 0, sizeof(z));
		assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
		z.next_in = (Bytef *)gz.p;
		z.avail_in = (uInt)gz.n;
		z.next_out = out;
		z.avail_out = (uInt)out_n;
		assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
		assert_int_equal(z.total_out, n);
		assert_memory_equal(out, in, n);
		inflateEnd(&z);
		/* br */
		assert_int_equal(BrotliDecoderDecompress(br.n, (const uint8_t *)br.p, &dec_n, out),
				 BROTLI_DECODER_RESULT_SUCCESS);
		assert_int_equal(dec_n, n);
		assert_memory_equal(out, in, n);
		buf_fini(&gz);
		buf_fini(&br);
		free(out);
		free(in);
	}
}

static void test_refusals(void **state)
{
	struct buf b, small;
	char *in = page(20000);

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(http_compress(HTTP_CODING_IDENTITY, "x", 1, &b), ERR_INVALID);
	assert_int_equal(b.n, 0);
	/* out's bound holds; out unchanged */
	buf_init(&small, 100);
	assert_int_equal(http_compress(HTTP_CODING_GZIP, in, strlen(in), &small), ERR_TOO_BIG);
	assert_int_equal(small.n, 0);
	assert_int_equal(http_compress(HTTP_CODING_BR, in, strlen(in), &small), ERR_TOO_BIG);
	assert_int_equal(small.n, 0);
	buf_fini(&b);
	buf_fini(&small);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_compressible),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("compress", tests, NULL, NULL);
}
