/*
 * output_int.h - helpers shared by the output model's files (output.c, workflow.c,
 * handler.c, adoption.c, lineage.c); internal to src/model.
 */
#ifndef SHENLIAO_MODEL_OUTPUT_INT_H
#define SHENLIAO_MODEL_OUTPUT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* output_related: may a thing of body path p go with an output of the body at org_path? Its
 * own body, below it, or above it (a city's output may build on a district's suggestion and
 * the other way round when the session was joint). */
bool output_related(const char *p, const char *org_path);

/* output_path_of reads one path column for id with sql (a literal); "" when absent. */
int output_path_of(struct db *db, const char *sql, int64_t id, char *out, size_t n) WARN_UNUSED;

/* output_check_kind applies the kind's rules to the text and, for a proposal, to the number
 * of lead authors. ERR_INVALID with e filled. */
int output_check_kind(const char *kind, const char *body, int leads, struct verr *e) WARN_UNUSED;

#endif
