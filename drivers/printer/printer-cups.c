/* printer-cups.c — cups:QUEUE, a raw job through the CUPS API: the ESC/POS
 * bytes go to the queue unfiltered (CUPS_FORMAT_RAW), and the job is
 * followed until it completes or fails. A job that is neither done nor
 * failed in time is cancelled, so it can never come out later as a second
 * copy. The server is CUPS's default (CUPS_SERVER, client.conf). */
#include "printer.h"
#include "module.h"

#include <cups/cups.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cups_printer {
	char queue[256];   /* destination name */
	int timeout_ms;    /* per step; a job may take 10 times this */
};

static int cups_open(void **priv, const char *arg, const struct mc_printer_options *opt,
		     char *err, size_t errlen)
{
	struct cups_printer *c;

	if (!arg[0] || strchr(arg, '/')) {
		snprintf(err, errlen, "cups:%s: expected cups:QUEUE (a queue name)", arg);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(c->queue, sizeof(c->queue), "%s", arg);
	c->timeout_ms = opt && opt->timeout_ms > 0 ? opt->timeout_ms : 3000;
	*priv = c;
	return 0;
}

/* Maps the queue's printer-state and printer-state-reasons. */
static enum mc_escpos_state dest_state(cups_dest_t *dest)
{
	const char *state = cupsGetOption("printer-state", dest->num_options, dest->options);
	const char *reasons = cupsGetOption("printer-state-reasons", dest->num_options, dest->options);

	if (reasons) {
		if (strstr(reasons, "cover-open") || strstr(reasons, "door-open"))
			return MC_ESCPOS_COVER_OPEN;
		if (strstr(reasons, "media-empty") || strstr(reasons, "media-needed"))
			return MC_ESCPOS_PAPER_OUT;
		if (strstr(reasons, "offline"))
			return MC_ESCPOS_OFFLINE;
	}
	if (state && atoi(state) == IPP_PSTATE_STOPPED)
		return MC_ESCPOS_OFFLINE;
	if (reasons && strstr(reasons, "-error"))
		return MC_ESCPOS_ERROR;
	if (reasons && strstr(reasons, "media-low"))
		return MC_ESCPOS_NEAR_END;
	return MC_ESCPOS_READY;
}

static cups_dest_t *get_dest(struct cups_printer *c, char *err, size_t errlen)
{
	cups_dest_t *dest = cupsGetNamedDest(CUPS_HTTP_DEFAULT, c->queue, NULL);

	if (!dest)
		snprintf(err, errlen, "hàng in CUPS '%s' không có (CUPS queue not found: %s)", c->queue,
			 cupsLastErrorString());
	return dest;
}

static int cups_status(void *priv, enum mc_escpos_state *st, char *err, size_t errlen)
{
	cups_dest_t *dest = get_dest(priv, err, errlen);

	if (!dest)
		return -1;
	*st = dest_state(dest);
	cupsFreeDests(1, dest);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Follows job id until it is done. 0 completed, -1 failed (err filled). */
static int follow_job(struct cups_printer *c, int id, char *err, size_t errlen)
{
	long waited = 0, limit = 10L * c->timeout_ms;

	for (;;) {
		cups_job_t *jobs = NULL;
		int n = cupsGetJobs2(CUPS_HTTP_DEFAULT, &jobs, c->queue, 0, CUPS_WHICHJOBS_ALL);
		ipp_jstate_t state = IPP_JSTATE_PENDING;
		bool found = false;
		for (int i = 0; i < n; i++)
			if (jobs[i].id == id) {
				state = jobs[i].state;
				found = true;
			}
		cupsFreeJobs(n, jobs);
		if (found && state == IPP_JSTATE_COMPLETED)
			return 0;
		if (found && (state == IPP_JSTATE_CANCELED || state == IPP_JSTATE_ABORTED)) {
			snprintf(err, errlen, "CUPS job %d failed (%s)", id,
				 state == IPP_JSTATE_CANCELED ? "canceled" : "aborted");
			return -1;
		}
		if (waited >= limit || (found && state == IPP_JSTATE_STOPPED)) {
			cupsCancelJob2(CUPS_HTTP_DEFAULT, c->queue, id, 1);
			snprintf(err, errlen, "CUPS job %d not printed in time; cancelled so it never prints twice", id);
			return -1;
		}
		sleep_ms(50);
		waited += 50;
	}
}

static int cups_print(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		      enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen)
{
	struct cups_printer *c = priv;
	cups_dinfo_t *info = NULL;
	int id = 0, rc = -1;
	cups_dest_t *dest = get_dest(c, err, errlen);

	if (!dest)
		return -1;
	*st = dest_state(dest);
	if (!mc_escpos_state_can_print(*st)) {
		snprintf(err, errlen, "%s", mc_escpos_state_text(*st));
		goto out;
	}
	info = cupsCopyDestInfo(CUPS_HTTP_DEFAULT, dest);
	if (!info) {
		snprintf(err, errlen, "CUPS queue %s: %s", c->queue, cupsLastErrorString());
		goto out;
	}
	if (cupsCreateDestJob(CUPS_HTTP_DEFAULT, dest, info, &id, "motcua ticket", 0, NULL) != IPP_STATUS_OK) {
		snprintf(err, errlen, "CUPS queue %s refused the job: %s", c->queue, cupsLastErrorString());
		goto out;
	}
	if (cupsStartDestDocument(CUPS_HTTP_DEFAULT, dest, info, id, "ticket", CUPS_FORMAT_RAW, 0, NULL, 1) !=
	    HTTP_STATUS_CONTINUE) {
		snprintf(err, errlen, "CUPS job %d: %s", id, cupsLastErrorString());
		cupsCancelJob2(CUPS_HTTP_DEFAULT, c->queue, id, 1);
		goto out;
	}
	if (cupsWriteRequestData(CUPS_HTTP_DEFAULT, (const char *)data, len) != HTTP_STATUS_CONTINUE) {
		snprintf(err, errlen, "CUPS job %d: sending failed: %s", id, cupsLastErrorString());
		cupsFinishDestDocument(CUPS_HTTP_DEFAULT, dest, info);
		cupsCancelJob2(CUPS_HTTP_DEFAULT, c->queue, id, 1);
		goto out;
	}
	if (cupsFinishDestDocument(CUPS_HTTP_DEFAULT, dest, info) != IPP_STATUS_OK) {
		snprintf(err, errlen, "CUPS job %d: %s", id, cupsLastErrorString());
		cupsCancelJob2(CUPS_HTTP_DEFAULT, c->queue, id, 1);
		goto out;
	}
	*sent = len;
	rc = follow_job(c, id, err, errlen);
out:
	if (info)
		cupsFreeDestInfo(info);
	cupsFreeDests(1, dest);
	return rc;
}

static void cups_close(void *priv)
{
	free(priv);
}

MC_MODULE_EXPORT const struct mc_printer_ops mc_printer_cups_ops = {
	.version = 1,
	.scheme = "cups",
	.open = cups_open,
	.status = cups_status,
	.print = cups_print,
	.close = cups_close,
};
