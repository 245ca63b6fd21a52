// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * A device served from the application's own buffers ({@link DataMode#COPY_APPLICATION_BUFFERS}):
 * each queue lends a native buffer from its pool for every request, the kernel copies the request's
 * data straight into it or out of it, and the application uses that buffer as it stands (here it
 * is copied to or from a RAM store; an RPC client would send it or receive into it). jublk's own
 * per-request buffers are never used, so data is copied once on its way through the kernel.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.BufferPoolExample [SIZE]}</pre>
 */
public final class BufferPoolExample {
    /** The largest request the device takes, and so the size of each pooled buffer. */
    static final int MAX_IO_BYTES = 128 << 10;

    private BufferPoolExample() {
    }

    /** A RAM store whose queues serve from pools of their own. */
    record PooledStore(MemorySegment store) implements BlockTarget {
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(store.byteSize()).withMaxIoBytes(MAX_IO_BYTES);
        }

        public TargetCapabilities capabilities() {
            return TargetCapabilities.NO_CACHE.withLendsBuffers(true);
        }

        public QueueHandler openQueue(UblkQueue queue) {
            return new PoolHandler(store, queue.depth());
        }
    }

    // snippet:buffer-pool
    /** One queue's handler: lends a buffer per request from a pool only its queue's thread touches. */
    static final class PoolHandler implements QueueHandler, IoBufferProvider {
        private final Arena arena = Arena.ofShared();
        private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();
        private final MemorySegment store;

        PoolHandler(MemorySegment store, int depth) {
            this.store = store;
            for (int i = 0; i < depth; i++) {        // one per tag: a request never waits for a buffer
                free.push(arena.allocate(MAX_IO_BYTES, 4096));
            }
        }

        public IoBufferProvider bufferProvider() { return this; }
        public MemorySegment acquire(UblkIo io) { return free.pop(); }
        public void release(UblkIo io, MemorySegment buffer) { free.push(buffer); }

        // io.buffer() is the lent buffer: a write's data is in it, a read's data goes into it.
        public int read(UblkIo io) {
            MemorySegment.copy(store, io.offset(), io.buffer(), 0, io.length());
            return io.length();
        }
        public int write(UblkIo io) {
            MemorySegment.copy(io.buffer(), 0, store, io.offset(), io.length());
            return io.length();
        }
        public void stop() { arena.close(); }    // the queue's last request is done
    }
    // end-snippet

    /**
     * Adds a device of {@code store}'s size that serves from pooled application buffers.
     *
     * @param store the device's storage
     * @return the started device; closing it stops and deletes it
     * @throws UblkException when the kernel refuses the device
     */
    public static UblkDevice start(MemorySegment store) throws UblkException {
        return Serving.started(UblkDevice.builder().target(new PooledStore(store)).queues(2).depth(64)
                .dataMode(DataMode.COPY_APPLICATION_BUFFERS).build());
    }

    /**
     * Serves a pooled-buffer device until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the size (default 256M)
     * @throws Exception when the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        Serving.serveRam(args, BufferPoolExample::start);
    }
}
