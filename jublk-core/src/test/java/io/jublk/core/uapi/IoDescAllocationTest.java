// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The per-io read path must not allocate: wrapping by tag and reading every field. */
class IoDescAllocationTest {

    private static final int DEPTH = 128;
    private static final int OPS = 200_000;

    private static long readAll(IoDescFlyweight iod, MemorySegment iods, int ops) {
        long sum = 0;
        for (int i = 0; i < ops; i++) {
            iod.wrapTag(iods, i & (DEPTH - 1));
            sum += iod.op() + iod.flags() + iod.nrSectors() + iod.startSector() + iod.addr() + iod.byteLength();
        }
        return sum;
    }

    @Test
    void shouldNotAllocateWhenReadingDescriptors() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iods = arena.allocate(DEPTH * IoDescFlyweight.SIZE, 8);
            for (int tag = 0; tag < DEPTH; tag++) {
                iods.set(ValueLayout.JAVA_INT, tag * IoDescFlyweight.SIZE + 4, 8);
            }
            IoDescFlyweight iod = new IoDescFlyweight();
            long warm = readAll(iod, iods, OPS);
            long before = threads.getCurrentThreadAllocatedBytes();
            long sum = readAll(iod, iods, OPS);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(warm, sum);
            // A few bytes may come from the measurement itself; per-read allocation would be megabytes.
            assertTrue(allocated < 1024, allocated + " bytes allocated over " + OPS + " descriptor reads");
        }
    }
}
