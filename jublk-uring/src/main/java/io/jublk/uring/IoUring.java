// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.IoUringCalls;
import io.jublk.uring.sys.Libc;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.jublk.uring.IoUringConstants.*;

/**
 * An io_uring instance: the ring fd, its mmapped SQ ring, CQ ring and SQE array, and the cached indexes
 * that drive them.
 *
 * <p><b>Threading.</b> After {@link IoUringBuilder#build()} a ring is confined to one owning thread: only
 * that thread may call {@link #nextSqe()}, the submit, poll and register methods, and no checks enforce it.
 * The exception is {@link #close()}, which any thread may call; it is memory-safe even while the owner is
 * using the ring (the mappings live in a shared {@link Arena}, so a later access throws
 * {@link IllegalStateException} instead of faulting), but the owner should have stopped first so that a
 * call in flight does not use the fd number after it was closed. With {@code IORING_SETUP_SINGLE_ISSUER}
 * the kernel itself binds the ring to the thread that created it and fails submissions from any other
 * thread with {@code EEXIST}: build such a ring on its owning thread.
 *
 * <p><b>Memory ordering.</b> SQE fields are written plainly; {@link #submit()} publishes them with one
 * release store of the SQ tail. The kernel's SQ head is read with acquire semantics before a slot is
 * reused. {@link #pollCompletions(CompletionHandler)} reads the CQ tail once with acquire semantics, reads
 * the CQEs plainly and publishes the new CQ head with one release store after the batch.
 *
 * <p><b>CQ overflow.</b> When the CQ ring is full, a kernel with {@code IORING_FEAT_NODROP} (5.5+) keeps
 * further CQEs on an internal overflow list and sets {@code IORING_SQ_CQ_OVERFLOW} in the SQ flags; they
 * move into the ring only when someone enters with {@code IORING_ENTER_GETEVENTS}.
 * {@link #submitAndWait(int)} does that by construction, and {@link #pollCompletions(CompletionHandler)}
 * checks the flag after draining the ring and enters to flush when it is set (also for
 * {@code IORING_SQ_TASKRUN}), so no completion is lost. {@link #cqOverflowCount()} counts only the CQEs
 * the kernel could not keep at all.
 *
 * <p><b>Allocation.</b> {@code nextSqe}, {@code submit}, both {@code submitAndWait} forms and
 * {@code pollCompletions} allocate nothing in steady state: the SQE flyweight, the errno capture area and
 * the {@code io_uring_getevents_arg} with its {@code __kernel_timespec} are allocated once per ring.
 */
public final class IoUring implements AutoCloseable {

    private static final int NSIG_BYTES = 8; // _NSIG / 8 on x86_64 and arm64

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final int cqEntries;
    private final int sqeSize;
    private final boolean sqPoll;

    private final RingMappings mappings;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;

