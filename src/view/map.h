/*
 * map.h - the opinion map: participants as points coloured by group, drawn on the server.
 */
#ifndef SHENLIAO_VIEW_MAP_H
#define SHENLIAO_VIEW_MAP_H

#include <jansson.h>

#include "base/buf.h"

/* map_group_color returns the colour of group g (-1: not in a group). */
const char *map_group_color(int g);

/* map_svg appends an SVG scatter of snapshot's participants (x, y, group) to out, scaled
 * to fit, with each group's label at its centre. */
int map_svg(const json_t *snapshot, struct buf *out) WARN_UNUSED;

#endif
