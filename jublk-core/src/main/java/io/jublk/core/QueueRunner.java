package io.jublk.core;

import java.util.concurrent.TimeUnit;

/**
 * The loop that serves one queue on the current thread: start, poll until the device stops, close.
 * Run it on a platform thread of the application's (an executor's, say), or let
 * {@link UblkDevice#runQueues()} start one thread per queue.
 */
public final class QueueRunner implements Runnable {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final UblkQueue queue;

    /**
     * @param queue the queue to serve
     */
    public QueueRunner(UblkQueue queue) {
        this.queue = queue;
    }

    /** Serves the queue until it terminates; failures are reported to the device and end the loop. */
    @Override
    public void run() {
        try {
            queue.start();
            while (!queue.isTerminated()) {
                queue.poll(POLL_NANOS);
            }
        } catch (UblkException | RuntimeException e) {
            queue.device().report(queue, "queue stopped serving", e);
        } finally {
            queue.close();
        }
    }
}
