package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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
public final class CtrlCmdFlyweight {

    /** The layout, {@link UblkLayouts#UBLKSRV_CTRL_CMD}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_CTRL_CMD;
    /** Size of the struct in bytes (32). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code dev_id} ({@code __u32}). */
    public static final long DEV_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_id");
    /** Offset of {@code queue_id} ({@code __u16}). */
    public static final long QUEUE_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "queue_id");
    /** Offset of {@code len} ({@code __u16}). */
    public static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");
    /** Offset of {@code addr} ({@code __u64}). */
    public static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");
    /** Offset of {@code data} ({@code __u64}). */
    public static final long DATA_OFFSET = UblkLayouts.offsetOf(LAYOUT, "data");
    /** Offset of {@code dev_path_len} ({@code __u16}). */
    public static final long DEV_PATH_LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_path_len");
    /** Offset of {@code pad} ({@code __u16}). */
    public static final long PAD_OFFSET = UblkLayouts.offsetOf(LAYOUT, "pad");
    /** Offset of {@code reserved} ({@code __u32}). */
    public static final long RESERVED_OFFSET = UblkLayouts.offsetOf(LAYOUT, "reserved");

    /** {@code dev_id} asking ADD_DEV to allocate an id. */
    public static final int DEV_ID_ANY = -1;
    /** {@code queue_id} of a command that is not about one queue. */
    public static final int QUEUE_ID_NONE = 0xFFFF;

    private MemorySegment segment;
    private long offset;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public CtrlCmdFlyweight() {
    }

    /**
     * Points this flyweight at a struct.
     *
     * @param segment memory holding the struct
     * @param offset  offset of the struct in {@code segment}
     * @return this
     */
    public CtrlCmdFlyweight wrap(MemorySegment segment, long offset) {
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
    public CtrlCmdFlyweight clear() {
        segment.asSlice(offset, SIZE).fill((byte) 0);
        return this;
    }

    /**
     * Reads {@code dev_id}.
     *
     * @return the device id ({@code __u32} bit pattern; -1 = none/any)
     */
    public int devId() {
        return segment.get(JAVA_INT, offset + DEV_ID_OFFSET);
    }

    /**
     * Writes {@code dev_id}.
     *
     * @param devId the device id, or {@link #DEV_ID_ANY}
     * @return this
     */
    public CtrlCmdFlyweight devId(int devId) {
        segment.set(JAVA_INT, offset + DEV_ID_OFFSET, devId);
        return this;
    }

    /**
     * Reads {@code queue_id}.
     *
     * @return the queue id, 0..0xFFFF
     */
    public int queueId() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + QUEUE_ID_OFFSET));
    }

    /**
     * Writes {@code queue_id}.
     *
     * @param queueId the queue id, or {@link #QUEUE_ID_NONE}
     * @return this
     */
    public CtrlCmdFlyweight queueId(int queueId) {
        segment.set(JAVA_SHORT, offset + QUEUE_ID_OFFSET, (short) queueId);
        return this;
    }

    /**
     * Reads {@code len}.
     *
     * @return the length of the buffer at {@code addr}, 0..0xFFFF
     */
    public int len() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + LEN_OFFSET));
    }

    /**
     * Writes {@code len}.
     *
     * @param len the length of the buffer at {@code addr}, 0..0xFFFF
     * @return this
     */
    public CtrlCmdFlyweight len(int len) {
        segment.set(JAVA_SHORT, offset + LEN_OFFSET, (short) len);
        return this;
    }

    /**
     * Reads {@code addr}.
     *
     * @return the address of the command's buffer
     */
    public long addr() {
        return segment.get(JAVA_LONG, offset + ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the address of the command's buffer (e.g. {@link MemorySegment#address()})
     * @return this
     */
    public CtrlCmdFlyweight addr(long addr) {
        segment.set(JAVA_LONG, offset + ADDR_OFFSET, addr);
        return this;
    }

    /**
     * Reads {@code data}.
     *
     * @return {@code data[0]}, the inline argument
     */
    public long data() {
        return segment.get(JAVA_LONG, offset + DATA_OFFSET);
    }

    /**
     * Writes {@code data}.
     *
     * @param data {@code data[0]}: the inline argument (pid, qid, sectors, timeout or buffer index)
     * @return this
     */
    public CtrlCmdFlyweight data(long data) {
        segment.set(JAVA_LONG, offset + DATA_OFFSET, data);
        return this;
    }

    /**
     * Reads {@code dev_path_len}.
     *
     * @return the length of the device path prefix at {@code addr}, 0..0xFFFF
     */
    public int devPathLen() {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + DEV_PATH_LEN_OFFSET));
    }

    /**
     * Writes {@code dev_path_len}.
     *
     * @param devPathLen the length of the device path prefix including its NUL, or 0
     * @return this
     */
    public CtrlCmdFlyweight devPathLen(int devPathLen) {
        segment.set(JAVA_SHORT, offset + DEV_PATH_LEN_OFFSET, (short) devPathLen);
        return this;
    }
}
