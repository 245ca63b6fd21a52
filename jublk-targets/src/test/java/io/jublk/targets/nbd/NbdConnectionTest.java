// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.targets.nbd.NbdConnection.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NbdConnection against real servers on loopback: nbdkit (package nbdkit) and qemu-nbd (package
 * qemu-utils). Each test starts its own server and kills it afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NbdConnectionTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception ignored) {
                // keep killing the rest
            }
        }
        arena.close();
    }

    enum Server { NBDKIT_UNIX, NBDKIT_TCP, QEMU_UNIX, QEMU_TCP }

    private NbdServer start(Server server, boolean structured, long size) throws Exception {
        NbdServer s = switch (server) {
            case NBDKIT_UNIX, NBDKIT_TCP -> NbdServer.nbdkit(dir, server == Server.NBDKIT_UNIX,
                    structured ? List.of() : List.of("--no-sr"), "memory", Long.toString(size));
            case QEMU_UNIX, QEMU_TCP -> NbdServer.qemuNbd(dir, image(size), "disk", server == Server.QEMU_UNIX);
        };
        cleanup.add(s);
        return s;
    }

    private Path image(long size) throws IOException {
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        return image;
    }

    private NbdConnection connect(NbdUri uri, boolean structured, Completions c) throws IOException {
        NbdConnection conn = NbdConnection.open(uri, structured, c);
        cleanup.add(conn); // closed before its server: cleanup runs in reverse
        return conn;
    }

    static Stream<Arguments> servers() {
        List<Arguments> all = new ArrayList<>();
        for (Server s : Server.values()) {
            all.add(Arguments.of(s, true));
            all.add(Arguments.of(s, false));
        }
        return all.stream();
    }

    @Test
    void shouldHandshakeAndReportSizeAndFlagsWithNbdkit() throws Exception {
        NbdServer s = start(Server.NBDKIT_UNIX, true, 64 * MIB);
        NbdConnection conn = connect(s.uri, true, new Completions());
        assertEquals(64 * MIB, conn.size());
        assertTrue(conn.structuredReplies());
        assertFalse(conn.isReadOnly());
        assertTrue(conn.canFlush());
        assertTrue(conn.canFua());
        assertTrue(conn.canTrim());
        assertTrue(conn.canWriteZeroes());
        assertTrue(conn.canMultiConn());
        assertTrue(conn.isOpen());
    }

    @Test
    void shouldHandshakeOverTcpWithQemuNbd() throws Exception {
        NbdServer s = start(Server.QEMU_TCP, true, 16 * MIB);
        NbdConnection conn = connect(s.uri, true, new Completions());
        assertEquals(16 * MIB, conn.size());
        assertEquals("disk", conn.exportName());
        assertTrue(conn.structuredReplies());
        assertTrue(conn.canFlush());
        assertTrue(conn.canTrim());
        assertTrue(conn.canWriteZeroes());
    }

    @Test
    void shouldFallBackToSimpleRepliesWhenServerRefusesStructured() throws Exception {
        NbdServer s = start(Server.NBDKIT_TCP, false, 8 * MIB);
        NbdConnection conn = connect(s.uri, true, new Completions());
        assertFalse(conn.structuredReplies());
        assertFalse(conn.canDf());
    }

    @ParameterizedTest(name = "{0} structured={1}")
    @MethodSource("servers")
    void shouldReadBackPipelinedRandomWrites(Server server, boolean structured) throws Exception {
        long size = 64 * MIB;
        NbdServer s = start(server, structured, size);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, structured, c);
        assertEquals(structured, conn.structuredReplies());

        // Disjoint regions so that pipelined requests cannot race each other.
        int slots = 128;
        long slot = size / slots;
        Random random = new Random(42 + server.ordinal());
        long[] offsets = new long[slots];
        byte[][] written = new byte[slots][];
        long[] handles = new long[slots];
        for (int i = 0; i < slots; i++) {
            int length = 1 + random.nextInt(i % 4 == 0 ? 4096 : (int) slot / 2);
            offsets[i] = i * slot + random.nextInt((int) (slot - length));
            written[i] = new byte[length];
            random.nextBytes(written[i]);
            MemorySegment data = i % 2 == 0 ? MemorySegment.ofArray(written[i])
                    : arena.allocate(length).copyFrom(MemorySegment.ofArray(written[i]));
            handles[i] = conn.send(Command.WRITE, offsets[i], length, data, i % 3 == 0);
        }
        for (int i = 0; i < slots; i++) {
            assertEquals(0, c.await(handles[i]), "write " + i);
        }
        MemorySegment[] read = new MemorySegment[slots];
        for (int i = 0; i < slots; i++) {
            read[i] = i % 2 == 0 ? MemorySegment.ofArray(new byte[written[i].length])
                    : arena.allocate(written[i].length);
            read[i].fill((byte) 0x5a);
            handles[i] = conn.send(Command.READ, offsets[i], written[i].length, read[i], false);
        }
        assertTrue(conn.inFlight() <= slots);
        for (int i = 0; i < slots; i++) {
            assertEquals(0, c.await(handles[i]), "read " + i);
            assertArrayEquals(written[i], read[i].toArray(ValueLayout.JAVA_BYTE), "data of region " + i);
        }
        // A read spanning written and never-written bytes: the unwritten parts read as zeros
        // (from qemu-nbd with structured replies these come back as holes).
        int span = (int) slot;
        MemorySegment whole = arena.allocate(span).fill((byte) 0x5a);
        assertEquals(0, c.await(conn.send(Command.READ, 3 * slot, span, whole, false)));
        byte[] expected = new byte[span];
        System.arraycopy(written[3], 0, expected, (int) (offsets[3] - 3 * slot), written[3].length);
        assertArrayEquals(expected, whole.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0, c.duplicates.get());
        assertEquals(0, conn.inFlight());
    }

    @Test
    void shouldReadWithDontFragmentFromQemuNbd() throws Exception {
        NbdServer s = start(Server.QEMU_UNIX, true, 8 * MIB);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, true, c);
        assertTrue(conn.canDf());
        byte[] data = new byte[8192];
        new Random(1).nextBytes(data);
        assertEquals(0, c.await(conn.send(Command.WRITE, MIB, data.length, MemorySegment.ofArray(data), false)));
        MemorySegment buf = arena.allocate(3 * MIB).fill((byte) 1);
        assertEquals(0, c.await(conn.send(100, Command.READ, 0, 3 * MIB, buf, NbdConnection.CMD_FLAG_DF)));
        byte[] expected = new byte[(int) (3 * MIB)];
        System.arraycopy(data, 0, expected, (int) MIB, data.length);
        assertArrayEquals(expected, buf.toArray(ValueLayout.JAVA_BYTE));
    }

    @ParameterizedTest(name = "{0} structured={1}")
    @MethodSource("servers")
    void shouldFlushAndWriteWithFua(Server server, boolean structured) throws Exception {
        NbdServer s = start(server, structured, 8 * MIB);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, structured, c);
        assertTrue(conn.canFua());
        ByteBuffer data = ByteBuffer.allocateDirect(4096);
        while (data.hasRemaining()) {
            data.put((byte) data.position());
        }
        data.flip();
        long w = conn.send(Command.WRITE, 4096, data, true);
        long f = conn.send(Command.FLUSH, 0, 0, null, false);
        assertEquals(0, c.await(w));
        assertEquals(0, c.await(f));
    }

    @ParameterizedTest(name = "{0} structured={1}")
    @MethodSource("servers")
    void shouldReadZerosAfterTrimAndWriteZeroes(Server server, boolean structured) throws Exception {
        NbdServer s = start(server, structured, 8 * MIB);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, structured, c);
        byte[] ones = new byte[(int) (2 * MIB)];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals(0, c.await(conn.send(Command.WRITE, 0, ones.length, MemorySegment.ofArray(ones), false)));
        // Trim a whole, aligned MiB (a server may ignore trim of partial blocks); zero an unaligned range.
        long trim = conn.send(Command.TRIM, 0, MIB, null, false);
        long zero = conn.send(Command.WRITE_ZEROES, MIB + 100, 5000, null, true);
        assertEquals(0, c.await(trim));
        assertEquals(0, c.await(zero));
        MemorySegment back = arena.allocate(2 * MIB).fill((byte) 0x33);
        assertEquals(0, c.await(conn.send(Command.READ, 0, 2 * MIB, back, false)));
        byte[] expected = ones.clone();
        java.util.Arrays.fill(expected, 0, (int) MIB, (byte) 0);
        java.util.Arrays.fill(expected, (int) MIB + 100, (int) MIB + 5100, (byte) 0);
        assertArrayEquals(expected, back.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void shouldReportServerErrorForOutOfRangeRead() throws Exception {
        for (boolean structured : new boolean[] {true, false}) {
            NbdServer s = start(Server.NBDKIT_UNIX, structured, MIB);
            Completions c = new Completions();
            NbdConnection conn = connect(s.uri, structured, c);
            MemorySegment buf = arena.allocate(8192);
            int error = c.await(conn.send(Command.READ, MIB - 4096, 8192, buf, false));
            assertTrue(error != 0, "reading past the end must fail");
            // and the connection keeps working
            assertEquals(0, c.await(conn.send(Command.READ, 0, 4096, buf, false)));
            conn.close();
            s.kill();
            java.nio.file.Files.deleteIfExists(s.uri.socketPath());
        }
    }

    @Test
    void shouldFailClearlyForUnknownExport() throws Exception {
        NbdServer s = start(Server.QEMU_UNIX, true, MIB);
        NbdUri wrong = NbdUri.unix(s.uri.socketPath(), "no-such-export");
        NbdException e = assertThrows(NbdException.class, () -> NbdConnection.open(wrong, new Completions()));
        assertTrue(e.getMessage().contains("'no-such-export'"), e.getMessage());
        assertTrue(e.getMessage().contains("NBD_REP_ERR_UNKNOWN"), e.getMessage());
        assertEquals(NbdProtocol.REP_ERR_UNKNOWN, e.replyType());
        // the right name still works
        assertEquals(MIB, connect(s.uri, true, new Completions()).size());
    }

    @Test
    void shouldRejectRequestsTheServerDoesNotSupportAndDuplicateHandles() throws Exception {
        NbdServer s = start(Server.NBDKIT_UNIX, false, MIB);
        NbdConnection conn = connect(s.uri, true, new Completions());
        MemorySegment buf = arena.allocate(4096);
        assertThrows(IllegalArgumentException.class,
                () -> conn.send(1, Command.READ, 0, 4096, buf, NbdConnection.CMD_FLAG_DF));
        assertThrows(IllegalArgumentException.class, () -> conn.send(Command.READ, 0, 8192, buf, false));
        assertThrows(IllegalArgumentException.class, () -> conn.send(Command.READ, 0, 1L << 32, buf, false));
    }

    @ParameterizedTest(name = "structured={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldFailInFlightRequestsWithEioWhenServerDies(boolean structured) throws Exception {
        // Every read waits 20 s in the server, so they are all in flight when it is killed.
        NbdServer slow = NbdServer.nbdkit(dir, false, structured ? List.of("--filter=delay")
                : List.of("--no-sr", "--filter=delay"), "memory", "16M", "rdelay=20");
        cleanup.add(slow);
        Completions c = new Completions();
        NbdConnection conn = connect(slow.uri, structured, c);
        int n = 32;
        long[] handles = new long[n];
        for (int i = 0; i < n; i++) {
            handles[i] = conn.send(Command.READ, i * 65536L, 65536, arena.allocate(65536), false);
        }
        Thread.sleep(300);
        assertEquals(n, conn.inFlight());
        slow.kill();
        for (int i = 0; i < n; i++) {
            assertEquals(NbdProtocol.EIO, c.await(handles[i]), "request " + i);
        }
        IOException cause = c.failure.get(10, TimeUnit.SECONDS);
        assertNotNull(cause);
        assertFalse(conn.isOpen());
        assertEquals(0, conn.inFlight());
        // Later requests fail at once instead of hanging.
        assertEquals(NbdProtocol.EIO, c.await(conn.send(Command.READ, 0, 512, arena.allocate(512), false)));
        assertEquals(0, c.duplicates.get());
    }

    @Test
    void shouldLetInFlightRequestsFinishOnClose() throws Exception {
        NbdServer s = NbdServer.nbdkit(dir, true, List.of("--filter=delay"), "memory", "16M", "rdelay=1");
        cleanup.add(s);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, true, c);
        long[] handles = new long[4];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = conn.send(Command.READ, i * 4096L, 4096, arena.allocate(4096), false);
        }
        conn.close();
        for (long h : handles) {
            assertTrue(c.of(h).isDone(), "every request is complete once close returns");
        }
        assertFalse(c.failure.isDone(), "an orderly close is not a failure");
        assertEquals(NbdProtocol.EIO, c.await(conn.send(Command.READ, 0, 512, arena.allocate(512), false)));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldTimeOutWhenServerNeverGreets() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            NbdUri uri = NbdUri.tcp("127.0.0.1", silent.getLocalPort(), "");
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> NbdConnection.open(uri, true,
                    java.time.Duration.ofMillis(500), new Completions()));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void shouldFailClearlyWhenNothingListens() {
        NbdUri uri = NbdUri.unix(dir.resolve("nobody.sock"), "");
        assertThrows(IOException.class, () -> NbdConnection.open(uri, new Completions()));
    }

    @Test
    void shouldHonourTheServersBlockSizeConstraints() throws Exception {
        NbdServer s = NbdServer.nbdkit(dir, true, List.of("--filter=blocksize-policy"), "memory", "4M",
                "blocksize-minimum=512", "blocksize-preferred=4096", "blocksize-maximum=65536");
        cleanup.add(s);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, true, c);
        assertEquals(512, conn.minBlockSize());
        assertEquals(4096, conn.preferredBlockSize());
        assertEquals(65536, conn.maxBlockSize());
        MemorySegment buf = arena.allocate(2 * 65536);
        assertThrows(IllegalArgumentException.class, () -> conn.send(Command.READ, 100, 512, buf, false));
        assertThrows(IllegalArgumentException.class, () -> conn.send(Command.WRITE, 0, 1000, buf, false));
        assertThrows(IllegalArgumentException.class, () -> conn.send(Command.READ, 0, 2 * 65536, buf, false));
        assertEquals(0, c.await(conn.send(Command.READ, 512, 65536, buf, false)));
        assertEquals(0, c.await(conn.send(Command.WRITE_ZEROES, 0, 2 * 65536, null, false)));
    }

    @Test
    void shouldServeConcurrentSendersOnOneConnection() throws Exception {
        NbdServer s = start(Server.NBDKIT_UNIX, true, 64 * MIB);
        Completions c = new Completions();
        NbdConnection conn = connect(s.uri, true, c);
        int threads = 8;
        int perThread = 100;
        int block = 16384;
        List<Thread> senders = new ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            senders.add(Thread.ofPlatform().start(() -> {
                try {
                    Random random = new Random(id);
                    long base = id * (64 * MIB / threads);
                    long[] handles = new long[perThread];
                    byte[][] data = new byte[perThread][block];
                    for (int i = 0; i < perThread; i++) {
                        random.nextBytes(data[i]);
                        handles[i] = conn.send(Command.WRITE, base + (long) i * block, block,
                                MemorySegment.ofArray(data[i]), false);
                    }
                    for (long h : handles) {
                        assertEquals(0, c.await(h));
                    }
                    MemorySegment[] back = new MemorySegment[perThread];
                    for (int i = 0; i < perThread; i++) {
                        back[i] = arena.allocate(block);
                        handles[i] = conn.send(Command.READ, base + (long) i * block, block, back[i], false);
                    }
                    for (int i = 0; i < perThread; i++) {
                        assertEquals(0, c.await(handles[i]));
                        assertArrayEquals(data[i], back[i].toArray(ValueLayout.JAVA_BYTE));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> errors.toString());
        assertEquals(0, c.duplicates.get());
        assertEquals(0, conn.inFlight());
    }
}
