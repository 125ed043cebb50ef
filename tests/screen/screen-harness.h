/* screen-harness.h — helpers shared by the screen tests and the benchmark:
 * a loop that waits for presenter events, and a tolerant image comparison. */
#ifndef MC_SCREEN_HARNESS_H
#define MC_SCREEN_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "present.h"

struct mc_loop;

/* Collects presenter events on the loop thread. */
struct harness {
	struct mc_loop *loop;         /* loop the presenter reports to */
	uint64_t pong;                /* last MC_PE_PONG token */
	uint64_t shot;                /* last MC_PE_SCREENSHOT token */
	bool shot_ok;                 /* its outcome */
	char shot_err[256];           /* its message */
	struct mc_screen_req reqs[32];/* requests seen */
	int nreqs;
	unsigned long frames;         /* MC_PE_FRAME events */
};

/* mc_present_fn for a struct harness. */
void harness_event(void *ctx, const struct mc_present_event *ev);
/* Runs the loop until p answered a ping (every earlier message handled). */
int harness_sync(struct harness *h, struct mc_present *p);
/* Takes a screenshot into path and waits for it. Returns 0 or -1. */
int harness_shot(struct harness *h, struct mc_present *p, bool hall, const char *path);
/* Runs the loop until pred(ctx), or -1 after timeout_ms times
 * MC_TEST_TIMEOUT_SCALE (a hang guard; ctest sets the scale). Returns 0 or -1.
 * harness_sync and harness_shot guard their waits the same way (30 s). */
int harness_until(struct harness *h, bool (*pred)(void *ctx), void *ctx, int timeout_ms);

/* Compares two PNG files: counts pixels whose channels differ by more than
 * 48 out of 255. Returns the fraction of such pixels (0..1), or -1 when a
 * file is missing or the sizes differ (msg says which). */
double image_diff(const char *a, const char *b, char *msg, size_t len);

#endif
