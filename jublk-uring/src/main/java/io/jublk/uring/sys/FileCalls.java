// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.jublk.uring.sys.Libc.check;
import static io.jublk.uring.sys.Libc.checkBuffer;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.rethrowChecked;
import static io.jublk.uring.sys.Libc.result;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * File descriptor system calls: open, close, read and write (plain and positioned), sync, seek, size and
 * allocation, and ioctl; with the {@code O_*}, {@code SEEK_*} and {@code FALLOC_FL_*} values they take.
 *
 * <p>A failing call throws {@link ErrnoException} naming the call; a successful one returns the kernel's
 * result unchanged. Buffers passed as segments must be native and cover the byte count given, which is
 * checked so the kernel can never write past a segment. The {@code *Raw} forms return {@code -errno}
 * instead of throwing, for paths that must not allocate an exception or must not throw. Thread-safe. The
 * constants are the Linux values for x86_64 and arm64 (which differ only in {@link #O_DIRECT}).
 */
public final class FileCalls {

    /** Open for reading only. */
    public static final int O_RDONLY = 0;
    /** Open for writing only. */
    public static final int O_WRONLY = 1;
    /** Open for reading and writing. */
    public static final int O_RDWR = 2;
    /** Create the file if it does not exist. */
    public static final int O_CREAT = 0100;
    /** Truncate the file to length 0. */
    public static final int O_TRUNC = 01000;
    /** Non-blocking mode. */
    public static final int O_NONBLOCK = 04000;
    /** Bypass the page cache (040000 on x86_64, 0200000 on arm64). */
    public static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0200000 : 040000;
    /** Close the descriptor on exec. */
    public static final int O_CLOEXEC = 02000000;

    /** {@code lseek} whence: the first byte of data at or after the offset ({@code ENXIO} when there is none). */
    public static final int SEEK_DATA = 3;
    /** {@code lseek} whence: the first byte of a hole at or after the offset (the end of the file counts as one). */
    public static final int SEEK_HOLE = 4;

    /** fallocate mode: do not change the file size. */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    /** fallocate mode: deallocate the range (needs {@link #FALLOC_FL_KEEP_SIZE}). */
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** fallocate mode: zero the range. */
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
    // Address forms, for callers that address native memory without a segment per call.
    private static final MethodHandle PREAD_ADDRESS = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PWRITE_ADDRESS = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle FSYNC = downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);

    private FileCalls() {
    }

    /**
     * Calls {@code open(2)}.
     *
     * @param path file path
     * @param flags {@code O_*} flags
     * @param mode permission bits used with {@link #O_CREAT}
     * @return the new descriptor
     * @throws ErrnoException on failure; the message names the path
     */
    public static int open(String path, int flags, int mode) throws ErrnoException {
        MemorySegment capture = threadCapture();
        long ret;
        try (Arena arena = Arena.ofConfined()) {
            ret = result((int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags, mode), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ret < 0) {
            throw new ErrnoException("open", path, (int) -ret);
        }
        return (int) ret;
    }

    /**
     * Calls {@code close(2)}.
     *
     * @param fd descriptor to close
     * @throws ErrnoException on failure, e.g. {@code EBADF}
     */
    public static void close(int fd) throws ErrnoException {
        int ret = closeQuietly(fd);
        if (ret < 0) {
            throw new ErrnoException("close", -ret);
        }
    }

    /**
     * close(2) returning 0 or a negated errno, for cleanup paths that must not throw.
     *
     * @param fd descriptor
     * @return 0, or {@code -errno}
     */
    public static int closeQuietly(int fd) {
        MemorySegment capture = threadCapture();
        try {
            return (int) result((int) CLOSE.invokeExact(capture, fd), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code pread(2)}.
     *
     * @param fd descriptor
     * @param buf destination, at least {@code count} bytes
     * @param count bytes to read
     * @param offset file offset
     * @return bytes read (0 at end of file)
     * @throws ErrnoException on failure
     */
    public static long pread(int fd, MemorySegment buf, long count, long offset) throws ErrnoException {
        checkBuffer(buf, count);
        try {
            return check("pread", (long) PREAD.invokeExact(threadCapture(), fd, buf, count, offset));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code pread(2)} into native memory given by address; allocates nothing.
     *
     * @param fd descriptor
     * @param address destination address, valid for {@code count} bytes
     * @param count bytes to read
     * @param offset file offset
     * @return bytes read (0 at end of file)
     * @throws ErrnoException on failure
     */
    public static long pread(int fd, long address, long count, long offset) throws ErrnoException {
        try {
            return check("pread", (long) PREAD_ADDRESS.invokeExact(threadCapture(), fd, address, count, offset));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code pwrite(2)}.
     *
     * @param fd descriptor
     * @param buf source, at least {@code count} bytes
     * @param count bytes to write
     * @param offset file offset
     * @return bytes written
     * @throws ErrnoException on failure
     */
    public static long pwrite(int fd, MemorySegment buf, long count, long offset) throws ErrnoException {
        checkBuffer(buf, count);
        try {
            return check("pwrite", (long) PWRITE.invokeExact(threadCapture(), fd, buf, count, offset));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code pwrite(2)} from native memory given by address; allocates nothing.
     *
     * @param fd descriptor
     * @param address source address, valid for {@code count} bytes
     * @param count bytes to write
     * @param offset file offset
     * @return bytes written
     * @throws ErrnoException on failure
     */
    public static long pwrite(int fd, long address, long count, long offset) throws ErrnoException {
        try {
            return check("pwrite", (long) PWRITE_ADDRESS.invokeExact(threadCapture(), fd, address, count, offset));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code read(2)}.
     *
     * @param fd descriptor
     * @param buf destination, at least {@code count} bytes
     * @param count bytes to read
     * @return bytes read (0 at end of file)
     * @throws ErrnoException on failure, including {@code EAGAIN} on a non-blocking descriptor
     */
    public static long read(int fd, MemorySegment buf, long count) throws ErrnoException {
        checkBuffer(buf, count);
        long ret = readRaw(threadCapture(), fd, buf, count);
        if (ret < 0) {
            throw new ErrnoException("read", (int) -ret);
        }
        return ret;
    }

    /**
     * read(2) returning the result or a negated errno.
     *
     * @param capture errno capture area
     * @param fd descriptor
     * @param buf destination, at least {@code count} bytes
     * @param count bytes to read
     * @return bytes read, or {@code -errno}
     */
    public static long readRaw(MemorySegment capture, int fd, MemorySegment buf, long count) {
        try {
            return result((long) READ.invokeExact(capture, fd, buf, count), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code write(2)}.
     *
     * @param fd descriptor
     * @param buf source, at least {@code count} bytes
     * @param count bytes to write
     * @return bytes written
     * @throws ErrnoException on failure, including {@code EAGAIN} on a non-blocking descriptor
     */
    public static long write(int fd, MemorySegment buf, long count) throws ErrnoException {
        checkBuffer(buf, count);
        long ret = writeRaw(threadCapture(), fd, buf, count);
        if (ret < 0) {
            throw new ErrnoException("write", (int) -ret);
        }
        return ret;
    }

    /**
     * write(2) returning the result or a negated errno.
     *
     * @param capture errno capture area
     * @param fd descriptor
     * @param buf source, at least {@code count} bytes
     * @param count bytes to write
     * @return bytes written, or {@code -errno}
     */
    public static long writeRaw(MemorySegment capture, int fd, MemorySegment buf, long count) {
        try {
            return result((long) WRITE.invokeExact(capture, fd, buf, count), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code fsync(2)}.
     *
     * @param fd descriptor
     * @return 0
     * @throws ErrnoException on failure
     */
    public static int fsync(int fd) throws ErrnoException {
        try {
            return check("fsync", (int) FSYNC.invokeExact(threadCapture(), fd));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code lseek(2)}.
     *
     * @param fd descriptor
     * @param offset where to start
     * @param whence {@link #SEEK_DATA}, {@link #SEEK_HOLE}, or 0/1/2 for SET/CUR/END
     * @return the resulting offset
     * @throws ErrnoException on failure, {@code ENXIO} for {@code SEEK_DATA} with no data after {@code offset}
     */
    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        try {
            return check("lseek", (long) LSEEK.invokeExact(threadCapture(), fd, offset, whence));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code ftruncate(2)}.
     *
     * @param fd descriptor
     * @param len new file length
     * @return 0
     * @throws ErrnoException on failure
     */
    public static int ftruncate(int fd, long len) throws ErrnoException {
        try {
            return check("ftruncate", (int) FTRUNCATE.invokeExact(threadCapture(), fd, len));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code fallocate(2)}.
     *
     * @param fd descriptor
     * @param mode {@code FALLOC_FL_*} flags, 0 to allocate
     * @param offset start of the range
     * @param length bytes
     * @throws ErrnoException on failure, e.g. {@code EOPNOTSUPP} where the file system lacks the mode
     */
    public static void fallocate(int fd, int mode, long offset, long length) throws ErrnoException {
        try {
            check("fallocate", (int) FALLOCATE.invokeExact(threadCapture(), fd, mode, offset, length));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code ioctl(2)} with an integer or pointer argument.
     *
     * @param fd descriptor
     * @param request ioctl request number
     * @param arg the argument; a pointer is passed as its address ({@link MemorySegment#address()})
     * @return the non-negative result
     * @throws ErrnoException on failure
     */
    public static int ioctl(int fd, long request, long arg) throws ErrnoException {
        try {
            return check("ioctl", (int) IOCTL.invokeExact(threadCapture(), fd, request, arg));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }
}
