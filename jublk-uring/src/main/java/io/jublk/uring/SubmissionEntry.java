// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import static io.jublk.uring.IoUringConstants.*;

/**
 * Flyweight over one submission queue entry ({@code struct io_uring_sqe}) in a ring's mmapped SQE array.
 *
 * <p>{@link IoUring#nextSqe()} repositions the ring's single instance over the next free slot and zeroes
 * it, so a reference is only good until the next {@code nextSqe()} call. Setters are fluent and write the
 * field plainly; the ring publishes all of them at once with a release store of the SQ tail in
 * {@link IoUring#submit()}. Preparers ({@link #read}, {@link #uringCmd}, ...) set the opcode and the fields
 * that opcode uses, mirroring liburing's {@code io_uring_prep_*}; they leave {@code user_data} and the
 * {@code IOSQE_*} flags to the caller. Not thread-safe: confined to the ring's owning thread.
 *
 * <p>Layout (offsets in bytes, little-endian; see
 * <a href="https://github.com/torvalds/linux/blob/v6.18/include/uapi/linux/io_uring.h">io_uring.h</a>):
 * <pre>
 *   0      1      2             4                            8
 *   +------+------+-------------+----------------------------+
 *   |opcode|flags |   ioprio    |            fd              |  0
 *   +------+------+-------------+----------------------------+
 *   |        off / addr2  (cmd_op = low 32 bits, then pad)   |  8
 *   +--------------------------------------------------------+
 *   |        addr / splice_off_in                            | 16
 *   +----------------------------+---------------------------+
 *   |           len              | rw_flags / uring_cmd_flags| 24
 *   |                            | fsync/poll/timeout/msg... |
 *   +----------------------------+---------------------------+
 *   |        user_data                                       | 32
 *   +-------------+-------------+----------------------------+
 *   | buf_index / | personality | file_index / splice_fd_in  | 40
 *   | buf_group   |             |                            |
 *   +-------------+-------------+----------------------------+
 *   |        addr3            \  cmd[]: 16 bytes (64-byte    | 48
 *   +--------------------------  SQE) or 80 bytes (SQE128)   |
 *   |        __pad2[0]        /                              | 56
 *   +--------------------------------------------------------+
 *   |        cmd[] continues to byte 127 on SQE128 rings     | 64..127
 *   +--------------------------------------------------------+
 * </pre>
 */
public final class SubmissionEntry {

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    // The command area is user-structured; its fields need not be naturally aligned.
    private static final ValueLayout.OfShort CMD_U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt CMD_U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong CMD_U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment segment;
    private final int sqeSize;
    private final int cmdSize;
    private long offset;

    SubmissionEntry(MemorySegment sqes, int sqeSize) {
        this.segment = sqes;
        this.sqeSize = sqeSize;
        this.cmdSize = sqeSize - IO_URING_SQE_CMD_OFFSET;
    }

    /** Zeros to clear an SQE with, sized for the 128-byte form. */
    private static final MemorySegment ZERO_SQE = java.lang.foreign.Arena.global().allocate(128, 64);

    /** Moves the flyweight over the SQE at {@code offset} and zeroes it. */
    SubmissionEntry wrapAndClear(long offset) {
        this.offset = offset;
        // One bulk copy instead of a store per word: each store would repeat the segment checks.
        MemorySegment.copy(ZERO_SQE, 0L, segment, offset, sqeSize);
        return this;
    }

    /**
     * The segment holding the SQE array this entry lives in.
     *
     * @return the mmapped SQE array segment (shared by all entries of the ring)
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Byte offset of this SQE within {@link #segment()}; its command area starts at {@code offset() + 48}.
     *
     * @return the offset of the current SQE
     */
    public long offset() {
        return offset;
    }

    /**
     * Size of this SQE.
     *
     * @return 64, or 128 on an SQE128 ring
     */
    public int size() {
        return sqeSize;
    }

    // ---------------------------------------------------------------- raw fields

