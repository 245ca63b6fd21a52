// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.SocketCalls;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Tells a service manager (systemd with {@code Type=notify}) how the server is doing, through the
 * Unix datagram socket named by {@code NOTIFY_SOCKET}: {@code READY=1} once the device is live,
 * {@code STOPPING=1} when the server stops. Without that variable it does nothing. A message that
 * cannot be sent is reported once and never stops the server: the device matters more.
 */
final class ServiceNotifier {
    /** The environment variable a service manager names its socket in. */
    static final String SOCKET_VARIABLE = "NOTIFY_SOCKET";

    private final String address;
    private final PrintStream err;
    private boolean failed;

    private ServiceNotifier(String address, PrintStream err) {
        this.address = address;
        this.err = err;
    }

    /**
     * @param socket the value of {@code NOTIFY_SOCKET}: a path, or an abstract name starting with '@'; or {@code null}
     * @param err where a failed send is reported
     * @return a notifier sending there, or one that sends nothing when {@code socket} is null or empty
     */
    static ServiceNotifier of(String socket, PrintStream err) {
        if (socket == null || socket.isEmpty()) {
            return new ServiceNotifier(null, err);
        }
        return new ServiceNotifier(socket.startsWith("@") ? "\0" + socket.substring(1) : socket, err);
    }

    /**
     * @param err where a failed send is reported
     * @return a notifier for the socket this process's environment names, if any
     */
    static ServiceNotifier fromEnvironment(PrintStream err) {
        return of(System.getenv(SOCKET_VARIABLE), err);
    }

    /** @return whether a service manager listens */
    boolean isActive() {
        return address != null;
    }

    /**
     * @param id the device now live
     * @param pid the serving process
     * @return the message saying so
     */
    static String readyMessage(int id, long pid) {
        return "READY=1\nSTATUS=serving /dev/ublkb" + id + "\nMAINPID=" + pid + "\n";
    }

    /** @return the message saying the server stops */
    static String stoppingMessage() {
        return "STOPPING=1\n";
    }

    /**
     * Says the device is live and served by this process.
     *
     * @param id the device
     */
    void ready(int id) {
        send(readyMessage(id, ProcessHandle.current().pid()));
    }

    /** Says the server is stopping. */
    void stopping() {
        send(stoppingMessage());
    }

    private synchronized void send(String message) {
        if (address == null || failed) {
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            fd = SocketCalls.unixDatagramSocket();
            SocketCalls.sendTo(fd, buf, bytes.length, address);
        } catch (ErrnoException | IllegalArgumentException e) {
            failed = true;
            Main.printLines(err, "telling the service manager (" + SOCKET_VARIABLE + "): " + e.getMessage());
        } finally {
            if (fd >= 0) {
                FileCalls.closeQuietly(fd);
            }
        }
    }
}
