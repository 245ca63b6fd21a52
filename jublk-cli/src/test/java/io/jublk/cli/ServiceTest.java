// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.Recovery;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.SocketCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Running as a service: the notifications systemd reads, and the {@code --service} option. */
class ServiceTest {
    @TempDir
    Path tmp;

    /** Receives what a notifier sends, as systemd does, on a datagram socket of its own. */
    private static String receive(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long n = SocketCalls.recv(fd, buf, buf.byteSize(), SocketCalls.MSG_DONTWAIT);
            assertTrue(n >= 0, "a datagram is waiting (recv: " + n + ")");
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldSendReadyWithStatusAndPidThenStoppingToAPath() throws Exception {
        String path = tmp.resolve("notify").toString();
        int fd = SocketCalls.unixDatagramSocket();
        try {
            SocketCalls.bind(fd, path);
            ServiceNotifier n = ServiceNotifier.of(path, System.err);
            assertTrue(n.isActive());
            n.ready(7);
            assertEquals("READY=1\nSTATUS=serving /dev/ublkb7\nMAINPID=" + ProcessHandle.current().pid() + "\n", receive(fd));
            n.stopping();
            assertEquals("STOPPING=1\n", receive(fd));
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldReachAnAbstractSocketNamedWithAnAt() throws Exception {
        String name = "jublk-notify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int fd = SocketCalls.unixDatagramSocket();
        try {
            SocketCalls.bind(fd, "\0" + name);
            ServiceNotifier.of("@" + name, System.err).ready(0);
            assertTrue(receive(fd).startsWith("READY=1\nSTATUS=serving /dev/ublkb0\n"));
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldDoNothingWithoutASocketAndReportAFailedSendOnce() {
        assertFalse(ServiceNotifier.of(null, System.err).isActive());
        assertFalse(ServiceNotifier.of("", System.err).isActive());
        ServiceNotifier.of(null, System.err).ready(1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServiceNotifier gone = ServiceNotifier.of(tmp.resolve("nobody").toString(), new PrintStream(err, true, StandardCharsets.UTF_8));
        gone.ready(1);
        gone.stopping();
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, said.lines().count(), said);
        assertTrue(said.startsWith("jublk: telling the service manager (NOTIFY_SOCKET): sendto "), said);
    }

    private static AddCommand add(String... argv) throws CliException {
        return (AddCommand) Cli.parse(Cli.verb("add"), List.of(argv));
    }

    @Test
    void shouldAskForRecoveryByDefaultAsAService() throws Exception {
        Path image = Files.createFile(tmp.resolve("disk.img"));
        Files.write(image, new byte[1 << 20]);
        AddCommand service = add("-t", "file", "-p", image.toString(), "-n", "4", "--foreground", "--service");
        assertTrue(service.isService());
        assertEquals(Recovery.REISSUE, service.options.settings(true).recovery());
        AddCommand failIo = add("-t", "file", "-p", image.toString(), "-n", "4", "--foreground", "--service", "--recovery=fail-io");
        assertEquals(Recovery.FAIL_IO, failIo.options.settings(true).recovery());
        AddCommand off = add("-t", "file", "-p", image.toString(), "-n", "4", "--foreground", "--service", "--recovery=off");
        assertEquals(Recovery.OFF, off.options.settings(true).recovery());
        // mem data dies with its server: no recovery unless asked for (and then refused).
        assertEquals(Recovery.OFF, add("-t", "mem", "-n", "4", "--foreground", "--service").options.settings(true).recovery());
        assertFalse(add("-t", "null", "-n", "4", "--foreground").isService());
        assertEquals(Recovery.OFF, add("-t", "file", "-p", image.toString()).options.settings(false).recovery());
    }

    @Test
    void shouldRefuseAServiceWithoutForegroundOrId() throws Exception {
        CliException noForeground = assertThrows(CliException.class,
                () -> add("-t", "null", "-n", "4", "--service").isService());
        assertTrue(noForeground.getMessage().contains("--service is for a server in the foreground"), noForeground.getMessage());
        CliException noId = assertThrows(CliException.class, () -> add("-t", "null", "--foreground", "--service").isService());
        assertTrue(noId.getMessage().contains("--service needs the device id"), noId.getMessage());
        CliException takeOver = assertThrows(CliException.class,
                () -> add("-t", "null", "--foreground", "-n", "4", "--service", "--take-over", "4").isService());
        assertTrue(takeOver.getMessage().contains("leave out --take-over"), takeOver.getMessage());
    }
}
