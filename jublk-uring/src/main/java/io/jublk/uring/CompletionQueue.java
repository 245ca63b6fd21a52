// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.jublk.uring.IoUringConstants.*;

/**
 * A ring's completion queue as the owning thread sees it: the kernel-shared CQ head, tail and overflow
 * counter, the CQE array and a cached copy of the head. Not thread-safe: confined to the ring's owner.
 *
 * <p>{@link #drain} reads the tail once with acquire semantics, the CQEs plainly, and publishes the new
 * head with one release store per batch.
 */
final class CompletionQueue {

    // Coordinates (MemorySegment, long offset); aligned, so acquire/release access modes are allowed.
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long kHead;
    private final long kTail;
    private final long kOverflow;
    private final long cqesOffset;
    private final int mask;
    private final int cqeShift;

    // Cached copy; only the owning thread touches it.
    private int head;

    /**
     * Reads the CQ offsets from {@code params}.
     *
     * @param ring the mapped CQ ring (the SQ ring too with {@code IORING_FEAT_SINGLE_MMAP})
     * @param params the {@code io_uring_params} filled in by {@code io_uring_setup}
     * @param cqeShift log2 of the CQE size
     */
    CompletionQueue(MemorySegment ring, MemorySegment params, int cqeShift) {
        long off = IO_URING_PARAMS_CQ_OFF_OFFSET;
        this.ring = ring;
        this.cqeShift = cqeShift;
        this.kHead = params.get(ValueLayout.JAVA_INT, off + IO_CQRING_OFFSETS_HEAD);
        this.kTail = params.get(ValueLayout.JAVA_INT, off + IO_CQRING_OFFSETS_TAIL);
        this.kOverflow = params.get(ValueLayout.JAVA_INT, off + IO_CQRING_OFFSETS_OVERFLOW);
        this.cqesOffset = params.get(ValueLayout.JAVA_INT, off + IO_CQRING_OFFSETS_CQES);
        this.mask = ring.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, off + IO_CQRING_OFFSETS_RING_MASK));
        this.head = (int) INT.getAcquire(ring, kHead);
    }

    /**
     * Hands up to {@code limit} ready CQEs to {@code handler} and gives their slots back to the kernel.
     *
     * @param handler called once per CQE; if it throws, the CQEs up to and including the one it failed on
     *                count as consumed
     * @param limit maximum CQEs to handle
     * @return the number of CQEs handled
     */
    int drain(CompletionHandler handler, int limit) {
        int h = head;
        // acquire: CQEs the kernel wrote before publishing this tail are visible
        int n = (int) INT.getAcquire(ring, kTail) - h;
        if (n > limit) {
            n = limit;
        }
        if (n <= 0) {
            return 0;
        }
        int i = 0;
        try {
            while (i < n) {
                long at = cqesOffset + ((long) ((h + i) & mask) << cqeShift);
                long userData = ring.get(ValueLayout.JAVA_LONG, at + IO_URING_CQE_USER_DATA_OFFSET);
                int res = ring.get(ValueLayout.JAVA_INT, at + IO_URING_CQE_RES_OFFSET);
                int flags = ring.get(ValueLayout.JAVA_INT, at + IO_URING_CQE_FLAGS_OFFSET);
                i++;
                handler.onCompletion(userData, res, flags);
            }
        } finally {
            head = h + i;
            // release: we are done reading these CQEs; the kernel may overwrite their slots
            INT.setRelease(ring, kHead, h + i);
        }
        return n;
    }

    /**
     * CQEs in the ring not handled yet.
     *
     * @return the number of ready CQEs
     */
    int ready() {
        // acquire: pairs with the kernel's release of the CQ tail
        return (int) INT.getAcquire(ring, kTail) - head;
    }

    /**
     * The kernel's count of CQEs it could not keep.
     *
     * @return the unsigned 32-bit overflow counter
     */
    long overflowCount() {
        return Integer.toUnsignedLong((int) INT.getAcquire(ring, kOverflow));
    }
}
