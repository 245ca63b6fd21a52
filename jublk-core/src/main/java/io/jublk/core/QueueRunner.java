// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.ProcessCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * The loop that serves one queue on the current thread: start, poll until the device stops, close.
 * Run it on a platform thread of the application's (an executor's, say), or let
 * {@link UblkDevice#runQueues()} start one thread per queue.
 */
public final class QueueRunner implements Runnable {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final UblkQueue queue;
    private final boolean pinned;

    /**
     * @param queue the queue to serve
     */
    public QueueRunner(UblkQueue queue) {
        this(queue, false);
    }

    /**
     * @param queue the queue to serve
     * @param pinned whether to bind the serving thread to the queue's CPUs (GET_QUEUE_AFFINITY) first
     */
    public QueueRunner(UblkQueue queue, boolean pinned) {
        this.queue = queue;
        this.pinned = pinned;
    }

    /** Serves the queue until it terminates or its device is let go; a failure is logged at WARNING and ends the loop. */
    @Override
    public void run() {
        try {
            if (pinned) {
                pin();
            }
            queue.start();
            while (!queue.isTerminated() && !queue.isDetachRequested()) {
                queue.poll(POLL_NANOS);
            }
        } catch (UblkException | RuntimeException e) {
            queue.warn("queue stopped serving", e);
        } finally {
            queue.close();
        }
    }

    private void pin() throws UblkException {
        UblkDevice device = queue.device();
        BitSet cpus = device.control().queueAffinity(device.id(), queue.queueId());
        if (cpus.isEmpty()) {
            return;
        }
        long[] words = cpus.toLongArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(Math.max(words.length, 16) * 8L, 8);
            MemorySegment.copy(words, 0, mask, ValueLayout.JAVA_LONG, 0, words.length);
            ProcessCalls.schedSetaffinity(0, mask);
        } catch (ErrnoException e) {
            throw new UblkException("sched_setaffinity for " + queue, device.id(), e);
        }
    }
}