    /**
     * Sets {@code opcode}.
     *
     * @param opcode an {@code IORING_OP_*} value
     * @return this entry
     */
    public SubmissionEntry opcode(int opcode) {
        segment.set(U8, offset + IO_URING_SQE_OPCODE_OFFSET, (byte) opcode);
        return this;
    }

    /**
     * Sets {@code flags}, replacing any set before.
     *
     * @param flags {@code IOSQE_*} bits
     * @return this entry
     */
    public SubmissionEntry flags(int flags) {
        segment.set(U8, offset + IO_URING_SQE_FLAGS_OFFSET, (byte) flags);
        return this;
    }

    /**
     * Sets {@code ioprio}.
     *
     * @param ioprio I/O priority, or per-op flags for ops that reuse the field
     * @return this entry
     */
    public SubmissionEntry ioprio(int ioprio) {
        segment.set(U16, offset + IO_URING_SQE_IOPRIO_OFFSET, (short) ioprio);
        return this;
    }

    /**
     * Sets {@code fd}.
     *
     * @param fd a file descriptor, or a registered-file index with {@link #fixedFile()}
     * @return this entry
     */
    public SubmissionEntry fd(int fd) {
        segment.set(U32, offset + IO_URING_SQE_FD_OFFSET, fd);
        return this;
    }

    /**
     * Sets {@code off}.
     *
     * @param off file offset, or the op-specific value stored there
     * @return this entry
     */
    public SubmissionEntry off(long off) {
        segment.set(U64, offset + IO_URING_SQE_OFF_OFFSET, off);
        return this;
    }

    /**
     * Sets {@code addr2} (the same bytes as {@code off}).
     *
     * @param addr2 the value
     * @return this entry
     */
    public SubmissionEntry addr2(long addr2) {
        segment.set(U64, offset + IO_URING_SQE_ADDR2_OFFSET, addr2);
        return this;
    }

    /**
     * Sets {@code addr}.
     *
     * @param addr buffer address, or the op-specific value stored there
     * @return this entry
     */
    public SubmissionEntry addr(long addr) {
        segment.set(U64, offset + IO_URING_SQE_ADDR_OFFSET, addr);
        return this;
    }

    /**
     * Sets {@code len}.
     *
     * @param len buffer length, or the op-specific value stored there
     * @return this entry
     */
    public SubmissionEntry len(int len) {
        segment.set(U32, offset + IO_URING_SQE_LEN_OFFSET, len);
        return this;
    }

    /**
     * Sets {@code rw_flags}.
     *
     * @param rwFlags {@code RWF_*} flags
     * @return this entry
     */
    public SubmissionEntry rwFlags(int rwFlags) {
        segment.set(U32, offset + IO_URING_SQE_RW_FLAGS_OFFSET, rwFlags);
        return this;
    }

    /**
     * Sets {@code uring_cmd_flags} (the same bytes as {@code rw_flags}).
     *
     * @param uringCmdFlags {@code IORING_URING_CMD_*} flags
     * @return this entry
     */
    public SubmissionEntry uringCmdFlags(int uringCmdFlags) {
        segment.set(U32, offset + IO_URING_SQE_URING_CMD_FLAGS_OFFSET, uringCmdFlags);
        return this;
    }

    /**
     * Sets {@code fsync_flags} (the same bytes as {@code rw_flags}).
     *
     * @param fsyncFlags 0 or {@link IoUringConstants#IORING_FSYNC_DATASYNC}
     * @return this entry
     */
    public SubmissionEntry fsyncFlags(int fsyncFlags) {
        segment.set(U32, offset + IO_URING_SQE_RW_FLAGS_OFFSET, fsyncFlags);
        return this;
    }

    /**
     * Sets {@code user_data}, returned unchanged in the CQE.
     *
     * @param userData any 64-bit value
     * @return this entry
     */
    public SubmissionEntry userData(long userData) {
        segment.set(U64, offset + IO_URING_SQE_USER_DATA_OFFSET, userData);
        return this;
    }

    /**
     * Sets {@code buf_index}.
     *
     * @param bufIndex index into the registered buffer table
     * @return this entry
     */
    public SubmissionEntry bufIndex(int bufIndex) {
        segment.set(U16, offset + IO_URING_SQE_BUF_INDEX_OFFSET, (short) bufIndex);
        return this;
    }

