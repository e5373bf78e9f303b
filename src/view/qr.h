/*
 * qr.h - QR codes as SVG (libqrencode), for joining a session from a phone.
 */
#ifndef SHENLIAO_VIEW_QR_H
#define SHENLIAO_VIEW_QR_H

#include "base/buf.h"

/* qr_svg appends an SVG QR code (error correction M, 4-module quiet zone) of text to out.
 * ERR_INVALID when text cannot be encoded. Thread-safe. */
int qr_svg(const char *text, struct buf *out) WARN_UNUSED;

#endif
