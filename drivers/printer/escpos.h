/* escpos.h — the ESC/POS printer language, pure: commands encoded into a
 * byte buffer, and the real-time status replies parsed into one state.
 *
 * No I/O here: transports (printer-*.c) move the bytes. Vietnamese is
 * printed as a host-rendered 1-bit raster (GS v 0), never through code
 * pages, so every tone mark comes out on any printer. */
#ifndef MC_ESCPOS_H
#define MC_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_ESCPOS_MAX_CHUNK 256    /* most raster rows in one GS v 0 command */
#define MC_ESCPOS_DEFAULT_CHUNK 250 /* default rows per GS v 0 (not a multiple of 48) */

/* A growable byte buffer the encoders append to. Zero-initialise it; free
 * with mc_escpos_buf_free(). After an allocation failure every append is a
 * no-op and failed stays true. */
struct mc_escpos_buf {
	uint8_t *data;   /* bytes so far (owned) */
	size_t len;      /* bytes used */
	size_t cap;      /* bytes allocated */
	bool failed;     /* an allocation failed: the content is incomplete */
};

/* Frees the buffer's memory and zeroes it. Accepts NULL. */
void mc_escpos_buf_free(struct mc_escpos_buf *b);
/* Empties the buffer, keeping its memory. */
void mc_escpos_buf_reset(struct mc_escpos_buf *b);

/* A 1-bit image: rows of stride bytes, MSB the leftmost dot, 1 = black. */
struct mc_escpos_image {
	const uint8_t *bits;  /* height rows of stride bytes */
	int width;            /* dots per row (≤ stride * 8) */
	int height;           /* rows */
	int stride;           /* bytes per row in bits */
};

/* How a whole ticket is encoded by mc_escpos_job(). */
struct mc_escpos_job_opts {
	bool full_cut;        /* full cut (GS V 65) instead of partial (GS V 66) */
	int feed_lines;       /* lines fed before the cut (0..255) */
	int chunk_rows;       /* rows per GS v 0, 1..256; 0 = MC_ESCPOS_DEFAULT_CHUNK */
	bool realtime_off;    /* send GS ( D so DLE DC4 patterns in image data are ignored */
};

/* ESC @: resets the printer to its power-on settings. */
void mc_escpos_init(struct mc_escpos_buf *b);
/* GS ( D 05 00 14 01 00 02 00: disables the DLE DC4 real-time commands
 * (pulse, power-off) so image bytes cannot trigger them. */
void mc_escpos_realtime_off(struct mc_escpos_buf *b);
/* The rows of img as GS v 0 commands of at most chunk rows each (1..256),
 * never splitting a command; a command whose height would be a multiple
 * of 48 is made one row shorter (a POS-5890 misprints those heights).
 * Returns 0, or -1 with errno EINVAL for a bad image or chunk, ENOMEM. */
int mc_escpos_raster(struct mc_escpos_buf *b, const struct mc_escpos_image *img, int chunk);
/* ESC d n: prints and feeds n lines (0..255). */
void mc_escpos_feed(struct mc_escpos_buf *b, int lines);
/* GS V 65/66 n: feeds n (0..255) motion units then cuts, full or partial. */
void mc_escpos_cut(struct mc_escpos_buf *b, bool full, int feed);
/* DLE EOT n: real-time status query n (1 printer, 2 offline cause,
 * 3 error cause, 4 paper sensor). Returns 0, or -1 with errno EINVAL. */
int mc_escpos_status_query(struct mc_escpos_buf *b, int n);
/* A whole ticket: init, [GS ( D], raster, feed, cut. Returns 0, or -1 with
 * errno (EINVAL bad image or options, ENOMEM). */
int mc_escpos_job(struct mc_escpos_buf *b, const struct mc_escpos_image *img,
		  const struct mc_escpos_job_opts *opts);

/* ---- status ---- */