    /**
     * Sets {@code buf_group} (the same bytes as {@code buf_index}).
     *
     * @param bufGroup provided-buffer group id
     * @return this entry
     */
    public SubmissionEntry bufGroup(int bufGroup) {
        segment.set(U16, offset + IO_URING_SQE_BUF_INDEX_OFFSET, (short) bufGroup);
        return this;
    }

    /**
     * Sets {@code personality}.
     *
     * @param personality a registered personality id, or 0
     * @return this entry
     */
    public SubmissionEntry personality(int personality) {
        segment.set(U16, offset + IO_URING_SQE_PERSONALITY_OFFSET, (short) personality);
        return this;
    }

    /**
     * Sets {@code file_index}.
     *
     * @param fileIndex registered-file slot plus one for direct-descriptor ops, or 0
     * @return this entry
     */
    public SubmissionEntry fileIndex(int fileIndex) {
        segment.set(U32, offset + IO_URING_SQE_FILE_INDEX_OFFSET, fileIndex);
        return this;
    }

    /**
     * Sets {@code addr3} (the first 8 bytes of the command area).
     *
     * @param addr3 the value
     * @return this entry
     */
    public SubmissionEntry addr3(long addr3) {
        segment.set(U64, offset + IO_URING_SQE_ADDR3_OFFSET, addr3);
        return this;
    }

    /**
     * Sets {@code cmd_op} (the low 32 bits of {@code off}).
     *
     * @param cmdOp driver command opcode, e.g. a {@code UBLK_U_CMD_*} ioctl number
     * @return this entry
     */
    public SubmissionEntry cmdOp(int cmdOp) {
        segment.set(U32, offset + IO_URING_SQE_CMD_OP_OFFSET, cmdOp);
        return this;
    }

    // ---------------------------------------------------------------- command area

    private long cmd(int cmdOffset, int size) {
        Objects.checkFromIndexSize(cmdOffset, size, cmdSize);
        return offset + IO_URING_SQE_CMD_OFFSET + cmdOffset;
    }

    /**
     * Writes a byte into the command area.
     *
     * @param cmdOffset offset within the command area (0..15, or 0..79 on SQE128)
     * @param v the value (low 8 bits)
     * @return this entry
     */
    public SubmissionEntry cmdByte(int cmdOffset, int v) {
        segment.set(U8, cmd(cmdOffset, 1), (byte) v);
        return this;
    }

    /**
     * Writes a 16-bit value into the command area.
     *
     * @param cmdOffset offset within the command area
     * @param v the value (low 16 bits)
     * @return this entry
     */
    public SubmissionEntry cmdShort(int cmdOffset, int v) {
        segment.set(CMD_U16, cmd(cmdOffset, 2), (short) v);
        return this;
    }

    /**
     * Writes a 32-bit value into the command area.
     *
     * @param cmdOffset offset within the command area
     * @param v the value
     * @return this entry
     */
    public SubmissionEntry cmdInt(int cmdOffset, int v) {
        segment.set(CMD_U32, cmd(cmdOffset, 4), v);
        return this;
    }

    /**
     * Writes a 64-bit value into the command area.
     *
     * @param cmdOffset offset within the command area
     * @param v the value
     * @return this entry
     */
    public SubmissionEntry cmdLong(int cmdOffset, long v) {
        segment.set(CMD_U64, cmd(cmdOffset, 8), v);
        return this;
    }

    // ---------------------------------------------------------------- IOSQE_* flags

    private SubmissionEntry orFlag(int flag) {
        long at = offset + IO_URING_SQE_FLAGS_OFFSET;
        segment.set(U8, at, (byte) (segment.get(U8, at) | flag));
        return this;
    }

    /**
     * Links this SQE to the next one ({@code IOSQE_IO_LINK}): the next starts after this one completes and
     * is cancelled with {@code -ECANCELED} if this one fails.
     *
     * @return this entry
     */
    public SubmissionEntry link() {
        return orFlag(IOSQE_IO_LINK);
    }

