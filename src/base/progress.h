/*
 * progress.h - the one shape of a progress report, for long work in the layers below the
 * command line (loading a Pol.is export, copying the database, loading the demo).
 *
 * A function that can take long accepts `progress_fn progress, void *ud` and, when progress
 * is not NULL, calls progress(ud, done, total) now and then (done <= total, in whatever unit
 * the work counts: bytes, rows, steps; total may grow between calls). It never prints: how a
 * report is shown (a bar on a terminal, nothing at all) is the caller's business.
 */
#ifndef SHENLIAO_BASE_PROGRESS_H
#define SHENLIAO_BASE_PROGRESS_H

#include <stdint.h>

typedef void (*progress_fn)(void *ud, uint64_t done, uint64_t total);

#endif
