// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.DataMode;
import io.jublk.core.uapi.BatchIoFlyweight;
import io.jublk.core.uapi.ElemHeaderFlyweight;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.ProvidedBufferRing;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * The queue's side of {@code UBLK_F_BATCH_IO} (Linux 7.0): one PREP_IO_CMDS hands the kernel every
 * tag, one multishot FETCH_IO_CMDS stays armed and delivers the tags of new requests into a
 * provided-buffer ring, and the results of a round go back in one COMMIT_IO_CMDS. It replaces the
 * per-tag FETCH_REQ and COMMIT_AND_FETCH_REQ; the requests themselves are served as before.
 *
 * <p>Commits collect in one of two element arrays while the other may still be with the kernel,
 * so neither is written while the kernel reads it. A tag is committed at most once before the
 * kernel delivers it again, so an array of queue-depth elements never overflows. Owner thread only.
 */
final class BatchCommands extends IoCommands {
    /** Which batch command a completion belongs to: the tag bits of its user_data. */
    private static final int FETCH = 0;
    private static final int PREP = 1;
    private static final int COMMIT = 2;    // COMMIT + array index, 0 or 1

    private static final int BUFFER_GROUP = 0;
    /** The kernel writes at most 128 tags per fetch completion. */
    private static final int TAGS_PER_BUFFER = 128;
    private static final int ENODEV = 19;
    private static final int ENOBUFS = 105;

    private final int depth;
    private final int flags;
    private final int elemBytes;
    private final boolean autoBufReg;

    private final BatchIoFlyweight batchCmd = new BatchIoFlyweight();
    private final ElemHeaderFlyweight elem = new ElemHeaderFlyweight();
    private ProvidedBufferRing tagBuffers;
    private MemorySegment elements;    // the PREP array, then the two commit arrays
    private final boolean[] committing = new boolean[2];
    private final int[] committed = new int[2];
    private int collecting;
    private int collected;
    private boolean fetchArmed;

    /**
     * @param engine the queue
     * @param qid the queue id
     * @param depth the number of tags
     * @param mode the device's data mode; {@link #supports(DataMode)} must hold
     */
    BatchCommands(QueueEngine engine, int qid, int depth, DataMode mode) {
        if (!supports(mode)) {
            throw new IllegalArgumentException("batch io cannot serve data mode " + mode.cliName());
        }
        super(engine, qid);
        this.depth = depth;
        // Copy mode names each tag's buffer in its elements; the other modes need no address.
        this.flags = mode == DataMode.COPY ? UblkCmd.UBLK_BATCH_F_HAS_BUF_ADDR : 0;
        this.elemBytes = BatchIoFlyweight.elemBytesFor(flags);
        this.autoBufReg = mode == DataMode.AUTO_ZERO_COPY;
    }

    /**
     * @param mode a data mode
     * @return whether batch io can serve it: every mode but application buffers, whose writes
     *     need NEED_GET_DATA, which batch io does not have
     */
    static boolean supports(DataMode mode) {
        return mode != DataMode.COPY_APPLICATION_BUFFERS;
    }

    /**
     * Maps the element arrays and registers the ring of tag buffers: enough 256-byte buffers that
     * the kernel rarely finds none (it then ends the fetch, which is armed again).
     */
    @Override
    void open(IoUring ring) throws ErrnoException {
        int entries = Integer.highestOneBit(Math.min(256, 8 + depth / 8) - 1) << 1;
        elements = MemoryCalls.mmap((long) 3 * depth * elemBytes, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS | MemoryCalls.MAP_POPULATE, -1, 0);
        tagBuffers = ring.registerBufferRing(BUFFER_GROUP, entries, TAGS_PER_BUFFER * Short.BYTES);
    }

    @Override
    String prepareCommand() {
        return "UBLK_U_IO_PREP_IO_CMDS";
    }

    /** Queues PREP_IO_CMDS for every tag, then the multishot fetch. */
    @Override
    void prepare(IoSlot[] slots, DataPath path) {
        for (int tag = 0; tag < depth; tag++) {
            writeElement(arrayOffset(PREP), tag, tag, 0, path.fetchAddress(slots[tag]));
        }
        queueBatch(UblkCmd.UBLK_U_IO_PREP_IO_CMDS, PREP, arrayOffset(PREP), depth);
        armFetch();
    }

    /** Adds a request's result to this round's commit. */
    @Override
    void commit(int tag, int result, long address) {
        writeElement(arrayOffset(COMMIT + collecting), collected, tag, result, address);
        collected++;
    }

    /** @return whether results wait for a COMMIT_IO_CMDS */
    @Override
    boolean hasResults() {
        return collected > 0;
    }

