// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Command op codes and the other numeric constants of {@code include/uapi/linux/ublk_cmd.h},
 * spelled as in the kernel, plus the header's address arithmetic (user-copy offsets, io
 * descriptor mmap offsets, shared-memory zero-copy addresses).
 *
 * <p>The {@code UBLK_U_*} op codes are ioctl-encoded ({@code _IOR}/{@code _IOWR} of type
 * {@code 'u'}, with the size of the command's payload struct); they are compile-time constants
 * so that they can label {@code switch} cases. Always send the encoded values: the raw
 * {@code UBLK_CMD_*} and {@code UBLK_IO_*} numbers are legacy and rejected by kernels built
 * without {@code CONFIG_BLKDEV_UBLK_LEGACY_OPCODES}. The driver takes the encoded values since
 * Linux 6.4 ({@code UBLK_F_CMD_IOCTL_ENCODE}), so that is jublk's floor; the version noted on a
 * command is when the command itself arrived. Op codes are {@code int}s holding the kernel's
 * {@code __u32} bit pattern, so values with bit 31 set are negative in Java.
 *
 * <p>Feature flags are in {@link UblkFeature}, io op codes and flags in {@link UblkIoOp}.
 * Thread-safe: constants and pure functions only.
 *
 * @see <a href="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/include/uapi/linux/ublk_cmd.h?h=v7.2">ublk_cmd.h at v7.2</a>
 */
public final class UblkCmd {

    private UblkCmd() {
    }

    // ---------------------------------------------------------------------------------------
    // ioctl encoding: _IOC(dir, 'u', nr, size) = dir << 30 | size << 16 | 'u' << 8 | nr, with
    // dir 2 (_IOR) or 3 (_IOWR) and size 32 (ublksrv_ctrl_cmd) or 16 (ublksrv_io_cmd, ublk_batch_io);
    // asm-generic/ioctl.h, identical on x86_64 and arm64
    // ---------------------------------------------------------------------------------------

    /**
     * Returns the command number ({@code _IOC_NR}) of an ioctl-encoded or legacy op code.
     *
     * @param cmdOp a {@code UBLK_U_*} or legacy op code
     * @return bits 0-7 of {@code cmdOp}
     */
    public static int ioctlNr(int cmdOp) {
        return cmdOp & 0xff;
    }

    // ---------------------------------------------------------------------------------------
    // Legacy raw op codes (do not send; kept so that every name of the header exists here)
    // ---------------------------------------------------------------------------------------

    /** Legacy raw op code of GET_QUEUE_AFFINITY; send {@link #UBLK_U_CMD_GET_QUEUE_AFFINITY}. */
    public static final int UBLK_CMD_GET_QUEUE_AFFINITY = 0x01;
    /** Legacy raw op code of GET_DEV_INFO; send {@link #UBLK_U_CMD_GET_DEV_INFO}. */
    public static final int UBLK_CMD_GET_DEV_INFO = 0x02;
    /** Legacy raw op code of ADD_DEV; send {@link #UBLK_U_CMD_ADD_DEV}. */
    public static final int UBLK_CMD_ADD_DEV = 0x04;
    /** Legacy raw op code of DEL_DEV; send {@link #UBLK_U_CMD_DEL_DEV}. */
    public static final int UBLK_CMD_DEL_DEV = 0x05;
    /** Legacy raw op code of START_DEV; send {@link #UBLK_U_CMD_START_DEV}. */
    public static final int UBLK_CMD_START_DEV = 0x06;
    /** Legacy raw op code of STOP_DEV; send {@link #UBLK_U_CMD_STOP_DEV}. */
    public static final int UBLK_CMD_STOP_DEV = 0x07;
    /** Legacy raw op code of SET_PARAMS; send {@link #UBLK_U_CMD_SET_PARAMS}. */
    public static final int UBLK_CMD_SET_PARAMS = 0x08;
    /** Legacy raw op code of GET_PARAMS; send {@link #UBLK_U_CMD_GET_PARAMS}. */
    public static final int UBLK_CMD_GET_PARAMS = 0x09;
    /** Legacy raw op code of START_USER_RECOVERY; send {@link #UBLK_U_CMD_START_USER_RECOVERY}. */
    public static final int UBLK_CMD_START_USER_RECOVERY = 0x10;
    /** Legacy raw op code of END_USER_RECOVERY; send {@link #UBLK_U_CMD_END_USER_RECOVERY}. */
    public static final int UBLK_CMD_END_USER_RECOVERY = 0x11;
    /** Legacy raw op code of GET_DEV_INFO2; send {@link #UBLK_U_CMD_GET_DEV_INFO2}. */
    public static final int UBLK_CMD_GET_DEV_INFO2 = 0x12;

    /** Legacy raw op code of FETCH_REQ; send {@link #UBLK_U_IO_FETCH_REQ}. */
    public static final int UBLK_IO_FETCH_REQ = 0x20;
    /** Legacy raw op code of COMMIT_AND_FETCH_REQ; send {@link #UBLK_U_IO_COMMIT_AND_FETCH_REQ}. */
    public static final int UBLK_IO_COMMIT_AND_FETCH_REQ = 0x21;
    /** Legacy raw op code of NEED_GET_DATA; send {@link #UBLK_U_IO_NEED_GET_DATA}. */
    public static final int UBLK_IO_NEED_GET_DATA = 0x22;

    // ---------------------------------------------------------------------------------------
    // Control commands: URING_CMD on /dev/ublk-control (SQE128), payload ublksrv_ctrl_cmd
    // ---------------------------------------------------------------------------------------

    /** Reads a queue's CPU affinity mask: {@code data[0]} = qid, addr/len = cpumask buffer (6.0). */
    public static final int UBLK_U_CMD_GET_QUEUE_AFFINITY = 0x8020_7501;
    /** Reads {@code ublksrv_ctrl_dev_info} into addr (6.0). */
    public static final int UBLK_U_CMD_GET_DEV_INFO = 0x8020_7502;
    /** Adds a device from the {@code ublksrv_ctrl_dev_info} at addr and writes back the result (6.0). */
    public static final int UBLK_U_CMD_ADD_DEV = 0xC020_7504;
    /** Deletes a device, waiting until its char device is released (6.0). */
    public static final int UBLK_U_CMD_DEL_DEV = 0xC020_7505;
    /** Starts a device once every tag is fetched: {@code data[0]} = server pid (6.0). */
    public static final int UBLK_U_CMD_START_DEV = 0xC020_7506;
    /** Stops a device; pending io commands complete with {@link #UBLK_IO_RES_ABORT} (6.0). */
    public static final int UBLK_U_CMD_STOP_DEV = 0xC020_7507;
    /** Writes {@code ublk_params} from addr; only before START_DEV (6.0). */
    public static final int UBLK_U_CMD_SET_PARAMS = 0xC020_7508;
    /** Reads {@code ublk_params} into addr (6.0). */
    public static final int UBLK_U_CMD_GET_PARAMS = 0x8020_7509;
    /** Begins recovery of a device whose server died (6.1). */
    public static final int UBLK_U_CMD_START_USER_RECOVERY = 0xC020_7510;
    /** Ends recovery: {@code data[0]} = new server pid (6.1). */
    public static final int UBLK_U_CMD_END_USER_RECOVERY = 0xC020_7511;
    /** Like GET_DEV_INFO, but always with the dev_path prefix in addr (6.3). */
    public static final int UBLK_U_CMD_GET_DEV_INFO2 = 0x8020_7512;
    /** Reads the kernel's supported {@code UBLK_F_*} mask ({@link #UBLK_FEATURES_LEN} bytes) into addr (6.5). */
    public static final int UBLK_U_CMD_GET_FEATURES = 0x8020_7513;
    /** Deletes a device without waiting for its id to be freed; note: {@code _IOR} (6.9). */
    public static final int UBLK_U_CMD_DEL_DEV_ASYNC = 0x8020_7514;
    /** Resizes a started device: {@code data[0]} = new size in 512-byte sectors (6.16). */
    public static final int UBLK_U_CMD_UPDATE_SIZE = 0xC020_7515;
    /** Quiesces a device: {@code data[0]} = timeout in ms, 0 = forever (6.16). */
    public static final int UBLK_U_CMD_QUIESCE_DEV = 0xC020_7516;
    /** Stops a device only if its block device has no openers (7.0). */
    public static final int UBLK_U_CMD_TRY_STOP_DEV = 0xC020_7517;
    /** Registers the shared-memory buffer described by {@code ublk_shmem_buf_reg} at addr; result = index (7.1). */
    public static final int UBLK_U_CMD_REG_BUF = 0xC020_7518;
    /** Unregisters a shared-memory buffer: {@code data[0]} = buffer index (7.1). */
    public static final int UBLK_U_CMD_UNREG_BUF = 0xC020_7519;

    // ---------------------------------------------------------------------------------------
    // IO commands: URING_CMD on /dev/ublkcN, payload ublksrv_io_cmd or ublk_batch_io
    // ---------------------------------------------------------------------------------------

    /** Arms a (qid, tag) slot; completes when a request arrives (6.0). */
    public static final int UBLK_U_IO_FETCH_REQ = 0xC010_7520;
    /** Commits the result of the slot's request and re-arms it (6.0). */
    public static final int UBLK_U_IO_COMMIT_AND_FETCH_REQ = 0xC010_7521;
    /** Supplies the buffer of a WRITE after {@link #UBLK_IO_RES_NEED_GET_DATA} (6.0). */
    public static final int UBLK_U_IO_NEED_GET_DATA = 0xC010_7522;
    /** Registers the request buffer of (q_id, tag) at fixed-buffer index addr (6.15). */
    public static final int UBLK_U_IO_REGISTER_IO_BUF = 0xC010_7523;
    /** Unregisters the fixed buffer at index addr (6.15). */
    public static final int UBLK_U_IO_UNREGISTER_IO_BUF = 0xC010_7524;
    /** Batch: prepares the tags listed in the element array at {@code sqe->addr} (7.0). */
    public static final int UBLK_U_IO_PREP_IO_CMDS = 0xC010_7525;
    /** Batch: commits results; returns the bytes of the element array consumed (7.0). */
    public static final int UBLK_U_IO_COMMIT_IO_CMDS = 0xC010_7526;
    /** Batch: multishot fetch of ready tags into a provided buffer ring (7.0). */
    public static final int UBLK_U_IO_FETCH_IO_CMDS = 0xC010_7527;

    /**
     * Returns the kernel name of a control or io command op code, for messages.
     *
     * @param cmdOp an op code, ioctl-encoded ({@code UBLK_U_*}) or legacy
     * @return e.g. {@code "UBLK_U_CMD_START_DEV"}, or {@code "UBLK_CMD_START_DEV"} for a legacy
     *         code, or {@code "cmd_op 0x…"} if unknown
     */
    public static String cmdName(int cmdOp) {
        String name = switch (cmdOp) {
            case UBLK_U_CMD_GET_QUEUE_AFFINITY -> "UBLK_U_CMD_GET_QUEUE_AFFINITY";
            case UBLK_U_CMD_GET_DEV_INFO -> "UBLK_U_CMD_GET_DEV_INFO";
            case UBLK_U_CMD_ADD_DEV -> "UBLK_U_CMD_ADD_DEV";
            case UBLK_U_CMD_DEL_DEV -> "UBLK_U_CMD_DEL_DEV";
            case UBLK_U_CMD_START_DEV -> "UBLK_U_CMD_START_DEV";
            case UBLK_U_CMD_STOP_DEV -> "UBLK_U_CMD_STOP_DEV";
            case UBLK_U_CMD_SET_PARAMS -> "UBLK_U_CMD_SET_PARAMS";
            case UBLK_U_CMD_GET_PARAMS -> "UBLK_U_CMD_GET_PARAMS";
            case UBLK_U_CMD_START_USER_RECOVERY -> "UBLK_U_CMD_START_USER_RECOVERY";
            case UBLK_U_CMD_END_USER_RECOVERY -> "UBLK_U_CMD_END_USER_RECOVERY";
            case UBLK_U_CMD_GET_DEV_INFO2 -> "UBLK_U_CMD_GET_DEV_INFO2";
            case UBLK_U_CMD_GET_FEATURES -> "UBLK_U_CMD_GET_FEATURES";
            case UBLK_U_CMD_DEL_DEV_ASYNC -> "UBLK_U_CMD_DEL_DEV_ASYNC";
            case UBLK_U_CMD_UPDATE_SIZE -> "UBLK_U_CMD_UPDATE_SIZE";
            case UBLK_U_CMD_QUIESCE_DEV -> "UBLK_U_CMD_QUIESCE_DEV";
            case UBLK_U_CMD_TRY_STOP_DEV -> "UBLK_U_CMD_TRY_STOP_DEV";
            case UBLK_U_CMD_REG_BUF -> "UBLK_U_CMD_REG_BUF";
            case UBLK_U_CMD_UNREG_BUF -> "UBLK_U_CMD_UNREG_BUF";
            case UBLK_U_IO_FETCH_REQ -> "UBLK_U_IO_FETCH_REQ";
            case UBLK_U_IO_COMMIT_AND_FETCH_REQ -> "UBLK_U_IO_COMMIT_AND_FETCH_REQ";
            case UBLK_U_IO_NEED_GET_DATA -> "UBLK_U_IO_NEED_GET_DATA";
            case UBLK_U_IO_REGISTER_IO_BUF -> "UBLK_U_IO_REGISTER_IO_BUF";
            case UBLK_U_IO_UNREGISTER_IO_BUF -> "UBLK_U_IO_UNREGISTER_IO_BUF";
            case UBLK_U_IO_PREP_IO_CMDS -> "UBLK_U_IO_PREP_IO_CMDS";
            case UBLK_U_IO_COMMIT_IO_CMDS -> "UBLK_U_IO_COMMIT_IO_CMDS";
            case UBLK_U_IO_FETCH_IO_CMDS -> "UBLK_U_IO_FETCH_IO_CMDS";
            case UBLK_CMD_GET_QUEUE_AFFINITY -> "UBLK_CMD_GET_QUEUE_AFFINITY";
            case UBLK_CMD_GET_DEV_INFO -> "UBLK_CMD_GET_DEV_INFO";
            case UBLK_CMD_ADD_DEV -> "UBLK_CMD_ADD_DEV";
            case UBLK_CMD_DEL_DEV -> "UBLK_CMD_DEL_DEV";
            case UBLK_CMD_START_DEV -> "UBLK_CMD_START_DEV";
            case UBLK_CMD_STOP_DEV -> "UBLK_CMD_STOP_DEV";
            case UBLK_CMD_SET_PARAMS -> "UBLK_CMD_SET_PARAMS";
            case UBLK_CMD_GET_PARAMS -> "UBLK_CMD_GET_PARAMS";
            case UBLK_CMD_START_USER_RECOVERY -> "UBLK_CMD_START_USER_RECOVERY";
            case UBLK_CMD_END_USER_RECOVERY -> "UBLK_CMD_END_USER_RECOVERY";
            case UBLK_CMD_GET_DEV_INFO2 -> "UBLK_CMD_GET_DEV_INFO2";
            case UBLK_IO_FETCH_REQ -> "UBLK_IO_FETCH_REQ";
            case UBLK_IO_COMMIT_AND_FETCH_REQ -> "UBLK_IO_COMMIT_AND_FETCH_REQ";
            case UBLK_IO_NEED_GET_DATA -> "UBLK_IO_NEED_GET_DATA";
            default -> null;
        };
        return name != null ? name : "cmd_op 0x" + Integer.toHexString(cmdOp);
    }

    // ---------------------------------------------------------------------------------------
    // Command results
    // ---------------------------------------------------------------------------------------

    /** CQE result of FETCH/COMMIT: a request is ready in the io descriptor of the tag. */
    public static final int UBLK_IO_RES_OK = 0;
    /** CQE result of FETCH/COMMIT with NEED_GET_DATA: issue NEED_GET_DATA with the WRITE buffer. */
    public static final int UBLK_IO_RES_NEED_GET_DATA = 1;
    /** CQE result {@code -ENODEV}: the device is stopping or quiescing; do not re-issue. */
    public static final int UBLK_IO_RES_ABORT = -19;

    /** Length in bytes of the GET_FEATURES reply (one {@code __u64}). */
    public static final int UBLK_FEATURES_LEN = 8;

    // ---------------------------------------------------------------------------------------
    // Offsets into /dev/ublkcN: io descriptor mmap and user copy
    // ---------------------------------------------------------------------------------------

    /** mmap offset of queue 0's io descriptor array on /dev/ublkcN. */
    public static final int UBLKSRV_CMD_BUF_OFFSET = 0;
    /** File position of the user-copy window on /dev/ublkcN ({@code 0x80000000}). */
    public static final long UBLKSRV_IO_BUF_OFFSET = 0x8000_0000L;

    /** Maximum queue depth (tags per queue). */
    public static final int UBLK_MAX_QUEUE_DEPTH = 4096;

    /** Bit offset of the byte offset within one io's user-copy window. */
    public static final int UBLK_IO_BUF_OFF = 0;
    /** Bits of the byte offset within one io (32 MiB per io). */
    public static final int UBLK_IO_BUF_BITS = 25;
    /** Mask of {@link #UBLK_IO_BUF_BITS}. */
    public static final long UBLK_IO_BUF_BITS_MASK = (1L << UBLK_IO_BUF_BITS) - 1;

    /** Bit offset of the tag in a user-copy position. */
    public static final int UBLK_TAG_OFF = UBLK_IO_BUF_BITS;
    /** Bits of the tag in a user-copy position. */
    public static final int UBLK_TAG_BITS = 16;
    /** Mask of {@link #UBLK_TAG_BITS}. */
    public static final long UBLK_TAG_BITS_MASK = (1L << UBLK_TAG_BITS) - 1;

    /** Bit offset of the queue id in a user-copy position. */
    public static final int UBLK_QID_OFF = UBLK_TAG_OFF + UBLK_TAG_BITS;
    /** Bits of the queue id in a user-copy position. */
    public static final int UBLK_QID_BITS = 12;
    /** Mask of {@link #UBLK_QID_BITS}. */
    public static final long UBLK_QID_BITS_MASK = (1L << UBLK_QID_BITS) - 1;

    /** Maximum number of queues (4096). */
    public static final int UBLK_MAX_NR_QUEUES = 1 << UBLK_QID_BITS;

    /** Bits of a user-copy position relative to {@link #UBLKSRV_IO_BUF_OFFSET}. */
    public static final int UBLKSRV_IO_BUF_TOTAL_BITS = UBLK_QID_OFF + UBLK_QID_BITS;
    /** Size of the user-copy window. */
    public static final long UBLKSRV_IO_BUF_TOTAL_SIZE = 1L << UBLKSRV_IO_BUF_TOTAL_BITS;

    /** Bit of a user-copy position that selects the integrity buffer instead of the data. */
    public static final int UBLK_INTEGRITY_FLAG_OFF = 62;
    /** OR into a user-copy position to copy the request's integrity buffer (7.0). */
    public static final long UBLKSRV_IO_INTEGRITY_FLAG = 1L << UBLK_INTEGRITY_FLAG_OFF;

    /**
     * Returns the /dev/ublkcN file position for user copy ({@code UBLK_F_USER_COPY}) of one io:
     * {@code UBLKSRV_IO_BUF_OFFSET + (qid << UBLK_QID_OFF) + (tag << UBLK_TAG_OFF) + byteOffset}.
     * READ requests are served with pwrite at this position, WRITE requests with pread.
     *
     * @param qid        queue id, {@code 0 <= qid < UBLK_MAX_NR_QUEUES}
     * @param tag        tag, {@code 0 <= tag < UBLK_MAX_QUEUE_DEPTH}
     * @param byteOffset offset within the request, {@code 0 <= byteOffset < 2^UBLK_IO_BUF_BITS}
     * @return the file position
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static long userCopyOffset(int qid, int tag, long byteOffset) {
        if (qid < 0 || qid >= UBLK_MAX_NR_QUEUES) {
            throw new IllegalArgumentException("qid out of range: " + qid);
        }
        if (tag < 0 || tag >= UBLK_MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("tag out of range: " + tag);
        }
        if (byteOffset < 0 || byteOffset > UBLK_IO_BUF_BITS_MASK) {
            throw new IllegalArgumentException("byteOffset out of range: " + byteOffset);
        }
        return UBLKSRV_IO_BUF_OFFSET + ((long) qid << UBLK_QID_OFF) + ((long) tag << UBLK_TAG_OFF) + byteOffset;
    }

    /**
     * Returns the mmap offset of queue {@code qid}'s io descriptor array on /dev/ublkcN, using the
     * page size of this system: {@code qid * round_up(UBLK_MAX_QUEUE_DEPTH * 24, PAGE_SIZE)}.
     *
     * @param qid queue id, {@code 0 <= qid < UBLK_MAX_NR_QUEUES}
     * @return the offset to pass to mmap
     * @throws IllegalArgumentException if {@code qid} is out of range
     */
    public static long ioDescMmapOffset(int qid) {
        return ioDescMmapOffset(qid, PageSize.VALUE);
    }

    /**
     * Returns the mmap offset of queue {@code qid}'s io descriptor array for a given page size.
     *
     * @param qid      queue id, {@code 0 <= qid < UBLK_MAX_NR_QUEUES}
     * @param pageSize the kernel's page size, a power of two
     * @return {@code UBLKSRV_CMD_BUF_OFFSET + qid * round_up(UBLK_MAX_QUEUE_DEPTH * 24, pageSize)}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static long ioDescMmapOffset(int qid, long pageSize) {
        if (qid < 0 || qid >= UBLK_MAX_NR_QUEUES) {
            throw new IllegalArgumentException("qid out of range: " + qid);
        }
        long stride = roundUp(UBLK_MAX_QUEUE_DEPTH * UblkLayouts.UBLKSRV_IO_DESC.byteSize(), pageSize);
        return UBLKSRV_CMD_BUF_OFFSET + qid * stride;
    }

    /**
     * Returns the exact mmap length of a queue's io descriptor array, using the page size of this
     * system: {@code round_up(depth * 24, PAGE_SIZE)}; the kernel rejects any other length.
     *
     * @param depth queue depth, {@code 1 <= depth <= UBLK_MAX_QUEUE_DEPTH}
     * @return the length to pass to mmap
     * @throws IllegalArgumentException if {@code depth} is out of range
     */
    public static long ioDescMmapLength(int depth) {
        return ioDescMmapLength(depth, PageSize.VALUE);
    }

    /**
     * Returns the exact mmap length of a queue's io descriptor array for a given page size.
     *
     * @param depth    queue depth, {@code 1 <= depth <= UBLK_MAX_QUEUE_DEPTH}
     * @param pageSize the kernel's page size, a power of two
     * @return {@code round_up(depth * 24, pageSize)}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static long ioDescMmapLength(int depth, long pageSize) {
        if (depth < 1 || depth > UBLK_MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("depth out of range: " + depth);
        }
        return roundUp(depth * UblkLayouts.UBLKSRV_IO_DESC.byteSize(), pageSize);
    }

    /**
     * Returns the page size of this system (as {@code getpagesize(2)}), read once.
     *
     * @return the page size in bytes
     */
    public static long pageSize() {
        return PageSize.VALUE;
    }

    private static long roundUp(long value, long pageSize) {
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size not a power of two: " + pageSize);
        }
        return (value + pageSize - 1) & -pageSize;
    }

    /** Lazily asks libc for the page size, so that classes using only constants need no native access. */
    private static final class PageSize {
        static final long VALUE = query();

        // One downcall of a libc function without arguments; native access is granted jublk-wide.
        @SuppressWarnings("restricted")
        private static long query() {
            Linker linker = Linker.nativeLinker();
            MethodHandle getpagesize = linker.downcallHandle(
                    linker.defaultLookup().findOrThrow("getpagesize"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            try {
                return (int) getpagesize.invokeExact();
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Device states (ublksrv_ctrl_dev_info.state)
    // ---------------------------------------------------------------------------------------

    /** Device state: not started, or stopped. */
    public static final int UBLK_S_DEV_DEAD = 0;
    /** Device state: started, serving io. */
    public static final int UBLK_S_DEV_LIVE = 1;
    /** Device state: server gone (or quiesced), io queued until recovery. */
    public static final int UBLK_S_DEV_QUIESCED = 2;
    /** Device state: server gone, io fails until recovery ({@code UBLK_F_USER_RECOVERY_FAIL_IO}). */
    public static final int UBLK_S_DEV_FAIL_IO = 3;

    /**
     * Returns the kernel name of a device state.
     *
     * @param state a {@code ublksrv_ctrl_dev_info.state} value
     * @return e.g. {@code "LIVE"}, or {@code "state N"} if unknown
     */
    public static String stateName(int state) {
        return switch (state) {
            case UBLK_S_DEV_DEAD -> "DEAD";
            case UBLK_S_DEV_LIVE -> "LIVE";
            case UBLK_S_DEV_QUIESCED -> "QUIESCED";
            case UBLK_S_DEV_FAIL_IO -> "FAIL_IO";
            default -> "state " + state;
        };
    }

    // ---------------------------------------------------------------------------------------
    // Auto buffer registration, batch io, shared-memory zero copy
    // ---------------------------------------------------------------------------------------

    /**
     * {@code ublk_auto_buf_reg.flags}: if auto registration fails, deliver the request anyway with
     * {@link UblkIoOp#UBLK_IO_F_NEED_REG_BUF} set instead of failing it.
     */
    public static final int UBLK_AUTO_BUF_REG_FALLBACK = 1;
    /** All valid {@code ublk_auto_buf_reg.flags} bits. */
    public static final int UBLK_AUTO_BUF_REG_F_MASK = UBLK_AUTO_BUF_REG_FALLBACK;

    /** {@code ublk_batch_io.flags}: each element carries a zone-append LBA ({@code __u64}). */
    public static final int UBLK_BATCH_F_HAS_ZONE_LBA = 1;
    /** {@code ublk_batch_io.flags}: each element carries a buffer address ({@code __u64}, copy mode). */
    public static final int UBLK_BATCH_F_HAS_BUF_ADDR = 1 << 1;
    /** {@code ublk_batch_io.flags}: auto buffer registration falls back as {@link #UBLK_AUTO_BUF_REG_FALLBACK}. */
    public static final int UBLK_BATCH_F_AUTO_BUF_REG_FALLBACK = 1 << 2;

    /** {@code ublk_shmem_buf_reg.flags}: pin pages read-only (works with write-sealed memfds). */
    public static final int UBLK_SHMEM_BUF_READ_ONLY = 1;

    /** With {@code UBLK_IO_F_SHMEM_ZC}, mask of the byte offset in {@code ublksrv_io_desc.addr}. */
    public static final long UBLK_SHMEM_ZC_OFF_MASK = 0xffff_ffffL;
    /** With {@code UBLK_IO_F_SHMEM_ZC}, bit offset of the buffer index in {@code ublksrv_io_desc.addr}. */
    public static final int UBLK_SHMEM_ZC_IDX_OFF = 32;
    /** With {@code UBLK_IO_F_SHMEM_ZC}, mask of the buffer index (after shifting). */
    public static final long UBLK_SHMEM_ZC_IDX_MASK = 0xffffL;

    /**
     * Encodes a shared-memory zero-copy address as the kernel does ({@code ublk_shmem_zc_addr}).
     *
     * @param index  buffer index (u16; higher bits ignored)
     * @param offset byte offset in the buffer (u32 bit pattern)
     * @return {@code (index << 32) | offset}
     */
    public static long shmemZcAddr(int index, int offset) {
        return (long) (index & 0xffff) << UBLK_SHMEM_ZC_IDX_OFF | Integer.toUnsignedLong(offset);
    }

    /**
     * Decodes the buffer index of a shared-memory zero-copy address ({@code ublk_shmem_zc_index}).
     *
     * @param addr {@code ublksrv_io_desc.addr} of a request with {@code UBLK_IO_F_SHMEM_ZC}
     * @return the buffer index, 0..65535
     */
    public static int shmemZcIndex(long addr) {
        return (int) (addr >>> UBLK_SHMEM_ZC_IDX_OFF & UBLK_SHMEM_ZC_IDX_MASK);
    }

    /**
     * Decodes the byte offset of a shared-memory zero-copy address ({@code ublk_shmem_zc_offset}).
     *
     * @param addr {@code ublksrv_io_desc.addr} of a request with {@code UBLK_IO_F_SHMEM_ZC}
     * @return the byte offset in the buffer, 0..2^32-1
     */
    public static long shmemZcOffset(long addr) {
        return addr & UBLK_SHMEM_ZC_OFF_MASK;
    }

    // ---------------------------------------------------------------------------------------
    // Parameters (ublk_params.types, ublk_param_basic.attrs)
    // ---------------------------------------------------------------------------------------

    /** {@code ublk_params.types}: {@code basic} is valid (mandatory for START_DEV). */
    public static final int UBLK_PARAM_TYPE_BASIC = 1;
    /** {@code ublk_params.types}: {@code discard} is valid. */
    public static final int UBLK_PARAM_TYPE_DISCARD = 1 << 1;
    /** {@code ublk_params.types}: {@code devt} is valid (GET_PARAMS only). */
    public static final int UBLK_PARAM_TYPE_DEVT = 1 << 2;
    /** {@code ublk_params.types}: {@code zoned} is valid. */
    public static final int UBLK_PARAM_TYPE_ZONED = 1 << 3;
    /** {@code ublk_params.types}: {@code dma} is valid (6.15). */
    public static final int UBLK_PARAM_TYPE_DMA_ALIGN = 1 << 4;
    /** {@code ublk_params.types}: {@code seg} is valid (6.15). */
    public static final int UBLK_PARAM_TYPE_SEGMENT = 1 << 5;
    /** {@code ublk_params.types}: {@code integrity} is valid; requires {@code UBLK_F_INTEGRITY} (7.0). */
    public static final int UBLK_PARAM_TYPE_INTEGRITY = 1 << 6;

    /** {@code ublk_param_basic.attrs}: read-only device. */
    public static final int UBLK_ATTR_READ_ONLY = 1;
    /** {@code ublk_param_basic.attrs}: rotational device. */
    public static final int UBLK_ATTR_ROTATIONAL = 1 << 1;
    /** {@code ublk_param_basic.attrs}: volatile write cache (FLUSH requests are sent). */
    public static final int UBLK_ATTR_VOLATILE_CACHE = 1 << 2;
    /** {@code ublk_param_basic.attrs}: supports FUA writes. */
    public static final int UBLK_ATTR_FUA = 1 << 3;

    /** Minimum {@code ublk_param_segment.max_segment_size} and {@code seg_boundary_mask + 1}. */
    public static final int UBLK_MIN_SEGMENT_SIZE = 4096;
}
