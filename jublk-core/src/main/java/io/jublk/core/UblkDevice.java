// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import io.jublk.uring.sys.ProcessCalls;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.jfr.DeviceEvents;
import io.jublk.core.jfr.QueueStatisticsEvent;
import io.jublk.core.stats.DeviceStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

import jdk.jfr.Event;

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
    private static final System.Logger LOG = System.getLogger("io.jublk.device");
    private static final System.Logger QUEUE_LOG = System.getLogger("io.jublk.queue");
    private static final long QUEUE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final UblkControl control;
    private final boolean ownsControl;
    private final UblkDeviceInfo info;
    private final UblkParams params;
    private final DataMode dataMode;
    private final BlockTarget target;
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
    private final AutoCloseable statisticsEvents;
    private volatile long sizeBytes;

    UblkDevice(UblkDeviceBuilder b, UblkControl control, boolean ownsControl, UblkDeviceInfo info, UblkParams params,
                       int charFd, boolean takenOver) {
        this.takenOver = takenOver;
        this.ioScheduler = b.ioScheduler;
        this.control = control;
        this.ownsControl = ownsControl;
        this.info = info;
        this.params = params;
        this.dataMode = b.dataMode;
        this.target = b.target;
        this.charFd = charFd;
        this.unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
        this.sizeBytes = params.sizeBytes();
        List<UblkQueue> qs = new ArrayList<>(info.nrHwQueues());
        for (int q = 0; q < info.nrHwQueues(); q++) {
            qs.add(new UblkQueue(this, q, charFd, b.target));
        }
        this.queues = Collections.unmodifiableList(qs);
        if (LOG.isLoggable(INFO)) {
            LOG.log(INFO, "device " + id() + (takenOver ? ": taken over from the server that went away, " : " added: ")
                    + info.nrHwQueues() + " queue(s) of depth " + info.queueDepth() + ", data mode " + dataMode.cliName()
                    + (info.has(UblkFeature.UNPRIVILEGED_DEV) ? ", unprivileged" : "") + ", recovery " + recovery().cliName());
        }
        DeviceEvents.added(info.devId(), takenOver, info.nrHwQueues(), info.queueDepth(), params.sizeBytes(),
                dataMode.cliName(), Recovery.of(info.flags()).toString(), target.getClass().getName());
        this.statisticsEvents = QueueStatisticsEvent.register(this::stats);
    }

    /** @return a builder for a new device */
    public static UblkDeviceBuilder builder() {
        return new UblkDeviceBuilder();
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

    /** @return what the device's queues have served so far, queue by queue and in total; any thread */
    public DeviceStats stats() {
        return DeviceStats.of(id(), queues.stream().map(UblkQueue::stats).toList());
    }

    /** @return what the kernel does with the device when this server goes away */
    public Recovery recovery() {
        return Recovery.of(info.flags());
    }

    /** @return whether this server took the device over from one that went away ({@link UblkDeviceBuilder#recover(int)}) */
    public boolean isTakenOver() {
        return takenOver;
    }

    /** @return the control device this device was added through */
    public UblkControl control() {
        return control;
    }

    /** @return whether the device is unprivileged (its control commands carry its path) */
    boolean isUnprivileged() {
        return unprivileged;
    }

    /** @return the device's size in bytes now: as added, or as last changed by {@link #updateSize(long)} */
    public long sizeBytes() {
        return sizeBytes;
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
    public UblkDevice runQueues(boolean pinned) {
        return runQueues(pinned ? QueueAffinity.KERNEL : QueueAffinity.NONE);
    }

    /**
     * Like {@link #runQueues()}, each thread first bound to the CPUs the affinity gives its queue.
     * A thread whose binding the kernel refuses logs it and serves nothing, so {@link #start()} fails.
     *
     * @param affinity where each queue's thread runs
     * @return this device
     */
    public synchronized UblkDevice runQueues(QueueAffinity affinity) {
        if (!runnerThreads.isEmpty()) {
            throw new IllegalStateException("the queues of device " + id() + " already run");
        }
        for (UblkQueue q : queues) {
            Thread t = Thread.ofPlatform().name(q.toString()).unstarted(new QueueRunner(q, affinity));
            runnerThreads.add(t);
            t.start();
        }
        return this;
    }

    /**
     * Starts the device (START_DEV) once every queue has fetched its tags; {@code /dev/ublkbN}
     * exists when this returns. The queues must keep being served meanwhile: the kernel may read
     * the partition table before this returns. For a device being {@linkplain UblkDeviceBuilder#recover(int)
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
        Event event = DeviceEvents.begin(takenOver ? DeviceEvents.Step.RECOVERED : DeviceEvents.Step.STARTED, id());
        if (takenOver) {
            control.endUserRecovery(id(), ProcessCalls.getpid(), unprivileged);
            LOG.log(INFO, "device " + id() + ": recovery ended, " + blockPath() + " serves waiting IO again");
        } else {
            control.startDevice(id(), ProcessCalls.getpid(), unprivileged);
            LOG.log(INFO, "device " + id() + " started: " + blockPath());
            applyIoScheduler();
        }
        DeviceEvents.end(event, null);
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
                warn("could not set the IO scheduler to " + ioScheduler + " in " + knob, e);
            }
        }
    }

    /**
     * Lets go of a device with recovery without stopping or deleting it, as a server crash would
     * but in order: the queues stop serving and close (the threads of {@link #runQueues} do it;
     * queues driven by the application must be closed by their threads), then {@code /dev/ublkcN}
     * closes. The kernel keeps the device, as {@link #recovery()} says, until a new server takes it
     * over with {@link UblkDeviceBuilder#recover(int)}, in this process or another. Returns once the kernel
     * has seen the server go (the device is no longer live). After this, {@link #close()} does nothing.
     *
     * @throws IllegalStateException when the device has no recovery (it would be stopped: use
     *     {@link #close()}), or a queue is still open after 30 s
     */
    public void detach() {
        if (recovery() == Recovery.OFF) {
            throw new IllegalStateException("device " + id() + " was added without recovery: letting go of it would stop it;"
                    + " use close(), or add it with UblkDeviceBuilder.recovery(...)");
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
        LOG.log(INFO, "device " + id() + " let go: the kernel keeps it (recovery " + recovery().cliName() + ") for a new server");
        try {
            awaitServerGone();
        } finally {
            stopStatisticsEvents();
            DeviceEvents.record(DeviceEvents.Step.DETACHED, id());
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
                    warn("the kernel still shows the device live 10 s after its server let go", null);
                    return;
                }
                Thread.sleep(10);
            }
        } catch (UblkException e) {
            warn("could not read the device's state after letting go", e);
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
        LOG.log(INFO, "device " + id() + ": stopping");
        control.stopDevice(id(), unprivileged);
        DeviceEvents.record(DeviceEvents.Step.STOPPED, id());
    }

    /**
     * Stops the device only if nobody has {@code /dev/ublkbN} open (TRY_STOP_DEV, kernel 7.0+):
     * otherwise it keeps running. Once stopped, every queue terminates, as after {@link #stop()}.
     *
     * @throws UblkDeviceBusyException when the block device is open (mounted, or held by a process)
     * @throws UblkException EOPNOTSUPP when the kernel has no safe stop (the device keeps running;
     *     there is no silent fall back to {@link #stop()}), or when the kernel refuses otherwise
     */
    public void tryStop() throws UblkException {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        control.tryStop(id(), unprivileged);
        synchronized (this) {
            stopped = true;
        }
        LOG.log(INFO, "device " + id() + ": stopped, nobody had it open");
        DeviceEvents.record(DeviceEvents.Step.STOPPED, id());
    }

    /**
     * Changes the size of the running device (UPDATE_SIZE, kernel 6.16+): the kernel announces the
     * new capacity at once. Growing is allowed up to what the target can hold,
     * {@link BlockTarget#maxSizeBytes()}, or the size the device was added with if that is more;
     * shrinking always, to at least one block.
     *
     * @param bytes the new size: a positive multiple of the logical block size
     * @throws IllegalArgumentException when the size is not a multiple of the logical block size, or
     *     more than the target can hold
     * @throws IllegalStateException when the device is not started, or stopped
     * @throws UblkException EOPNOTSUPP when the kernel cannot resize, or when the kernel refuses
     */
    public void updateSize(long bytes) throws UblkException {
        synchronized (this) {
            if (!started || stopped || closed) {
                throw new IllegalStateException("device " + id() + " is not running: resize it between start() and stop()");
            }
        }
        control.requireFeature(UblkFeature.UPDATE_SIZE, "UBLK_U_CMD_UPDATE_SIZE", id());
        checkTargetHolds(bytes, Math.max(params.sizeBytes(), target.maxSizeBytes()), target);
        control.updateSize(id(), bytes, unprivileged);
        long before = sizeBytes;
        sizeBytes = bytes;
        LOG.log(INFO, "device " + id() + ": size " + before + " -> " + bytes + " bytes");
    }

    static void checkTargetHolds(long bytes, long maxBytes, BlockTarget target) {
        if (bytes > maxBytes) {
            throw new IllegalArgumentException("device size " + bytes + " is more than " + target.getClass().getSimpleName()
                    + " can hold: " + maxBytes + " bytes at most");
        }
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
        Event deleted = DeviceEvents.begin(DeviceEvents.Step.DELETED, id());
        UblkException failure = null;
        if (queues.stream().anyMatch(UblkQueue::isStarted)) {
            try {
                stop();
            } catch (UblkException e) {
                if (e.errno() != Errno.ENODEV) {
                    failure = e;
                }
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
                    q.warn("still running at delete; its thread did not close it", e);
                }
            }
        }
        UblkControl.closeQuietly(charFd);
        try {
            control.deleteDevice(id(), unprivileged);
            LOG.log(INFO, "device " + id() + " deleted");
        } catch (UblkException e) {
            if (e.errno() == Errno.ENODEV) {
                // Deleted meanwhile by someone else, e.g. with DEL_DEV_ASYNC: what close() was to do is done.
                LOG.log(INFO, "device " + id() + " was already deleted");
            } else if (failure == null) {
                failure = e;
            }
        } finally {
            if (ownsControl) {
                control.close();
            }
        }
        stopStatisticsEvents();
        DeviceEvents.end(deleted, failure);
        synchronized (this) {
            notifyAll();
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- queue callbacks ------------------------------------------------------------------------

    synchronized void onQueueStarted(UblkQueue q) {
        if (QUEUE_LOG.isLoggable(DEBUG)) {
            QUEUE_LOG.log(DEBUG, "device " + id() + " queue " + q.queueId() + ": started, " + q.depth() + " tags fetched");
        }
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
        if (QUEUE_LOG.isLoggable(DEBUG)) {
            QUEUE_LOG.log(DEBUG, "device " + id() + " queue " + q.queueId() + ": terminated, no request left with the target");
        }
        notifyAll();
    }

    synchronized void onQueueClosed(UblkQueue q) {
        notifyAll();
    }

    /** A failure the device survives: logged at WARNING on {@code io.jublk.device}. */
    void warn(String what, Throwable cause) {
        warn(id(), what, cause);
    }

    static void warn(int devId, String what, Throwable cause) {
        if (LOG.isLoggable(WARNING)) {
            LOG.log(WARNING, "device " + devId + ": " + what, cause);
        }
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

    private void stopStatisticsEvents() {
        try {
            statisticsEvents.close();
        } catch (Exception e) {
            warn("could not stop the statistics events", e);
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
}
