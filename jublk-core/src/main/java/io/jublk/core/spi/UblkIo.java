// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

import io.jublk.core.DataMode;
import io.jublk.core.UblkQueue;
import io.jublk.core.uapi.UblkIoOp;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * One request slot (tag) of a queue: the request being served there and the way to reach its data.
 *
 * <p>The queue owns one instance per tag and reuses it for every request on that tag, so nothing is
 * allocated per IO. Its fields are valid from the call into {@link QueueHandler} until
 * {@link #complete(int)}; a target that completes later must copy what it needs first.
 *
 * <p>The queue engine fills the fields; a subclass outside it serves tests of a target, which can
 * then run without a kernel.
 */
public abstract class UblkIo {
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final UblkQueue queue;
    private final int tag;
    /** The request's op and flags, as in the kernel's descriptor. */
    protected int opFlags;
    /** The request's byte offset on the device. */
    protected long offset;
    /** The request's length in bytes. */
    protected int length;
    /** The buffer table slot of the request's pages in the zero copy modes, else -1. */
    protected int bufferIndex = -1;
    /** The request's data buffer in the copy modes, else {@code null}. */
    protected MemorySegment buffer;
    /** Where the request's data lives already ({@link IoBufferProvider#inPlace}), else 0. */
    protected long inPlaceAddress;
    private BiConsumer<Number, Throwable> whenDone;

    /**
     * @param queue the queue serving the slot, or {@code null} for a request made up in a test
     * @param tag the slot's tag
     */
    protected UblkIo(UblkQueue queue, int tag) {
        this.queue = queue;
        this.tag = tag;
    }

    /**
     * Moves request data between the request and native memory in user-copy mode, with pread or
     * pwrite on {@code /dev/ublkcN}.
     *
     * @param toRequest whether the data goes into the request
     * @param address native address of the other side
     * @param requestOffset byte offset inside the request
     * @param len bytes to move
     * @return {@code len}, or a negative errno
     */
    protected abstract int userCopy(boolean toRequest, long address, long requestOffset, int len);

    /** @return the queue serving this request */
    public UblkQueue queue() {
        return queue;
    }

    /** @return the request's tag, unique within its queue while in flight */
    public int tag() {
        return tag;
    }

    /** @return the op, one of {@code UblkIoOp.UBLK_IO_OP_*} */
    public int op() {
        return opFlags & 0xff;
    }

    /** @return the request flags, {@code UblkIoOp.UBLK_IO_F_*} bits */
    public int flags() {
        return opFlags & ~0xff;
    }

    /** @return the byte offset on the device */
    public long offset() {
        return offset;
    }

    /** @return the length in bytes */
    public int length() {
        return length;
    }

    /**
     * Whether the kernel moves this request's data straight between the request and its final place
     * ({@link IoBufferProvider#inPlace}): a read's data is there already, a write's data is there by the
     * time the target sees it, and the target only answers with the length.
     *
     * @return whether the data is in place
     */
    public boolean isInPlace() {
        return inPlaceAddress != 0;
    }

    /** @return whether a write must be durable before it completes (forced unit access) */
    public boolean fua() {
        return (opFlags & UblkIoOp.UBLK_IO_F_FUA) != 0;
    }

    /** @return whether a write-zeroes request asks to keep the range allocated */
    public boolean noUnmap() {
        return (opFlags & UblkIoOp.UBLK_IO_F_NOUNMAP) != 0;
    }

    /**
     * The request's data buffer in the copy modes: for a write it holds the data, for a read the
     * target fills it. Only the first {@link #length()} bytes belong to the request.
     *
     * @return the buffer, or {@code null} in {@link DataMode#USER_COPY}, where data moves with
     *     {@link #copyFromRequest} and {@link #copyToRequest}, and in the zero copy modes, where it
     *     moves only through {@link #bufferIndex()}
     */
    public MemorySegment buffer() {
        return buffer;
    }

    /**
     * The slot of the queue's io_uring buffer table that holds this request's own pages, in the zero
     * copy modes: READ_FIXED into it fills a read request, WRITE_FIXED from it takes a write's data,
     * with the SQE's {@code addr} the byte offset inside the request. The kernel enforces the
     * direction (a read request's pages can only be written).
     *
     * @return the buffer index, or -1 when the device is not zero copy or the request has no data
     */
    public int bufferIndex() {
        return bufferIndex;
    }

    /**
     * Copies write data out of the request, whatever the data mode: from the buffer, or with pread
     * on {@code /dev/ublkcN} in user-copy mode (one copy, straight into {@code dst}).
     *
     * @param requestOffset byte offset inside the request
     * @param dst where the data goes
     * @param dstOffset offset in {@code dst}
     * @param len bytes to copy
     * @return {@code len}, or a negative errno
     */
    public int copyFromRequest(long requestOffset, MemorySegment dst, long dstOffset, int len) {
        if (buffer != null) {
            MemorySegment.copy(buffer, requestOffset, dst, dstOffset, len);
            return len;
        }
        return userCopy(false, dst.address() + dstOffset, requestOffset, len);
    }

    /**
     * Copies read data into the request, whatever the data mode (see {@link #copyFromRequest}).
     *
     * @param requestOffset byte offset inside the request
     * @param src where the data comes from
     * @param srcOffset offset in {@code src}
     * @param len bytes to copy
     * @return {@code len}, or a negative errno
     */
    public int copyToRequest(long requestOffset, MemorySegment src, long srcOffset, int len) {
        if (buffer != null) {
            MemorySegment.copy(src, srcOffset, buffer, requestOffset, len);
            return len;
        }
        return userCopy(true, src.address() + srcOffset, requestOffset, len);
    }

    /**
     * Copies between the request and native memory given by address; for targets that manage raw
     * memory themselves.
     *
     * @param toRequest {@code true} to fill the request (reads), {@code false} to take its data (writes)
     * @param address native address of the other side
     * @param requestOffset byte offset inside the request
     * @param len bytes to copy
     * @return {@code len}, or a negative errno
     */
    public int copy(boolean toRequest, long address, long requestOffset, int len) {
        if (buffer != null) {
            if (toRequest) {
                MemorySegment.copy(ALL_MEMORY, address, buffer, requestOffset, len);
            } else {
                MemorySegment.copy(buffer, requestOffset, ALL_MEMORY, address, len);
            }
            return len;
        }
        return userCopy(toRequest, address, requestOffset, len);
    }

    /**
     * Completes a request that the target answered with {@link QueueHandler#ASYNC}. Safe from any
     * thread; from another thread it wakes the queue's thread, which commits the result in a batch.
     *
     * @param result bytes transferred, zero, or a negative errno, as for {@link QueueHandler}
     */
    public abstract void complete(int result);

    /**
     * Completes the request when {@code stage} does: with its value (bytes transferred, zero, or a
     * negative errno), or with the errno of an {@link io.jublk.uring.ErrnoException} that failed
     * it, EIO for any other failure. For backends that answer with futures (an RPC client, an
     * executor); the callback object is made once per slot, so only the stage itself costs memory.
     *
     * <pre>{@code
     * public int read(UblkIo io) {
     *     return io.completeWhen(client.readAsync(io.offset(), io.length(), io.buffer()));
     * }
     * }</pre>
     *
     * @param stage what completes the request
     * @return {@link QueueHandler#ASYNC}, for the handler to return
     */
    public final int completeWhen(CompletionStage<? extends Number> stage) {
        BiConsumer<Number, Throwable> done = whenDone;
        if (done == null) {
            done = (value, failure) -> complete(resultOf(value, failure));
            whenDone = done;
        }
        stage.whenComplete(done);
        return QueueHandler.ASYNC;
    }

    private static int resultOf(Number value, Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException || cause instanceof ExecutionException) {
            if (cause.getCause() == null) {
                break;
            }
            cause = cause.getCause();
        }
        if (cause instanceof ErrnoException e) {
            return -e.errnoValue();
        }
        if (cause != null || value == null) {
            return QueueHandler.EIO;
        }
        return value.intValue();
    }

    /** @return a short description for logs */
    @Override
    public String toString() {
        return "UblkIo[q" + (queue == null ? -1 : queue.queueId()) + " tag " + tag + ' ' + UblkIoOp.opName(op()) + " off=" + offset + " len=" + length + ']';
    }
}
