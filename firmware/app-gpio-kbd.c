/* app-gpio-kbd.c — the simulator's keyboard: single keys press GPIO inputs on the fake backend (see app-gpio-int.h). */
#include "app-gpio-int.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "gpio-fake.h"

void mc_app_gpio_restore_keyboard(struct mc_app_gpio *g)
{
	if (g->kbd_fd < 0)
		return;
	if (g->loop)
		mc_loop_del_fd(g->loop, g->kbd_fd);
	tcsetattr(g->kbd_fd, TCSANOW, &g->kbd_saved);
	g->kbd_fd = -1;
}

/* ---- simulator keyboard ------------------------------------------------ */

static const char kbd_keys[] = "1234567890qwertyuiopasdfghjklzxcvbnm";

static void on_key(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_app_gpio *g = ctx;
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf));

	(void)loop;
	(void)mask;
	if (n <= 0) {
		mc_app_gpio_restore_keyboard(g);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		const char *k = strchr(kbd_keys, tolower((unsigned char)buf[i]));
		int idx = k && buf[i] ? (int)(k - kbd_keys) : -1;
		if (idx < 0 || idx >= g->ninputs)
			continue;
		mc_app_gpio_inject(g, &g->inputs[idx], isupper((unsigned char)buf[i]) ? "long" : "short", false);
	}
}

int mc_app_gpio_keyboard(struct mc_app_gpio *g, int fd)
{
	struct termios raw;

	if (!g->fake || !g->loop || !isatty(fd) || !g->ninputs || tcgetattr(fd, &g->kbd_saved) < 0)
		return -1;
	raw = g->kbd_saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -1;
	g->kbd_fd = fd;
	if (mc_loop_add_fd(g->loop, fd, MC_READ, on_key, g) < 0) {
		mc_app_gpio_restore_keyboard(g);
		return -1;
	}
	printf("[GPIO] Phím bấm thay cho nút GPIO (chữ hoa: bấm giữ) / keys press GPIO inputs "
	       "(upper case: long press):\n");
	for (int i = 0; i < g->ninputs && kbd_keys[i]; i++)
		printf("  %c  %-24s %s\n", kbd_keys[i], g->inputs[i].what, mc_gpio_line_name(g->inputs[i].line));
	fflush(stdout);
	return 0;
}
