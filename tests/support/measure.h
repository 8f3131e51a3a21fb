/* Measurements for the benchmarks and the long tests: timings gathered as nanoseconds and read
 * as percentiles, and a process's resident set size. No cmocka: benchmarks use them too. */
#ifndef BORNE_TESTS_SUPPORT_MEASURE_H
#define BORNE_TESTS_SUPPORT_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A growing list of samples (zero-initialised to start; free(s.v) when done). */
typedef struct samples {
    uint64_t *v;
    size_t n, cap;
} samples;

/* Appends one sample (aborts when out of memory). */
void samples_add(samples *s, uint64_t ns);
/* The sample at fraction p (0 to 1) of the sorted list, nanoseconds read as milliseconds; 0 when
 * there is none. Sorts the list in place. */
double samples_pct_ms(samples *s, double p);

/* VmRSS of process `pid` in KiB (/proc/PID/status); -1 when it cannot be read. */
long proc_rss_kib(pid_t pid);
/* CPU time (user + system) process `pid` has used so far, in seconds (/proc/PID/stat, counted in
 * clock ticks: sum it over many requests); -1 when it cannot be read. */
double proc_cpu_s(pid_t pid);

#endif
