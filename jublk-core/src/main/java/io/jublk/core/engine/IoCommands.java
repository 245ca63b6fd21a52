// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.DataMode;
import io.jublk.core.uapi.IoCmdFlyweight;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.SubmissionEntry;

/**
 * How a queue hands its tags to the kernel and gives results back: per tag ({@link TagCommands},
 * FETCH_REQ and COMMIT_AND_FETCH_REQ) or per queue ({@link BatchCommands}, {@code UBLK_F_BATCH_IO}).
 * Owner thread only.
 */
abstract class IoCommands {
    /** The fd slot of {@code /dev/ublkcN} in the ring's file table. */
    static final int CHAR_DEV_FILE_INDEX = 0;

    final QueueEngine engine;
    final int qid;
    private final IoCmdFlyweight ioCmd = new IoCmdFlyweight();

    IoCommands(QueueEngine engine, int qid) {
        this.engine = engine;
        this.qid = qid;
    }

    /**
     * @param batchIo whether the device has {@code UBLK_F_BATCH_IO}
     * @param engine the queue
     * @param qid the queue id
     * @param depth the number of tags
     * @param mode the device's data mode
     * @return the commands for the device
     */
    static IoCommands of(boolean batchIo, QueueEngine engine, int qid, int depth, DataMode mode) {
        return batchIo ? new BatchCommands(engine, qid, depth, mode) : new TagCommands(engine, qid);
    }

    /** Sets up what the commands need, once the ring exists. */
    void open(IoUring ring) throws ErrnoException {
    }

    /** @return the command that hands the kernel its tags at start, to name in a failure */
    abstract String prepareCommand();

    /** Queues what hands every tag to the kernel. */
    abstract void prepare(IoSlot[] slots, DataPath path);

    /** Queues (or collects) a request's result. */
    abstract void commit(int tag, int result, long address);

    /** Queues the NEED_GET_DATA of a write (per tag only). */
    void getData(int tag, long place) {
        throw new IllegalStateException("NEED_GET_DATA without per-tag commands");
    }

    /** Queues the results collected so far, where they are collected. */
    void queueCommit() {
    }

    /** @return whether collected results wait for {@link #queueCommit()} */
    boolean hasResults() {
        return false;
    }

    /**
     * @return completions on their way that bring no request (a batch commit's), which a wait for
     *     work should not count
     */
    int completionsWithoutNews() {
        return 0;
    }

    /** A completion of a command of this kind ({@link UserData#KIND_BATCH}). */
    void onCompletion(int which, int res, int cqeFlags) {
    }

    /** Releases what {@link #open} set up; after the ring is closed. Idempotent. */
    void close() {
    }

    /** Queues an io command ({@code struct ublksrv_io_cmd}) for one tag. */
    SubmissionEntry queueIoCommand(int cmdOp, int tag, int result, long address, long userData) {
        SubmissionEntry sqe = engine.nextSqe();
        sqe.uringCmd(CHAR_DEV_FILE_INDEX, cmdOp).fixedFile().userData(userData);
        ioCmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                .qId(qid).tag(tag).result(result).addr(address);
        return sqe;
    }

    /** Queues REGISTER_IO_BUF or UNREGISTER_IO_BUF of a tag's pages at slot = tag; completes only on failure. */
    void queueBufferCommand(int cmdOp, int tag) {
        queueIoCommand(cmdOp, tag, 0, tag, UserData.of(UserData.KIND_BUF_REG, tag)).skipSuccess();
    }
}
