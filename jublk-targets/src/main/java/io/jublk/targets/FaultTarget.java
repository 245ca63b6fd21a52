// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.ErrnoException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps another target and injects faults at given rates: failed requests (EIO or another errno),
 * delayed requests, and target calls that throw. For testing how file systems and applications
 * cope with a misbehaving disk, and how the queue engine copes with a misbehaving target.
 *
 * <pre>{@code
 * FaultTarget t = FaultTarget.wrap(new MemTarget(size)).errorRate(0.01).errorOps(UBLK_IO_OP_WRITE)
 *         .delay(Duration.ofMillis(5)).delayRate(0.1).seed(42).build();
 * }</pre>
 *
 * <p>Each request draws three numbers from its queue's seeded stream, in this order: one for an
 * error, one for a throw, one for a delay. An error (on the ops chosen with
 * {@link Builder#errorOps}) completes the request with the errno and the inner target never sees
 * it; otherwise a throw makes the call throw, which the queue turns into EIO; otherwise the request
 * goes to the inner target. A delay holds the request first, whatever happens to it then. With one
 * seed, the n-th request on each queue meets the same fate on every run; which request is n-th is
 * up to the kernel.
 *
 * <p>Delays take no thread and never block the queue: a delayed request is parked on an
 * {@code IORING_OP_TIMEOUT} on the queue's own io_uring, and when that completes (on the queue's
 * thread, in the queue handler's {@code onRingCompletion}) the request goes on as above. Inner targets that do their
 * IO on the queue's ring ({@link FileTarget}, zero copy included) are thus still called on the
 * queue's thread. The timeouts' user_data sets the top bit of the 40 bits of target data, so the
 * inner target has {@code UblkQueue.TARGET_DATA_BITS - 1} = 39 bits; every other completion is
 * passed on unchanged.
 *
 * <p>The rates and the delay can be changed while the device runs (from any thread), so one device
 * can fail for a while and then recover. The target forwards {@link #geometry()},
 * {@link #capabilities()}, the queue handlers' buffers and ring completions, and {@link #close()}
 * to the inner target.
 * Nothing is allocated per request. Serves the queues of one device.
 */
public final class FaultTarget implements BlockTarget, AutoCloseable {
    private static final int ASYNC = QueueHandler.ASYNC;
    private static final int EIO = QueueHandler.EIO;
    private static final int EOPNOTSUPP = QueueHandler.EOPNOTSUPP;
    /** The target data bit that marks this target's own timeouts. */
    private static final long DELAY_MARK = 1L << (UblkQueue.TARGET_DATA_BITS - 1);
    private static final int TIMESPEC_BYTES = 16;
    private static final long MAX_DELAY_NANOS = Duration.ofHours(1).toNanos();

    static final int ERROR = 1;
    static final int THROW = 2;
    static final int DELAY = 4;

    /** One instance, with no stack trace: a throw costs no allocation, and the stack says nothing anyway. */
    private static final RuntimeException INJECTED = new InjectedFailure();

    private final BlockTarget inner;
    private final int errno;
    private final long errorOps;
    private final long seed;
    private volatile double errorRate;
    private volatile double throwRate;
    private volatile double delayRate;
    private volatile long delayNanos;
    private volatile boolean closed;

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder throwsDone = new LongAdder();
    private final LongAdder delays = new LongAdder();

    private FaultTarget(Builder b) {
        this.inner = b.inner;
        this.errno = b.errno;
        this.errorOps = b.errorOps;
        this.seed = b.seed;
        this.errorRate = b.errorRate;
        this.throwRate = b.throwRate;
        this.delayNanos = b.delayNanos;
        this.delayRate = b.delayRate >= 0 ? b.delayRate : (b.delayNanos > 0 ? 1.0 : 0.0);
    }

    /**
     * Starts wrapping a target; without further settings the result passes every request through.
     *
     * @param inner the target that serves the requests that are not failed
     * @return a builder
     */
    public static Builder wrap(BlockTarget inner) {
        if (inner == null) {
            throw new IllegalArgumentException("no target to wrap: give the target that serves the requests");
        }
        return new Builder(inner);
    }

    /** What faults a {@link FaultTarget} injects, checked as they are set. */
    public static final class Builder {
        private final BlockTarget inner;
        private double errorRate;
        private int errno = EIO;   // stored negative, as results are
        private long errorOps = ~0L;
        private double throwRate;
        private long delayNanos;
        private double delayRate = -1;
        private long seed = ThreadLocalRandom.current().nextLong();

        private Builder(BlockTarget inner) {
            this.inner = inner;
        }

        /**
         * @param rate the share of requests that fail with the errno, 0 to 1 (default 0)
         * @return this builder
         */
        public Builder errorRate(double rate) {
            this.errorRate = checkRate("error rate", rate);
            return this;
        }

        /**
         * @param errno the positive errno failed requests complete with, e.g. 5 (EIO, the default) or 28 (ENOSPC)
         * @return this builder
         */
        public Builder errno(int errno) {
            if (errno <= 0 || errno >= 4096) {
                throw new IllegalArgumentException("errno " + errno + " is not an error number: give a positive errno"
                        + " below 4096, such as 5 (EIO)");
            }
            this.errno = -errno;
            return this;
        }

        /**
         * Limits errors to some ops; by default every op may fail.
         *
         * @param ops the ops that may fail, {@code UblkIoOp.UBLK_IO_OP_*} (READ = 0, WRITE = 1, FLUSH = 2, ...)
         * @return this builder
         */
        public Builder errorOps(int... ops) {
            if (ops.length == 0) {
                throw new IllegalArgumentException("no ops given for errors: give at least one UBLK_IO_OP_*, or leave"
                        + " errorOps out to fail every op");
            }
            long mask = 0;
            for (int op : ops) {
                if (op < 0 || op > 63) {
                    throw new IllegalArgumentException("op " + op + " is not a ublk op: give UBLK_IO_OP_* values such as"
                            + " 0 (READ) or 1 (WRITE)");
                }
                mask |= 1L << op;
            }
            this.errorOps = mask;
            return this;
        }

        /**
         * @param rate the share of requests whose target call throws a RuntimeException, 0 to 1 (default 0);
         *     the queue fails each with EIO and counts it in {@link UblkQueue#targetFailures()}
         * @return this builder
         */
        public Builder throwRate(double rate) {
            this.throwRate = checkRate("throw rate", rate);
            return this;
        }

        /**
         * @param delay how long a delayed request is held before it is served (default none; at most an hour)
         * @return this builder
         */
        public Builder delay(Duration delay) {
            this.delayNanos = checkDelay(delay);
            return this;
        }

        /**
         * @param rate the share of requests that are delayed, 0 to 1 (default 1 once a delay is given)
         * @return this builder
         */
        public Builder delayRate(double rate) {
            this.delayRate = checkRate("delay rate", rate);
            return this;
        }

        /**
         * @param seed the seed of the queues' random streams; the same seed gives the same faults (default random)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the target
         * @throws IllegalArgumentException when a delay rate is given without a delay
         */
        public FaultTarget build() {
            if (delayRate > 0 && delayNanos == 0) {
                throw new IllegalArgumentException("delay rate " + delayRate + " without a delay: give delay(Duration) too");
            }
            return new FaultTarget(this);
        }
    }

    // ---- settings, also at run time -------------------------------------------------------------

    /** @return the wrapped target */
    public BlockTarget inner() {
        return inner;
    }

    /** @return the seed of the queues' random streams, to reproduce a run */
    public long seed() {
        return seed;
    }

    /** @return the errno failed requests complete with, positive */
    public int errno() {
        return -errno;
    }

    /** @return the share of requests that fail */
    public double errorRate() {
        return errorRate;
    }

    /**
     * Changes the error rate from now on; safe from any thread.
     *
     * @param rate 0 to 1
     */
    public void errorRate(double rate) {
        this.errorRate = checkRate("error rate", rate);
    }

    /** @return the share of requests whose call throws */
    public double throwRate() {
        return throwRate;
    }

    /**
     * Changes the throw rate from now on; safe from any thread.
     *
     * @param rate 0 to 1
     */
    public void throwRate(double rate) {
        this.throwRate = checkRate("throw rate", rate);
    }

    /** @return the share of requests that are delayed (none while the delay is zero) */
    public double delayRate() {
        return delayRate;
    }

    /**
     * Changes the delay rate from now on; safe from any thread.
     *
     * @param rate 0 to 1
     */
    public void delayRate(double rate) {
        this.delayRate = checkRate("delay rate", rate);
    }

    /** @return how long a delayed request is held */
    public Duration delay() {
        return Duration.ofNanos(delayNanos);
    }

    /**
     * Changes the delay from now on; zero turns delays off. Safe from any thread.
     *
     * @param delay at most an hour
     */
    public void delay(Duration delay) {
        this.delayNanos = checkDelay(delay);
    }

    // ---- counters -------------------------------------------------------------------------------

    /** @return requests seen */
    public long requests() {
        return requests.sum();
    }

    /** @return requests failed with the errno */
    public long injectedErrors() {
        return errors.sum();
    }

    /** @return target calls that threw */
    public long injectedThrows() {
        return throwsDone.sum();
    }

    /** @return requests delayed */
    public long injectedDelays() {
        return delays.sum();
    }

    // ---- forwarded ------------------------------------------------------------------------------

    @Override
    public TargetGeometry geometry() {
        return inner.geometry();
    }

    @Override
    public long maxSizeBytes() {
        return inner.maxSizeBytes();
    }

    @Override
    public TargetCapabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public QueueHandler openQueue(UblkQueue queue) throws IOException {
        if (closed) {
            throw new IOException("fault target over " + inner + " is closed");
        }
        return new FaultQueue(new FaultDice(seed, queue.queueId()), queue, inner.openQueue(queue));
    }

    /**
     * Closes the inner target when it is {@link AutoCloseable}; call after the device is deleted. Idempotent.
     *
     * @throws UncheckedIOException when the inner target's close fails with an IOException
     * @throws IllegalStateException when it fails with another checked exception
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (inner instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing " + inner + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + inner + ": " + e, e);
            }
        }
    }

    // ---- requests -------------------------------------------------------------------------------

    /** One queue's faults in front of the inner target's handler; only the queue's thread touches it. */
    private final class FaultQueue implements QueueHandler {
        private final FaultDice dice;
        private final UblkQueue queue;
        private final QueueHandler inner;
        private final byte[] pending;          // what a delayed request does once its timeout fires
        private final Arena arena;
        private final MemorySegment timespecs; // one __kernel_timespec per tag

        FaultQueue(FaultDice dice, UblkQueue queue, QueueHandler inner) {
            this.dice = dice;
            this.queue = queue;
            this.inner = inner;
            this.pending = new byte[queue.depth()];
            this.arena = Arena.ofShared();
            this.timespecs = arena.allocate((long) queue.depth() * TIMESPEC_BYTES, 8);
        }

        @Override
        public int read(UblkIo io) {
            return serve(io);
        }

        @Override
        public int write(UblkIo io) {
            return serve(io);
        }

        @Override
        public int flush(UblkIo io) {
            return serve(io);
        }

        @Override
        public int discard(UblkIo io) {
            return serve(io);
        }

        @Override
        public int writeZeroes(UblkIo io) {
            return serve(io);
        }

        @Override
        public IoBufferProvider bufferProvider() {
            return inner.bufferProvider();
        }

        @Override
        public void onRingCompletion(UblkIo io, long data, int res, int flags) {
            if ((data & DELAY_MARK) == 0) {
                inner.onRingCompletion(io, data, res, flags);
                return;
            }
            // The delay is over (-ETIME); on any other result, serve the request anyway rather than lose it.
            int result = act(io, pending[io.tag()]);
            if (result != ASYNC) {
                io.complete(result);
            }
        }

        @Override
        public void stop() {
            try {
                inner.stop();
            } finally {
                // The kernel copied each timespec when its timeout was submitted: nothing refers to them now.
                arena.close();
            }
        }

        private int serve(UblkIo io) {
            requests.increment();
            int action = roll(dice, io.op());
            if ((action & DELAY) != 0 && park(io, action)) {
                delays.increment();
                return ASYNC;
            }
            return act(io, action);
        }

        private int act(UblkIo io, int action) {
            if ((action & ERROR) != 0) {
                errors.increment();
                return errno;
            }
            if ((action & THROW) != 0) {
                throwsDone.increment();
                throw INJECTED;
            }
            return switch (io.op()) {
                case UblkIoOp.UBLK_IO_OP_READ -> inner.read(io);
                case UblkIoOp.UBLK_IO_OP_WRITE -> inner.write(io);
                case UblkIoOp.UBLK_IO_OP_FLUSH -> inner.flush(io);
                case UblkIoOp.UBLK_IO_OP_DISCARD -> inner.discard(io);
                case UblkIoOp.UBLK_IO_OP_WRITE_ZEROES -> inner.writeZeroes(io);
                default -> EOPNOTSUPP;
            };
        }

        /** Parks a request on a timeout on its queue's ring; false when the ring has no room (it is served now). */
        private boolean park(UblkIo io, int action) {
            int tag = io.tag();
            long nanos = delayNanos;
            long at = (long) tag * TIMESPEC_BYTES;
            timespecs.set(ValueLayout.JAVA_LONG, at, nanos / 1_000_000_000L);
            timespecs.set(ValueLayout.JAVA_LONG, at + 8, nanos % 1_000_000_000L);
            try {
                queue.ring().nextSqe().timeout(timespecs.address() + at, 0, 0)
                        .userData(UblkQueue.targetUserData(tag, DELAY_MARK));
            } catch (ErrnoException e) {
                return false;
            }
            pending[tag] = (byte) (action & ~DELAY);
            return true;
        }
    }

    /**
     * Decides a request's fate from three draws of its queue's dice, with the current settings.
     *
     * @param dice the queue's dice
     * @param op the request's op
     * @return {@link #ERROR} or {@link #THROW} or neither, with {@link #DELAY} or not
     */
    int roll(FaultDice dice, int op) {
        double e = dice.next();
        double t = dice.next();
        double d = dice.next();
        int action = 0;
        if (e < errorRate && op < 64 && (errorOps & (1L << op)) != 0) {
            action = ERROR;
        } else if (t < throwRate) {
            action = THROW;
        }
        if (d < delayRate && delayNanos > 0) {
            action |= DELAY;
        }
        return action;
    }

    private static double checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " " + rate + " is not a share of requests: give a number from 0"
                    + " (never) to 1 (every request), e.g. 0.01 for one in a hundred");
        }
        return rate;
    }

    private static long checkDelay(Duration delay) {
        if (delay == null) {
            throw new IllegalArgumentException("no delay given: give zero (no delay) or more, e.g. Duration.ofMillis(10)");
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay " + delay + " is negative: give zero (no delay) or more, e.g."
                    + " Duration.ofMillis(10)");
        }
        if (delay.compareTo(Duration.ofNanos(MAX_DELAY_NANOS)) > 0) {
            throw new IllegalArgumentException("delay " + delay + " is longer than an hour: a disk that slow looks"
                    + " hung to everything above it; give at most PT1H");
        }
        return delay.toNanos();
    }

    @Override
    public String toString() {
        return "FaultTarget[" + inner + ", errors " + errorRate + " (errno " + -errno + "), throws " + throwRate
                + ", delays " + delayRate + " x " + delay() + ", seed " + seed + ']';
    }

    /** What an injected throw throws. */
    private static final class InjectedFailure extends RuntimeException {
        InjectedFailure() {
            super("failure injected by FaultTarget (throw rate)", null, false, false);
        }
    }
}
