/*
 * progress.c - the progress bar of the long commands (progress.h).
 */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/util.h"

void progress_human(char *out, size_t cap, double x)
{
	static const char suffix[] = " kMGT";
	size_t s = 0;

	while (x >= 999.5 && s + 1 < sizeof(suffix) - 1) {
		x /= 1000;
		s++;
	}
	if (s == 0)
		snprintf(out, cap, "%.0f", x);
	else
		snprintf(out, cap,
			 x < 9.995   ? "%.2f%c"
			 : x < 99.95 ? "%.1f%c"
				     : "%.0f%c",
			 x, suffix[s]);
}

static void clock_text(char *out, size_t cap, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, cap, "%lu:%02lu", t / 60, t % 60);
}

size_t progress_format(char *out, size_t cap, const char *label, const char *unit, uint64_t done,
		       uint64_t total, double elapsed, int width)
{
	char rate[40], eta[32], right[112];
	unsigned pct;
	size_t max, len, llen, rlen;
	int bar, fill, i;

	if (cap == 0)
		return 0;
	if (done > total)
		total = done;
	pct = total ? (unsigned)(done * 100 / total) : 0;
	if (elapsed >= 0.2 && done > 0) {
		double r = (double)done / elapsed;
		char num[16];

		progress_human(num, sizeof(num), r);
		snprintf(rate, sizeof(rate), "%s%.10s/s", num, unit);
		if (total > done)
			clock_text(eta, sizeof(eta), (double)(total - done) / r);
		else
			snprintf(eta, sizeof(eta), "0:00");
	} else {
		snprintf(rate, sizeof(rate), "-");
		snprintf(eta, sizeof(eta), total && done >= total ? "0:00" : "--:--");
	}
	snprintf(right, sizeof(right), " %3u%%  %s  ETA %s", pct, rate, eta);
	max = width > 1 ? (size_t)width - 1 : 0;
	if (max >= cap)
		max = cap - 1;
	llen = strlen(label);
	rlen = strlen(right);
	bar = (int)max - (int)llen - 3 - (int)rlen;
	if (bar > 40)
		bar = 40;
	if (bar >= 5) {
		fill = total ? (int)(done * (uint64_t)bar / total) : 0;
		len = 0;
		memcpy(out, label, llen);
		len = llen;
		out[len++] = ' ';
		out[len++] = '[';
		for (i = 0; i < bar; i++)
			out[len++] = i < fill ? '#' : '.';
		out[len++] = ']';
		memcpy(out + len, right, rlen + 1);
		return len + rlen;
	}
	/* too narrow for a bar: as much of "label  50% ..." as fits */
	snprintf(out, max + 1, "%s%s", label, right);
	return strlen(out);
}

static double now_s(void)
{
	return (double)time_now_us() / 1e6;
}

static int columns(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c && atoi(c) > 0)
		return atoi(c);
	return 80;
}

static void draw(struct progress *p)
{
	char line[512];
	size_t n;

	n = progress_format(line, sizeof(line), p->label, p->unit, p->done, p->total,
			    now_s() - p->start, p->width);
	fprintf(stderr, "\r%.*s\033[K", (int)n, line);
	fflush(stderr);
	p->drawn = true;
}

void progress_begin(struct progress *p, const char *label, const char *unit, uint64_t total)
{
	const char *off = getenv("SHENLIAO_NO_PROGRESS");

	memset(p, 0, sizeof(*p));
	p->label = label;
	p->unit = unit ? unit : "";
	p->total = total;
	p->on = isatty(STDERR_FILENO) && !(off && *off);
	p->width = p->on ? columns() : 80;
	p->start = now_s();
	p->last = -1;
	if (p->on)
		draw(p);
	p->last = p->start;
}

void progress_cb(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	double t;

	if (!p || !p->on)
		return;
	p->done = done;
	p->total = total;
	t = now_s();
	if (t - p->last < 0.1 && done < total)
		return;
	p->last = t;
	draw(p);
}

void progress_end(struct progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = false;
	p->on = false;
}
