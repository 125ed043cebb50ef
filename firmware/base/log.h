/* log.h — kioskd's log lines: stderr, with syslog priority prefixes that
 * journald understands when kioskd runs under systemd. */
#ifndef MC_LOG_H
#define MC_LOG_H

/* Priorities, as syslog's. */
enum { MC_LOG_ERR = 3, MC_LOG_WARNING = 4, MC_LOG_NOTICE = 5, MC_LOG_INFO = 6, MC_LOG_DEBUG = 7 };

/* Writes one line at priority prio. Thread-safe (one write per line). */
void mc_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
