package io.jublk.targets.nbd;

import static io.jublk.targets.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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

    private static final int MAX_OPTION_REPLY = 1 << 20;
    private static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    private static final int DIRECT_READ_BYTES = 16 * 1024;
    private static final int SMALL_PAYLOAD_BYTES = 16 * 1024;
    /** Source of the zeros a hole reads as, copied without allocating. */
    private static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate(65536);
    private static final long CLOSE_DRAIN_MILLIS = 5000;

    private final SocketChannel channel;
    private final String exportName;
    private final long size;
    private final int transmissionFlags;
    private final boolean structuredReplies;
    private final int minBlockSize;
    private final int preferredBlockSize;
    private final int maxBlockSize;
    private final Listener listener;

    private final ConcurrentHashMap<Long, Pending> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ByteBuffer requestHeader = ByteBuffer.allocateDirect(28 + SMALL_PAYLOAD_BYTES);
    /** What the reader thread has received and not parsed yet (read mode); see {@link #readFully}. */
    private final ByteBuffer received = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES).flip();
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

    /** Slots for {@link #sendInSlot}: grown on first use of a slot, never shrunk. */
    private volatile Pending[] slots = new Pending[0];
    private final Object slotGrowth = new Object();
    private final AtomicInteger slotsBusy = new AtomicInteger();

    /** A request in flight: one per handle, or one reused per slot. */
    private static final class Pending {
        Command command;
        long offset;
        long length;
        MemorySegment data;
        /** A view of data: the whole segment for a slot, the request's bytes otherwise. */
        ByteBuffer buffer;
        /** The first error a structured reply reported; reader thread only. */
        int error;
        /** Whether a slot is in flight; see PENDING_BUSY. */
        @SuppressWarnings("unused")
        volatile boolean busy;

        void set(Command command, long offset, long length, MemorySegment data, ByteBuffer buffer) {
            this.command = command;
            this.offset = offset;
            this.length = length;
            this.data = data;
            this.buffer = buffer;
            this.error = 0;
        }
    }

    private static final VarHandle PENDING_BUSY;
    static {
        try {
            PENDING_BUSY = MethodHandles.lookup().findVarHandle(Pending.class, "busy", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Slots available to {@link #sendInSlot}. */
    public static final int MAX_SLOTS = 1 << 24;

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
        SocketChannel ch = uri.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("nbd-open-watchdog").start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            if (done.compareAndSet(false, true)) {
                timedOut.set(true);
                try {
                    ch.close(); // unblocks connect() or a handshake read
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        });
        try {
            if (uri.isUnix()) {
                ch.connect(UnixDomainSocketAddress.of(uri.socketPath()));
            } else {
                ch.connect(new InetSocketAddress(uri.host(), uri.port()));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            NbdConnection conn = new NbdConnection(ch, uri.exportName(), structuredReplies, listener, done);
            watchdog.interrupt();
            return conn;
        } catch (IOException | RuntimeException e) {
            watchdog.interrupt();
            ch.close();
            if (timedOut.get()) {
                throw new IOException("connecting to " + uri + " timed out after " + timeout, e);
            }
            throw e;
        }
    }

    private NbdConnection(SocketChannel channel, String exportName, boolean wantStructured, Listener listener,
                          AtomicBoolean handshakeDone) throws IOException {
        this.channel = channel;
        this.exportName = exportName;
        this.listener = listener;
        Handshake h = new Handshake(channel, exportName);
        h.run(wantStructured);
        if (!handshakeDone.compareAndSet(false, true)) {
            throw new IOException("handshake timed out"); // the watchdog has closed the channel
        }
        this.size = h.size;
        this.transmissionFlags = h.flags;
        this.structuredReplies = h.structured;
        this.minBlockSize = h.minBlock;
        this.preferredBlockSize = h.preferredBlock;
        this.maxBlockSize = h.maxBlock;
        this.reader = Thread.ofPlatform().daemon().name("nbd-reader-" + exportName).unstarted(this::readLoop);
        reader.start();
    }

    /** The export's size in bytes. */
    public long size() {
        return size;
    }

    /** The export name negotiated. */
    public String exportName() {
        return exportName;
    }

    /** The raw transmission flags (FLAG_*). */
    public int transmissionFlags() {
        return transmissionFlags;
    }

    public boolean isReadOnly() {
        return (transmissionFlags & FLAG_READ_ONLY) != 0;
    }

    public boolean canFlush() {
        return (transmissionFlags & FLAG_SEND_FLUSH) != 0;
    }

    public boolean canFua() {
        return (transmissionFlags & FLAG_SEND_FUA) != 0;
    }

    public boolean canTrim() {
        return (transmissionFlags & FLAG_SEND_TRIM) != 0;
    }

    public boolean canWriteZeroes() {
        return (transmissionFlags & FLAG_SEND_WRITE_ZEROES) != 0;
    }

    public boolean canMultiConn() {
        return (transmissionFlags & FLAG_CAN_MULTI_CONN) != 0;
    }

    public boolean isRotational() {
        return (transmissionFlags & FLAG_ROTATIONAL) != 0;
    }

    /** Whether reads may carry the DF (don't fragment) flag: structured replies and FLAG_SEND_DF. */
    public boolean canDf() {
        return structuredReplies && (transmissionFlags & FLAG_SEND_DF) != 0;
    }

    /** Whether the server agreed to structured replies. */
    public boolean structuredReplies() {
        return structuredReplies;
    }

    /**
     * The server's minimum block size (NBD_INFO_BLOCK_SIZE), or 1 when it gave none. The handshake
     * asks for block sizes, which commits this client to them: {@link #send} rejects requests whose
     * offset or length is not a multiple of this, and reads or writes longer than {@link
     * #maxBlockSize()}. A block device on top should use it as its logical block size.
     */
    public int minBlockSize() {
        return minBlockSize;
    }

    /** The server's preferred block size, or 4096 when it gave none. */
    public int preferredBlockSize() {
        return preferredBlockSize;
    }

    /**
     * The server's maximum READ/WRITE payload (unsigned), or 32 MiB, the size the protocol says
     * servers should support at least, when it gave none.
     */
    public long maxBlockSize() {
        return Integer.toUnsignedLong(maxBlockSize);
    }

    /** Requests sent and not yet completed. */
    public int inFlight() {
        return inFlight.size() + slotsBusy.get();
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
        length = check(command, offset, length, data, flags);
        Pending p = new Pending();
        p.set(command, command == Command.FLUSH ? 0 : offset, length, data,
                carriesData(command) ? data.asSlice(0, length).asByteBuffer() : null);
        if (inFlight.putIfAbsent(handle, p) != null) {
            throw new IllegalStateException("handle " + handle + " is already in flight");
        }
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
        if (slot < 0 || slot >= MAX_SLOTS) {
            throw new IllegalArgumentException("slot " + slot + " is out of range 0.." + (MAX_SLOTS - 1));
        }
        length = check(command, offset, length, data, flags);
        Pending p = slot(slot);
        if ((boolean) PENDING_BUSY.getVolatile(p)) {
            throw new IllegalStateException("slot " + slot + " is already in flight");
        }
        ByteBuffer view = null;
        if (carriesData(command)) {
            if (p.data != data || p.buffer == null) {
                p.buffer = data.asByteBuffer(); // once per buffer a slot is given, not per request
            }
            view = p.buffer;
        }
        p.set(command, command == Command.FLUSH ? 0 : offset, length, data, view);
        // The volatile CAS publishes the fields above to the reader thread.
        if (!PENDING_BUSY.compareAndSet(p, false, true)) {
            throw new IllegalStateException("slot " + slot + " is already in flight");
        }
        slotsBusy.incrementAndGet();
        submit(slotHandle(slot), p, flags);
    }

    /**
     * @param slot a slot of {@link #sendInSlot}
     * @return the handle the slot's completions carry
     */
    public static long slotHandle(int slot) {
        return Long.MIN_VALUE | slot;
    }

    /**
     * @param handle a handle from a completion
     * @return the slot it was sent from, or -1 when it was not sent with {@link #sendInSlot}
     */
    public static int slotOf(long handle) {
        return handle < 0 ? (int) (handle & Integer.MAX_VALUE) : -1;
    }

    private static boolean carriesData(Command command) {
        return command == Command.READ || command == Command.WRITE;
    }

    /** Checks a request against the protocol and the server's limits; returns its wire length. */
    private long check(Command command, long offset, long length, MemorySegment data, int flags) {
        Objects.requireNonNull(command, "command");
        if (length < 0 || length > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("length " + length + " does not fit in 32 bits");
        }
        if (offset < 0 && command != Command.FLUSH) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if ((flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_DF)) != 0) {
            throw new IllegalArgumentException("unsupported command flags 0x" + Integer.toHexString(flags));
        }
        if ((flags & CMD_FLAG_FUA) != 0 && !canFua()) {
            throw new IllegalArgumentException("the server does not support FUA");
        }
        if ((flags & CMD_FLAG_DF) != 0 && (command != Command.READ || !canDf())) {
            throw new IllegalArgumentException("DF is only for READ on a server offering it with structured replies");
        }
        if ((flags & CMD_FLAG_NO_HOLE) != 0 && command != Command.WRITE_ZEROES) {
            throw new IllegalArgumentException("NO_HOLE is only for WRITE_ZEROES");
        }
        switch (command) {
            case FLUSH -> {
                if (!canFlush()) {
                    throw new IllegalArgumentException("the server does not support FLUSH");
                }
                return 0;
            }
            case TRIM -> {
                if (!canTrim()) {
                    throw new IllegalArgumentException("the server does not support TRIM");
                }
            }
            case WRITE_ZEROES -> {
                if (!canWriteZeroes()) {
                    throw new IllegalArgumentException("the server does not support WRITE_ZEROES");
                }
            }
            default -> {
            }
        }
        if (((offset | length) & (minBlockSize - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                    + " must be multiples of the server's minimum block size " + minBlockSize);
        }
        if (command == Command.READ || command == Command.WRITE) {
            if (length > Integer.toUnsignedLong(maxBlockSize)) {
                throw new IllegalArgumentException("length " + length + " exceeds the server's maximum payload "
                        + Integer.toUnsignedLong(maxBlockSize));
            }
            Objects.requireNonNull(data, "data");
            if (data.byteSize() < length) {
                throw new IllegalArgumentException("data holds " + data.byteSize() + " bytes, less than length " + length);
            }
        }
        return length;
    }

    /** Writes a registered request, or fails it with EIO when nothing may be sent any more. */
    private void submit(long handle, Pending p, int flags) {
        if (terminated || stopping) {
            // The reader has stopped (or is stopping and will fail us): whoever claims it completes it.
            if (claim(handle, p)) {
                complete(handle, p, EIO);
            }
            return;
        }
        sendLock.lock();
        try {
            if (stopping) {
                // NBD_CMD_DISC is sent (or about to be), after which nothing may follow.
                if (claim(handle, p)) {
                    complete(handle, p, EIO);
                }
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

    /** The slot's bookkeeping, created on its first use. */
    private Pending slot(int slot) {
        Pending[] table = slots;
        if (slot < table.length) {
            return table[slot];
        }
        synchronized (slotGrowth) {
            table = slots;
            if (slot >= table.length) {
                Pending[] grown = java.util.Arrays.copyOf(table, Math.max(slot + 1, table.length * 2));
                for (int i = table.length; i < grown.length; i++) {
                    grown[i] = new Pending();
                }
                slots = grown; // the volatile write publishes the new entries to the reader
                table = grown;
            }
            return table[slot];
        }
    }

    /** The request in flight under {@code handle}, or null. */
    private Pending lookup(long handle) {
        int slot = slotOf(handle);
        if (slot < 0) {
            return inFlight.get(handle);
        }
        Pending[] table = slots;
        if (slot >= table.length) {
            return null;
        }
        Pending p = table[slot];
        return (boolean) PENDING_BUSY.getVolatile(p) ? p : null;
    }

    /** Takes a request out of flight; true for exactly one caller, who then completes it. */
    private boolean claim(long handle, Pending p) {
        if (slotOf(handle) < 0) {
            return inFlight.remove(handle, p);
        }
        if (PENDING_BUSY.compareAndSet(p, true, false)) {
            slotsBusy.decrementAndGet();
            return true;
        }
        return false;
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
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void complete(long handle, Pending p, int error) {
        listener.completed(handle, error, p.data);
    }

    // ---- reader thread -------------------------------------------------------------------------

    private void readLoop() {
        IOException cause;
        try {
            ByteBuffer header = ByteBuffer.allocateDirect(32);
            while (true) {
                readReply(header);
            }
        } catch (IOException e) {
            cause = e;
        } catch (RuntimeException | Error e) {
            cause = new IOException("NBD reader failed: " + e, e);
        }
        failure.compareAndSet(null, cause);
        terminated = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (!closed.get()) {
            IOException reported = failure.get();
            try {
                listener.failed(reported);
            } catch (RuntimeException ignored) {
                // the requests must still fail
            }
        }
        for (Long handle : inFlight.keySet()) {
            Pending p = inFlight.remove(handle);
            if (p != null) {
                failQuietly(handle, p);
            }
        }
        Pending[] table = slots;
        for (int slot = 0; slot < table.length; slot++) {
            if (claim(slotHandle(slot), table[slot])) {
                failQuietly(slotHandle(slot), table[slot]);
            }
        }
    }

    private void failQuietly(long handle, Pending p) {
        try {
            complete(handle, p, EIO);
        } catch (RuntimeException ignored) {
            // keep failing the others
        }
    }

    private void readReply(ByteBuffer header) throws IOException {
        readFully(header.clear().limit(4));
        int magic = header.getInt(0);
        if (magic == SIMPLE_REPLY_MAGIC) {
            readFully(header.clear().limit(12));
            int error = header.getInt(0);
            long handle = header.getLong(4);
            Pending p = pending(handle);
            if (p.command == Command.READ && error == 0) {
                readFully(p.buffer.clear().limit((int) p.length));
            }
            finish(handle, p, error);
        } else if (magic == STRUCTURED_REPLY_MAGIC && structuredReplies) {
            readFully(header.clear().limit(16));
            int flags = Short.toUnsignedInt(header.getShort(0));
            int type = Short.toUnsignedInt(header.getShort(2));
            long handle = header.getLong(4);
            long length = Integer.toUnsignedLong(header.getInt(12));
            Pending p = pending(handle);
            readChunk(handle, p, type, length, header);
            if ((flags & REPLY_FLAG_DONE) != 0) {
                finish(handle, p, p.error);
            }
        } else {
            throw new NbdException(String.format("bad reply magic 0x%08x", magic));
        }
    }

    private void readChunk(long handle, Pending p, int type, long length, ByteBuffer header) throws IOException {
        switch (type) {
            case REPLY_TYPE_NONE -> {
                if (length != 0) {
                    throw new NbdException("NBD_REPLY_TYPE_NONE with a payload of " + length + " bytes");
                }
            }
            case REPLY_TYPE_OFFSET_DATA -> {
                if (p.command != Command.READ || length < 8) {
                    throw new NbdException("unexpected NBD_REPLY_TYPE_OFFSET_DATA for handle " + handle);
                }
                long offset = readLong(header);
                long count = length - 8;
                long at = checkRange(handle, p, offset, count);
                readFully(p.buffer.clear().position((int) at).limit((int) (at + count)));
            }
            case REPLY_TYPE_OFFSET_HOLE -> {
                if (p.command != Command.READ || length != 12) {
                    throw new NbdException("unexpected NBD_REPLY_TYPE_OFFSET_HOLE for handle " + handle);
                }
                readFully(header.clear().limit(12));
                long offset = header.getLong(0);
                long count = Integer.toUnsignedLong(header.getInt(8));
                long at = checkRange(handle, p, offset, count);
                zero(p.data, at, count);
            }
            default -> {
                if ((type & REPLY_TYPE_ERROR_BIT) != 0) {
                    if (length < 6) {
                        throw new NbdException("error chunk too short (" + length + " bytes) for handle " + handle);
                    }
                    readFully(header.clear().limit(6));
                    int error = header.getInt(0);
                    skip(length - 6, header); // message (and, for ERROR_OFFSET, the offset)
                    if (p.error == 0) {
                        p.error = error != 0 ? error : EIO;
                    }
                } else {
                    skip(length, header); // a chunk type we did not ask for; ignore it
                }
            }
        }
    }

    private static void zero(MemorySegment data, long at, long count) {
        for (long done = 0; done < count; ) {
            long n = Math.min(count - done, ZEROS.byteSize());
            MemorySegment.copy(ZEROS, 0, data, at + done, n);
            done += n;
        }
    }

    private static long checkRange(long handle, Pending p, long offset, long count) throws NbdException {
        long at = offset - p.offset;
        if (at < 0 || count > p.length - at) {
            throw new NbdException("reply chunk [" + offset + ", +" + count + ") outside request [" + p.offset
                    + ", +" + p.length + ") for handle " + handle);
        }
        return at;
    }

    private Pending pending(long handle) throws NbdException {
        Pending p = lookup(handle);
        if (p == null) {
            throw new NbdException("reply for unknown handle " + handle);
        }
        return p;
    }

    private void finish(long handle, Pending p, int error) {
        if (claim(handle, p)) {
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

    private long readLong(ByteBuffer header) throws IOException {
        readFully(header.clear().limit(8));
        return header.getLong(0);
    }

    private void skip(long count, ByteBuffer scratch) throws IOException {
        while (count > 0) {
            int n = (int) Math.min(count, scratch.capacity());
            readFully(scratch.clear().limit(n));
            count -= n;
        }
    }

    /**
     * Fills {@code b} from the connection, through {@link #received}: replies come a few dozen
     * bytes at a time (magic, header, offset, then the data), and a read(2) per piece cost more
     * than the rest of the reply path. Payloads of {@value #DIRECT_READ_BYTES} bytes or more go
     * straight into the request's buffer once the buffered bytes are used up.
     */
    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (received.hasRemaining()) {
                int n = Math.min(received.remaining(), b.remaining());
                int limit = received.limit();
                received.limit(received.position() + n);
                b.put(received);
                received.limit(limit);
            } else if (b.remaining() >= DIRECT_READ_BYTES) {
                if (channel.read(b) < 0) {
                    throw new EOFException("the NBD server closed the connection");
                }
            } else {
                int n = channel.read(received.clear());
                received.flip();
                if (n < 0) {
                    throw new EOFException("the NBD server closed the connection");
                }
            }
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

    // ---- handshake -----------------------------------------------------------------------------

    /** The negotiation phase, run on the opening thread before the reader starts. */
    private static final class Handshake {
        private final SocketChannel ch;
        private final String exportName;
        long size = -1;
        int flags;
        boolean structured;
        int minBlock = 1;
        int preferredBlock = 4096;
        int maxBlock = 32 << 20;
        boolean noZeroes;
        private int replyType;
        private ByteBuffer replyData;

        Handshake(SocketChannel ch, String exportName) {
            this.ch = ch;
            this.exportName = exportName;
        }

        void run(boolean wantStructured) throws IOException {
            ByteBuffer greeting = read(18);
            if (greeting.getLong(0) != NBDMAGIC) {
                throw new NbdException("not an NBD server (no NBDMAGIC in the greeting)");
            }
            if (greeting.getLong(8) != IHAVEOPT) {
                throw new NbdException("the server speaks the oldstyle protocol, which is not supported");
            }
            int serverFlags = Short.toUnsignedInt(greeting.getShort(16));
            if ((serverFlags & FLAG_FIXED_NEWSTYLE) == 0) {
                throw new NbdException("the server does not support fixed newstyle negotiation");
            }
            noZeroes = (serverFlags & FLAG_NO_ZEROES) != 0;
            write(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | (noZeroes ? FLAG_NO_ZEROES : 0)).flip());

            if (wantStructured) {
                sendOption(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
                readOptionReply(OPT_STRUCTURED_REPLY);
                if (replyType == REP_ACK) {
                    structured = true;
                } else if ((replyType & REP_ERR_BIT) == 0) {
                    throw new NbdException("unexpected " + optionReplyName(replyType)
                            + " to NBD_OPT_STRUCTURED_REPLY");
                } // an error (NBD_REP_ERR_UNSUP, ...) just means simple replies
            }
            go();
        }

        private void go() throws IOException {
            byte[] name = exportName.getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2 + 2);
            data.putInt(name.length).put(name).putShort((short) 1).putShort((short) INFO_BLOCK_SIZE).flip();
            sendOption(OPT_GO, data);
            while (true) {
                readOptionReply(OPT_GO);
                switch (replyType) {
                    case REP_INFO -> info();
                    case REP_ACK -> {
                        if (size < 0) {
                            throw new NbdException("the server accepted export '" + exportName
                                    + "' without sending NBD_INFO_EXPORT");
                        }
                        return;
                    }
                    case REP_ERR_UNSUP -> {
                        exportNameOption(name);
                        return;
                    }
                    default -> {
                        if ((replyType & REP_ERR_BIT) != 0) {
                            String message = StandardCharsets.UTF_8.decode(replyData).toString();
                            throw new NbdException("the server refused export '" + exportName + "': "
                                    + optionReplyName(replyType) + (message.isEmpty() ? "" : " (" + message + ")"),
                                    replyType);
                        }
                        throw new NbdException("unexpected " + optionReplyName(replyType) + " to NBD_OPT_GO");
                    }
                }
            }
        }

        private void info() throws NbdException {
            if (replyData.remaining() < 2) {
                throw new NbdException("NBD_REP_INFO too short");
            }
            int type = Short.toUnsignedInt(replyData.getShort());
            if (type == INFO_EXPORT) {
                if (replyData.remaining() != 10) {
                    throw new NbdException("NBD_INFO_EXPORT of wrong length");
                }
                size = replyData.getLong();
                flags = Short.toUnsignedInt(replyData.getShort());
            } else if (type == INFO_BLOCK_SIZE) {
                if (replyData.remaining() != 12) {
                    throw new NbdException("NBD_INFO_BLOCK_SIZE of wrong length");
                }
                int min = replyData.getInt();
                int preferred = replyData.getInt();
                int max = replyData.getInt();
                if (min <= 0 || min > 65536 || Integer.bitCount(min) != 1) {
                    throw new NbdException("NBD_INFO_BLOCK_SIZE minimum " + Integer.toUnsignedString(min)
                            + " is not a power of 2 up to 65536");
                }
                minBlock = min;
                preferredBlock = preferred;
                maxBlock = max;
            } // others (name, description, ...) are of no use here
        }

        /** The old way in, for servers without NBD_OPT_GO; an unknown export just closes the socket. */
        private void exportNameOption(byte[] name) throws IOException {
            sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap(name));
            ByteBuffer b;
            try {
                b = read(10 + (noZeroes ? 0 : 124));
            } catch (EOFException e) {
                throw new NbdException("the server closed the connection on NBD_OPT_EXPORT_NAME: export '"
                        + exportName + "' probably does not exist", REP_ERR_UNKNOWN);
            }
            size = b.getLong(0);
            flags = Short.toUnsignedInt(b.getShort(8));
        }

        private void sendOption(int option, ByteBuffer data) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(16 + data.remaining());
            b.putLong(IHAVEOPT).putInt(option).putInt(data.remaining()).put(data).flip();
            write(b);
        }

        private void readOptionReply(int option) throws IOException {
            ByteBuffer h = read(20);
            if (h.getLong(0) != OPTION_REPLY_MAGIC) {
                throw new NbdException("bad option reply magic");
            }
            if (h.getInt(8) != option) {
                throw new NbdException("option reply for option " + h.getInt(8) + ", expected " + option);
            }
            replyType = h.getInt(12);
            long length = Integer.toUnsignedLong(h.getInt(16));
            if (length > MAX_OPTION_REPLY) {
                throw new NbdException("option reply of " + length + " bytes is too long");
            }
            replyData = read((int) length);
        }

        private ByteBuffer read(int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new EOFException("the NBD server closed the connection during the handshake");
                }
            }
            return b.flip();
        }

        private void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