    /**
     * Hard-links this SQE to the next one ({@code IOSQE_IO_HARDLINK}): the next starts after this one
     * completes, whatever its result.
     *
     * @return this entry
     */
    public SubmissionEntry hardLink() {
        return orFlag(IOSQE_IO_HARDLINK);
    }

    /**
     * Posts no CQE if this request succeeds ({@code IOSQE_CQE_SKIP_SUCCESS}).
     *
     * @return this entry
     */
    public SubmissionEntry skipSuccess() {
        return orFlag(IOSQE_CQE_SKIP_SUCCESS);
    }

    /**
     * Treats {@code fd} as an index into the registered file table ({@code IOSQE_FIXED_FILE}).
     *
     * @return this entry
     */
    public SubmissionEntry fixedFile() {
        return orFlag(IOSQE_FIXED_FILE);
    }

    /**
     * Starts this request only after all earlier ones have completed ({@code IOSQE_IO_DRAIN}).
     *
     * @return this entry
     */
    public SubmissionEntry drain() {
        return orFlag(IOSQE_IO_DRAIN);
    }

    /**
     * Executes this request in an io-wq worker right away ({@code IOSQE_ASYNC}).
     *
     * @return this entry
     */
    public SubmissionEntry async() {
        return orFlag(IOSQE_ASYNC);
    }

    // ---------------------------------------------------------------- preparers

    private SubmissionEntry rw(int op, int fd, long addr, int len, long off) {
        segment.set(U8, offset + IO_URING_SQE_OPCODE_OFFSET, (byte) op);
        segment.set(U32, offset + IO_URING_SQE_FD_OFFSET, fd);
        segment.set(U64, offset + IO_URING_SQE_OFF_OFFSET, off);
        segment.set(U64, offset + IO_URING_SQE_ADDR_OFFSET, addr);
        segment.set(U32, offset + IO_URING_SQE_LEN_OFFSET, len);
        return this;
    }

    /**
     * Prepares a no-op, which completes with res 0.
     *
     * @return this entry
     */
    public SubmissionEntry nop() {
        return opcode(IORING_OP_NOP);
    }

    /**
     * Prepares {@code IORING_OP_READ} (pread semantics).
     *
     * @param fd file descriptor (or registered index with {@link #fixedFile()})
     * @param addr destination address
     * @param len bytes to read
     * @param off file offset, or -1 for the current position
     * @return this entry
     */
    public SubmissionEntry read(int fd, long addr, int len, long off) {
        return rw(IORING_OP_READ, fd, addr, len, off);
    }

    /**
     * Prepares {@code IORING_OP_WRITE} (pwrite semantics).
     *
     * @param fd file descriptor (or registered index with {@link #fixedFile()})
     * @param addr source address
     * @param len bytes to write
     * @param off file offset, or -1 for the current position
     * @return this entry
     */
    public SubmissionEntry write(int fd, long addr, int len, long off) {
        return rw(IORING_OP_WRITE, fd, addr, len, off);
    }

    /**
     * Prepares {@code IORING_OP_READ_FIXED} into a registered buffer.
     *
     * @param fd file descriptor (or registered index with {@link #fixedFile()})
     * @param addr destination address, inside registered buffer {@code bufIndex}
     * @param len bytes to read
     * @param off file offset
     * @param bufIndex registered buffer index
     * @return this entry
     */
    public SubmissionEntry readFixed(int fd, long addr, int len, long off, int bufIndex) {
        return rw(IORING_OP_READ_FIXED, fd, addr, len, off).bufIndex(bufIndex);
    }

    /**
     * Prepares {@code IORING_OP_WRITE_FIXED} from a registered buffer.
     *
     * @param fd file descriptor (or registered index with {@link #fixedFile()})
     * @param addr source address, inside registered buffer {@code bufIndex}
     * @param len bytes to write
     * @param off file offset
     * @param bufIndex registered buffer index
     * @return this entry
     */
    public SubmissionEntry writeFixed(int fd, long addr, int len, long off, int bufIndex) {
        return rw(IORING_OP_WRITE_FIXED, fd, addr, len, off).bufIndex(bufIndex);
    }

