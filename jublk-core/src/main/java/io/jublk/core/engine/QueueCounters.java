// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.OpCounts;
import io.jublk.core.stats.QueueStats;
import io.jublk.core.uapi.UblkIoOp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A queue's counters. Only the owner thread writes them, each store opaque, so the per-IO cost is
 * a few plain increments with no lock, fence or allocation; any thread may {@link #snapshot} them.
 */
final class QueueCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    // Requests and bytes of op i at 2i and 2i+1, for the five ops a queue serves.
    private static final int OPS = 5;
    private static final int ERRORS = 2 * OPS;
    private static final int IN_FLIGHT = ERRORS + 1;
    private static final int WAKE_UPS = IN_FLIGHT + 1;
    private static final int WAKE_UP_REQUESTS = WAKE_UPS + 1;
    private static final int SERVICE_NANOS = WAKE_UP_REQUESTS + 1;
    private static final int HISTOGRAM = SERVICE_NANOS + 1;
    private static final int SLOTS = HISTOGRAM + LatencyHistogram.BUCKETS;

    private static final long NOT_DISPATCHED = Long.MIN_VALUE;

    private final long[] counts = new long[SLOTS];
    private final long[] dispatchedAt;
    private long dispatches;
    private long dispatchesBeforeRound;

    QueueCounters(int depth) {
        this.dispatchedAt = new long[depth];
        java.util.Arrays.fill(dispatchedAt, NOT_DISPATCHED);
    }

    /** The target got request {@code tag}. */
    void dispatched(int tag, long now) {
        dispatchedAt[tag] = now;
        dispatches++;
        add(IN_FLIGHT, 1);
    }

    /**
     * The request is committed with {@code result}; one failed before reaching the target (never
     * dispatched) counts, but has no service time.
     */
    void committed(int tag, int op, int length, int result, long now) {
        int slot = opSlot(op);
        if (slot >= 0) {
            add(slot, 1);
            if (result >= 0) {
                add(slot + 1, length);
            }
        }
        if (result < 0) {
            add(ERRORS, 1);
        }
        long start = dispatchedAt[tag];
        if (start != NOT_DISPATCHED) {
            dispatchedAt[tag] = NOT_DISPATCHED;
            add(IN_FLIGHT, -1);
            long nanos = Math.max(0, now - start);
            add(SERVICE_NANOS, nanos);
            add(HISTOGRAM + LatencyHistogram.bucketOf(nanos), 1);
        }
    }

    /** A round of the queue's loop ended having done {@code work}. */
    void roundEnded(int work) {
        if (work > 0) {
            add(WAKE_UPS, 1);
            add(WAKE_UP_REQUESTS, dispatches - dispatchesBeforeRound);
        }
        dispatchesBeforeRound = dispatches;
    }

    private static int opSlot(int op) {
        return switch (op) {
            case UblkIoOp.UBLK_IO_OP_READ -> 0;
            case UblkIoOp.UBLK_IO_OP_WRITE -> 2;
            case UblkIoOp.UBLK_IO_OP_FLUSH -> 4;
            case UblkIoOp.UBLK_IO_OP_DISCARD -> 6;
            case UblkIoOp.UBLK_IO_OP_WRITE_ZEROES -> 8;
            default -> -1;
        };
    }

    private void add(int slot, long delta) {
        SLOT.setOpaque(counts, slot, counts[slot] + delta);
    }

    /**
     * @param queueId the queue
     * @param targetFailures the queue's target failures
     * @return the counters as they are now; any thread
     */
    QueueStats snapshot(int queueId, long targetFailures) {
        long[] c = new long[SLOTS];
        for (int i = 0; i < SLOTS; i++) {
            c[i] = (long) SLOT.getOpaque(counts, i);
        }
        long[] buckets = new long[LatencyHistogram.BUCKETS];
        System.arraycopy(c, HISTOGRAM, buckets, 0, buckets.length);
        return new QueueStats(queueId, op(c, 0), op(c, 1), op(c, 2), op(c, 3), op(c, 4), c[ERRORS], targetFailures,
                Math.max(0, c[IN_FLIGHT]), c[WAKE_UPS], c[WAKE_UP_REQUESTS], c[SERVICE_NANOS],
                LatencyHistogram.of(buckets));
    }

    private static OpCounts op(long[] c, int index) {
        return new OpCounts(c[2 * index], c[2 * index + 1]);
    }
}
