/* log.h: diagnostics and audit lines to syslog (authpriv), mirrored to stderr in debug use. */
#ifndef EIC_LOG_H
#define EIC_LOG_H

#include <syslog.h>

#define LOG_IDENT "ec2-instance-connect"

/*
 * Opens syslog. With to_stderr every logged line is also written to stderr;
 * with debug, debug lines are logged whatever the configured level.
 */
void log_init(int to_stderr, int debug);

/* Drops messages less important than prio (LOG_ERR .. LOG_DEBUG). */
void log_set_level(int prio);

/* Logs one line; control bytes in the result are replaced by '?'. */
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
