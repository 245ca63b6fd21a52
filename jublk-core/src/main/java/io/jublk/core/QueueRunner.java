// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The loop that serves one queue on the current thread: start, poll until the device stops, close.
 * Run it on a platform thread of the application's (an executor's, say), or let
 * {@link UblkDevice#runQueues()} start one thread per queue.
 */
public final class QueueRunner implements Runnable {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final UblkQueue queue;
    private final QueueAffinity affinity;

    /**
     * @param queue the queue to serve
     */
    public QueueRunner(UblkQueue queue) {
        this(queue, QueueAffinity.NONE);
    }

    /**
     * @param queue the queue to serve
     * @param pinned whether to bind the serving thread to the queue's CPUs (GET_QUEUE_AFFINITY) first
     */
    public QueueRunner(UblkQueue queue, boolean pinned) {
        this(queue, pinned ? QueueAffinity.KERNEL : QueueAffinity.NONE);
    }

    /**
     * @param queue the queue to serve
     * @param affinity the CPUs the serving thread is bound to before it starts the queue
     */
    public QueueRunner(UblkQueue queue, QueueAffinity affinity) {
        this.queue = queue;
        this.affinity = Objects.requireNonNull(affinity, "affinity");
    }

    /**
     * Binds the thread as the affinity says, then serves the queue until it terminates or its device
     * is let go; a failure (a refused binding included) is logged at WARNING and ends the loop.
     */
    @Override
    public void run() {
        try {
            affinity.pinCurrentThread(queue);
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
}
