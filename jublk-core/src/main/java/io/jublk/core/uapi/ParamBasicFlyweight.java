// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_basic} (32 bytes): the mandatory block device limits
 * (size, block sizes, the largest io). It is the {@code basic} member of {@code struct
 * ublk_params}, reached through {@link ParamsFlyweight#basic()}.
 *
 * <pre>
 *   attrs u32 @0, logical_bs_shift u8 @4, physical_bs_shift u8 @5, io_opt_shift u8 @6,
 *   io_min_shift u8 @7, max_sectors u32 @8, chunk_sectors u32 @12, dev_sectors u64 @16,
 *   virt_boundary_mask u64 @24
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 8-byte aligned.
 */
public final class ParamBasicFlyweight extends StructFlyweight<ParamBasicFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_BASIC}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_BASIC;
    /** Size of the struct in bytes (32). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamBasicFlyweight() {
        super(LAYOUT);
    }

    private static final long ATTRS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "attrs");

    /**
     * Reads {@code attrs}.
     *
     * @return the {@code UBLK_ATTR_*} attributes
     */
    public int attrs() {
        return i32(ATTRS_OFFSET);
    }

    /**
     * Writes {@code attrs}.
     *
     * @param attrs the {@code UBLK_ATTR_*} attributes
     * @return this
     */
    public ParamBasicFlyweight attrs(int attrs) {
        return i32(ATTRS_OFFSET, attrs);
    }

    private static final long LOGICAL_BS_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "logical_bs_shift");

    /**
     * Reads {@code logical_bs_shift}.
     *
     * @return log2 of the logical block size
     */
    public int logicalBsShift() {
        return u8(LOGICAL_BS_SHIFT_OFFSET);
    }

    /**
     * Writes {@code logical_bs_shift}.
     *
     * @param logicalBsShift log2 of the logical block size, 9..PAGE_SHIFT
     * @return this
     */
    public ParamBasicFlyweight logicalBsShift(int logicalBsShift) {
        return u8(LOGICAL_BS_SHIFT_OFFSET, logicalBsShift);
    }

    private static final long PHYSICAL_BS_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "physical_bs_shift");

    /**
     * Reads {@code physical_bs_shift}.
     *
     * @return log2 of the physical block size
     */
    public int physicalBsShift() {
        return u8(PHYSICAL_BS_SHIFT_OFFSET);
    }

    /**
     * Writes {@code physical_bs_shift}.
     *
     * @param physicalBsShift log2 of the physical block size, at least the logical one
     * @return this
     */
    public ParamBasicFlyweight physicalBsShift(int physicalBsShift) {
        return u8(PHYSICAL_BS_SHIFT_OFFSET, physicalBsShift);
    }

    private static final long IO_OPT_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "io_opt_shift");

    /**
     * Reads {@code io_opt_shift}.
     *
     * @return log2 of the optimal io size
     */
    public int ioOptShift() {
        return u8(IO_OPT_SHIFT_OFFSET);
    }

    /**
     * Writes {@code io_opt_shift}.
     *
     * @param ioOptShift log2 of the optimal io size
     * @return this
     */
    public ParamBasicFlyweight ioOptShift(int ioOptShift) {
        return u8(IO_OPT_SHIFT_OFFSET, ioOptShift);
    }

    private static final long IO_MIN_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "io_min_shift");

    /**
     * Reads {@code io_min_shift}.
     *
     * @return log2 of the minimum io size
     */
    public int ioMinShift() {
        return u8(IO_MIN_SHIFT_OFFSET);
    }

    /**
     * Writes {@code io_min_shift}.
     *
     * @param ioMinShift log2 of the minimum io size
     * @return this
     */
    public ParamBasicFlyweight ioMinShift(int ioMinShift) {
        return u8(IO_MIN_SHIFT_OFFSET, ioMinShift);
    }

    private static final long MAX_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_sectors");

    /**
     * Reads {@code max_sectors}.
     *
     * @return the largest io in sectors
     */
    public int maxSectors() {
        return i32(MAX_SECTORS_OFFSET);
    }

    /**
     * Writes {@code max_sectors}.
     *
     * @param maxSectors the largest io in sectors, at most {@code max_io_buf_bytes >> 9}
     * @return this
     */
    public ParamBasicFlyweight maxSectors(int maxSectors) {
        return i32(MAX_SECTORS_OFFSET, maxSectors);
    }

    private static final long CHUNK_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "chunk_sectors");

    /**
     * Reads {@code chunk_sectors}.
     *
     * @return the chunk (zone) size in sectors
     */
    public int chunkSectors() {
        return i32(CHUNK_SECTORS_OFFSET);
    }

    /**
     * Writes {@code chunk_sectors}.
     *
     * @param chunkSectors the chunk size in sectors (the zone size if zoned)
     * @return this
     */
    public ParamBasicFlyweight chunkSectors(int chunkSectors) {
        return i32(CHUNK_SECTORS_OFFSET, chunkSectors);
    }

    private static final long DEV_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_sectors");

    /**
     * Reads {@code dev_sectors}.
     *
     * @return the device size in 512-byte sectors
     */
    public long devSectors() {
        return i64(DEV_SECTORS_OFFSET);
    }

    /**
     * Writes {@code dev_sectors}.
     *
     * @param devSectors the device size in 512-byte sectors
     * @return this
     */
    public ParamBasicFlyweight devSectors(long devSectors) {
        return i64(DEV_SECTORS_OFFSET, devSectors);
    }

    private static final long VIRT_BOUNDARY_MASK_OFFSET = UblkLayouts.offsetOf(LAYOUT, "virt_boundary_mask");

    /**
     * Reads {@code virt_boundary_mask}.
     *
     * @return the virtual boundary mask
     */
    public long virtBoundaryMask() {
        return i64(VIRT_BOUNDARY_MASK_OFFSET);
    }

    /**
     * Writes {@code virt_boundary_mask}.
     *
     * @param virtBoundaryMask the virtual boundary mask, or 0
     * @return this
     */
    public ParamBasicFlyweight virtBoundaryMask(long virtBoundaryMask) {
        return i64(VIRT_BOUNDARY_MASK_OFFSET, virtBoundaryMask);
    }
}
