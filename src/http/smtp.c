/*
 * smtp.c - one e-mail through libcurl's SMTP, and the message it carries (smtp.h).
 */
#include "http/smtp.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"

bool smtp_addr_ok(const char *addr)
{
	const char *at, *c;
	size_t n;

	if (!addr)
		return false;
	n = strlen(addr);
	at = strchr(addr, '@');
	if (n < 3 || n > 254 || !at || at == addr || !at[1] || strchr(at + 1, '@'))
		return false;
	for (c = addr; *c; c++) {
		unsigned char ch = (unsigned char)*c;

		if (ch <= 0x20 || ch >= 0x7f || strchr("<>\"(),;:\\[]", ch))
			return false;
	}
	return true;
}

/* host_port_ok: a host of letters, digits, ".-" (or an [IPv6] literal) and :PORT. */
static bool host_port_ok(const char *hp)
{
	const char *colon = strrchr(hp, ':'), *c;
	long port;
	char *end;

	if (!colon || colon == hp || !colon[1])
		return false;
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return false;
	if (hp[0] == '[') {
		if (colon[-1] != ']' || colon - hp < 3)
			return false;
		for (c = hp + 1; c < colon - 1; c++)
			if (!strchr("0123456789abcdefABCDEF:.", *c))
				return false;
		return true;
	}
	for (c = hp; c < colon; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
			return false;
	return true;
}

static int set_field(char *dst, size_t cap, const char *src)
{
	int n = snprintf(dst, cap, "%s", src ? src : "");

	return n < 0 || (size_t)n >= cap ? ERR_INVALID : ERR_OK;
}

int smtp_server_set(struct smtp_server *s, const char *host_port, const char *from,
		    const char *user, const char *password, const char *ca_file)
{
	int n;

	memset(s, 0, sizeof(*s));
	if (!host_port || !host_port_ok(host_port) || !smtp_addr_ok(from))
		return ERR_INVALID;
	n = snprintf(s->url, sizeof(s->url), "smtp://%s", host_port);
	if (n < 0 || (size_t)n >= sizeof(s->url))
		return ERR_INVALID;
	if (set_field(s->from, sizeof(s->from), from) ||
	    set_field(s->user, sizeof(s->user), user) ||
	    set_field(s->password, sizeof(s->password), password) ||
	    set_field(s->ca_file, sizeof(s->ca_file), ca_file)) {
		smtp_server_fini(s);
		return ERR_INVALID;
	}
	return ERR_OK;
}

void smtp_server_fini(struct smtp_server *s)
{
	sodium_memzero(s->password, sizeof(s->password));
}

int smtp_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ERR_OK : ERR_IO;
}

void smtp_global_fini(void)
{
	curl_global_cleanup();
}

/* --- the message --- */

/* b64 appends the base64 of p[0..n) (no line breaks). */
static int b64(struct buf *out, const void *p, size_t n)
{
	char tmp[4 * 60 / 3 + 4];
	const unsigned char *u = p;
	size_t i, k;
	int rc;

	for (i = 0; i < n; i += k) {
		k = n - i < 60 ? n - i : 60;
		sodium_bin2base64(tmp, sizeof(tmp), u + i, k, sodium_base64_VARIANT_ORIGINAL);
		rc = buf_puts(out, tmp);
		if (rc)
			return rc;
	}
	return ERR_OK;
}

/* encoded_words appends text as RFC 2047 "B" encoded-words of at most 42 bytes of UTF-8
 * each (so a word is at most 68 characters and "Subject: " and it fit in 78), never
 * splitting a character, folded onto continuation lines. */
static int encoded_words(struct buf *out, const char *text)
{
	size_t n = strlen(text), i = 0, k;
	int rc = ERR_OK;

	if (n == 0)
		return ERR_OK;
	while (!rc && i < n) {
		k = n - i < 42 ? n - i : 42;
		while (i + k < n && ((unsigned char)text[i + k] & 0xC0) == 0x80)
			k--; /* the next byte continues a character: end before its start */
		if (i > 0)
			rc = buf_puts(out, "\r\n ");
		if (!rc)
			rc = buf_puts(out, "=?UTF-8?B?");
		if (!rc)
			rc = b64(out, text + i, k);
		if (!rc)
			rc = buf_puts(out, "?=");
		i += k;
	}
	return rc;
}

