/*
 * smtp.h - sending one e-mail through a real SMTP conversation (libcurl's SMTP support),
 * and the message it carries: RFC 5322 headers (Subject RFC 2047 encoded UTF-8, Date,
 * Message-ID) and a MIME UTF-8 text/plain body.
 *
 * Transport only, like the HTTP server beside it: what a message says and whom it goes to
 * is the caller's. STARTTLS is used when the server offers it; with a user name (the
 * password comes from the environment, never from argv) it is required, so a password never
 * crosses the network in the clear.
 *
 * Threads: smtp_global_init once before any thread sends; then smtp_send and smtp_message
 * may be called from any thread (each call has its own curl handle).
 */
#ifndef SHENLIAO_HTTP_SMTP_H
#define SHENLIAO_HTTP_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Where and as whom mail is sent. */
struct smtp_server {
	char url[300];	    /* "smtp://host:port" */
	char from[320];	    /* the envelope sender and From: address */
	char user[256];	    /* "" : no authentication */
	char password[256]; /* with user; wiped by smtp_server_fini */
	char ca_file[512];  /* "" : the system's certificate authorities */
};

/* smtp_server_set fills s from HOST:PORT (a host name, IPv4 or [IPv6] literal and a port
 * 1..65535), the From address (smtp_addr_ok) and the optional user, password and CA file
 * (NULL: none). ERR_INVALID naming nothing: the caller knows which argument it gave. */
int smtp_server_set(struct smtp_server *s, const char *host_port, const char *from,
		    const char *user, const char *password, const char *ca_file) WARN_UNUSED;

/* smtp_server_fini wipes the password. */
void smtp_server_fini(struct smtp_server *s);

/* smtp_addr_ok reports whether addr can stand in a header and an envelope as it is:
 * local@domain, printable ASCII without spaces, quotes, angle brackets, commas or
 * semicolons, at most 254 bytes. Pure. */
bool smtp_addr_ok(const char *addr);

/* smtp_global_init initialises libcurl (once, before threads send). */
int smtp_global_init(void) WARN_UNUSED;
void smtp_global_fini(void);

/* One message. subject and body are UTF-8 (body lines end in '\n'); id makes the
 * Message-ID unique together with date (e.g. the queue row's id). */
struct smtp_mail {
	const char *from;
	const char *to;
	const char *subject;
	const char *body;
	int64_t date; /* seconds since the epoch */
	int64_t id;
};

/* smtp_message appends the whole message (headers, blank line, base64 body, CRLF line
 * ends) to out. ERR_INVALID for an address smtp_addr_ok refuses or text that is not UTF-8. */
int smtp_message(const struct smtp_mail *m, struct buf *out) WARN_UNUSED;

/* smtp_send delivers msg[0..n) from s->from to the address to through the server of s.
 * ERR_OK only when the server accepted the message (250 after DATA); otherwise ERR_IO with
 * a one-line reason in err[errn] (curl's error). Blocks up to a minute. */
int smtp_send(const struct smtp_server *s, const char *to, const char *msg, size_t n, char *err,
	      size_t errn) WARN_UNUSED;

#endif
