/*
 * progress.h - the progress bar of the long commands (import polis, demo, backup, opinion).
 *
 * Drawn on stderr only when stderr is a terminal (isatty), and not when SHENLIAO_NO_PROGRESS
 * is set; redrawn at most ten times a second; cleared when the work ends, so what the
 * command prints afterwards starts on a clean line. When stderr is not a terminal nothing at
 * all is written. One line: label, bar, percent, rate and time left, e.g.
 *   import polis [##########..........]  50%  12.3k/s  ETA 0:04
 */
#ifndef SHENLIAO_CLI_PROGRESS_H
#define SHENLIAO_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	const char *label;  /* borrowed */
	const char *unit;   /* "B" formats rates as bytes (k/M/G), "" as counts */
	bool on;	    /* stderr is a terminal: draw */
	bool drawn;	    /* something is on the line (to clear) */
	int width;	    /* terminal columns */
	double start, last; /* seconds (monotonic) */
	uint64_t done, total;
};

/* progress_begin starts a bar labelled label (ASCII) over total units of unit (ASCII). */
void progress_begin(struct progress *p, const char *label, const char *unit, uint64_t total);

/* progress_cb is a progress_fn (base/progress.h) with ud a struct progress. */
void progress_cb(void *ud, uint64_t done, uint64_t total);

/* progress_end clears the line (when drawn). */
void progress_end(struct progress *p);

/* progress_format writes the bar's line for done of total after elapsed seconds into
 * out[cap], at most width-1 columns wide (the label and unit are ASCII); returns its length.
 * Percent is floor(100*done/total); rate is done/elapsed ("-" before 0.2 s); time left is
 * (total-done)/rate as M:SS or H:MM:SS ("--:--" while unknown). Exposed for the unit test. */
size_t progress_format(char *out, size_t cap, const char *label, const char *unit, uint64_t done,
		       uint64_t total, double elapsed, int width);

/* progress_human writes x with a k/M/G suffix (1000s; 3 significant digits) into out[cap]. */
void progress_human(char *out, size_t cap, double x);

#endif
