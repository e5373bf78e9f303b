/*
 * map.h - the opinion map: participants as points coloured by group, drawn on the server.
 */
#ifndef SHENLIAO_VIEW_MAP_H
#define SHENLIAO_VIEW_MAP_H

#include <jansson.h>
#include <stdbool.h>

#include "base/buf.h"

/* map_group_color returns the colour of group g (-1: not in a group). */
const char *map_group_color(int g);

/* map_svg appends an SVG scatter of snapshot's participants (x, y, group) to out, scaled
 * to fit, with each group's label at its centre; name (escaped here) is its accessible
 * name, in the reader's language. */
int map_svg(const json_t *snapshot, const char *name, struct buf *out) WARN_UNUSED;

/* map_decorate adds to snapshot what the map and phone pages show: each group's label
 * (A, B, ...) and colour, the statements' texts and percentages in the group cards, the
 * consensus lists and the category table, the categories' names in lang. Returns whether
 * the groups are worth showing (enough voters, at least one group). */
bool map_decorate(json_t *snapshot, const char *lang);

/* map_group_rows returns [participant, category, group, x, y] rows of snapshot's
 * participants, for the exports (a new reference). */
json_t *map_group_rows(const json_t *snapshot);

#endif
