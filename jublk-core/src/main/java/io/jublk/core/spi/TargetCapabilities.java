// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

import io.jublk.core.DataMode;

/**
 * What a target offers beyond reads and writes; the device advertises it to the block layer and
 * checks the data mode against it.
 *
 * @param volatileCache the target has a write cache, so the kernel sends flushes
 * @param fua the target honours FUA writes
 * @param discard the target implements {@link QueueHandler#discard}
 * @param writeZeroes the target implements {@link QueueHandler#writeZeroes}
 * @param rotational the backing storage is rotational (affects the kernel's IO scheduling)
 * @param readOnly the device is read-only
 * @param zeroCopy the target moves data only with fixed-buffer operations on its queue's io_uring
 *     ({@link UblkIo#bufferIndex()}), so it can serve {@link DataMode#ZERO_COPY} and
 *     {@link DataMode#AUTO_ZERO_COPY}
 * @param lendsBuffers its queue handlers lend buffers ({@link QueueHandler#bufferProvider()}), so it
 *     can serve {@link DataMode#COPY_APPLICATION_BUFFERS}
 */
public record TargetCapabilities(boolean volatileCache, boolean fua, boolean discard, boolean writeZeroes,
                                 boolean rotational, boolean readOnly, boolean zeroCopy, boolean lendsBuffers) {
    /** Reads and writes with flushes and FUA, nothing else. */
    public static final TargetCapabilities DEFAULT = new TargetCapabilities(true, true, false, false, false, false, false, false);

    /** Reads and writes with no write cache (no flush, no FUA), nothing else: memory, say. */
    public static final TargetCapabilities NO_CACHE = new TargetCapabilities(false, false, false, false, false, false, false, false);

    /**
     * @param on whether the target has a write cache and honours flush and FUA
     * @return a copy with both set
     */
    public TargetCapabilities withWriteCache(boolean on) {
        return new TargetCapabilities(on, on, discard, writeZeroes, rotational, readOnly, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether FUA is honoured
     * @return a copy with FUA set
     */
    public TargetCapabilities withFua(boolean on) {
        return new TargetCapabilities(volatileCache, on, discard, writeZeroes, rotational, readOnly, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether discard is offered
     * @return a copy with discard set
     */
    public TargetCapabilities withDiscard(boolean on) {
        return new TargetCapabilities(volatileCache, fua, on, writeZeroes, rotational, readOnly, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether write-zeroes is offered
     * @return a copy with write-zeroes set
     */
    public TargetCapabilities withWriteZeroes(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, on, rotational, readOnly, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether the backing is rotational
     * @return a copy with it set
     */
    public TargetCapabilities withRotational(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, writeZeroes, on, readOnly, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether the device is read-only
     * @return a copy with read-only set
     */
    public TargetCapabilities withReadOnly(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, writeZeroes, rotational, on, zeroCopy, lendsBuffers);
    }

    /**
     * @param on whether the target can serve the zero copy modes
     * @return a copy with it set
     */
    public TargetCapabilities withZeroCopy(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, writeZeroes, rotational, readOnly, on, lendsBuffers);
    }

    /**
     * @param on whether the target's handlers lend buffers
     * @return a copy with it set
     */
    public TargetCapabilities withLendsBuffers(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, writeZeroes, rotational, readOnly, zeroCopy, on);
    }
}
