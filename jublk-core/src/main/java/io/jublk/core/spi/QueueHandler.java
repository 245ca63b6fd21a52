// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

import io.jublk.core.UblkQueue;

/**
 * Serves the requests of one queue, on that queue's thread: a {@link BlockTarget} opens one per
 * queue, so per-queue state needs no lock and no lookup.
 *
 * <p>Each method gets the request's offset, length, flags and data access in {@link UblkIo}. It
 * returns the result at once, or {@link #ASYNC} to complete later with {@link UblkIo#complete(int)}
 * or {@link UblkIo#completeWhen} from any thread. Results follow the kernel: bytes transferred for
 * reads and writes (a short count is requeued by the kernel), zero or more for success otherwise, or
 * a negative errno such as {@code -5} (EIO). A method that throws fails its request with EIO and
 * the queue keeps serving.
 */
public interface QueueHandler {
    /** Returned by a method that will complete the request later. */
    int ASYNC = Integer.MIN_VALUE;

    /** Negative errno for an operation the target does not support. */
    int EOPNOTSUPP = -95;

    /** Negative errno for an IO error. */
    int EIO = -5;

    /**
     * Reads {@code io.length()} bytes at {@code io.offset()} into the request.
     *
     * @param io the request
     * @return bytes read, a negative errno, or {@link #ASYNC}
     */
    int read(UblkIo io);

    /**
     * Writes the request's {@code io.length()} bytes at {@code io.offset()}; honours
     * {@link UblkIo#fua()} by making the data durable before completing.
     *
     * @param io the request
     * @return bytes written, a negative errno, or {@link #ASYNC}
     */
    int write(UblkIo io);

    /**
     * Makes every completed write durable.
     *
     * @param io the request
     * @return zero, a negative errno, or {@link #ASYNC}
     */
    default int flush(UblkIo io) {
        return 0;
    }

    /**
     * Discards a range: its contents become undefined and its storage may be freed.
     *
     * @param io the request
     * @return zero, a negative errno, or {@link #ASYNC}
     */
    default int discard(UblkIo io) {
        return EOPNOTSUPP;
    }

    /**
     * Zeroes a range, freeing storage where {@link UblkIo#noUnmap()} is not set.
     *
     * @param io the request
     * @return zero, a negative errno, or {@link #ASYNC}
     */
    default int writeZeroes(UblkIo io) {
        return EOPNOTSUPP;
    }

    /**
     * Receives a completion of an operation the handler submitted on its queue's io_uring with
     * {@link UblkQueue#targetUserData(int, long)}.
     *
     * @param io the request the operation serves
     * @param data the 40 bits of target data given when submitting
     * @param res the operation's result
     * @param flags the completion's flags
     */
    default void onRingCompletion(UblkIo io, long data, int res, int flags) {
        throw new IllegalStateException(getClass().getName() + " submitted io_uring operations but does not handle their completions");
    }

    /**
     * The buffers this handler lends for request data in
     * {@link io.jublk.core.DataMode#COPY_APPLICATION_BUFFERS}; a target that has them says so in
     * {@link TargetCapabilities#lendsBuffers()}.
     *
     * @return the provider, or {@code null} (the default) when the handler lends none
     */
    default IoBufferProvider bufferProvider() {
        return null;
    }

    /**
     * The queue stopped serving: releases its state, on the queue's thread, after its last request.
     * (Not {@code close()}, so that a target can be its own handler and still own a
     * {@code close()} for the whole device.)
     */
    default void stop() {
    }
}
