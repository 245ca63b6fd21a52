package io.jublk.core.spi;

/**
 * What a target offers the block layer beyond reads and writes.
 *
 * @param volatileCache the target has a write cache, so the kernel sends flushes
 * @param fua the target honours FUA writes
 * @param discard the target implements {@link BlockTarget#discard}
 * @param writeZeroes the target implements {@link BlockTarget#writeZeroes}
 * @param rotational the backing storage is rotational (affects the kernel's IO scheduling)
 * @param readOnly the device is read-only
 */
public record TargetCapabilities(boolean volatileCache, boolean fua, boolean discard, boolean writeZeroes,
                                 boolean rotational, boolean readOnly) {
    /** Reads and writes with flushes and FUA, nothing else. */
    public static final TargetCapabilities DEFAULT = new TargetCapabilities(true, true, false, false, false, false);

    /**
     * @param on whether discard is offered
     * @return a copy with discard set
     */
    public TargetCapabilities withDiscard(boolean on) {
        return new TargetCapabilities(volatileCache, fua, on, writeZeroes, rotational, readOnly);
    }

    /**
     * @param on whether write-zeroes is offered
     * @return a copy with write-zeroes set
     */
    public TargetCapabilities withWriteZeroes(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, on, rotational, readOnly);
    }

    /**
     * @param on whether the device is read-only
     * @return a copy with read-only set
     */
    public TargetCapabilities withReadOnly(boolean on) {
        return new TargetCapabilities(volatileCache, fua, discard, writeZeroes, rotational, on);
    }
}
