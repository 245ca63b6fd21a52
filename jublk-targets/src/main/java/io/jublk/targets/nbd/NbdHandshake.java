// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static io.jublk.targets.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The negotiation phase of a connection: connects, checks the fixed newstyle greeting, asks for
 * structured replies, and enters the transmission phase with NBD_OPT_GO (reading its info replies),
 * or NBD_OPT_EXPORT_NAME on servers without it. Runs on the opening thread, before any reader.
 */
final class NbdHandshake {
    private static final int MAX_OPTION_REPLY = 1 << 20;

    private final SocketChannel ch;
    private final String exportName;
    private long size = -1;
    private int flags;
    private boolean structured;
    private int minBlock = 1;
    private int preferredBlock = 4096;
    private int maxBlock = 32 << 20;
    private boolean noZeroes;
    private int replyType;
    private ByteBuffer replyData;

    private NbdHandshake(SocketChannel ch, String exportName) {
        this.ch = ch;
        this.exportName = exportName;
    }

    /** A channel in the transmission phase, and the export it serves. */
    record Negotiated(SocketChannel channel, NbdExport export) {
    }

    /**
     * Connects to {@code uri} and negotiates the export, within {@code timeout}: a server that
     * accepts and then says nothing cannot hang the caller.
     *
     * @throws NbdException when the server refuses the export or breaks the protocol
     * @throws IOException  when the connection fails or the timeout passes
     */
    static Negotiated connect(NbdUri uri, boolean wantStructured, Duration timeout) throws IOException {
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
            NbdExport export = new NbdHandshake(ch, uri.exportName()).run(wantStructured);
            if (!done.compareAndSet(false, true)) {
                throw new IOException("handshake timed out"); // the watchdog has closed the channel
            }
            watchdog.interrupt();
            return new Negotiated(ch, export);
        } catch (IOException | RuntimeException e) {
            watchdog.interrupt();
            ch.close();
            if (timedOut.get()) {
                throw new IOException("connecting to " + uri + " timed out after " + timeout, e);
            }
            throw e;
        }
    }

    private NbdExport run(boolean wantStructured) throws IOException {
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
        return new NbdExport(size, flags, structured, minBlock, preferredBlock, maxBlock);
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
