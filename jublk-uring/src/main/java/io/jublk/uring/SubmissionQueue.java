// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.jublk.uring.IoUringConstants.*;

/**
 * A ring's submission queue as the owning thread sees it: the kernel-shared SQ head, tail and flags, the
 * SQE array and cached copies of the indexes. Not thread-safe: confined to the ring's owner.
 *
 * <p>SQE fields are written plainly; {@link #publish()} makes them visible to the kernel with one release
 * store of the tail. The kernel's head is read with acquire semantics before a slot is reused.
 */
final class SubmissionQueue {

    // Coordinates (MemorySegment, long offset); aligned, so acquire/release access modes are allowed.
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final long kHead;
    private final long kTail;
    private final long kFlags;
    private final int mask;
    private final int entries;
    private final int sqeSize;
    private final SubmissionEntry sqe;

    // Cached copies; only the owning thread touches them.
    private int tail;
    private int tailPublished;
    private int head;

    /**
     * Reads the SQ offsets from {@code params} and fills the SQ index array as the identity.
     *
     * @param ring the mapped SQ ring
     * @param sqes the mapped SQE array
     * @param params the {@code io_uring_params} filled in by {@code io_uring_setup}
     * @param sqeSize 64 or 128
     */
    SubmissionQueue(MemorySegment ring, MemorySegment sqes, MemorySegment params, int sqeSize) {
        long off = IO_URING_PARAMS_SQ_OFF_OFFSET;
        this.ring = ring;
        this.entries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_SQ_ENTRIES_OFFSET);
        this.sqeSize = sqeSize;
        this.kHead = params.get(ValueLayout.JAVA_INT, off + IO_SQRING_OFFSETS_HEAD);
        this.kTail = params.get(ValueLayout.JAVA_INT, off + IO_SQRING_OFFSETS_TAIL);
        this.kFlags = params.get(ValueLayout.JAVA_INT, off + IO_SQRING_OFFSETS_FLAGS);
        this.mask = ring.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, off + IO_SQRING_OFFSETS_RING_MASK));

        // The SQ index array never changes afterwards: slot i always names SQE i.
        int setupFlags = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FLAGS_OFFSET);
        if ((setupFlags & IORING_SETUP_NO_SQARRAY) == 0) {
            int arrayOff = params.get(ValueLayout.JAVA_INT, off + IO_SQRING_OFFSETS_ARRAY);
            for (int i = 0; i < entries; i++) {
                ring.set(ValueLayout.JAVA_INT, arrayOff + (long) i * Integer.BYTES, i);
            }
        }
        this.head = kernelHead();
        this.tail = head;
        this.tailPublished = head;
        this.sqe = new SubmissionEntry(sqes, sqeSize);
    }

    /**
     * The next free SQE, zeroed, as the queue's one reusable flyweight.
     *
     * @return the flyweight over the new SQE, or null if the kernel has not consumed enough to make room
     */
    SubmissionEntry next() {
        int t = tail;
        if (t - head >= entries) {
            head = kernelHead();
            if (t - head >= entries) {
                return null;
            }
        }
        tail = t + 1;
        return sqe.wrapAndClear((long) (t & mask) * sqeSize);
    }

    /**
     * Publishes the queued SQEs to the kernel.
     *
     * @return how many SQEs the kernel has yet to consume, the ones just published included
     */
    int publish() {
        int t = tail;
        if (t != tailPublished) {
            // release: SQE contents written before this store are visible to the kernel with the new tail
            INT.setRelease(ring, kTail, t);
            tailPublished = t;
        }
        return t - kernelHead();
    }

    /**
     * SQEs handed out that the kernel has not consumed yet.
     *
     * @return the number of queued, unconsumed SQEs
     */
    int pending() {
        return tail - kernelHead();
    }

    /**
     * The SQ size.
     *
     * @return number of SQ entries
     */
    int entries() {
        return entries;
    }

    /**
     * The kernel's SQ flags ({@code IORING_SQ_*}).
     *
     * @return the flags word, read with acquire semantics
     */
    int flags() {
        return (int) INT.getAcquire(ring, kFlags);
    }

    private int kernelHead() {
        // acquire: the kernel has finished reading every SQE before this head
        return (int) INT.getAcquire(ring, kHead);
    }
}
