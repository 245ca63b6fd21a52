// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.targets.nbd.NbdConnection.Command;
import io.jublk.uring.sys.MemoryCalls;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A device whose blocks live on an NBD server: each request becomes an NBD command, pipelined on
 * the connection and completed from the connection's reader thread.
 *
 * <pre>{@code
 * try (NbdTarget nbd = NbdTarget.builder(NbdUri.parse("nbd://storage:10809/disk0")).open();
 *      UblkDevice dev = UblkDevice.builder().target(nbd).queues(2).build()) {
 *     dev.runQueues();
 *     dev.start();
 *     dev.awaitStopped();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Capabilities come from the server's transmission flags: flush (a volatile cache), FUA, trim
 *       (discard), write-zeroes and rotational are advertised only when the server offers them, and
 *       a read-only export makes a read-only device.</li>
 *   <li>Connections: with NBD_FLAG_CAN_MULTI_CONN, one per queue by default (or as many as
 *       {@link Builder#connections(int)} says), each queue sending on its own; otherwise one
 *       connection shared by every queue, whose sends are serialized.</li>
 *   <li>Data: in the copy modes a READ's reply is read straight into the request buffer and a WRITE
 *       sent straight from it; in {@link DataMode#USER_COPY} through a per-tag staging buffer of the
 *       target's own. Nothing is allocated per request once each tag has been used.</li>
 *   <li>Failures: a connection that breaks fails its requests in flight with EIO at once; requests
 *       that arrive while no connection is up fail with EIO without waiting. A background thread
 *       reconnects with exponential backoff and serving resumes once a connection is back, provided
 *       the export still has the same size (otherwise it is refused and logged, and requests keep
 *       failing).</li>
 *   <li>Queue threads never connect. They do write to the socket, so a server that stops reading
 *       while alive holds a sending queue until its socket buffer drains or the connection breaks.</li>
 *   <li>Not supported: TLS ({@code nbds://}), which {@link NbdUri} rejects; export resizing.</li>
 * </ul>
 *
 * <p>Lifecycle: open the target, build one device on it, and {@link #close()} the target after the
 * device is closed. The device takes its size, block size and largest request from the export
 * ({@link #geometry()}). Thread-safe: queues call it concurrently.
 */
public final class NbdTarget implements BlockTarget, AutoCloseable {
    private static final int EROFS = 30;
    private static final int EIO = QueueHandler.EIO;
    private static final int EOPNOTSUPP = QueueHandler.EOPNOTSUPP;
    private static final int ASYNC = QueueHandler.ASYNC;

    private final ConnectionPool pool;
    /** The export as first negotiated; reconnections must match it. */
    private final NbdExport export;
    private final int connections;
    private final boolean readOnly;
    private final boolean canFlush;
    private final boolean canFua;
    private final boolean canTrim;
    private final boolean canWriteZeroes;
    private final boolean rotational;
    private final int logicalBlockSize;
    private final long size;
    private final NbdConnection.Listener onReply = new NbdConnection.Listener() {
        @Override
        public void completed(long handle, int error, MemorySegment data) {
            onCompleted(handle, error);
        }
    };

    /** Per-request state of the device, indexed by slot = queue * depth + tag; set up by the first queue. */
    private volatile Slots slots;
    private final List<MemorySegment> stagingMappings = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private static final class Slots {
        final int depth;
        final UblkIo[] ios;
        /** What a request completes with on success: its length, or 0. */
        final int[] success;
        /** READs in user-copy mode, whose data goes from the staging buffer to the request. */
        final boolean[] copyBack;
        /** User-copy staging buffers, per slot. */
        final MemorySegment[] staging;

        Slots(int queues, int depth) {
            this.depth = depth;
            int n = queues * depth;
            this.ios = new UblkIo[n];
            this.success = new int[n];
            this.copyBack = new boolean[n];
            this.staging = new MemorySegment[n];
        }
    }

    private NbdTarget(Builder b) throws IOException {
        int wanted = b.connections == 0 ? 1 : b.connections;
        this.pool = ConnectionPool.open(b.uri, wanted, b.structuredReplies, b.openTimeout, b.backoffMin, b.backoffMax,
                onReply);
        try {
            this.export = pool.export();
            this.connections = b.connections;
            this.readOnly = export.has(NbdConnection.FLAG_READ_ONLY);
            this.canFlush = export.has(NbdConnection.FLAG_SEND_FLUSH);
            this.canFua = export.has(NbdConnection.FLAG_SEND_FUA);
            this.canTrim = !readOnly && export.has(NbdConnection.FLAG_SEND_TRIM);
            this.canWriteZeroes = !readOnly && export.has(NbdConnection.FLAG_SEND_WRITE_ZEROES);
            this.rotational = export.has(NbdConnection.FLAG_ROTATIONAL);
            if (export.minBlockSize() > 4096) {
                throw new NbdException("the server's minimum block size " + export.minBlockSize() + " of " + b.uri
                        + " exceeds 4096, the largest logical block size a ublk device can have");
            }
            if (export.maxPayload() < 4096) {
                throw new NbdException("the server's largest request of " + export.maxPayload() + " bytes at " + b.uri
                        + " is below 4096, the smallest request size a ublk device can be limited to");
            }
            this.logicalBlockSize = Math.max(512, export.minBlockSize());
            this.size = export.size() & -logicalBlockSize;
            if (size <= 0) {
                throw new NbdException("the export at " + b.uri + " holds " + export.size()
                        + " bytes, less than one " + logicalBlockSize + "-byte block");
            }
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * @param uri where the export is
     * @return a builder for a target on it
     */
    public static Builder builder(NbdUri uri) {
        return new Builder(uri);
    }

    /**
     * Opens a target with the defaults: a connection per queue when the server allows it, reconnect
     * backoff from 100 ms to 5 s; connection losses and
     * reconnects are logged on {@code io.jublk.nbd}.
     *
     * @param uri where the export is
     * @return the target, connected
     * @throws IOException when the server cannot be reached or refuses the export
     */
    public static NbdTarget open(NbdUri uri) throws IOException {
        return builder(uri).open();
    }

    /** Options for an {@link NbdTarget}; not thread-safe, use once. */
    public static final class Builder {
        private final NbdUri uri;
        private int connections;
        private Duration backoffMin = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Duration openTimeout = NbdConnection.DEFAULT_OPEN_TIMEOUT;
        private boolean structuredReplies = true;

        private Builder(NbdUri uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /**
         * @param count connections to open when the server advertises multi-conn, 1 to 4096; 0 (the
         *     default) opens one per queue of the device. Without multi-conn one connection is used
         *     whatever this says.
         * @return this builder
         */
        public Builder connections(int count) {
            if (count < 0 || count > 4096) {
                throw new IllegalArgumentException("connections " + count + " is out of range: use 1..4096, or 0 for one per queue");
            }
            this.connections = count;
            return this;
        }

        /**
         * @param min the wait before the first reconnect attempt after a connection is lost; default 100 ms
         * @param max the longest wait between attempts, which double up to it; default 5 s
         * @return this builder
         */
        public Builder reconnect(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect backoff needs 0 < min <= max, got " + min + " and " + max);
            }
            this.backoffMin = min;
            this.backoffMax = max;
            return this;
        }

        /**
         * @param timeout how long connecting plus the handshake may take, at open and on each
         *     reconnect attempt; default 30 s
         * @return this builder
         */
        public Builder openTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("open timeout " + timeout + " must be positive");
            }
            this.openTimeout = timeout;
            return this;
        }

        /**
         * @param on whether to ask for structured replies (holes in reads come back as zeros without
         *     being sent); default true, used only if the server agrees
         * @return this builder
         */
        public Builder structuredReplies(boolean on) {
            this.structuredReplies = on;
            return this;
        }

        /**
         * Connects (the first connection, and with an explicit {@link #connections(int)} count all of
         * them) and negotiates the export.
         *
         * @return the target
         * @throws IOException when the server cannot be reached within the open timeout, refuses the
         *     export (the message says why), or offers block sizes a ublk device cannot use
         */
        public NbdTarget open() throws IOException {
            return new NbdTarget(this);
        }
    }

    // ---- what the device is built with ----------------------------------------------------------

    /** @return the device size: the export's, rounded down to {@link #logicalBlockSize()} */
    public long size() {
        return size;
    }

    /** @return the logical block size the device must have: 512, or the server's larger minimum block size */
    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    /**
     * @return the largest request the server accepts, rounded down to 4096 and at most 32 MiB; a
     *     device must not be built with a larger {@code maxIoBytes}
     */
    public int maxIoBytes() {
        return (int) Math.min(export.maxPayload(), 32 << 20) & -4096;
    }

    /** @return whether the export is read-only, which makes the device read-only */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** @return how many connections there are, up or down */
    public int connectionCount() {
        return pool.linkCount();
    }

    /** @return how many connections are up now; requests fail with EIO while this is zero */
    public int connectionsUp() {
        return pool.linksUp();
    }

    /** The export's size and block size, and requests of at most 512 KiB or the server's largest. */
    @Override
    public TargetGeometry geometry() {
        return TargetGeometry.ofSize(size).withLogicalBlockSize(logicalBlockSize)
                .withMaxIoBytes(Math.min(512 << 10, maxIoBytes()));
    }

    @Override
    public TargetCapabilities capabilities() {
        return TargetCapabilities.NO_CACHE.withWriteCache(canFlush).withFua(canFua).withDiscard(canTrim)
                .withWriteZeroes(canWriteZeroes).withRotational(rotational).withReadOnly(readOnly);
    }

    // ---- queues ---------------------------------------------------------------------------------

    @Override
    public QueueHandler openQueue(UblkQueue queue) throws IOException {
        if (closed.get()) {
            throw new IOException("the nbd target " + pool + " is closed");
        }
        UblkDevice dev = queue.device();
        int maxIo = dev.info().maxIoBufBytes();
        if (maxIo > export.maxPayload()) {
            throw new IOException("the device's largest request, " + maxIo + " bytes, exceeds the NBD server's "
                    + export.maxPayload() + ": leave maxIoBytes(...) to the target, or give at most " + maxIoBytes());
        }
        int lbs = 1 << dev.params().logicalBsShift();
        if (lbs % export.minBlockSize() != 0) {
            throw new IOException("the device's " + lbs + "-byte blocks are not a multiple of the NBD server's minimum block size "
                    + export.minBlockSize() + ": leave logicalBlockSize(...) to the target");
        }
        if (dev.params().sizeBytes() > export.size()) {
            throw new IOException("the device's size " + dev.params().sizeBytes() + " exceeds the export's " + export.size()
                    + ": leave size(...) to the target");
        }
        int queues = dev.queues().size();
        int depth = queue.depth();
        MemorySegment mapping = null;
        if (dev.dataMode() == DataMode.USER_COPY) {
            // Virtual memory only; a tag's pages are touched by its first request that big.
            mapping = MemoryCalls.reserve((long) depth * maxIo);
        }
        synchronized (this) {
            Slots s = slots;
            if (s == null) {
                s = new Slots(queues, depth);
            } else if (s.depth != depth || s.ios.length != queues * depth) {
                if (mapping != null) {
                    MemoryCalls.munmapQuietly(mapping);
                }
                throw new IOException("the nbd target " + pool + " already serves a device of " + s.ios.length / s.depth
                        + " queues of depth " + s.depth + "; open a target per device");
            }
            if (mapping != null) {
                stagingMappings.add(mapping);
                int base = queue.queueId() * depth;
                for (int tag = 0; tag < depth; tag++) {
                    s.staging[base + tag] = mapping.asSlice((long) tag * maxIo, maxIo);
                }
            }
            slots = s; // the volatile write publishes the arrays to the queues and readers
        }
        pool.require(lbs, maxIo);
        if (connections == 0) {
            pool.growTo(queues);
        }
        return new NbdQueue();
    }

    // ---- requests -------------------------------------------------------------------------------

    /**
     * A queue's handler: the requests go to the queue's connection. The handle table is the
     * device's, since replies arrive on the connections' reader threads.
     */
    private final class NbdQueue implements QueueHandler {
        @Override
        public int read(UblkIo io) {
            return NbdTarget.this.read(io);
        }

        @Override
        public int write(UblkIo io) {
            return NbdTarget.this.write(io);
        }

        @Override
        public int flush(UblkIo io) {
            return NbdTarget.this.flush(io);
        }

        @Override
        public int discard(UblkIo io) {
            return NbdTarget.this.discard(io);
        }

        @Override
        public int writeZeroes(UblkIo io) {
            return NbdTarget.this.writeZeroes(io);
        }
    }

    private int read(UblkIo io) {
        return send(io, Command.READ, 0);
    }

    private int write(UblkIo io) {
        if (readOnly) {
            return -EROFS;
        }
        return send(io, Command.WRITE, io.fua() && canFua ? NbdConnection.CMD_FLAG_FUA : 0);
    }

    private int flush(UblkIo io) {
        if (!canFlush) {
            return 0; // no cache to flush: the kernel is told so and should not ask
        }
        return send(io, Command.FLUSH, 0);
    }

    private int discard(UblkIo io) {
        if (!canTrim) {
            return readOnly ? -EROFS : EOPNOTSUPP;
        }
        return send(io, Command.TRIM, 0);
    }

    private int writeZeroes(UblkIo io) {
        if (!canWriteZeroes) {
            return readOnly ? -EROFS : EOPNOTSUPP;
        }
        int flags = (io.noUnmap() ? NbdConnection.CMD_FLAG_NO_HOLE : 0) | (io.fua() && canFua ? NbdConnection.CMD_FLAG_FUA : 0);
        return send(io, Command.WRITE_ZEROES, flags);
    }

    private int send(UblkIo io, Command command, int flags) {
        int qid = io.queue().queueId();
        NbdConnection conn = pool.route(qid);
        if (conn == null) {
            return EIO; // no connection: fail now rather than hold the request for a reconnect
        }
        Slots s = slots;
        int slot = qid * s.depth + io.tag();
        int length = io.length();
        MemorySegment data = null;
        boolean copyBack = false;
        if (command == Command.READ || command == Command.WRITE) {
            data = io.buffer();
            if (data == null) {
                data = s.staging[slot];
                if (command == Command.WRITE) {
                    int copied = io.copyFromRequest(0, data, 0, length);
                    if (copied < 0) {
                        return copied;
                    }
                } else {
                    copyBack = true;
                }
            }
            s.success[slot] = length;
        } else {
            s.success[slot] = 0;
        }
        s.ios[slot] = io;
        s.copyBack[slot] = copyBack;
        // Completes later on the connection's reader thread, or on this one if the connection just failed.
        // A flush's descriptor carries no range (its sector reads as -1): send 0, 0.
        boolean flush = command == Command.FLUSH;
        conn.sendInSlot(slot, command, flush ? 0 : io.offset(), flush ? 0 : length, data, flags);
        return ASYNC;
    }

    /** A reply, on a connection's reader thread. */
    private void onCompleted(long handle, int error) {
        Slots s = slots;
        int slot = NbdConnection.slotOf(handle);
        UblkIo io = s.ios[slot];
        int result;
        if (error != 0) {
            // NBD error values are Linux errnos; ESHUTDOWN means nothing to the block layer.
            result = error == NbdProtocol.ESHUTDOWN || error > 4095 ? EIO : -error;
        } else {
            result = s.success[slot];
            if (s.copyBack[slot]) {
                int copied = io.copyToRequest(0, s.staging[slot], 0, result);
                if (copied < 0) {
                    result = copied;
                }
            }
        }
        io.complete(result);
    }

    // ---- closing --------------------------------------------------------------------------------

    /**
     * Closes every connection (letting the server answer what is in flight, briefly) and stops the
     * reconnect thread, then frees the staging buffers; call after the device is closed. Idempotent.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        pool.close(); // no reply can arrive after this, so the staging buffers are free
        synchronized (this) {
            for (MemorySegment m : stagingMappings) {
                MemoryCalls.munmapQuietly(m);
            }
            stagingMappings.clear();
        }
    }

    @Override
    public String toString() {
        return "NbdTarget[" + pool + ", " + size + " bytes" + (readOnly ? ", read-only" : "") + ']';
    }
}
