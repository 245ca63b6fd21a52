// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.jublk.uring.sys.Libc.check;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.errno;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.rethrowChecked;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory mapping system calls ({@code mmap}, {@code munmap}, {@code madvise}) and the {@code PROT_*},
 * {@code MAP_*} and {@code MADV_*} values they take (Linux values for x86_64 and arm64).
 *
 * <p>A failing call throws {@link ErrnoException} naming the call. Thread-safe.
 */
public final class MemoryCalls {

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

    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), -1);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), -1);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), -1);

    private MemoryCalls() {
    }

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
        MemorySegment capture = threadCapture();
        MemorySegment addr;
        try {
            addr = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (addr.address() == -1L) { // MAP_FAILED
            throw new ErrnoException("mmap", errno(capture));
        }
        return addr.reinterpret(length);
    }

    /**
     * Calls {@code munmap(2)} on a whole mapping returned by {@link #mmap}.
     *
     * @param mapping the mapping; unusable afterwards (accessing it would fault)
     * @throws ErrnoException on failure
     */
    public static void munmap(MemorySegment mapping) throws ErrnoException {
        try {
            check("munmap", (int) MUNMAP.invokeExact(threadCapture(), mapping, mapping.byteSize()));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Reserves private, anonymous, read-write memory without backing: only address space until a
     * page is first touched, when the kernel allocates it (reads of untouched pages see zeros).
     *
     * @param length bytes, rounded up to pages by the kernel
     * @return the mapping
     * @throws ErrnoException when the address space cannot be reserved
     */
    public static MemorySegment reserve(long length) throws ErrnoException {
        return mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }

    /**
     * munmap(2) of a mapping, ignoring failure, for cleanup actions.
     *
     * @param mapping the mapping
     */
    public static void munmapQuietly(MemorySegment mapping) {
        munmapQuietly(mapping.address(), mapping.byteSize());
    }

    /**
     * munmap(2) of a raw address range, ignoring failure, for cleanup actions.
     *
     * @param address start of the mapping
     * @param length length of the mapping
     */
    public static void munmapQuietly(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(threadCapture(), MemorySegment.ofAddress(address), length);
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
        try {
            check("madvise", (int) MADVISE.invokeExact(threadCapture(), address, length, advice));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }
}
