/*
 * form.c - application/x-www-form-urlencoded decoding (WHATWG URL standard, section 5).
 */
#include "http.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t url_decode(char *p, size_t n, bool plus)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return (size_t)-1;
			hi = hexval(p[i + 1]);
			lo = hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				return (size_t)-1;
			p[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus && p[i] == '+') {
			p[o++] = ' ';
		} else {
			p[o++] = p[i];
		}
	}
	return o;
}

int form_parse(const char *p, size_t n, size_t max_fields, struct form *f)
{
	size_t i, start, count = 0;
	char *s;

	f->items = NULL;
	f->n = 0;
	f->storage = NULL;
	if (n == 0)
		return ERR_OK;
	for (i = 0; i < n; i++)
		if (p[i] == '&')
			count++;
	count++;
	if (count > max_fields)
		return ERR_TOO_BIG;
	f->items = calloc(count, sizeof(*f->items));
	/* each field decodes to at most its own length plus a NUL */
	f->storage = malloc(n + count + 1);
	if (!f->items || !f->storage) {
		form_fini(f);
		return ERR_NOMEM;
	}
	s = f->storage;
	start = 0;
	for (i = 0; i <= n; i++) {
		const char *field, *eq;
		size_t flen, klen, vlen;
		char *name;

		if (i < n && p[i] != '&')
			continue;
		field = p + start;
		flen = i - start;
		start = i + 1;
		if (flen == 0)
			continue;
		eq = memchr(field, '=', flen);
		klen = eq ? (size_t)(eq - field) : flen;
		memcpy(s, field, klen);
		klen = url_decode(s, klen, true);
		if (klen == (size_t)-1)
			goto bad;
		s[klen] = '\0';
		name = s;
		s += klen + 1;
		vlen = 0;
		if (eq) {
			vlen = flen - (size_t)(eq - field) - 1;
			memcpy(s, eq + 1, vlen);
			vlen = url_decode(s, vlen, true);
			if (vlen == (size_t)-1)
				goto bad;
		}
		s[vlen] = '\0';
		f->items[f->n].name = name;
		f->items[f->n].value = s;
		f->items[f->n].value_len = vlen;
		f->n++;
		s += vlen + 1;
	}
	return ERR_OK;
bad:
	form_fini(f);
	return ERR_INVALID;
}

void form_fini(struct form *f)
{
	free(f->items);
	free(f->storage);
	f->items = NULL;
	f->storage = NULL;
	f->n = 0;
}

const struct http_param *form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].name, name) == 0)
			return &f->items[i];
	return NULL;
}
