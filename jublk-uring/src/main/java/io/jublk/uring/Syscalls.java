package io.jublk.uring;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Static wrappers over the Linux system calls jublk needs, made through FFM downcalls into libc.
 *
 * <p>The io_uring calls go through libc {@code syscall(2)} (glibc has no wrappers for them); everything
 * else calls the libc function of the same name. Each wrapper captures {@code errno} right after the call
 * (via {@link Linker.Option#captureCallState(String...)}) into a segment owned by the calling thread, so
 * a call allocates nothing once that thread has made its first call. A failing call throws
 * {@link ErrnoException} naming the call; a successful one returns the kernel's result unchanged.
 *
 * <p>Buffers passed in must be native segments whose size covers the byte count given; the wrappers
 * check this so the kernel can never write past a segment. No downcall is marked {@code critical}: most
 * of these calls can block.
 *
 * <p>Thread-safe: every method may be called from any thread. The constants are the Linux values for
 * x86_64 and arm64 (which differ only in {@link #O_DIRECT}, chosen at class initialisation).
 */
public final class Syscalls {

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

    /** Pages may not be accessed. */
    public static final int PROT_NONE = 0;
    /** Pages may be read. */
    public static final int PROT_READ = 1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 2;
    /** Share the mapping with other mappings of the same object (and with the kernel). */
    public static final int MAP_SHARED = 0x01;
    /** Private copy-on-write mapping. */
    public static final int MAP_PRIVATE = 0x02;
    /** Anonymous mapping, not backed by a file. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** Prefault the page tables of the mapping. */
    public static final int MAP_POPULATE = 0x8000;
    /** {@code mmap} flag: reserve no swap; pages are allocated only when first touched. */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code madvise} advice: drop the pages; private anonymous memory reads back as zeros. */
    public static final int MADV_DONTNEED = 4;
    /** {@code madvise} advice (Linux 5.14): fill in the page tables as read faults would, without touching the data. */
    public static final int MADV_POPULATE_READ = 22;
    /** {@code lseek} whence: the first byte of data at or after the offset ({@code ENXIO} when there is none). */
    public static final int SEEK_DATA = 3;
    /** {@code lseek} whence: the first byte of a hole at or after the offset (the end of the file counts as one). */
    public static final int SEEK_HOLE = 4;

    /** eventfd flag: close on exec. */
    public static final int EFD_CLOEXEC = O_CLOEXEC;
    /** eventfd flag: non-blocking reads and writes. */
    public static final int EFD_NONBLOCK = O_NONBLOCK;
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

    /** fallocate mode: do not change the file size. */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    /** fallocate mode: deallocate the range (needs {@link #FALLOC_FL_KEEP_SIZE}). */
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** fallocate mode: zero the range. */
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;

    /** Syscall number of io_uring_setup (x86_64 and arm64). */
    static final long SYS_IO_URING_SETUP = 425;
    /** Syscall number of io_uring_enter (x86_64 and arm64). */
    static final long SYS_IO_URING_ENTER = 426;
    /** Syscall number of io_uring_register (x86_64 and arm64). */
    static final long SYS_IO_URING_REGISTER = 427;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final AddressLayout C_POINTER = ADDRESS;

    // syscall(2) is variadic after the number; every argument is passed as a full register (long/pointer).
    private static final MethodHandle SYSCALL_SETUP = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, C_POINTER), 1);
    private static final MethodHandle SYSCALL_ENTER = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, C_POINTER,
                    JAVA_LONG), 1);
    private static final MethodHandle SYSCALL_REGISTER = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, C_POINTER, JAVA_LONG), 1);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG, JAVA_LONG), -1);
    // Address forms, for callers that address native memory without a segment per call.
    private static final MethodHandle PREAD_ADDRESS = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle PWRITE_ADDRESS = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), -1);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG), -1);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, C_POINTER, JAVA_LONG), -1);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), 2);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FSYNC = downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle SCHED_GETAFFINITY = downcall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, C_POINTER), -1);
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, C_POINTER), -1);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(C_POINTER, C_POINTER, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, C_POINTER, JAVA_LONG), -1);
    // getpid/gettid/geteuid cannot fail, so they capture nothing.
    private static final MethodHandle GETPID = LINKER.downcallHandle(
            LIBC.findOrThrow("getpid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = LINKER.downcallHandle(
            LIBC.findOrThrow("gettid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LIBC.findOrThrow("geteuid"), FunctionDescriptor.of(JAVA_INT));

    // One errno capture area per thread, so no call allocates after the thread's first one.
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(Syscalls::allocateCapture);

    private Syscalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment symbol = LIBC.findOrThrow(name);
        return firstVariadic < 0
                ? LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * Allocates an errno capture area; segments from an automatic arena live as long as they are reachable.
     *
     * @return a new capture segment
     */
    static MemorySegment allocateCapture() {
        return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /**
     * The calling thread's errno capture area.
     *
     * @return a capture segment owned by the calling thread
     */
    static MemorySegment threadCapture() {
        return CAPTURE.get();
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    private static long checkedCount(String call, long ret, MemorySegment capture) throws ErrnoException {
        if (ret < 0) {
            throw new ErrnoException(call, errno(capture));
        }
        return ret;
    }

    private static int checked(String call, long ret, MemorySegment capture) throws ErrnoException {
        if (ret < 0) {
            throw new ErrnoException(call, errno(capture));
        }
        return (int) ret;
    }

    private static void checkBuffer(MemorySegment buf, long count) {
        Objects.requireNonNull(buf, "buf");
        if (count < 0 || count > buf.byteSize()) {
            throw new IndexOutOfBoundsException("count " + count + " outside buffer of " + buf.byteSize() + " bytes");
        }
    }

    // ---------------------------------------------------------------- raw forms for the hot path

    /**
     * io_uring_enter returning the result or a negated errno, never throwing for an errno.
     *
     * @param capture errno capture area from {@link #allocateCapture()}
     * @param fd ring fd
     * @param toSubmit SQEs to submit
     * @param minComplete completions to wait for
     * @param flags IORING_ENTER_* flags
     * @param arg sigset or io_uring_getevents_arg, or {@link MemorySegment#NULL}
     * @param argSize size of {@code arg}
     * @return the non-negative result, or {@code -errno}
     */
    static int enterRaw(MemorySegment capture, int fd, int toSubmit, int minComplete, int flags,
                        MemorySegment arg, long argSize) {
        try {
            long ret = (long) SYSCALL_ENTER.invokeExact(capture, SYS_IO_URING_ENTER, (long) fd,
                    (long) toSubmit, (long) minComplete, (long) flags, arg, argSize);
            return ret < 0 ? -errno(capture) : (int) ret;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
    static long readRaw(MemorySegment capture, int fd, MemorySegment buf, long count) {
        try {
            long ret = (long) READ.invokeExact(capture, fd, buf, count);
            return ret < 0 ? -errno(capture) : ret;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
    static long writeRaw(MemorySegment capture, int fd, MemorySegment buf, long count) {
        try {
            long ret = (long) WRITE.invokeExact(capture, fd, buf, count);
            return ret < 0 ? -errno(capture) : ret;
        } catch (Throwable t) {
            throw rethrow(t);
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
    static int pollRaw(MemorySegment capture, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            int ret = (int) POLL.invokeExact(capture, fds, nfds, timeoutMillis);
            return ret < 0 ? -errno(capture) : ret;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * close(2) returning 0 or a negated errno, for cleanup paths that must not throw.
     *
     * @param fd descriptor
     * @return 0, or {@code -errno}
     */
    static int closeQuietly(int fd) {
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) CLOSE.invokeExact(capture, fd);
            return ret < 0 ? -errno(capture) : ret;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * munmap(2) of a raw address range, ignoring failure, for cleanup actions.
     *
     * @param address start of the mapping
     * @param length length of the mapping
     */
    static void munmapQuietly(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(CAPTURE.get(), MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- io_uring

    /**
     * Calls {@code io_uring_setup(2)}.
     *
     * @param entries requested SQ entries
     * @param params a 120-byte {@code io_uring_params}; flags and sizes in, offsets and features out
     * @return the new ring fd
     * @throws ErrnoException if the kernel refuses, e.g. {@code EINVAL} for unknown flags
     */
    public static int ioUringSetup(int entries, MemorySegment params) throws ErrnoException {
        checkBuffer(params, IoUringConstants.IO_URING_PARAMS_SIZE);
        MemorySegment capture = CAPTURE.get();
        try {
            long ret = (long) SYSCALL_SETUP.invokeExact(capture, SYS_IO_URING_SETUP, (long) entries, params);
            return checked("io_uring_setup", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code io_uring_enter(2)}.
     *
     * @param fd ring fd
     * @param toSubmit SQEs to submit
     * @param minComplete completions to wait for (with {@code IORING_ENTER_GETEVENTS})
     * @param flags {@code IORING_ENTER_*} flags
     * @param arg sigset or {@code io_uring_getevents_arg}, or {@link MemorySegment#NULL}
     * @param argSize size of {@code arg} in bytes
     * @return the number of SQEs consumed
     * @throws ErrnoException on failure, including {@code ETIME} and {@code EINTR}
     */
    public static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg,
                                   long argSize) throws ErrnoException {
        int ret = enterRaw(CAPTURE.get(), fd, toSubmit, minComplete, flags, arg, argSize);
        if (ret < 0) {
            throw new ErrnoException("io_uring_enter", -ret);
        }
        return ret;
    }

    /**
     * Calls {@code io_uring_register(2)}.
     *
     * @param fd ring fd
     * @param opcode an {@code IORING_REGISTER_*} opcode
     * @param arg the opcode's argument, or {@link MemorySegment#NULL}
     * @param nrArgs the opcode's count argument
     * @return the kernel's non-negative result
     * @throws ErrnoException on failure, e.g. {@code EBADF} for a fd that is not open
     */
    public static int ioUringRegister(int fd, int opcode, MemorySegment arg, int nrArgs) throws ErrnoException {
        MemorySegment capture = CAPTURE.get();
        try {
            long ret = (long) SYSCALL_REGISTER.invokeExact(capture, SYS_IO_URING_REGISTER, (long) fd,
                    (long) opcode, arg, (long) nrArgs);
            return checked("io_uring_register", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- memory

    /**
     * Calls {@code mmap(2)} with no address hint.
     *
     * @param length bytes to map
     * @param prot {@code PROT_*} flags
     * @param flags {@code MAP_*} flags
     * @param fd descriptor to map, or -1 for anonymous mappings
     * @param offset offset in the file (for io_uring, an {@code IORING_OFF_*} value)
     * @return the mapping, sized to {@code length}, in the global scope: release it with {@link #munmap}
     * @throws ErrnoException on failure
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws ErrnoException {
        MemorySegment capture = CAPTURE.get();
        try {
            MemorySegment addr = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags,
                    fd, offset);
            if (addr.address() == -1L) { // MAP_FAILED
                throw new ErrnoException("mmap", errno(capture));
            }
            return addr.reinterpret(length);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code munmap(2)} on a whole mapping returned by {@link #mmap}.
     *
     * @param mapping the mapping; unusable afterwards (accessing it would fault)
     * @throws ErrnoException on failure
     */
    public static void munmap(MemorySegment mapping) throws ErrnoException {
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) MUNMAP.invokeExact(capture, mapping, mapping.byteSize());
            checked("munmap", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- files

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
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            int ret = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags, mode);
            if (ret < 0) {
                throw new ErrnoException("open", path, errno(capture));
            }
            return ret;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
        MemorySegment capture = CAPTURE.get();
        try {
            long ret = (long) PREAD.invokeExact(capture, fd, buf, count, offset);
            if (ret < 0) {
                throw new ErrnoException("pread", errno(capture));
            }
            return ret;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            return checkedCount("pread", (long) PREAD_ADDRESS.invokeExact(capture, fd, address, count, offset), capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            return checkedCount("pwrite", (long) PWRITE_ADDRESS.invokeExact(capture, fd, address, count, offset), capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            checked("fallocate", (int) FALLOCATE.invokeExact(capture, fd, mode, offset, length), capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code madvise(2)}.
     *
     * @param address start, page aligned
     * @param length bytes
     * @param advice e.g. {@link #MADV_DONTNEED}
     * @throws ErrnoException on failure, e.g. {@code EINVAL} for an unaligned address
     */
    public static void madvise(long address, long length, int advice) throws ErrnoException {
        MemorySegment capture = CAPTURE.get();
        try {
            checked("madvise", (int) MADVISE.invokeExact(capture, address, length, advice), capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            long ret = (long) PWRITE.invokeExact(capture, fd, buf, count, offset);
            if (ret < 0) {
                throw new ErrnoException("pwrite", errno(capture));
            }
            return ret;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        long ret = readRaw(CAPTURE.get(), fd, buf, count);
        if (ret < 0) {
            throw new ErrnoException("read", (int) -ret);
        }
        return ret;
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
        long ret = writeRaw(CAPTURE.get(), fd, buf, count);
        if (ret < 0) {
            throw new ErrnoException("write", (int) -ret);
        }
        return ret;
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
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) IOCTL.invokeExact(capture, fd, request, arg);
            return checked("ioctl", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) EVENTFD.invokeExact(capture, initval, flags);
            return checked("eventfd", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code getpid(2)}, which cannot fail.
     *
     * @return the process id
     */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code geteuid(2)}, which cannot fail.
     *
     * @return the effective user id
     */
    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code gettid(2)}, which cannot fail.
     *
     * @return the kernel thread id of the calling thread
     */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
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
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) FSYNC.invokeExact(capture, fd);
            return checked("fsync", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            return checkedCount("lseek", (long) LSEEK.invokeExact(capture, fd, offset, whence), capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
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
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) FTRUNCATE.invokeExact(capture, fd, len);
            return checked("ftruncate", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls glibc {@code sched_getaffinity(3)}, filling a {@code cpu_set_t} bit mask.
     *
     * @param tid thread id (0 for the calling thread)
     * @param mask destination mask; its byte size is the {@code cpusetsize} passed (at least 8, a multiple
     *             of 8, large enough for the kernel's CPU count)
     * @return 0 (glibc zeroes the mask bytes beyond what the kernel filled)
     * @throws ErrnoException on failure, e.g. {@code EINVAL} if the mask is too small
     */
    public static int schedGetaffinity(int tid, MemorySegment mask) throws ErrnoException {
        Objects.requireNonNull(mask, "mask");
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) SCHED_GETAFFINITY.invokeExact(capture, tid, mask.byteSize(), mask);
            return checked("sched_getaffinity", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code sched_setaffinity(2)}.
     *
     * @param tid thread id (0 for the calling thread)
     * @param mask a {@code cpu_set_t} bit mask; its byte size is the {@code cpusetsize} passed
     * @throws ErrnoException on failure, e.g. {@code EINVAL} if the mask holds no usable CPU
     */
    public static void schedSetaffinity(int tid, MemorySegment mask) throws ErrnoException {
        Objects.requireNonNull(mask, "mask");
        MemorySegment capture = CAPTURE.get();
        try {
            int ret = (int) SCHED_SETAFFINITY.invokeExact(capture, tid, mask.byteSize(), mask);
            checked("sched_setaffinity", ret, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
