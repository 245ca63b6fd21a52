// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.DataMode;
import io.jublk.core.UblkException;
import io.jublk.core.UblkQueue;
import io.jublk.core.jfr.TargetFailures;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.stats.QueueStats;
import io.jublk.core.uapi.IoDescFlyweight;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.CompletionHandler;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.EventFd;
import io.jublk.uring.IoUring;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.EventCalls;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * The engine behind a {@link UblkQueue}: FETCH every tag, then for each request the kernel
 * delivers, read its descriptor, call the target's {@link QueueHandler}, and COMMIT_AND_FETCH the result; the
 * commits of one round go to the kernel in one {@code io_uring_enter}. STOP_DEV and QUIESCE_DEV
 * abort fetches (-ENODEV); once the target holds no request the queue is terminated. How data
 * moves is the {@link DataPath} of the device's data mode; with batch io, {@link BatchCommands}
 * fetches and commits in place of the per-tag commands.
 */
public final class QueueEngine {
    private static final byte S_IDLE = 0;       // not yet fetched
    private static final byte S_FETCHED = 1;    // FETCH or COMMIT_AND_FETCH is with the kernel
    private static final byte S_GET_DATA = 2;   // NEED_GET_DATA is with the kernel
    private static final byte S_TARGET = 3;     // the target holds the request
    private static final byte S_ABORTED = 4;    // the kernel ended the slot (device stopping)

    private static final int ENODEV = 19;

    private final UblkQueue queue;
    private final QueueHost host;
    private final int devId;
    private final int qid;
    private final int depth;
    private final int maxIoBytes;
    private final DataMode mode;
    private final BlockTarget target;
    private QueueHandler handler;
    private DataPath path;
    private final IoCommands commands;
    private final int charFd;

    private final IoSlot[] ios;
    private final byte[] state;
    private final RemoteCompletions remote;
    private final QueueCounters counters;
    private final TargetFailures failureEvents;
    private final RemoteCompletions.Sink onRemote = this::onRemoteCompletion;
    private final WaitTimer waitTimer = new WaitTimer();
    private boolean dataRequested;   // a NEED_GET_DATA was queued this round

    private final IoDescFlyweight desc = new IoDescFlyweight();
    private final CompletionHandler onCompletion = this::onCompletion;

    private Thread owner;
    private IoUring ring;
    private MemorySegment descriptors;
    private EventFd wakeFd;
    private boolean wakeArmed;
    private int abortedTags;
    private int refusedCommands;
    private int lastRefusal;
    private int bufferRegistrationFailures;
    private int lastRegistrationFailure;
    private long targetFailures;
    private boolean targetStarted;
    private volatile boolean started;
    private volatile boolean terminated;
    private volatile boolean closed;

    /**
     * @param queue the queue's public face, handed to the target
     * @param host the device
     * @param devId the device id
     * @param qid the queue id
     * @param depth the number of tags
     * @param maxIoBytes the largest request
     * @param mode how data moves
     * @param target what serves the requests; it opens a handler when the queue starts
     * @param charFd the fd of {@code /dev/ublkcN}
     * @param batchIo whether the device has {@code UBLK_F_BATCH_IO}
     */
    public QueueEngine(UblkQueue queue, QueueHost host, int devId, int qid, int depth, int maxIoBytes, DataMode mode,
                       BlockTarget target, int charFd, boolean batchIo) {
        this.queue = queue;
        this.host = host;
        this.devId = devId;
        this.qid = qid;
        this.depth = depth;
        this.maxIoBytes = maxIoBytes;
        this.mode = mode;
        this.target = target;
        this.charFd = charFd;
        this.commands = IoCommands.of(batchIo, this, qid, depth, mode);
        this.ios = new IoSlot[depth];
        for (int tag = 0; tag < depth; tag++) {
            ios[tag] = new IoSlot(queue, this, qid, tag, charFd);
        }
        this.state = new byte[depth];
        this.remote = new RemoteCompletions(depth);
        this.counters = new QueueCounters(depth);
        this.failureEvents = new TargetFailures(devId, qid);
    }

