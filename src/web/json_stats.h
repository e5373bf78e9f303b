/*
 * json_stats.h - the statistics (struct stats, model/output.h) as JSON and as the tables
 * of the exports and the report: the one place they take these shapes.
 */
#ifndef SHENLIAO_WEB_JSON_STATS_H
#define SHENLIAO_WEB_JSON_STATS_H

#include <jansson.h>

#include "model/output.h"
#include "web.h"

/* stats_to_json returns (new reference) s in the API's shape (docs/API.md). */
json_t *stats_to_json(const struct stats *s);

/* stats_rate_json returns a rate or median as a number, or null when absent. */
json_t *stats_rate_json(struct stats_rate r);

/* web_stats_tables turns the statistics into the tables of the CSV/XLSX export (and of
 * the PDF report), labelled in the request's language: [{"name","header","rows"}]. */
json_t *web_stats_tables(struct web_ctx *c, const struct stats *s);

#endif
