// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

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
public final class IoCmdFlyweight extends StructFlyweight<IoCmdFlyweight> {

    /** The layout, {@link UblkLayouts#UBLKSRV_IO_CMD}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_IO_CMD;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public IoCmdFlyweight() {
        super(LAYOUT);
    }

    private static final long Q_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "q_id");

    /**
     * Reads {@code q_id}.
     *
     * @return the queue id, 0..0xFFFF
     */
    public int qId() {
        return u16(Q_ID_OFFSET);
    }

    /**
     * Writes {@code q_id}.
     *
     * @param qId the queue id
     * @return this
     */
    public IoCmdFlyweight qId(int qId) {
        return u16(Q_ID_OFFSET, qId);
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
    public IoCmdFlyweight tag(int tag) {
        return u16(TAG_OFFSET, tag);
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
    public IoCmdFlyweight result(int result) {
        return i32(RESULT_OFFSET, result);
    }

    private static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");

    /**
     * Reads {@code addr}.
     *
     * @return the buffer address or fixed-buffer index
     */
    public long addr() {
        return i64(ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the buffer address (copy mode) or fixed-buffer index
     * @return this
     */
    public IoCmdFlyweight addr(long addr) {
        return i64(ADDR_OFFSET, addr);
    }

    private static final long ZONE_APPEND_LBA_OFFSET = UblkLayouts.offsetOf(LAYOUT, "zone_append_lba");

    /**
     * Reads {@code zone_append_lba}.
     *
     * @return the zone-append LBA (same storage as {@code addr})
     */
    public long zoneAppendLba() {
        return i64(ZONE_APPEND_LBA_OFFSET);
    }

    /**
     * Writes {@code zone_append_lba}.
     *
     * @param zoneAppendLba the LBA a ZONE_APPEND wrote at (same storage as {@code addr})
     * @return this
     */
    public IoCmdFlyweight zoneAppendLba(long zoneAppendLba) {
        return i64(ZONE_APPEND_LBA_OFFSET, zoneAppendLba);
    }
}
