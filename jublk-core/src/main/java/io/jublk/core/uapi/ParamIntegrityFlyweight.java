// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_integrity} (16 bytes): the integrity (metadata and
 * protection information) limits. It is the {@code integrity} member of {@code struct
 * ublk_params}, reached through {@link ParamsFlyweight#integrity()}.
 *
 * <pre>
 *   flags u32 @0, max_integrity_segments u16 @4, interval_exp u8 @6, metadata_size u8 @7,
 *   pi_offset u8 @8, csum_type u8 @9, tag_size u8 @10, pad[5] @11
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 4-byte aligned.
 */
public final class ParamIntegrityFlyweight extends StructFlyweight<ParamIntegrityFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_INTEGRITY}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_INTEGRITY;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamIntegrityFlyweight() {
        super(LAYOUT);
    }

    private static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");

    /**
     * Reads {@code flags}.
     *
     * @return the {@code LBMD_PI_CAP_*} flags
     */
    public int flags() {
        return i32(FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the {@code LBMD_PI_CAP_*} flags of linux/fs.h
     * @return this
     */
    public ParamIntegrityFlyweight flags(int flags) {
        return i32(FLAGS_OFFSET, flags);
    }

    private static final long MAX_INTEGRITY_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_integrity_segments");

    /**
     * Reads {@code max_integrity_segments}.
     *
     * @return the maximum integrity segments, 0 = no limit
     */
    public int maxIntegritySegments() {
        return u16(MAX_INTEGRITY_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code max_integrity_segments}.
     *
     * @param maxIntegritySegments the maximum integrity segments, 0 = no limit
     * @return this
     */
    public ParamIntegrityFlyweight maxIntegritySegments(int maxIntegritySegments) {
        return u16(MAX_INTEGRITY_SEGMENTS_OFFSET, maxIntegritySegments);
    }

    private static final long INTERVAL_EXP_OFFSET = UblkLayouts.offsetOf(LAYOUT, "interval_exp");

    /**
     * Reads {@code interval_exp}.
     *
     * @return log2 of the protection interval
     */
    public int intervalExp() {
        return u8(INTERVAL_EXP_OFFSET);
    }

    /**
     * Writes {@code interval_exp}.
     *
     * @param intervalExp log2 of the protection interval
     * @return this
     */
    public ParamIntegrityFlyweight intervalExp(int intervalExp) {
        return u8(INTERVAL_EXP_OFFSET, intervalExp);
    }

    private static final long METADATA_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "metadata_size");

    /**
     * Reads {@code metadata_size}.
     *
     * @return the metadata bytes per interval
     */
    public int metadataSize() {
        return u8(METADATA_SIZE_OFFSET);
    }

    /**
     * Writes {@code metadata_size}.
     *
     * @param metadataSize the metadata bytes per interval, not 0
     * @return this
     */
    public ParamIntegrityFlyweight metadataSize(int metadataSize) {
        return u8(METADATA_SIZE_OFFSET, metadataSize);
    }

    private static final long PI_OFFSET_OFFSET = UblkLayouts.offsetOf(LAYOUT, "pi_offset");

    /**
     * Reads {@code pi_offset}.
     *
     * @return the offset of the protection information in the metadata
     */
    public int piOffset() {
        return u8(PI_OFFSET_OFFSET);
    }

    /**
     * Writes {@code pi_offset}.
     *
     * @param piOffset the offset of the protection information in the metadata
     * @return this
     */
    public ParamIntegrityFlyweight piOffset(int piOffset) {
        return u8(PI_OFFSET_OFFSET, piOffset);
    }

    private static final long CSUM_TYPE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "csum_type");

    /**
     * Reads {@code csum_type}.
     *
     * @return the {@code LBMD_PI_CSUM_*} checksum type
     */
    public int csumType() {
        return u8(CSUM_TYPE_OFFSET);
    }

    /**
     * Writes {@code csum_type}.
     *
     * @param csumType the {@code LBMD_PI_CSUM_*} checksum type of linux/fs.h
     * @return this
     */
    public ParamIntegrityFlyweight csumType(int csumType) {
        return u8(CSUM_TYPE_OFFSET, csumType);
    }

    private static final long TAG_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "tag_size");

    /**
     * Reads {@code tag_size}.
     *
     * @return the tag size in bytes
     */
    public int tagSize() {
        return u8(TAG_SIZE_OFFSET);
    }

    /**
     * Writes {@code tag_size}.
     *
     * @param tagSize the tag size in bytes
     * @return this
     */
    public ParamIntegrityFlyweight tagSize(int tagSize) {
        return u8(TAG_SIZE_OFFSET, tagSize);
    }
}
