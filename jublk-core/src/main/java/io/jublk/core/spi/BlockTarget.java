package io.jublk.core.spi;

import io.jublk.core.DataMode;
import io.jublk.core.UblkQueue;

/**
 * What a ublk device serves: the backend that reads and writes its blocks.
 *
 * <p>Each method is called on the thread driving the request's queue, with the request's offset,
 * length, flags and data access in {@link UblkIo}. It returns the result at once, or
 * {@link #ASYNC} to complete later by calling {@link UblkIo#complete(int)} from any thread. Results
 * follow the kernel: bytes transferred for reads and writes (a short count is requeued by the
 * kernel), zero or more for success otherwise, or a negative errno such as {@code -5} (EIO).
 * Exceptions thrown by a method fail that request with EIO and the queue keeps serving.
 *
 * <p>A target may be shared by all queues of a device, so methods may run concurrently on
 * different queues' threads.
 */
public interface BlockTarget {
    /** Returned by a method that will complete the request later with {@link UblkIo#complete(int)}. */
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
     * Receives a completion of an operation the target submitted on its queue's io_uring with
     * {@link UblkQueue#targetUserData(int, long)}; runs on the queue's thread.
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
     * Called on a queue's thread when the queue starts, before any request; a target that submits its
     * own io_uring operations sets up per-queue state here (registered files, say).
     *
     * @param queue the queue
     * @throws java.io.IOException when the queue cannot serve this target
     */
    default void onQueueStart(UblkQueue queue) throws java.io.IOException {
    }

    /**
     * Called on a queue's thread when the queue stops, after its last request.
     *
     * @param queue the queue
     */
    default void onQueueStop(UblkQueue queue) {
    }

    /**
     * Whether the target can serve {@link DataMode#ZERO_COPY} and {@link DataMode#AUTO_ZERO_COPY}:
     * it moves data only with READ_FIXED/WRITE_FIXED (or other fixed-buffer operations) on its
     * queue's ring, using {@link UblkIo#bufferIndex()}, since the request's data is then nowhere
     * in the server's memory.
     *
     * @return {@code true} for such targets; the default is {@code false}
     */
    default boolean supportsZeroCopy() {
        return false;
    }

    /**
     * Which optional operations the device advertises; the defaults advertise flush only.
     *
     * @return the capabilities, turned into ublk parameters when the device is added
     */
    default TargetCapabilities capabilities() {
        return TargetCapabilities.DEFAULT;
    }
}
