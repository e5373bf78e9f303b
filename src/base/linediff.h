/*
 * linediff.h - a line diff of two texts by their longest common subsequence of lines, as
 * the work rules' diff page shows it (two columns, changed lines marked). Pure and
 * thread-safe; no locale, no allocation beyond the result and one scratch table.
 */
#ifndef SHENLIAO_BASE_LINEDIFF_H
#define SHENLIAO_BASE_LINEDIFF_H

#include <stddef.h>

#include "base/err.h"

/* The common lines the LCS table is made for, per side, after the common head and tail
 * are taken off (the table is LINEDIFF_MAX_LINES squared 16-bit cells, at most 8 MiB).
 * Past it the middle is shown as all removed, then all added: still a correct diff. */
#define LINEDIFF_MAX_LINES 2000

enum linediff_op { LINEDIFF_SAME = 0, LINEDIFF_DEL, LINEDIFF_ADD };

/* One line of the diff: its text (borrowed from the texts given; without the '\n') and
 * its number in the old (DEL, SAME) and new (ADD, SAME) text, from 1; 0 where it has
 * none. */
struct linediff_line {
	enum linediff_op op;
	const char *p;
	size_t n;
	size_t old_no, new_no;
};

struct linediff {
	struct linediff_line *v;
	size_t n;
};

/* linediff_make diffs old[0..on) against new[0..nn) line by line into *d (which it
 * initializes; release with linediff_release, also after an error). A final '\n' does not
 * make an empty last line; "\r\n" is taken as '\n'. ERR_NOMEM when out of memory. */
int linediff_make(const char *old, size_t on, const char *new_text, size_t nn,
		  struct linediff *d) WARN_UNUSED;

/* linediff_release frees d's lines (not the texts); d may then be reused. */
void linediff_release(struct linediff *d);

#endif
