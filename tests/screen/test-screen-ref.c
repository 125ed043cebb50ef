/* test-screen-ref.c — every kiosk screen in Vietnamese and English and the
 * hall screen, at three panel sizes (800×480, 1920×1080, and 1280×800
 * rotated 90° to portrait), drawn through the real UI thread with SDL's
 * offscreen driver, read back with a screenshot and compared with reviewed
 * reference images (tests/screen/ref/) by a tolerant pixel metric.
 *
 * Usage: test-screen-ref REF_DIR OUT_DIR [--update]
 * --update writes the references (then look at every one before committing). */
#include "civil.h"
#include "i18n.h"
#include "loop.h"
#include "present.h"
#include "screen-harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_BAD 0.005     /* at most 0.5 % of pixels may differ noticeably */

static const struct {
	const char *name;
	const char *name_en;
} services[16] = {
	{ "Tư pháp – Hộ tịch", "Justice – Civil status" },
	{ "Đất đai – Xây dựng", "Land – Construction" },
	{ "Đăng ký kinh doanh", "Business registration" },
	{ "Lao động – Thương binh và Xã hội", "Labour, Invalids and Social Affairs" },
	{ "Chứng thực bản sao", "Certified copies" },
	{ "Y tế – Bảo hiểm", "Health – Insurance" },
	{ "Giáo dục", "Education" },
	{ "Văn hóa – Thể thao", "Culture – Sports" },
	{ "Tài nguyên – Môi trường", "Natural resources – Environment" },
	{ "Thuế – Phí", "Taxes – Fees" },
	{ "Công an – Cư trú", "Police – Residence" },
	{ "Quân sự", "Military affairs" },
	{ "Nông nghiệp", "Agriculture" },
	{ "Giao thông", "Transport" },
	{ "Khiếu nại – Tố cáo", "Complaints – Denunciations" },
	{ "Tiếp nhận hồ sơ khác", "Other applications" },
};

static void make_view(struct mc_view *v, int nservices)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->office, sizeof(v->office), "Trung tâm Phục vụ hành chính công phường Hoàn Kiếm");
	snprintf(v->office_en, sizeof(v->office_en), "Hoan Kiem Ward Public Administration Service Centre");
	v->nservices = nservices;
	for (int i = 0; i < nservices; i++) {
		snprintf(v->services[i].name, sizeof(v->services[i].name), "%s", services[i].name);
		snprintf(v->services[i].name_en, sizeof(v->services[i].name_en), "%s", services[i].name_en);
		v->services[i].waiting = (i * 7 + 3) % 13;
		v->services[i].est_wait_min = v->services[i].waiting * 4;
		v->services[i].prio_waiting = i % 3;
		v->services[i].prio_est_wait_min = (i % 3) * 3;
	}
	static const char *const missed[2] = { "1019", "B011" };
	v->nmissed = 2;
	for (int i = 0; i < 2; i++)
		snprintf(v->missed[i], sizeof(v->missed[i]), "%s", missed[i]);
	v->ncounters = 5;
	static const char *const serving[5] = { "1023", "2007", "", "B014", "1024" };
	for (int i = 0; i < 5; i++) {
		v->counters[i].number = i + 1;
		snprintf(v->counters[i].label, sizeof(v->counters[i].label), "%s", serving[i]);
		v->counters[i].paused = i == 2;
		v->counters[i].service = serving[i][0] ? 0 : -1;
	}
	static const char *const calls[4] = { "1024", "B014", "2007", "1023" };
	static const int call_counter[4] = { 5, 4, 2, 1 };
	v->ncalls = 4;
	for (int i = 0; i < 4; i++) {
		snprintf(v->calls[i].label, sizeof(v->calls[i].label), "%s", calls[i]);
		v->calls[i].counter = call_counter[i];
	}
	v->open = true;
	v->next_day = mc_days_from_civil(2026, 11, 26);
	v->next_minute = 7 * 60 + 30;
	v->printer = MC_VIEW_PRINTER_READY;
	snprintf(v->status, sizeof(v->status), "%s",
		 "{\"printer\":{\"state\":\"ready\",\"text\":\"sẵn sàng\",\"device\":\"usb:0416:5011\","
		 "\"printed\":42},\"bus\":{\"units\":[{\"online\":true},{\"online\":true},{\"online\":false}]},"
		 "\"gpio\":{\"backend\":\"libgpiod\",\"lines\":[1,2,3,4,5],\"recent\":[{}]}}");
	/* The technician menu's lines, as the app fills them while it is open. */
	struct mc_view_tech *t = &v->tech;
	snprintf(t->version, sizeof(t->version), "0.1.0");
	t->naddrs = 2;
	snprintf(t->addrs[0], sizeof(t->addrs[0]), "eth0 192.168.1.20");
	snprintf(t->addrs[1], sizeof(t->addrs[1]), "eth0 2001:db8::5");
	t->clock_trusted = true;
	snprintf(t->clock_mode, sizeof(t->clock_mode), "auto");
	snprintf(t->clock_source, sizeof(t->clock_source), "NTP synchronised (systemd-timedated)");
	t->volume = 80;
	t->played = 12;
	t->update = MC_VIEW_UPD_LISTED;
	t->nbundles = 2;
	snprintf(t->bundles[0].path, sizeof(t->bundles[0].path), "/media/usb-sda1/motcua-2.0.raucb");
	snprintf(t->bundles[0].version, sizeof(t->bundles[0].version), "2.0");
	t->bundles[0].installable = true;
	snprintf(t->bundles[1].path, sizeof(t->bundles[1].path), "/media/usb-sda1/other-board.raucb");
	snprintf(t->bundles[1].version, sizeof(t->bundles[1].version), "9.9");
	snprintf(t->bundles[1].why, sizeof(t->bundles[1].why),
		 "Dành cho loại máy khác: other-vendor (for another board; this kiosk is motcua-rpi4-arm64)");
}

