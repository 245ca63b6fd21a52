// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * {@link io.jublk.core.DataMode#COPY_APPLICATION_BUFFERS}: the application lends a buffer per
 * request, or the place where the data already lives; writes fetch their data with NEED_GET_DATA.
 */
final class ApplicationBufferPath extends DataPath {
    private final QueueEngine engine;
    private final IoBufferProvider provider;
    private IoSlot[] slots;
    private int[] releaseAfterSubmit;
    private int releaseCount;
    private MemorySegment scratchPage;

    ApplicationBufferPath(QueueEngine engine, IoBufferProvider provider) {
        this.engine = engine;
        this.provider = provider;
    }

    @Override
    void open(IoUring ring, IoSlot[] slots, int maxIoBytes) throws ErrnoException {
        this.slots = slots;
        this.releaseAfterSubmit = new int[slots.length];
        scratchPage = MemoryCalls.mmap(4096, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS, -1, 0);
    }

    @Override
    boolean prepare(IoSlot slot) {
        return slot.op() != UblkIoOp.UBLK_IO_OP_READ || acquire(slot);
    }

    @Override
    long dataPlace(IoSlot slot) {
        if (!acquire(slot)) {
            return 0;
        }
        return slot.inPlace() != 0 ? slot.inPlace() : slot.dataBuffer().address();
    }

    private boolean acquire(IoSlot slot) {
        MemorySegment buffer;
        try {
            long place = provider.inPlace(slot);
            if (place != 0) {
                slot.inPlace(place);
                return true;
            }
            buffer = provider.acquire(slot);
        } catch (RuntimeException | Error e) {
            buffer = null;
            engine.report("buffer provider failed for " + slot, e);
        }
        if (buffer == null || buffer.byteSize() < slot.length() || !buffer.isNative()) {
            // No buffer, no data: fail the request through its commit, which carries the scratch page.
            slot.dataBuffer(null);
            engine.failWithoutData(slot);
            return false;
        }
        slot.dataBuffer(buffer);
        return true;
    }

    @Override
    long beforeCommit(IoSlot slot) {
        long place = slot.inPlace();
        if (place != 0) {
            // A read's data goes from its place to the request as the commit is submitted.
            slot.inPlace(0);
            return place;
        }
        if (slot.dataBuffer() != null) {
            releaseAfterSubmit[releaseCount++] = slot.tag();
            return slot.dataBuffer().address();
        }
        // The kernel wants an address with every READ commit, even a failed one; nothing is copied.
        return scratchPage.address();
    }

    @Override
    boolean releasePending() {
        return releaseCount > 0;
    }

    @Override
    void afterSubmit() {
        // The kernel copies a read's data during the COMMIT's submission, so the buffer is free now.
        for (int i = 0; i < releaseCount; i++) {
            release(slots[releaseAfterSubmit[i]]);
        }
        releaseCount = 0;
    }

    @Override
    void onAbort(IoSlot slot) {
        slot.inPlace(0);
        release(slot);
    }

    private void release(IoSlot slot) {
        MemorySegment buffer = slot.dataBuffer();
        slot.dataBuffer(null);
        if (buffer != null) {
            provider.release(slot, buffer);
        }
    }

    @Override
    void close(IoSlot[] all) {
        if (scratchPage != null) {
            MemoryCalls.munmapQuietly(scratchPage);
            scratchPage = null;
        }
        for (IoSlot slot : all) {
            slot.inPlace(0);
            release(slot);
        }
    }
}
