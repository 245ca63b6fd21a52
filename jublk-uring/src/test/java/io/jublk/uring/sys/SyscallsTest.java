// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SyscallsTest {

    @TempDir
    Path tmp;

    @Test
    void shouldThrowEnoentNamingOpenAndPath() {
        String missing = tmp.resolve("missing").toString();
        ErrnoException e = assertThrows(ErrnoException.class, () -> FileCalls.open(missing, FileCalls.O_RDONLY, 0));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open", e.call());
        assertEquals("open " + missing + " failed: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void shouldRoundTripDataThroughPlainFileCalls() throws Exception {
        Path file = tmp.resolve("plain");
        int fd = FileCalls.open(file.toString(), FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_TRUNC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocateFrom("hello, ublk");
            long n = out.byteSize();
            assertEquals(n, FileCalls.pwrite(fd, out, n, 100));
            assertEquals(n, FileCalls.write(fd, out, n)); // at position 0
            assertEquals(0, FileCalls.fsync(fd));
            MemorySegment in = arena.allocate(n);
            assertEquals(n, FileCalls.pread(fd, in, n, 100));
            assertEquals(-1, out.mismatch(in));
            assertEquals(0, FileCalls.ftruncate(fd, 4096));
            assertEquals(4096, Files.size(file));
            assertThrows(IndexOutOfBoundsException.class, () -> FileCalls.pread(fd, in, n + 1, 0));
        } finally {
            FileCalls.close(fd);
        }
        ErrnoException twice = assertThrows(ErrnoException.class, () -> FileCalls.close(fd));
        assertEquals(Errno.EBADF, twice.errno());
    }

    @Test
    void shouldFindDataAndHolesWithLseek() throws Exception {
        Path file = tmp.resolve("sparse");
        int fd = FileCalls.open(file.toString(), FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_TRUNC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096);
            page.fill((byte) 7);
            assertEquals(4096, FileCalls.pwrite(fd, page, 4096, 1 << 20));
            assertEquals(0, FileCalls.ftruncate(fd, 4 << 20));
            // File systems without hole reporting call the whole file data; either way these hold.
            long data = FileCalls.lseek(fd, 0, FileCalls.SEEK_DATA);
            assertTrue(data <= 1 << 20, "data at or before the written page: " + data);
            long hole = FileCalls.lseek(fd, 1 << 20, FileCalls.SEEK_HOLE);
            assertTrue(hole >= (1 << 20) + 4096 && hole <= 4 << 20, "a hole after the written page: " + hole);
            ErrnoException past = assertThrows(ErrnoException.class, () -> FileCalls.lseek(fd, 4 << 20, FileCalls.SEEK_DATA));
            assertEquals(Errno.ENXIO, past.errno());
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldMapAndUnmapAnonymousMemory() throws Exception {
        MemorySegment m = MemoryCalls.mmap(8192, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS, -1, 0);
        assertEquals(8192, m.byteSize());
        m.set(ValueLayout.JAVA_LONG, 8184, 42L);
        assertEquals(42L, m.get(ValueLayout.JAVA_LONG, 8184));
        MemoryCalls.munmap(m);
    }

    @Test
    void shouldReportProcessThreadAndAffinity() throws Exception {
        assertEquals(ProcessHandle.current().pid(), ProcessCalls.getpid());
        assertTrue(ProcessCalls.gettid() > 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            assertEquals(0, ProcessCalls.schedGetaffinity(0, mask));
            int cpus = 0;
            for (long i = 0; i < mask.byteSize(); i += 8) {
                cpus += Long.bitCount(mask.get(ValueLayout.JAVA_LONG, i));
            }
            assertTrue(cpus >= 1);
            ProcessCalls.schedSetaffinity(0, mask); // same mask: a no-op that must succeed
            assertThrows(ErrnoException.class, () -> ProcessCalls.schedSetaffinity(0, arena.allocate(128)));
        }
    }

    @Test
    void shouldFailIoctlWithErrno() {
        // TCGETS on a non-terminal eventfd-free descriptor: ENOTTY or EBADF depending on the fd.
        ErrnoException e = assertThrows(ErrnoException.class, () -> FileCalls.ioctl(Integer.MAX_VALUE, 0x5401, 0));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("ioctl", e.call());
    }
}