/* One picture to take. */
struct shot {
	const char *name;
	enum mc_screen_id id;
	enum mc_notice notice;
	int nservices;
	bool closed, paused, printer_down, hall, result;
	bool clock;              /* the wall clock is not trusted */
	int page;                /* MC_SCR_TECH: enum mc_tech_page (0 main) */
	bool installing;         /* the update page while RAUC installs */
};

static const struct shot shots[] = {
	{ "home", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, false, false, false, false, false, 0, false },
	{ "home16", MC_SCR_HOME, MC_NOTICE_NONE, 16, false, false, false, false, false, false, 0, false },
	{ "priority", MC_SCR_PRIORITY, MC_NOTICE_NONE, 4, false, false, false, false, false, false, 0, false },
	{ "ticket", MC_SCR_TICKET, MC_NOTICE_NONE, 4, false, false, false, false, true, false, 0, false },
	{ "closed", MC_SCR_HOME, MC_NOTICE_NONE, 4, true, false, false, false, false, false, 0, false },
	{ "lunch", MC_SCR_HOME, MC_NOTICE_NONE, 4, true, false, false, false, false, false, 0, false },
	{ "printer", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, false, true, false, false, false, 0, false },
	{ "paused", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, true, false, false, false, false, 0, false },
	{ "busy", MC_SCR_NOTICE, MC_NOTICE_BUSY, 4, false, false, false, false, false, false, 0, false },
	{ "pin", MC_SCR_PIN, MC_NOTICE_NONE, 4, false, false, false, false, false, false, 0, false },
	{ "tech", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, false, 0, false },
	{ "hall", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, false, false, true, false, false, 0, false },
	{ "hall-closed", MC_SCR_HOME, MC_NOTICE_NONE, 4, true, false, false, true, false, false, 0, false },
	{ "clock", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, false, false, false, false, true, 0, false },
	{ "techclock", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, true, 0, false },
	{ "hallclock", MC_SCR_HOME, MC_NOTICE_NONE, 4, false, false, false, true, false, true, 0, false },
	{ "techsound", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, false, MC_TECH_SOUND, false },
	{ "techupdate", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, false, MC_TECH_UPDATE, false },
	{ "techinstall", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, false, MC_TECH_UPDATE, true },
	{ "techconfirm", MC_SCR_TECH, MC_NOTICE_NONE, 4, false, false, false, false, false, false, MC_TECH_CONFIRM, false },
};

static const struct {
	const char *name;
	int w, h, rotate;
} sizes[] = {
	{ "800x480", 800, 480, 0 },
	{ "1920x1080", 1920, 1080, 0 },
	{ "1280x800r90", 1280, 800, 90 },
};