    /**
     * Queues the collected results as one COMMIT_IO_CMDS, unless the other array is still with the
     * kernel; then they go with the next round, once its completion is in.
     */
    @Override
    void queueCommit() {
        int next = 1 - collecting;
        if (collected == 0 || committing[next]) {
            return;
        }
        queueBatch(UblkCmd.UBLK_U_IO_COMMIT_IO_CMDS, COMMIT + collecting, arrayOffset(COMMIT + collecting), collected);
        committing[collecting] = true;
        committed[collecting] = collected;
        collecting = next;
        collected = 0;
    }

    /** The kernel completes a commit as it is submitted: a wait that counted it would end at once. */
    @Override
    int completionsWithoutNews() {
        return (committing[0] ? 1 : 0) + (committing[1] ? 1 : 0);
    }

    /** A completion of one of the batch commands. */
    @Override
    void onCompletion(int which, int res, int cqeFlags) {
        if (which == FETCH) {
            onFetch(res, cqeFlags);
        } else if (which == PREP) {
            if (res < 0) {
                // All or nothing: no tag was prepared.
                endWaitingTags(res);
            }
        } else {
            onCommitted(which - COMMIT, res);
        }
    }

    private void onFetch(int res, int cqeFlags) {
        if (ProvidedBufferRing.hasBuffer(cqeFlags)) {
            int buffer = ProvidedBufferRing.bufferId(cqeFlags);
            for (int i = 0, n = Math.max(res, 0) / Short.BYTES; i < n; i++) {
                engine.onIoCommand(tagBuffers.u16(buffer, i * Short.BYTES), UblkCmd.UBLK_IO_RES_OK);
            }
            tagBuffers.recycle(buffer);
            tagBuffers.publish();
        }
        if (ProvidedBufferRing.hasMore(cqeFlags)) {
            return;
        }
        fetchArmed = false;
        if (res == -ENODEV || (res < 0 && res != -ENOBUFS)) {
            // The device is stopping or quiescing (or the kernel refused the fetch): no tag comes any more.
            endWaitingTags(res);
        } else if (!engine.isTerminated()) {
            // The kernel found no free tag buffer, or ended the fetch for a reason of its own.
            armFetch();
        }
    }

    private void onCommitted(int array, int res) {
        committing[array] = false;
        int sent = committed[array];
        int done = res < 0 ? 0 : res / elemBytes;
        if (done >= sent) {
            return;
        }
        // The kernel stopped at an element it refused and ends none after it; with no errno of its own for
        // a partial commit, EIO stands for it. Those tags are lost to this server, as with a refused COMMIT_AND_FETCH.
        long base = arrayOffset(COMMIT + array);
        for (int i = done; i < sent; i++) {
            elem.wrap(elements, base + (long) i * elemBytes);
            engine.endWaitingTag(elem.tag(), res < 0 ? res : -5);
        }
    }

    private void endWaitingTags(int res) {
        for (int tag = 0; tag < depth; tag++) {
            engine.endWaitingTag(tag, res);
        }
    }

    /** Releases the mappings; after the ring is closed. Idempotent. */
    @Override
    void close() {
        if (tagBuffers != null) {
            tagBuffers.close();
            tagBuffers = null;
        }
        if (elements != null) {
            MemoryCalls.munmapQuietly(elements);
            elements = null;
        }
    }

    private void armFetch() {
        if (fetchArmed) {
            return;
        }
        SubmissionEntry sqe = engine.nextSqe();
        sqe.uringCmd(CHAR_DEV_FILE_INDEX, UblkCmd.UBLK_U_IO_FETCH_IO_CMDS)
                .flags(IoUringConstants.IOSQE_FIXED_FILE | IoUringConstants.IOSQE_BUFFER_SELECT)
                .uringCmdFlags(IoUringConstants.IORING_URING_CMD_MULTISHOT)
                .bufGroup(BUFFER_GROUP)
                .userData(UserData.of(UserData.KIND_BATCH, FETCH));
        batchCmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                .qId(qid).flags(0).nrElem(TAGS_PER_BUFFER).elemBytes(Short.BYTES);
        fetchArmed = true;
    }

    private void queueBatch(int cmdOp, int which, long offset, int count) {
        SubmissionEntry sqe = engine.nextSqe();
        sqe.uringCmd(CHAR_DEV_FILE_INDEX, cmdOp).fixedFile()
                .addr(elements.address() + offset).len(count * elemBytes)
                .userData(UserData.of(UserData.KIND_BATCH, which));
        batchCmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                .qId(qid).flags(flags).nrElem(count).elemBytes(elemBytes);
    }

    private void writeElement(long base, int index, int tag, int result, long address) {
        elem.wrap(elements, base + (long) index * elemBytes).tag(tag).bufIndex(autoBufReg ? tag : 0).result(result);
        if (flags != 0) {
            elem.bufAddr(address);
        }
    }

    private long arrayOffset(int which) {
        int array = which == PREP ? 0 : 1 + which - COMMIT;
        return (long) array * depth * elemBytes;
    }
}
