// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Counts the bytes this thread allocates across many NOP round trips once the JIT has warmed up. This is
 * an allocation count, not a timing, so it is stable enough for a unit test.
 */
class ZeroAllocationTest {

    private static final int WARMUP_ROUND = 50_000;
    private static final int MAX_WARMUP_ROUNDS = 200;
    private static final int MEASURED = 100_000;

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long completed;
    private long resSum;
    private final CompletionHandler handler = this::onCompletion;

    private void onCompletion(long userData, int res, int flags) {
        completed++;
        resSum += res;
    }

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        assumeTrue(((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .isThreadAllocatedMemorySupported(), "thread allocation accounting unsupported");
    }

    private interface RoundTrips {
        void run(IoUring ring, int n) throws ErrnoException;
    }

    private void assertAllocationFree(String name, IoUring ring, RoundTrips roundTrips) throws ErrnoException {
        // Until C2 compiles the downcall site, the JDK's errno-capture check (SharedUtils.checkCaptureSegment)
        // allocates a slice per io_uring_enter; batched loops enter less often, so they need more ops
        // (often 1-3M) to get there. Warm up until a round is clean, then measure a fresh one.
        int rounds = 0;
        long warmupBytes;
        do {
            long start = threads.getCurrentThreadAllocatedBytes();
            roundTrips.run(ring, WARMUP_ROUND);
            warmupBytes = threads.getCurrentThreadAllocatedBytes() - start;
            rounds++;
        } while (warmupBytes > 0 && rounds < MAX_WARMUP_ROUNDS);
        long before = threads.getCurrentThreadAllocatedBytes();
        roundTrips.run(ring, MEASURED);
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("%s: %d bytes over %d ops (%.4f B/op) after %d warm-up ops%n",
                name, bytes, MEASURED, (double) bytes / MEASURED, (long) rounds * WARMUP_ROUND);
        assertTrue(bytes < MEASURED, name + " allocated " + bytes + " bytes over " + MEASURED + " ops");
    }

    private void singleNops(IoUring ring, int n) throws ErrnoException {
        long start = completed;
        for (int i = 0; i < n; i++) {
            ring.nextSqe().nop().userData(i);
            ring.submitAndWait(1);
            ring.pollCompletions(handler);
        }
        assertEquals(n, completed - start);
    }

    private void timedNops(IoUring ring, int n) throws ErrnoException {
        long start = completed;
        for (int i = 0; i < n; i++) {
            ring.nextSqe().nop().userData(i);
            ring.submitAndWait(1, 1_000_000_000L);
            ring.pollCompletions(handler, 8);
        }
        assertEquals(n, completed - start);
    }

    private void batchedNops(IoUring ring, int n) throws ErrnoException {
        long start = completed;
        for (int i = 0; i < n; i += 32) {
            int batch = Math.min(32, n - i);
            for (int j = 0; j < batch; j++) {
                ring.nextSqe().nop().userData(i + j);
            }
            ring.submit();
            while (completed - start < i + batch) {
                ring.submitAndWait(1);
                ring.pollCompletions(handler);
            }
        }
        assertEquals(n, completed - start);
    }

    @Test
    void shouldNotAllocateOnSubmitAndWaitRoundTrips() throws ErrnoException {
        try (IoUring ring = IoUring.builder(64).build()) {
            assertAllocationFree("submitAndWait(1)", ring, this::singleNops);
        }
    }

    @Test
    void shouldNotAllocateOnTimedWaitRoundTrips() throws ErrnoException {
        try (IoUring ring = IoUring.builder(64).build()) {
            assertAllocationFree("submitAndWait(1, timeout)", ring, this::timedNops);
        }
    }

    @Test
    void shouldNotAllocateOnBatchedRoundTrips() throws ErrnoException {
        try (IoUring ring = IoUring.builder(32).build()) {
            assertAllocationFree("batches of 32", ring, this::batchedNops);
            assertEquals(0, resSum);
        }
    }
}
