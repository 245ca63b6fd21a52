// SPDX-License-Identifier: Apache-2.0
/*
 * NOP submit+complete baseline for jublk's NopBenchmark, written against liburing.
 *
 * One operation = queue BATCH NOP SQEs, io_uring_submit_and_wait(ring, BATCH),
 * drain BATCH CQEs. Throughput is reported in NOPs per second, like the JMH
 * benchmark with @OperationsPerInvocation(BATCH).
 *
 * Ring: ENTRIES entries, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
 * the same flags NopBenchmark uses.
 *
 * Usage: nop_bench [batch=32] [warmup_iters=3] [measure_iters=5] [iter_seconds=2]
 * Prints one line per iteration and, last, a machine-readable line:
 *   RESULT batch=<b> nops_per_sec=<mean over measurement iterations>
 * (mean of per-iteration throughputs, as JMH's Throughput score is).
 *
 * Build: gcc -O2 -o nop_bench nop_bench.c -luring
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENTRIES 128

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sink for the user_data sum so the drain loop cannot be optimised away. */
static volatile uint64_t sink;

/* One operation: BATCH NOPs in, one io_uring_enter, BATCH CQEs out. */
static inline void one_op(struct io_uring *ring, unsigned batch, uint64_t *acc)
{
	for (unsigned i = 0; i < batch; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, i);
	}
	int ret = io_uring_submit_and_wait(ring, batch);
	if (ret != (int)batch) {
		fprintf(stderr, "io_uring_submit_and_wait: %s (%d)\n",
			ret < 0 ? strerror(-ret) : "short submit", ret);
		exit(1);
	}
	unsigned head, seen = 0;
	struct io_uring_cqe *cqe;
	io_uring_for_each_cqe(ring, head, cqe) {
		*acc += cqe->user_data + (uint64_t)cqe->res;
		seen++;
	}
	io_uring_cq_advance(ring, seen);
	if (seen != batch) {
		fprintf(stderr, "expected %u CQEs, drained %u\n", batch, seen);
		exit(1);
	}
}

/* Runs whole operations for about `seconds`; returns NOPs per second. */
static double run_iteration(struct io_uring *ring, unsigned batch, double seconds)
{
	uint64_t acc = 0, ops = 0;
	double start = now_sec(), end = start + seconds, t;
	do {
		/* Check the clock every 256 operations, as cheap as JMH's own loop check. */
		for (int k = 0; k < 256; k++)
			one_op(ring, batch, &acc);
		ops += 256;
		t = now_sec();
	} while (t < end);
	sink += acc;
	return (double)(ops * batch) / (t - start);
}

int main(int argc, char **argv)
{
	unsigned batch = argc > 1 ? (unsigned)atoi(argv[1]) : 32;
	int warmups = argc > 2 ? atoi(argv[2]) : 3;
	int measures = argc > 3 ? atoi(argv[3]) : 5;
	double secs = argc > 4 ? atof(argv[4]) : 2.0;
	if (batch < 1 || batch > ENTRIES || measures < 1 || secs <= 0) {
		fprintf(stderr, "usage: %s [batch 1..%d] [warmup_iters] [measure_iters>=1] [iter_seconds>0]\n",
			argv[0], ENTRIES);
		return 2;
	}

	struct io_uring ring;
	int ret = io_uring_queue_init(ENTRIES, &ring,
				      IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}

	for (int i = 0; i < warmups; i++)
		printf("# warmup %d: %.0f ops/s\n", i + 1, run_iteration(&ring, batch, secs));
	double sum = 0;
	for (int i = 0; i < measures; i++) {
		double r = run_iteration(&ring, batch, secs);
		printf("iteration %d: %.0f ops/s\n", i + 1, r);
		sum += r;
	}
	printf("RESULT batch=%u nops_per_sec=%.0f\n", batch, sum / measures);
	io_uring_queue_exit(&ring);
	return 0;
}
