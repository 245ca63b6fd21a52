// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.UblkQueue;
import io.jublk.core.control.UblkControl;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.QueueStats;
import io.jublk.targets.MemTarget;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real data through the real driver: fio verify and ext4 on the mem target, in every data mode. */
@Timeout(900)
class MemDeviceIT {
    private static final long SIZE = 256L << 20;

    @ParameterizedTest
    @EnumSource(value = DataMode.class, names = {"COPY", "COPY_APPLICATION_BUFFERS", "USER_COPY"})
    void shouldPassFioVerifyInEachDataMode(DataMode mode) throws Exception {
        try (MemTarget mem = new MemTarget(SIZE); ApplicationBuffers pool = new ApplicationBuffers(512 * 1024, 2 * 64)) {
            BlockTarget target = mode == DataMode.COPY_APPLICATION_BUFFERS ? new LendingTarget(mem, pool) : mem;
            try (UblkDevice dev = UblkDevice.builder().target(target).queues(2).depth(64).dataMode(mode).build()) {
                assertEquals(mode, dev.dataMode());
                dev.runQueues();
                dev.start();
                assertTrue(Files.exists(Path.of(dev.blockPath())), dev.blockPath() + " after START_DEV");
                String out = Commands.fioVerify(dev.blockPath(), 64L << 20, 64, 2);
                System.out.println("fio verify, " + mode + ":\n" + out);
            }
            if (mode == DataMode.COPY_APPLICATION_BUFFERS) {
                assertTrue(pool.lent() > 0, "the application's buffers were used");
                assertEquals(0, pool.outstanding(), "every lent buffer came back");
            }
        }
    }

