// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

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
 * Address space may be reserved beyond the device's size, so a running device can grow into it
 * ({@code UblkDevice.updateSize}).
 */
public final class MemTarget implements BlockTarget, QueueHandler, AutoCloseable {
    private final MemorySegment memory;
    private final long sizeBytes;

    /**
     * @param sizeBytes the device size, reserved as address space only
     * @throws ErrnoException when the address space cannot be reserved
     */
    public MemTarget(long sizeBytes) throws ErrnoException {
        this(sizeBytes, sizeBytes);
    }

    /**
     * @param sizeBytes the device size
     * @param maxSizeBytes the size the device may grow to, reserved as address space only
     * @throws IllegalArgumentException when the maximum is below the size
     * @throws ErrnoException when the address space cannot be reserved
     */
    public MemTarget(long sizeBytes, long maxSizeBytes) throws ErrnoException {
        if (maxSizeBytes < sizeBytes) {
            throw new IllegalArgumentException("maximum size " + maxSizeBytes + " is below the size " + sizeBytes);
        }
        this.sizeBytes = sizeBytes;
        memory = MemoryCalls.reserve(maxSizeBytes);
    }

    @Override
    public TargetGeometry geometry() {
        return TargetGeometry.ofSize(sizeBytes);
    }

    /** The address space reserved: the device may grow up to it. */
    @Override
    public long maxSizeBytes() {
        return memory.byteSize();
    }

    @Override
    public TargetCapabilities capabilities() {
        return TargetCapabilities.NO_CACHE.withDiscard(true).withWriteZeroes(true);
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
        return writeZeroes(io);
    }

    /** Zeroes partial pages by hand and hands whole pages back to the kernel. */
    @Override
    public int writeZeroes(UblkIo io) {
        long start = io.offset();
        long end = start + io.length();
        long firstPage = Math.min((start + 4095) & -4096, end);
        long lastPage = Math.max(end & -4096, firstPage);
        memory.asSlice(start, firstPage - start).fill((byte) 0);
        memory.asSlice(lastPage, end - lastPage).fill((byte) 0);
        try {
            MemoryCalls.madvise(memory.address() + firstPage, lastPage - firstPage, MemoryCalls.MADV_DONTNEED);
            return 0;
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
    }

    /** Releases the memory; call after the device is deleted. */
    @Override
    public void close() {
        MemoryCalls.munmapQuietly(memory);
    }
}
