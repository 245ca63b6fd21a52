// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.engine.QueueEngine;
import io.jublk.core.engine.QueueHost;
import io.jublk.core.engine.UserData;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.stats.QueueStats;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.EventFd;
import io.jublk.uring.IoUring;

import static java.lang.System.Logger.Level.WARNING;

/**
 * One hardware queue of a ublk device: its io_uring, its mmapped request descriptors and a request
 * slot ({@link UblkIo}) per tag.
 *
 * <p>The queue fetches every tag, then for each request the kernel delivers calls the
 * target's {@link io.jublk.core.spi.QueueHandler} and commits the result; the commits of one round go to the kernel in one
 * {@code io_uring_enter}. When the device stops or is quiesced, the queue
 * {@linkplain #isTerminated() terminates} once the target holds no request.
 *
 * <p>Threading: the kernel ties each tag to the thread that fetched it, so {@link #start()},
 * {@link #poll(long)}, {@link #doWork()} and {@link #close()} must all run on one platform thread,
 * the queue's owner. The application brings that thread (a duty-cycle loop) or uses
 * {@link QueueRunner}. Only {@link UblkIo#complete(int)} may be called from other threads.
 */
public final class UblkQueue implements AutoCloseable {
    /** Bits of a target's user_data that it may use, see {@link #targetUserData(int, long)}. */
    public static final int TARGET_DATA_BITS = UserData.TARGET_DATA_BITS;
    private static final System.Logger LOG = System.getLogger("io.jublk.queue");

    private final UblkDevice device;
    private final int qid;
    private final int depth;
    private final int charFd;
    private final QueueEngine engine;
    private volatile boolean detachRequested;

    UblkQueue(UblkDevice device, int qid, int charFd, BlockTarget target) {
        this.device = device;
        this.qid = qid;
        this.depth = device.queueDepth();
        this.charFd = charFd;
        this.engine = new QueueEngine(this, new Host(), device.id(), qid, depth, device.maxIoBytes(),
                device.dataMode(), target, charFd, device.info().has(UblkFeature.BATCH_IO));
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
        return engine.ring();
    }

    /** @return the fd of {@code /dev/ublkcN}, also registered in the ring as fixed file 0 */
    public int charDeviceFd() {
        return charFd;
    }

    /** @return whether {@link #start()} has run */
    public boolean isStarted() {
        return engine.isStarted();
    }

    /**
     * @return whether the kernel is ending the queue (the device stops or is quiesced) and no request
     *     is left with the target; the owner should then close the queue
     */
    public boolean isTerminated() {
        return engine.isTerminated();
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
        return engine.targetFailures();
    }

    /** @return what this queue has served so far: a snapshot, cheap enough to take every second; any thread */
    public QueueStats stats() {
        return engine.stats();
    }

    /**
     * Builds the user_data for an operation a target submits on this queue's ring; its completion
     * comes back through {@link io.jublk.core.spi.QueueHandler#onRingCompletion}.
     *
     * @param tag the request the operation serves
     * @param data up to {@value #TARGET_DATA_BITS} bits the target gets back
     * @return the user_data to put in the SQE
     */
    public static long targetUserData(int tag, long data) {
        return UserData.target(tag, data);
    }

    /**
     * Sets the queue up on the calling thread, which becomes its owner: creates the ring, maps the
     * descriptors, and fetches every tag. After this the device can start.
     *
     * @throws UblkException when the ring, the mapping or a fetch fails; everything acquired is released
     */
    public void start() throws UblkException {
        engine.start();
    }

    /**
     * Does the work that is ready without blocking: commits completions from other threads, reaps the
     * ring and dispatches new requests to the target, and submits the resulting commits.
     *
     * @return the amount of work done; zero when there was none
     * @throws UblkException when the ring itself fails (not when a request fails)
     */
    public int doWork() throws UblkException {
        return engine.doWork();
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
        return engine.poll(timeoutNanos);
    }

    /**
     * Releases the ring, the mappings and the buffers; call on the owner thread once the queue is
     * terminated. Closing a running queue cancels its fetches, which the kernel treats as the server
     * going away. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /** @return whether {@link #close()} has run */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /** Has the kernel signal {@code eventFd} whenever this queue's ring gets work (QueueGroup). Owner only. */
    void signalOnWork(EventFd eventFd) throws UblkException {
        engine.signalOnWork(eventFd);
    }

    /** Marks whether the owner is about to sleep elsewhere, so that a completion from another thread wakes it. */
    void sleeping(boolean asleep) {
        engine.sleeping(asleep);
    }

    /** A failure the queue survives (a target exception, a refused command): logged at WARNING on {@code io.jublk.queue}. */
    void warn(String what, Throwable cause) {
        if (LOG.isLoggable(WARNING)) {
            LOG.log(WARNING, "device " + device.id() + " queue " + qid + ": " + what, cause);
        }
    }

    @Override
    public String toString() {
        return "ublk-d" + device.id() + "-q" + qid;
    }

    /** The device as the engine sees it. */
    private final class Host implements QueueHost {
        @Override
        public void queueStarted() {
            device.onQueueStarted(UblkQueue.this);
        }

        @Override
        public void queueAborted() {
            device.onQueueAborted(UblkQueue.this);
        }

        @Override
        public boolean deviceGoingAway() {
            return device.isGoingAway();
        }

        @Override
        public void queueTerminated() {
            device.onQueueTerminated(UblkQueue.this);
        }

        @Override
        public void queueClosed() {
            device.onQueueClosed(UblkQueue.this);
        }

        @Override
        public void report(String what, Throwable cause) {
            warn(what, cause);
        }
    }
}
