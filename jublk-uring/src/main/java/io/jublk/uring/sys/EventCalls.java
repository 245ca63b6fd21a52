// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.jublk.uring.sys.Libc.check;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.rethrowChecked;
import static io.jublk.uring.sys.Libc.result;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Event notification system calls ({@code eventfd}, {@code poll}) and the {@code EFD_*} and {@code POLL*}
 * values they take, which io_uring's POLL_ADD uses too. Thread-safe.
 */
public final class EventCalls {

    /** eventfd flag: close on exec. */
    public static final int EFD_CLOEXEC = FileCalls.O_CLOEXEC;
    /** eventfd flag: non-blocking reads and writes. */
    public static final int EFD_NONBLOCK = FileCalls.O_NONBLOCK;
    /** eventfd flag: reads decrement the counter by one. */
    public static final int EFD_SEMAPHORE = 1;

    /** poll event: data to read. */
    public static final int POLLIN = 0x001;
    /** poll event: writing possible. */
    public static final int POLLOUT = 0x004;
    /** poll event: error condition. */
    public static final int POLLERR = 0x008;
    /** poll event: hang up. */
    public static final int POLLHUP = 0x010;

    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);

    private EventCalls() {
    }

    /**
     * Calls {@code eventfd(2)}.
     *
     * @param initval initial counter value
     * @param flags {@code EFD_*} flags
     * @return the new descriptor
     * @throws ErrnoException on failure
     */
    public static int eventfd(int initval, int flags) throws ErrnoException {
        try {
            return check("eventfd", (int) EVENTFD.invokeExact(threadCapture(), initval, flags));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * poll(2) returning the result or a negated errno.
     *
     * @param capture errno capture area
     * @param fds an array of {@code struct pollfd} (8 bytes each: int fd, short events, short revents)
     * @param nfds entries in {@code fds}
     * @param timeoutMillis longest wait in milliseconds; -1 waits forever
     * @return the number of entries with events, 0 on a timeout, or {@code -errno}
     */
    public static int pollRaw(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) result((int) POLL.invokeExact(capture, fds, nfds, timeoutMillis), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
