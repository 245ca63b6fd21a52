package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublksrv_io_cmd} (16 bytes), the payload of FETCH_REQ,
 * COMMIT_AND_FETCH_REQ, NEED_GET_DATA and (UN)REGISTER_IO_BUF in the {@code cmd} area of an SQE
 * ({@code sqe + 48}).
 *
 * <pre>
 *   0        2        4        6        8
 *   +--------+--------+-----------------+
 *   |  q_id  |  tag   |     result      |   0
 *   +--------+--------+-----------------+
 *   |   addr | zone_append_lba (union)  |   8
 *   +-----------------------------------+
 * </pre>
 *
 * <p>{@code result} is the commit's bytes done or negative errno; {@code addr} is the io buffer
 * (copy mode), the fixed-buffer index ((UN)REGISTER_IO_BUF) or, for ZONE_APPEND, the written LBA.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class IoCmdFlyweight {

    /** The layout, {@link UblkLayouts#UBLKSRV_IO_CMD}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_IO_CMD;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code q_id} ({@code __u16}). */
    public static final long Q_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "q_id");
    /** Offset of {@code tag} ({@code __u16}). */
    public static final long TAG_OFFSET = UblkLayouts.offsetOf(LAYOUT, "tag");
    /** Offset of {@code result} ({@code __s32}). */
    public static final long RESULT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "result");
    /** Offset of {@code addr} ({@code __u64}). */
    public static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");
    /** Offset of {@code zone_append_lba} ({@code __u64}). */
    public static final long ZONE_APPEND_LBA_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zone_append_lba");

    private MemorySegment segment;
    private long offset;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public IoCmdFlyweight() {
    }

    /**
     * Points this flyweight at a struct.
     *
     * @param segment memory holding the struct
     * @param offset  offset of the struct in {@code segment}
     * @return this
     */
    public IoCmdFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * Returns the wrapped segment.
     *
     * @return the segment given to {@link #wrap}
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Returns the offset of the struct in the wrapped segment.
     *
     * @return the offset given to {@link #wrap}
     */
    public long offset() {
        return offset;
    }

    /**
     * Zeroes the whole struct, including the reserved fields the kernel expects to be 0.
     *
     * @return this
     */
    public IoCmdFlyweight clear() {
        segment.asSlice(offset, SIZE).fill((byte) 0);
        return this;
    }

    /**
     * Reads {@code q_id}.
     *
     * @return the queue id, 0..0xFFFF
     */
    public int qId() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + Q_ID_OFFSET));
    }

    /**
     * Writes {@code q_id}.
     *
     * @param qId the queue id
     * @return this
     */
    public IoCmdFlyweight qId(int qId) {
        segment.set(JAVA_SHORT, offset + Q_ID_OFFSET, (short) qId);
        return this;
    }

    /**
     * Reads {@code tag}.
     *
     * @return the tag, 0..0xFFFF
     */
    public int tag() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + TAG_OFFSET));
    }

    /**
     * Writes {@code tag}.
     *
     * @param tag the tag
     * @return this
     */
    public IoCmdFlyweight tag(int tag) {
        segment.set(JAVA_SHORT, offset + TAG_OFFSET, (short) tag);
        return this;
    }

    /**
     * Reads {@code result}.
     *
     * @return the result: bytes done or a negative errno
     */
    public int result() {
        return segment.get(JAVA_INT, offset + RESULT_OFFSET);
    }

    /**
     * Writes {@code result}.
     *
     * @param result the result: bytes done or a negative errno
     * @return this
     */
    public IoCmdFlyweight result(int result) {
        segment.set(JAVA_INT, offset + RESULT_OFFSET, result);
        return this;
    }

    /**
     * Reads {@code addr}.
     *
     * @return the buffer address or fixed-buffer index
     */
    public long addr() {
        return segment.get(JAVA_LONG, offset + ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the buffer address (copy mode) or fixed-buffer index
     * @return this
     */
    public IoCmdFlyweight addr(long addr) {
        segment.set(JAVA_LONG, offset + ADDR_OFFSET, addr);
        return this;
    }

    /**
     * Reads {@code zone_append_lba}.
     *
     * @return the zone-append LBA (same storage as {@code addr})
     */
    public long zoneAppendLba() {
        return segment.get(JAVA_LONG, offset + ZONE_APPEND_LBA_OFFSET);
    }

    /**
     * Writes {@code zone_append_lba}.
     *
     * @param zoneAppendLba the LBA a ZONE_APPEND wrote at (same storage as {@code addr})
     * @return this
     */
    public IoCmdFlyweight zoneAppendLba(long zoneAppendLba) {
        segment.set(JAVA_LONG, offset + ZONE_APPEND_LBA_OFFSET, zoneAppendLba);
        return this;
    }
}
