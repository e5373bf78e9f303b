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

/* utf8_count returns the number of code points in valid UTF-8 p[0..n). */
size_t utf8_count(const char *p, size_t n);

#endif
