// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.stats;

/**
 * Requests of one kind that a queue committed, and the bytes they covered.
 *
 * @param requests how many requests
 * @param bytes how many bytes they covered (successful requests only)
 */
public record OpCounts(long requests, long bytes) {
    /** No requests. */
    public static final OpCounts NONE = new OpCounts(0, 0);

    /**
     * @param other more of the same kind
     * @return both together
     */
    public OpCounts plus(OpCounts other) {
        return new OpCounts(requests + other.requests, bytes + other.bytes);
    }

    /**
     * @param earlier counts taken before these, of the same source
     * @return what was added since
     */
    public OpCounts minus(OpCounts earlier) {
        return new OpCounts(requests - earlier.requests, bytes - earlier.bytes);
    }

    @Override
    public String toString() {
        return requests + " (" + bytes + " B)";
    }
}
