// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;


/** How a queue's ring is sized and set up, and how its mappings go. */
final class QueueRings {
    private QueueRings() {
    }

    /**
     * Rings sized for an idle queue to be cheap: the SQ holds one commit per tag, and a fuller
     * round (a target's own operations) is flushed by {@link IoUring#nextSqe()}, never dropped;
     * the CQ holds every CQE that can be outstanding at once: a fetch per tag, a target operation
     * per tag and the wake-up, so it does not overflow. Ring pages are resident from setup: at
     * depth 128 this is 20 KiB per queue where twice the SQ and CQ took 52 KiB.
     */
    static IoUring newRing(int depth) throws ErrnoException {
        int entries = Integer.highestOneBit(Math.max(depth, 2) - 1) << 1;
        int cqEntries = Integer.highestOneBit(Math.min(2 * depth + 8, 65536) - 1) << 1;
        try {
            return IoUring.builder(entries).cqSize(cqEntries).singleIssuer().deferTaskrun().taskrunFlag().build();
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            // Kernels before 6.1 lack DEFER_TASKRUN.
            return IoUring.builder(entries).cqSize(cqEntries).coopTaskrun().taskrunFlag().build();
        }
    }
}
