// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

/**
 * What a queue engine tells the device it belongs to, and asks of it.
 */
public interface QueueHost {
    /** The queue has fetched every tag. */
    void queueStarted();

    /** The kernel aborted a fetch: the device is stopping or being quiesced. */
    void queueAborted();

    /** @return whether the kernel began ending the device's queues (stop or quiesce) */
    boolean deviceGoingAway();

    /** The queue holds no request any more and the kernel is ending it. */
    void queueTerminated();

    /** The queue released its resources. */
    void queueClosed();

    /**
     * A failure the queue survives (a target exception, say).
     *
     * @param what what failed
     * @param cause the cause, or {@code null}
     */
    void report(String what, Throwable cause);
}
