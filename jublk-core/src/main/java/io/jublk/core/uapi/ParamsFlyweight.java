package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_params} (152 bytes in 7.2), the buffer of SET_PARAMS and
 * GET_PARAMS, with accessors for the members of each parameter group named
 * <i>group</i><i>Field</i> ({@code basicLogicalBsShift}, {@code segMaxSegments}, ...).
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
 *
 *   basic:     attrs u32 @0, logical_bs_shift u8 @4, physical_bs_shift u8 @5, io_opt_shift u8 @6,
 *              io_min_shift u8 @7, max_sectors u32 @8, chunk_sectors u32 @12, dev_sectors u64 @16,
 *              virt_boundary_mask u64 @24
 *   discard:   discard_alignment u32 @0, discard_granularity u32 @4, max_discard_sectors u32 @8,
 *              max_write_zeroes_sectors u32 @12, max_discard_segments u16 @16, reserved0 u16 @18
 *   devt:      char_major @0, char_minor @4, disk_major @8, disk_minor @12 (u32, read-only)
 *   zoned:     max_open_zones u32 @0, max_active_zones u32 @4, max_zone_append_sectors u32 @8,
 *              reserved[20] @12
 *   dma:       alignment u32 @0, pad[4] @4
 *   seg:       seg_boundary_mask u64 @0, max_segment_size u32 @8, max_segments u16 @12, pad[2] @14
 *   integrity: flags u32 @0, max_integrity_segments u16 @4, interval_exp u8 @6, metadata_size u8 @7,
 *              pi_offset u8 @8, csum_type u8 @9, tag_size u8 @10, pad[5] @11
 * </pre>
 *
 * <p>{@code len} and {@code types} negotiate the ABI: set {@code len} to the size you use and
 * {@code types} to the groups you filled ({@code UBLK_PARAM_TYPE_*}; BASIC is mandatory). Older
 * kernels accept a shorter {@code len}. Unsigned fields narrower than 32 bits are widened without
 * sign; {@code __u32} is returned as its bit pattern in an {@code int}.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class ParamsFlyweight extends StructFlyweight<ParamsFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAMS}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAMS;
    /** Size of the struct in bytes (152). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code len} ({@code __u32}). */
    public static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");
    /** Offset of {@code types} ({@code __u32}). */
    public static final long TYPES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "types");
    /** Offset of {@code basic.attrs} ({@code __u32}). */
    public static final long BASIC_ATTRS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.attrs");
    /** Offset of {@code basic.logical_bs_shift} ({@code __u8}). */
    public static final long BASIC_LOGICAL_BS_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.logical_bs_shift");
    /** Offset of {@code basic.physical_bs_shift} ({@code __u8}). */
    public static final long BASIC_PHYSICAL_BS_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.physical_bs_shift");
    /** Offset of {@code basic.io_opt_shift} ({@code __u8}). */
    public static final long BASIC_IO_OPT_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.io_opt_shift");
    /** Offset of {@code basic.io_min_shift} ({@code __u8}). */
    public static final long BASIC_IO_MIN_SHIFT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.io_min_shift");
    /** Offset of {@code basic.max_sectors} ({@code __u32}). */
    public static final long BASIC_MAX_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.max_sectors");
    /** Offset of {@code basic.chunk_sectors} ({@code __u32}). */
    public static final long BASIC_CHUNK_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.chunk_sectors");
    /** Offset of {@code basic.dev_sectors} ({@code __u64}). */
    public static final long BASIC_DEV_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.dev_sectors");
    /** Offset of {@code basic.virt_boundary_mask} ({@code __u64}). */
    public static final long BASIC_VIRT_BOUNDARY_MASK_OFFSET = UblkLayouts.offsetOf(LAYOUT, "basic.virt_boundary_mask");
    /** Offset of {@code discard.discard_alignment} ({@code __u32}). */
    public static final long DISCARD_DISCARD_ALIGNMENT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.discard_alignment");
    /** Offset of {@code discard.discard_granularity} ({@code __u32}). */
    public static final long DISCARD_DISCARD_GRANULARITY_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.discard_granularity");
    /** Offset of {@code discard.max_discard_sectors} ({@code __u32}). */
    public static final long DISCARD_MAX_DISCARD_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.max_discard_sectors");
    /** Offset of {@code discard.max_write_zeroes_sectors} ({@code __u32}). */
    public static final long DISCARD_MAX_WRITE_ZEROES_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.max_write_zeroes_sectors");
    /** Offset of {@code discard.max_discard_segments} ({@code __u16}). */
    public static final long DISCARD_MAX_DISCARD_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.max_discard_segments");
    /** Offset of {@code discard.reserved0} ({@code __u16}). */
    public static final long DISCARD_RESERVED0_OFFSET = UblkLayouts.offsetOf(LAYOUT, "discard.reserved0");
    /** Offset of {@code devt.char_major} ({@code __u32}). */
    public static final long DEVT_CHAR_MAJOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "devt.char_major");
    /** Offset of {@code devt.char_minor} ({@code __u32}). */
    public static final long DEVT_CHAR_MINOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "devt.char_minor");
    /** Offset of {@code devt.disk_major} ({@code __u32}). */
    public static final long DEVT_DISK_MAJOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "devt.disk_major");
    /** Offset of {@code devt.disk_minor} ({@code __u32}). */
    public static final long DEVT_DISK_MINOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "devt.disk_minor");
    /** Offset of {@code zoned.max_open_zones} ({@code __u32}). */
    public static final long ZONED_MAX_OPEN_ZONES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zoned.max_open_zones");
    /** Offset of {@code zoned.max_active_zones} ({@code __u32}). */
    public static final long ZONED_MAX_ACTIVE_ZONES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zoned.max_active_zones");
    /** Offset of {@code zoned.max_zone_append_sectors} ({@code __u32}). */
    public static final long ZONED_MAX_ZONE_APPEND_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zoned.max_zone_append_sectors");
    /** Offset of {@code dma.alignment} ({@code __u32}). */
    public static final long DMA_ALIGNMENT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dma.alignment");
    /** Offset of {@code seg.seg_boundary_mask} ({@code __u64}). */
    public static final long SEG_SEG_BOUNDARY_MASK_OFFSET = UblkLayouts.offsetOf(LAYOUT, "seg.seg_boundary_mask");
    /** Offset of {@code seg.max_segment_size} ({@code __u32}). */
    public static final long SEG_MAX_SEGMENT_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "seg.max_segment_size");
    /** Offset of {@code seg.max_segments} ({@code __u16}). */
    public static final long SEG_MAX_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "seg.max_segments");
    /** Offset of {@code integrity.flags} ({@code __u32}). */
    public static final long INTEGRITY_FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.flags");
    /** Offset of {@code integrity.max_integrity_segments} ({@code __u16}). */
    public static final long INTEGRITY_MAX_INTEGRITY_SEGMENTS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.max_integrity_segments");
    /** Offset of {@code integrity.interval_exp} ({@code __u8}). */
    public static final long INTEGRITY_INTERVAL_EXP_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.interval_exp");
    /** Offset of {@code integrity.metadata_size} ({@code __u8}). */
    public static final long INTEGRITY_METADATA_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.metadata_size");
    /** Offset of {@code integrity.pi_offset} ({@code __u8}). */
    public static final long INTEGRITY_PI_OFFSET_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.pi_offset");
    /** Offset of {@code integrity.csum_type} ({@code __u8}). */
    public static final long INTEGRITY_CSUM_TYPE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.csum_type");
    /** Offset of {@code integrity.tag_size} ({@code __u8}). */
    public static final long INTEGRITY_TAG_SIZE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "integrity.tag_size");
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

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamsFlyweight() {
        super(LAYOUT);
    }

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
     * Reads {@code basic.attrs}.
     *
     * @return the {@code UBLK_ATTR_*} attributes
     */
    public int basicAttrs() {
        return i32(BASIC_ATTRS_OFFSET);
    }

    /**
     * Writes {@code basic.attrs}.
     *
     * @param basicAttrs the {@code UBLK_ATTR_*} attributes
     * @return this
     */
    public ParamsFlyweight basicAttrs(int basicAttrs) {
        return i32(BASIC_ATTRS_OFFSET, basicAttrs);
    }

    /**
     * Reads {@code basic.logical_bs_shift}.
     *
     * @return log2 of the logical block size
     */
    public int basicLogicalBsShift() {
        return u8(BASIC_LOGICAL_BS_SHIFT_OFFSET);
    }

    /**
     * Writes {@code basic.logical_bs_shift}.
     *
     * @param basicLogicalBsShift log2 of the logical block size, 9..PAGE_SHIFT
     * @return this
     */
    public ParamsFlyweight basicLogicalBsShift(int basicLogicalBsShift) {
        return u8(BASIC_LOGICAL_BS_SHIFT_OFFSET, basicLogicalBsShift);
    }

    /**
     * Reads {@code basic.physical_bs_shift}.
     *
     * @return log2 of the physical block size
     */
    public int basicPhysicalBsShift() {
        return u8(BASIC_PHYSICAL_BS_SHIFT_OFFSET);
    }

    /**
     * Writes {@code basic.physical_bs_shift}.
     *
     * @param basicPhysicalBsShift log2 of the physical block size, at least the logical one
     * @return this
     */
    public ParamsFlyweight basicPhysicalBsShift(int basicPhysicalBsShift) {
        return u8(BASIC_PHYSICAL_BS_SHIFT_OFFSET, basicPhysicalBsShift);
    }

    /**
     * Reads {@code basic.io_opt_shift}.
     *
     * @return log2 of the optimal io size
     */
    public int basicIoOptShift() {
        return u8(BASIC_IO_OPT_SHIFT_OFFSET);
    }

    /**
     * Writes {@code basic.io_opt_shift}.
     *
     * @param basicIoOptShift log2 of the optimal io size
     * @return this
     */
    public ParamsFlyweight basicIoOptShift(int basicIoOptShift) {
        return u8(BASIC_IO_OPT_SHIFT_OFFSET, basicIoOptShift);
    }

    /**
     * Reads {@code basic.io_min_shift}.
     *
     * @return log2 of the minimum io size
     */
    public int basicIoMinShift() {
        return u8(BASIC_IO_MIN_SHIFT_OFFSET);
    }

    /**
     * Writes {@code basic.io_min_shift}.
     *
     * @param basicIoMinShift log2 of the minimum io size
     * @return this
     */
    public ParamsFlyweight basicIoMinShift(int basicIoMinShift) {
        return u8(BASIC_IO_MIN_SHIFT_OFFSET, basicIoMinShift);
    }

    /**
     * Reads {@code basic.max_sectors}.
     *
     * @return the largest io in sectors
     */
    public int basicMaxSectors() {
        return i32(BASIC_MAX_SECTORS_OFFSET);
    }

    /**
     * Writes {@code basic.max_sectors}.
     *
     * @param basicMaxSectors the largest io in sectors, at most {@code max_io_buf_bytes >> 9}
     * @return this
     */
    public ParamsFlyweight basicMaxSectors(int basicMaxSectors) {
        return i32(BASIC_MAX_SECTORS_OFFSET, basicMaxSectors);
    }

    /**
     * Reads {@code basic.chunk_sectors}.
     *
     * @return the chunk (zone) size in sectors
     */
    public int basicChunkSectors() {
        return i32(BASIC_CHUNK_SECTORS_OFFSET);
    }

    /**
     * Writes {@code basic.chunk_sectors}.
     *
     * @param basicChunkSectors the chunk size in sectors (the zone size if zoned)
     * @return this
     */
    public ParamsFlyweight basicChunkSectors(int basicChunkSectors) {
        return i32(BASIC_CHUNK_SECTORS_OFFSET, basicChunkSectors);
    }

    /**
     * Reads {@code basic.dev_sectors}.
     *
     * @return the device size in 512-byte sectors
     */
    public long basicDevSectors() {
        return i64(BASIC_DEV_SECTORS_OFFSET);
    }

    /**
     * Writes {@code basic.dev_sectors}.
     *
     * @param basicDevSectors the device size in 512-byte sectors
     * @return this
     */
    public ParamsFlyweight basicDevSectors(long basicDevSectors) {
        return i64(BASIC_DEV_SECTORS_OFFSET, basicDevSectors);
    }

    /**
     * Reads {@code basic.virt_boundary_mask}.
     *
     * @return the virtual boundary mask
     */
    public long basicVirtBoundaryMask() {
        return i64(BASIC_VIRT_BOUNDARY_MASK_OFFSET);
    }

    /**
     * Writes {@code basic.virt_boundary_mask}.
     *
     * @param basicVirtBoundaryMask the virtual boundary mask, or 0
     * @return this
     */
    public ParamsFlyweight basicVirtBoundaryMask(long basicVirtBoundaryMask) {
        return i64(BASIC_VIRT_BOUNDARY_MASK_OFFSET, basicVirtBoundaryMask);
    }

    /**
     * Reads {@code discard.discard_alignment}.
     *
     * @return the discard alignment in bytes
     */
    public int discardAlignment() {
        return i32(DISCARD_DISCARD_ALIGNMENT_OFFSET);
    }

    /**
     * Writes {@code discard.discard_alignment}.
     *
     * @param discardAlignment the discard alignment in bytes
     * @return this
     */
    public ParamsFlyweight discardAlignment(int discardAlignment) {
        return i32(DISCARD_DISCARD_ALIGNMENT_OFFSET, discardAlignment);
    }

    /**
     * Reads {@code discard.discard_granularity}.
     *
     * @return the discard granularity in bytes
     */
    public int discardGranularity() {
        return i32(DISCARD_DISCARD_GRANULARITY_OFFSET);
    }

    /**
     * Writes {@code discard.discard_granularity}.
     *
     * @param discardGranularity the discard granularity in bytes, not 0
     * @return this
     */
    public ParamsFlyweight discardGranularity(int discardGranularity) {
        return i32(DISCARD_DISCARD_GRANULARITY_OFFSET, discardGranularity);
    }

    /**
     * Reads {@code discard.max_discard_sectors}.
     *
     * @return the largest discard in sectors
     */
    public int discardMaxDiscardSectors() {
        return i32(DISCARD_MAX_DISCARD_SECTORS_OFFSET);
    }

    /**
     * Writes {@code discard.max_discard_sectors}.
     *
     * @param discardMaxDiscardSectors the largest discard in sectors
     * @return this
     */
    public ParamsFlyweight discardMaxDiscardSectors(int discardMaxDiscardSectors) {
        return i32(DISCARD_MAX_DISCARD_SECTORS_OFFSET, discardMaxDiscardSectors);
    }

    /**
     * Reads {@code discard.max_write_zeroes_sectors}.
     *
     * @return the largest write-zeroes in sectors
     */
    public int discardMaxWriteZeroesSectors() {
        return i32(DISCARD_MAX_WRITE_ZEROES_SECTORS_OFFSET);
    }

    /**
     * Writes {@code discard.max_write_zeroes_sectors}.
     *
     * @param discardMaxWriteZeroesSectors the largest write-zeroes in sectors
     * @return this
     */
    public ParamsFlyweight discardMaxWriteZeroesSectors(int discardMaxWriteZeroesSectors) {
        return i32(DISCARD_MAX_WRITE_ZEROES_SECTORS_OFFSET, discardMaxWriteZeroesSectors);
    }

    /**
     * Reads {@code discard.max_discard_segments}.
     *
     * @return the maximum discard segments
     */
    public int discardMaxDiscardSegments() {
        return u16(DISCARD_MAX_DISCARD_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code discard.max_discard_segments}.
     *
     * @param discardMaxDiscardSegments the maximum discard segments (1 if discard is enabled)
     * @return this
     */
    public ParamsFlyweight discardMaxDiscardSegments(int discardMaxDiscardSegments) {
        return u16(DISCARD_MAX_DISCARD_SEGMENTS_OFFSET, discardMaxDiscardSegments);
    }

    /**
     * Reads {@code devt.char_major}.
     *
     * @return the char device major number
     */
    public int devtCharMajor() {
        return i32(DEVT_CHAR_MAJOR_OFFSET);
    }

    /**
     * Reads {@code devt.char_minor}.
     *
     * @return the char device minor number
     */
    public int devtCharMinor() {
        return i32(DEVT_CHAR_MINOR_OFFSET);
    }

    /**
     * Reads {@code devt.disk_major}.
     *
     * @return the block device major number (after START_DEV)
     */
    public int devtDiskMajor() {
        return i32(DEVT_DISK_MAJOR_OFFSET);
    }

    /**
     * Reads {@code devt.disk_minor}.
     *
     * @return the block device minor number (after START_DEV)
     */
    public int devtDiskMinor() {
        return i32(DEVT_DISK_MINOR_OFFSET);
    }

    /**
     * Reads {@code zoned.max_open_zones}.
     *
     * @return the maximum open zones
     */
    public int zonedMaxOpenZones() {
        return i32(ZONED_MAX_OPEN_ZONES_OFFSET);
    }

    /**
     * Writes {@code zoned.max_open_zones}.
     *
     * @param zonedMaxOpenZones the maximum open zones, 0 = no limit
     * @return this
     */
    public ParamsFlyweight zonedMaxOpenZones(int zonedMaxOpenZones) {
        return i32(ZONED_MAX_OPEN_ZONES_OFFSET, zonedMaxOpenZones);
    }

    /**
     * Reads {@code zoned.max_active_zones}.
     *
     * @return the maximum active zones
     */
    public int zonedMaxActiveZones() {
        return i32(ZONED_MAX_ACTIVE_ZONES_OFFSET);
    }

    /**
     * Writes {@code zoned.max_active_zones}.
     *
     * @param zonedMaxActiveZones the maximum active zones, 0 = no limit
     * @return this
     */
    public ParamsFlyweight zonedMaxActiveZones(int zonedMaxActiveZones) {
        return i32(ZONED_MAX_ACTIVE_ZONES_OFFSET, zonedMaxActiveZones);
    }

    /**
     * Reads {@code zoned.max_zone_append_sectors}.
     *
     * @return the largest zone append in sectors
     */
    public int zonedMaxZoneAppendSectors() {
        return i32(ZONED_MAX_ZONE_APPEND_SECTORS_OFFSET);
    }

    /**
     * Writes {@code zoned.max_zone_append_sectors}.
     *
     * @param zonedMaxZoneAppendSectors the largest zone append in sectors, not 0
     * @return this
     */
    public ParamsFlyweight zonedMaxZoneAppendSectors(int zonedMaxZoneAppendSectors) {
        return i32(ZONED_MAX_ZONE_APPEND_SECTORS_OFFSET, zonedMaxZoneAppendSectors);
    }

    /**
     * Reads {@code dma.alignment}.
     *
     * @return the DMA alignment mask
     */
    public int dmaAlignment() {
        return i32(DMA_ALIGNMENT_OFFSET);
    }

    /**
     * Writes {@code dma.alignment}.
     *
     * @param dmaAlignment the DMA alignment mask (mask + 1 a power of two below the page size)
     * @return this
     */
    public ParamsFlyweight dmaAlignment(int dmaAlignment) {
        return i32(DMA_ALIGNMENT_OFFSET, dmaAlignment);
    }

    /**
     * Reads {@code seg.seg_boundary_mask}.
     *
     * @return the segment boundary mask
     */
    public long segBoundaryMask() {
        return i64(SEG_SEG_BOUNDARY_MASK_OFFSET);
    }

    /**
     * Writes {@code seg.seg_boundary_mask}.
     *
     * @param segBoundaryMask the segment boundary mask (mask + 1 a power of two, at least 4096)
     * @return this
     */
    public ParamsFlyweight segBoundaryMask(long segBoundaryMask) {
        return i64(SEG_SEG_BOUNDARY_MASK_OFFSET, segBoundaryMask);
    }

    /**
     * Reads {@code seg.max_segment_size}.
     *
     * @return the largest segment in bytes
     */
    public int segMaxSegmentSize() {
        return i32(SEG_MAX_SEGMENT_SIZE_OFFSET);
    }

    /**
     * Writes {@code seg.max_segment_size}.
     *
     * @param segMaxSegmentSize the largest segment in bytes, at least {@link UblkCmd#UBLK_MIN_SEGMENT_SIZE}
     * @return this
     */
    public ParamsFlyweight segMaxSegmentSize(int segMaxSegmentSize) {
        return i32(SEG_MAX_SEGMENT_SIZE_OFFSET, segMaxSegmentSize);
    }

    /**
     * Reads {@code seg.max_segments}.
     *
     * @return the maximum segments per io
     */
    public int segMaxSegments() {
        return u16(SEG_MAX_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code seg.max_segments}.
     *
     * @param segMaxSegments the maximum segments per io
     * @return this
     */
    public ParamsFlyweight segMaxSegments(int segMaxSegments) {
        return u16(SEG_MAX_SEGMENTS_OFFSET, segMaxSegments);
    }

    /**
     * Reads {@code integrity.flags}.
     *
     * @return the {@code LBMD_PI_CAP_*} flags
     */
    public int integrityFlags() {
        return i32(INTEGRITY_FLAGS_OFFSET);
    }

    /**
     * Writes {@code integrity.flags}.
     *
     * @param integrityFlags the {@code LBMD_PI_CAP_*} flags of linux/fs.h
     * @return this
     */
    public ParamsFlyweight integrityFlags(int integrityFlags) {
        return i32(INTEGRITY_FLAGS_OFFSET, integrityFlags);
    }

    /**
     * Reads {@code integrity.max_integrity_segments}.
     *
     * @return the maximum integrity segments, 0 = no limit
     */
    public int integrityMaxIntegritySegments() {
        return u16(INTEGRITY_MAX_INTEGRITY_SEGMENTS_OFFSET);
    }

    /**
     * Writes {@code integrity.max_integrity_segments}.
     *
     * @param integrityMaxIntegritySegments the maximum integrity segments, 0 = no limit
     * @return this
     */
    public ParamsFlyweight integrityMaxIntegritySegments(int integrityMaxIntegritySegments) {
        return u16(INTEGRITY_MAX_INTEGRITY_SEGMENTS_OFFSET, integrityMaxIntegritySegments);
    }

    /**
     * Reads {@code integrity.interval_exp}.
     *
     * @return log2 of the protection interval
     */
    public int integrityIntervalExp() {
        return u8(INTEGRITY_INTERVAL_EXP_OFFSET);
    }

    /**
     * Writes {@code integrity.interval_exp}.
     *
     * @param integrityIntervalExp log2 of the protection interval
     * @return this
     */
    public ParamsFlyweight integrityIntervalExp(int integrityIntervalExp) {
        return u8(INTEGRITY_INTERVAL_EXP_OFFSET, integrityIntervalExp);
    }

    /**
     * Reads {@code integrity.metadata_size}.
     *
     * @return the metadata bytes per interval
     */
    public int integrityMetadataSize() {
        return u8(INTEGRITY_METADATA_SIZE_OFFSET);
    }

    /**
     * Writes {@code integrity.metadata_size}.
     *
     * @param integrityMetadataSize the metadata bytes per interval, not 0
     * @return this
     */
    public ParamsFlyweight integrityMetadataSize(int integrityMetadataSize) {
        return u8(INTEGRITY_METADATA_SIZE_OFFSET, integrityMetadataSize);
    }

    /**
     * Reads {@code integrity.pi_offset}.
     *
     * @return the offset of the protection information in the metadata
     */
    public int integrityPiOffset() {
        return u8(INTEGRITY_PI_OFFSET_OFFSET);
    }

    /**
     * Writes {@code integrity.pi_offset}.
     *
     * @param integrityPiOffset the offset of the protection information in the metadata
     * @return this
     */
    public ParamsFlyweight integrityPiOffset(int integrityPiOffset) {
        return u8(INTEGRITY_PI_OFFSET_OFFSET, integrityPiOffset);
    }

    /**
     * Reads {@code integrity.csum_type}.
     *
     * @return the {@code LBMD_PI_CSUM_*} checksum type
     */
    public int integrityCsumType() {
        return u8(INTEGRITY_CSUM_TYPE_OFFSET);
    }

    /**
     * Writes {@code integrity.csum_type}.
     *
     * @param integrityCsumType the {@code LBMD_PI_CSUM_*} checksum type of linux/fs.h
     * @return this
     */
    public ParamsFlyweight integrityCsumType(int integrityCsumType) {
        return u8(INTEGRITY_CSUM_TYPE_OFFSET, integrityCsumType);
    }

    /**
     * Reads {@code integrity.tag_size}.
     *
     * @return the tag size in bytes
     */
    public int integrityTagSize() {
        return u8(INTEGRITY_TAG_SIZE_OFFSET);
    }

    /**
     * Writes {@code integrity.tag_size}.
     *
     * @param integrityTagSize the tag size in bytes
     * @return this
     */
    public ParamsFlyweight integrityTagSize(int integrityTagSize) {
        return u8(INTEGRITY_TAG_SIZE_OFFSET, integrityTagSize);
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
}
