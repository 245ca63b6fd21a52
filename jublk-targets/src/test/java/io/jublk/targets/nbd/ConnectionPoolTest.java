// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.targets.nbd.NbdConnection.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nbd target's connections without a ublk device: routing per queue, multi-conn, EIO when the
 * server dies, reconnecting when it comes back, refusing an export that changed. Real servers
 * (nbdkit, qemu-nbd), killed and restarted on the same address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionPoolTest {
    private static final long MIB = 1 << 20;
    private static final Duration FAST_MIN = Duration.ofMillis(50);
    private static final Duration FAST_MAX = Duration.ofMillis(400);

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Completions completions = new Completions();
    private final Logger nbdLogger = Logger.getLogger("io.jublk.nbd");
    private final Handler logLines = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        nbdLogger.setLevel(Level.ALL);
        nbdLogger.addHandler(logLines);
    }

    @AfterEach
    void tearDown() {
        nbdLogger.removeHandler(logLines);
        nbdLogger.setLevel(null);
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        arena.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private ConnectionPool pool(NbdServer server, int connections) throws IOException {
        return closeLater(ConnectionPool.open(server.uri, connections, true, Duration.ofSeconds(5), FAST_MIN, FAST_MAX,
                completions));
    }

    private Path image(long size) throws IOException {
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        }
        return image;
    }

    /** Sends with a handle unique across the pool's connections, whose own handles restart at 1. */
    private long send(NbdConnection conn, Command command, long offset, long length, MemorySegment data, boolean fua) {
        return conn.send(nextHandle++, command, offset, length, data, fua ? NbdConnection.CMD_FLAG_FUA : 0);
    }

    private long nextHandle = 1;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private boolean logged(String text) {
        return log.stream().anyMatch(line -> line.contains(text));
    }

    @Test
    void shouldOpenOneConnectionPerQueueWhenTheServerAllowsMultiConn() throws Exception {
        NbdServer s = closeLater(NbdServer.nbdkit(dir, true, List.of(), "memory", "16M"));
        ConnectionPool pool = pool(s, 1);
        assertTrue(pool.canMultiConn());
        assertEquals(1, pool.linkCount());
        pool.growTo(3);
        assertEquals(3, pool.linkCount());
        await("three connections up", () -> pool.linksUp() == 3);
        NbdConnection q0 = pool.route(0);
        NbdConnection q1 = pool.route(1);
        NbdConnection q2 = pool.route(2);
        assertNotSame(q0, q1);
        assertNotSame(q1, q2);
        assertNotSame(q0, q2);
        assertEquals(q0, pool.route(3), "queue 3 shares link 0 (3 modulo 3)");
        // A write on one connection is visible through another (multi-conn consistency after a flush).
        MemorySegment data = arena.allocate(4096).fill((byte) 7);
        assertEquals(0, completions.await(send(q0, Command.WRITE, 0, 4096, data, false)));
        assertEquals(0, completions.await(send(q0, Command.FLUSH, 0, 0, null, false)));
        MemorySegment back = arena.allocate(4096);
        assertEquals(0, completions.await(send(q2, Command.READ, 0, 4096, back, false)));
        assertEquals(-1L, data.mismatch(back));
    }

    @Test
    void shouldShareOneConnectionWhenTheServerDoesNotAllowMultiConn() throws Exception {
        NbdServer s = closeLater(NbdServer.nbdkit(dir, true, List.of("--filter=multi-conn"), "memory", "16M",
                "multi-conn-mode=disable"));
        ConnectionPool pool = pool(s, 4);
        assertFalse(pool.canMultiConn());
        assertEquals(1, pool.linkCount());
        assertTrue(logged("does not advertise multi-conn"), log.toString());
        pool.growTo(4);
        assertEquals(1, pool.linkCount());
        assertEquals(pool.route(0), pool.route(3));
    }

    @Test
    void shouldOpenEveryConnectionAskedForAtOnce() throws Exception {
        NbdServer s = closeLater(NbdServer.nbdkit(dir, false, List.of(), "memory", "16M"));
        ConnectionPool pool = pool(s, 2);
        assertEquals(2, pool.linkCount());
        assertEquals(2, pool.linksUp());
    }

    @Test
    void shouldFailToOpenWhenNothingListens() {
        NbdUri nobody = NbdUri.unix(dir.resolve("nobody.sock"), "");
        assertThrows(IOException.class, () -> ConnectionPool.open(nobody, 1, true, Duration.ofSeconds(5), FAST_MIN,
                FAST_MAX, completions));
    }

    @Test
    void shouldFailInFlightRequestsWithEioAndReconnectWhenTheServerComesBack() throws Exception {
        // nbdkit's file plugin keeps the data across the restart; reads wait 20 s in the server, so
        // they are in flight when it is killed.
        Path image = image(16 * MIB);
        NbdServer s = closeLater(NbdServer.nbdkit(dir, false, List.of("--filter=delay"), "file", image.toString(),
                "rdelay=20"));
        ConnectionPool pool = pool(s, 1);
        NbdConnection conn = pool.route(0);
        byte[] pattern = new byte[(int) MIB];
        new Random(5).nextBytes(pattern);
        assertEquals(0, completions.await(send(conn, Command.WRITE, 3 * MIB, pattern.length,
                MemorySegment.ofArray(pattern), true)));
        long[] reads = new long[8];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = send(conn, Command.READ, i * 4096L, 4096, arena.allocate(4096), false);
        }
        Thread.sleep(200);
        assertEquals(reads.length, conn.inFlight());

        long killed = System.nanoTime();
        s.kill();
        for (long h : reads) {
            assertEquals(NbdProtocol.EIO, completions.await(h));
        }
        assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5), "in-flight requests fail at once");
        await("the pool sees the connection down", () -> pool.route(0) == null);
        assertEquals(0, pool.linksUp());
        await("the loss is reported", () -> logged("lost"));
        // While the server is gone the reconnect attempts fail; the pool keeps trying, and says so once.
        Thread.sleep(1000);
        assertNull(pool.route(0));
        assertTrue(log.stream().filter(l -> l.contains("reconnecting failed")).count() == 1, log.toString());

        NbdServer back = closeLater(s.restartWith(1, "rdelay=0"));
        await("reconnected", () -> pool.route(0) != null);
        assertTrue(logged("reconnected after"), log.toString());
        NbdConnection again = pool.route(0);
        assertNotSame(conn, again);
        MemorySegment read = arena.allocate(pattern.length);
        assertEquals(0, completions.await(send(again, Command.READ, 3 * MIB, pattern.length, read, false)));
        assertArrayEquals(pattern, read.toArray(ValueLayout.JAVA_BYTE), "data written before the restart");
        assertTrue(back.process.isAlive());
    }

    @Test
    void shouldReconnectToQemuNbdOverTcp() throws Exception {
        Path image = image(8 * MIB);
        NbdServer s = closeLater(NbdServer.qemuNbd(dir, image, "disk", false));
        ConnectionPool pool = pool(s, 1);
        byte[] pattern = new byte[65536];
        new Random(9).nextBytes(pattern);
        assertEquals(0, completions.await(send(pool.route(0), Command.WRITE, 0, pattern.length,
                MemorySegment.ofArray(pattern), true)));
        MemorySegment before = arena.allocate(pattern.length);
        assertEquals(0, completions.await(send(pool.route(0), Command.READ, 0, pattern.length, before, false)));
        assertArrayEquals(pattern, before.toArray(ValueLayout.JAVA_BYTE), "before restart");
        closeLater(s.restart());
        await("reconnected", () -> pool.route(0) != null && pool.linksUp() == 1);
        MemorySegment read = arena.allocate(pattern.length);
        assertEquals(0, completions.await(send(pool.route(0), Command.READ, 0, pattern.length, read, false)));
        assertArrayEquals(pattern, read.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void shouldRefuseAnExportWhoseSizeChangedAndTakeItBackWhenRestored() throws Exception {
        NbdServer s = closeLater(NbdServer.nbdkit(dir, true, List.of(), "memory", "16M"));
        ConnectionPool pool = pool(s, 1);
        assertEquals(16 * MIB, pool.export().size());
        NbdServer bigger = closeLater(s.restartWith(1, "32M"));
        await("the size change is reported", () -> logged("size changed from " + 16 * MIB + " to " + 32 * MIB));
        assertNull(pool.route(0), "requests keep failing");
        Thread.sleep(1000); // several attempts, one line
        assertEquals(1, log.stream().filter(l -> l.contains("size changed")).count(), log.toString());
        closeLater(bigger.restartWith(1, "16M"));
        await("reconnected to the original size", () -> pool.route(0) != null);
    }

    @Test
    void shouldStopReconnectingWhenClosed() throws Exception {
        NbdServer s = closeLater(NbdServer.nbdkit(dir, true, List.of(), "memory", "16M"));
        ConnectionPool pool = ConnectionPool.open(s.uri, 1, true, Duration.ofSeconds(5), FAST_MIN, FAST_MAX,
                completions);
        s.kill();
        await("down", () -> pool.route(0) == null);
        long start = System.nanoTime();
        pool.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "close does not wait for a reconnect");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("nbd-reconnect-" + s.uri)), "the reconnect thread is gone");
        // A reader thread ends once its socket is closed, which it notices a moment later on a busy machine.
        await("no connection is left reading", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("nbd-reader-") && t.isAlive()));
        assertNotNull(pool.toString());
    }
}
