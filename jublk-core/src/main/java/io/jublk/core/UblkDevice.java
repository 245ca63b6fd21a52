package io.jublk.core;

import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A ublk block device served by this process: {@code /dev/ublkbN}, backed by a {@link BlockTarget}.
 *
 * <p>Lifecycle: {@link #builder()} adds and configures the device; its queues are then started on
 * their threads (the application's, or {@link #runQueues()}); {@link #start()} makes the block device
 * appear; {@link #close()} stops it, lets the queues drain and close, and deletes it, so
 * {@code try (var dev = ...)} leaves nothing behind.
 *
 * <pre>{@code
 * try (UblkDevice dev = UblkDevice.builder().target(new MyTarget()).size(1L << 30).build()) {
 *     dev.runQueues();
 *     dev.start();
 *     dev.awaitStopped();
 * }
 * }</pre>
 *
 * <p>Thread-safe for the control methods; each queue belongs to its own thread.
 */
public final class UblkDevice implements AutoCloseable {
    private static final long QUEUE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Largest discard or write-zeroes request: 1 GiB, so every request length fits an int; the block layer splits larger ones. */
    private static final int MAX_ZEROING_SECTORS = 1 << 21;

    private final UblkControl control;
    private final boolean ownsControl;
    private final UblkDeviceInfo info;
    private final UblkParams params;
    private final DataMode dataMode;
    private final BlockTarget target;
    private final Consumer<String> reporter;
    private final int charFd;
    private final List<UblkQueue> queues;
    private final boolean unprivileged;
    private final List<Thread> runnerThreads = new ArrayList<>();

    private final boolean takenOver;
    private final String ioScheduler;
    private boolean started;
    private boolean stopped;
    private boolean closed;
    private boolean detached;

    private UblkDevice(Builder b, UblkControl control, boolean ownsControl, UblkDeviceInfo info, UblkParams params,
                       int charFd, boolean takenOver) {
        this.takenOver = takenOver;
        this.ioScheduler = b.ioScheduler;
        this.control = control;
        this.ownsControl = ownsControl;
        this.info = info;
        this.params = params;
        this.dataMode = b.dataMode;
        this.target = b.target;
        this.reporter = b.reporter;
        this.charFd = charFd;
        this.unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
        List<UblkQueue> qs = new ArrayList<>(info.nrHwQueues());
        for (int q = 0; q < info.nrHwQueues(); q++) {
            qs.add(new UblkQueue(this, q, charFd, b.target, b.bufferProvider));
        }
        this.queues = Collections.unmodifiableList(qs);
    }

    /** @return a builder for a new device */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the device id N */
    public int id() {
        return info.devId();
    }

    /** @return the device as the kernel added it (negotiated flags, clamped queue count) */
    public UblkDeviceInfo info() {
        return info;
    }

    /** @return the parameters set on the device */
    public UblkParams params() {
        return params;
    }

    /** @return {@code /dev/ublkbN} */
    public String blockPath() {
        return info.blockPath();
    }

    /** @return the data mode in use */
    public DataMode dataMode() {
        return dataMode;
    }

    /** @return the target */
    public BlockTarget target() {
        return target;
    }

    /** @return the queues, by queue id */
    public List<UblkQueue> queues() {
        return queues;
    }

    /** @return what the kernel does with the device when this server goes away */
    public Recovery recovery() {
        return Recovery.of(info.flags());
    }

    /** @return whether this server took the device over from one that went away ({@link Builder#recover(int)}) */
    public boolean isTakenOver() {
        return takenOver;
    }

    /** @return the control device this device was added through */
    public UblkControl control() {
        return control;
    }

    int queueDepth() {
        return info.queueDepth();
    }

    int maxIoBytes() {
        return info.maxIoBufBytes();
    }

    /**
     * Starts one platform thread per queue, named {@code ublk-dN-qM}, each running a
     * {@link QueueRunner}; the device's {@link #close()} ends and joins them. The library starts
     * threads only here.
     *
     * @return this device
     */
    public UblkDevice runQueues() {
        return runQueues(false);
    }

    /**
     * Like {@link #runQueues()}; with {@code pinned}, each thread is first bound to the CPUs the
     * kernel reports for its queue (GET_QUEUE_AFFINITY), so requests are served where they were
     * queued.
     *
     * @param pinned whether to bind each queue's thread to its queue's CPUs
     * @return this device
     */
    public synchronized UblkDevice runQueues(boolean pinned) {
        if (!runnerThreads.isEmpty()) {
            throw new IllegalStateException("the queues of device " + id() + " already run");
        }
        for (UblkQueue q : queues) {
            Thread t = Thread.ofPlatform().name(q.toString()).unstarted(new QueueRunner(q, pinned));
            runnerThreads.add(t);
            t.start();
        }
        return this;
    }

    /**
     * Starts the device (START_DEV) once every queue has fetched its tags; {@code /dev/ublkbN}
     * exists when this returns. The queues must keep being served meanwhile: the kernel may read
     * the partition table before this returns. For a device being {@linkplain Builder#recover(int)
     * taken over} it ends the recovery instead (END_USER_RECOVERY): waiting IO flows again.
     *
     * @throws UblkException when a queue is not started within 30 s, or the kernel refuses
     */
    public void start() throws UblkException {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("device " + id() + " is already started");
            }
            awaitQueues(() -> queues.stream().allMatch(q -> q.isStarted() || q.isClosed()), "started");
            if (queues.stream().anyMatch(q -> q.isClosed() || q.isTerminated())) {
                throw new UblkException("UBLK_U_CMD_START_DEV", id(), null, "a queue failed before the device started");
            }
        }
        if (takenOver) {
            control.endUserRecovery(id(), ProcessCalls.getpid(), unprivileged);
        } else {
            control.startDevice(id(), ProcessCalls.getpid(), unprivileged);
            applyIoScheduler();
        }
        synchronized (this) {
            started = true;
        }
    }

    private void applyIoScheduler() {
        if (ioScheduler == null) {
            return;
        }
        Path knob = Path.of("/sys/block/ublkb" + id() + "/queue/scheduler");
        try {
            Files.writeString(knob, ioScheduler);
        } catch (IOException | SecurityException e) {
            if (!unprivileged) {
                // The device works either way, only slower or differently ordered.
                report(null, "could not set the IO scheduler to " + ioScheduler + " in " + knob, e);
            }
        }
    }

    /**
     * Lets go of a device with recovery without stopping or deleting it, as a server crash would
     * but in order: the queues stop serving and close (the threads of {@link #runQueues} do it;
     * queues driven by the application must be closed by their threads), then {@code /dev/ublkcN}
     * closes. The kernel keeps the device, as {@link #recovery()} says, until a new server takes it
     * over with {@link Builder#recover(int)}, in this process or another. Returns once the kernel
     * has seen the server go (the device is no longer live). After this, {@link #close()} does nothing.
     *
     * @throws IllegalStateException when the device has no recovery (it would be stopped: use
     *     {@link #close()}), or a queue is still open after 30 s
     */
    public void detach() {
        if (recovery() == Recovery.OFF) {
            throw new IllegalStateException("device " + id() + " was added without recovery: letting go of it would stop it;"
                    + " use close(), or add it with Builder.recovery(...)");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            detached = true;
        }
        for (UblkQueue q : queues) {
            q.requestDetach();
        }
        for (Thread t : runnerThreads) {
            joinQuietly(t);
        }
        List<UblkQueue> open = queues.stream().filter(q -> !q.isClosed()).toList();
        if (!open.isEmpty()) {
            // The char device stays open, so the kernel does not yet treat the server as gone.
            throw new IllegalStateException("queues " + open + " of device " + id() + " are still open: their threads must"
                    + " close them (UblkQueue.close()) before the device can be let go");
        }
        UblkControl.closeQuietly(charFd);
        try {
            awaitServerGone();
        } finally {
            if (ownsControl) {
                control.close();
            }
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * The kernel notices a server is gone when the last reference to {@code /dev/ublkcN} drops,
     * which the closing rings do asynchronously; wait for that, so a new server can take over at once.
     */
    private void awaitServerGone() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (control.deviceInfo(id()).state() == UblkCmd.UBLK_S_DEV_LIVE) {
                if (System.nanoTime() > deadline) {
                    report(null, "the kernel still shows the device live 10 s after its server let go", null);
                    return;
                }
                Thread.sleep(10);
            }
        } catch (UblkException e) {
            report(null, "could not read the device's state after letting go", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether {@link #detach()} let go of the device */
    public synchronized boolean isDetached() {
        return detached;
    }

    /**
     * Stops the device (STOP_DEV): {@code /dev/ublkbN} goes away once in-flight IO completes, and
     * every queue terminates. Idempotent.
     *
     * @throws UblkException when the kernel refuses
     */
    public void stop() throws UblkException {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        control.stopDevice(id(), unprivileged);
    }

    /**
     * Waits until every queue has terminated, e.g. because {@code jublk del} stopped the device.
     *
     * @throws InterruptedException when interrupted
     */
    public synchronized void awaitStopped() throws InterruptedException {
        while (!closed && !queues.stream().allMatch(q -> q.isTerminated() || q.isClosed())) {
            wait();
        }
    }

    /**
     * Stops the device if it runs, waits for its queues to drain and close, closes
     * {@code /dev/ublkcN} and deletes the device. Idempotent; never leaves the device behind
     * unless the kernel refuses DEL_DEV.
     *
     * @throws UblkException when deleting fails
     */
    @Override
    public void close() throws UblkException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        UblkException failure = null;
        if (queues.stream().anyMatch(UblkQueue::isStarted)) {
            try {
                stop();
            } catch (UblkException e) {
                failure = e;
            }
            try {
                synchronized (this) {
                    awaitQueues(() -> queues.stream().allMatch(q -> q.isClosed() || !q.isStarted()), "closed");
                }
            } catch (UblkException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        for (Thread t : runnerThreads) {
            joinQuietly(t);
        }
        for (UblkQueue q : queues) {
            if (!q.isClosed()) {
                try {
                    q.close();
                } catch (IllegalStateException e) {
                    report(q, "queue still running at delete; its thread did not close it", e);
                }
            }
        }
        UblkControl.closeQuietly(charFd);
        try {
            control.deleteDevice(id(), unprivileged);
        } catch (UblkException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            if (ownsControl) {
                control.close();
            }
        }
        synchronized (this) {
            notifyAll();
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- queue callbacks ------------------------------------------------------------------------

    synchronized void onQueueStarted(UblkQueue q) {
        notifyAll();
    }

    private volatile boolean goingAway;

    /** A queue saw the kernel abort a fetch: the device is stopping or being quiesced. */
    void onQueueAborted(UblkQueue q) {
        goingAway = true;
    }

    /** @return whether the kernel began ending the device's queues (stop or quiesce) */
    boolean isGoingAway() {
        return goingAway;
    }

    synchronized void onQueueTerminated(UblkQueue q) {
        notifyAll();
    }

    synchronized void onQueueClosed(UblkQueue q) {
        notifyAll();
    }

    void report(UblkQueue q, String what, Throwable cause) {
        String line = "jublk: " + (q == null ? "device " + id() : q.toString()) + ": " + what
                + (cause == null ? "" : ": " + cause);
        reporter.accept(line);
    }

    private interface Condition {
        boolean met();
    }

    private void awaitQueues(Condition condition, String what) throws UblkException {
        long deadline = System.nanoTime() + QUEUE_WAIT_NANOS;
        while (!condition.met()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new UblkException("waiting for the queues of device " + id() + " to be " + what, id(), null,
                        "each queue must be started and served on its own thread (see UblkDevice.runQueues())");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UblkException("waiting for the queues of device " + id() + " to be " + what, id(), null,
                        "interrupted");
            }
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "UblkDevice[" + id() + ' ' + blockPath() + ' ' + dataMode.cliName() + ']';
    }

    /**
     * Configures and adds a device. Every setting is validated before the kernel sees it.
     *
     * <p>Not thread-safe; use once.
     */
    public static final class Builder {
        private UblkControl control;
        private int id = -1;
        private int queues = 1;
        private int depth = 128;
        private int maxIoBytes = 512 * 1024;
        private long sizeBytes = -1;
        private int logicalBlockSize = 512;
        private int physicalBlockSize = 4096;
        private DataMode dataMode = DataMode.COPY;
        private IoBufferProvider bufferProvider;
        private BlockTarget target;
        private long extraFlags;
        private Recovery recovery = Recovery.OFF;
        private Boolean unprivileged;
        private boolean dataModeGiven;
        private long ublksrvFlags;
        private Consumer<String> reporter = System.err::println;
        private String ioScheduler = "none";

        private Builder() {
        }

        /**
         * @param control the control device to use; by default the device opens its own
         * @return this builder
         */
        public Builder control(UblkControl control) {
            this.control = control;
            return this;
        }

        /**
         * @param id the device id N of {@code /dev/ublkbN}, or -1 (the default) for the kernel to choose
         * @return this builder
         */
        public Builder id(int id) {
            this.id = id;
            return this;
        }

        /**
         * @param queues number of queues, 1..4096 (the kernel clamps it to the CPU count); default 1
         * @return this builder
         */
        public Builder queues(int queues) {
            this.queues = queues;
            return this;
        }

        /**
         * @param depth requests in flight per queue, 1..4096; default 128
         * @return this builder
         */
        public Builder depth(int depth) {
            this.depth = depth;
            return this;
        }

        /**
         * @param maxIoBytes largest request in bytes, a multiple of 4096 up to 32 MiB; default 512 KiB
         * @return this builder
         */
        public Builder maxIoBytes(int maxIoBytes) {
            this.maxIoBytes = maxIoBytes;
            return this;
        }

        /**
         * @param sizeBytes device size in bytes, a positive multiple of the logical block size
         * @return this builder
         */
        public Builder size(long sizeBytes) {
            this.sizeBytes = sizeBytes;
            return this;
        }

        /**
         * @param bytes logical block size: 512, 1024, 2048 or 4096; default 512
         * @return this builder
         */
        public Builder logicalBlockSize(int bytes) {
            this.logicalBlockSize = bytes;
            return this;
        }

        /**
         * @param bytes physical block size: a power of two from the logical size to 64 KiB; default 4096
         * @return this builder
         */
        public Builder physicalBlockSize(int bytes) {
            this.physicalBlockSize = bytes;
            return this;
        }

        /**
         * @param mode how data moves; default {@link DataMode#COPY}
         * @return this builder
         */
        public Builder dataMode(DataMode mode) {
            this.dataMode = Objects.requireNonNull(mode, "dataMode");
            this.dataModeGiven = true;
            return this;
        }

        /**
         * Uses the application's buffers ({@link DataMode#COPY_APPLICATION_BUFFERS}).
         *
         * @param provider lends a buffer per request
         * @return this builder
         */
        public Builder bufferProvider(IoBufferProvider provider) {
            this.bufferProvider = provider;
            this.dataMode = DataMode.COPY_APPLICATION_BUFFERS;
            return this;
        }

        /**
         * @param target what serves the device's blocks
         * @return this builder
         */
        public Builder target(BlockTarget target) {
            this.target = target;
            return this;
        }

        /**
         * @param flags extra {@code UBLK_F_*} flags to ask for
         * @return this builder
         */
        public Builder flags(long flags) {
            this.extraFlags = flags;
            return this;
        }

        /**
         * @param flags server-private flags stored with the device (ublksrv_flags)
         * @return this builder
         */
        public Builder serverFlags(long flags) {
            this.ublksrvFlags = flags;
            return this;
        }

        /**
         * @param reporter where the device reports failures it survives (a target exception, say); default stderr
         * @return this builder
         */
        public Builder reporter(Consumer<String> reporter) {
            this.reporter = Objects.requireNonNull(reporter, "reporter");
            return this;
        }

        /**
         * Checks every setting without touching the kernel.
         *
         * @throws IllegalArgumentException naming the first bad setting and what is allowed
         */
        public void validate() {
            if (target == null) {
                throw new IllegalArgumentException("no target: call target(...) with what serves the device");
            }
            if (id < -1 || id >= (1 << 20)) {
                throw new IllegalArgumentException("device id " + id + " is out of range: use 0.." + ((1 << 20) - 1) + ", or -1 for any");
            }
            if (queues < 1 || queues > UblkCmd.UBLK_MAX_NR_QUEUES) {
                throw new IllegalArgumentException("queue count " + queues + " is out of range: use 1.." + UblkCmd.UBLK_MAX_NR_QUEUES);
            }
            if (depth < 1 || depth > UblkCmd.UBLK_MAX_QUEUE_DEPTH) {
                throw new IllegalArgumentException("queue depth " + depth + " is out of range: use 1.." + UblkCmd.UBLK_MAX_QUEUE_DEPTH);
            }
            if (logicalBlockSize < 512 || logicalBlockSize > 4096 || Integer.bitCount(logicalBlockSize) != 1) {
                throw new IllegalArgumentException("logical block size " + logicalBlockSize
                        + " is not supported: use 512, 1024, 2048 or 4096");
            }
            if (physicalBlockSize < logicalBlockSize || physicalBlockSize > 65536 || Integer.bitCount(physicalBlockSize) != 1) {
                throw new IllegalArgumentException("physical block size " + physicalBlockSize
                        + " must be a power of two from the logical block size (" + logicalBlockSize + ") to 65536");
            }
            int maxIoLimit = 1 << UblkCmd.UBLK_IO_BUF_BITS;
            if (maxIoBytes < 4096 || maxIoBytes > maxIoLimit || maxIoBytes % 4096 != 0) {
                throw new IllegalArgumentException("max IO size " + maxIoBytes + " is out of range: use a multiple of 4096 from 4096 to "
                        + maxIoLimit + " (32 MiB)");
            }
            if (sizeBytes <= 0) {
                throw new IllegalArgumentException(sizeBytes < 0 ? "no size: call size(bytes)" : "device size is zero: give a positive size");
            }
            if (sizeBytes % logicalBlockSize != 0) {
                throw new IllegalArgumentException("device size " + sizeBytes + " is not a multiple of the logical block size "
                        + logicalBlockSize + ": round it to " + (sizeBytes / logicalBlockSize * logicalBlockSize)
                        + " or " + ((sizeBytes / logicalBlockSize + 1) * logicalBlockSize));
            }
            if (dataMode == DataMode.COPY_APPLICATION_BUFFERS && bufferProvider == null) {
                throw new IllegalArgumentException("data mode " + dataMode.cliName() + " needs a bufferProvider(...)");
            }
            if (dataMode.isZeroCopy() && target != null && !target.supportsZeroCopy()) {
                throw new IllegalArgumentException("data mode " + dataMode.cliName() + " needs a target that does its IO with"
                        + " fixed buffers on the queue's io_uring; " + target.getClass().getSimpleName()
                        + " does not: use copy or user-copy");
            }
        }

        /**
         * @param on add an unprivileged device (UBLK_F_UNPRIVILEGED_DEV, Linux 6.3+): one a user
         *     without CAP_SYS_ADMIN owns and serves; its nodes must be given to that user (udev, see the
         *     README). The default is on exactly when this process is not root. Unprivileged devices
         *     have no user copy, zero copy or recovery.
         * @return this builder
         */
        public Builder unprivileged(boolean on) {
            this.unprivileged = on;
            return this;
        }

        /**
         * @param name the block layer's IO scheduler for {@code /dev/ublkbN}, set when the device
         *     starts; default {@code "none"}, as the kernel's loop device has: the target orders
         *     its own IO, and a scheduler (mq-deadline is the kernel's choice for one queue) moves
         *     every dispatch to a kernel worker. {@code null} keeps the kernel's choice.
         * @return this builder
         */
        public Builder ioScheduler(String name) {
            if (name != null && !name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("IO scheduler name '" + name + "' is not a scheduler name (none, mq-deadline, kyber, bfq)");
            }
            this.ioScheduler = name;
            return this;
        }

        /**
         * @param recovery what the kernel does with the device when its server goes away; default
         *     {@link Recovery#OFF}. With recovery on, QUIESCE_DEV is asked for too where the kernel has it.
         * @return this builder
         */
        public Builder recovery(Recovery recovery) {
            this.recovery = Objects.requireNonNull(recovery, "recovery");
            return this;
        }

        /**
         * Takes over a device with recovery whose server went away (killed, crashed, detached or
         * quiesced): START_USER_RECOVERY, then {@code /dev/ublkcN} is opened and the queues are
         * made; {@link UblkDevice#runQueues()} and {@link UblkDevice#start()} (which ends the
         * recovery) follow as for a new device. The queue count, depth, size and data mode are the
         * device's own; of this builder only the target, buffer provider, control and reporter
         * count. On failure the device is left as it was found, for another try.
         *
         * @param devId the device
         * @return the device, not yet started
         * @throws UblkException when there is no such device, it has no recovery, its server still
         *     runs, or the kernel refuses
         */
        public UblkDevice recover(int devId) throws UblkException {
            if (target == null) {
                throw new IllegalArgumentException("no target: call target(...) with what serves the device");
            }
            boolean ownsControl = control == null;
            UblkControl ctl = ownsControl ? UblkControl.open() : control;
            int charFd = -1;
            try {
                UblkDeviceInfo info = ctl.deviceInfo(devId);
                String step = "UBLK_U_CMD_START_USER_RECOVERY";
                if (!info.has(UblkFeature.USER_RECOVERY)) {
                    throw new UblkException(step, devId, Errno.EINVAL, "the device was added without recovery, so no new"
                            + " server can take it over; delete it and add it again");
                }
                DataMode mode = DataMode.of(info.flags());
                if (dataModeGiven && dataMode != mode) {
                    throw new IllegalArgumentException("device " + devId + " was added with data mode " + mode.cliName()
                            + ", not " + dataMode.cliName() + ": leave dataMode(...) out when recovering");
                }
                if (mode == DataMode.COPY_APPLICATION_BUFFERS && bufferProvider == null) {
                    throw new IllegalArgumentException("device " + devId + " uses application buffers: give a bufferProvider(...)");
                }
                if (mode.isZeroCopy() && !target.supportsZeroCopy()) {
                    throw new IllegalArgumentException("device " + devId + " is " + mode.cliName() + ", which "
                            + target.getClass().getSimpleName() + " cannot serve");
                }
                boolean unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
                UblkParams p = ctl.getParams(devId, unprivileged);
                startRecovery(ctl, info, unprivileged);
                UblkDeviceInfo now = ctl.deviceInfo(devId);
                charFd = openCharDevice(now);
                this.dataMode = mode;
                this.queues = now.nrHwQueues();
                this.depth = now.queueDepth();
                return new UblkDevice(this, ctl, ownsControl, now, p, charFd, true);
            } catch (UblkException | RuntimeException e) {
                if (charFd >= 0) {
                    UblkControl.closeQuietly(charFd);
                }
                if (ownsControl) {
                    ctl.close();
                }
                throw e;
            }
        }

        /** START_USER_RECOVERY, retried while the old server's exit is still being processed (EBUSY). */
        private static void startRecovery(UblkControl ctl, UblkDeviceInfo info, boolean unprivileged) throws UblkException {
            int devId = info.devId();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    ctl.startUserRecovery(devId, unprivileged);
                    return;
                } catch (UblkException e) {
                    UblkDeviceInfo now = ctl.deviceInfo(devId);
                    boolean serverAlive = now.ublksrvPid() > 0 && ProcessHandle.of(now.ublksrvPid()).map(ProcessHandle::isAlive).orElse(false);
                    if (now.state() == UblkCmd.UBLK_S_DEV_LIVE && serverAlive) {
                        throw new UblkException(e.command(), devId, e.errno(), "the device is live, served by process "
                                + now.ublksrvPid() + ": stop that server first (or quiesce the device)");
                    }
                    if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new UblkException("UBLK_U_CMD_START_USER_RECOVERY", devId, null, "interrupted");
                }
            }
        }

        /**
         * Adds the device (ADD_DEV), checks the flags the kernel granted, sets its parameters and
         * opens {@code /dev/ublkcN}. On any failure the device is deleted again.
         *
         * @return the device, not yet started
         * @throws UblkException when the kernel refuses, naming the command and errno
         * @throws IllegalArgumentException when a setting is invalid (checked before the kernel is asked)
         */
        public UblkDevice build() throws UblkException {
            validate();
            boolean ownsControl = control == null;
            UblkControl ctl = ownsControl ? UblkControl.open() : control;
            UblkDeviceInfo info = null;
            int charFd = -1;
            try {
                long wanted = extraFlags | switch (dataMode) {
                    case COPY -> 0L;
                    case COPY_APPLICATION_BUFFERS -> UblkFeature.NEED_GET_DATA.mask();
                    case USER_COPY -> UblkFeature.USER_COPY.mask();
                    case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY.mask();
                    case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG.mask();
                };
                long supported = ctl.features();
                wanted |= recovery.flags();
                boolean asUser = unprivileged != null ? unprivileged : ProcessCalls.geteuid() != 0;
                if (asUser) {
                    wanted |= UblkFeature.UNPRIVILEGED_DEV.mask();
                    long privileged = wanted & (UblkFeature.UBLK_F_USER_COPY | UblkFeature.UBLK_F_SUPPORT_ZERO_COPY
                            | UblkFeature.UBLK_F_AUTO_BUF_REG | UblkFeature.UBLK_F_USER_RECOVERY);
                    if (privileged != 0) {
                        throw new UblkException("UBLK_U_CMD_ADD_DEV", id, Errno.EPERM, "an unprivileged device cannot have "
                                + UblkFeature.describe(privileged) + ": use copy mode without recovery, or run as root");
                    }
                }
                if (recovery != Recovery.OFF && UblkFeature.QUIESCE.isSet(supported)) {
                    wanted |= UblkFeature.QUIESCE.mask();
                }
                long missing = supported == 0 ? 0 : wanted & ~supported;
                if (missing != 0) {
                    throw new UblkException("UBLK_U_CMD_ADD_DEV", id, Errno.EOPNOTSUPP,
                            "this kernel's ublk driver lacks " + UblkFeature.describe(missing));
                }
                info = ctl.addDevice(id, queues, depth, maxIoBytes, wanted, ublksrvFlags);
                long refused = wanted & ~info.flags();
                if (refused != 0) {
                    throw new UblkException("UBLK_U_CMD_ADD_DEV", info.devId(), null,
                            "the kernel did not grant " + UblkFeature.describe(refused)
                                    + (info.has(UblkFeature.UNPRIVILEGED_DEV) ? " (not available to unprivileged devices)" : ""));
                }
                boolean unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
                if (unprivileged) {
                    awaitOwnCharDevice(info);
                }
                UblkParams p = params(info);
                ctl.setParams(info.devId(), p, unprivileged);
                charFd = openCharDevice(info);
                return new UblkDevice(this, ctl, ownsControl, info, p, charFd, false);
            } catch (UblkException | RuntimeException e) {
                if (charFd >= 0) {
                    UblkControl.closeQuietly(charFd);
                }
                if (info != null) {
                    try {
                        ctl.deleteDevice(info.devId(), info.has(UblkFeature.UNPRIVILEGED_DEV));
                    } catch (UblkException deleteFailure) {
                        e.addSuppressed(deleteFailure);
                    }
                }
                if (ownsControl) {
                    ctl.close();
                }
                throw e;
            }
        }

        private UblkParams params(UblkDeviceInfo info) {
            TargetCapabilities caps = target.capabilities();
            int attrs = 0;
            if (caps.readOnly()) {
                attrs |= UblkCmd.UBLK_ATTR_READ_ONLY;
            }
            if (caps.rotational()) {
                attrs |= UblkCmd.UBLK_ATTR_ROTATIONAL;
            }
            if (caps.volatileCache()) {
                attrs |= UblkCmd.UBLK_ATTR_VOLATILE_CACHE;
            }
            if (caps.fua()) {
                attrs |= UblkCmd.UBLK_ATTR_FUA;
            }
            int types = UblkCmd.UBLK_PARAM_TYPE_BASIC;
            int discardGranularity = 0;
            int maxDiscard = 0;
            int maxWriteZeroes = 0;
            int discardSegments = 0;
            if (caps.discard() || caps.writeZeroes()) {
                types |= UblkCmd.UBLK_PARAM_TYPE_DISCARD;
                discardGranularity = Math.max(logicalBlockSize, 4096);
                maxDiscard = caps.discard() ? MAX_ZEROING_SECTORS : 0;
                maxWriteZeroes = caps.writeZeroes() ? MAX_ZEROING_SECTORS : 0;
                discardSegments = 1;
            }
            int lbs = Integer.numberOfTrailingZeros(logicalBlockSize);
            int pbs = Integer.numberOfTrailingZeros(physicalBlockSize);
            return new UblkParams(types, attrs, lbs, pbs, pbs, lbs, info.maxIoBufBytes() >>> 9, 0, sizeBytes >>> 9,
                    0, discardGranularity, maxDiscard, maxWriteZeroes, discardSegments, 0, 0, 0);
        }

        /**
         * The kernel checks the caller's access to {@code /dev/ublkcN} for every command on an
         * unprivileged device, and the node becomes the user's only when udev has run its rule.
         */
        private static void awaitOwnCharDevice(UblkDeviceInfo info) throws UblkException {
            Path node = Path.of(info.charPath());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(Files.isReadable(node) && Files.isWritable(node))) {
                if (System.nanoTime() > deadline) {
                    throw new UblkException("open " + node, info.devId(), Errno.EACCES, "the device's nodes were not given to"
                            + " this user within 10 s: install the udev rule for unprivileged ublk devices (see the README)");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UblkException("open " + node, info.devId(), null, "interrupted");
                }
            }
        }

        private static int openCharDevice(UblkDeviceInfo info) throws UblkException {
            Path node = Path.of(info.charPath());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                if (Files.exists(node)) {
                    try {
                        return FileCalls.open(node.toString(), FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
                    } catch (ErrnoException e) {
                        // udev may still be setting the node's owner; EACCES can be transient.
                        if (e.errno() != Errno.EACCES || System.nanoTime() > deadline) {
                            throw new UblkException("open " + node, info.devId(), e);
                        }
                    }
                } else if (System.nanoTime() > deadline) {
                    throw new UblkException("open " + node, info.devId(), Errno.ENOENT,
                            "the char device did not appear within 10 s (is devtmpfs or udev running?)");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UblkException("open " + node, info.devId(), null, "interrupted");
                }
            }
        }
    }
}
