// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.control;

/**
 * Device parameters ({@code struct ublk_params}): the parts jublk sets and reads. Which parts are
 * present is given by {@code types}, a mask of {@code UBLK_PARAM_TYPE_*}.
 *
 * @param types the parts present
 * @param attrs basic attributes, {@code UBLK_ATTR_*}
 * @param logicalBsShift log2 of the logical block size
 * @param physicalBsShift log2 of the physical block size
 * @param ioOptShift log2 of the optimal IO size
 * @param ioMinShift log2 of the minimum IO size
 * @param maxSectors largest request in 512-byte sectors
 * @param chunkSectors chunk size in sectors, 0 for none
 * @param devSectors device size in 512-byte sectors
 * @param discardAlignment discard alignment in bytes
 * @param discardGranularity discard granularity in bytes
 * @param maxDiscardSectors largest discard in sectors, 0 for none
 * @param maxWriteZeroesSectors largest write-zeroes in sectors, 0 for none
 * @param maxDiscardSegments discard segments per request (the kernel wants 1)
 * @param diskMajor block device major, read back only
 * @param diskMinor block device minor, read back only
 * @param dmaAlignment DMA alignment mask, 0 for the default
 */
public record UblkParams(int types, int attrs, int logicalBsShift, int physicalBsShift, int ioOptShift, int ioMinShift,
                         int maxSectors, int chunkSectors, long devSectors,
                         int discardAlignment, int discardGranularity, int maxDiscardSectors, int maxWriteZeroesSectors,
                         int maxDiscardSegments, int diskMajor, int diskMinor, int dmaAlignment) {

    /** @return the device size in bytes */
    public long sizeBytes() {
        return devSectors << 9;
    }

    /** @return the logical block size in bytes */
    public int logicalBlockSize() {
        return 1 << logicalBsShift;
    }
}
