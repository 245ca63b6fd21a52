// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.targets.nbd.NbdTarget;
import io.jublk.targets.nbd.NbdUri;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The nbd target on the real driver, against NBD servers started in the guest: qemu-nbd over a
 * file on the guest's tmpfs, nbdkit's memory and file plugins; on loopback TCP and Unix sockets.
 */
@Timeout(900)
class NbdTargetIT {
    private static final long SIZE = 128L << 20;

    /** The servers and how each is reached. */
    enum Kind {
        QEMU_TCP, QEMU_UNIX, NBDKIT_MEMORY_UNIX, NBDKIT_FILE_TCP, NBDKIT_FILE_UNIX;

        boolean hasBackingFile() {
            return this != NBDKIT_MEMORY_UNIX;
        }
    }

    private Path work;
    private Path backing;
    private LogCapture nbdLog;
    private List<String> reports;

    @BeforeEach
    void createBackingFile() throws Exception {
        nbdLog = LogCapture.start("io.jublk.nbd", Level.INFO);
        reports = nbdLog.lines();
        work = Files.createTempDirectory(Path.of("/tmp"), "jublk-nbd");
        backing = work.resolve("export.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(SIZE); // sparse: tmpfs allocates on write
        }
    }

    @AfterEach
    void deleteWork() throws Exception {
        try (var files = Files.list(work)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(work);
        nbdLog.close();
        reports.forEach(line -> System.out.println("logged: " + line));
    }

    private NbdTarget open(GuestServer server) throws IOException {
        return NbdTarget.builder(server.uri).reconnect(Duration.ofMillis(100), Duration.ofSeconds(1))
                .open();
    }

    private static UblkDevice device(NbdTarget nbd, DataMode mode) throws Exception {
        // Size, block size and largest request come from the export.
        UblkDevice dev = UblkDevice.builder().target(nbd).queues(2).depth(64).dataMode(mode).build();
        dev.runQueues();
        dev.start();
        return dev;
    }

    @ParameterizedTest
    @CsvSource({"QEMU_TCP,COPY", "QEMU_UNIX,USER_COPY", "NBDKIT_MEMORY_UNIX,COPY", "NBDKIT_FILE_TCP,USER_COPY"})
    void shouldPassFioVerify(Kind kind, DataMode mode) throws Exception {
        try (GuestServer server = GuestServer.start(kind, backing, work);
             NbdTarget nbd = open(server);
             UblkDevice dev = device(nbd, mode)) {
            assertEquals(SIZE, nbd.size());
            assertEquals(2, nbd.connectionCount(), "multi-conn: a connection per queue");
            String out = Commands.fioVerify(dev.blockPath(), 64L << 20, 32, 2);
            System.out.println("fio verify, " + kind + ", " + mode + ", " + nbd + ":\n" + out);
            assertNoTargetFailures(dev);
        }
        assertNoNbdThreads();
    }

    @ParameterizedTest
    @CsvSource({"QEMU_TCP,USER_COPY", "NBDKIT_FILE_UNIX,COPY"})
    void shouldStoreExactlyWhatWasWrittenInTheServersFile(Kind kind, DataMode mode) throws Exception {
        Path pattern = randomFile(24 << 20, 42);
        long offsetMiB = 40;
        try (GuestServer server = GuestServer.start(kind, backing, work);
             NbdTarget nbd = open(server);
             UblkDevice dev = device(nbd, mode)) {
            writeThrough(dev, pattern, offsetMiB);
            assertEquals(sha256(pattern), sha256Of(dev.blockPath(), offsetMiB, 24, true), "read back through the device");
        }
        assertEquals(sha256(pattern), sha256Of(backing.toString(), offsetMiB, 24, false), "the server's file holds the data");
    }

    @Test
    void shouldHoldAnExt4FilesystemThatPassesFsck() throws Exception {
        try (GuestServer server = GuestServer.start(Kind.NBDKIT_MEMORY_UNIX, backing, work);
             NbdTarget nbd = open(server);
             UblkDevice dev = device(nbd, DataMode.COPY)) {
            assertTrue(nbd.capabilities().discard() && nbd.capabilities().volatileCache(), nbd.capabilities().toString());
            System.out.println(Commands.ext4RoundTrip(dev.blockPath()));
            assertNoTargetFailures(dev);
        }
    }

    @Test
    void shouldServeAReadOnlyExportReadOnly() throws Exception {
        Path pattern = randomFile(4 << 20, 3);
        Commands.check(60, "dd", "if=" + pattern, "of=" + backing, "bs=1M", "conv=notrunc", "status=none");
        try (GuestServer server = GuestServer.start(Kind.QEMU_UNIX, backing, work, "-r");
             NbdTarget nbd = open(server);
             UblkDevice dev = device(nbd, DataMode.COPY)) {
            assertTrue(nbd.isReadOnly());
            assertEquals("1", Commands.check(30, "blockdev", "--getro", dev.blockPath()).strip(), "read-only device");
            assertNotEquals(0, Commands.run(30, "dd", "if=/dev/zero", "of=" + dev.blockPath(), "bs=4k", "count=1",
                    "oflag=direct", "status=none").exitCode(), "a write to a read-only device fails");
            assertEquals(sha256(pattern), sha256Of(dev.blockPath(), 0, 4, true));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"QEMU_TCP", "NBDKIT_FILE_UNIX"})
    void shouldFailWithEioWhileTheServerIsDeadAndServeAgainOnceItIsBack(Kind kind) throws Exception {
        Path pattern = randomFile(8 << 20, 11);
        Path fioLog = work.resolve("fio.log");
        try (GuestServer server = GuestServer.start(kind, backing, work);
             NbdTarget nbd = open(server);
             UblkDevice dev = device(nbd, DataMode.COPY)) {
            Process fio = new ProcessBuilder("fio", "--name=load", "--filename=" + dev.blockPath(), "--ioengine=io_uring",
                    "--direct=1", "--rw=randrw", "--bs=4k-64k", "--iodepth=16", "--numjobs=2", "--size=32M",
                    "--offset_increment=32M", "--time_based", "--runtime=300", "--group_reporting")
                    .redirectErrorStream(true).redirectOutput(fioLog.toFile()).start();
            try {
                awaitFioIo(fio, dev);
                server.kill();
                long killed = System.nanoTime();
                assertTrue(fio.waitFor(60, TimeUnit.SECONDS), "fio ends once the server is gone");
                String out = Files.readString(fioLog);
                System.out.println("fio after SIGKILL of " + kind + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)
                        + " ms):\n" + out);
                assertNotEquals(0, fio.exitValue(), "fio fails");
                assertTrue(out.contains("Input/output error"), "fio saw EIO");
            } finally {
                fio.destroyForcibly();
                fio.waitFor(30, TimeUnit.SECONDS);
            }

            // While the server is gone, a request fails at once instead of waiting for it.
            long start = System.nanoTime();
            Commands.Result read = Commands.run(60, "dd", "if=" + dev.blockPath(), "of=/dev/null", "bs=4k", "count=1",
                    "iflag=direct");
            assertNotEquals(0, read.exitCode(), "a read with no server fails");
            assertTrue(read.output().contains("Input/output error"), read.output());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "and fails without hanging");
            assertEquals(0, nbd.connectionsUp());

            server.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (nbd.connectionsUp() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("no reconnect within 60 s of the server's restart; reports: " + reports);
                }
                Thread.sleep(50);
            }
            long offsetMiB = 72;
            writeThrough(dev, pattern, offsetMiB);
            assertEquals(sha256(pattern), sha256Of(dev.blockPath(), offsetMiB, 8, true), "read back after the reconnect");
        }
        assertEquals(sha256(pattern), sha256Of(backing.toString(), 72, 8, false), "the restarted server stored it");
        assertTrue(reports.stream().anyMatch(l -> l.contains("lost")), reports.toString());
        assertTrue(reports.stream().anyMatch(l -> l.contains("reconnected after")), reports.toString());
        assertNoNbdThreads();
    }

    /** Waits until fio has moved data through the device, so the kill lands mid-IO. */
    private static void awaitFioIo(Process fio, UblkDevice dev) throws Exception {
        Path stat = Path.of("/sys/block/" + Path.of(dev.blockPath()).getFileName() + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String[] f = Files.readString(stat).trim().split("\\s+");
            if (Long.parseLong(f[0]) > 200 && Long.parseLong(f[4]) > 200) {
                return; // reads and writes completed
            }
            if (!fio.isAlive() || System.nanoTime() > deadline) {
                fail("fio did no IO through " + dev.blockPath() + " (alive: " + fio.isAlive() + ")");
            }
            Thread.sleep(100);
        }
    }

    private Path randomFile(int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Path p = Files.createTempFile(work, "pattern", ".bin");
        Files.write(p, data);
        return p;
    }

    private static void writeThrough(UblkDevice dev, Path pattern, long offsetMiB) throws Exception {
        Commands.check(120, "dd", "if=" + pattern, "of=" + dev.blockPath(), "bs=1M", "seek=" + offsetMiB,
                "oflag=direct", "conv=fsync,notrunc", "status=none");
    }

    private static String sha256(Path file) throws Exception {
        return Commands.check(60, "sha256sum", file.toString()).split(" ")[0];
    }

    private static String sha256Of(String file, long skipMiB, long countMiB, boolean direct) throws Exception {
        return Commands.check(120, "sh", "-c", "dd if=" + file + " bs=1M skip=" + skipMiB + " count=" + countMiB
                + (direct ? " iflag=direct" : "") + " status=none | sha256sum").split(" ")[0];
    }

    private static void assertNoTargetFailures(UblkDevice dev) {
        for (var q : dev.queues()) {
            assertEquals(0, q.targetFailures(), q + " target failures");
        }
    }

    private static void assertNoNbdThreads() {
        List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("nbd-")).toList();
        assertTrue(left.isEmpty(), "threads left after the target closed: " + left);
    }

    /** An NBD server in the guest, killed when closed; restartable on the same address. */
    private static final class GuestServer implements AutoCloseable {
        final NbdUri uri;
        private final List<String> command;
        private final Path log;
        private Process process;

        private GuestServer(NbdUri uri, List<String> command, Path log) {
            this.uri = uri;
            this.command = command;
            this.log = log;
        }

        static GuestServer start(Kind kind, Path backing, Path dir, String... extra) throws Exception {
            boolean unix = kind.name().endsWith("_UNIX");
            Path socket = dir.resolve("nbd.sock");
            int port = unix ? -1 : freePort();
            List<String> cmd = new ArrayList<>();
            NbdUri uri;
            if (kind == Kind.QEMU_TCP || kind == Kind.QEMU_UNIX) {
                // -t: keep serving after a client leaves, so the target can come back
                cmd.addAll(List.of("qemu-nbd", "-f", "raw", "-x", "disk", "-t", "-e", "8", "--discard=unmap"));
                cmd.addAll(unix ? List.of("-k", socket.toString()) : List.of("-b", "127.0.0.1", "-p", String.valueOf(port)));
                uri = unix ? NbdUri.unix(socket, "disk") : NbdUri.tcp("127.0.0.1", port, "disk");
            } else {
                cmd.addAll(List.of("nbdkit", "-f", "--exit-with-parent"));
                cmd.addAll(unix ? List.of("-U", socket.toString()) : List.of("-i", "127.0.0.1", "-p", String.valueOf(port)));
                uri = unix ? NbdUri.unix(socket, "") : NbdUri.tcp("127.0.0.1", port, "");
            }
            cmd.addAll(List.of(extra));
            if (kind == Kind.NBDKIT_MEMORY_UNIX) {
                cmd.addAll(List.of("memory", String.valueOf(SIZE)));
            } else if (kind.name().startsWith("NBDKIT")) {
                cmd.addAll(List.of("file", backing.toString()));
            } else {
                cmd.add(backing.toString());
            }
            GuestServer s = new GuestServer(uri, cmd, dir.resolve("server.log"));
            s.launch();
            return s;
        }

        private void launch() throws Exception {
            if (uri.isUnix()) {
                Files.deleteIfExists(uri.socketPath()); // a killed server leaves its socket file behind
            }
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (SocketChannel probe = uri.isUnix() ? SocketChannel.open(UnixDomainSocketAddress.of(uri.socketPath()))
                        : SocketChannel.open(new InetSocketAddress(uri.host(), uri.port()))) {
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        kill();
                        fail(String.join(" ", command) + " did not start listening: " + Files.readString(log));
                    }
                    Thread.sleep(50);
                }
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(30, TimeUnit.SECONDS);
        }

        void restart() throws Exception {
            kill();
            launch();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }
}
