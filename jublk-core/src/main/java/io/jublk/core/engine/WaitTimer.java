// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Bounds a queue's waits with one {@code IORING_OP_TIMEOUT} in its ring, so that a wait for the
 * next request is a plain {@code io_uring_enter}: a timeout passed to {@code io_uring_enter}
 * itself starts and cancels a kernel timer on every wait, that is on every request at iodepth 1.
 * The timer ends the first wait that reaches its deadline and is armed anew by the next wait.
 * Owner thread only; allocates nothing once built.
 */
final class WaitTimer {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);
    private boolean armed;
    private long deadline;
    private int fired;

    /**
     * Submits what is queued and waits for {@code minComplete} completions, for at most {@code timeoutNanos}: with no
     * timeout of its own when the armed timer fires no later than that or, with none armed, when
     * one for this wait's deadline can go to the kernel with it.
     *
     * @param ring the queue's ring
     * @param minComplete the completions to wait for
     * @param timeoutNanos the longest wait, more than zero
     * @throws ErrnoException when the kernel refuses
     */
    void submitAndWait(IoUring ring, int minComplete, long timeoutNanos) throws ErrnoException {
        long wanted = System.nanoTime() + timeoutNanos;
        if (armed ? deadline - wanted <= 0 : arm(ring, timeoutNanos, wanted)) {
            ring.submitAndWait(minComplete);
        } else {
            ring.submitAndWait(minComplete, timeoutNanos);
        }
    }

    private boolean arm(IoUring ring, long timeoutNanos, long wanted) throws ErrnoException {
        if (ring.sqSpaceLeft() == 0) {
            return false;
        }
        timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / NANOS_PER_SECOND);
        timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % NANOS_PER_SECOND);
        // The kernel reads the timespec as the SQE is submitted, which the coming wait does.
        ring.nextSqe().timeout(timespec.address(), 0, 0).userData(UserData.of(UserData.KIND_WAIT_TIMER, 0));
        armed = true;
        deadline = wanted;
        return true;
    }

    /** The timer's completion arrived: it fired (or the ring is going away). */
    void onCompletion() {
        armed = false;
        fired++;
    }

    /** @return completions of the timer since the last call, which are no work done */
    int takeFired() {
        int n = fired;
        fired = 0;
        return n;
    }
}
