/* lsan-canary.c — proof that the screens' LeakSanitizer suppressions
 * (tests/screen/lsan.supp) hide only the libraries' own memory: it opens
 * the presenter headless (SDL_Init through ui/present-sdl.c, where SDL 2.32
 * keeps a few blocks past SDL_Quit), closes it, then loses two blocks of
 * its own: one from malloc, and an SDL surface it never frees (allocated by
 * SDL's code below a frame of ours). Run by test_lsan_canary.py with the
 * screen tests' sanitizer options, which expects both reported and nothing
 * from below present-sdl.c's SDL_Init frame. Sanitizer tree only. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "screen-harness.h"

/* Written then cleared, so the compiler keeps the allocations. */
static void *volatile sink;

__attribute__((noinline)) static void canary_own_leak(void)
{
	sink = malloc(4242);
	memset(sink, 1, 4242);
	sink = NULL;
}

__attribute__((noinline)) static void canary_surface_leak(void)
{
	sink = SDL_CreateRGBSurfaceWithFormat(0, 33, 33, 32, SDL_PIXELFORMAT_ARGB8888);
	sink = NULL;
}

int main(void)
{
	struct harness h = { 0 };
	struct mc_present_options o = {
		.driver = "offscreen", .width = 320, .height = 200, .lang = MC_LANG_VI, .home_timeout_s = 20,
		.pin_hash = "", .localedir = MC_LOCALEDIR_BUILD, .fixed_clock = "08:00",
	};
	char err[256] = "";

	h.loop = mc_loop_new();
	struct mc_present *p = mc_present_new(h.loop, &o, harness_event, &h, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "presenter: %s\n", err);
		return 2;
	}
	if (harness_sync(&h, p) < 0) {
		fprintf(stderr, "presenter did not answer\n");
		return 2;
	}
	mc_present_free(p);
	mc_loop_free(h.loop);
	canary_own_leak();
	canary_surface_leak();
	puts("canary: presenter opened and closed, two blocks lost");
	fflush(stdout); /* LeakSanitizer ends the process before stdio would */
	return 0;
}
