/*
 * qr.c - QR code to SVG: one path of unit squares, scaled by the viewBox.
 */
#include "qr.h"

#include <qrencode.h>
#include <string.h>

int qr_svg(const char *text, struct buf *out)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, w, rc;

	if (!q)
		return ERR_INVALID;
	w = q->width;
	rc = buf_printf(out,
			"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
			"role=\"img\" aria-label=\"QR\" shape-rendering=\"crispEdges\">"
			"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			w + 8, w + 8, w + 8, w + 8);
	for (y = 0; !rc && y < w; y++)
		for (x = 0; !rc && x < w; x++)
			if (q->data[y * w + x] & 1)
				rc = buf_printf(out, "M%d %dh1v1h-1z", x + 4, y + 4);
	if (!rc)
		rc = buf_puts(out, "\"/></svg>");
	QRcode_free(q);
	return rc;
}
