/*
 * utf8.h - UTF-8 validation and counting (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
 */
#ifndef SHENLIAO_BASE_UTF8_H
#define SHENLIAO_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* utf8_valid reports whether p[0..n) is well-formed UTF-8. NUL bytes are rejected too: no
 * text field of ours may carry one. Thread-safe. */
bool utf8_valid(const char *p, size_t n);

/* utf8_first_invalid returns the offset of the first byte that starts an ill-formed sequence
 * (or a NUL), or n when p[0..n) is valid. */
size_t utf8_first_invalid(const char *p, size_t n);

/* utf8_line_at returns the physical line (from 1) that byte off of p[0..n) is on (off <= n),
 * as an editor and the CSV reader (csv.h) count lines: LF, CRLF and a lone CR end one, so a
 * quoted CSV field over several lines counts as several. Thread-safe. */
size_t utf8_line_at(const char *p, size_t n, size_t off);

/* utf8_check_text checks that p[0..n) is text: well-formed UTF-8 (utf8_valid: no overlong
 * forms, no surrogates, nothing above U+10FFFF) without NUL bytes. Returns n when it is;
 * otherwise the offset of the first byte that is not, with its physical line
 * (utf8_line_at) in *line and what is wrong there in *zh and *en ("无效的 UTF-8" / "invalid
 * UTF-8", or "含有 NUL 字节" / "contains a NUL byte"; static strings). line, zh and en may
 * each be NULL. Thread-safe. */
size_t utf8_check_text(const char *p, size_t n, size_t *line, const char **zh, const char **en);

/* utf8_count returns the number of code points in valid UTF-8 p[0..n). */
size_t utf8_count(const char *p, size_t n);

#endif
