/*
 * log.h - one-line log records on stderr: "2024-07-10T02:00:00Z level message".
 * Thread-safe: each record is written with a single write(2).
 */
#ifndef SHENLIAO_BASE_LOG_H
#define SHENLIAO_BASE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* log_set_level drops records below level. Call before threads start. */
void log_set_level(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
