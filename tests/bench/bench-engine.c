/* bench-engine.c — what a press costs once a service's range has wrapped
 * and its numbers have run out: every number held by a citizen who has not
 * been served yet. Two engines with the widest range board.conf takes
 * (1-9999). In A every number was issued, the range wrapped and then ran
 * out: each round a NEXT and a FINISH free one number, one press takes it,
 * and a second press is refused (`exhausted`) after looking at every
 * number. B holds about as many tickets (7,000 growing to 11,000, A's
 * 10,099 to 12,099) but has not wrapped: both its presses take the next
 * number. The engines go A B B A ..., each press timed alone
 * (CLOCK_MONOTONIC; no I/O, the engine only). Prints p50, p99 and max of
 * each kind and the ratios to B's (pairwise median, p50s, p99s). Asserts
 * nothing.
 *
 * Before session 9 the engine asked each candidate number of its own
 * whether an open ticket held it, a pass over the tickets each time: a
 * refused press took 10^7-10^8 comparisons, tens of milliseconds of the
 * loop, and the NEXTs queued behind such presses waited 200 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stats.h"
#include "config.h"
#include "civil.h"
#include "engine.h"

#define ROUNDS 2000

static const char BOARD[] =
	"[office]\nclock = trust\nhours = mon-sun 00:00-24:00\ndouble_tap = 0ms\n"
	"[service.civil]\nname = Tư pháp – Hộ tịch\nnumbers = 1-9999\n"
	"[counter.1]\nservices = civil\n";

/* One engine and the clock it is driven with. */
struct side {
	struct mc_engine *e;
	struct mc_changes ch;
	int64_t mono;
	int64_t *ns;  /* each round's first press, timed */
	int64_t *ns2; /* and its second */
};

/* A moment of day d (09:00 local, +07:00), one second after the last. */
static struct mc_when at(struct side *s, int32_t d)
{
	s->mono += 1000;
	return (struct mc_when){
		.mono_ms = s->mono,
		.wall_ms = ((int64_t)d * 86400 + 2 * 3600) * 1000 + s->mono % 1000,
		.boot = 1,
		.day = d,
		.minute = 9 * 60,
	};
}

static int press(struct side *s, int32_t d, struct mc_issue *is)
{
	struct mc_when w = at(s, d);

	return mc_engine_press(s->e, &w, 0, false, "bench", is, &s->ch) == MC_OK ? 0 : -1;
}

/* Calls the next citizen at counter 1 and finishes them: frees a number. */
static int serve(struct side *s, int32_t d)
{
	struct mc_when w = at(s, d);
	struct mc_ticket t;

	if (mc_engine_counter(s->e, &w, 1, MC_A_NEXT, 0, &t, &s->ch) != MC_OK)
		return -1;
	w = at(s, d);
	return mc_engine_counter(s->e, &w, 1, MC_A_FINISH, 0, &t, &s->ch) == MC_OK ? 0 : -1;
}

static double pct(const int64_t *sorted, int n, double p)
{
	return (double)sorted[(int)(p / 100.0 * (n - 1) + 0.5)] / 1e3;
}

/* One kind of press: its times (sorted here), and against base (B's, the
 * same round's: pair holds a / b per round) when base is not NULL. */
static void report(const char *what, int64_t *ns, int64_t *base, double *pair, int count, size_t held)
{
	int64_t *b = NULL;

	qsort(ns, ROUNDS, sizeof(*ns), bench_cmp_i64);
	printf("  %s: %d of %d, %zu tickets held: p50 %.1f us, p99 %.1f us, max %.1f us\n", what, count,
	       ROUNDS, held, pct(ns, ROUNDS, 50), pct(ns, ROUNDS, 99), (double)ns[ROUNDS - 1] / 1e3);
	if (!base)
		return;
	b = malloc(ROUNDS * sizeof(*b));
	if (!b)
		return;
	memcpy(b, base, ROUNDS * sizeof(*b));
	qsort(b, ROUNDS, sizeof(*b), bench_cmp_i64);
	qsort(pair, ROUNDS, sizeof(*pair), bench_cmp_double);
	printf("    against B's press of the same round: pairwise median %.2fx, p50s %.2fx, p99s %.2fx\n",
	       pair[ROUNDS / 2], pct(ns, ROUNDS, 50) / pct(b, ROUNDS, 50),
	       pct(ns, ROUNDS, 99) / pct(b, ROUNDS, 99));
	free(b);
}

