// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.spi;

/**
 * The shape of the device a target serves. The device builder takes it as the device's own; a
 * caller overrides only what it wants. A zero means the target has no preference and jublk's default
 * holds: 512-byte logical blocks, 4 KiB physical blocks, 512 KiB requests at most.
 *
 * @param sizeBytes the device size in bytes; 0 when the caller must give one
 * @param logicalBlockSize the smallest unit the device addresses: 512, 1024, 2048 or 4096, or 0
 * @param physicalBlockSize the unit the device writes atomically, or 0
 * @param maxIoBytes the largest request the target takes, a multiple of 4096, or 0
 */
public record TargetGeometry(long sizeBytes, int logicalBlockSize, int physicalBlockSize, int maxIoBytes) {
    /** No size and no preferences: the caller gives the size. */
    public static final TargetGeometry UNSIZED = new TargetGeometry(0, 0, 0, 0);

    /**
     * @throws IllegalArgumentException when a value is negative
     */
    public TargetGeometry {
        if (sizeBytes < 0 || logicalBlockSize < 0 || physicalBlockSize < 0 || maxIoBytes < 0) {
            throw new IllegalArgumentException("negative value in " + this);
        }
    }

    /**
     * @param sizeBytes the device size in bytes
     * @return a geometry of that size with jublk's defaults for the rest
     */
    public static TargetGeometry ofSize(long sizeBytes) {
        return new TargetGeometry(sizeBytes, 0, 0, 0);
    }

    /**
     * @param bytes the logical block size
     * @return a copy with it
     */
    public TargetGeometry withLogicalBlockSize(int bytes) {
        return new TargetGeometry(sizeBytes, bytes, physicalBlockSize, maxIoBytes);
    }

    /**
     * @param bytes the physical block size
     * @return a copy with it
     */
    public TargetGeometry withPhysicalBlockSize(int bytes) {
        return new TargetGeometry(sizeBytes, logicalBlockSize, bytes, maxIoBytes);
    }

    /**
     * @param bytes the largest request
     * @return a copy with it
     */
    public TargetGeometry withMaxIoBytes(int bytes) {
        return new TargetGeometry(sizeBytes, logicalBlockSize, physicalBlockSize, bytes);
    }
}
