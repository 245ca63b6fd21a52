// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.targets.nbd.NbdConnection.Command;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours real servers do not show on demand (NBD_ESHUTDOWN, protocol violations), against a
 * scripted in-process server speaking just enough of the protocol.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FakeNbdServerTest {
    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws Exception;
    }

    private ServerSocket listener;
    private final CompletableFuture<Void> serverDone = new CompletableFuture<>();

    @AfterEach
    void tearDown() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    /** Serves one connection: handshake (simple replies, a 1 MiB export), then the script. */
    private NbdUri serve(Script script) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = listener.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeLong(NbdProtocol.NBDMAGIC);
                out.writeLong(NbdProtocol.IHAVEOPT);
                out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
                out.flush();
                in.readInt(); // client flags
                while (true) {
                    assertEquals(NbdProtocol.IHAVEOPT, in.readLong());
                    int option = in.readInt();
                    in.skipNBytes(in.readInt());
                    if (option == NbdProtocol.OPT_GO) {
                        optionReply(out, option, NbdProtocol.REP_INFO, 12);
                        out.writeShort(NbdProtocol.INFO_EXPORT);
                        out.writeLong(1 << 20);
                        out.writeShort(NbdConnection.FLAG_HAS_FLAGS | NbdConnection.FLAG_SEND_FLUSH);
                        optionReply(out, option, NbdProtocol.REP_ACK, 0);
                        out.flush();
                        break;
                    }
                    optionReply(out, option, NbdProtocol.REP_ERR_UNSUP, 0);
                    out.flush();
                }
                script.run(in, out);
                serverDone.complete(null);
            } catch (Throwable t) {
                serverDone.completeExceptionally(t);
            }
        });
        return NbdUri.tcp("127.0.0.1", listener.getLocalPort(), "");
    }

    private static void optionReply(DataOutputStream out, int option, int type, int length) throws IOException {
        out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(length);
    }

    /** Reads one request header; returns {type, handle}. */
    private static long[] readRequest(DataInputStream in) throws IOException {
        assertEquals(NbdProtocol.REQUEST_MAGIC, in.readInt());
        in.readShort();
        int type = in.readShort();
        long handle = in.readLong();
        in.readLong();
        in.readInt();
        return new long[] {type, handle};
    }

    private static void simpleReply(DataOutputStream out, int error, long handle) throws IOException {
        out.writeInt(NbdProtocol.SIMPLE_REPLY_MAGIC);
        out.writeInt(error);
        out.writeLong(handle);
        out.flush();
    }

    @Test
    void shouldDisconnectSoftlyAfterEshutdown() throws Exception {
        NbdUri uri = serve((in, out) -> {
            long[] first = readRequest(in);
            long[] second = readRequest(in);
            simpleReply(out, NbdProtocol.ESHUTDOWN, first[1]);
            Thread.sleep(100);
            simpleReply(out, 0, second[1]); // the client must wait for this before DISC
            assertEquals(NbdProtocol.CMD_DISC, readRequest(in)[0]);
            assertEquals(-1, in.read(), "nothing may follow NBD_CMD_DISC");
        });
        Completions c = new Completions();
        try (NbdConnection conn = NbdConnection.open(uri, c)) {
            long a = conn.send(Command.FLUSH, 0, 0, null, false);
            long b = conn.send(Command.FLUSH, 0, 0, null, false);
            assertEquals(NbdProtocol.ESHUTDOWN, c.await(a));
            long later = conn.send(Command.FLUSH, 0, 0, null, false);
            assertEquals(NbdProtocol.EIO, c.await(later), "nothing is sent once the server shuts down");
            assertEquals(0, c.await(b));
            serverDone.get(10, TimeUnit.SECONDS);
            IOException cause = c.failure.get(10, TimeUnit.SECONDS);
            assertTrue(cause.getMessage().contains("NBD_ESHUTDOWN"), cause.getMessage());
            assertFalse(conn.isOpen());
        }
    }

    @Test
    void shouldFailEverythingWhenServerAnswersAnUnknownHandle() throws Exception {
        NbdUri uri = serve((in, out) -> {
            readRequest(in);
            readRequest(in);
            simpleReply(out, 0, 0xdeadbeefL);
            in.readAllBytes(); // until the client hangs up
        });
        Completions c = new Completions();
        try (Arena arena = Arena.ofConfined(); NbdConnection conn = NbdConnection.open(uri, c)) {
            MemorySegment buf = arena.allocate(512);
            long a = conn.send(Command.READ, 0, 512, buf, false);
            long b = conn.send(Command.FLUSH, 0, 0, null, false);
            assertEquals(NbdProtocol.EIO, c.await(a));
            assertEquals(NbdProtocol.EIO, c.await(b));
            IOException cause = c.failure.get(10, TimeUnit.SECONDS);
            assertInstanceOf(NbdException.class, cause);
            assertTrue(cause.getMessage().contains("unknown handle"), cause.getMessage());
        }
        serverDone.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldWaitForInFlightRepliesBeforeDisconnectOnClose() throws Exception {
        CompletableFuture<Boolean> discAfterReply = new CompletableFuture<>();
        NbdUri uri = serve((in, out) -> {
            long[] req = readRequest(in);
            Thread.sleep(300);
            simpleReply(out, 0, req[1]);
            discAfterReply.complete(readRequest(in)[0] == NbdProtocol.CMD_DISC);
        });
        Completions c = new Completions();
        NbdConnection conn = NbdConnection.open(uri, c);
        long h = conn.send(Command.FLUSH, 0, 0, null, false);
        conn.close();
        assertEquals(0, c.await(h));
        assertTrue(discAfterReply.get(10, TimeUnit.SECONDS));
        assertFalse(c.failure.isDone());
        serverDone.get(10, TimeUnit.SECONDS);
    }
}
