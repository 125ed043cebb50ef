/* clock.h — the two clocks: monotonic (timers, durations, debouncing; never
 * steps) and wall (UTC, for timestamps people read; may step either way when
 * NTP or a technician sets it). Thread-safe; they never fail on Linux. */
#ifndef MC_CLOCK_H
#define MC_CLOCK_H

#include <stdint.h>

/* The monotonic clock in milliseconds (CLOCK_MONOTONIC). */
int64_t mc_mono_ms(void);
/* The wall clock in milliseconds since 1970-01-01 UTC (CLOCK_REALTIME). */
int64_t mc_wall_ms(void);

#endif
