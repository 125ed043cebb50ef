/* escpos.c — ESC/POS commands into a byte buffer and status replies into
 * one printer state (see escpos.h). Pure: no I/O. */
#include "escpos.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void mc_escpos_buf_free(struct mc_escpos_buf *b)
{
	if (!b)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void mc_escpos_buf_reset(struct mc_escpos_buf *b)
{
	b->len = 0;
	b->failed = false;
}

/* Makes room for n more bytes; false (and failed set) if it cannot. */
static bool reserve(struct mc_escpos_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		b->failed = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

static void put(struct mc_escpos_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static uint8_t clamp_byte(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

void mc_escpos_init(struct mc_escpos_buf *b)
{
	static const uint8_t cmd[] = { 0x1b, 0x40 };

	put(b, cmd, sizeof(cmd));
}

void mc_escpos_realtime_off(struct mc_escpos_buf *b)
{
	static const uint8_t cmd[] = { 0x1d, 0x28, 0x44, 0x05, 0x00, 0x14, 0x01, 0x00, 0x02, 0x00 };

	put(b, cmd, sizeof(cmd));
}

/* One GS v 0 command for rows [y, y + rows) of img. */
static void raster_chunk(struct mc_escpos_buf *b, const struct mc_escpos_image *img, int y, int rows)
{
	size_t xb = (size_t)(img->width + 7) / 8;
	uint8_t head[8] = { 0x1d, 0x76, 0x30, 0x00, (uint8_t)(xb & 0xff), (uint8_t)(xb >> 8),
			    (uint8_t)(rows & 0xff), (uint8_t)(rows >> 8) };

	if (!reserve(b, sizeof(head) + xb * (size_t)rows))
		return;
	put(b, head, sizeof(head));
	for (int r = 0; r < rows; r++) {
		const uint8_t *src = img->bits + (size_t)(y + r) * (size_t)img->stride;
		uint8_t *dst = b->data + b->len;
		memcpy(dst, src, xb);
		/* Dots beyond width are padding: always white. */
		if (img->width % 8)
			dst[xb - 1] &= (uint8_t)(0xff << (8 - img->width % 8));
		b->len += xb;
	}
}

int mc_escpos_raster(struct mc_escpos_buf *b, const struct mc_escpos_image *img, int chunk)
{
	if (!img || !img->bits || img->width < 1 || img->height < 0 ||
	    img->stride < (img->width + 7) / 8 || (img->width + 7) / 8 > 0xffff ||
	    chunk < 1 || chunk > MC_ESCPOS_MAX_CHUNK) {
		errno = EINVAL;
		return -1;
	}
	int y = 0;
	while (y < img->height) {
		int rows = img->height - y < chunk ? img->height - y : chunk;
		/* Keep every command's height off multiples of 48. */
		if (rows % 48 == 0 && rows > 1)
			rows--;
		raster_chunk(b, img, y, rows);
		y += rows;
	}
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void mc_escpos_feed(struct mc_escpos_buf *b, int lines)
{
	uint8_t cmd[] = { 0x1b, 0x64, clamp_byte(lines) };

	put(b, cmd, sizeof(cmd));
}

void mc_escpos_cut(struct mc_escpos_buf *b, bool full, int feed)
{
	uint8_t cmd[] = { 0x1d, 0x56, full ? 0x41 : 0x42, clamp_byte(feed) };

	put(b, cmd, sizeof(cmd));
}

int mc_escpos_status_query(struct mc_escpos_buf *b, int n)
{
	if (n < 1 || n > 4) {
		errno = EINVAL;
		return -1;
	}
	uint8_t cmd[] = { 0x10, 0x04, (uint8_t)n };
	put(b, cmd, sizeof(cmd));
	return 0;
}

int mc_escpos_job(struct mc_escpos_buf *b, const struct mc_escpos_image *img,
		  const struct mc_escpos_job_opts *opts)
{
	int chunk = opts->chunk_rows ? opts->chunk_rows : MC_ESCPOS_DEFAULT_CHUNK;

	if (opts->feed_lines < 0 || opts->feed_lines > 255) {
		errno = EINVAL;
		return -1;
	}
	mc_escpos_init(b);
	if (opts->realtime_off)
		mc_escpos_realtime_off(b);
	if (mc_escpos_raster(b, img, chunk) < 0)
		return -1;
	mc_escpos_feed(b, opts->feed_lines);
	mc_escpos_cut(b, opts->full_cut, 0);
	if (b->failed) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- status ------------------------------------------------------------ */

bool mc_escpos_is_status_byte(uint8_t b)
{
	return (b & 0x93) == 0x12;
}

int mc_escpos_status_set(struct mc_escpos_status *s, int n, uint8_t b)
{
	if (n < 1 || n > 4 || !mc_escpos_is_status_byte(b)) {
		errno = EINVAL;
		return -1;
	}
	s->reply[n] = b;
	s->have[n] = true;
	return 0;
}

enum mc_escpos_state mc_escpos_status_state(const struct mc_escpos_status *s)
{
	const uint8_t *r = s->reply;

	if (!s->have[1] && !s->have[2] && !s->have[3] && !s->have[4])
		return MC_ESCPOS_UNKNOWN;
	if (s->have[2] && (r[2] & 0x04))
		return MC_ESCPOS_COVER_OPEN;
	if ((s->have[4] && (r[4] & 0x60) == 0x60) || (s->have[2] && (r[2] & 0x20)))
		return MC_ESCPOS_PAPER_OUT;
	if ((s->have[2] && (r[2] & 0x40)) || (s->have[3] && (r[3] & 0x68)))
		return MC_ESCPOS_ERROR;
	if (s->have[1] && (r[1] & 0x08))
		return MC_ESCPOS_OFFLINE;
	if (s->have[4] && (r[4] & 0x0c) == 0x0c)
		return MC_ESCPOS_NEAR_END;
	return MC_ESCPOS_READY;
}

void mc_escpos_reply_start(struct mc_escpos_reply *r, int n, bool echoes)
{
	memset(r, 0, sizeof(*r));
	r->query = n;
	r->echoes = echoes;
}

int mc_escpos_reply_feed(struct mc_escpos_reply *r, const uint8_t *buf, size_t len, uint8_t *b,
			 size_t *used)
{
	const uint8_t q[3] = { 0x10, 0x04, (uint8_t)r->query };

	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		/* The query's echo, byte by byte (none of its bytes is a status byte). */
		if (c == q[r->matched]) {
			if (++r->matched == 3) {
				r->matched = 0;
				r->echo_seen = true;
			}
			continue;
		}
		r->matched = c == q[0] ? 1 : 0;
		if (r->matched)
			continue;
		if (r->echoes && !r->echo_seen)
			continue;  /* echoed data before the query's echo */
		*used = i + 1;
		if (mc_escpos_is_status_byte(c)) {
			*b = c;
			return 1;
		}
		return -1;
	}
	*used = len;
	return 0;
}

bool mc_escpos_answers_ask(const struct mc_escpos_answers *a, int n)
{
	if (n < 1 || n > 4)
		return false;
	return a->answered[n] || a->misses[n] < MC_ESCPOS_GIVE_UP;
}

void mc_escpos_answers_note(struct mc_escpos_answers *a, int n, bool replied, bool echoed)
{
	if (n < 1 || n > 4)
		return;
	if (echoed)
		a->echoes = true;
	if (replied) {
		a->answered[n] = true;
		a->misses[n] = 0;
	} else if (a->misses[n] < 255) {
		a->misses[n]++;
	}
}

void mc_escpos_answers_forget(struct mc_escpos_answers *a)
{
	memset(a, 0, sizeof(*a));
}

bool mc_escpos_state_can_print(enum mc_escpos_state st)
{
	return st == MC_ESCPOS_READY || st == MC_ESCPOS_NEAR_END;
}

static const char *const names[] = {
	[MC_ESCPOS_UNKNOWN] = "unknown", [MC_ESCPOS_READY] = "ready",
	[MC_ESCPOS_NEAR_END] = "near_end", [MC_ESCPOS_PAPER_OUT] = "paper_out",
	[MC_ESCPOS_COVER_OPEN] = "cover_open", [MC_ESCPOS_OFFLINE] = "offline",
	[MC_ESCPOS_ERROR] = "error",
};

static const char *const texts[] = {
	[MC_ESCPOS_UNKNOWN] = "Máy in không trả lời trạng thái (printer status unknown)",
	[MC_ESCPOS_READY] = "Máy in sẵn sàng (printer ready)",
	[MC_ESCPOS_NEAR_END] = "Máy in sắp hết giấy, hãy thay cuộn giấy (paper near end: change the roll)",
	[MC_ESCPOS_PAPER_OUT] = "Máy in hết giấy (printer out of paper)",
	[MC_ESCPOS_COVER_OPEN] = "Nắp máy in đang mở (printer cover open)",
	[MC_ESCPOS_OFFLINE] = "Máy in đang ngoại tuyến (printer offline)",
	[MC_ESCPOS_ERROR] = "Máy in báo lỗi: dao cắt hoặc cơ cấu in (printer error: cutter or mechanism)",
};

const char *mc_escpos_state_name(enum mc_escpos_state st)
{
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

const char *mc_escpos_state_text(enum mc_escpos_state st)
{
	return (unsigned)st < sizeof(texts) / sizeof(texts[0]) ? texts[st] : texts[0];
}

int mc_escpos_state_from_name(const char *s)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}
