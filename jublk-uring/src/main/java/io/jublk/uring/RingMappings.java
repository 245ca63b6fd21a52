// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.jublk.uring.IoUringConstants.*;

/**
 * The three memory areas a ring shares with the kernel (SQ ring, CQ ring, SQE array), mapped from the
 * ring fd into one shared {@link Arena}: closing it unmaps them all, and a later access throws
 * {@link IllegalStateException} instead of faulting.
 *
 * @param arena owns the mappings
 * @param sqRing the SQ ring
 * @param cqRing the CQ ring; the same mapping as {@code sqRing} with {@code IORING_FEAT_SINGLE_MMAP}
 * @param sqes the SQE array
 */
record RingMappings(Arena arena, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqes) {

    /**
     * Maps a ring's areas at the sizes {@code io_uring_setup} reported.
     *
     * @param fd the ring fd
     * @param params the {@code io_uring_params} filled in by {@code io_uring_setup}
     * @param sqeSize 64 or 128
     * @param cqeShift log2 of the CQE size
     * @return the mappings
     * @throws ErrnoException if a mapping fails; whatever was mapped is unmapped again
     */
    static RingMappings map(int fd, MemorySegment params, int sqeSize, int cqeShift) throws ErrnoException {
        int sqEntries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_SQ_ENTRIES_OFFSET);
        int cqEntries = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_ENTRIES_OFFSET);
        int features = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_FEATURES_OFFSET);
        int sqArrayOff = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_SQ_OFF_OFFSET + IO_SQRING_OFFSETS_ARRAY);
        int cqesOff = params.get(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_OFF_OFFSET + IO_CQRING_OFFSETS_CQES);
        long sqRingSize = sqArrayOff + (long) sqEntries * Integer.BYTES;
        long cqRingSize = cqesOff + ((long) cqEntries << cqeShift);

        Arena arena = Arena.ofShared();
        try {
            MemorySegment sqRing;
            MemorySegment cqRing;
            if ((features & IORING_FEAT_SINGLE_MMAP) != 0) {
                sqRing = map(arena, fd, Math.max(sqRingSize, cqRingSize), IORING_OFF_SQ_RING);
                cqRing = sqRing;
            } else {
                sqRing = map(arena, fd, sqRingSize, IORING_OFF_SQ_RING);
                cqRing = map(arena, fd, cqRingSize, IORING_OFF_CQ_RING);
            }
            MemorySegment sqes = map(arena, fd, (long) sqEntries * sqeSize, IORING_OFF_SQES);
            return new RingMappings(arena, sqRing, cqRing, sqes);
        } catch (ErrnoException | RuntimeException e) {
            arena.close(); // unmaps whatever was mapped
            throw e;
        }
    }

    private static MemorySegment map(Arena arena, int fd, long size, long offset) throws ErrnoException {
        MemorySegment raw = MemoryCalls.mmap(size, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_SHARED | MemoryCalls.MAP_POPULATE, fd, offset);
        long address = raw.address();
        return raw.reinterpret(size, arena, s -> MemoryCalls.munmapQuietly(address, size));
    }
}
