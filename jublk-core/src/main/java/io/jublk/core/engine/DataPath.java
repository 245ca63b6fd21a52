// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.DataMode;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.SubmissionEntry;

import java.io.IOException;

/**
 * How request data moves in one {@link DataMode}: what the queue maps or registers at start, the
 * address each io command carries, and what surrounds a request's service. All on the owner thread.
 */
abstract class DataPath {
    /**
     * @param mode the device's data mode
     * @param engine the queue
     * @param handler the target's queue handler, which lends buffers in {@link DataMode#COPY_APPLICATION_BUFFERS}
     * @param target the target, to name in a complaint
     * @return the data path for the mode
     * @throws IOException when the mode needs lent buffers and the handler lends none
     */
    static DataPath of(DataMode mode, QueueEngine engine, QueueHandler handler, BlockTarget target) throws IOException {
        return switch (mode) {
            case COPY -> new CopyPath();
            case COPY_APPLICATION_BUFFERS -> new ApplicationBufferPath(engine, bufferProvider(mode, handler, target));
            case USER_COPY -> new DataPath() { };
            case ZERO_COPY -> new ZeroCopyPath(engine);
            case AUTO_ZERO_COPY -> new AutoZeroCopyPath();
        };
    }

    private static IoBufferProvider bufferProvider(DataMode mode, QueueHandler handler, BlockTarget target)
            throws IOException {
        IoBufferProvider provider = handler.bufferProvider();
        if (provider == null) {
            throw new IOException(target.getClass().getSimpleName() + "'s queue handler lends no buffers"
                    + " (bufferProvider() is null), which data mode " + mode.cliName() + " needs");
        }
        return provider;
    }

    /**
     * Sets up what the mode needs, before the first fetch.
     *
     * @param ring the queue's ring
     * @param slots the queue's request slots, by tag
     * @param maxIoBytes the largest request
     * @throws ErrnoException when a mapping or registration fails
     */
    void open(IoUring ring, IoSlot[] slots, int maxIoBytes) throws ErrnoException {
    }

    /** @return the buffer address a FETCH of this slot carries */
    long fetchAddress(IoSlot slot) {
        return 0;
    }

    /** Adds what the mode needs to an io command's SQE. */
    void onIoCommand(SubmissionEntry sqe, int tag) {
    }

    /**
     * Prepares a new request's data before the target sees it.
     *
     * @return whether to dispatch it; {@code false} when it was failed already
     */
    boolean prepare(IoSlot slot) {
        return true;
    }

    /**
     * The kernel wants a write's data place (NEED_GET_DATA).
     *
     * @return the address to give, or 0 when the request was failed already
     */
    long dataPlace(IoSlot slot) {
        throw new IllegalStateException("NEED_GET_DATA in a data mode that did not ask for it");
    }

    /**
     * Called before a request's COMMIT_AND_FETCH is queued.
     *
     * @return the buffer address the commit carries
     */
    long beforeCommit(IoSlot slot) {
        return 0;
    }

    /** @return whether buffers wait to be handed back after the next submission */
    boolean releasePending() {
        return false;
    }

    /** Called after each submission to the kernel. */
    void afterSubmit() {
    }

    /** The kernel ended the slot. */
    void onAbort(IoSlot slot) {
    }

    /** Releases what {@link #open} set up; idempotent. */
    void close(IoSlot[] slots) {
    }
}
