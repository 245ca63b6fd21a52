// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.EventCalls;
import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.IoUringCalls;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static io.jublk.uring.IoUringConstants.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs real io_uring requests on the build machine's kernel. */
class IoUringTest {

    private static final int EBADF = Errno.EBADF.value();

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
    }

    private static MemorySegment pattern(Arena arena, int size, int seed) {
        MemorySegment buf = arena.allocate(size, 4096);
        for (int i = 0; i < size; i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return buf;
    }

    private static MemorySegment timespec(Arena arena, long nanos) {
        MemorySegment ts = arena.allocate(KERNEL_TIMESPEC_SIZE, 8);
        ts.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
        ts.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
        return ts;
    }

    private int openTemp(String name) throws ErrnoException {
        return FileCalls.open(tmp.resolve(name).toString(), FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_CLOEXEC, 0600);
    }

    @Test
    void shouldReportSizesAndFeatures() throws Exception {
        try (IoUring ring = IoUring.builder(8).build()) {
            System.out.println("io_uring on " + System.getProperty("os.version") + ": " + ring);
            assertEquals(8, ring.sqEntries());
            assertEquals(16, ring.cqEntries());
            assertEquals(64, ring.sqeSize());
            assertTrue(ring.fd() >= 0);
            assertNotEquals(0, ring.features() & IORING_FEAT_SINGLE_MMAP);
            assertNotEquals(0, ring.features() & IORING_FEAT_NODROP);
            assertNotEquals(0, ring.features() & IORING_FEAT_EXT_ARG);
            assertEquals(8, ring.sqSpaceLeft());
            assertEquals(0, ring.pendingSubmissions());
            assertEquals(0, ring.completionsReady());
        }
    }

    @Test
    void shouldRejectInvalidConfigurationBeforeSetup() {
        assertThrows(IllegalArgumentException.class, () -> IoUring.builder(0));
        assertThrows(IllegalArgumentException.class, () -> IoUring.builder(3));
        assertThrows(IllegalArgumentException.class, () -> IoUring.builder(65536));
        assertThrows(IllegalArgumentException.class, () -> IoUring.builder(8).cqSize(4));
        assertThrows(IllegalArgumentException.class, () -> IoUring.builder(8).deferTaskrun().build());
    }

    @Test
    void shouldCompleteSingleNop() throws Exception {
        try (IoUring ring = IoUring.builder(8).build()) {
            ring.nextSqe().nop().userData(0xCAFEBABE_12345678L);
            assertEquals(1, ring.pendingSubmissions());
            assertEquals(1, ring.submitAndWait(1));
            assertEquals(0, ring.pendingSubmissions());
            assertEquals(1, ring.completionsReady());
            Cqes cqes = new Cqes();
            assertEquals(1, ring.pollCompletions(cqes));
            assertEquals(new Cqes.Cqe(0xCAFEBABE_12345678L, 0, 0), cqes.get(0));
            assertEquals(0, ring.completionsReady());
        }
    }

    @Test
    void shouldCompleteNopBatchesOf32() throws Exception {
        try (IoUring ring = IoUring.builder(32).build()) {
            for (int batch = 0; batch < 10; batch++) {
                for (int i = 0; i < 32; i++) {
                    ring.nextSqe().nop().userData(batch * 100L + i);
                }
                assertEquals(0, ring.sqSpaceLeft());
                assertEquals(32, ring.submitAndWait(32));
                Cqes cqes = new Cqes();
                assertEquals(32, ring.pollCompletions(cqes));
                for (int i = 0; i < 32; i++) {
                    assertEquals(0, cqes.byUserData(batch * 100L + i).res());
                }
            }
        }
    }

    @Test
    void shouldHonourPollLimit() throws Exception {
        try (IoUring ring = IoUring.builder(8).build()) {
            for (int i = 0; i < 5; i++) {
                ring.nextSqe().nop().userData(i);
            }
            ring.submitAndWait(5);
            Cqes cqes = new Cqes();
            assertEquals(2, ring.pollCompletions(cqes, 2));
            assertEquals(3, ring.completionsReady());
            assertEquals(3, ring.pollCompletions(cqes, 10));
            for (int i = 0; i < 5; i++) {
                assertEquals(i, cqes.get(i).userData());
            }
        }
    }

    @Test
    void shouldCompleteNopOnSqe128Ring() throws Exception {
        try (IoUring ring = IoUring.builder(4).sqe128().build()) {
            assertEquals(128, ring.sqeSize());
            assertNotEquals(0, ring.setupFlags() & IORING_SETUP_SQE128);
            SubmissionEntry sqe = ring.nextSqe();
            assertEquals(128, sqe.size());
            sqe.nop().userData(77).cmdLong(72, -1L).cmdInt(0, 0x01020304).cmdShort(4, 0x0506).cmdByte(79, 9);
            assertEquals(0x01020304, sqe.segment().get(ValueLayout.JAVA_INT, sqe.offset() + 48));
            assertEquals(9, sqe.segment().get(ValueLayout.JAVA_BYTE, sqe.offset() + 127));
            assertThrows(IndexOutOfBoundsException.class, () -> sqe.cmdLong(73, 0));
            // The next SQE lands 128 bytes further on and starts zeroed.
            SubmissionEntry second = ring.nextSqe().nop().userData(78);
            assertEquals(128, second.offset());
            Cqes cqes = Cqes.await(ring, 2);
            assertEquals(0, cqes.byUserData(77).res());
            assertEquals(0, cqes.byUserData(78).res());
        }
    }

    @Test
    void shouldBoundCommandAreaOnSmallSqe() throws Exception {
        try (IoUring ring = IoUring.builder(4).build()) {
            SubmissionEntry sqe = ring.nextSqe();
            sqe.cmdLong(8, 1L);
            assertThrows(IndexOutOfBoundsException.class, () -> sqe.cmdLong(9, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> sqe.cmdByte(16, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> sqe.cmdInt(-1, 0));
        }
    }

    @Test
    void shouldWriteFsyncAndReadFile() throws Exception {
        int fd = openTemp("data");
        try (IoUring ring = IoUring.builder(8).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment out = pattern(arena, 8192, 7);
            MemorySegment in = arena.allocate(8192, 4096);
            ring.nextSqe().write(fd, out.address(), 8192, 4096).userData(1).link();
            ring.nextSqe().fsync(fd, 0).userData(2).link();
            ring.nextSqe().fsync(fd, IORING_FSYNC_DATASYNC).userData(3);
            Cqes cqes = Cqes.await(ring, 3);
            assertEquals(8192, cqes.byUserData(1).res());
            assertEquals(0, cqes.byUserData(2).res());
            assertEquals(0, cqes.byUserData(3).res());
            assertEquals(4096 + 8192, Files.size(tmp.resolve("data")));

            ring.nextSqe().read(fd, in.address(), 8192, 4096).userData(4);
            assertEquals(8192, Cqes.await(ring, 1).byUserData(4).res());
            assertEquals(-1, out.mismatch(in));

            // Cross-check through the plain syscalls.
            MemorySegment check = arena.allocate(8192);
            assertEquals(8192, FileCalls.pread(fd, check, 8192, 4096));
            assertEquals(-1, out.mismatch(check));
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldFallocateThroughRing() throws Exception {
        int fd = openTemp("falloc");
        try (IoUring ring = IoUring.builder(4).build()) {
            ring.nextSqe().fallocate(fd, 0, 0, 1 << 20).userData(1);
            assertEquals(0, Cqes.await(ring, 1).get(0).res());
            assertEquals(1 << 20, Files.size(tmp.resolve("falloc")));
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldReadAndWriteFixedBuffers() throws Exception {
        int fd = openTemp("fixed");
        try (IoUring ring = IoUring.builder(8).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment out = pattern(arena, 4096, 3);
            MemorySegment in = arena.allocate(4096, 4096);
            ring.registerBuffers(out, in);
            ring.nextSqe().writeFixed(fd, out.address(), 4096, 0, 0).userData(1);
            assertEquals(4096, Cqes.await(ring, 1).get(0).res());
            // A sub-range of a registered buffer works too.
            ring.nextSqe().readFixed(fd, in.address() + 1024, 2048, 1024, 1).userData(2);
            assertEquals(2048, Cqes.await(ring, 1).get(0).res());
            assertEquals(-1, out.asSlice(1024, 2048).mismatch(in.asSlice(1024, 2048)));
            ring.unregisterBuffers();
            assertThrows(IllegalArgumentException.class,
                    () -> ring.registerBuffers(MemorySegment.ofArray(new byte[16])));
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldRegisterSparseBufferTable() throws Exception {
        int fd = openTemp("sparse");
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            ring.registerBuffersSparse(16);
            MemorySegment buf = arena.allocate(4096, 4096);
            ring.nextSqe().readFixed(fd, buf.address(), 4096, 0, 3).userData(1);
            int res = Cqes.await(ring, 1).get(0).res();
            assertTrue(res < 0, "READ_FIXED on an empty sparse slot must fail, got " + res);
            ErrnoException twice = assertThrows(ErrnoException.class, () -> ring.registerBuffersSparse(4));
            assertEquals(Errno.EBUSY, twice.errno());
            ring.unregisterBuffers();
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldUseRegisteredFiles() throws Exception {
        int fd = openTemp("regfile");
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            ring.registerFiles(-1, fd);
            MemorySegment out = pattern(arena, 512, 11);
            MemorySegment in = arena.allocate(512, 512);
            ring.nextSqe().write(1, out.address(), 512, 0).fixedFile().userData(1);
            assertEquals(512, Cqes.await(ring, 1).get(0).res());
            ring.nextSqe().read(1, in.address(), 512, 0).fixedFile().userData(2);
            assertEquals(512, Cqes.await(ring, 1).get(0).res());
            assertEquals(-1, out.mismatch(in));
            ring.nextSqe().read(0, in.address(), 512, 0).fixedFile().userData(3); // empty slot
            assertEquals(-EBADF, Cqes.await(ring, 1).get(0).res());
            ring.unregisterFiles();
        } finally {
            FileCalls.close(fd);
        }
    }

    @Test
    void shouldCancelRestOfLinkChainWhenFirstFails() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            ring.nextSqe().read(Integer.MAX_VALUE, buf.address(), 64, 0).userData(1).link();
            ring.nextSqe().nop().userData(2);
            Cqes cqes = Cqes.await(ring, 2);
            assertEquals(-EBADF, cqes.byUserData(1).res());
            assertEquals(-Errno.ECANCELED.value(), cqes.byUserData(2).res());
        }
    }

    @Test
    void shouldRunHardLinkedSqeAfterFailure() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            ring.nextSqe().read(Integer.MAX_VALUE, buf.address(), 64, 0).userData(1).hardLink();
            ring.nextSqe().nop().userData(2);
            Cqes cqes = Cqes.await(ring, 2);
            assertEquals(-EBADF, cqes.byUserData(1).res());
            assertEquals(0, cqes.byUserData(2).res());
        }
    }

    @Test
    void shouldSkipCqeOfSuccessfulRequest() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            assertNotEquals(0, ring.features() & IORING_FEAT_CQE_SKIP);
            MemorySegment buf = arena.allocate(64);
            ring.nextSqe().nop().userData(1).skipSuccess();
            ring.nextSqe().read(Integer.MAX_VALUE, buf.address(), 64, 0).userData(2).skipSuccess(); // fails
            ring.nextSqe().nop().userData(3);
            ring.submitAndWait(2);
            ring.submitAndWait(1, 20_000_000L); // give a stray CQE for #1 the chance to show up
            Cqes cqes = new Cqes();
            ring.pollCompletions(cqes);
            assertEquals(2, cqes.size(), () -> "CQEs: " + cqes.seen);
            assertEquals(-EBADF, cqes.byUserData(2).res());
            assertEquals(0, cqes.byUserData(3).res());
        }
    }

    @Test
    void shouldExpireTimeoutWithEtime() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec(arena, 10_000_000L);
            long start = System.nanoTime();
            ring.nextSqe().timeout(ts.address(), 0, 0).userData(1);
            Cqes cqes = Cqes.await(ring, 1);
            assertEquals(-Errno.ETIME.value(), cqes.get(0).res());
            assertTrue(System.nanoTime() - start >= 9_000_000L);
        }
    }

    @Test
    void shouldCancelSlowRequestWithLinkTimeout() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); EventFd efd = EventFd.create();
             Arena arena = Arena.ofConfined()) {
            MemorySegment ts = timespec(arena, 10_000_000L);
            ring.nextSqe().pollAdd(efd.fd(), EventCalls.POLLIN).userData(1).link(); // never becomes ready
            ring.nextSqe().linkTimeout(ts.address(), 0).userData(2);
            Cqes cqes = Cqes.await(ring, 2);
            assertEquals(-Errno.ECANCELED.value(), cqes.byUserData(1).res());
            assertEquals(-Errno.ETIME.value(), cqes.byUserData(2).res());
        }
    }

    @Test
    void shouldReturnFromTimedWaitWithoutCompletion() throws Exception {
        try (IoUring ring = IoUring.builder(4).build()) {
            long start = System.nanoTime();
            assertEquals(0, ring.submitAndWait(1, 50_000_000L));
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= 45_000_000L, "returned after " + elapsed + " ns");
            assertTrue(elapsed < 2_000_000_000L, "returned after " + elapsed + " ns");
            assertEquals(0, ring.completionsReady());
            assertEquals(0, ring.pollCompletions(new Cqes()));
        }
    }

    @Test
    void shouldSignalRegisteredEventFdOnCompletion() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); EventFd efd = EventFd.create()) {
            ring.registerEventFd(efd.fd());
            assertEquals(0, efd.drain());
            ring.nextSqe().nop().userData(1);
            ring.submitAndWait(1);
            assertTrue(efd.drain() >= 1);
            ring.pollCompletions(new Cqes());
            ring.unregisterEventFd();
            ring.nextSqe().nop().userData(2);
            ring.submitAndWait(1);
            assertEquals(0, efd.drain());
        }
    }

    @Test
    void shouldWakeRingPollingEventFdFromOtherThread() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); EventFd efd = EventFd.create()) {
            ring.nextSqe().pollAdd(efd.fd(), EventCalls.POLLIN).userData(42);
            ring.submit();
            Thread signaller = Thread.ofPlatform().start(() -> {
                sleep(50);
                efd.signal();
            });
            long start = System.nanoTime();
            ring.submitAndWait(1, 5_000_000_000L);
            long elapsed = System.nanoTime() - start;
            Cqes cqes = new Cqes();
            assertEquals(1, ring.pollCompletions(cqes));
            assertEquals(42, cqes.get(0).userData());
            assertNotEquals(0, cqes.get(0).res() & EventCalls.POLLIN);
            assertTrue(elapsed < 4_000_000_000L);
            signaller.join();
            assertEquals(1, efd.drain());
        }
    }

    @Test
    void shouldWakeRingReadingEventFdFromOtherThread() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); EventFd efd = EventFd.create();
             Arena arena = Arena.ofConfined()) {
            MemorySegment counter = arena.allocate(8, 8);
            // The eventfd is non-blocking; io_uring arms an internal poll and retries on EAGAIN.
            ring.nextSqe().read(efd.fd(), counter.address(), 8, 0).userData(7);
            ring.submit();
            Thread signaller = Thread.ofPlatform().start(() -> {
                sleep(50);
                efd.signal();
                efd.signal();
            });
            Cqes cqes = Cqes.await(ring, 1);
            signaller.join();
            assertEquals(8, cqes.get(0).res());
            long total = counter.get(ValueLayout.JAVA_LONG, 0) + efd.drain();
            assertEquals(2, total);
        }
    }

    @Test
    void shouldPostMessageToOtherRing() throws Exception {
        try (IoUring sender = IoUring.builder(4).build(); IoUring receiver = IoUring.builder(4).build()) {
            sender.nextSqe().msgRing(receiver.fd(), 1234, 0xFEEDL).userData(1);
            assertEquals(0, Cqes.await(sender, 1).get(0).res());
            Cqes got = Cqes.await(receiver, 1);
            assertEquals(new Cqes.Cqe(0xFEEDL, 1234, 0), got.get(0));
        }
    }

    @Test
    void shouldSubmitQueuedEntriesWhenSqIsFull() throws Exception {
        try (IoUring ring = IoUring.builder(8).build()) {
            for (int i = 0; i < 20; i++) {
                ring.nextSqe().nop().userData(i);
            }
            assertEquals(4, ring.pendingSubmissions()); // 16 went in while the SQ was full
            Cqes cqes = Cqes.await(ring, 20);
            Set<Long> ids = new HashSet<>();
            cqes.seen.forEach(c -> ids.add(c.userData()));
            assertEquals(20, ids.size());
        }
    }

    @Test
    void shouldRecoverOverflowedCompletions() throws Exception {
        try (IoUring ring = IoUring.builder(8).cqSize(16).build()) {
            assertEquals(16, ring.cqEntries());
            for (int i = 0; i < 64; i++) {
                ring.nextSqe().nop().userData(i);
            }
            ring.submit();
            assertEquals(0, ring.pendingSubmissions());
            assertEquals(16, ring.completionsReady()); // the rest sits on the kernel's overflow list
            Cqes cqes = new Cqes();
            assertEquals(64, ring.pollCompletions(cqes));
            Set<Long> ids = new HashSet<>();
            cqes.seen.forEach(c -> {
                assertEquals(0, c.res());
                ids.add(c.userData());
            });
            assertEquals(64, ids.size());
            assertEquals(0, ring.cqOverflowCount(), "NODROP: nothing may be lost");
            assertEquals(0, ring.pollCompletions(cqes));
        }
    }

    @Test
    void shouldRecoverOverflowedCompletionsThroughWait() throws Exception {
        try (IoUring ring = IoUring.builder(8).cqSize(16).build()) {
            for (int i = 0; i < 40; i++) {
                ring.nextSqe().nop().userData(i);
            }
            ring.submit();
            Cqes cqes = new Cqes();
            while (cqes.size() < 40) {
                ring.submitAndWait(1, 1_000_000_000L); // GETEVENTS flushes the overflow list
                int n = ring.pollCompletions(cqes, 4);
                assertTrue(n > 0);
            }
            assertEquals(40, cqes.size());
        }
    }

    @Test
    void shouldRunNopOnSingleIssuerDeferTaskrunRing() throws Exception {
        try (IoUring ring = IoUring.builder(8).singleIssuer().deferTaskrun().coopTaskrun().taskrunFlag()
                .build()) {
            ring.nextSqe().nop().userData(5);
            Cqes cqes = Cqes.await(ring, 1);
            assertEquals(5, cqes.get(0).userData());
        } catch (ErrnoException e) {
            assumeTrue(e.errno() != Errno.EINVAL, "kernel lacks DEFER_TASKRUN: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void shouldRunDeferredTaskWorkWhenPollingWithTaskrunFlag() throws Exception {
        try (IoUring ring = IoUring.builder(8).singleIssuer().deferTaskrun().taskrunFlag().build();
             EventFd efd = EventFd.create()) {
            ring.nextSqe().pollAdd(efd.fd(), EventCalls.POLLIN).userData(3);
            ring.submit();
            efd.signal(); // the poll wake-up is queued as task work that only an enter runs
            Cqes cqes = new Cqes();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (cqes.size() == 0 && System.nanoTime() < deadline) {
                ring.pollCompletions(cqes); // sees IORING_SQ_TASKRUN and enters with GETEVENTS
            }
            assertEquals(1, cqes.size());
            assertNotEquals(0, cqes.get(0).res() & EventCalls.POLLIN);
        }
    }

    @Test
    void shouldCompleteReadOnBadFdWithEbadf() throws Exception {
        try (IoUring ring = IoUring.builder(4).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            ring.nextSqe().read(Integer.MAX_VALUE, buf.address(), 64, 0).userData(9);
            Cqes.Cqe cqe = Cqes.await(ring, 1).get(0);
            assertEquals(-EBADF, cqe.res());
            assertEquals(Errno.EBADF, Errno.of(cqe.res()));
        }
    }

    @Test
    void shouldThrowEinvalForBogusSetupFlags() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> IoUring.builder(4).setupFlags(1 << 30).build());
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("io_uring_setup", e.call());
        assertEquals("io_uring_setup failed: EINVAL (Invalid argument)", e.getMessage());
    }

    @Test
    void shouldThrowEbadfRegisteringOnClosedFd() throws Exception {
        int fd;
        try (IoUring ring = IoUring.builder(4).build()) {
            fd = ring.fd();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocateFrom(ValueLayout.JAVA_INT, 0);
            // Assumes nothing reopened the number in between; the test JVM opens no files concurrently.
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> IoUringCalls.register(fd, IORING_REGISTER_FILES, fds, 1));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("io_uring_register", e.call());
        }
    }

    @Test
    void shouldCloseIdempotentlyAndRejectUseAfterClose() throws Exception {
        IoUring ring = IoUring.builder(4).build();
        SubmissionEntry sqe = ring.nextSqe().nop();
        ring.close();
        ring.close();
        assertThrows(IllegalStateException.class, ring::nextSqe);
        assertThrows(IllegalStateException.class, ring::submit);
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(1));
        assertThrows(IllegalStateException.class, () -> ring.submitAndWait(1, 1000));
        assertThrows(IllegalStateException.class, () -> ring.pollCompletions(new Cqes()));
        assertThrows(IllegalStateException.class, ring::completionsReady);
        assertThrows(IllegalStateException.class, ring::cqOverflowCount);
        assertThrows(IllegalStateException.class, () -> ring.registerFiles(0));
        // A stale flyweight must not reach unmapped memory either.
        assertThrows(IllegalStateException.class, () -> sqe.userData(1));
        assertThrows(IllegalStateException.class, () -> sqe.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(4, ring.sqEntries());
    }

    @Test
    void shouldAllowCloseFromAnotherThreadWhileOwnerWaits() throws Exception {
        IoUring ring = IoUring.builder(4).build();
        Thread closer = Thread.ofPlatform().start(() -> {
            sleep(30);
            ring.close();
        });
        ring.submitAndWait(1, 200_000_000L); // blocked in the kernel while the other thread closes
        closer.join();
        assertThrows(IllegalStateException.class, ring::submit);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
