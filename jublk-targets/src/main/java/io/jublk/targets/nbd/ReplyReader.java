// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static io.jublk.targets.nbd.NbdProtocol.*;

import io.jublk.targets.nbd.NbdConnection.Command;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Reads a connection's replies, simple or structured, on its reader thread: a READ's data goes
 * straight into the request's buffer, holes become zeros, and a structured reply's first error is
 * kept until its last chunk. Allocates nothing per reply.
 */
final class ReplyReader {
    /** Takes a request whose reply is complete. */
    interface Finisher {
        void finish(long handle, PendingRequest request, int error);
    }

    private static final int RECEIVE_BUFFER_BYTES = 64 * 1024;
    private static final int DIRECT_READ_BYTES = 16 * 1024;
    /** Source of the zeros a hole reads as, copied without allocating. */
    private static final MemorySegment ZEROS = Arena.global().allocate(65536);

    private final SocketChannel channel;
    private final boolean structuredReplies;
    private final InFlightRequests inFlight;
    private final Finisher finisher;
    private final ByteBuffer header = ByteBuffer.allocateDirect(32);
    /** What has been received and not parsed yet (read mode); see {@link #readFully}. */
    private final ByteBuffer received = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES).flip();

    ReplyReader(SocketChannel channel, boolean structuredReplies, InFlightRequests inFlight, Finisher finisher) {
        this.channel = channel;
        this.structuredReplies = structuredReplies;
        this.inFlight = inFlight;
        this.finisher = finisher;
    }

    /** Reads one reply (or one chunk of a structured one), finishing its request when it is done. */
    void readReply() throws IOException {
        readFully(header.clear().limit(4));
        int magic = header.getInt(0);
        if (magic == SIMPLE_REPLY_MAGIC) {
            readFully(header.clear().limit(12));
            int error = header.getInt(0);
            long handle = header.getLong(4);
            PendingRequest p = pending(handle);
            if (p.command == Command.READ && error == 0) {
                readFully(p.buffer.clear().limit((int) p.length));
            }
            finisher.finish(handle, p, error);
        } else if (magic == STRUCTURED_REPLY_MAGIC && structuredReplies) {
            readFully(header.clear().limit(16));
            int flags = Short.toUnsignedInt(header.getShort(0));
            int type = Short.toUnsignedInt(header.getShort(2));
            long handle = header.getLong(4);
            long length = Integer.toUnsignedLong(header.getInt(12));
            PendingRequest p = pending(handle);
            readChunk(handle, p, type, length);
            if ((flags & REPLY_FLAG_DONE) != 0) {
                finisher.finish(handle, p, p.error);
            }
        } else {
            throw new NbdException(String.format("bad reply magic 0x%08x", magic));
        }
    }

    private void readChunk(long handle, PendingRequest p, int type, long length) throws IOException {
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
                readFully(header.clear().limit(8));
                long offset = header.getLong(0);
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
                    skip(length - 6); // message (and, for ERROR_OFFSET, the offset)
                    if (p.error == 0) {
                        p.error = error != 0 ? error : EIO;
                    }
                } else {
                    skip(length); // a chunk type we did not ask for; ignore it
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

    private static long checkRange(long handle, PendingRequest p, long offset, long count) throws NbdException {
        long at = offset - p.offset;
        if (at < 0 || count > p.length - at) {
            throw new NbdException("reply chunk [" + offset + ", +" + count + ") outside request [" + p.offset
                    + ", +" + p.length + ") for handle " + handle);
        }
        return at;
    }

    private PendingRequest pending(long handle) throws NbdException {
        PendingRequest p = inFlight.lookup(handle);
        if (p == null) {
            throw new NbdException("reply for unknown handle " + handle);
        }
        return p;
    }

    private void skip(long count) throws IOException {
        while (count > 0) {
            int n = (int) Math.min(count, header.capacity());
            readFully(header.clear().limit(n));
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
}
