// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_segment} (16 bytes): the segment limits of io buffers.
 * It is the {@code seg} member of {@code struct ublk_params}, reached through {@link
 * ParamsFlyweight#seg()}.
 *
 * <pre>
 *   seg_boundary_mask u64 @0, max_segment_size u32 @8, max_segments u16 @12, pad[2] @14
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 8-byte aligned.
 */
public final class ParamSegmentFlyweight extends StructFlyweight<ParamSegmentFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_SEGMENT}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_SEGMENT;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamSegmentFlyweight() {
        super(LAYOUT);
    }

    private static final long SEG_BOUNDARY_MASK_OFFSET = UblkLayouts.offsetOf(LAYOUT, "seg_boundary_mask");

    /**
     * Reads {@code seg_boundary_mask}.
     *
     * @return the segment boundary mask
     */
    public long segBoundaryMask() {
        return i64(SEG_BOUNDARY_MASK_OFFSET);
    }

    /**
     * Writes {@code seg_boundary_mask}.
     *
     * @param segBoundaryMask the segment boundary mask (mask + 1 a power of two, at least 4096)
     * @return this
     */
    public ParamSegmentFlyweight segBoundaryMask(long segBoundaryMask) {
        return i64(SEG_BOUNDARY_MASK_OFFSET, segBoundaryMask);
    }

    private static final long MAX_SEGMENT_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_segment_size");

    /**
     * Reads {@code max_segment_size}.
     *
     * @return the largest segment in bytes
     */
    public int maxSegmentSize() {
        return i32(MAX_SEGMENT_SIZE_OFFSET);
    }

    /**
     * Writes {@code max_segment_size}.
     *
     * @param maxSegmentSize the largest segment in bytes, at least {@link UblkCmd#UBLK_MIN_SEGMENT_SIZE}
     * @return this
     */
    public ParamSegmentFlyweight maxSegmentSize(int maxSegmentSize) {
        return i32(MAX_SEGMENT_SIZE_OFFSET, maxSegmentSize);
    }

    private static final long MAX_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_segments");

    /**
     * Reads {@code max_segments}.
     *
     * @return the maximum segments per io
     */
    public int maxSegments() {
        return u16(MAX_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code max_segments}.
     *
     * @param maxSegments the maximum segments per io
     * @return this
     */
    public ParamSegmentFlyweight maxSegments(int maxSegments) {
        return u16(MAX_SEGMENTS_OFFSET, maxSegments);
    }
}
