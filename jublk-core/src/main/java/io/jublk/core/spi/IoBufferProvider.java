// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

import io.jublk.core.DataMode;

import java.lang.foreign.MemorySegment;

/**
 * Lends the application's own memory for request data in {@link DataMode#COPY_APPLICATION_BUFFERS}
 * mode, so data is copied once, into memory the backend already owns (an RPC pool, say).
 *
 * <p>A provider whose memory already holds the data where it belongs (a mapped file, say) can lend
 * that place itself through {@link #inPlace}: the kernel then copies a read's data straight from it and
 * a write's data straight into it, and the target has nothing left to move.
 *
 * <p>All methods run on the queue's thread; they must not block.
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

    /**
     * Where this request's data lives already, if anywhere: the address of {@code io.length()} bytes
     * that hold a read's data, or that are to take a write's data, in their final place. Asked before
     * {@link #acquire}; nothing is released for it. The memory must stay valid and mapped until the
     * request completes; a target sees such a request with {@link UblkIo#isInPlace()} set.
     *
     * @param io the request, whose descriptor is already loaded
     * @return the address, or 0 to lend a buffer with {@link #acquire} instead
     */
    default long inPlace(UblkIo io) {
        return 0L;
    }
}
