// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_elem_header} (8 bytes), the head of each element of a batch
 * command's element array ({@code UBLK_F_BATCH_IO}), and over the optional fields after it.
 *
 * <pre>
 *   0        2        4        6        8
 *   +--------+--------+-----------------+
 *   |  tag   |buf_    |     result      |   0
 *   |        |index   |                 |
 *   +--------+--------+-----------------+
 *   |  buf_addr (if HAS_BUF_ADDR)       |   8
 *   +-----------------------------------+
 *   |  zone_lba (if HAS_ZONE_LBA)       |   8 or 16
 *   +-----------------------------------+
 * </pre>
 *
 * <p>Elements are {@link BatchIoFlyweight#elemBytesFor(int)} bytes apart. {@code buf_index} is the
 * auto-registration buffer index ({@code UBLK_F_AUTO_BUF_REG}); {@code result} is the commit's
 * bytes done or negative errno.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class ElemHeaderFlyweight extends StructFlyweight<ElemHeaderFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_ELEM_HEADER}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_ELEM_HEADER;
    /** Size of the struct in bytes (8). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Offset of the optional {@code buf_addr} ({@code __u64}, with {@code UBLK_BATCH_F_HAS_BUF_ADDR}). */
    public static final long BUF_ADDR_OFFSET = SIZE;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ElemHeaderFlyweight() {
        super(LAYOUT);
    }

    private static final long TAG_OFFSET = UblkLayouts.offsetOf(LAYOUT, "tag");

    /**
     * Reads {@code tag}.
     *
     * @return the tag, 0..0xFFFF
     */
    public int tag() {
        return u16(TAG_OFFSET);
    }

    /**
     * Writes {@code tag}.
     *
     * @param tag the tag
     * @return this
     */
    public ElemHeaderFlyweight tag(int tag) {
        return u16(TAG_OFFSET, tag);
    }

    private static final long BUF_INDEX_OFFSET = UblkLayouts.offsetOf(LAYOUT, "buf_index");

    /**
     * Reads {@code buf_index}.
     *
     * @return the buffer index, 0..0xFFFF
     */
    public int bufIndex() {
        return u16(BUF_INDEX_OFFSET);
    }

    /**
     * Writes {@code buf_index}.
     *
     * @param bufIndex the auto-registration buffer index
     * @return this
     */
    public ElemHeaderFlyweight bufIndex(int bufIndex) {
        return u16(BUF_INDEX_OFFSET, bufIndex);
    }

    private static final long RESULT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "result");

    /**
     * Reads {@code result}.
     *
     * @return the result: bytes done or a negative errno
     */
    public int result() {
        return i32(RESULT_OFFSET);
    }

    /**
     * Writes {@code result}.
     *
     * @param result the result: bytes done or a negative errno
     * @return this
     */
    public ElemHeaderFlyweight result(int result) {
        return i32(RESULT_OFFSET, result);
    }

    /**
     * Reads the optional {@code buf_addr} after the header; valid only with
     * {@code UBLK_BATCH_F_HAS_BUF_ADDR}.
     *
     * @return the io buffer address
     */
    public long bufAddr() {
        return i64(BUF_ADDR_OFFSET);
    }

    /**
     * Writes the optional {@code buf_addr} after the header; valid only with
     * {@code UBLK_BATCH_F_HAS_BUF_ADDR}.
     *
     * @param bufAddr the io buffer address (copy mode)
     * @return this
     */
    public ElemHeaderFlyweight bufAddr(long bufAddr) {
        return i64(BUF_ADDR_OFFSET, bufAddr);
    }

    /**
     * Returns the offset of the optional {@code zone_lba} in an element.
     *
     * @param batchFlags {@code UBLK_BATCH_F_*} flags, including {@code UBLK_BATCH_F_HAS_ZONE_LBA}
     * @return 16 with {@code UBLK_BATCH_F_HAS_BUF_ADDR}, else 8
     */
    public static long zoneLbaOffset(int batchFlags) {
        return (batchFlags & UblkCmd.UBLK_BATCH_F_HAS_BUF_ADDR) != 0 ? SIZE + Long.BYTES : SIZE;
    }

    /**
     * Reads the optional {@code zone_lba}; valid only with {@code UBLK_BATCH_F_HAS_ZONE_LBA}.
     *
     * @param batchFlags the batch's {@code UBLK_BATCH_F_*} flags
     * @return the zone-append LBA
     */
    public long zoneLba(int batchFlags) {
        return i64(zoneLbaOffset(batchFlags));
    }

    /**
     * Writes the optional {@code zone_lba}; valid only with {@code UBLK_BATCH_F_HAS_ZONE_LBA}.
     *
     * @param batchFlags the batch's {@code UBLK_BATCH_F_*} flags
     * @param zoneLba    the LBA a ZONE_APPEND wrote at
     * @return this
     */
    public ElemHeaderFlyweight zoneLba(int batchFlags, long zoneLba) {
        return i64(zoneLbaOffset(batchFlags), zoneLba);
    }
}
