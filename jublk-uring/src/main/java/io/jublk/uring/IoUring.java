package io.jublk.uring;

import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.IoUringCalls;
import io.jublk.uring.sys.Libc;
import io.jublk.uring.sys.MemoryCalls;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static io.jublk.uring.IoUringConstants.*;

/**
 * An io_uring instance: the ring fd, its mmapped SQ ring, CQ ring and SQE array, and the cached indexes
 * that drive them.
 *
 * <p><b>Threading.</b> After {@link Builder#build()} a ring is confined to one owning thread: only that
 * thread may call {@link #nextSqe()}, the submit, poll and register methods, and no checks enforce it.
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

    // Coordinates (MemorySegment, long offset); aligned, so acquire/release access modes are allowed.
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private static final int MAX_ENTRIES = 32768;
    private static final int MAX_CQ_ENTRIES = 2 * MAX_ENTRIES;
    private static final int NSIG_BYTES = 8; // _NSIG / 8 on x86_64 and arm64

    private final int fd;
    private final int setupFlags;
    private final int features;
    private final int sqEntries;
    private final int cqEntries;
    private final int sqeSize;
    private final boolean sqPoll;

    private final Arena arena;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;

    // Offsets of kernel-shared words in sqRing / cqRing.
    private final long kSqHead;
    private final long kSqTail;
    private final long kSqFlags;
    private final int sqMask;
    private final long kCqHead;
    private final long kCqTail;
    private final long kCqOverflow;
    private final long cqesOffset;
    private final int cqMask;
    private final int cqeShift;

    // Cached copies; only the owning thread touches them.
    private int sqTail;
    private int sqTailPublished;
    private int sqHead;
    private int cqHead;

    private final SubmissionEntry sqe;
    private final MemorySegment capture;
    private final MemorySegment getEventsArg;
    private final MemorySegment timespec;

    private volatile boolean closed;

    private IoUring(int fd, MemorySegment params) throws ErrnoException {
        this.fd = fd;
        this.sqEntries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_SQ_ENTRIES_OFFSET);
        this.cqEntries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_ENTRIES_OFFSET);
        this.setupFlags = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FLAGS_OFFSET);
        this.features = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FEATURES_OFFSET);
        this.sqeSize = (setupFlags & IORING_SETUP_SQE128) != 0 ? IO_URING_SQE128_SIZE : IO_URING_SQE_SIZE;
        int cqeSize = (setupFlags & IORING_SETUP_CQE32) != 0 ? IO_URING_CQE32_SIZE : IO_URING_CQE_SIZE;
        this.cqeShift = Integer.numberOfTrailingZeros(cqeSize);
        this.sqPoll = (setupFlags & IORING_SETUP_SQPOLL) != 0;

        long sqOff = IO_URING_PARAMS_SQ_OFF_OFFSET;
        long cqOff = IO_URING_PARAMS_CQ_OFF_OFFSET;
        int sqArrayOff = params.get(ValueLayout.JAVA_INT, sqOff + IO_SQRING_OFFSETS_ARRAY);
        int cqesOff = params.get(ValueLayout.JAVA_INT, cqOff + IO_CQRING_OFFSETS_CQES);
        long sqRingSize = sqArrayOff + (long) sqEntries * Integer.BYTES;
        long cqRingSize = cqesOff + ((long) cqEntries << cqeShift);

        this.arena = Arena.ofShared();
        try {
            int prot = MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE;
            int mapFlags = MemoryCalls.MAP_SHARED | MemoryCalls.MAP_POPULATE;
            if ((features & IORING_FEAT_SINGLE_MMAP) != 0) {
                this.sqRing = map(Math.max(sqRingSize, cqRingSize), prot, mapFlags, IORING_OFF_SQ_RING);
                this.cqRing = sqRing;
            } else {
                this.sqRing = map(sqRingSize, prot, mapFlags, IORING_OFF_SQ_RING);
                this.cqRing = map(cqRingSize, prot, mapFlags, IORING_OFF_CQ_RING);
            }
            this.sqes = map((long) sqEntries * sqeSize, prot, mapFlags, IORING_OFF_SQES);
        } catch (ErrnoException | RuntimeException e) {
            arena.close(); // unmaps whatever was mapped
            throw e;
        }

        this.kSqHead = params.get(ValueLayout.JAVA_INT, sqOff + IO_SQRING_OFFSETS_HEAD);
        this.kSqTail = params.get(ValueLayout.JAVA_INT, sqOff + IO_SQRING_OFFSETS_TAIL);
        this.kSqFlags = params.get(ValueLayout.JAVA_INT, sqOff + IO_SQRING_OFFSETS_FLAGS);
        this.sqMask = sqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, sqOff + IO_SQRING_OFFSETS_RING_MASK));
        this.kCqHead = params.get(ValueLayout.JAVA_INT, cqOff + IO_CQRING_OFFSETS_HEAD);
        this.kCqTail = params.get(ValueLayout.JAVA_INT, cqOff + IO_CQRING_OFFSETS_TAIL);
        this.kCqOverflow = params.get(ValueLayout.JAVA_INT, cqOff + IO_CQRING_OFFSETS_OVERFLOW);
        this.cqesOffset = cqesOff;
        this.cqMask = cqRing.get(ValueLayout.JAVA_INT, params.get(ValueLayout.JAVA_INT, cqOff + IO_CQRING_OFFSETS_RING_MASK));

        // The SQ index array never changes afterwards: slot i always names SQE i.
        if ((setupFlags & IORING_SETUP_NO_SQARRAY) == 0) {
            for (int i = 0; i < sqEntries; i++) {
                sqRing.set(ValueLayout.JAVA_INT, sqArrayOff + (long) i * Integer.BYTES, i);
            }
        }
        this.sqHead = (int) INT.getAcquire(sqRing, kSqHead);
        this.sqTail = sqHead;
        this.sqTailPublished = sqHead;
        this.cqHead = (int) INT.getAcquire(cqRing, kCqHead);

        this.sqe = new SubmissionEntry(sqes, sqeSize);
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

    private MemorySegment map(long size, int prot, int flags, long offset) throws ErrnoException {
        MemorySegment raw = MemoryCalls.mmap(size, prot, flags, fd, offset);
        long address = raw.address();
        return raw.reinterpret(size, arena, s -> MemoryCalls.munmapQuietly(address, size));
    }

    /**
     * Starts building a ring.
     *
     * @param entries SQ size, a power of two from 1 to 32768
     * @return a new builder
     * @throws IllegalArgumentException if {@code entries} is out of range or not a power of two
     */
    public static Builder builder(int entries) {
        if (entries < 1 || entries > MAX_ENTRIES || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two in 1.." + MAX_ENTRIES + ": " + entries);
        }
        return new Builder(entries);
    }

    /**
     * Configures and creates an {@link IoUring}. Not thread-safe; use once.
     */
    public static final class Builder {
        private final int entries;
        private int flags;
        private int cqSize;

        private Builder(int entries) {
            this.entries = entries;
        }

        /**
         * Uses 128-byte SQEs ({@code IORING_SETUP_SQE128}), as ublk control commands need.
         *
         * @return this builder
         */
        public Builder sqe128() {
            flags |= IORING_SETUP_SQE128;
            return this;
        }

        /**
         * Uses 32-byte CQEs ({@code IORING_SETUP_CQE32}).
         *
         * @return this builder
         */
        public Builder cqe32() {
            flags |= IORING_SETUP_CQE32;
            return this;
        }

        /**
         * Sets the CQ size ({@code IORING_SETUP_CQSIZE}); the kernel rounds it up to a power of two.
         *
         * @param cqEntries CQ entries, at least the SQ size and at most 65536
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder cqSize(int cqEntries) {
            if (cqEntries < entries || cqEntries > MAX_CQ_ENTRIES) {
                throw new IllegalArgumentException("cqEntries must be in " + entries + ".." + MAX_CQ_ENTRIES
                        + ": " + cqEntries);
            }
            this.cqSize = cqEntries;
            flags |= IORING_SETUP_CQSIZE;
            return this;
        }

        /**
         * Runs task work cooperatively ({@code IORING_SETUP_COOP_TASKRUN}).
         *
         * @return this builder
         */
        public Builder coopTaskrun() {
            flags |= IORING_SETUP_COOP_TASKRUN;
            return this;
        }

        /**
         * Flags pending task work in the SQ flags ({@code IORING_SETUP_TASKRUN_FLAG}).
         *
         * @return this builder
         */
        public Builder taskrunFlag() {
            flags |= IORING_SETUP_TASKRUN_FLAG;
            return this;
        }

        /**
         * Declares a single submitting thread ({@code IORING_SETUP_SINGLE_ISSUER}); the ring is then bound
         * to the thread calling {@link #build()}.
         *
         * @return this builder
         */
        public Builder singleIssuer() {
            flags |= IORING_SETUP_SINGLE_ISSUER;
            return this;
        }

        /**
         * Defers task work to the owner's GETEVENTS enters ({@code IORING_SETUP_DEFER_TASKRUN}); needs
         * {@link #singleIssuer()}. Completions then appear only after {@link IoUring#submitAndWait(int)} or
         * another enter with GETEVENTS.
         *
         * @return this builder
         */
        public Builder deferTaskrun() {
            flags |= IORING_SETUP_DEFER_TASKRUN;
            return this;
        }

        /**
         * Adds raw {@code IORING_SETUP_*} flags, passed through unchecked.
         *
         * @param rawFlags flags to OR in
         * @return this builder
         */
        public Builder setupFlags(int rawFlags) {
            flags |= rawFlags;
            return this;
        }

        /**
         * Calls {@code io_uring_setup}, maps the rings (once when {@code IORING_FEAT_SINGLE_MMAP}) and
         * fills the SQ index array as the identity.
         *
         * @return the new ring, confined to the calling thread from now on
         * @throws ErrnoException if the kernel refuses the setup or a mapping
         * @throws IllegalArgumentException if {@code DEFER_TASKRUN} is set without {@code SINGLE_ISSUER}
         */
        public IoUring build() throws ErrnoException {
            if ((flags & IORING_SETUP_DEFER_TASKRUN) != 0 && (flags & IORING_SETUP_SINGLE_ISSUER) == 0) {
                throw new IllegalArgumentException("deferTaskrun() needs singleIssuer()");
            }
            int fd;
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment params = tmp.allocate(IO_URING_PARAMS_SIZE, 8); // zeroed
                params.set(ValueLayout.JAVA_INT, IO_URING_PARAMS_FLAGS_OFFSET, flags);
                params.set(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_ENTRIES_OFFSET, cqSize);
                fd = IoUringCalls.setup(entries, params);
                try {
                    return new IoUring(fd, params);
                } catch (ErrnoException | RuntimeException e) {
                    FileCalls.closeQuietly(fd);
                    throw e;
                }
            }
        }
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
        return sqEntries;
    }

    /**
     * CQ size.
     *
     * @return number of CQ entries (twice the SQ size unless {@link Builder#cqSize(int)} was used)
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
        if (closed) {
            throw new IllegalStateException("io_uring fd=" + fd + " is closed");
        }
    }

    private int kSqHeadAcquire() {
        // acquire: the kernel has finished reading every SQE before this head
        return (int) INT.getAcquire(sqRing, kSqHead);
    }

    private int sqFlags() {
        return (int) INT.getAcquire(sqRing, kSqFlags);
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
        int tail = sqTail;
        if (tail - sqHead >= sqEntries) {
            sqHead = kSqHeadAcquire();
            if (tail - sqHead >= sqEntries) {
                submit();
                sqHead = kSqHeadAcquire();
                if (tail - sqHead >= sqEntries) {
                    throw new ErrnoException("io_uring_enter", "(SQ full)", Errno.EBUSY.value());
                }
            }
        }
        sqTail = tail + 1;
        return sqe.wrapAndClear((long) (tail & sqMask) * sqeSize);
    }

    /**
     * SQEs obtained from {@link #nextSqe()} that the kernel has not consumed yet.
     *
     * @return the number of queued, unconsumed SQEs
     */
    public int pendingSubmissions() {
        return sqTail - kSqHeadAcquire();
    }

    /**
     * Free SQ slots.
     *
     * @return how many SQEs {@link #nextSqe()} can hand out before it must submit
     */
    public int sqSpaceLeft() {
        return sqEntries - pendingSubmissions();
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
        int tail = sqTail;
        if (tail != sqTailPublished) {
            // release: SQE contents written before this store are visible to the kernel with the new tail
            INT.setRelease(sqRing, kSqTail, tail);
            sqTailPublished = tail;
        }
        int toSubmit = tail - kSqHeadAcquire();
        int flags = extraFlags;
        if (wait) {
            flags |= IORING_ENTER_GETEVENTS;
        }
        if (sqPoll) {
            // full fence: our tail store must be ordered before the NEED_WAKEUP read (store-load)
            VarHandle.fullFence();
            if ((sqFlags() & IORING_SQ_NEED_WAKEUP) != 0) {
                flags |= IORING_ENTER_SQ_WAKEUP;
            } else if (!wait) {
                return toSubmit; // the SQ thread picks them up
            }
        } else if (toSubmit == 0 && !wait) {
            if ((sqFlags() & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) == 0) {
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
            done += drain(handler, limit - done);
            if (done >= limit || (sqFlags() & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) == 0) {
                break;
            }
            flushCompletions();
            if (completionsReady() == 0) {
                break;
            }
        }
        return done;
    }

    private int drain(CompletionHandler handler, int limit) {
        int head = cqHead;
        // acquire: CQEs the kernel wrote before publishing this tail are visible
        int tail = (int) INT.getAcquire(cqRing, kCqTail);
        int n = tail - head;
        if (n > limit) {
            n = limit;
        }
        if (n <= 0) {
            return 0;
        }
        int i = 0;
        try {
            while (i < n) {
                long at = cqesOffset + ((long) ((head + i) & cqMask) << cqeShift);
                long userData = cqRing.get(ValueLayout.JAVA_LONG, at + IO_URING_CQE_USER_DATA_OFFSET);
                int res = cqRing.get(ValueLayout.JAVA_INT, at + IO_URING_CQE_RES_OFFSET);
                int flags = cqRing.get(ValueLayout.JAVA_INT, at + IO_URING_CQE_FLAGS_OFFSET);
                i++;
                handler.onCompletion(userData, res, flags);
            }
        } finally {
            cqHead = head + i;
            // release: we are done reading these CQEs; the kernel may overwrite their slots
            INT.setRelease(cqRing, kCqHead, head + i);
        }
        return n;
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
        // acquire: pairs with the kernel's release of the CQ tail
        return (int) INT.getAcquire(cqRing, kCqTail) - cqHead;
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
        return Integer.toUnsignedLong((int) INT.getAcquire(cqRing, kCqOverflow));
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
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment array = tmp.allocateFrom(ValueLayout.JAVA_INT, fds);
            IoUringCalls.register(fd, IORING_REGISTER_FILES, array, fds.length);
        }
    }

    /**
     * Unregisters the file table.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterFiles() throws ErrnoException {
        ensureOpen();
        IoUringCalls.register(fd, IORING_UNREGISTER_FILES, MemorySegment.NULL, 0);
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
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment iovecs = tmp.allocate(16L * buffers.length, 8);
            for (int i = 0; i < buffers.length; i++) {
                MemorySegment b = buffers[i];
                if (!b.isNative()) {
                    throw new IllegalArgumentException("buffer " + i + " is not a native segment");
                }
                iovecs.set(ValueLayout.JAVA_LONG, 16L * i, b.address());      // iov_base
                iovecs.set(ValueLayout.JAVA_LONG, 16L * i + 8, b.byteSize()); // iov_len
            }
            IoUringCalls.register(fd, IORING_REGISTER_BUFFERS, iovecs, buffers.length);
        }
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
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IO_URING_RSRC_REGISTER_SIZE, 8); // zeroed: resv2, data, tags
            reg.set(ValueLayout.JAVA_INT, 0, count);                         // nr
            reg.set(ValueLayout.JAVA_INT, 4, IORING_RSRC_REGISTER_SPARSE);   // flags
            IoUringCalls.register(fd, IORING_REGISTER_BUFFERS2, reg, IO_URING_RSRC_REGISTER_SIZE);
        }
    }

    /**
     * Unregisters the buffer table.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterBuffers() throws ErrnoException {
        ensureOpen();
        IoUringCalls.register(fd, IORING_UNREGISTER_BUFFERS, MemorySegment.NULL, 0);
    }

    /**
     * Registers an eventfd that the kernel signals when it posts CQEs.
     *
     * @param eventFd the eventfd descriptor
     * @throws ErrnoException on failure, e.g. {@code EBUSY} if one is already registered
     */
    public void registerEventFd(int eventFd) throws ErrnoException {
        ensureOpen();
        try (Arena tmp = Arena.ofConfined()) {
            IoUringCalls.register(fd, IORING_REGISTER_EVENTFD, tmp.allocateFrom(ValueLayout.JAVA_INT, eventFd), 1);
        }
    }

    /**
     * Unregisters the eventfd.
     *
     * @throws ErrnoException on failure, e.g. {@code ENXIO} if none is registered
     */
    public void unregisterEventFd() throws ErrnoException {
        ensureOpen();
        IoUringCalls.register(fd, IORING_UNREGISTER_EVENTFD, MemorySegment.NULL, 0);
    }

    /**
     * Enables a ring created with {@code IORING_SETUP_R_DISABLED}; with {@code SINGLE_ISSUER}, this binds
     * the ring to the calling thread.
     *
     * @throws ErrnoException on failure, e.g. {@code EBADFD} if the ring is not disabled
     */
    public void enableRings() throws ErrnoException {
        ensureOpen();
        IoUringCalls.register(fd, IORING_REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Unmaps the rings and closes the fd. Idempotent and callable from any thread; afterwards every other
     * method except the property getters throws {@link IllegalStateException}. Requests still in flight
     * are cancelled by the kernel.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            arena.close(); // munmap of all three mappings; later accesses throw IllegalStateException
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "IoUring[fd=" + fd + ", sq=" + sqEntries + ", cq=" + cqEntries + ", sqe=" + sqeSize
                + ", flags=0x" + Integer.toHexString(setupFlags) + ", features=0x" + Integer.toHexString(features)
                + (closed ? ", closed]" : "]");
    }
}
