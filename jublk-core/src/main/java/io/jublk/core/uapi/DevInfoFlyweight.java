// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublksrv_ctrl_dev_info} (64 bytes), the buffer of ADD_DEV (in and
 * out) and GET_DEV_INFO[2] (out).
 *
 * <pre>
 *   0        2        4        6        8
 *   +--------+--------+--------+--------+
 *   |nr_hw_  | queue_ | state  |  pad0  |   0
 *   |queues  | depth  |        |        |
 *   +--------+--------+--------+--------+
 *   |max_io_buf_bytes |     dev_id      |   8
 *   +-----------------+-----------------+
 *   |   ublksrv_pid   |      pad1       |  16
 *   +-----------------+-----------------+
 *   |               flags               |  24
 *   +-----------------------------------+
 *   |           ublksrv_flags           |  32
 *   +-----------------+-----------------+
 *   |    owner_uid    |    owner_gid    |  40
 *   +-----------------+-----------------+
 *   |             reserved1             |  48
 *   +-----------------------------------+
 *   |             reserved2             |  56
 *   +-----------------------------------+
 * </pre>
 *
 * <p>{@code flags} are {@link UblkFeature} bits: requested on ADD_DEV, granted in the reply.
 * {@code ublksrv_flags} belong to the server (the kernel stores but ignores them); the owner ids
 * and {@code state} ({@code UBLK_S_DEV_*}) are set by the kernel. Unsigned fields narrower than 32
 * bits are widened without sign; {@code __u32} is returned as its bit pattern in an {@code int}.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class DevInfoFlyweight extends StructFlyweight<DevInfoFlyweight> {

    /** The layout, {@link UblkLayouts#UBLKSRV_CTRL_DEV_INFO}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_CTRL_DEV_INFO;
    /** Size of the struct in bytes (64). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public DevInfoFlyweight() {
        super(LAYOUT);
    }

    private static final long NR_HW_QUEUES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "nr_hw_queues");

    /**
     * Reads {@code nr_hw_queues}.
     *
     * @return the number of queues, 0..0xFFFF
     */
    public int nrHwQueues() {
        return u16(NR_HW_QUEUES_OFFSET);
    }

    /**
     * Writes {@code nr_hw_queues}.
     *
     * @param nrHwQueues the number of queues, 1..{@link UblkCmd#UBLK_MAX_NR_QUEUES}
     * @return this
     */
    public DevInfoFlyweight nrHwQueues(int nrHwQueues) {
        return u16(NR_HW_QUEUES_OFFSET, nrHwQueues);
    }

    private static final long QUEUE_DEPTH_OFFSET = UblkLayouts.offsetOf(LAYOUT, "queue_depth");

    /**
     * Reads {@code queue_depth}.
     *
     * @return the tags per queue, 0..0xFFFF
     */
    public int queueDepth() {
        return u16(QUEUE_DEPTH_OFFSET);
    }

    /**
     * Writes {@code queue_depth}.
     *
     * @param queueDepth the tags per queue, 1..{@link UblkCmd#UBLK_MAX_QUEUE_DEPTH}
     * @return this
     */
    public DevInfoFlyweight queueDepth(int queueDepth) {
        return u16(QUEUE_DEPTH_OFFSET, queueDepth);
    }

    private static final long STATE_OFFSET = UblkLayouts.offsetOf(LAYOUT, "state");

    /**
     * Reads {@code state}.
     *
     * @return the device state, {@code UBLK_S_DEV_*}
     */
    public int state() {
        return u16(STATE_OFFSET);
    }

    /**
     * Writes {@code state}.
     *
     * @param state the device state (set by the kernel)
     * @return this
     */
    public DevInfoFlyweight state(int state) {
        return u16(STATE_OFFSET, state);
    }

    private static final long MAX_IO_BUF_BYTES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_io_buf_bytes");

    /**
     * Reads {@code max_io_buf_bytes}.
     *
     * @return the largest io in bytes ({@code __u32} bit pattern)
     */
    public int maxIoBufBytes() {
        return i32(MAX_IO_BUF_BYTES_OFFSET);
    }

    /**
     * Writes {@code max_io_buf_bytes}.
     *
     * @param maxIoBufBytes the largest io in bytes (the kernel rounds down to the page size)
     * @return this
     */
    public DevInfoFlyweight maxIoBufBytes(int maxIoBufBytes) {
        return i32(MAX_IO_BUF_BYTES_OFFSET, maxIoBufBytes);
    }

    private static final long DEV_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "dev_id");

    /**
     * Reads {@code dev_id}.
     *
     * @return the device id ({@code __u32} bit pattern; -1 = allocate)
     */
    public int devId() {
        return i32(DEV_ID_OFFSET);
    }

    /**
     * Writes {@code dev_id}.
     *
     * @param devId the device id, or -1 to allocate one
     * @return this
     */
    public DevInfoFlyweight devId(int devId) {
        return i32(DEV_ID_OFFSET, devId);
    }

    private static final long UBLKSRV_PID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "ublksrv_pid");

    /**
     * Reads {@code ublksrv_pid}.
     *
     * @return the server pid in the caller's pid namespace, or -1
     */
    public int ublksrvPid() {
        return i32(UBLKSRV_PID_OFFSET);
    }

    /**
     * Writes {@code ublksrv_pid}.
     *
     * @param ublksrvPid the server pid (set by the kernel)
     * @return this
     */
    public DevInfoFlyweight ublksrvPid(int ublksrvPid) {
        return i32(UBLKSRV_PID_OFFSET, ublksrvPid);
    }

    private static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");

    /**
     * Reads {@code flags}.
     *
     * @return the {@code UBLK_F_*} feature flags
     */
    public long flags() {
        return i64(FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the requested {@code UBLK_F_*} feature flags
     * @return this
     */
    public DevInfoFlyweight flags(long flags) {
        return i64(FLAGS_OFFSET, flags);
    }

    private static final long UBLKSRV_FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "ublksrv_flags");

    /**
     * Reads {@code ublksrv_flags}.
     *
     * @return the server-private flags
     */
    public long ublksrvFlags() {
        return i64(UBLKSRV_FLAGS_OFFSET);
    }

    /**
     * Writes {@code ublksrv_flags}.
     *
     * @param ublksrvFlags server-private flags, stored but ignored by the kernel
     * @return this
     */
    public DevInfoFlyweight ublksrvFlags(long ublksrvFlags) {
        return i64(UBLKSRV_FLAGS_OFFSET, ublksrvFlags);
    }

    private static final long OWNER_UID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "owner_uid");

    /**
     * Reads {@code owner_uid}.
     *
     * @return the owner's uid (set by the kernel)
     */
    public int ownerUid() {
        return i32(OWNER_UID_OFFSET);
    }

    /**
     * Writes {@code owner_uid}.
     *
     * @param ownerUid the owner's uid (set by the kernel)
     * @return this
     */
    public DevInfoFlyweight ownerUid(int ownerUid) {
        return i32(OWNER_UID_OFFSET, ownerUid);
    }

    private static final long OWNER_GID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "owner_gid");

    /**
     * Reads {@code owner_gid}.
     *
     * @return the owner's gid (set by the kernel)
     */
    public int ownerGid() {
        return i32(OWNER_GID_OFFSET);
    }

    /**
     * Writes {@code owner_gid}.
     *
     * @param ownerGid the owner's gid (set by the kernel)
     * @return this
     */
    public DevInfoFlyweight ownerGid(int ownerGid) {
        return i32(OWNER_GID_OFFSET, ownerGid);
    }
}
