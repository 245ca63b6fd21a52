// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.FileCalls;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Reads that pick their buffer from a provided-buffer ring, on the build machine's kernel. */
class ProvidedBufferRingTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
    }

    @Test
    void shouldHandOutEachBufferOnceAndTakeItBackAfterPublish() throws Exception {
        int fd = FileCalls.open(tmp.resolve("data").toString(), FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_CLOEXEC, 0600);
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.builder(8).build()) {
            MemorySegment data = arena.allocate(64, 8);
            for (int i = 0; i < 32; i++) {
                data.set(ValueLayout.JAVA_SHORT, 2L * i, (short) (1000 + i));
            }
            assertEquals(64, FileCalls.pwrite(fd, data, 64, 0));
            ProvidedBufferRing buffers = ring.registerBufferRing(7, 2, 16);
            try {
                assertEquals(7, buffers.groupId());
                // Two buffers: two reads get one each, the third finds none.
                for (int i = 0; i < 3; i++) {
                    ring.nextSqe().read(fd, 0, 16, 16L * i).flags(IoUringConstants.IOSQE_BUFFER_SELECT)
                            .bufGroup(7).userData(i);
                }
                Cqes cqes = Cqes.await(ring, 3);
                Cqes.Cqe first = cqes.byUserData(0);
                Cqes.Cqe second = cqes.byUserData(1);
                assertEquals(16, first.res());
                assertTrue(ProvidedBufferRing.hasBuffer(first.flags()));
                assertFalse(ProvidedBufferRing.hasMore(first.flags()));
                int firstId = ProvidedBufferRing.bufferId(first.flags());
                int secondId = ProvidedBufferRing.bufferId(second.flags());
                assertTrue(firstId != secondId, "distinct buffers " + firstId + ", " + secondId);
                assertEquals(1000, buffers.u16(firstId, 0));
                assertEquals(1015, buffers.u16(secondId, 14));
                assertEquals(-Errno.ENOBUFS.value(), cqes.byUserData(2).res(), "no buffer left");

                buffers.recycle(firstId);
                buffers.publish();
                ring.nextSqe().read(fd, 0, 16, 32).flags(IoUringConstants.IOSQE_BUFFER_SELECT).bufGroup(7).userData(3);
                Cqes again = Cqes.await(ring, 1);
                assertEquals(16, again.get(0).res());
                assertEquals(firstId, ProvidedBufferRing.bufferId(again.get(0).flags()));
                assertEquals(1016, buffers.u16(firstId, 0));
                ring.unregisterBufferRing(7);
            } finally {
                ring.close();
                buffers.close();
            }
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldRefuseEntriesThatAreNoPowerOfTwo() throws Exception {
        try (IoUring ring = IoUring.builder(2).build()) {
            assertThrows(IllegalArgumentException.class, () -> ring.registerBufferRing(0, 3, 16));
        }
    }
}
