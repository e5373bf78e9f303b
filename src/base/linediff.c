/*
 * linediff.c - the line diff of linediff.h. The texts are cut into lines (views into the
 * texts, nothing copied), the common head and tail are matched first, and the middle by the
 * classic dynamic programme for the longest common subsequence: cell (i, j) is the length
 * of the LCS of the old lines from i and the new lines from j, and the walk from (0, 0)
 * takes a common line where it can, else the side that keeps the longer LCS. The middle is
 * bounded (LINEDIFF_MAX_LINES), so no input can ask for more than 8 MiB of table.
 */
#include "base/linediff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lines {
	const char **p;
	size_t *n;
	size_t count;
};

static void lines_release(struct lines *l)
{
	free(l->p);
	free(l->n);
	memset(l, 0, sizeof(*l));
}

/* lines_cut views text[0..len) as lines into *l. */
static int lines_cut(const char *text, size_t len, struct lines *l)
{
	size_t i, start = 0, cap = 1;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			cap++;
	l->p = malloc(cap * sizeof(*l->p));
	l->n = malloc(cap * sizeof(*l->n));
	if (!l->p || !l->n) {
		lines_release(l);
		return ERR_NOMEM;
	}
	for (i = 0; i <= len; i++) {
		size_t n;

		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break; /* a final '\n' (or an empty text) makes no empty last line */
		n = i - start;
		if (n && text[start + n - 1] == '\r')
			n--;
		l->p[l->count] = text + start;
		l->n[l->count] = n;
		l->count++;
		start = i + 1;
	}
	return ERR_OK;
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && memcmp(a->p[i], b->p[j], a->n[i]) == 0;
}

static void put(struct linediff *d, enum linediff_op op, const struct lines *l, size_t i,
		size_t old_no, size_t new_no)
{
	struct linediff_line *x = &d->v[d->n++];

	x->op = op;
	x->p = l->p[i];
	x->n = l->n[i];
	x->old_no = old_no;
	x->new_no = new_no;
}

void linediff_release(struct linediff *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int linediff_make(const char *old, size_t on, const char *new_text, size_t nn, struct linediff *d)
{
	struct lines a, b;
	size_t head = 0, tail = 0, ma, mb, i, j, k;
	uint16_t *t = NULL;
	int rc;

	d->v = NULL;
	d->n = 0;
	rc = lines_cut(old, on, &a);
	if (rc)
		return rc;
	rc = lines_cut(new_text, nn, &b);
	if (rc) {
		lines_release(&a);
		return rc;
	}
	d->v = malloc((a.count + b.count + 1) * sizeof(*d->v));
	if (!d->v) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (head < a.count && head < b.count && line_eq(&a, head, &b, head))
		head++;
	while (tail < a.count - head && tail < b.count - head &&
	       line_eq(&a, a.count - 1 - tail, &b, b.count - 1 - tail))
		tail++;
	ma = a.count - head - tail;
	mb = b.count - head - tail;
	for (k = 0; k < head; k++)
		put(d, LINEDIFF_SAME, &a, k, k + 1, k + 1);
	if (ma && mb && ma <= LINEDIFF_MAX_LINES && mb <= LINEDIFF_MAX_LINES) {
		size_t w = mb + 1;

		t = calloc((ma + 1) * w, sizeof(*t));
		if (!t) {
			rc = ERR_NOMEM;
			goto out;
		}
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;) {
				uint16_t down = t[(i + 1) * w + j], right = t[i * w + j + 1];

				t[i * w + j] = line_eq(&a, head + i, &b, head + j)
						   ? (uint16_t)(t[(i + 1) * w + j + 1] + 1)
						   : (down >= right ? down : right);
			}
		i = 0;
		j = 0;
		while (i < ma || j < mb) {
			if (i < ma && j < mb && line_eq(&a, head + i, &b, head + j)) {
				put(d, LINEDIFF_SAME, &a, head + i, head + i + 1, head + j + 1);
				i++;
				j++;
			} else if (j == mb || (i < ma && t[(i + 1) * w + j] >= t[i * w + j + 1])) {
				put(d, LINEDIFF_DEL, &a, head + i, head + i + 1, 0);
				i++;
			} else {
				put(d, LINEDIFF_ADD, &b, head + j, 0, head + j + 1);
				j++;
			}
		}
	} else {
		for (i = 0; i < ma; i++)
			put(d, LINEDIFF_DEL, &a, head + i, head + i + 1, 0);
		for (j = 0; j < mb; j++)
			put(d, LINEDIFF_ADD, &b, head + j, 0, head + j + 1);
	}
	for (k = 0; k < tail; k++)
		put(d, LINEDIFF_SAME, &a, head + ma + k, head + ma + k + 1, head + mb + k + 1);
out:
	free(t);
	lines_release(&a);
	lines_release(&b);
	if (rc)
		linediff_release(d);
	return rc;
}
