// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/** {@link io.jublk.core.DataMode#COPY}: each tag has a buffer of the queue's own, which the kernel copies to and from. */
final class CopyPath extends DataPath {
    private MemorySegment tagBuffers;

    @Override
    void open(IoUring ring, IoSlot[] slots, int maxIoBytes) throws ErrnoException {
        // Virtual memory only: a tag's pages are touched by the first request that big.
        tagBuffers = MemoryCalls.reserve((long) slots.length * maxIoBytes);
        for (int tag = 0; tag < slots.length; tag++) {
            slots[tag].dataBuffer(tagBuffers.asSlice((long) tag * maxIoBytes, maxIoBytes));
        }
    }

    @Override
    long fetchAddress(IoSlot slot) {
        return slot.dataBuffer().address();
    }

    @Override
    long beforeCommit(IoSlot slot) {
        return slot.dataBuffer().address();
    }

    @Override
    void close(IoSlot[] slots) {
        if (tagBuffers != null) {
            for (IoSlot slot : slots) {
                slot.dataBuffer(null);
            }
            MemoryCalls.munmapQuietly(tagBuffers);
            tagBuffers = null;
        }
    }
}