    /**
     * Prepares {@code IORING_OP_FSYNC}.
     *
     * @param fd file descriptor
     * @param fsyncFlags 0, or {@link IoUringConstants#IORING_FSYNC_DATASYNC} for fdatasync
     * @return this entry
     */
    public SubmissionEntry fsync(int fd, int fsyncFlags) {
        return rw(IORING_OP_FSYNC, fd, 0L, 0, 0L).fsyncFlags(fsyncFlags);
    }

    /**
     * Prepares {@code IORING_OP_FALLOCATE}; the kernel takes the mode from {@code len} and the length from
     * {@code addr}.
     *
     * @param fd file descriptor
     * @param mode {@code FALLOC_FL_*} flags, or 0
     * @param off start of the range
     * @param len length of the range
     * @return this entry
     */
    public SubmissionEntry fallocate(int fd, int mode, long off, long len) {
        return rw(IORING_OP_FALLOCATE, fd, len, mode, off);
    }

    /**
     * Prepares {@code IORING_OP_URING_CMD}; write the payload with the {@code cmd*} methods or at
     * {@code offset() + 48}.
     *
     * @param fd the driver's file descriptor (or registered index with {@link #fixedFile()})
     * @param cmdOp the driver command
     * @return this entry
     */
    public SubmissionEntry uringCmd(int fd, int cmdOp) {
        return opcode(IORING_OP_URING_CMD).fd(fd).cmdOp(cmdOp);
    }

    /**
     * Prepares {@code IORING_OP_MSG_RING} with {@code IORING_MSG_DATA}: posts a CQE with {@code res} and
     * {@code userData} on the target ring; this ring gets its own CQE with res 0 (or a negative errno).
     *
     * @param targetRingFd fd of the ring to post to
     * @param res value for the target CQE's {@code res}
     * @param userData value for the target CQE's {@code user_data}
     * @return this entry
     */
    public SubmissionEntry msgRing(int targetRingFd, int res, long userData) {
        return rw(IORING_OP_MSG_RING, targetRingFd, IORING_MSG_DATA, res, userData);
    }

    /**
     * Prepares a one-shot {@code IORING_OP_POLL_ADD}; the CQE's res is the ready event mask.
     *
     * @param fd file descriptor to poll
     * @param pollMask {@code POLL*} events, e.g. {@link io.jublk.uring.sys.EventCalls#POLLIN}
     * @return this entry
     */
    public SubmissionEntry pollAdd(int fd, int pollMask) {
        rw(IORING_OP_POLL_ADD, fd, 0L, 0, 0L);
        segment.set(U32, offset + IO_URING_SQE_RW_FLAGS_OFFSET, pollMask); // poll32_events, little-endian
        return this;
    }

    /**
     * Prepares {@code IORING_OP_TIMEOUT}: completes with {@code -ETIME} when the time passes, or with 0 once
     * {@code count} other completions have been posted.
     *
     * @param timespecAddr address of a {@code __kernel_timespec} that stays valid until submitted
     * @param count completions that end the timeout early, or 0 for a pure timer
     * @param flags {@code IORING_TIMEOUT_*} flags
     * @return this entry
     */
    public SubmissionEntry timeout(long timespecAddr, int count, int flags) {
        return rw(IORING_OP_TIMEOUT, -1, timespecAddr, 1, count).rwFlags(flags);
    }

    /**
     * Prepares {@code IORING_OP_LINK_TIMEOUT} for the previous SQE, which must carry {@link #link()}.
     *
     * @param timespecAddr address of a {@code __kernel_timespec} that stays valid until submitted
     * @param flags {@code IORING_TIMEOUT_*} flags
     * @return this entry
     */
    public SubmissionEntry linkTimeout(long timespecAddr, int flags) {
        return rw(IORING_OP_LINK_TIMEOUT, -1, timespecAddr, 1, 0L).rwFlags(flags);
    }
}
