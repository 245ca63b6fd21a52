// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

import io.jublk.core.UblkQueue;

import java.io.IOException;

/**
 * What a ublk device serves: a description of the device (its {@link #geometry()} and
 * {@link #capabilities()}), and a {@link QueueHandler} per queue that reads and writes its blocks.
 *
 * <p>A target with no per-queue state can be its own handler, for every queue:
 *
 * <pre>{@code
 * final class ZeroTarget implements BlockTarget, QueueHandler {
 *     public TargetGeometry geometry() { return TargetGeometry.ofSize(1L << 30); }
 *     public int read(UblkIo io) { return io.length(); }
 *     public int write(UblkIo io) { return io.length(); }
 * }
 * }</pre>
 *
 * <p>A target may be shared by all queues of a device, so {@link #openQueue} may run concurrently on
 * different queues' threads.
 */
public interface BlockTarget {
    /**
     * The device's shape as the target sees it; the device builder takes it, and a caller
     * overrides only what it wants.
     *
     * @return the geometry; {@link TargetGeometry#UNSIZED} when the caller must give the size
     */
    TargetGeometry geometry();

    /**
     * Which optional operations the device advertises and which data modes the target can serve;
     * the defaults advertise flush and FUA only.
     *
     * @return the capabilities, turned into ublk parameters when the device is added
     */
    default TargetCapabilities capabilities() {
        return TargetCapabilities.DEFAULT;
    }

    /**
     * The largest device the target can serve, for growing a running device
     * ({@code UblkDevice.updateSize}); the kernel sends no request beyond the device's size. By
     * default the size in {@link #geometry()}: a target that can hold more, or any size, says so.
     *
     * @return the largest size in bytes
     */
    default long maxSizeBytes() {
        return geometry().sizeBytes();
    }

    /**
     * Opens the handler of one queue, on that queue's thread, before its first request; the queue
     * stops it ({@link QueueHandler#stop()}) on the same thread after its last. A target that
     * submits its own io_uring operations sets up per-queue state here (registered files, buffers).
     * By default a target that is itself a {@link QueueHandler} serves every queue.
     *
     * @param queue the queue, whose ring is set up
     * @return the handler that serves the queue's requests
     * @throws IOException when the queue cannot serve this target
     */
    default QueueHandler openQueue(UblkQueue queue) throws IOException {
        if (this instanceof QueueHandler handler) {
            return handler;
        }
        throw new UnsupportedOperationException(getClass().getName() + " is no QueueHandler and opens none per queue:"
                + " implement openQueue(UblkQueue)");
    }
}
