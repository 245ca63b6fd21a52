// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;

/**
 * Completes every request at once without touching data: reads return whatever the buffer holds,
 * writes are dropped. For measuring the cost of the ublk path itself. One handler, itself, serves
 * every queue.
 */
public final class NullTarget implements BlockTarget, QueueHandler {
    private final long sizeBytes;

    /** A null device of 250 GiB, as ublksrv's null target has. */
    public NullTarget() {
        this(250L << 30);
    }

    /**
     * @param sizeBytes the size the device reports
     */
    public NullTarget(long sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    @Override
    public TargetGeometry geometry() {
        return TargetGeometry.ofSize(sizeBytes);
    }

    /** Holds no data, so any size: a running device grows as far as asked. */
    @Override
    public long maxSizeBytes() {
        return Long.MAX_VALUE;
    }

    @Override
    public TargetCapabilities capabilities() {
        return TargetCapabilities.NO_CACHE.withDiscard(true).withWriteZeroes(true);
    }

    @Override
    public int read(UblkIo io) {
        return io.length();
    }

    @Override
    public int write(UblkIo io) {
        return io.length();
    }

    @Override
    public int discard(UblkIo io) {
        return 0;
    }

    @Override
    public int writeZeroes(UblkIo io) {
        return 0;
    }
}
