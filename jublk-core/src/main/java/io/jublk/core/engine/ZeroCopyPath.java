// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.uapi.UblkCmd;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;

/**
 * {@link io.jublk.core.DataMode#ZERO_COPY}: the queue registers each request's pages in the ring's
 * buffer table at slot = tag (REGISTER_IO_BUF) and unregisters them with the commit.
 */
final class ZeroCopyPath extends DataPath {
    private final QueueEngine engine;
    private boolean[] registered;

    ZeroCopyPath(QueueEngine engine) {
        this.engine = engine;
    }

    @Override
    void open(IoUring ring, IoSlot[] slots, int maxIoBytes) throws ErrnoException {
        ring.registerBuffersSparse(slots.length);
        registered = new boolean[slots.length];
    }

    @Override
    boolean prepare(IoSlot slot) {
        if (slot.bufferIndex() >= 0) {
            // Issued before the target's own operations in the same submission, so the pages are
            // in the table when its READ_FIXED/WRITE_FIXED runs.
            engine.queueBufferCommand(UblkCmd.UBLK_U_IO_REGISTER_IO_BUF, slot.tag());
            registered[slot.tag()] = true;
        }
        return true;
    }

    @Override
    long beforeCommit(IoSlot slot) {
        if (registered[slot.tag()]) {
            // The kernel completes the request once the pages are unregistered and the commit is in.
            engine.queueBufferCommand(UblkCmd.UBLK_U_IO_UNREGISTER_IO_BUF, slot.tag());
            registered[slot.tag()] = false;
        }
        return 0;
    }
}