    /**
     * The device's statistics count what fio did, and a recording over the device's life holds its
     * lifecycle and statistics events.
     */
    @Test
    void shouldCountFiosRequestsAndRecordTheLifecycle() throws Exception {
        Path file = Files.createTempFile(Path.of("/tmp"), "jublk-mem", ".jfr");
        int devId;
        try (MemTarget mem = new MemTarget(SIZE); Recording recording = new Recording()) {
            for (String event : new String[] {"DeviceAdded", "DeviceStarted", "DeviceStopped", "DeviceDeleted"}) {
                recording.enable("io.jublk." + event);
            }
            recording.enable("io.jublk.QueueStatistics").withPeriod(Duration.ofMillis(200));
            recording.start();
            try (UblkDevice dev = UblkDevice.builder().target(mem).queues(2).depth(64).build()) {
                devId = dev.id();
                dev.runQueues();
                dev.start();
                Thread.sleep(500); // let the kernel's and udev's probing reads end
                DeviceStats before = dev.stats();
                String out = Commands.check(300, "fio", "--name=stats", "--filename=" + dev.blockPath(),
                        "--ioengine=io_uring", "--direct=1", "--rw=randrw", "--bs=4k", "--iodepth=16",
                        "--size=32m", "--io_size=16m", "--output-format=terse", "--terse-version=3");
                DeviceStats done = dev.stats().minus(before);
                System.out.println(out + "\n" + dev.stats() + "\nduring fio:\n" + done);
                String[] f = out.strip().lines().reduce((first, last) -> last).orElseThrow().split(";");
                long readBytes = Long.parseLong(f[5]) * 1024;
                long writeBytes = Long.parseLong(f[46]) * 1024;
                QueueStats total = done.total();
                assertTrue(readBytes > 0 && writeBytes > 0, "fio read and wrote: " + out);
                // Reads: udev's probing may still add a few of its own.
                assertTrue(total.read().bytes() >= readBytes, "read bytes " + total);
                assertEquals(writeBytes, total.write().bytes(), "written bytes");
                // The block layer may merge fio's 4 KiB requests, never split them.
                assertTrue(total.read().requests() > 0 && total.read().requests() <= total.read().bytes() / 512, "reads " + total);
                assertTrue(total.write().requests() > 0 && total.write().requests() <= writeBytes / 4096, "writes " + total);
                assertEquals(0, total.errors());
                assertEquals(0, dev.stats().total().inFlight());
                assertTrue(total.wakeUps() > 0 && total.wakeUpRequests() >= total.read().requests(), "wake-ups " + total);
                assertEquals(total.requests(), total.serviceTime().count());
                assertTrue(total.serviceTime().p50() > 0 && total.serviceTime().p999() >= total.serviceTime().p50());
                Thread.sleep(500); // a statistics event or two after fio
            }
            recording.stop();
            recording.dump(file);
        }
        try {
            List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().startsWith("io.jublk.") && e.getInt("deviceId") == devId)
                    .toList();
            List<String> names = events.stream().map(e -> e.getEventType().getName()).toList();
            for (String name : List.of("io.jublk.DeviceAdded", "io.jublk.DeviceStarted", "io.jublk.DeviceStopped",
                    "io.jublk.DeviceDeleted")) {
                assertEquals(1, names.stream().filter(name::equals).count(), name + " in " + names);
            }
            assertTrue(names.indexOf("io.jublk.DeviceAdded") < names.indexOf("io.jublk.DeviceStarted")
                    || events.get(names.indexOf("io.jublk.DeviceAdded")).getStartTime()
                    .isBefore(events.get(names.indexOf("io.jublk.DeviceStarted")).getStartTime()), "added before started");
            assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("io.jublk.QueueStatistics")
                    && e.getLong("writes") > 0), "queue statistics with fio's writes");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * An application whose data already sits in its own memory lends that very place
     * ({@link IoBufferProvider#inPlace}): the kernel copies reads out of it and writes into it, and
     * the target only answers with the length.
     */
    @Test
    void shouldServeInPlaceFromTheApplicationsOwnMemory() throws Exception {
        long size = 64L << 20;
        try (Arena arena = Arena.ofShared()) {
            InPlaceStore store = new InPlaceStore(arena.allocate(size, 4096));
            try (UblkDevice dev = UblkDevice.builder().target(store).queues(2).depth(32)
                    .dataMode(DataMode.COPY_APPLICATION_BUFFERS).build()) {
                dev.runQueues();
                dev.start();
                System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
                Path pattern = Files.createTempFile(Path.of("/tmp"), "jublk-in-place", ".bin");
                try {
                    Commands.check(60, "dd", "if=/dev/urandom", "of=" + pattern, "bs=1M", "count=8", "status=none");
                    Commands.check(60, "dd", "if=" + pattern, "of=" + dev.blockPath(), "bs=64k", "seek=" + (40 << 4),
                            "oflag=direct", "status=none");
                    byte[] expected = Files.readAllBytes(pattern);
                    byte[] held = store.memory.asSlice(40L << 20, expected.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertTrue(java.util.Arrays.equals(expected, held), "the writes landed in the application's memory");
                } finally {
                    Files.deleteIfExists(pattern);
                }
                assertTrue(store.served.get() > 0, "requests were served in place");
                assertEquals(0, store.notInPlace.get(), "every read and write was in place");
            }
        }
    }

    /** Storage that is one block of the application's memory, lent in place for every read and write. */
    private static final class InPlaceStore implements BlockTarget, QueueHandler, IoBufferProvider {
        final MemorySegment memory;
        final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong notInPlace = new java.util.concurrent.atomic.AtomicLong();

        InPlaceStore(MemorySegment memory) {
            this.memory = memory;
        }

        @Override
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(memory.byteSize());
        }

        @Override
        public TargetCapabilities capabilities() {
            return TargetCapabilities.NO_CACHE.withLendsBuffers(true);
        }

        @Override
        public IoBufferProvider bufferProvider() {
            return this;
        }

        @Override
        public long inPlace(UblkIo io) {
            return memory.address() + io.offset();
        }

        @Override
        public MemorySegment acquire(UblkIo io) {
            notInPlace.incrementAndGet();
            return null;   // the request then fails with EIO, and the test with it
        }

        @Override
        public void release(UblkIo io, MemorySegment buffer) {
            // Nothing is lent that needs returning.
        }

        @Override
        public int read(UblkIo io) {
            return answer(io);
        }

        @Override
        public int write(UblkIo io) {
            return answer(io);
        }

        private int answer(UblkIo io) {
            if (!io.isInPlace()) {
                notInPlace.incrementAndGet();
                return EIO;
            }
            served.incrementAndGet();
            return io.length();
        }
    }

    @Test
    void shouldServeWithoutAnIoSchedulerUnlessAskedFor() throws Exception {
        // One queue is where the kernel would pick mq-deadline, which sends every dispatch through kblockd.
        try (MemTarget mem = new MemTarget(SIZE)) {
            for (String asked : new String[] {null, "default", "mq-deadline"}) {
                UblkDeviceBuilder b = UblkDevice.builder().target(mem).size(SIZE).queues(1).depth(32);
                if (asked == null || !asked.equals("default")) {
                    b.ioScheduler(asked);
                }
                try (UblkDevice dev = b.build()) {
                    dev.runQueues();
                    dev.start();
                    String name = Path.of(dev.blockPath()).getFileName().toString();
                    String schedulers = Files.readString(Path.of("/sys/block/" + name + "/queue/scheduler")).strip();
                    String expected = asked == null || asked.equals("mq-deadline") ? "[mq-deadline]" : "[none]";
                    assertTrue(schedulers.contains(expected), "ioScheduler(" + asked + "): " + schedulers);
                    Commands.fioVerify(dev.blockPath(), 16L << 20, 16, 1);
                }
            }
        }
    }

    @Test
    void shouldHoldAnExt4FilesystemThatPassesFsck() throws Exception {
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).size(SIZE).queues(2).depth(64).build()) {
            dev.runQueues();
            dev.start();
            System.out.println(Commands.ext4RoundTrip(dev.blockPath()));
        }
    }

    @Test
    void shouldDiscardLargeRangesAndGiveTheMemoryBack() throws Exception {
        long size = 4L << 30;
        try (MemTarget mem = new MemTarget(size);
             UblkDevice dev = UblkDevice.builder().target(mem).size(size).queues(1).depth(32).build()) {
            dev.runQueues();
            dev.start();
            long rssBefore = rssKiB();
            Commands.check(120, "dd", "if=/dev/urandom", "of=" + dev.blockPath(), "bs=1M", "count=256",
                    "seek=2048", "oflag=direct", "status=none");
            long rssWritten = rssKiB();
            assertTrue(rssWritten - rssBefore > 200_000, "256 MiB written costs memory: " + (rssWritten - rssBefore) + " KiB");
            // 3 GiB in one call: larger than any single request the device accepts, so the kernel splits it.
            Commands.check(120, "blkdiscard", "-o", "0", "-l", String.valueOf(3L << 30), dev.blockPath());
            long rssDiscarded = rssKiB();
            assertTrue(rssWritten - rssDiscarded > 200_000, "discard hands the pages back: " + rssDiscarded + " KiB");
            String zeros = Commands.check(120, "sh", "-c", "dd if=" + dev.blockPath()
                    + " bs=1M skip=2048 count=256 iflag=direct status=none | tr -d '\\000' | wc -c");
            assertEquals("0", zeros.strip(), "discarded range reads back as zeros");
        }
    }

    private static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void shouldServeTwoQueuesFromOneApplicationThreadWithDoWork() throws Exception {
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).size(SIZE).queues(2).depth(64).build()) {
            // The application's own duty-cycle loop: both queues composed on one platform thread.
            Thread app = Thread.ofPlatform().name("app-duty-cycle").start(() -> {
                List<UblkQueue> queues = dev.queues();
                try {
                    for (UblkQueue q : queues) {
                        q.start();
                    }
                    while (!queues.stream().allMatch(UblkQueue::isTerminated)) {
                        int work = 0;
                        for (UblkQueue q : queues) {
                            work += q.doWork();
                        }
                        if (work == 0) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    queues.forEach(UblkQueue::close);
                }
            });
            dev.start();
            System.out.println(Commands.fioVerify(dev.blockPath(), 64L << 20, 64, 2));
            dev.stop();
            app.join(60_000);
            assertFalse(app.isAlive(), "the duty-cycle loop ends once the device stops");
        }
    }

    @Test
    void shouldCompleteFromAThreadPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (MemTarget mem = new MemTarget(SIZE)) {
            // Reads and writes complete through futures, flushes through complete(int).
            final class Offloaded implements BlockTarget, QueueHandler {
                @Override
                public TargetGeometry geometry() {
                    return mem.geometry();
                }

                @Override
                public int read(UblkIo io) {
                    return io.completeWhen(CompletableFuture.supplyAsync(() -> mem.read(io), pool));
                }

                @Override
                public int write(UblkIo io) {
                    return io.completeWhen(CompletableFuture.supplyAsync(() -> mem.write(io), pool));
                }

                @Override
                public int flush(UblkIo io) {
                    pool.execute(() -> io.complete(0));
                    return ASYNC;
                }
            }
            try (UblkDevice dev = UblkDevice.builder().target(new Offloaded()).queues(2).depth(64).build()) {
                dev.runQueues();
                dev.start();
                System.out.println(Commands.fioVerify(dev.blockPath(), 64L << 20, 64, 2));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldLeaveNothingBehindAfterTwentyLifecycles() throws Exception {
        long fdsBefore = countFds();
        int threadsBefore = Thread.activeCount();
        try (UblkControl control = UblkControl.open(); MemTarget mem = new MemTarget(16L << 20)) {
            long fdsWithControl = countFds();
            for (int round = 0; round < 20; round++) {
                int id;
                try (UblkDevice dev = UblkDevice.builder().control(control).target(mem).size(16L << 20)
                        .queues(2).depth(32).build()) {
                    id = dev.id();
                    dev.runQueues();
                    dev.start();
                    assertTrue(Files.exists(Path.of(dev.blockPath())));
                }
                assertFalse(Files.exists(Path.of("/dev/ublkb" + id)), "block node of device " + id + " removed");
                assertFalse(Files.exists(Path.of("/dev/ublkc" + id)), "char node of device " + id + " removed");
                assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
            }
            assertEquals(fdsWithControl, countFds(), "open fds after 20 rounds");
        }
        assertEquals(fdsBefore, countFds(), "open fds after closing the control device");
        Thread.sleep(100);
        assertTrue(Thread.activeCount() <= threadsBefore, "no queue thread outlives its device");
    }

    private static long countFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** A fixed pool of native buffers, standing in for an RPC system's memory pool. */
    static final class ApplicationBuffers implements IoBufferProvider, AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final ArrayDeque<MemorySegment> free = new ArrayDeque<>();
        private long lent;
        private int outstanding;

        ApplicationBuffers(int bufferBytes, int count) {
            for (int i = 0; i < count; i++) {
                free.push(arena.allocate(bufferBytes, 4096));
            }
        }

        @Override
        public synchronized MemorySegment acquire(UblkIo io) {
            lent++;
            outstanding++;
            return free.pop();
        }

        @Override
        public synchronized void release(UblkIo io, MemorySegment buffer) {
            outstanding--;
            free.push(buffer);
        }

        synchronized long lent() {
            return lent;
        }

        synchronized int outstanding() {
            return outstanding;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** A target whose queue handlers lend the application's pooled buffers in front of another target. */
    private record LendingTarget(BlockTarget inner, IoBufferProvider pool) implements BlockTarget {
        @Override
        public TargetGeometry geometry() {
            return inner.geometry();
        }

        @Override
        public TargetCapabilities capabilities() {
            return inner.capabilities().withLendsBuffers(true);
        }

        @Override
        public QueueHandler openQueue(UblkQueue queue) throws java.io.IOException {
            QueueHandler handler = inner.openQueue(queue);
            return new QueueHandler() {
                @Override
                public int read(UblkIo io) {
                    return handler.read(io);
                }

                @Override
                public int write(UblkIo io) {
                    return handler.write(io);
                }

                @Override
                public IoBufferProvider bufferProvider() {
                    return pool;
                }

                @Override
                public void stop() {
                    handler.stop();
                }
            };
        }
    }
}