int main(void)
{
	struct mc_config cfg;
	char err[256];
	int32_t day = mc_days_from_civil(2026, 11, 25);
	struct side a = { .mono = 1000000 }, b = { .mono = 1000000 };
	struct mc_issue is;
	double *pair = malloc(ROUNDS * sizeof(*pair)), *pair2 = malloc(ROUNDS * sizeof(*pair2));

	a.ns = malloc(ROUNDS * sizeof(*a.ns));
	b.ns = malloc(ROUNDS * sizeof(*b.ns));
	a.ns2 = malloc(ROUNDS * sizeof(*a.ns2));
	b.ns2 = malloc(ROUNDS * sizeof(*b.ns2));
	if (mc_config_load_string(BOARD, "bench.conf", &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench-engine: %s\n", err);
		return 1;
	}
	a.e = mc_engine_new(&cfg);
	b.e = mc_engine_new(&cfg);
	if (!a.e || !b.e || !pair || !pair2 || !a.ns || !b.ns || !a.ns2 || !b.ns2) {
		fprintf(stderr, "bench-engine: out of memory\n");
		return 1;
	}
	/* A: the whole range issued and 100 served; 100 presses take the
	 * freed numbers (round 1), and the range has run out. B: 7,000
	 * tickets, served alike: with its ROUNDS * 2 presses it ends within
	 * 10 % of A's count, and never wraps. */
	for (int i = 0; i < 9999; i++)
		if (press(&a, day, &is) < 0 || (i < 7000 && press(&b, day, &is) < 0)) {
			fprintf(stderr, "bench-engine: filling the day failed at %d\n", i);
			return 1;
		}
	for (int i = 0; i < 100; i++)
		if (serve(&a, day) < 0 || serve(&b, day) < 0 || press(&a, day, &is) < 0) {
			fprintf(stderr, "bench-engine: serving failed\n");
			return 1;
		}
	int wrapped = 0, refused = 0;
	for (int r = 0; r < ROUNDS; r++) {
		struct side *order[2] = { r % 2 ? &b : &a, r % 2 ? &a : &b };
		for (int k = 0; k < 2; k++) {
			struct side *s = order[k];
			if (serve(s, day) < 0) {
				fprintf(stderr, "bench-engine: serving failed in round %d\n", r);
				return 1;
			}
			for (int j = 0; j < 2; j++) {
				struct mc_when w = at(s, day);
				int64_t t0 = bench_mono_ns();
				enum mc_err rc = mc_engine_press(s->e, &w, 0, false, "bench", &is, &s->ch);
				(j ? s->ns2 : s->ns)[r] = bench_mono_ns() - t0;
				if (s == &a && j == 0 && rc == MC_OK && is.ticket.round > 0)
					wrapped++;
				else if (s == &a && j == 1 && rc == MC_E_EXHAUSTED)
					refused++;
				else if (rc != MC_OK) {
					fprintf(stderr, "bench-engine: press %d of round %d: %s\n", j, r,
						mc_err_token(rc));
					return 1;
				}
			}
		}
		pair[r] = (double)a.ns[r] / (double)(b.ns[r] ? b.ns[r] : 1);
		pair2[r] = (double)a.ns2[r] / (double)(b.ns2[r] ? b.ns2[r] : 1);
	}
	size_t na = 0, nb = 0;
	mc_engine_tickets(a.e, &na);
	mc_engine_tickets(b.e, &nb);
	printf("bench-engine: %d rounds, each engine's two presses in turn (A B B A), the engine alone\n",
	       ROUNDS);
	report("A, a press given a freed number (range 1-9999 wrapped)", a.ns, b.ns, pair, wrapped, na);
	report("A, a press refused: every number held (exhausted)", a.ns2, b.ns2, pair2, refused, na);
	report("B, a press given the next number (no wrap)", b.ns, NULL, NULL, ROUNDS, nb);
	mc_engine_free(a.e);
	mc_engine_free(b.e);
	mc_changes_free(&a.ch);
	mc_changes_free(&b.ch);
	free(a.ns);
	free(b.ns);
	free(a.ns2);
	free(b.ns2);
	free(pair);
	free(pair2);
	return 0;
}
