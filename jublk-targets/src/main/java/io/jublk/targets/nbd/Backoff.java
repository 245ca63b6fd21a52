// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

/**
 * Exponential backoff between reconnect attempts: the first wait is the minimum, each further one
 * doubles, up to the maximum; {@link #reset()} starts over. Not thread-safe: one owner.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private long nextNanos;

    /**
     * @param minNanos the first wait, positive
     * @param maxNanos the longest wait, at least {@code minNanos}
     */
    Backoff(long minNanos, long maxNanos) {
        if (minNanos <= 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("reconnect backoff needs 0 < min <= max, got min " + minNanos
                    + " ns and max " + maxNanos + " ns");
        }
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.nextNanos = minNanos;
    }

    /** @return the wait before the next attempt, in nanoseconds; the one after it is twice as long, up to the maximum */
    long next() {
        long wait = nextNanos;
        nextNanos = wait > maxNanos / 2 ? maxNanos : wait * 2;
        return wait;
    }

    /** Starts over at the minimum, after a success. */
    void reset() {
        nextNanos = minNanos;
    }
}
