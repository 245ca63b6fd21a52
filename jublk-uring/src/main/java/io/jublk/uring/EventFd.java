// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.EventCalls;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.Libc;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A non-blocking, close-on-exec Linux eventfd, used to wake a ring's owning thread from other threads
 * (through a POLL_ADD or READ on {@link #fd()}, or as the ring's registered eventfd).
 *
 * <p>Thread-safety: {@link #signal()} and {@link #close()} may be called from any thread, concurrently;
 * close waits for signals in progress so that a signal never writes to a reused fd number.
 * {@link #drain()} is meant for one consuming thread. After close, {@code signal()} does nothing and
 * {@code drain()} throws {@link IllegalStateException}.
 */
public final class EventFd implements AutoCloseable {

    private static final int CLOSED = 1 << 31;
    // A constant 1 that write(2) only reads, so every thread can share it.
    private static final MemorySegment ONE_VALUE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    private final int fd;
    // CLOSED bit plus the number of signal() calls currently using the fd.
    private final AtomicInteger state = new AtomicInteger();
    private final MemorySegment readBuffer = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment readCapture = Libc.allocateCapture();
    private final MemorySegment pollFd = Arena.ofAuto().allocate(8, 8);

    private EventFd(int fd) {
        this.fd = fd;
    }

    /**
     * Creates an eventfd with counter 0 and {@code EFD_CLOEXEC | EFD_NONBLOCK}.
     *
     * @return the new eventfd
     * @throws ErrnoException if {@code eventfd(2)} fails, e.g. {@code EMFILE}
     */
    public static EventFd create() throws ErrnoException {
        return new EventFd(EventCalls.eventfd(0, EventCalls.EFD_CLOEXEC | EventCalls.EFD_NONBLOCK));
    }

    /**
     * The descriptor, for POLL_ADD, READ or {@link IoUring#registerEventFd(int)}.
     *
     * @return the eventfd descriptor
     */
    public int fd() {
        return fd;
    }

    /**
     * Adds 1 to the counter, waking pollers. Safe from any thread; a full counter ({@code EAGAIN}) already
     * means "signalled", so it is ignored, as is a call after {@link #close()}.
     *
     * @throws UncheckedIOException if {@code write(2)} fails for another reason (a bug)
     */
    public void signal() {
        if (!claim(false)) {
            return;
        }
        try {
            long ret = FileCalls.writeRaw(Libc.threadCapture(), fd, ONE_VALUE, Long.BYTES);
            if (ret < 0 && ret != -Errno.EAGAIN.value()) {
                throw new UncheckedIOException(new ErrnoException("write", "eventfd=" + fd, (int) -ret));
            }
        } finally {
            state.decrementAndGet();
        }
    }

    /**
     * Reads and resets the counter. Never blocks.
     *
     * @return the counter value (the number of signals since the last drain), or 0 if none
     * @throws IllegalStateException if closed
     * @throws UncheckedIOException if {@code read(2)} fails with anything but {@code EAGAIN}
     */
    public long drain() {
        ensureOpen();
        long ret = FileCalls.readRaw(readCapture, fd, readBuffer, Long.BYTES);
        if (ret == -Errno.EAGAIN.value()) {
            return 0;
        }
        if (ret < 0) {
            throw new UncheckedIOException(new ErrnoException("read", "eventfd=" + fd, (int) -ret));
        }
        return readBuffer.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * Waits until the counter is non-zero or the timeout passes, without resetting it; for the one
     * thread that also calls {@link #drain()}.
     *
     * @param timeoutNanos the longest wait, rounded up to whole milliseconds; zero does not wait
     * @return whether the eventfd is signalled; false on a timeout or an interrupted wait (EINTR)
     * @throws IllegalStateException if closed
     * @throws UncheckedIOException if {@code poll(2)} fails with anything but {@code EINTR}
     */
    public boolean await(long timeoutNanos) {
        ensureOpen();
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) EventCalls.POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int millis = (int) Math.min(Integer.MAX_VALUE, (Math.max(0, timeoutNanos) + 999_999) / 1_000_000);
        int ret = EventCalls.pollRaw(readCapture, pollFd, 1, millis);
        if (ret == -Errno.EINTR.value()) {
            return false;
        }
        if (ret < 0) {
            throw new UncheckedIOException(new ErrnoException("poll", "eventfd=" + fd, -ret));
        }
        return ret > 0;
    }

    /**
     * Closes the descriptor once signals in progress have finished. Idempotent, callable from any thread.
     */
    @Override
    public void close() {
        if (!claim(true)) {
            return;
        }
        while (state.get() != CLOSED) {
            Thread.onSpinWait(); // a signal() is inside write(2); it never blocks (O_NONBLOCK)
        }
        FileCalls.closeQuietly(fd);
    }

    /**
     * Registers one more signal in progress, or closes; either fails once the eventfd is closed.
     *
     * @param close whether to set the CLOSED bit rather than count a signal
     * @return false if the eventfd was already closed
     */
    private boolean claim(boolean close) {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!state.compareAndSet(s, close ? s | CLOSED : s + 1));
        return true;
    }

    private void ensureOpen() {
        if ((state.get() & CLOSED) != 0) {
            throw new IllegalStateException("eventfd " + fd + " is closed");
        }
    }
}
