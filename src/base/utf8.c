/*
 * utf8.c - strict UTF-8 validation, following the table in Unicode 15 section 3.9 (D92).
 */
#include "utf8.h"

size_t utf8_first_invalid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t len, k;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (k = 2; k < len; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return i;
		i += len;
	}
	return n;
}

bool utf8_valid(const char *p, size_t n)
{
	return utf8_first_invalid(p, n) == n;
}

size_t utf8_line_at(const char *p, size_t n, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off && i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n')))
			line++;
	return line;
}

size_t utf8_check_text(const char *p, size_t n, size_t *line, const char **zh, const char **en)
{
	size_t bad = utf8_first_invalid(p, n);
	bool nul;

	if (bad == n)
		return n;
	nul = p[bad] == '\0';
	if (line)
		*line = utf8_line_at(p, n, bad);
	if (zh)
		*zh = nul ? "含有 NUL 字节" : "无效的 UTF-8";
	if (en)
		*en = nul ? "contains a NUL byte" : "invalid UTF-8";
	return bad;
}

size_t utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}