int main(int argc, char **argv)
{
	struct harness h = { 0 };
	char err[256], out[512], ref[512], msg[256];
	int failures = 0, compared = 0;

	mc_i18n_prepare_env(); /* before any thread */
	if (argc < 3) {
		fprintf(stderr, "usage: %s REF_DIR OUT_DIR [--update]\n", argv[0]);
		return 2;
	}
	bool update = argc > 3 && !strcmp(argv[3], "--update");
	mkdir(argv[2], 0755);
	h.loop = mc_loop_new();
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		struct mc_present_options o = {
			.driver = "offscreen", .width = sizes[z].w, .height = sizes[z].h, .rotate = sizes[z].rotate,
			.hall = true, .hall_width = sizes[z].rotate ? sizes[z].h : sizes[z].w,
			.hall_height = sizes[z].rotate ? sizes[z].w : sizes[z].h, .hall_display = -1,
			.lang = MC_LANG_VI, .home_timeout_s = 600, .pin_hash = "", .localedir = MC_LOCALEDIR_BUILD,
			.fixed_clock = "09:41", .fixed_day = mc_days_from_civil(2026, 11, 25),
		};
		struct mc_present *p = mc_present_new(h.loop, &o, harness_event, &h, err, sizeof(err));
		if (!p) {
			fprintf(stderr, "FAIL: presenter did not start: %s\n", err);
			return 1;
		}
		for (size_t i = 0; i < sizeof(shots) / sizeof(shots[0]); i++) {
			const struct shot *s = &shots[i];
			for (int l = 0; l < MC_LANG_COUNT; l++) {
				if (s->hall && l > 0)
					continue; /* the hall is bilingual */
				if (!strcmp(s->name, "home16") && l > 0 && z != 1)
					continue;
				struct mc_view v;
				make_view(&v, s->nservices);
				v.open = !s->closed;
				v.issuing_paused = s->paused;
				v.clock = s->clock ? MC_VIEW_CLOCK_UNTRUSTED : MC_VIEW_CLOCK_OK;
				v.tech.clock_trusted = !s->clock;
				/* The lunch break: open again at 13:30 today. */
				if (!strcmp(s->name, "lunch")) {
					v.lunch = true;
					v.next_day = mc_days_from_civil(2026, 11, 25);
					v.next_minute = 13 * 60 + 30;
				}
				/* The hall and the technician menu with a staff alert. */
				if ((s->hall && !s->closed) || !strcmp(s->name, "tech")) {
					snprintf(v.alert, sizeof(v.alert), "Giấy in sắp hết: thay cuộn giấy");
					snprintf(v.alert_en, sizeof(v.alert_en), "Paper near its end: load a new roll");
				}
				if (s->printer_down) {
					v.printer = MC_VIEW_PRINTER_DOWN;
					snprintf(v.printer_text, sizeof(v.printer_text), "Hết giấy (out of paper)");
				}
				if (s->installing) {
					v.tech.update = MC_VIEW_UPD_INSTALLING;
					v.tech.update_pct = 40;
					snprintf(v.tech.update_msg, sizeof(v.tech.update_msg), "Copying image to rootfs.1");
					snprintf(v.tech.update_path, sizeof(v.tech.update_path), "%s", v.tech.bundles[0].path);
				}
				mc_present_set_view(p, &v);
				if (s->result) {
					struct mc_view_result r = { .outcome = MC_VIEW_ISSUED, .service = 0, .printing = true,
								    .ahead = 4, .est_wait_min = 12 };
					snprintf(r.label, sizeof(r.label), "1025");
					mc_present_set_result(p, &r);
				}
				/* The view and the result are applied before this. */
				if (s->page)
					mc_present_show_tech(p, (enum mc_tech_page)s->page, (enum mc_lang)l);
				else
					mc_present_show(p, s->id, s->notice, (enum mc_lang)l);
				if (harness_sync(&h, p) < 0) {
					fprintf(stderr, "FAIL: UI thread did not answer\n");
					return 1;
				}
				char base[128];
				snprintf(base, sizeof(base), "%s-%s%s%s", s->name, sizes[z].name, s->hall ? "" : "-",
					 s->hall ? "" : mc_lang_code((enum mc_lang)l));
				snprintf(out, sizeof(out), "%s/%s.png", argv[2], base);
				snprintf(ref, sizeof(ref), "%s/%s.png", argv[1], base);
				if (harness_shot(&h, p, s->hall, out) < 0) {
					failures++;
					continue;
				}
				if (update) {
					char cmd[1200];
					snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", out, ref);
					if (system(cmd) != 0)
						failures++;
					continue;
				}
				double d = image_diff(out, ref, msg, sizeof(msg));
				compared++;
				if (d < 0 || d > MAX_BAD) {
					fprintf(stderr, "FAIL: %s: %s (got %s)\n", base, msg, out);
					failures++;
				} else {
					printf("ok: %s: %s\n", base, msg);
				}
			}
		}
		mc_present_free(p);
	}
	mc_loop_free(h.loop);
	printf("%d images compared, %d failures\n", compared, failures);
	return failures ? 1 : 0;
}
