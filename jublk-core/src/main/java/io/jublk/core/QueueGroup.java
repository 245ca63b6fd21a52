// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.EventFd;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serves many queues, of one device or of many, on one platform thread, and sleeps while all of
 * them are idle: an idle device then costs no thread of its own.
 *
 * <p>Every member's ring signals one eventfd when it gets work (IORING_REGISTER_EVENTFD), so the
 * owner sleeps in one {@code poll(2)} on that eventfd and, once woken, runs
 * {@link UblkQueue#doWork()} on each member; an idle member costs a few memory reads per round, no
 * system call. Queues join at any time through {@link #add(UblkQueue)}; a member that terminates
 * (its device stopped) or is asked to let go ({@link UblkDevice#detach()}) is closed and dropped.
 *
 * <pre>{@code
 * QueueGroup group = QueueGroup.create();
 * Thread.ofPlatform().name("ublk-group").start(group);    // serves until group.stop()
 * for (UblkDevice dev : devices) {
 *     dev.queues().forEach(group::add);
 *     dev.start();
 * }
 * }</pre>
 *
 * <p>Threading: {@link #add(UblkQueue)} and {@link #stop()} may be called from any thread. The
 * other methods belong to the owner, the platform thread that first calls {@link #poll(long)},
 * {@link #doWork()} or {@link #run()}; the member queues become that thread's.
 */
public final class QueueGroup implements Runnable {
    private static final long RUN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private static final System.Logger LOG = System.getLogger("io.jublk.queue");

    private final EventFd wake;
    private final BitSet cpus;
    private final ConcurrentLinkedQueue<UblkQueue> joining = new ConcurrentLinkedQueue<>();
    private final List<UblkQueue> members = new ArrayList<>();
    private volatile boolean stopRequested;
    private volatile int size;
    private Thread owner;
    private boolean closed;

    private QueueGroup(EventFd wake, BitSet cpus) {
        this.wake = wake;
        this.cpus = cpus;
    }

    /**
     * @return a new, empty group
     * @throws UblkException when the eventfd cannot be created
     */
    public static QueueGroup create() throws UblkException {
        return create(null);
    }

    /**
     * A group whose {@link #run()} first binds its thread to the given CPUs; a group driven through
     * {@link #poll(long)} on the application's thread is bound by the application
     * ({@link CpuAffinity#pinCurrentThread(BitSet)}).
     *
     * @param cpus the CPUs for the serving thread, or {@code null} to leave it unbound
     * @return a new, empty group
     * @throws UblkException when the eventfd cannot be created
     */
    public static QueueGroup create(BitSet cpus) throws UblkException {
        if (cpus != null && cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU to bind the queue group's thread to");
        }
        try {
            return new QueueGroup(EventFd.create(), cpus == null ? null : (BitSet) cpus.clone());
        } catch (ErrnoException e) {
            throw new UblkException("eventfd for a queue group", -1, e);
        }
    }

    /**
     * Hands a queue to the group; the owner starts it ({@link UblkQueue#start()}) in its next
     * round. A queue that fails to start is logged (see {@link io.jublk.core}) and closed, so the device's
     * {@link UblkDevice#start()} fails. Any thread.
     *
     * @param queue a queue not yet started
     */
    public void add(UblkQueue queue) {
        if (queue.isStarted() || queue.isClosed()) {
            throw new IllegalStateException(queue + " is already started or closed");
        }
        if (stopRequested) {
            throw new IllegalStateException("the queue group is stopped");
        }
        joining.add(queue);
        wake.signal();
    }

    /** @return the queues the group serves, counting those still joining */
    public int size() {
        return size + joining.size();
    }

    /**
     * Asks {@link #run()} to return; it then closes the queues it still holds, which the kernel
     * treats as their server going away. Any thread.
     */
    public void stop() {
        stopRequested = true;
        wake.signal();
    }

    /**
     * Binds the thread to the group's CPUs if it has any, serves the members until {@link #stop()},
     * then {@linkplain #close() closes} the group. A refused binding is logged at WARNING and ends the
     * group, closing the queues handed to it.
     */
    @Override
    public void run() {
        try {
            if (cpus != null) {
                CpuAffinity.pinCurrentThread(cpus);
            }
            while (!stopRequested) {
                poll(RUN_POLL_NANOS);
            }
        } catch (UblkException e) {
            LOG.log(System.Logger.Level.WARNING, "queue group on " + Thread.currentThread().getName() + " serves nothing", e);
        } finally {
            close();
        }
    }

    /**
     * Starts the queues that joined, then does the ready work of every member without blocking.
     *
     * @return the amount of work done; zero when there was none
     */
    public int doWork() {
        checkOwner();
        int work = admit();
        for (int i = 0; i < members.size(); i++) {
            UblkQueue q = members.get(i);
            try {
                work += q.doWork();
            } catch (UblkException | RuntimeException e) {
                q.warn("queue stopped serving", e);
                q.close();
            }
            if (q.isClosed() || q.isTerminated() || q.isDetachRequested()) {
                q.close();
                members.remove(i--);
                work++;
            }
        }
        size = members.size();
        return work;
    }

    /**
     * Does the ready work of every member; when there is none, sleeps until a member gets work, a
     * queue joins, {@link #stop()} is called, or the timeout passes.
     *
     * @param timeoutNanos the longest sleep
     * @return the amount of work done; zero on a timeout
     */
    public int poll(long timeoutNanos) {
        int work = doWork();
        if (work > 0 || timeoutNanos <= 0) {
            return work;
        }
        for (UblkQueue q : members) {
            q.sleeping(true);
        }
        // A second look after announcing the sleep: a completion from another thread either shows
        // here or signals its queue's eventfd, which wakes this one through the ring.
        work = doWork();
        if (work == 0 && !stopRequested) {
            wake.await(timeoutNanos);
        }
        wake.drain();
        for (UblkQueue q : members) {
            q.sleeping(false);
        }
        return work + doWork();
    }

    /**
     * Closes every queue the group holds or was handed, and the eventfd. Owner only (or any thread
     * if no round ever ran); idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        if (owner != null && owner != Thread.currentThread() && owner.isAlive()) {
            throw new IllegalStateException("the queue group belongs to " + owner.getName() + "; call stop()");
        }
        closed = true;
        stopRequested = true;
        for (UblkQueue q : members) {
            q.close();
        }
        members.clear();
        for (UblkQueue q; (q = joining.poll()) != null; ) {
            q.close();
        }
        size = 0;
        wake.close();
    }

    private int admit() {
        int admitted = 0;
        for (UblkQueue q; (q = joining.poll()) != null; ) {
            admitted++;
            try {
                q.start();
                q.signalOnWork(wake);
                members.add(q);
            } catch (UblkException | RuntimeException e) {
                q.warn("queue failed to start", e);
                q.close();
            }
        }
        return admitted;
    }

    private void checkOwner() {
        Thread current = Thread.currentThread();
        if (owner == null) {
            if (current.isVirtual()) {
                throw new IllegalStateException("a queue group needs a platform thread: the kernel ties each tag"
                        + " to the thread that fetched it");
            }
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException("the queue group belongs to thread " + owner.getName());
        }
        if (closed) {
            throw new IllegalStateException("the queue group is closed");
        }
    }
}
