package io.jublk.core;

import io.jublk.core.uapi.AutoBufRegFlyweight;
import io.jublk.core.uapi.IoCmdFlyweight;
import io.jublk.core.uapi.IoDescFlyweight;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.CompletionHandler;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.EventFd;
import io.jublk.uring.IoUring;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.EventCalls;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One hardware queue of a ublk device: its io_uring, its mmapped request descriptors and a request
 * slot ({@link UblkIo}) per tag.
 *
 * <p>The engine: FETCH every tag, then for each request the kernel delivers, read its descriptor,
 * call the {@link BlockTarget}, and COMMIT_AND_FETCH the result; the commits of one round go to the
 * kernel in one {@code io_uring_enter}. STOP_DEV and QUIESCE_DEV abort fetches (-ENODEV); once the
 * target holds no request the queue is {@linkplain #isTerminated() terminated}.
 *
 * <p>Threading: the kernel ties each tag to the thread that fetched it, so {@link #start()},
 * {@link #poll(long)}, {@link #doWork()} and {@link #close()} must all run on one platform thread,
 * the queue's owner. The application brings that thread (a duty-cycle loop) or uses
 * {@link QueueRunner}. Only {@link UblkIo#complete(int)} may be called from other threads.
 */
public final class UblkQueue implements AutoCloseable {
    /** Bits of a target's user_data that it may use, see {@link #targetUserData(int, long)}. */
    public static final int TARGET_DATA_BITS = 40;

    private static final int KIND_SHIFT = 16;
    private static final int DATA_SHIFT = 24;
    private static final long KIND_IO_CMD = 1;
    private static final long KIND_WAKE = 2;
    private static final long KIND_TARGET = 3;
    private static final long KIND_BUF_REG = 4;   // (un)registering a request's pages; CQE on failure only

    private static final byte S_IDLE = 0;       // not yet fetched
    private static final byte S_FETCHED = 1;    // FETCH or COMMIT_AND_FETCH is with the kernel
    private static final byte S_GET_DATA = 2;   // NEED_GET_DATA is with the kernel
    private static final byte S_TARGET = 3;     // the target holds the request
    private static final byte S_ABORTED = 4;    // the kernel ended the slot (device stopping)

    private static final int CHAR_DEV_FILE_INDEX = 0;
    private static final int ENODEV = 19;

    private static final int PROT_READ = MemoryCalls.PROT_READ;
    private static final int PROT_WRITE = MemoryCalls.PROT_WRITE;
    private static final int MAP_SHARED = MemoryCalls.MAP_SHARED;
    private static final int MAP_PRIVATE = MemoryCalls.MAP_PRIVATE;
    private static final int MAP_ANONYMOUS = MemoryCalls.MAP_ANONYMOUS;
    private static final int MAP_NORESERVE = MemoryCalls.MAP_NORESERVE;
    private static final int MAP_POPULATE = MemoryCalls.MAP_POPULATE;

    private static final VarHandle SLEEPING;
    private static final VarHandle DONE_WORD = MethodHandles.arrayElementVarHandle(long[].class);
    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(UblkQueue.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final UblkDevice device;
    private final int devId;
    private final int qid;
    private final int depth;
    private final int maxIoBytes;
    private final DataMode mode;
    private final BlockTarget target;
    private final IoBufferProvider provider;
    private final int charFd;
    private final boolean needGetData;
    private final boolean registerBuffers;   // ZERO_COPY: the queue registers each request's pages
    private final boolean autoRegister;      // AUTO_ZERO_COPY: the kernel does

    private final UblkIo[] ios;
    private final byte[] state;
    private final int[] remoteResult;
    private final long[] remoteDone;
    private final int[] releaseAfterSubmit;
    private final boolean[] registered;
    private int releaseCount;
    private boolean dataRequested;   // a NEED_GET_DATA was queued this round
    private volatile int remotePending;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile boolean sleeping;

    private final IoDescFlyweight desc = new IoDescFlyweight();
    private final IoCmdFlyweight ioCmd = new IoCmdFlyweight();
    private final CompletionHandler onCompletion = this::onCompletion;

    private Thread owner;
    private IoUring ring;
    private MemorySegment descriptors;
    private MemorySegment tagBuffers;
    private EventFd wakeFd;
    private MemorySegment scratchPage;
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
    private volatile boolean detachRequested;

    UblkQueue(UblkDevice device, int qid, int charFd, BlockTarget target, IoBufferProvider provider) {
        this.device = device;
        this.devId = device.id();
        this.qid = qid;
        this.depth = device.queueDepth();
        this.maxIoBytes = device.maxIoBytes();
        this.mode = device.dataMode();
        this.needGetData = mode == DataMode.COPY_APPLICATION_BUFFERS;
        this.registerBuffers = mode == DataMode.ZERO_COPY;
        this.autoRegister = mode == DataMode.AUTO_ZERO_COPY;
        this.target = target;
        this.provider = provider;
        this.charFd = charFd;
        this.ios = new UblkIo[depth];
        for (int tag = 0; tag < depth; tag++) {
            ios[tag] = new UblkIo(this, tag);
        }
        this.state = new byte[depth];
        this.remoteResult = new int[depth];
        this.remoteDone = new long[(depth + 63) >>> 6];
        this.releaseAfterSubmit = new int[depth];
        this.registered = new boolean[registerBuffers ? depth : 0];
    }

    /** @return this queue's id within its device */
    public int queueId() {
        return qid;
    }

    /** @return the number of tags (requests in flight at most) */
    public int depth() {
        return depth;
    }

    /** @return the device this queue serves */
    public UblkDevice device() {
        return device;
    }

    /** @return the queue's io_uring, on which a target may submit its own operations (owner thread only) */
    public IoUring ring() {
        return ring;
    }

    /** @return the fd of {@code /dev/ublkcN}, also registered in the ring as fixed file 0 */
    public int charDeviceFd() {
        return charFd;
    }

    /** @return whether {@link #start()} has run */
    public boolean isStarted() {
        return started;
    }

    /**
     * @return whether the kernel is ending the queue (the device stops or is quiesced) and no request
     *     is left with the target; the owner should then close the queue
     */
    public boolean isTerminated() {
        return terminated;
    }

    /**
     * Asks the queue's owner to stop serving and close the queue without the device stopping, for
     * {@link UblkDevice#detach()}; {@link QueueRunner} honours it within its poll interval, an
     * application's own loop should check {@link #isDetachRequested()}.
     */
    void requestDetach() {
        detachRequested = true;
    }

    /** @return whether the device is being let go: the owner should stop serving and {@link #close()} the queue */
    public boolean isDetachRequested() {
        return detachRequested;
    }

    /** @return requests whose target call threw or which completed twice; each failed with EIO */
    public long targetFailures() {
        return targetFailures;
    }

    /**
     * Builds the user_data for an operation a target submits on this queue's ring; its completion
     * comes back through {@link BlockTarget#onRingCompletion}.
     *
     * @param tag the request the operation serves
     * @param data up to {@value #TARGET_DATA_BITS} bits the target gets back
     * @return the user_data to put in the SQE
     */
    public static long targetUserData(int tag, long data) {
        return (data << DATA_SHIFT) | (KIND_TARGET << KIND_SHIFT) | tag;
    }

    /**
     * Sets the queue up on the calling thread, which becomes its owner: creates the ring, maps the
     * descriptors, and fetches every tag. After this the device can start.
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
            ring = newRing(depth);
            step = "IORING_REGISTER_FILES";
            ring.registerFiles(charFd);
            if (mode.isZeroCopy()) {
                // Slot i of the table holds the pages of the request on tag i while it is served.
                step = "IORING_REGISTER_BUFFERS2 (sparse)";
                ring.registerBuffersSparse(depth);
            }
            step = "mmap of the io descriptors";
            descriptors = MemoryCalls.mmap(UblkCmd.ioDescMmapLength(depth), PROT_READ, MAP_SHARED | MAP_POPULATE,
                    charFd, UblkCmd.ioDescMmapOffset(qid));
            if (mode == DataMode.COPY) {
                step = "mmap of the request buffers";
                // Virtual memory only: a tag's pages are touched by the first request that big.
                tagBuffers = MemoryCalls.mmap((long) depth * maxIoBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
                for (int tag = 0; tag < depth; tag++) {
                    ios[tag].buffer = tagBuffers.asSlice((long) tag * maxIoBytes, maxIoBytes);
                }
            }
            if (needGetData) {
                step = "mmap of the scratch page";
                scratchPage = MemoryCalls.mmap(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            }
            step = "eventfd";
            wakeFd = EventFd.create();
            step = "target start";
            target.onQueueStart(this);
            targetStarted = true;
            step = "UBLK_U_IO_FETCH_REQ";
            armWake();
            for (int tag = 0; tag < depth; tag++) {
                queueIoCommand(UblkCmd.UBLK_U_IO_FETCH_REQ, tag, 0, fetchAddress(tag));
                state[tag] = S_FETCHED;
            }
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
        device.onQueueStarted(this);
    }

    /**
     * Does the work that is ready without blocking: commits completions from other threads, reaps the
     * ring and dispatches new requests to the target, and submits the resulting commits.
     *
     * @return the amount of work done; zero when there was none
     * @throws UblkException when the ring itself fails (not when a request fails)
     */
    public int doWork() throws UblkException {
        checkOwner();
        try {
            int work = drainRemote();
            // Enters only when there is something to submit or deferred task work to run.
            ring.submit();
            releaseSubmittedBuffers();
            work += ring.pollCompletions(onCompletion);
            work += drainRemote();
            work += finishDataRequests();
            if (ring.pendingSubmissions() > 0) {
                ring.submit();
                releaseSubmittedBuffers();
            }
            afterRound();
            return work;
        } catch (ErrnoException e) {
            throw new UblkException("io_uring_enter on queue " + qid, devId, e);
        }
    }

    /**
     * Serves requests, waiting up to {@code timeoutNanos} when nothing is ready. Each call costs one
     * {@code io_uring_enter}, which both submits the previous round's commits and waits for new
     * requests; for a thread that owns just this queue.
     *
     * @param timeoutNanos the longest wait, in nanoseconds; zero does not wait
     * @return the amount of work done; zero on a timeout
     * @throws UblkException when the ring itself fails
     */
    public int poll(long timeoutNanos) throws UblkException {
        checkOwner();
        try {
            int work = drainRemote();
            if (work == 0 && ring.completionsReady() == 0 && !terminated && timeoutNanos > 0) {
                if (releaseCount > 0) {
                    // Hand the application its buffers now, not after a sleep that may last the whole timeout.
                    ring.submit();
                    releaseSubmittedBuffers();
                }
                SLEEPING.setVolatile(this, true);
                if (remotePending == 0) {
                    ring.submitAndWait(1, timeoutNanos);
                } else {
                    ring.submitAndWait(0);
                }
                SLEEPING.setVolatile(this, false);
                releaseSubmittedBuffers();
            } else {
                ring.submit();
                releaseSubmittedBuffers();
            }
            work += ring.pollCompletions(onCompletion);
            work += drainRemote();
            work += finishDataRequests();
            afterRound();
            return work;
        } catch (ErrnoException e) {
            throw new UblkException("io_uring_enter on queue " + qid, devId, e);
        }
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
        ring.submit();
        releaseSubmittedBuffers();
        return ring.pollCompletions(onCompletion);
    }

    /**
     * Releases the ring, the mappings and the buffers; call on the owner thread once the queue is
     * terminated. Closing a running queue cancels its fetches, which the kernel treats as the server
     * going away. Idempotent.
     */
    @Override
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
            try {
                target.onQueueStop(this);
            } catch (RuntimeException e) {
                device.report(this, "target onQueueStop failed", e);
            }
        }
        releaseResources();
        device.onQueueClosed(this);
    }

    /** @return whether {@link #close()} has run */
    public boolean isClosed() {
        return closed;
    }

    // ---- waiting together with other queues (QueueGroup) ---------------------------------------

    /**
     * Has the kernel signal {@code eventFd} whenever this queue's ring gets work: a request's task
     * work or a completion, including the wake-up of a completion from another thread. Owner only.
     */
    void signalOnWork(EventFd eventFd) throws UblkException {
        checkOwner();
        try {
            ring.registerEventFd(eventFd.fd());
        } catch (ErrnoException e) {
            throw new UblkException("IORING_REGISTER_EVENTFD for queue " + qid, devId, e);
        }
    }

    /** Marks whether the owner is about to sleep elsewhere, so that a completion from another thread wakes it. */
    void sleeping(boolean asleep) {
        SLEEPING.setVolatile(this, asleep);
    }

    // ---- completions from the kernel ----------------------------------------------------------

    private void onCompletion(long userData, int res, int flags) {
        int tag = (int) (userData & 0xffff);
        long kind = (userData >>> KIND_SHIFT) & 0xff;
        if (kind == KIND_IO_CMD) {
            onIoCommand(tag, res);
        } else if (kind == KIND_TARGET) {
            UblkIo io = ios[tag];
            try {
                target.onRingCompletion(io, userData >>> DATA_SHIFT, res, flags);
            } catch (RuntimeException | Error e) {
                targetFailed(io, e);
            }
        } else if (kind == KIND_WAKE) {
            wakeArmed = false;
            wakeFd.drain();
        } else if (kind == KIND_BUF_REG && res < 0) {
            // The target's fixed-buffer operation on this tag fails too and reports it; keep a count.
            bufferRegistrationFailures++;
            lastRegistrationFailure = res;
        }
    }

    private void onIoCommand(int tag, int res) {
        if (res == UblkCmd.UBLK_IO_RES_OK) {
            if (state[tag] != S_GET_DATA) {
                loadDescriptor(tag);
                if (needGetData && ios[tag].op() == UblkIoOp.UBLK_IO_OP_READ && !acquireBuffer(tag)) {
                    return;
                }
                if (registerBuffers && ios[tag].bufferIndex() >= 0) {
                    // Issued before the target's own operations in the same submission, so the
                    // pages are in the table when its READ_FIXED/WRITE_FIXED runs.
                    queueBufferCommand(UblkCmd.UBLK_U_IO_REGISTER_IO_BUF, tag);
                    registered[tag] = true;
                }
            }
            dispatch(tag);
        } else if (res == UblkCmd.UBLK_IO_RES_NEED_GET_DATA) {
            loadDescriptor(tag);
            if (!acquireBuffer(tag)) {
                return;
            }
            queueIoCommand(UblkCmd.UBLK_U_IO_NEED_GET_DATA, tag, 0, dataAddress(ios[tag]));
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
                device.onQueueAborted(this);
            }
            ios[tag].inPlaceAddress = 0;
            if (ios[tag].buffer != null && needGetData) {
                provider.release(ios[tag], ios[tag].buffer);
                ios[tag].buffer = null;
            }
        }
    }

    private void loadDescriptor(int tag) {
        desc.wrap(descriptors, (long) tag * IoDescFlyweight.SIZE);
        ios[tag].load(desc.opFlags(), desc.startSector(), desc.nrSectors(), mode.isZeroCopy());
    }

    private boolean acquireBuffer(int tag) {
        UblkIo io = ios[tag];
        MemorySegment buffer;
        try {
            long place = provider.inPlace(io);
            if (place != 0) {
                io.inPlaceAddress = place;
                return true;
            }
            buffer = provider.acquire(io);
        } catch (RuntimeException | Error e) {
            buffer = null;
            device.report(this, "buffer provider failed for " + io, e);
        }
        if (buffer == null || buffer.byteSize() < io.length() || !buffer.isNative()) {
            // No buffer, no data: fail the request. A NEED_GET_DATA request can only be
            // answered after the data step, so give it a scratch-free failure through commit.
            targetFailures++;
            io.buffer = null;
            state[tag] = S_TARGET;
            commit(tag, BlockTarget.EIO);
            return false;
        }
        io.buffer = buffer;
        return true;
    }

    private void dispatch(int tag) {
        UblkIo io = ios[tag];
        state[tag] = S_TARGET;
        int result;
        try {
            result = switch (io.op()) {
                case UblkIoOp.UBLK_IO_OP_READ -> target.read(io);
                case UblkIoOp.UBLK_IO_OP_WRITE -> target.write(io);
                case UblkIoOp.UBLK_IO_OP_FLUSH -> target.flush(io);
                case UblkIoOp.UBLK_IO_OP_DISCARD -> target.discard(io);
                case UblkIoOp.UBLK_IO_OP_WRITE_ZEROES -> target.writeZeroes(io);
                default -> BlockTarget.EOPNOTSUPP;
            };
        } catch (RuntimeException | Error e) {
            targetFailed(io, e);
            return;
        }
        if (result != BlockTarget.ASYNC && state[tag] == S_TARGET) {
            commit(tag, result);
        }
    }

    private void targetFailed(UblkIo io, Throwable e) {
        targetFailures++;
        device.report(this, "target failed on " + io + "; the request fails with EIO", e);
        if (state[io.tag()] == S_TARGET) {
            commit(io.tag(), BlockTarget.EIO);
        }
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
        remoteResult[tag] = result;
        // The volatile bit set publishes the result (and the target's buffer writes) to the owner.
        DONE_WORD.getAndBitwiseOr(remoteDone, tag >>> 6, 1L << tag);
        remotePending = 1;
        if ((boolean) SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false)) {
            wakeFd.signal();
        }
    }

    private int drainRemote() {
        if (remotePending == 0) {
            return 0;
        }
        remotePending = 0;
        int done = 0;
        for (int word = 0; word < remoteDone.length; word++) {
            long bits = (long) DONE_WORD.getAndSet(remoteDone, word, 0L);
            while (bits != 0) {
                int tag = (word << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (state[tag] == S_TARGET) {
                    commit(tag, remoteResult[tag]);
                    done++;
                } else {
                    targetFailures++;
                }
            }
        }
        return done;
    }

    private void commit(int tag, int result) {
        UblkIo io = ios[tag];
        long address;
        if (mode == DataMode.COPY) {
            address = io.buffer.address();
        } else if (needGetData && io.inPlaceAddress != 0) {
            // A read's data goes from its place to the request as the commit is submitted.
            address = io.inPlaceAddress;
            io.inPlaceAddress = 0;
        } else if (needGetData && io.buffer != null) {
            address = io.buffer.address();
            releaseAfterSubmit[releaseCount++] = tag;
        } else if (needGetData) {
            // The kernel wants an address with every READ commit, even a failed one; nothing is copied.
            address = scratchPage.address();
        } else {
            address = 0;
        }
        if (registerBuffers && registered[tag]) {
            // The kernel completes the request once the pages are unregistered and the commit is in.
            queueBufferCommand(UblkCmd.UBLK_U_IO_UNREGISTER_IO_BUF, tag);
            registered[tag] = false;
        }
        queueIoCommand(UblkCmd.UBLK_U_IO_COMMIT_AND_FETCH_REQ, tag, result, address);
        state[tag] = S_FETCHED;
    }

    private void releaseSubmittedBuffers() {
        // The kernel copies a read's data during the COMMIT's submission, so the buffer is free now.
        for (int i = 0; i < releaseCount; i++) {
            UblkIo io = ios[releaseAfterSubmit[i]];
            MemorySegment buffer = io.buffer;
            io.buffer = null;
            if (buffer != null) {
                provider.release(io, buffer);
            }
        }
        releaseCount = 0;
    }

    // ---- submission helpers ---------------------------------------------------------------------

    private static long dataAddress(UblkIo io) {
        return io.inPlaceAddress != 0 ? io.inPlaceAddress : io.buffer.address();
    }

    private void queueIoCommand(int cmdOp, int tag, int result, long address) {
        SubmissionEntry sqe = nextSqe();
        sqe.uringCmd(CHAR_DEV_FILE_INDEX, cmdOp).fixedFile().userData((KIND_IO_CMD << KIND_SHIFT) | tag);
        if (autoRegister) {
            // Where the kernel registers the next request's pages on this tag: slot = tag.
            sqe.addr(AutoBufRegFlyweight.autoBufReg(tag, 0));
        }
        ioCmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                .qId(qid).tag(tag).result(result).addr(address);
    }

    private SubmissionEntry nextSqe() {
        try {
            return ring.nextSqe();
        } catch (ErrnoException e) {
            throw new IllegalStateException("io_uring_enter failed while the submission queue was full on queue " + qid
                    + " of device " + devId + ": " + e.getMessage(), e);
        }
    }

    private void queueBufferCommand(int cmdOp, int tag) {
        SubmissionEntry sqe = nextSqe();
        sqe.uringCmd(CHAR_DEV_FILE_INDEX, cmdOp).fixedFile().skipSuccess().userData((KIND_BUF_REG << KIND_SHIFT) | tag);
        ioCmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                .qId(qid).tag(tag).result(0).addr(tag);
    }

    private long fetchAddress(int tag) {
        return mode == DataMode.COPY ? ios[tag].buffer.address() : 0;
    }

    private void armWake() {
        if (wakeArmed || terminated) {
            return;
        }
        try {
            ring.nextSqe().pollAdd(wakeFd.fd(), EventCalls.POLLIN).userData(KIND_WAKE << KIND_SHIFT);
        } catch (ErrnoException e) {
            throw new IllegalStateException("cannot arm the wake-up of queue " + qid + ": " + e.getMessage(), e);
        }
        wakeArmed = true;
    }

    private void afterRound() {
        if (!terminated && (abortedTags > 0 || device.isGoingAway()) && (abortedTags == depth || !servingAny())) {
            terminated = true;
            // Commits queued this round still reach the kernel, so it does not have to requeue them.
            if (ring.pendingSubmissions() > 0) {
                try {
                    ring.submit();
                } catch (ErrnoException e) {
                    device.report(this, "submitting the last commits failed", e);
                }
            }
            if (refusedCommands > 0) {
                device.report(this, refusedCommands + " io commands were refused by the kernel, last with "
                        + Errno.of(-lastRefusal), null);
            }
            if (bufferRegistrationFailures > 0) {
                device.report(this, bufferRegistrationFailures + " request buffer (un)registrations failed, last with "
                        + Errno.of(-lastRegistrationFailure), null);
            }
            device.onQueueTerminated(this);
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

    int userCopy(boolean toRequest, long address, int len, long position) {
        long done = 0;
        try {
            while (done < len) {
                long n = toRequest
                        ? FileCalls.pwrite(charFd, address + done, len - done, position + done)
                        : FileCalls.pread(charFd, address + done, len - done, position + done);
                if (n <= 0) {
                    return BlockTarget.EIO;
                }
                done += n;
            }
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return len;
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(owner == null
                    ? "queue " + qid + " of device " + devId + " is not started; call start() on its thread first"
                    : "queue " + qid + " of device " + devId + " belongs to thread " + owner.getName());
        }
    }

    /**
     * Rings sized for an idle queue to be cheap: the SQ holds one commit per tag, and a fuller
     * round (a target's own operations) is flushed by {@link IoUring#nextSqe()}, never dropped;
     * the CQ holds every CQE that can be outstanding at once: a fetch per tag, a target operation
     * per tag and the wake-up, so it does not overflow. Ring pages are resident from setup: at
     * depth 128 this is 20 KiB per queue where twice the SQ and CQ took 52 KiB.
     */
    private static IoUring newRing(int depth) throws ErrnoException {
        int entries = Integer.highestOneBit(Math.max(depth, 2) - 1) << 1;
        int cqEntries = Integer.highestOneBit(Math.min(2 * depth + 8, 65536) - 1) << 1;
        try {
            return IoUring.builder(entries).cqSize(cqEntries).singleIssuer().deferTaskrun().taskrunFlag().build();
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            // Kernels before 6.1 lack DEFER_TASKRUN.
            return IoUring.builder(entries).cqSize(cqEntries).coopTaskrun().taskrunFlag().build();
        }
    }

    private void releaseResources() {
        if (targetStarted && !started) {
            // start() failed after the target set itself up: let it undo that.
            targetStarted = false;
            try {
                target.onQueueStop(this);
            } catch (RuntimeException e) {
                device.report(this, "target onQueueStop failed", e);
            }
        }
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (wakeFd != null) {
            wakeFd.close();
            wakeFd = null;
        }
        if (descriptors != null) {
            unmap(descriptors);
            descriptors = null;
        }
        if (tagBuffers != null) {
            for (UblkIo io : ios) {
                io.buffer = null;
            }
            unmap(tagBuffers);
            tagBuffers = null;
        }
        if (scratchPage != null) {
            unmap(scratchPage);
            scratchPage = null;
        }
        if (needGetData) {
            for (UblkIo io : ios) {
                io.inPlaceAddress = 0;
                if (io.buffer != null) {
                    provider.release(io, io.buffer);
                    io.buffer = null;
                }
            }
        }
    }

    private static void unmap(MemorySegment mapping) {
        try {
            MemoryCalls.munmap(mapping);
        } catch (ErrnoException ignored) {
            // Nothing to do: the mapping is gone either way once the process exits.
        }
    }

    @Override
    public String toString() {
        return "ublk-d" + devId + "-q" + qid;
    }
}
