package io.jublk.targets;

import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * A RAM disk in off-heap memory that costs nothing until written: the whole device is one anonymous
 * mapping reserved without backing, so the kernel allocates a page on its first write, reads of
 * untouched pages see zeros, and discard or write-zeroes give whole pages back (MADV_DONTNEED).
 * One handler, itself, serves every queue: requests touch disjoint ranges or race as on any disk.
 */
public final class MemTarget implements BlockTarget, QueueHandler, AutoCloseable {
    private static final long PAGE = 4096;

    private final MemorySegment memory;

    /**
     * @param sizeBytes the device size; only virtual memory is reserved
     * @throws ErrnoException when the address space cannot be reserved
     */
    public MemTarget(long sizeBytes) throws ErrnoException {
        memory = MemoryCalls.mmap(sizeBytes, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS | MemoryCalls.MAP_NORESERVE, -1, 0);
    }

    @Override
    public TargetGeometry geometry() {
        return TargetGeometry.ofSize(memory.byteSize());
    }

    @Override
    public TargetCapabilities capabilities() {
        return TargetCapabilities.NO_CACHE.withDiscard(true).withWriteZeroes(true);
    }

    @Override
    public QueueHandler openQueue(UblkQueue queue) {
        return this;
    }

    @Override
    public int read(UblkIo io) {
        return io.copy(true, memory.address() + io.offset(), 0, io.length());
    }

    @Override
    public int write(UblkIo io) {
        return io.copy(false, memory.address() + io.offset(), 0, io.length());
    }

    @Override
    public int discard(UblkIo io) {
        return zero(io.offset(), io.length());
    }

    @Override
    public int writeZeroes(UblkIo io) {
        return zero(io.offset(), io.length());
    }

    /** Zeroes a range: partial pages by hand, whole pages by handing them back to the kernel. */
    private int zero(long offset, long length) {
        long end = offset + length;
        long firstPage = (offset + PAGE - 1) & -PAGE;
        long lastPage = end & -PAGE;
        if (firstPage >= lastPage) {
            memory.asSlice(offset, length).fill((byte) 0);
            return 0;
        }
        memory.asSlice(offset, firstPage - offset).fill((byte) 0);
        memory.asSlice(lastPage, end - lastPage).fill((byte) 0);
        try {
            MemoryCalls.madvise(memory.address() + firstPage, lastPage - firstPage, MemoryCalls.MADV_DONTNEED);
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return 0;
    }

    /** Releases the memory; call after the device is deleted. */
    @Override
    public void close() {
        try {
            MemoryCalls.munmap(memory);
        } catch (ErrnoException ignored) {
            // The mapping goes with the process anyway.
        }
    }
}
