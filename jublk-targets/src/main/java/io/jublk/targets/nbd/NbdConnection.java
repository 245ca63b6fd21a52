// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static io.jublk.targets.nbd.NbdProtocol.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection to an NBD export: the fixed newstyle handshake, then pipelined commands.
 *
 * <p>{@link #open} connects, negotiates structured replies (when asked to and the server agrees)
 * and enters the transmission phase with NBD_OPT_GO (falling back to NBD_OPT_EXPORT_NAME on servers
 * without it). After that, {@link #send} writes a request and returns at once with its handle;
 * any number of requests may be in flight. One reader thread per connection reads the replies and
 * calls the {@link Listener} with {@code (handle, error, data)}, in the order the server answers,
 * which need not be the order of the requests. {@code send} may be called from any thread; requests
 * are written whole under a lock, so a sender blocks only while the socket's send buffer is full.
 * {@link #sendInSlot} does the same from a fixed set of numbered slots whose bookkeeping is reused,
 * and then sending, reading and completing allocate nothing per request.
 *
 * <p>When the connection fails (server gone, protocol error), the listener's {@link
 * Listener#failed} is called once, and every request in flight, and every request sent afterwards,
 * completes with EIO. {@link #close} stops sending, lets the server answer what is in flight (up to
 * a few seconds), sends NBD_CMD_DISC and closes; what is still unanswered completes with EIO. A
 * server answering NBD_ESHUTDOWN gets the same soft disconnect, and the connection reports itself
 * failed.
 */
public final class NbdConnection implements AutoCloseable {
    /** The commands a block device needs. */
    public enum Command {
        READ(CMD_READ), WRITE(CMD_WRITE), FLUSH(CMD_FLUSH), TRIM(CMD_TRIM), WRITE_ZEROES(CMD_WRITE_ZEROES);

        final int type;

        Command(int type) {
            this.type = type;
        }

        /** Whether the request has a payload: READ's reply data, WRITE's request data. */
        boolean carriesData() {
            return this == READ || this == WRITE;
        }
    }

    /** Receives completions, on the connection's reader thread (or a sender's, once failed). */
    public interface Listener {
        /**
         * A request finished.
         *
         * @param handle the value {@link #send} returned
         * @param error  0 on success, else a positive errno from the server (EIO when the connection
         *               failed)
         * @param data   the segment given to {@code send}: for a successful READ it now holds the data
         */
        void completed(long handle, int error, MemorySegment data);

        /**
         * The connection failed (not called after {@link #close}); in-flight requests fail next.
         * Called once, on the reader thread. A listener that throws fails the connection.
         */
        default void failed(IOException cause) {
        }
    }

    // Transmission flags (16 bits) from NBD_INFO_EXPORT or NBD_OPT_EXPORT_NAME.
    public static final int FLAG_HAS_FLAGS = 1;
    public static final int FLAG_READ_ONLY = 1 << 1;
    public static final int FLAG_SEND_FLUSH = 1 << 2;
    public static final int FLAG_SEND_FUA = 1 << 3;
    public static final int FLAG_ROTATIONAL = 1 << 4;
    public static final int FLAG_SEND_TRIM = 1 << 5;
    public static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int FLAG_SEND_DF = 1 << 7;
    public static final int FLAG_CAN_MULTI_CONN = 1 << 8;

    // Command flags for send(long, Command, long, long, MemorySegment, int).
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;

    private static final int SMALL_PAYLOAD_BYTES = 16 * 1024;
    private static final long CLOSE_DRAIN_MILLIS = 5000;

    private final SocketChannel channel;
    private final String exportName;
    private final NbdExport export;
    private final Listener listener;

    private final InFlightRequests inFlight = new InFlightRequests();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ByteBuffer requestHeader = ByteBuffer.allocateDirect(28 + SMALL_PAYLOAD_BYTES);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    /** Set by the reader thread once it stops reading, just before it fails what is in flight. */
    private volatile boolean terminated;
    /** No more requests go out: close() was called or the server said NBD_ESHUTDOWN. */
    private volatile boolean stopping;
    /** Requests written and not yet answered; changed under sendLock (up) or by the reader (down). */
    private final AtomicInteger written = new AtomicInteger();
    /** Guarded by sendLock. */
    private boolean discSent;
    private final Thread reader;

    /** Slots available to {@link #sendInSlot}. */
    public static final int MAX_SLOTS = InFlightRequests.MAX_SLOTS;

    /** How long {@link #open(NbdUri, Listener)} waits for the connection and handshake. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(30);

    /** Connects with structured replies requested and the default open timeout. */
    public static NbdConnection open(NbdUri uri, Listener listener) throws IOException {
        return open(uri, true, DEFAULT_OPEN_TIMEOUT, listener);
    }

    /** Connects with the default open timeout. */
    public static NbdConnection open(NbdUri uri, boolean structuredReplies, Listener listener) throws IOException {
        return open(uri, structuredReplies, DEFAULT_OPEN_TIMEOUT, listener);
    }

    /**
     * Connects to {@code uri} and negotiates the export.
     *
     * @param structuredReplies whether to ask for structured replies (used only if the server agrees)
     * @param timeout           how long connecting plus the handshake may take; a server that
     *                          accepts and then says nothing cannot hang the caller
     * @throws NbdException when the server refuses the export (the message names it) or breaks the
     *                      protocol
     * @throws IOException  when the connection fails or the timeout passes
     */
    public static NbdConnection open(NbdUri uri, boolean structuredReplies, Duration timeout, Listener listener)
            throws IOException {
        Objects.requireNonNull(listener, "listener");
        NbdHandshake.Negotiated negotiated = NbdHandshake.connect(uri, structuredReplies, timeout);
        return new NbdConnection(negotiated.channel(), uri.exportName(), negotiated.export(), listener);
    }

    private NbdConnection(SocketChannel channel, String exportName, NbdExport export, Listener listener) {
        this.channel = channel;
        this.exportName = exportName;
        this.export = export;
        this.listener = listener;
        ReplyReader replies = new ReplyReader(channel, export.structuredReplies(), inFlight, this::finish);
        this.reader = Thread.ofPlatform().daemon().name("nbd-reader-" + exportName)
                .unstarted(() -> readLoop(replies));
        reader.start();
    }

    /** The export as negotiated. */
    NbdExport export() {
        return export;
    }

    /** The export's size in bytes. */
    public long size() {
        return export.size();
    }

    /** The export name negotiated. */
    public String exportName() {
        return exportName;
    }

    /** The raw transmission flags (FLAG_*). */
    public int transmissionFlags() {
        return export.flags();
    }

    public boolean isReadOnly() {
        return export.has(FLAG_READ_ONLY);
    }

    public boolean canFlush() {
        return export.has(FLAG_SEND_FLUSH);
    }

    public boolean canFua() {
        return export.has(FLAG_SEND_FUA);
    }

    public boolean canTrim() {
        return export.has(FLAG_SEND_TRIM);
    }

    public boolean canWriteZeroes() {
        return export.has(FLAG_SEND_WRITE_ZEROES);
    }

    public boolean canMultiConn() {
        return export.has(FLAG_CAN_MULTI_CONN);
    }

    public boolean isRotational() {
        return export.has(FLAG_ROTATIONAL);
    }

    /** Whether reads may carry the DF (don't fragment) flag: structured replies and FLAG_SEND_DF. */
    public boolean canDf() {
        return export.canDf();
    }

    /** Whether the server agreed to structured replies. */
    public boolean structuredReplies() {
        return export.structuredReplies();
    }

    /**
     * The server's minimum block size (NBD_INFO_BLOCK_SIZE), or 1 when it gave none. The handshake
     * asks for block sizes, which commits this client to them: {@link #send} rejects requests whose
     * offset or length is not a multiple of this, and reads or writes longer than {@link
     * #maxBlockSize()}. A block device on top should use it as its logical block size.
     */
    public int minBlockSize() {
        return export.minBlockSize();
    }

    /** The server's preferred block size, or 4096 when it gave none. */
    public int preferredBlockSize() {
        return export.preferredBlockSize();
    }

    /**
     * The server's maximum READ/WRITE payload (unsigned), or 32 MiB, the size the protocol says
     * servers should support at least, when it gave none.
     */
    public long maxBlockSize() {
        return export.maxPayload();
    }

    /** Requests sent and not yet completed. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Whether the connection failed or was closed. */
    public boolean isOpen() {
        return !stopping && failure.get() == null && !terminated;
    }

    /**
     * Sends a request with a fresh handle.
     *
     * @param data the destination of a READ or the source of a WRITE, at least {@code length} bytes
     *             (native or byte[]-backed); ignored (may be null) for the other commands
     * @param fua  force unit access (WRITE, TRIM, WRITE_ZEROES); needs {@link #canFua()}
     * @return the handle the completion will carry
     */
    public long send(Command command, long offset, long length, MemorySegment data, boolean fua) {
        return send(nextHandle.getAndIncrement(), command, offset, length, data, fua ? CMD_FLAG_FUA : 0);
    }

    /** As {@link #send(Command, long, long, MemorySegment, boolean)}, with the data from position to limit. */
    public long send(Command command, long offset, ByteBuffer data, boolean fua) {
        return send(command, offset, data.remaining(), MemorySegment.ofBuffer(data), fua);
    }

    /**
     * Sends a request with a handle of the caller's choosing (e.g. a ublk tag), which must not be in
     * flight already; do not mix with the handle-allocating overloads. Handles with the top bit set
     * are reserved for {@link #sendInSlot}.
     *
     * @param flags CMD_FLAG_* bits
     * @throws IllegalArgumentException when the request is malformed or uses a feature the server
     *                                  did not advertise
     * @throws IllegalStateException    when {@code handle} is already in flight
     */
    public long send(long handle, Command command, long offset, long length, MemorySegment data, int flags) {
        if (handle < 0) {
            throw new IllegalArgumentException("handle " + handle + " has the top bit set, which marks slot handles");
        }
        length = export.check(command, offset, length, data, flags);
        PendingRequest p = new PendingRequest();
        p.set(command, command == Command.FLUSH ? 0 : offset, length, data,
                command.carriesData() ? data.asSlice(0, length).asByteBuffer() : null);
        inFlight.add(handle, p);
        submit(handle, p, flags);
        return handle;
    }

    /**
     * Sends a request from a numbered slot whose bookkeeping the connection keeps and reuses, so a
     * caller that sends from a fixed set of slots (a ublk queue's tags, say) allocates nothing per
     * request once each slot has been used. The completion carries {@link #slotHandle(int)
     * slotHandle(slot)}; the slot is free again before the listener is called, so the listener may
     * send from it at once. Validation and threading are as for {@link #send(long, Command, long,
     * long, MemorySegment, int)}.
     *
     * @param slot  0 or more, below {@value #MAX_SLOTS}; must not be in flight
     * @param data  for READ and WRITE, the caller's buffer: keep passing the same segment object for
     *              a slot, which lets the connection reuse its view of it
     * @param flags CMD_FLAG_* bits
     * @throws IllegalStateException when the slot is in flight
     */
    public void sendInSlot(int slot, Command command, long offset, long length, MemorySegment data, int flags) {
        InFlightRequests.checkSlot(slot);
        length = export.check(command, offset, length, data, flags);
        PendingRequest p = inFlight.idleSlot(slot);
        ByteBuffer view = null;
        if (command.carriesData()) {
            if (p.data != data || p.buffer == null) {
                p.buffer = data.asByteBuffer(); // once per buffer a slot is given, not per request
            }
            view = p.buffer;
        }
        p.set(command, command == Command.FLUSH ? 0 : offset, length, data, view);
        inFlight.occupy(slot, p); // publishes the fields above to the reader thread
        submit(slotHandle(slot), p, flags);
    }

    /**
     * @param slot a slot of {@link #sendInSlot}
     * @return the handle the slot's completions carry
     */
    public static long slotHandle(int slot) {
        return InFlightRequests.slotHandle(slot);
    }

    /**
     * @param handle a handle from a completion
     * @return the slot it was sent from, or -1 when it was not sent with {@link #sendInSlot}
     */
    public static int slotOf(long handle) {
        return InFlightRequests.slotOf(handle);
    }

    /** Writes a registered request, or fails it with EIO when nothing may be sent any more. */
    private void submit(long handle, PendingRequest p, int flags) {
        if (terminated || stopping) {
            // The reader has stopped (or is stopping and will fail us): whoever claims it completes it.
            failUnsent(handle, p);
            return;
        }
        sendLock.lock();
        try {
            if (stopping) {
                // NBD_CMD_DISC is sent (or about to be), after which nothing may follow.
                failUnsent(handle, p);
                return;
            }
            written.incrementAndGet(); // before the write: the reply may come before it returns
            writeRequest(handle, p.command.type, flags, p.offset, p.length,
                    p.command == Command.WRITE ? p.buffer.clear().limit((int) p.length) : null);
        } catch (IOException e) {
            // The reader thread sees the closed channel and fails everything in flight, this included.
            fail(e);
        } finally {
            sendLock.unlock();
        }
    }

    private void failUnsent(long handle, PendingRequest p) {
        if (inFlight.claim(handle, p)) {
            complete(handle, p, EIO);
        }
    }

    private void writeRequest(long handle, int type, int flags, long offset, long length, ByteBuffer payload)
            throws IOException {
        ByteBuffer h = requestHeader.clear();
        h.putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(handle)
                .putLong(offset).putInt((int) length);
        if (payload != null && payload.remaining() <= h.remaining()) {
            // A small payload rides in the header's buffer: one write(2) instead of two.
            h.put(payload);
        }
        h.flip();
        while (h.hasRemaining()) {
            channel.write(h);
        }
        // Two writes, not one gathering write: the JDK allocates per gathering write of a buffer
        // that views a memory segment, and a WRITE's payload always does.
        while (payload != null && payload.hasRemaining()) {
            channel.write(payload);
        }
    }

    /** Records the first failure and closes the socket so the reader thread stops. */
    private void fail(IOException cause) {
        failure.compareAndSet(null, cause);
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void complete(long handle, PendingRequest p, int error) {
        listener.completed(handle, error, p.data);
    }

    // ---- reader thread -------------------------------------------------------------------------

    private void readLoop(ReplyReader replies) {
        IOException cause;
        try {
            while (true) {
                replies.readReply();
            }
        } catch (IOException e) {
            cause = e;
        } catch (RuntimeException | Error e) {
            cause = new IOException("NBD reader failed: " + e, e);
        }
        failure.compareAndSet(null, cause);
        terminated = true;
        closeChannel();
        if (!closed.get()) {
            IOException reported = failure.get();
            try {
                listener.failed(reported);
            } catch (RuntimeException ignored) {
                // the requests must still fail
            }
        }
        inFlight.claimAll(this::failQuietly);
    }

    private void failQuietly(long handle, PendingRequest p) {
        try {
            complete(handle, p, EIO);
        } catch (RuntimeException ignored) {
            // keep failing the others
        }
    }

    private void finish(long handle, PendingRequest p, int error) {
        if (inFlight.claim(handle, p)) {
            written.decrementAndGet();
            if (error == ESHUTDOWN && !stopping) {
                // The server is going away; the protocol says the client MUST disconnect softly.
                failure.compareAndSet(null, new NbdException("the NBD server is shutting down (NBD_ESHUTDOWN)"));
                stopping = true;
            }
            complete(handle, p, error);
        }
        if (stopping) {
            disconnectWhenIdle();
        }
    }

    /** Sends NBD_CMD_DISC once stopping and every written request is answered. */
    private void disconnectWhenIdle() {
        sendLock.lock();
        try {
            if (discSent || terminated || written.get() != 0) {
                return;
            }
            discSent = true;
            writeRequest(0, CMD_DISC, 0, 0, 0, null);
            channel.shutdownOutput();
        } catch (IOException e) {
            // already broken: nothing to say goodbye to
        } finally {
            sendLock.unlock();
        }
    }

    // ---- close ---------------------------------------------------------------------------------

    /**
     * Stops sending (later requests complete with EIO), waits for the server to answer what is in
     * flight, sends NBD_CMD_DISC and waits for the server to close; after a few seconds at most it
     * closes the socket itself, and requests still unanswered complete with EIO.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onReader = Thread.currentThread() == reader;
        stopping = true;
        disconnectWhenIdle(); // or the reader does, once the last reply is in
        if (!onReader) {
            try {
                reader.join(CLOSE_DRAIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channel.close();
        if (!onReader) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