    private final MemorySegment capture;
    private final MemorySegment getEventsArg;
    private final MemorySegment timespec;

    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Maps a ring that {@code io_uring_setup} has just created.
     *
     * @param fd the ring fd; the caller closes it if this throws
     * @param params the {@code io_uring_params} filled in by the setup
     * @throws ErrnoException if a mapping fails
     */
    IoUring(int fd, MemorySegment params) throws ErrnoException {
        this.fd = fd;
        this.cqEntries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_ENTRIES_OFFSET);
        this.setupFlags = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FLAGS_OFFSET);
        this.features = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FEATURES_OFFSET);
        this.sqeSize = (setupFlags & IORING_SETUP_SQE128) != 0 ? IO_URING_SQE128_SIZE : IO_URING_SQE_SIZE;
        int cqeSize = (setupFlags & IORING_SETUP_CQE32) != 0 ? IO_URING_CQE32_SIZE : IO_URING_CQE_SIZE;
        int cqeShift = Integer.numberOfTrailingZeros(cqeSize);
        this.sqPoll = (setupFlags & IORING_SETUP_SQPOLL) != 0;

        this.mappings = RingMappings.map(fd, params, sqeSize, cqeShift);
        this.sq = new SubmissionQueue(mappings.sqRing(), mappings.sqes(), params, sqeSize);
        this.cq = new CompletionQueue(mappings.cqRing(), params, cqeShift);

        // Small per-ring scratch lives in an automatic arena: it is never unmapped under a blocked
        // io_uring_enter, and close() never has to wait for a downcall that holds it.
        Arena scratch = Arena.ofAuto();
        this.capture = Libc.allocateCapture();
        this.timespec = scratch.allocate(KERNEL_TIMESPEC_SIZE, 8);
        this.getEventsArg = scratch.allocate(IO_URING_GETEVENTS_ARG_SIZE, 8);
        getEventsArg.set(ValueLayout.JAVA_LONG, 0, 0L);                 // sigmask: none
        getEventsArg.set(ValueLayout.JAVA_INT, 8, NSIG_BYTES);          // sigmask_sz
        getEventsArg.set(ValueLayout.JAVA_LONG, 16, timespec.address()); // ts
    }

    /**
     * Starts building a ring.
     *
     * @param entries SQ size, a power of two from 1 to 32768
     * @return a new builder
     * @throws IllegalArgumentException if {@code entries} is out of range or not a power of two
     */
    public static IoUringBuilder builder(int entries) {
        return new IoUringBuilder(entries);
    }

    // ---------------------------------------------------------------- availability

    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            try (IoUring ring = IoUring.builder(1).build()) {
                return null;
            } catch (Throwable t) {
                return t;
            }
        }
    }

    /**
     * Whether io_uring can be used here (a one-entry ring was created once and the result cached).
     *
     * @return true if {@code io_uring_setup} works
     */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * Why io_uring is unavailable.
     *
     * @return the failure of the cached probe, or null if {@link #isAvailable()}
     */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    // ---------------------------------------------------------------- properties

    /**
     * The ring fd.
     *
     * @return the file descriptor returned by {@code io_uring_setup}
     */
    public int fd() {
        return fd;
    }

    /**
     * The setup flags the kernel accepted.
     *
     * @return {@code io_uring_params.flags} after setup
     */
    public int setupFlags() {
        return setupFlags;
    }

    /**
     * The kernel's feature bits.
     *
     * @return {@code io_uring_params.features} ({@code IORING_FEAT_*})
     */
    public int features() {
        return features;
    }

    /**
     * SQ size.
     *
     * @return number of SQ entries
     */
    public int sqEntries() {
        return sq.entries();
    }

    /**
     * CQ size.
     *
     * @return number of CQ entries (twice the SQ size unless {@link IoUringBuilder#cqSize(int)} was used)
     */
    public int cqEntries() {
        return cqEntries;
    }

    /**
     * SQE size.
     *
     * @return 64, or 128 with {@code IORING_SETUP_SQE128}
     */
    public int sqeSize() {
        return sqeSize;
    }

    // ---------------------------------------------------------------- submission

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("io_uring fd=" + fd + " is closed");
        }
    }

    /**
     * Returns the next free SQE, zeroed, as the ring's one reusable flyweight. If the SQ is full, first
     * submits what is queued so that nothing is lost.
     *
     * @return the flyweight positioned over the new SQE; valid until the next call
     * @throws ErrnoException if the SQ is full and submitting fails, or the kernel consumed nothing
     *                        ({@code EBUSY})
     * @throws IllegalStateException if the ring is closed
     */
    public SubmissionEntry nextSqe() throws ErrnoException {
        ensureOpen();
        SubmissionEntry next = sq.next();
        if (next == null) {
            submit(); // make room rather than lose what is queued
            next = sq.next();
            if (next == null) {
                throw new ErrnoException("io_uring_enter", "(SQ full)", Errno.EBUSY.value());
            }
        }
        return next;
    }

    /**
     * SQEs obtained from {@link #nextSqe()} that the kernel has not consumed yet.
     *
     * @return the number of queued, unconsumed SQEs
     */
    public int pendingSubmissions() {
        return sq.pending();
    }

    /**
     * Free SQ slots.
     *
     * @return how many SQEs {@link #nextSqe()} can hand out before it must submit
     */
    public int sqSpaceLeft() {
        return sq.entries() - pendingSubmissions();
    }

    /**
     * Publishes queued SQEs and submits them with {@code io_uring_enter}.
     *
     * @return the number of SQEs the kernel consumed (0 if none were queued, or if interrupted)
     * @throws ErrnoException if the kernel refuses, e.g. {@code EBUSY} or {@code EAGAIN}
     * @throws IllegalStateException if the ring is closed
     */
    public int submit() throws ErrnoException {
        return enter(0, 0, false);
    }

    /**
     * Submits queued SQEs and waits until at least {@code minComplete} CQEs are available.
     *
     * @param minComplete completions to wait for; 0 only submits (and flushes overflowed CQEs)
     * @return the number of SQEs consumed; 0 if the wait was interrupted ({@code EINTR})
     * @throws ErrnoException if the kernel refuses
     * @throws IllegalStateException if the ring is closed
     */
    public int submitAndWait(int minComplete) throws ErrnoException {
        return enter(minComplete, 0, true);
    }

    /**
     * Submits queued SQEs and waits until at least {@code minComplete} CQEs are available or the timeout
     * passes ({@code IORING_ENTER_EXT_ARG}; needs {@code IORING_FEAT_EXT_ARG}, Linux 5.11).
     *
     * @param minComplete completions to wait for
     * @param timeoutNanos relative timeout in nanoseconds, at least 0
     * @return the number of SQEs consumed; 0 when the timeout passed ({@code ETIME}) or the wait was
     *         interrupted ({@code EINTR}) and nothing was submitted; check {@link #completionsReady()}
     * @throws ErrnoException if the kernel refuses
     * @throws IllegalStateException if the ring is closed
     * @throws UnsupportedOperationException if the kernel lacks {@code IORING_FEAT_EXT_ARG}
     */
    public int submitAndWait(int minComplete, long timeoutNanos) throws ErrnoException {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeoutNanos < 0: " + timeoutNanos);
        }
        if ((features & IORING_FEAT_EXT_ARG) == 0) {
            throw new UnsupportedOperationException("kernel lacks IORING_FEAT_EXT_ARG");
        }
        timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
        return enter(minComplete, IORING_ENTER_EXT_ARG, true);
    }

    private int enter(int minComplete, int extraFlags, boolean wait) throws ErrnoException {
        ensureOpen();
        int toSubmit = sq.publish();
        int flags = extraFlags;
        if (wait) {
            flags |= IORING_ENTER_GETEVENTS;
        }
        if (sqPoll) {
            // full fence: our tail store must be ordered before the NEED_WAKEUP read (store-load)
            VarHandle.fullFence();
            if ((sq.flags() & IORING_SQ_NEED_WAKEUP) != 0) {
                flags |= IORING_ENTER_SQ_WAKEUP;
            } else if (!wait) {
                return toSubmit; // the SQ thread picks them up
            }
        } else if (toSubmit == 0 && !wait) {
            if ((sq.flags() & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) == 0) {
                return 0; // nothing to do: skip the syscall
            }
            flags |= IORING_ENTER_GETEVENTS; // flush overflowed CQEs / run task work
        }
        MemorySegment arg = (extraFlags & IORING_ENTER_EXT_ARG) != 0 ? getEventsArg : MemorySegment.NULL;
        long argSize = arg == MemorySegment.NULL ? 0L : IO_URING_GETEVENTS_ARG_SIZE;
        int ret = IoUringCalls.enterRaw(capture, fd, toSubmit, wait ? minComplete : 0, flags, arg, argSize);
        if (ret >= 0) {
            return ret;
        }
        if (ret == -Errno.EINTR.value() || ret == -Errno.ETIME.value()) {
            return 0;
        }
        throw new ErrnoException("io_uring_enter", "fd=" + fd, -ret);
    }

    // ---------------------------------------------------------------- completion

    /**
     * Drains every available CQE into {@code handler}, flushing overflowed CQEs as needed.
     *
     * @param handler called once per CQE on this thread; it may queue new SQEs but must not poll
     * @return the number of CQEs handled
     * @throws IllegalStateException if the ring is closed
     * @throws UncheckedIOException if entering the kernel to flush overflowed CQEs fails
     */
    public int pollCompletions(CompletionHandler handler) {
        return pollCompletions(handler, Integer.MAX_VALUE);
    }

    /**
     * Drains up to {@code limit} available CQEs into {@code handler}. Reads the CQ tail once (acquire),
     * the CQEs plainly and stores the CQ head once (release) per batch; if the ring is then empty but the
     * kernel holds overflowed CQEs or pending task work, enters with GETEVENTS and drains again.
     *
     * @param handler called once per CQE on this thread; it may queue new SQEs but must not poll. If it
     *                throws, the CQEs up to and including the one it failed on count as consumed
     * @param limit maximum CQEs to handle; 0 or less handles none
     * @return the number of CQEs handled
     * @throws IllegalStateException if the ring is closed
     * @throws UncheckedIOException if entering the kernel to flush overflowed CQEs fails
     */
    public int pollCompletions(CompletionHandler handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        ensureOpen();
        int done = 0;
        while (done < limit) {
            done += cq.drain(handler, limit - done);
            if (done >= limit || (sq.flags() & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) == 0) {
                break;
            }
            flushCompletions();
            if (completionsReady() == 0) {
                break;
            }
        }
        return done;
    }

    private void flushCompletions() {
        int ret = IoUringCalls.enterRaw(capture, fd, 0, 0, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0L);
        if (ret < 0 && ret != -Errno.EINTR.value() && ret != -Errno.EAGAIN.value()
                && ret != -Errno.EBUSY.value()) {
            throw new UncheckedIOException(new ErrnoException("io_uring_enter", "fd=" + fd + " (flush CQ)", -ret));
        }
    }

    /**
     * CQEs in the ring that {@link #pollCompletions(CompletionHandler)} would handle now (not counting any
     * still on the kernel's overflow list).
     *
     * @return the number of ready CQEs
     */
    public int completionsReady() {
        ensureOpen();
        return cq.ready();
    }

    /**
     * The kernel's CQ overflow counter: CQEs that were lost because the CQ ring was full and (without
     * {@code IORING_FEAT_NODROP}, or when the kernel could not allocate) they could not be kept on the
     * overflow list. CQEs kept on the overflow list are not counted and are recovered by
     * {@link #pollCompletions(CompletionHandler)} and {@link #submitAndWait(int)}.
     *
     * @return the unsigned 32-bit counter
     */
    public long cqOverflowCount() {
        ensureOpen();
        return cq.overflowCount();
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers a file table ({@code IORING_REGISTER_FILES}); SQEs then name slot {@code i} with
     * {@code fd(i)} plus {@link SubmissionEntry#fixedFile()}.
     *
     * @param fds the descriptors; -1 leaves a slot empty
     * @throws ErrnoException on failure, e.g. {@code EBUSY} if a table is already registered
     */
    public void registerFiles(int... fds) throws ErrnoException {
        ensureOpen();
        RingRegistration.files(fd, fds);
    }

    /**
     * Unregisters the file table.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterFiles() throws ErrnoException {
        ensureOpen();
        RingRegistration.withoutArgument(fd, IORING_UNREGISTER_FILES);
    }

    /**
     * Registers fixed buffers ({@code IORING_REGISTER_BUFFERS}); the kernel pins their pages. Slot
     * {@code i} is {@code buffers[i]}, used by READ_FIXED / WRITE_FIXED with {@code bufIndex(i)}.
     *
     * @param buffers native segments (they must stay alive while registered)
     * @throws ErrnoException on failure, e.g. {@code ENOMEM} over the memlock limit
     * @throws IllegalArgumentException if a segment is not native
     */
    public void registerBuffers(MemorySegment... buffers) throws ErrnoException {
        ensureOpen();
        RingRegistration.buffers(fd, buffers);
    }

    /**
     * Registers an empty buffer table of {@code count} slots ({@code IORING_REGISTER_BUFFERS2} with
     * {@code IORING_RSRC_REGISTER_SPARSE}), to be filled by updates or by the kernel (ublk zero copy).
     *
     * @param count number of slots
     * @throws ErrnoException on failure
     */
    public void registerBuffersSparse(int count) throws ErrnoException {
        ensureOpen();
        RingRegistration.sparseBuffers(fd, count);
    }

    /**
     * Unregisters the buffer table.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterBuffers() throws ErrnoException {
        ensureOpen();
        RingRegistration.withoutArgument(fd, IORING_UNREGISTER_BUFFERS);
    }

    /**
     * Registers a provided-buffer ring of {@code entries} buffers of {@code bufferSize} bytes as
     * buffer group {@code groupId} ({@code IORING_REGISTER_PBUF_RING}), every buffer in it. Close
     * the returned ring after this one.
     *
     * @param groupId the buffer group id, 0..65535
     * @param entries number of buffers, a power of two
     * @param bufferSize bytes per buffer
     * @return the buffer ring
     * @throws ErrnoException on failure, e.g. {@code EEXIST} if the group is taken
     */
    public ProvidedBufferRing registerBufferRing(int groupId, int entries, int bufferSize) throws ErrnoException {
        ensureOpen();
        return ProvidedBufferRing.register(fd, groupId, entries, bufferSize);
    }

    /**
     * Unregisters a provided-buffer ring ({@code IORING_UNREGISTER_PBUF_RING}).
     *
     * @param groupId its buffer group id
     * @throws ErrnoException on failure, e.g. {@code ENOENT} if no such group is registered
     */
    public void unregisterBufferRing(int groupId) throws ErrnoException {
        ensureOpen();
        RingRegistration.unregisterBufferRing(fd, groupId);
    }

    /**
     * Registers an eventfd that the kernel signals when it posts CQEs.
     *
     * @param eventFd the eventfd descriptor
     * @throws ErrnoException on failure, e.g. {@code EBUSY} if one is already registered
     */
    public void registerEventFd(int eventFd) throws ErrnoException {
        ensureOpen();
        RingRegistration.eventFd(fd, eventFd);
    }

    /**
     * Unregisters the eventfd.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterEventFd() throws ErrnoException {
        ensureOpen();
        RingRegistration.withoutArgument(fd, IORING_UNREGISTER_EVENTFD);
    }

    /**
     * Enables a ring created with {@code IORING_SETUP_R_DISABLED}; with {@code SINGLE_ISSUER}, this binds
     * the ring to the calling thread.
     *
     * @throws ErrnoException on failure, e.g. {@code EBADFD} if the ring is not disabled
     */
    public void enableRings() throws ErrnoException {
        ensureOpen();
        RingRegistration.withoutArgument(fd, IORING_REGISTER_ENABLE_RINGS);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Unmaps the rings and closes the fd. Idempotent and callable from any thread; afterwards every other
     * method except the property getters throws {@link IllegalStateException}. Requests still in flight
     * are cancelled by the kernel.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            mappings.arena().close(); // munmap of all three mappings; later accesses throw IllegalStateException
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "IoUring[fd=" + fd + ", sq=" + sq.entries() + ", cq=" + cqEntries + ", sqe=" + sqeSize
                + ", flags=0x" + Integer.toHexString(setupFlags) + ", features=0x" + Integer.toHexString(features)
                + (closed.get() ? ", closed]" : "]");
    }
}
