// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_params} (152 bytes in 7.2), the buffer of SET_PARAMS and
 * GET_PARAMS: {@code len}, {@code types} and one flyweight per parameter group ({@link #basic()},
 * {@link #discard()}, {@link #devt()}, {@link #zoned()}, {@link #dma()}, {@link #seg()},
 * {@link #integrity()}).
 *
 * <pre>
 *   0        2        4        6        8
 *   +-----------------+-----------------+
 *   |       len       |      types      |    0
 *   +-----------------+-----------------+
 *   |  basic: ublk_param_basic (32)     |    8
 *   +-----------------------------------+
 *   |  discard: ublk_param_discard (20) |   40
 *   +-----------------------------------+
 *   |  devt: ublk_param_devt (16)       |   60
 *   +-----------------------------------+
 *   |  zoned: ublk_param_zoned (32)     |   76
 *   +-----------------------------------+
 *   |  dma: ublk_param_dma_align (8)    |  108
 *   +-----------------+-----------------+
 *   |  (hole)         |                    116
 *   +-----------------+-----------------+
 *   |  seg: ublk_param_segment (16)     |  120
 *   +-----------------------------------+
 *   |  integrity: ublk_param_integrity  |  136
 *   |  (16)                             |
 *   +-----------------------------------+
 * </pre>
 *
 * <p>{@code len} and {@code types} negotiate the ABI: set {@code len} to the size you use and
 * {@code types} to the groups you filled ({@code UBLK_PARAM_TYPE_*}; BASIC is mandatory). Older
 * kernels accept a shorter {@code len}.
 *
 * <p>The groups a device is set up with (basic, discard, dma) and the device numbers (devt) also
 * have flat accessors named <i>group</i><i>Field</i> ({@code basicLogicalBsShift},
 * {@code discardGranularity}, ...), so that SET_PARAMS can be filled in one chain.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. The group flyweights belong to this one and
 * follow it. The wrapped memory must be 8-byte aligned.
 */
public final class ParamsFlyweight extends StructFlyweight<ParamsFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAMS}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAMS;
    /** Size of the struct in bytes (152). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code basic} ({@code struct ublk_param_basic}). */
    public static final long BASIC_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic");
    /** Offset of {@code discard} ({@code struct ublk_param_discard}). */
    public static final long DISCARD_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard");
    /** Offset of {@code devt} ({@code struct ublk_param_devt}). */
    public static final long DEVT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "devt");
    /** Offset of {@code zoned} ({@code struct ublk_param_zoned}). */
    public static final long ZONED_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zoned");
    /** Offset of {@code dma} ({@code struct ublk_param_dma_align}). */
    public static final long DMA_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dma");
    /** Offset of {@code seg} ({@code struct ublk_param_segment}). */
    public static final long SEG_OFFSET = UblkLayouts.offsetOf(LAYOUT, "seg");
    /** Offset of {@code integrity} ({@code struct ublk_param_integrity}). */
    public static final long INTEGRITY_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity");

    private final ParamBasicFlyweight basic = new ParamBasicFlyweight();
    private final ParamDiscardFlyweight discard = new ParamDiscardFlyweight();
    private final ParamDevtFlyweight devt = new ParamDevtFlyweight();
    private final ParamZonedFlyweight zoned = new ParamZonedFlyweight();
    private final ParamDmaAlignFlyweight dma = new ParamDmaAlignFlyweight();
    private final ParamSegmentFlyweight seg = new ParamSegmentFlyweight();
    private final ParamIntegrityFlyweight integrity = new ParamIntegrityFlyweight();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamsFlyweight() {
        super(LAYOUT);
    }

    private static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");

    /**
     * Reads {@code len}.
     *
     * @return the length of the valid part of the struct in bytes
     */
    public int len() {
        return i32(LEN_OFFSET);
    }

    /**
     * Writes {@code len}.
     *
     * @param len the length of the struct the caller uses, usually {@link #SIZE}
     * @return this
     */
    public ParamsFlyweight len(int len) {
        return i32(LEN_OFFSET, len);
    }

    private static final long TYPES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "types");

    /**
     * Reads {@code types}.
     *
     * @return the {@code UBLK_PARAM_TYPE_*} bits of the valid groups
     */
    public int types() {
        return i32(TYPES_OFFSET);
    }

    /**
     * Writes {@code types}.
     *
     * @param types the {@code UBLK_PARAM_TYPE_*} bits of the valid groups
     * @return this
     */
    public ParamsFlyweight types(int types) {
        return i32(TYPES_OFFSET, types);
    }

    /**
     * Zeroes the struct and sets {@code len} to {@link #SIZE} and {@code types} to 0, ready to be
     * filled for SET_PARAMS or passed to GET_PARAMS.
     *
     * @return this
     */
    public ParamsFlyweight reset() {
        return clear().len((int) SIZE);
    }

    /**
     * Adds {@code UBLK_PARAM_TYPE_*} bits to {@code types}.
     *
     * @param types the bits to set
     * @return this
     */
    public ParamsFlyweight addTypes(int types) {
        return types(types() | types);
    }

    /**
     * Points the flyweight of {@code basic} at this struct's member.
     *
     * @return the {@code struct ublk_param_basic} flyweight of this struct, valid until it is wrapped again
     */
    public ParamBasicFlyweight basic() {
        return basic.wrap(segment(), offset() + BASIC_OFFSET);
    }

    /**
     * Points the flyweight of {@code discard} at this struct's member.
     *
     * @return the {@code struct ublk_param_discard} flyweight of this struct, valid until it is wrapped again
     */
    public ParamDiscardFlyweight discard() {
        return discard.wrap(segment(), offset() + DISCARD_OFFSET);
    }

    /**
     * Points the flyweight of {@code devt} at this struct's member.
     *
     * @return the {@code struct ublk_param_devt} flyweight of this struct, valid until it is wrapped again
     */
    public ParamDevtFlyweight devt() {
        return devt.wrap(segment(), offset() + DEVT_OFFSET);
    }

    /**
     * Points the flyweight of {@code zoned} at this struct's member.
     *
     * @return the {@code struct ublk_param_zoned} flyweight of this struct, valid until it is wrapped again
     */
    public ParamZonedFlyweight zoned() {
        return zoned.wrap(segment(), offset() + ZONED_OFFSET);
    }

    /**
     * Points the flyweight of {@code dma} at this struct's member.
     *
     * @return the {@code struct ublk_param_dma_align} flyweight of this struct, valid until it is wrapped again
     */
    public ParamDmaAlignFlyweight dma() {
        return dma.wrap(segment(), offset() + DMA_OFFSET);
    }

    /**
     * Points the flyweight of {@code seg} at this struct's member.
     *
     * @return the {@code struct ublk_param_segment} flyweight of this struct, valid until it is wrapped again
     */
    public ParamSegmentFlyweight seg() {
        return seg.wrap(segment(), offset() + SEG_OFFSET);
    }

    /**
     * Points the flyweight of {@code integrity} at this struct's member.
     *
     * @return the {@code struct ublk_param_integrity} flyweight of this struct, valid until it is wrapped again
     */
    public ParamIntegrityFlyweight integrity() {
        return integrity.wrap(segment(), offset() + INTEGRITY_OFFSET);
    }

    /**
     * Reads {@code basic.attrs}.
     *
     * @return see {@link ParamBasicFlyweight#attrs()}
     */
    public int basicAttrs() {
        return basic().attrs();
    }

    /**
     * Writes {@code basic.attrs}.
     *
     * @param basicAttrs see {@link ParamBasicFlyweight#attrs(int)}
     * @return this
     */
    public ParamsFlyweight basicAttrs(int basicAttrs) {
        basic().attrs(basicAttrs);
        return this;
    }

    /**
     * Reads {@code basic.logical_bs_shift}.
     *
     * @return see {@link ParamBasicFlyweight#logicalBsShift()}
     */
    public int basicLogicalBsShift() {
        return basic().logicalBsShift();
    }

    /**
     * Writes {@code basic.logical_bs_shift}.
     *
     * @param basicLogicalBsShift see {@link ParamBasicFlyweight#logicalBsShift(int)}
     * @return this
     */
    public ParamsFlyweight basicLogicalBsShift(int basicLogicalBsShift) {
        basic().logicalBsShift(basicLogicalBsShift);
        return this;
    }

    /**
     * Reads {@code basic.physical_bs_shift}.
     *
     * @return see {@link ParamBasicFlyweight#physicalBsShift()}
     */
    public int basicPhysicalBsShift() {
        return basic().physicalBsShift();
    }

    /**
     * Writes {@code basic.physical_bs_shift}.
     *
     * @param basicPhysicalBsShift see {@link ParamBasicFlyweight#physicalBsShift(int)}
     * @return this
     */
    public ParamsFlyweight basicPhysicalBsShift(int basicPhysicalBsShift) {
        basic().physicalBsShift(basicPhysicalBsShift);
        return this;
    }

    /**
     * Reads {@code basic.io_opt_shift}.
     *
     * @return see {@link ParamBasicFlyweight#ioOptShift()}
     */
    public int basicIoOptShift() {
        return basic().ioOptShift();
    }

    /**
     * Writes {@code basic.io_opt_shift}.
     *
     * @param basicIoOptShift see {@link ParamBasicFlyweight#ioOptShift(int)}
     * @return this
     */
    public ParamsFlyweight basicIoOptShift(int basicIoOptShift) {
        basic().ioOptShift(basicIoOptShift);
        return this;
    }

    /**
     * Reads {@code basic.io_min_shift}.
     *
     * @return see {@link ParamBasicFlyweight#ioMinShift()}
     */
    public int basicIoMinShift() {
        return basic().ioMinShift();
    }

    /**
     * Writes {@code basic.io_min_shift}.
     *
     * @param basicIoMinShift see {@link ParamBasicFlyweight#ioMinShift(int)}
     * @return this
     */
    public ParamsFlyweight basicIoMinShift(int basicIoMinShift) {
        basic().ioMinShift(basicIoMinShift);
        return this;
    }

    /**
     * Reads {@code basic.max_sectors}.
     *
     * @return see {@link ParamBasicFlyweight#maxSectors()}
     */
    public int basicMaxSectors() {
        return basic().maxSectors();
    }

    /**
     * Writes {@code basic.max_sectors}.
     *
     * @param basicMaxSectors see {@link ParamBasicFlyweight#maxSectors(int)}
     * @return this
     */
    public ParamsFlyweight basicMaxSectors(int basicMaxSectors) {
        basic().maxSectors(basicMaxSectors);
        return this;
    }

    /**
     * Reads {@code basic.chunk_sectors}.
     *
     * @return see {@link ParamBasicFlyweight#chunkSectors()}
     */
    public int basicChunkSectors() {
        return basic().chunkSectors();
    }

    /**
     * Writes {@code basic.chunk_sectors}.
     *
     * @param basicChunkSectors see {@link ParamBasicFlyweight#chunkSectors(int)}
     * @return this
     */
    public ParamsFlyweight basicChunkSectors(int basicChunkSectors) {
        basic().chunkSectors(basicChunkSectors);
        return this;
    }

    /**
     * Reads {@code basic.dev_sectors}.
     *
     * @return see {@link ParamBasicFlyweight#devSectors()}
     */
    public long basicDevSectors() {
        return basic().devSectors();
    }

    /**
     * Writes {@code basic.dev_sectors}.
     *
     * @param basicDevSectors see {@link ParamBasicFlyweight#devSectors(long)}
     * @return this
     */
    public ParamsFlyweight basicDevSectors(long basicDevSectors) {
        basic().devSectors(basicDevSectors);
        return this;
    }

    /**
     * Reads {@code basic.virt_boundary_mask}.
     *
     * @return see {@link ParamBasicFlyweight#virtBoundaryMask()}
     */
    public long basicVirtBoundaryMask() {
        return basic().virtBoundaryMask();
    }

    /**
     * Writes {@code basic.virt_boundary_mask}.
     *
     * @param basicVirtBoundaryMask see {@link ParamBasicFlyweight#virtBoundaryMask(long)}
     * @return this
     */
    public ParamsFlyweight basicVirtBoundaryMask(long basicVirtBoundaryMask) {
        basic().virtBoundaryMask(basicVirtBoundaryMask);
        return this;
    }

    /**
     * Reads {@code discard.discard_alignment}.
     *
     * @return see {@link ParamDiscardFlyweight#discardAlignment()}
     */
    public int discardAlignment() {
        return discard().discardAlignment();
    }

    /**
     * Writes {@code discard.discard_alignment}.
     *
     * @param discardAlignment see {@link ParamDiscardFlyweight#discardAlignment(int)}
     * @return this
     */
    public ParamsFlyweight discardAlignment(int discardAlignment) {
        discard().discardAlignment(discardAlignment);
        return this;
    }

    /**
     * Reads {@code discard.discard_granularity}.
     *
     * @return see {@link ParamDiscardFlyweight#discardGranularity()}
     */
    public int discardGranularity() {
        return discard().discardGranularity();
    }

    /**
     * Writes {@code discard.discard_granularity}.
     *
     * @param discardGranularity see {@link ParamDiscardFlyweight#discardGranularity(int)}
     * @return this
     */
    public ParamsFlyweight discardGranularity(int discardGranularity) {
        discard().discardGranularity(discardGranularity);
        return this;
    }

    /**
     * Reads {@code discard.max_discard_sectors}.
     *
     * @return see {@link ParamDiscardFlyweight#maxDiscardSectors()}
     */
    public int discardMaxDiscardSectors() {
        return discard().maxDiscardSectors();
    }

    /**
     * Writes {@code discard.max_discard_sectors}.
     *
     * @param discardMaxDiscardSectors see {@link ParamDiscardFlyweight#maxDiscardSectors(int)}
     * @return this
     */
    public ParamsFlyweight discardMaxDiscardSectors(int discardMaxDiscardSectors) {
        discard().maxDiscardSectors(discardMaxDiscardSectors);
        return this;
    }

    /**
     * Reads {@code discard.max_write_zeroes_sectors}.
     *
     * @return see {@link ParamDiscardFlyweight#maxWriteZeroesSectors()}
     */
    public int discardMaxWriteZeroesSectors() {
        return discard().maxWriteZeroesSectors();
    }

    /**
     * Writes {@code discard.max_write_zeroes_sectors}.
     *
     * @param discardMaxWriteZeroesSectors see {@link ParamDiscardFlyweight#maxWriteZeroesSectors(int)}
     * @return this
     */
    public ParamsFlyweight discardMaxWriteZeroesSectors(int discardMaxWriteZeroesSectors) {
        discard().maxWriteZeroesSectors(discardMaxWriteZeroesSectors);
        return this;
    }

    /**
     * Reads {@code discard.max_discard_segments}.
     *
     * @return see {@link ParamDiscardFlyweight#maxDiscardSegments()}
     */
    public int discardMaxDiscardSegments() {
        return discard().maxDiscardSegments();
    }

    /**
     * Writes {@code discard.max_discard_segments}.
     *
     * @param discardMaxDiscardSegments see {@link ParamDiscardFlyweight#maxDiscardSegments(int)}
     * @return this
     */
    public ParamsFlyweight discardMaxDiscardSegments(int discardMaxDiscardSegments) {
        discard().maxDiscardSegments(discardMaxDiscardSegments);
        return this;
    }

    /**
     * Reads {@code devt.char_major}.
     *
     * @return see {@link ParamDevtFlyweight#charMajor()}
     */
    public int devtCharMajor() {
        return devt().charMajor();
    }

    /**
     * Reads {@code devt.char_minor}.
     *
     * @return see {@link ParamDevtFlyweight#charMinor()}
     */
    public int devtCharMinor() {
        return devt().charMinor();
    }

    /**
     * Reads {@code devt.disk_major}.
     *
     * @return see {@link ParamDevtFlyweight#diskMajor()}
     */
    public int devtDiskMajor() {
        return devt().diskMajor();
    }

    /**
     * Reads {@code devt.disk_minor}.
     *
     * @return see {@link ParamDevtFlyweight#diskMinor()}
     */
    public int devtDiskMinor() {
        return devt().diskMinor();
    }

    /**
     * Reads {@code dma.alignment}.
     *
     * @return see {@link ParamDmaAlignFlyweight#alignment()}
     */
    public int dmaAlignment() {
        return dma().alignment();
    }

    /**
     * Writes {@code dma.alignment}.
     *
     * @param dmaAlignment see {@link ParamDmaAlignFlyweight#alignment(int)}
     * @return this
     */
    public ParamsFlyweight dmaAlignment(int dmaAlignment) {
        dma().alignment(dmaAlignment);
        return this;
    }
}
