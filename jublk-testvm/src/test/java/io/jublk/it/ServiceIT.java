// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.SocketCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jublk.it.CliRun.jublk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code jublk add --foreground --service} as systemd runs it from {@code jublk@.service}, without
 * systemd: the test listens on the NOTIFY_SOCKET itself. SIGTERM (a restart) lets go of the
 * device, the next start takes it over with the data intact, and the unit's ExecStop command
 * ({@code jublk del}) deletes it.
 */
@Timeout(1800)
class ServiceIT {
    private static final int ID = 41;
    private static final String BDEV = "/dev/ublkb" + ID;

    private Path image;
    private Path socket;
    private int socketFd = -1;
    private final List<Process> servers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        image = Files.createTempFile(Path.of("/tmp"), "jublk-service", ".img");
        Commands.check(30, "truncate", "-s", "64M", image.toString());
        socket = Path.of("/tmp/jublk-notify-" + ProcessHandle.current().pid() + ".sock");
        Files.deleteIfExists(socket);
        socketFd = SocketCalls.unixDatagramSocket();
        SocketCalls.bind(socketFd, socket.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        if (UblkControl.deviceIds().contains(ID)) {
            jublk("del", "-n", String.valueOf(ID));
        }
        if (socketFd >= 0) {
            FileCalls.closeQuietly(socketFd);
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(image);
    }

    /** The unit's ExecStart, with the environment systemd gives it. */
    private Process startService(Path log) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.jublk.cli.Main",
                "add", "--foreground", "--service", "-n", String.valueOf(ID), "-t", "file", "--path", image.toString(),
                "-q", "2", "-d", "32");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("NOTIFY_SOCKET", socket.toString());
        Process p = pb.start();
        servers.add(p);
        return p;
    }

    /** The next notification, waited for as long as the server lives. */
    private String nextMessage(Process server, Path log) throws Exception {
        long start = System.nanoTime();
        // A fresh JVM under the VM's emulation takes minutes to bring a device up.
        long deadline = start + TimeUnit.SECONDS.toNanos(480);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            while (System.nanoTime() < deadline) {
                long n = SocketCalls.recv(socketFd, buf, buf.byteSize(), SocketCalls.MSG_DONTWAIT);
                if (n >= 0) {
                    System.out.printf("notification after %.1f s%n", (System.nanoTime() - start) / 1e9);
                    return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                }
                if (!server.isAlive()) {
                    fail("the server exited with " + server.exitValue() + " before notifying:\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
        fail("no notification within 480 s (devices " + UblkControl.deviceIds() + "; server "
                + (server.isAlive() ? "alive" : "gone") + "), its output:\n" + Files.readString(log));
        return null;
    }

    private static String checksum() throws Exception {
        return Commands.check(60, "sh", "-c", "dd if=" + BDEV + " bs=1M count=16 iflag=direct status=none | sha256sum");
    }

    private static UblkDeviceInfo info() throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            return ctl.deviceInfo(ID);
        }
    }

    @Test
    void shouldKeepTheDeviceAcrossARestartAndDeleteItOnStop() throws Exception {
        Path log1 = Files.createTempFile("jublk-service", ".log");
        Path log2 = Files.createTempFile("jublk-service", ".log");
        try {
            Process first = startService(log1);
            assertEquals("READY=1\nSTATUS=serving " + BDEV + "\nMAINPID=" + first.pid() + "\n", nextMessage(first, log1));
            Commands.check(60, "dd", "if=/dev/urandom", "of=" + BDEV, "bs=1M", "count=16", "oflag=direct", "status=none");
            String written = checksum();

            // A restart: systemd's SIGTERM. The server lets go; the device waits for the next one.
            first.destroy();
            assertEquals("STOPPING=1\n", nextMessage(first, log1));
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the server exits after SIGTERM");
            assertEquals(143, first.exitValue(), Files.readString(log1));
            assertTrue(Files.readString(log1).contains("dev " + ID + ": let go"), Files.readString(log1));
            assertTrue(UblkControl.deviceIds().contains(ID), "the device outlives its server");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (info().state() == UblkCmd.UBLK_S_DEV_LIVE && System.nanoTime() < until) {
                Thread.sleep(50); // the kernel quiesces the device once the server's /dev/ublkcN is released
            }
            assertEquals(UblkCmd.UBLK_S_DEV_QUIESCED, info().state(), "IO waits for the next server");
            assertTrue(Files.exists(Path.of(BDEV)), BDEV + " stays");

            Process second = startService(log2);
            assertEquals("READY=1\nSTATUS=serving " + BDEV + "\nMAINPID=" + second.pid() + "\n", nextMessage(second, log2));
            assertTrue(Files.readString(log2).contains("dev " + ID + ": taken over"), Files.readString(log2));
            assertEquals(UblkCmd.UBLK_S_DEV_LIVE, info().state());
            assertEquals(written, checksum(), "the data written before the restart");

            // A stop: the unit's ExecStop deletes the device; its server deletes it and exits.
            CliRun stop = jublk("del", "-n", String.valueOf(ID));
            assertEquals(0, stop.status(), stop.err());
            assertEquals("STOPPING=1\n", nextMessage(second, log2));
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the server exits after jublk del");
            assertEquals(0, second.exitValue(), Files.readString(log2));
            assertFalse(UblkControl.deviceIds().contains(ID), "the device is gone");
            assertFalse(Files.exists(Path.of("/run/jublk/ublkb" + ID + ".state")), "and its saved settings");
        } finally {
            Files.deleteIfExists(log1);
            Files.deleteIfExists(log2);
        }
    }
}