    /** @return the queue's io_uring (owner thread only) */
    public IoUring ring() {
        return ring;
    }

    /** @return whether {@link #start()} has run */
    public boolean isStarted() {
        return started;
    }

    /** @return whether the kernel is ending the queue and no request is left with the target */
    public boolean isTerminated() {
        return terminated;
    }

    /** @return whether {@link #close()} has run */
    public boolean isClosed() {
        return closed;
    }

    /** @return requests whose target call threw or which completed twice; each failed with EIO */
    public long targetFailures() {
        return targetFailures;
    }

    /** @return what the queue has served so far; any thread */
    public QueueStats stats() {
        return counters.snapshot(qid, targetFailures);
    }

    /**
     * Sets the queue up on the calling thread, which becomes its owner: creates the ring, maps the
     * descriptors, and fetches every tag.
     *
     * @throws UblkException when the ring, the mapping or a fetch fails; everything acquired is released
     */
    public void start() throws UblkException {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            throw new IllegalStateException("ublk queue " + qid + " of device " + devId
                    + " needs a platform thread: the kernel ties each tag to the thread that fetched it");
        }
        if (owner != null) {
            throw new IllegalStateException("queue " + qid + " of device " + devId + " is already started");
        }
        if (closed) {
            throw new IllegalStateException("queue " + qid + " of device " + devId + " is closed");
        }
        owner = current;
        String step = "io_uring_setup";
        try {
            ring = QueueRings.newRing(depth);
            step = "IORING_REGISTER_FILES";
            ring.registerFiles(charFd);
            step = "mmap of the io descriptors";
            descriptors = MemoryCalls.mmap(UblkCmd.ioDescMmapLength(depth), MemoryCalls.PROT_READ,
                    MemoryCalls.MAP_SHARED | MemoryCalls.MAP_POPULATE, charFd, UblkCmd.ioDescMmapOffset(qid));
            step = "opening the target's queue handler";
            handler = target.openQueue(queue);
            if (handler == null) {
                throw new IllegalStateException(target.getClass().getName() + ".openQueue returned no handler");
            }
            targetStarted = true;
            step = "the " + mode.cliName() + " data path";
            path = DataPath.of(mode, this, handler, target);
            path.open(ring, ios, maxIoBytes);
            step = "the io commands' buffers";
            commands.open(ring);
            step = "eventfd";
            wakeFd = EventFd.create();
            remote.wakeThrough(wakeFd);
            step = commands.prepareCommand();
            armWake();
            commands.prepare(ios, path);
            java.util.Arrays.fill(state, S_FETCHED);
            ring.submit();
        } catch (ErrnoException e) {
            releaseResources();
            throw new UblkException(step + " for queue " + qid, devId, e);
        } catch (java.io.IOException e) {
            releaseResources();
            throw new UblkException(step + " for queue " + qid, devId, null, e.getMessage());
        } catch (RuntimeException e) {
            releaseResources();
            throw e;
        }
        started = true;
        host.queueStarted();
    }

    /**
     * Does the work that is ready without blocking.
     *
     * @return the amount of work done; zero when there was none
     * @throws UblkException when the ring itself fails (not when a request fails)
     */
    public int doWork() throws UblkException {
        checkOwner();
        try {
            int work = remote.drain(onRemote);
            // Enters only when there is something to submit or deferred task work to run.
            submit();
            work += ring.pollCompletions(onCompletion);
            work += remote.drain(onRemote);
            work += finishDataRequests();
            if (ring.pendingSubmissions() > 0 || commands.hasResults()) {
                submit();
            }
            work -= waitTimer.takeFired();
            afterRound();
            counters.roundEnded(work);
            return work;
        } catch (ErrnoException e) {
            throw new UblkException("io_uring_enter on queue " + qid, devId, e);
        }
    }

    /**
     * Serves requests, waiting up to {@code timeoutNanos} when nothing is ready; one
     * {@code io_uring_enter} both submits the previous round's commits and waits, bounded by the
     * ring's {@link WaitTimer} rather than a timer of its own.
     *
     * @param timeoutNanos the longest wait, in nanoseconds; zero does not wait
     * @return the amount of work done; zero on a timeout
     * @throws UblkException when the ring itself fails
     */
    public int poll(long timeoutNanos) throws UblkException {
        checkOwner();
        try {
            int work = remote.drain(onRemote);
            if (work == 0 && ring.completionsReady() == 0 && !terminated && timeoutNanos > 0) {
                if (path.releasePending()) {
                    // Hand the application its buffers now, not after a sleep that may last the whole timeout.
                    submit();
                }
                commands.queueCommit();
                remote.sleeping(true);
                if (!remote.isPending()) {
                    waitTimer.submitAndWait(ring, 1 + commands.completionsWithoutNews(), timeoutNanos);
                } else {
                    ring.submitAndWait(0);
                }
                remote.sleeping(false);
                path.afterSubmit();
            } else {
                submit();
            }
            work += ring.pollCompletions(onCompletion);
            work += remote.drain(onRemote);
            work += finishDataRequests() - waitTimer.takeFired();
            afterRound();
            counters.roundEnded(work);
            return work;
        } catch (ErrnoException e) {
            throw new UblkException("io_uring_enter on queue " + qid, devId, e);
        }
    }

    private void submit() throws ErrnoException {
        commands.queueCommit();
        ring.submit();
        path.afterSubmit();
    }

    /**
     * The kernel answers NEED_GET_DATA as it is submitted, having copied the write's data: submit
     * this round's now and serve those writes in this round, rather than a round later.
     */
    private int finishDataRequests() throws ErrnoException {
        if (!dataRequested) {
            return 0;
        }
        dataRequested = false;
        submit();
        return ring.pollCompletions(onCompletion);
    }

    /**
     * Releases the ring, the mappings and the buffers; on the owner thread once terminated.
     * Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        if (owner != null && Thread.currentThread() != owner && owner.isAlive() && !terminated) {
            throw new IllegalStateException("queue " + qid + " of device " + devId
                    + " is running on " + owner.getName() + "; stop the device and let that thread close it");
        }
        closed = true;
        if (started) {
            stopTarget();
        }
        releaseResources();
        host.queueClosed();
    }

    private void stopTarget() {
        try {
            handler.stop();
        } catch (RuntimeException e) {
            host.report("the target's queue handler failed to stop", e);
        }
    }

    // ---- waiting together with other queues (QueueGroup) ---------------------------------------

    /**
     * Has the kernel signal {@code eventFd} whenever this queue's ring gets work. Owner only.
     *
     * @param eventFd the eventfd to signal
     * @throws UblkException when the kernel refuses
     */
    public void signalOnWork(EventFd eventFd) throws UblkException {
        checkOwner();
        try {
            ring.registerEventFd(eventFd.fd());
        } catch (ErrnoException e) {
            throw new UblkException("IORING_REGISTER_EVENTFD for queue " + qid, devId, e);
        }
    }

    /**
     * Marks whether the owner is about to sleep elsewhere, so that a completion from another thread wakes it.
     *
     * @param asleep whether it sleeps
     */
    public void sleeping(boolean asleep) {
        remote.sleeping(asleep);
    }

    // ---- completions from the kernel ----------------------------------------------------------

    private void onCompletion(long userData, int res, int flags) {
        int tag = UserData.tag(userData);
        switch (UserData.kind(userData)) {
            case UserData.KIND_IO_CMD -> onIoCommand(tag, res);
            case UserData.KIND_BATCH -> commands.onCompletion(tag, res, flags);
            case UserData.KIND_TARGET -> {
                IoSlot io = ios[tag];
                try {
                    handler.onRingCompletion(io, UserData.targetData(userData), res, flags);
                } catch (RuntimeException | Error e) {
                    targetFailed(io, e);
                }
            }
            case UserData.KIND_WAKE -> {
                wakeArmed = false;
                wakeFd.drain();
            }
            case UserData.KIND_WAIT_TIMER -> waitTimer.onCompletion();
            case UserData.KIND_BUF_REG -> {
                if (res < 0) {
                    // The target's fixed-buffer operation on this tag fails too and reports it; keep a count.
                    bufferRegistrationFailures++;
                    lastRegistrationFailure = res;
                }
            }
            default -> { }
        }
    }

    /** Batch io: the kernel ended a tag it held (-ENODEV), or refused it. */
    void endWaitingTag(int tag, int res) {
        if (state[tag] == S_FETCHED) {
            onIoCommand(tag, res);
        }
    }

    /** The kernel delivered a request (res 0), wants a write's data place (1), or ended the tag (res < 0). */
    void onIoCommand(int tag, int res) {
        IoSlot io = ios[tag];
        if (res == UblkCmd.UBLK_IO_RES_OK) {
            if (state[tag] != S_GET_DATA) {
                loadDescriptor(io);
                if (!path.prepare(io)) {
                    return;
                }
            }
            dispatch(io);
        } else if (res == UblkCmd.UBLK_IO_RES_NEED_GET_DATA) {
            loadDescriptor(io);
            long place = path.dataPlace(io);
            if (place == 0) {
                return;
            }
            commands.getData(tag, place);
            state[tag] = S_GET_DATA;
            dataRequested = true;
        } else {
            if (res != -ENODEV) {
                // The kernel refused a command; the slot is lost to this server either way.
                refusedCommands++;
                lastRefusal = res;
            }
            state[tag] = S_ABORTED;
            if (abortedTags++ == 0 && res == -ENODEV) {
                // The kernel may abort only some queues' fetches (QUIESCE_DEV skips commands whose
                // request is being dispatched): tell the others the device is going away.
                host.queueAborted();
            }
            path.onAbort(io);
        }
    }

    private void loadDescriptor(IoSlot io) {
        desc.wrap(descriptors, (long) io.tag() * IoDescFlyweight.SIZE);
        io.load(desc.opFlags(), desc.startSector(), desc.nrSectors(), mode.isZeroCopy());
    }

    private void dispatch(IoSlot io) {
        int tag = io.tag();
        state[tag] = S_TARGET;
        counters.dispatched(tag, System.nanoTime());
        int result;
        try {
            result = switch (io.op()) {
                case UblkIoOp.UBLK_IO_OP_READ -> handler.read(io);
                case UblkIoOp.UBLK_IO_OP_WRITE -> handler.write(io);
                case UblkIoOp.UBLK_IO_OP_FLUSH -> handler.flush(io);
                case UblkIoOp.UBLK_IO_OP_DISCARD -> handler.discard(io);
                case UblkIoOp.UBLK_IO_OP_WRITE_ZEROES -> handler.writeZeroes(io);
                default -> QueueHandler.EOPNOTSUPP;
            };
        } catch (RuntimeException | Error e) {
            targetFailed(io, e);
            return;
        }
        if (result != QueueHandler.ASYNC && state[tag] == S_TARGET) {
            commit(tag, result);
        }
    }

    private void targetFailed(IoSlot io, Throwable e) {
        targetFailures++;
        failureEvents.failed(io, e);
        host.report("target failed on " + io + "; the request fails with EIO", e);
        if (state[io.tag()] == S_TARGET) {
            commit(io.tag(), QueueHandler.EIO);
        }
    }

    /** A request whose data has nowhere to go: it fails with EIO. */
    void failWithoutData(IoSlot io) {
        targetFailures++;
        state[io.tag()] = S_TARGET;
        commit(io.tag(), QueueHandler.EIO);
    }

    void report(String what, Throwable cause) {
        host.report(what, cause);
    }

    // ---- completions from the target ----------------------------------------------------------

    void complete(int tag, int result) {
        if (Thread.currentThread() == owner) {
            if (state[tag] != S_TARGET) {
                throw new IllegalStateException("request " + ios[tag] + " completed twice or not in flight");
            }
            commit(tag, result);
            return;
        }
        remote.post(tag, result);
    }

    private boolean onRemoteCompletion(int tag, int result) {
        if (state[tag] != S_TARGET) {
            targetFailures++;
            return false;
        }
        commit(tag, result);
        return true;
    }

    private void commit(int tag, int result) {
        IoSlot io = ios[tag];
        counters.committed(tag, io.op(), io.length(), result, System.nanoTime());
        long address = path.beforeCommit(io);
        commands.commit(tag, result, address);
        state[tag] = S_FETCHED;
    }

    // ---- submission helpers ---------------------------------------------------------------------

    void queueBufferCommand(int cmdOp, int tag) {
        commands.queueBufferCommand(cmdOp, tag);
    }

    SubmissionEntry nextSqe() {
        try {
            return ring.nextSqe();
        } catch (ErrnoException e) {
            throw new IllegalStateException("io_uring_enter failed while the submission queue was full on queue " + qid
                    + " of device " + devId + ": " + e.getMessage(), e);
        }
    }

    private void armWake() {
        if (wakeArmed || terminated) {
            return;
        }
        try {
            ring.nextSqe().pollAdd(wakeFd.fd(), EventCalls.POLLIN).userData(UserData.of(UserData.KIND_WAKE, 0));
        } catch (ErrnoException e) {
            throw new IllegalStateException("cannot arm the wake-up of queue " + qid + ": " + e.getMessage(), e);
        }
        wakeArmed = true;
    }

    private void afterRound() {
        if (!terminated && (abortedTags > 0 || host.deviceGoingAway()) && (abortedTags == depth || !servingAny())) {
            terminated = true;
            // Commits queued this round still reach the kernel, so it does not have to requeue them.
            commands.queueCommit();
            if (ring.pendingSubmissions() > 0) {
                try {
                    ring.submit();
                } catch (ErrnoException e) {
                    host.report("submitting the last commits failed", e);
                }
            }
            if (refusedCommands > 0) {
                host.report(refusedCommands + " io commands were refused by the kernel, last with "
                        + Errno.of(-lastRefusal), null);
            }
            if (bufferRegistrationFailures > 0) {
                host.report(bufferRegistrationFailures + " request buffer (un)registrations failed, last with "
                        + Errno.of(-lastRegistrationFailure), null);
            }
            host.queueTerminated();
        } else if (!wakeArmed && !terminated) {
            armWake();
        }
    }

    /**
     * Whether a request is still with the target. Once the kernel aborts one fetch, the device is
     * going away: STOP_DEV aborts every tag, but QUIESCE_DEV only some, and expects the server to
     * leave once it has committed what it holds; closing the ring cancels the rest.
     */
    private boolean servingAny() {
        for (int tag = 0; tag < depth; tag++) {
            if (state[tag] == S_TARGET || state[tag] == S_GET_DATA) {
                return true;
            }
        }
        return false;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(owner == null
                    ? "queue " + qid + " of device " + devId + " is not started; call start() on its thread first"
                    : "queue " + qid + " of device " + devId + " belongs to thread " + owner.getName());
        }
    }

    private void releaseResources() {
        if (targetStarted && !started) {
            // start() failed after the target set itself up: let it undo that.
            targetStarted = false;
            stopTarget();
        }
        if (ring != null) {
            ring.close();
            ring = null;
        }
        commands.close();
        if (wakeFd != null) {
            wakeFd.close();
            wakeFd = null;
        }
        if (descriptors != null) {
            MemoryCalls.munmapQuietly(descriptors);
            descriptors = null;
        }
        if (path != null) {
            path.close(ios);
        }
    }
}
