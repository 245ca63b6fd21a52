package io.jublk.targets;

import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.UblkIo;

/**
 * Completes every request at once without touching data: reads return whatever the buffer holds,
 * writes are dropped. For measuring the cost of the ublk path itself.
 */
public final class NullTarget implements BlockTarget {
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

    @Override
    public TargetCapabilities capabilities() {
        return new TargetCapabilities(false, false, true, true, false, false);
    }
}
