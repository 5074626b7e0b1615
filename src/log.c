/* log.c: the only module that talks to syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int mirror;
static int debug_all;
static int max_prio = LOG_INFO;

void
log_init(int to_stderr, int debug)
{
	mirror = to_stderr;
	debug_all = debug;
	openlog(LOG_IDENT, LOG_PID, LOG_AUTHPRIV);
}

void
log_set_level(int prio)
{
	max_prio = prio;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t i, n;

	if (prio > max_prio && !(debug_all && prio == LOG_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Values from IMDS end up here: one line, no terminal escapes. */
	n = strlen(line);
	for (i = 0; i < n; i++) {
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] == 0x7f)
			line[i] = '?';
	}
	if (prio <= max_prio)
		syslog(LOG_AUTHPRIV | prio, "%s", line);
	if (mirror)
		dprintf(STDERR_FILENO, "%s: %s\n", LOG_IDENT, line);
}
