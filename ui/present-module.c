/* present-module.c — kioskd's mc_present_*: the presenter itself
 * (present-sdl.c, the screens' drawing and SDL2) is the module
 * lib/motcua/screen.so, loaded by the first mc_present_new() (see
 * present.h, struct mc_present_api). A kiosk without a screen never loads
 * it. The handle given out wraps the module's presenter with its table. */
#include "present.h"
#include "module.h"

#include <stdio.h>
#include <stdlib.h>

/* What kioskd holds as a struct mc_present: never dereferenced outside this
 * file. */
struct handle {
	const struct mc_present_api *api;
	struct mc_present *inner;        /* the module's presenter */
};

static struct handle *H(struct mc_present *p)
{
	return (struct handle *)(void *)p;
}

struct mc_present *mc_present_new(struct mc_loop *loop, const struct mc_present_options *o,
				  mc_present_fn fn, void *ctx, char *err, size_t errlen)
{
	char why[512];
	const struct mc_present_api *api = mc_module_symbol("screen", "mc_present_api", why, sizeof(why));

	if (!api || api->version != MC_PRESENT_API_VERSION) {
		snprintf(err, errlen, "%s", api ? "the screen module is of another version" : why);
		return NULL;
	}
	struct handle *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->api = api;
	h->inner = api->create(loop, o, fn, ctx, err, errlen);
	if (!h->inner) {
		free(h);
		return NULL;
	}
	return (struct mc_present *)(void *)h;
}

void mc_present_free(struct mc_present *p)
{
	if (!p)
		return;
	H(p)->api->destroy(H(p)->inner);
	free(H(p));
}

void mc_present_set_view(struct mc_present *p, const struct mc_view *v)
{
	H(p)->api->set_view(H(p)->inner, v);
}

void mc_present_set_result(struct mc_present *p, const struct mc_view_result *r)
{
	H(p)->api->set_result(H(p)->inner, r);
}

void mc_present_set_message(struct mc_present *p, const char *text)
{
	H(p)->api->set_message(H(p)->inner, text);
}

void mc_present_set_message_key(struct mc_present *p, enum mc_str key)
{
	H(p)->api->set_message_key(H(p)->inner, key);
}

int mc_present_screenshot(struct mc_present *p, bool hall, const char *path, uint64_t token)
{
	return H(p)->api->screenshot(H(p)->inner, hall, path, token);
}

int mc_present_touch(struct mc_present *p, const char *name, double x, double y)
{
	return H(p)->api->touch(H(p)->inner, name, x, y);
}

int mc_present_touch_hall(struct mc_present *p, double x, double y)
{
	return H(p)->api->touch_hall(H(p)->inner, x, y);
}

int mc_present_show(struct mc_present *p, enum mc_screen_id id, enum mc_notice n, enum mc_lang lang)
{
	return H(p)->api->show(H(p)->inner, id, n, lang);
}

int mc_present_enter_tech(struct mc_present *p)
{
	return H(p)->api->enter_tech(H(p)->inner);
}

int mc_present_ping(struct mc_present *p, uint64_t token)
{
	return H(p)->api->ping(H(p)->inner, token);
}

void mc_present_get_stats(struct mc_present *p, struct mc_present_stats *st)
{
	H(p)->api->get_stats(H(p)->inner, st);
}
