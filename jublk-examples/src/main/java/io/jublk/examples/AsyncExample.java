// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A RAM disk whose copies run on a thread pool: the queue's thread hands each read and write to the
 * pool and goes on to the next request, and the request completes when its future does. A backend
 * that answers with futures (an RPC client, a database driver) plugs in the same way.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.AsyncExample [SIZE]}</pre>
 */
public final class AsyncExample {
    private AsyncExample() {
    }

    // snippet:async-target
    /** RAM in native memory, read and written by a pool's threads. */
    record PooledRam(MemorySegment ram, ExecutorService pool) implements BlockTarget, QueueHandler {
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(ram.byteSize());
        }
        public TargetCapabilities capabilities() {
            return TargetCapabilities.NO_CACHE;      // memory: nothing to flush
        }
        public int read(UblkIo io) {
            // io stays valid until it completes; the future's value is the result (bytes or -errno)
            return io.completeWhen(CompletableFuture.supplyAsync(
                    () -> io.copyToRequest(0, ram, io.offset(), io.length()), pool));
        }
        public int write(UblkIo io) {
            return io.completeWhen(CompletableFuture.supplyAsync(
                    () -> io.copyFromRequest(0, ram, io.offset(), io.length()), pool));
        }
    }
    // end-snippet

    /**
     * Adds a RAM device of {@code ram}'s size, served on a thread per queue with the copies on
     * {@code pool}.
     *
     * @param ram the device's storage
     * @param pool where reads and writes run
     * @return the started device; closing it stops and deletes it
     * @throws UblkException when the kernel refuses the device
     */
    public static UblkDevice start(MemorySegment ram, ExecutorService pool) throws UblkException {
        return Serving.started(UblkDevice.builder().target(new PooledRam(ram, pool)).queues(2).depth(64).build());
    }

    /**
     * Serves a RAM device until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the size (default 256M)
     * @throws Exception when the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            Serving.serveRam(args, ram -> start(ram, pool));
        }
    }
}
