// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.spi.UblkIo;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * A shared mapping of a {@link FileTarget}'s file on tmpfs, with which of its pages hold data
 * ({@link AllocatedPages}): a request is copied to or from the mapping only where every page it
 * touches does. Thread-safe: the queues share it.
 */
final class FileMapping {
    private final MemorySegment pages;        // the file's whole pages
    private final AllocatedPages allocated;   // which of them hold data

    private FileMapping(MemorySegment pages, AllocatedPages allocated) {
        this.pages = pages;
        this.allocated = allocated;
    }

    /**
     * Maps the first {@code bytes} of a file and marks the pages that hold data.
     *
     * @param fd the file, open for reading (and writing unless {@code readOnly})
     * @param bytes how much to map, in whole pages
     * @param readOnly whether to map it read-only
     * @return the mapping
     * @throws ErrnoException when it cannot be mapped or its data found
     */
    static FileMapping map(int fd, long bytes, boolean readOnly) throws ErrnoException {
        MemorySegment pages = MemoryCalls.mmap(bytes, MemoryCalls.PROT_READ | (readOnly ? 0 : MemoryCalls.PROT_WRITE),
                MemoryCalls.MAP_SHARED, fd, 0);
        try {
            AllocatedPages allocated = new AllocatedPages(bytes);
            populate(fd, pages, allocated);
            return new FileMapping(pages, allocated);
        } catch (ErrnoException | RuntimeException e) {
            MemoryCalls.munmapQuietly(pages);
            throw e;
        }
    }

    /** @return whether every page the request touches holds data, so that it may go through the mapping */
    boolean holdsData(UblkIo io) {
        return allocated.allSet(io.offset(), io.length());
    }

    /** Marks the request's pages as data; before it writes them, so that a hole punched meanwhile is never marked. */
    void markData(UblkIo io) {
        allocated.set(io.offset(), io.length());
    }

    /** Marks the request's pages as perhaps holes: around a punch, and after a write that failed. */
    void markMaybeHoles(UblkIo io) {
        allocated.clear(io.offset(), io.length());
    }

    /** @return the address of the request's data in the mapping */
    long address(UblkIo io) {
        return pages.address() + io.offset();
    }

    /** @return the length read, or a negative errno */
    int read(UblkIo io) {
        int copied = io.copyToRequest(0, pages, io.offset(), io.length());
        return copied < 0 ? copied : io.length();
    }

    /** @return the length written, or a negative errno */
    int write(UblkIo io) {
        int copied = io.copyFromRequest(0, pages, io.offset(), io.length());
        return copied < 0 ? copied : io.length();
    }

    /** Unmaps the file; only once no queue can touch it. */
    void unmap() {
        MemoryCalls.munmapQuietly(pages);
    }

    /**
     * Marks the pages of the mapped file that hold data, and fills in their page tables now, so that
     * the first request to each does not fault. Holes stay unmapped: a read fault there would
     * allocate the page.
     */
    private static void populate(int fd, MemorySegment map, AllocatedPages allocated) throws ErrnoException {
        long end = map.byteSize();
        long page = 1L << AllocatedPages.PAGE_SHIFT;
        long at = 0;
        while (at < end) {
            long data;
            try {
                data = FileCalls.lseek(fd, at, FileCalls.SEEK_DATA);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENXIO) {
                    return; // no data after this point
                }
                throw e;
            }
            if (data >= end) {
                return;
            }
            long hole = Math.min(FileCalls.lseek(fd, data, FileCalls.SEEK_HOLE), end);
            long from = (data + page - 1) & -page;
            long to = hole & -page;   // only pages wholly data
            if (to > from) {
                allocated.set(from, to - from);
                try {
                    MemoryCalls.madvise(map.address() + from, to - from, MemoryCalls.MADV_POPULATE_READ);
                } catch (ErrnoException e) {
                    // Before Linux 5.14: each page is filled in by its first fault instead.
                }
            }
            at = Math.max(hole, data + 1);
        }
    }
}