/* body_base64 appends text with its line ends made CRLF, base64 encoded in lines of 76. */
static int body_base64(struct buf *out, const char *text)
{
	struct buf crlf, enc;
	size_t i;
	int rc = ERR_OK;

	buf_init(&crlf, 4 << 20);
	buf_init(&enc, 8 << 20);
	for (i = 0; !rc && text[i]; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			rc = buf_putc(&crlf, '\r');
		if (!rc)
			rc = buf_putc(&crlf, text[i]);
	}
	if (!rc)
		rc = b64(&enc, crlf.p ? crlf.p : "", crlf.n);
	for (i = 0; !rc && i < enc.n; i += 76) {
		rc = buf_append(out, enc.p + i, enc.n - i < 76 ? enc.n - i : 76);
		if (!rc)
			rc = buf_puts(out, "\r\n");
	}
	buf_fini(&crlf);
	buf_fini(&enc);
	return rc;
}

int smtp_message(const struct smtp_mail *m, struct buf *out)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	unsigned char rnd[6];
	time_t t = (time_t)m->date;
	struct tm tm;
	int rc;

	if (!smtp_addr_ok(m->from) || !smtp_addr_ok(m->to) || !m->subject || !m->body ||
	    !utf8_valid(m->subject, strlen(m->subject)) || !utf8_valid(m->body, strlen(m->body)) ||
	    !gmtime_r(&t, &tm))
		return ERR_INVALID;
	randombytes_buf(rnd, sizeof(rnd));
	/* English day and month names whatever the locale (RFC 5322 section 3.3) */
	rc = buf_printf(out,
			"From: <%s>\r\nTo: <%s>\r\nDate: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n"
			"Message-ID: <%lld.%lld.%02x%02x%02x%02x%02x%02x.shenliao%s>\r\nSubject: ",
			m->from, m->to, days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
			tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)m->date,
			(long long)m->id, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
			strchr(m->from, '@'));
	if (!rc)
		rc = encoded_words(out, m->subject);
	if (!rc)
		rc = buf_puts(out, "\r\nMIME-Version: 1.0\r\n"
				   "Content-Type: text/plain; charset=UTF-8\r\n"
				   "Content-Transfer-Encoding: base64\r\n"
				   "Auto-Submitted: auto-generated\r\n\r\n");
	if (!rc)
		rc = body_base64(out, m->body);
	return rc;
}

/* --- the conversation --- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nitems, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nitems < u->left ? size * nitems : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

int smtp_send(const struct smtp_server *s, const char *to, const char *msg, size_t n, char *err,
	      size_t errn)
{
	char curl_err[CURL_ERROR_SIZE] = "", from[330], rcpt_s[330];
	struct curl_slist *rcpt = NULL;
	struct upload up = {msg, n};
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	CURL *c;

	if (errn)
		err[0] = '\0';
	if (!smtp_addr_ok(to)) {
		snprintf(err, errn, "not an address that can be sent to");
		return ERR_INVALID;
	}
	snprintf(from, sizeof(from), "<%s>", s->from);
	snprintf(rcpt_s, sizeof(rcpt_s), "<%s>", to);
	c = curl_easy_init();
	rcpt = curl_slist_append(NULL, rcpt_s);
	if (c && rcpt) {
		curl_easy_setopt(c, CURLOPT_URL, s->url);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp");
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
		/* STARTTLS when offered; required when a password would cross the network */
		curl_easy_setopt(c, CURLOPT_USE_SSL,
				 s->user[0] ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
		if (s->ca_file[0])
			curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
		if (s->user[0]) {
			curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
			curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
		}
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)n);
		cc = curl_easy_perform(c);
	}
	if (cc != CURLE_OK)
		snprintf(err, errn, "%s%s%s", curl_easy_strerror(cc), curl_err[0] ? ": " : "",
			 curl_err);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? ERR_OK : ERR_IO;
}
