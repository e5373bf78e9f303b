/*
 * compress.h - content codings of responses: which one a request accepts (Accept-Encoding,
 * RFC 9110 section 12.5.3) and gzip (zlib) and br (libbrotli) compression of a body.
 *
 * A body is compressed once and kept with what it was made from (web/pagecache.c keeps the
 * codings of a cached page beside its identity bytes), so the cost is paid once per version
 * of a page, not per request. Small bodies (under HTTP_COMPRESS_MIN bytes) and types that are
 * compressed already (images other than SVG, fonts, archives) are not worth it.
 *
 * Threads: every function is pure or works on its arguments only; thread-safe.
 */
#ifndef SHENLIAO_HTTP_COMPRESS_H
#define SHENLIAO_HTTP_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

enum http_coding {
	HTTP_CODING_IDENTITY = 0,
	HTTP_CODING_GZIP = 1,
	HTTP_CODING_BR = 2,
};
#define HTTP_CODINGS 3

/* bodies shorter than this are sent as they are: a packet's worth saves nothing */
#define HTTP_COMPRESS_MIN 1024

/* http_coding_pick chooses the coding for a response from the request's Accept-Encoding
 * value (NULL: none given): the accepted coding with the highest q-value among br and gzip
 * (br first on a tie: smaller), "*" standing for those not named, q=0 refusing; identity when
 * neither is accepted. */
enum http_coding http_coding_pick(const char *accept_encoding);

/* http_coding_name is the Content-Encoding token ("gzip", "br"), NULL for identity. */
const char *http_coding_name(enum http_coding coding);

/* http_compressible says whether a body of n bytes of content_type is worth compressing:
 * at least HTTP_COMPRESS_MIN bytes of a textual type (text/..., JSON, JavaScript, SVG, XML). */
bool http_compressible(const char *content_type, size_t n);

/* http_compress appends p[0..n) compressed with coding (gzip: zlib level 9 with the gzip
 * header; br: libbrotli quality 9, text mode) to out. ERR_INVALID for identity, ERR_NOMEM or
 * ERR_TOO_BIG (out's bound) when it does not fit; out is unchanged on error. */
int http_compress(enum http_coding coding, const char *p, size_t n, struct buf *out) WARN_UNUSED;

#endif
