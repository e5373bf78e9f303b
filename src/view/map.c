/*
 * map.c - the opinion map as SVG (see map.h).
 */
#include "map.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view/view.h"

static const char *const colors[] = {"#b3261e", "#1f5fa8", "#2e7d32", "#8a5300", "#6a3d9a"};

const char *map_group_color(int g)
{
	if (g < 0)
		return "#9aa3ad";
	return colors[g % 5];
}

int map_svg(const json_t *snapshot, const char *name, struct buf *out)
{
	const json_t *parts = json_object_get(snapshot, "participants"), *p;
	double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
	double sx, sy, cx[16] = {0}, cy[16] = {0};
	int cn[16] = {0};
	size_t i;
	int rc, g;

	json_array_foreach(parts, i, p)
	{
		double x = json_number_value(json_object_get(p, "x"));
		double y = json_number_value(json_object_get(p, "y"));

		minx = fmin(minx, x);
		maxx = fmax(maxx, x);
		miny = fmin(miny, y);
		maxy = fmax(maxy, y);
	}
	if (!isfinite(minx) || !isfinite(miny)) {
		minx = miny = -1;
		maxx = maxy = 1;
	}
	if (maxx - minx < 1e-9) {
		minx -= 1;
		maxx += 1;
	}
	if (maxy - miny < 1e-9) {
		miny -= 1;
		maxy += 1;
	}
	sx = 560.0 / (maxx - minx);
	sy = 360.0 / (maxy - miny);
	rc = buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 400\" "
			   "role=\"img\" aria-label=\"");
	if (!rc)
		rc = buf_append_html(out, name, strlen(name));
	if (!rc)
		rc =
		    buf_puts(out, "\" class=\"map\">"
				  "<rect width=\"600\" height=\"400\" fill=\"#fafbfc\" rx=\"8\"/>");
	json_array_foreach(parts, i, p)
	{
		const json_t *gj = json_object_get(p, "group");
		double x = 20 + (json_number_value(json_object_get(p, "x")) - minx) * sx;
		double y = 20 + (maxy - json_number_value(json_object_get(p, "y"))) * sy;

		g = json_is_integer(gj) ? (int)json_integer_value(gj) : -1;
		if (g >= 0 && g < 16) {
			cx[g] += x;
			cy[g] += y;
			cn[g]++;
		}
		if (!rc)
			rc = buf_printf(out,
					"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" "
					"fill-opacity=\"0.75\" data-group=\"%d\"/>",
					x, y, map_group_color(g), g);
	}
	for (g = 0; !rc && g < 16; g++)
		if (cn[g])
			rc = buf_printf(
			    out,
			    "<g><circle cx=\"%.1f\" cy=\"%.1f\" r=\"16\" fill=\"#fff\" "
			    "stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\" font-size=\"16\" font-weight=\"700\" "
			    "fill=\"%s\">%c</text></g>",
			    cx[g] / cn[g], cy[g] / cn[g], map_group_color(g), cx[g] / cn[g],
			    cy[g] / cn[g] + 6, map_group_color(g), 'A' + g);
	if (!rc)
		rc = buf_puts(out, "</svg>");
	return rc;
}

/* map_decorate: see map.h. Adds what the map page shows to a snapshot: statement texts by id in the
 * group cards and consensus lists, colours, agree/disagree bar widths, labels. */
bool map_decorate(json_t *s, const char *lang)
{
	json_t *texts = json_object(), *x, *y;
	size_t i, k;
	char key[64];

	json_array_foreach(json_object_get(s, "statements"), i, x)
	{
		char id[24];

		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(x, "id")));
		json_object_set(texts, id, json_object_get(x, "text"));
	}
	json_array_foreach(json_object_get(s, "groups"), i, x)
	{
		json_object_set_new(x, "label", json_sprintf("%c", 'A' + (int)i));
		json_object_set_new(x, "color", json_string(map_group_color((int)i)));
		json_array_foreach(json_object_get(x, "repness"), k, y)
		{
			double p = json_number_value(json_object_get(y, "p"));

			json_object_set(y, "text",
					json_object_get(texts, json_string_value(json_object_get(
								   y, "statement"))));
			json_object_set_new(y, "pct", json_integer((json_int_t)(p * 100 + 0.5)));
			json_object_set_new(
			    y, "agree",
			    json_boolean(strcmp(json_string_value(json_object_get(y, "direction")),
						"agree") == 0));
		}
	}
	for (k = 0; k < 2; k++)
		json_array_foreach(
		    json_object_get(json_object_get(s, "consensus"), k ? "disagree" : "agree"), i,
		    y)
		{
			json_object_set(y, "text",
					json_object_get(texts, json_string_value(json_object_get(
								   y, "statement"))));
			json_object_set_new(
			    y, "pct",
			    json_integer(
				(json_int_t)(json_number_value(json_object_get(y, "p")) * 100 +
					     0.5)));
		}
	json_array_foreach(json_object_get(json_object_get(s, "categories"), "present"), i, x)
	{
		snprintf(key, sizeof(key), "cat_%s",
			 json_string_value(json_object_get(x, "category")));
		json_object_set_new(x, "label", json_string(view_text(lang, key)));
	}
	json_array_foreach(json_object_get(json_object_get(s, "categories"), "statements"), i, x)
	{
		json_t *cells = json_array();

		json_object_set(
		    x, "text",
		    json_object_get(texts, json_string_value(json_object_get(x, "statement"))));
		json_array_foreach(json_object_get(json_object_get(s, "categories"), "present"), k,
				   y)
		{
			json_t *st =
			    json_object_get(json_object_get(x, "by_category"),
					    json_string_value(json_object_get(y, "category")));

			/* the column's label goes with each cell: a phone shows a row as a card */
			json_array_append_new(
			    cells,
			    json_pack(
				"{si sO?}", "pct",
				st ? (int)(json_number_value(json_object_get(st, "share")) * 100 +
					   0.5)
				   : 0,
				"label", json_object_get(y, "label")));
		}
		json_object_set_new(x, "cells", cells);
		json_object_set_new(
		    x, "consensus_pct",
		    json_integer(
			(json_int_t)(json_number_value(json_object_get(x, "consensus")) * 100 +
				     0.5)));
	}
	json_decref(texts);
	return !json_is_true(json_object_get(s, "too_few_voters")) &&
	       json_array_size(json_object_get(s, "groups")) > 0;
}

json_t *map_group_rows(const json_t *snapshot)
{
	json_t *rows = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(snapshot, "participants"), i, e) json_array_append_new(
	    rows, json_pack("[OOOOO]", json_object_get(e, "id"), json_object_get(e, "category"),
			    json_object_get(e, "group"), json_object_get(e, "x"),
			    json_object_get(e, "y")));
	return rows;
}
