// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.control;

/** The checks on a new device size, before the kernel sees it: UPDATE_SIZE takes 512-byte sectors and checks nothing. */
final class DeviceSize {
    static final int SECTOR_SHIFT = 9;

    private DeviceSize() {
    }

    /**
     * @param bytes the new size
     * @param logicalBlockSize the device's logical block size
     * @return the size in 512-byte sectors
     * @throws IllegalArgumentException when the size is not positive or not a whole number of logical blocks
     */
    static long sectors(long bytes, int logicalBlockSize) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device size " + bytes + " must be positive");
        }
        if (logicalBlockSize <= 0 || bytes % logicalBlockSize != 0) {
            long down = logicalBlockSize <= 0 ? bytes : bytes / logicalBlockSize * logicalBlockSize;
            throw new IllegalArgumentException("device size " + bytes + " is not a multiple of the logical block size "
                    + logicalBlockSize + ": round it to " + down + " or " + (down + logicalBlockSize));
        }
        return bytes >>> SECTOR_SHIFT;
    }
}
