// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.uapi.AutoBufRegFlyweight;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.SubmissionEntry;

/**
 * {@link io.jublk.core.DataMode#AUTO_ZERO_COPY}: the kernel registers each request's pages itself
 * (AUTO_BUF_REG), at the slot every io command names: slot = tag.
 */
final class AutoZeroCopyPath extends DataPath {
    @Override
    void open(IoUring ring, IoSlot[] slots, int maxIoBytes) throws ErrnoException {
        ring.registerBuffersSparse(slots.length);
    }

    @Override
    void onIoCommand(SubmissionEntry sqe, int tag) {
        sqe.addr(AutoBufRegFlyweight.autoBufReg(tag, 0));
    }
}