/* One printer state, worst first when several apply. */
enum mc_escpos_state {
	MC_ESCPOS_UNKNOWN,     /* no valid reply (printer silent or gone) */
	MC_ESCPOS_READY,       /* can print */
	MC_ESCPOS_NEAR_END,    /* can print, but the roll is nearly used up */
	MC_ESCPOS_PAPER_OUT,   /* no paper */
	MC_ESCPOS_COVER_OPEN,  /* cover open */
	MC_ESCPOS_OFFLINE,     /* offline for another reason (feed button, ...) */
	MC_ESCPOS_ERROR,       /* cutter, mechanism or other error */
};

/* Replies to the four DLE EOT queries. A reply is counted only if it has
 * the fixed bits of a status byte ((b & 0x93) == 0x12). */
struct mc_escpos_status {
	uint8_t reply[5];      /* reply[n] to query n (1..4) */
	bool have[5];          /* have[n]: a valid reply to query n arrived */
};

/* True if byte b has the fixed bits of a DLE EOT reply. */
bool mc_escpos_is_status_byte(uint8_t b);
/* Records reply b to query n (1..4) in s. Returns 0, or -1 with errno
 * EINVAL if n is out of range or b is not a status byte (s unchanged). */
int mc_escpos_status_set(struct mc_escpos_status *s, int n, uint8_t b);
/* The one state the replies in s amount to: UNKNOWN without any valid
 * reply; else cover open, paper out, error, offline, near end, ready, in
 * that order of precedence. */
enum mc_escpos_state mc_escpos_status_state(const struct mc_escpos_status *s);
/* ---- what a printer answers ---- */

/* Reading the reply to one DLE EOT n query from the bytes that come back.
 * A printer (or its network adapter) may echo what it receives: the echo of
 * the query (10 04 n) is never a reply, and once a printer is known to echo,
 * every byte before the echo of the query is echoed data (ticket rasters
 * are full of bytes that look like status replies). */
struct mc_escpos_reply {
	int query;             /* n, 1..4 */
	bool echoes;           /* expect the echo of the query before the reply */
	int matched;           /* bytes of the query's echo matched so far */
	bool echo_seen;        /* the query's echo went by */
};

/* Starts reading the reply to query n; echoes as learned (mc_escpos_answers). */
void mc_escpos_reply_start(struct mc_escpos_reply *r, int n, bool echoes);
/* Feeds bytes read. Returns 1 with the reply in *b once a status byte that
 * is not echoed data arrives (*used: bytes consumed, the rest is not ours),
 * 0 if more is needed (all len consumed), -1 if the printer answered a byte
 * that is neither echo nor a status reply (e.g. 0x00): it does not answer
 * this query, no need to wait. r->echo_seen says whether the printer echoed. */
int mc_escpos_reply_feed(struct mc_escpos_reply *r, const uint8_t *buf, size_t len, uint8_t *b,
			 size_t *used);

/* What a printer has shown it answers, learned over its checks and kept
 * until it is replugged or a technician asks (mc_escpos_answers_forget). */
struct mc_escpos_answers {
	bool answered[5];      /* answered[n]: query n got a status reply at least once */
	uint8_t misses[5];     /* misses[n]: checks in a row without a reply to n */
	bool echoes;           /* the printer echoes what it receives */
};

/* A query that never got a reply is dropped after this many misses in a row. */
#define MC_ESCPOS_GIVE_UP 2

/* True if query n is still worth sending. */
bool mc_escpos_answers_ask(const struct mc_escpos_answers *a, int n);
/* Records the outcome of query n: got a reply or not, echo seen or not. */
void mc_escpos_answers_note(struct mc_escpos_answers *a, int n, bool replied, bool echoed);
/* Forgets everything learned (replugged, or a technician asks). */
void mc_escpos_answers_forget(struct mc_escpos_answers *a);

/* True if a printer in state st can take a ticket (ready or near end). */
bool mc_escpos_state_can_print(enum mc_escpos_state st);
/* A stable token for st ("ready", "near_end", "paper_out", ...). Static. */
const char *mc_escpos_state_name(enum mc_escpos_state st);
/* A message for people, Vietnamese with English in brackets. Static. */
const char *mc_escpos_state_text(enum mc_escpos_state st);
/* Parses a token of mc_escpos_state_name(); -1 if unknown. */
int mc_escpos_state_from_name(const char *s);

#endif
