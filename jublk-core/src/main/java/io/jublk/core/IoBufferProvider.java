package io.jublk.core;

import java.lang.foreign.MemorySegment;

/**
 * Lends the application's own memory for request data in {@link DataMode#COPY_APPLICATION_BUFFERS}
 * mode, so data is copied once, into memory the backend already owns (an RPC pool, say).
 *
 * <p>Both methods run on the queue's thread; they must not block.
 */
public interface IoBufferProvider {
    /**
     * Lends a buffer for one request.
     *
     * @param io the request, whose descriptor (op, offset, length) is already loaded
     * @return native memory of at least {@code io.length()} bytes, valid until {@link #release}
     */
    MemorySegment acquire(UblkIo io);

    /**
     * Takes back a buffer once the kernel is done with it.
     *
     * @param io the request the buffer served
     * @param buffer the segment {@link #acquire} returned
     */
    void release(UblkIo io, MemorySegment buffer);
}
