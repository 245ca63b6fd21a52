// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static io.jublk.uring.sys.Libc.checkBuffer;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.result;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Unix datagram sockets, which java.nio does not offer: {@code socket}, {@code bind}, {@code sendto} and
 * {@code recv} for {@code AF_UNIX}/{@code SOCK_DGRAM}, enough to send a service manager's notifications
 * and to receive them in a test. Addresses are file system paths, or abstract names written with a
 * leading NUL character. Thread-safe.
 */
public final class SocketCalls {
    /** Address family of Unix sockets. */
    public static final int AF_UNIX = 1;
    /** Datagram socket type. */
    public static final int SOCK_DGRAM = 2;
    /** Socket type flag: close on exec. */
    public static final int SOCK_CLOEXEC = FileCalls.O_CLOEXEC;
    /** recv flag: do not block; fail with EAGAIN when nothing is queued. */
    public static final int MSG_DONTWAIT = 0x40;
    /** sendto flag: no SIGPIPE when the peer is gone. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** Bytes of {@code sun_path} in {@code struct sockaddr_un}. */
    public static final int UNIX_PATH_MAX = 108;
    // struct sockaddr_un: sa_family_t sun_family (2 bytes), then sun_path.
    private static final int SOCKADDR_UN_SIZE = 2 + UNIX_PATH_MAX;

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);

    private SocketCalls() {
    }

    /**
     * Calls {@code socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)}.
     *
     * @return the new socket's descriptor
     * @throws ErrnoException on failure
     */
    public static int unixDatagramSocket() throws ErrnoException {
        MemorySegment capture = threadCapture();
        long ret;
        try {
            ret = result((int) SOCKET.invokeExact(capture, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ret < 0) {
            throw new ErrnoException("socket", (int) -ret);
        }
        return (int) ret;
    }

    /**
     * Calls {@code bind(2)} with a Unix address.
     *
     * @param fd a Unix socket
     * @param address a path, or an abstract name starting with a NUL character
     * @throws ErrnoException on failure; the message names the address
     * @throws IllegalArgumentException when the address is empty or too long
     */
    public static void bind(int fd, String address) throws ErrnoException {
        MemorySegment capture = threadCapture();
        long ret;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
            int len = fillAddress(sa, address);
            ret = result((int) BIND.invokeExact(capture, fd, sa, len), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ret < 0) {
            throw new ErrnoException("bind", printable(address), (int) -ret);
        }
    }

    /**
     * Calls {@code sendto(2)} with a Unix address and {@link #MSG_NOSIGNAL}.
     *
     * @param fd a Unix datagram socket
     * @param buf the datagram
     * @param count its length in bytes
     * @param address a path, or an abstract name starting with a NUL character
     * @return the bytes sent
     * @throws ErrnoException on failure; the message names the address
     */
    public static long sendTo(int fd, MemorySegment buf, long count, String address) throws ErrnoException {
        checkBuffer(buf, count);
        MemorySegment capture = threadCapture();
        long ret;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
            int len = fillAddress(sa, address);
            ret = result((long) SENDTO.invokeExact(capture, fd, buf, count, MSG_NOSIGNAL, sa, len), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ret < 0) {
            throw new ErrnoException("sendto", printable(address), (int) -ret);
        }
        return ret;
    }

    /**
     * Calls {@code recv(2)}, returning a failure as a value so a caller can poll with {@link #MSG_DONTWAIT}.
     *
     * @param fd a socket
     * @param buf where the datagram goes
     * @param count room in {@code buf}
     * @param flags {@code MSG_*} flags
     * @return the bytes received, or {@code -errno}
     */
    public static long recv(int fd, MemorySegment buf, long count, int flags) {
        checkBuffer(buf, count);
        MemorySegment capture = threadCapture();
        try {
            return result((long) RECV.invokeExact(capture, fd, buf, count, flags), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes {@code struct sockaddr_un}; returns the address length to pass with it. */
    private static int fillAddress(MemorySegment sa, String address) {
        byte[] path = address.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = path.length > 0 && path[0] == 0;
        // A path needs room for its terminating NUL; an abstract name is exactly its bytes.
        if (path.length == 0 || path.length + (isAbstract ? 0 : 1) > UNIX_PATH_MAX) {
            throw new IllegalArgumentException("a Unix socket address has 1.." + (UNIX_PATH_MAX - 1) + " bytes: '"
                    + printable(address) + "'");
        }
        sa.fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, sa, ValueLayout.JAVA_BYTE, 2, path.length);
        return 2 + path.length + (isAbstract ? 0 : 1);
    }

    private static String printable(String address) {
        return address.startsWith("\0") ? "@" + address.substring(1) : address;
    }
}
