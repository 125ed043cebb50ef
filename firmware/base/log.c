/* log.c — log lines to stderr (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mc_log(int prio, const char *fmt, ...)
{
	char line[1024];
	int n = 0;
	va_list ap;

	/* Under systemd (JOURNAL_STREAM set), "<N>" gives the line its priority. */
	if (getenv("JOURNAL_STREAM"))
		n = snprintf(line, sizeof(line), "<%d>", prio);
	else if (prio <= MC_LOG_WARNING)
		n = snprintf(line, sizeof(line), "%s: ", prio == MC_LOG_ERR ? "error" : "warning");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0) {
		/* Nowhere left to report it. */
	}
}
