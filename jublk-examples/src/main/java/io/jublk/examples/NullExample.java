// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;

import java.util.List;

/**
 * The smallest target: every request completes at once and no data is kept, so what it measures is
 * the ublk path itself.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.NullExample [SIZE]}</pre>
 */
public final class NullExample {
    private NullExample() {
    }

    // snippet:null-target
    /** Completes every request at once: the ublk path with nothing behind it. */
    record Null(long size) implements BlockTarget, QueueHandler {
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(size);
        }
        public int read(UblkIo io)  { return io.length(); }
        public int write(UblkIo io) { return io.length(); }
    }
    // end-snippet

    /**
     * Adds a null device and serves it on a thread per queue.
     *
     * @param sizeBytes the size the device reports
     * @return the started device; closing it stops and deletes it
     * @throws UblkException when the kernel refuses the device
     */
    public static UblkDevice start(long sizeBytes) throws UblkException {
        // snippet:null-device
        UblkDevice dev = UblkDevice.builder()
                .target(new Null(sizeBytes)).queues(2).depth(128)
                .build();                // ADD_DEV, SET_PARAMS, open /dev/ublkcN
        try {
            dev.runQueues();             // one platform thread per queue (or drive queue.poll() yourself)
            dev.start();                 // START_DEV: /dev/ublkbN exists now
        } catch (UblkException | RuntimeException e) {
            dev.close();                 // stop, drain, delete: nothing left behind
            throw e;
        }
        // end-snippet
        return dev;
    }

    /**
     * Serves a null device until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the size (default 1G)
     * @throws Exception when the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        UblkDevice dev = start(Serving.sizeArg(args, 0, 1L << 30));
        System.out.println(dev.blockPath());
        Serving.untilDeleted(List.of(dev));
    }
}
