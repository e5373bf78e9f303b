/*
 * util.h - small pure helpers: checked integer parsing, hex, random tokens, time.
 */
#ifndef SHENLIAO_BASE_UTIL_H
#define SHENLIAO_BASE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* array_grow makes room for one more element of size sz in the array *arr_p (arr_p is the
 * address of any object pointer) of *n elements: returns the new element, zeroed, with *n
 * one more; or NULL when out of memory (the array is then unchanged). The pointer is
 * copied with memcpy, not written through a void ** (no aliasing of types). */
void *array_grow(void *arr_p, size_t *n, size_t sz);

/* num_parse parses a decimal integer in p[0..n) (optional '-', digits only, no spaces) within
 * [min, max] into *out. ERR_INVALID otherwise; *out unchanged on error. */
int num_parse(const char *p, size_t n, int64_t min, int64_t max, int64_t *out) WARN_UNUSED;

/* hex_encode writes 2n lower-case hex digits and a NUL to out (size >= 2n+1). */
void hex_encode(const unsigned char *p, size_t n, char *out);

/* rand_token fills out (size >= 2*bytes+1) with bytes random bytes as hex, from the kernel
 * CSPRNG via libsodium. Thread-safe (sodium_init must have run). */
void rand_token(size_t bytes, char *out);

/* hash_token writes the hex BLAKE2b-256 of token into out[65]; what we store for secrets. */
void hash_token(const char *token, size_t n, char out[65]);

/* time_now returns seconds since the epoch (UTC). time_now_us returns a monotonic clock in
 * microseconds, for durations. */
int64_t time_now(void);
int64_t time_now_us(void);

/* time_iso writes t as "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
void time_iso(int64_t t, char out[21]);

/* The body's time zone: China Standard Time, UTC+8 all year (no daylight saving), so a
 * fixed offset is exact. Times are stored as UTC seconds. */
#define TZ_OFFSET_S (8 * 3600)

/* time_parse reads "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM[:SS]" optionally
 * followed by "Z" or "+HH:MM"/"-HH:MM" (no offset means the body's time zone) into UTC
 * seconds. ERR_INVALID on anything else or an impossible date. */
int time_parse(const char *s, int64_t *out) WARN_UNUSED;

/* time_local writes t in the body's time zone as "YYYY-MM-DDTHH:MM:SS+08:00" (out[26]). */
void time_local(int64_t t, char out[26]);

/* time_fmt writes t in the body's time zone with strftime format fmt. */
void time_fmt(int64_t t, const char *fmt, char *out, size_t n);

/* time_year returns the year of t in the body's time zone. */
int time_year(int64_t t);

/* str_eq_ct compares two strings in time independent of where they differ. */
bool str_eq_ct(const char *a, const char *b);

#endif
