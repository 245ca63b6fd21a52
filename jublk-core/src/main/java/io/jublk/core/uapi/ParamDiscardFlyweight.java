// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_discard} (20 bytes): the discard and write-zeroes
 * limits. It is the {@code discard} member of {@code struct ublk_params}, reached through {@link
 * ParamsFlyweight#discard()}.
 *
 * <pre>
 *   discard_alignment u32 @0, discard_granularity u32 @4, max_discard_sectors u32 @8,
 *   max_write_zeroes_sectors u32 @12, max_discard_segments u16 @16, reserved0 u16 @18
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 4-byte aligned.
 */
public final class ParamDiscardFlyweight extends StructFlyweight<ParamDiscardFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_DISCARD}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_DISCARD;
    /** Size of the struct in bytes (20). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamDiscardFlyweight() {
        super(LAYOUT);
    }

    private static final long DISCARD_ALIGNMENT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard_alignment");

    /**
     * Reads {@code discard_alignment}.
     *
     * @return the discard alignment in bytes
     */
    public int discardAlignment() {
        return i32(DISCARD_ALIGNMENT_OFFSET);
    }

    /**
     * Writes {@code discard_alignment}.
     *
     * @param discardAlignment the discard alignment in bytes
     * @return this
     */
    public ParamDiscardFlyweight discardAlignment(int discardAlignment) {
        return i32(DISCARD_ALIGNMENT_OFFSET, discardAlignment);
    }

    private static final long DISCARD_GRANULARITY_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard_granularity");

    /**
     * Reads {@code discard_granularity}.
     *
     * @return the discard granularity in bytes
     */
    public int discardGranularity() {
        return i32(DISCARD_GRANULARITY_OFFSET);
    }

    /**
     * Writes {@code discard_granularity}.
     *
     * @param discardGranularity the discard granularity in bytes, not 0
     * @return this
     */
    public ParamDiscardFlyweight discardGranularity(int discardGranularity) {
        return i32(DISCARD_GRANULARITY_OFFSET, discardGranularity);
    }

    private static final long MAX_DISCARD_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_discard_sectors");

    /**
     * Reads {@code max_discard_sectors}.
     *
     * @return the largest discard in sectors
     */
    public int maxDiscardSectors() {
        return i32(MAX_DISCARD_SECTORS_OFFSET);
    }

    /**
     * Writes {@code max_discard_sectors}.
     *
     * @param maxDiscardSectors the largest discard in sectors
     * @return this
     */
    public ParamDiscardFlyweight maxDiscardSectors(int maxDiscardSectors) {
        return i32(MAX_DISCARD_SECTORS_OFFSET, maxDiscardSectors);
    }

    private static final long MAX_WRITE_ZEROES_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_write_zeroes_sectors");

    /**
     * Reads {@code max_write_zeroes_sectors}.
     *
     * @return the largest write-zeroes in sectors
     */
    public int maxWriteZeroesSectors() {
        return i32(MAX_WRITE_ZEROES_SECTORS_OFFSET);
    }

    /**
     * Writes {@code max_write_zeroes_sectors}.
     *
     * @param maxWriteZeroesSectors the largest write-zeroes in sectors
     * @return this
     */
    public ParamDiscardFlyweight maxWriteZeroesSectors(int maxWriteZeroesSectors) {
        return i32(MAX_WRITE_ZEROES_SECTORS_OFFSET, maxWriteZeroesSectors);
    }

    private static final long MAX_DISCARD_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_discard_segments");

    /**
     * Reads {@code max_discard_segments}.
     *
     * @return the maximum discard segments
     */
    public int maxDiscardSegments() {
        return u16(MAX_DISCARD_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code max_discard_segments}.
     *
     * @param maxDiscardSegments the maximum discard segments (1 if discard is enabled)
     * @return this
     */
    public ParamDiscardFlyweight maxDiscardSegments(int maxDiscardSegments) {
        return u16(MAX_DISCARD_SEGMENTS_OFFSET, maxDiscardSegments);
    }
}
