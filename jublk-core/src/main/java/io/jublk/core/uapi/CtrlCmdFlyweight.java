// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublksrv_ctrl_cmd}, the 32-byte payload of a control command in the
 * {@code cmd} area of a 128-byte SQE ({@code sqe + 48}).
 *
 * <pre>
 *   0        2        4        6        8
 *   +-----------------+--------+--------+
 *   |     dev_id      |queue_id|  len   |   0
 *   +-----------------+--------+--------+
 *   |               addr                |   8
 *   +-----------------------------------+
 *   |              data[0]              |  16
 *   +--------+--------+-----------------+
 *   |dev_path|  pad   |    reserved     |  24
 *   |  _len  |        |                 |
 *   +--------+--------+-----------------+
 * </pre>
 *
 * <p>{@code dev_id} is {@code 0xFFFFFFFF} (-1) to let ADD_DEV allocate one; {@code queue_id} is
 * {@code 0xFFFF} unless the command is about one queue. {@code addr}/{@code len} describe the
 * command's buffer; for unprivileged devices that buffer starts with the {@code dev_path_len}-byte
 * device path. Unsigned fields narrower than 32 bits are widened without sign; {@code __u32} is
 * returned as its bit pattern in an {@code int}.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class CtrlCmdFlyweight extends StructFlyweight<CtrlCmdFlyweight> {

    /** The layout, {@link UblkLayouts#UBLKSRV_CTRL_CMD}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_CTRL_CMD;
    /** Size of the struct in bytes (32). */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code dev_id} asking ADD_DEV to allocate an id. */
    public static final int DEV_ID_ANY = -1;
    /** {@code queue_id} of a command that is not about one queue. */
    public static final int QUEUE_ID_NONE = 0xFFFF;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public CtrlCmdFlyweight() {
        super(LAYOUT);
    }

    private static final long DEV_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_id");

    /**
     * Reads {@code dev_id}.
     *
     * @return the device id ({@code __u32} bit pattern; -1 = none/any)
     */
    public int devId() {
        return i32(DEV_ID_OFFSET);
    }

    /**
     * Writes {@code dev_id}.
     *
     * @param devId the device id, or {@link #DEV_ID_ANY}
     * @return this
     */
    public CtrlCmdFlyweight devId(int devId) {
        return i32(DEV_ID_OFFSET, devId);
    }

    private static final long QUEUE_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "queue_id");

    /**
     * Reads {@code queue_id}.
     *
     * @return the queue id, 0..0xFFFF
     */
    public int queueId() {
        return u16(QUEUE_ID_OFFSET);
    }

    /**
     * Writes {@code queue_id}.
     *
     * @param queueId the queue id, or {@link #QUEUE_ID_NONE}
     * @return this
     */
    public CtrlCmdFlyweight queueId(int queueId) {
        return u16(QUEUE_ID_OFFSET, queueId);
    }

    private static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");

    /**
     * Reads {@code len}.
     *
     * @return the length of the buffer at {@code addr}, 0..0xFFFF
     */
    public int len() {
        return u16(LEN_OFFSET);
    }

    /**
     * Writes {@code len}.
     *
     * @param len the length of the buffer at {@code addr}, 0..0xFFFF
     * @return this
     */
    public CtrlCmdFlyweight len(int len) {
        return u16(LEN_OFFSET, len);
    }

    private static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");

    /**
     * Reads {@code addr}.
     *
     * @return the address of the command's buffer
     */
    public long addr() {
        return i64(ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the address of the command's buffer (e.g. {@link MemorySegment#address()})
     * @return this
     */
    public CtrlCmdFlyweight addr(long addr) {
        return i64(ADDR_OFFSET, addr);
    }

    private static final long DATA_OFFSET = UblkLayouts.offsetOf(LAYOUT, "data");

    /**
     * Reads {@code data}.
     *
     * @return {@code data[0]}, the inline argument
     */
    public long data() {
        return i64(DATA_OFFSET);
    }

    /**
     * Writes {@code data}.
     *
     * @param data {@code data[0]}: the inline argument (pid, qid, sectors, timeout or buffer index)
     * @return this
     */
    public CtrlCmdFlyweight data(long data) {
        return i64(DATA_OFFSET, data);
    }

    private static final long DEV_PATH_LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_path_len");

    /**
     * Reads {@code dev_path_len}.
     *
     * @return the length of the device path prefix at {@code addr}, 0..0xFFFF
     */
    public int devPathLen() {
        return u16(DEV_PATH_LEN_OFFSET);
    }

    /**
     * Writes {@code dev_path_len}.
     *
     * @param devPathLen the length of the device path prefix including its NUL, or 0
     * @return this
     */
    public CtrlCmdFlyweight devPathLen(int devPathLen) {
        return u16(DEV_PATH_LEN_OFFSET, devPathLen);
    }
}
