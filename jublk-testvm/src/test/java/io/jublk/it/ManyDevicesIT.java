// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.QueueGroup;
import io.jublk.core.control.UblkControl;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkQueue;
import io.jublk.targets.MemTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One process serves 64 devices at once, fio verifies each, and deleting them all leaves no
 * device, fd, mapping or thread behind: once with a thread per queue, once with every queue on
 * one application thread ({@link QueueGroup}).
 */
@Timeout(600)
class ManyDevicesIT {
    private static final int DEVICES = 64;
    private static final long SIZE = 16L << 20;
    private static final int DEPTH = 64;
    private static final int FIO_BATCH = 16;
    private static final long VERIFY_BYTES = 1L << 20;

    @BeforeAll
    static void warmUp() throws Exception {
        // Load the classes and JVM threads one device lifecycle needs, so the baselines below
        // measure devices, not the first use of the library.
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).size(SIZE).depth(DEPTH).build()) {
            dev.runQueues();
            dev.start();
            Commands.fioVerifyEach(List.of(dev.blockPath()), VERIFY_BYTES, 16);
        }
        QueueGroup group = QueueGroup.create();
        Thread t = Thread.ofPlatform().start(group);
        group.stop();
        t.join();
    }

    @Test
    void shouldServe64DevicesWithAThreadPerQueueAndLeaveNothingBehind() throws Exception {
        Snapshot before = Snapshot.take();
        List<MemTarget> targets = new ArrayList<>();
        List<UblkDevice> devices = new ArrayList<>();
        try {
            for (int i = 0; i < DEVICES; i++) {
                MemTarget mem = new MemTarget(SIZE);
                targets.add(mem);
                UblkDevice dev = UblkDevice.builder().target(mem).size(SIZE).depth(DEPTH).build();
                devices.add(dev);
                dev.runQueues();
                dev.start();
            }
            Snapshot serving = Snapshot.take();
            System.out.println("64 devices, a thread per queue: " + serving.minus(before));
            assertEquals(DEVICES, queueThreads(), "one queue thread per device");
            verifyAll(devices);
        } finally {
            closeAll(devices, targets);
        }
        assertNothingLeft(before, devices);
    }

    @Test
    void shouldServe64DevicesFromOneApplicationThreadAndLeaveNothingBehind() throws Exception {
        Snapshot before = Snapshot.take();
        List<MemTarget> targets = new ArrayList<>();
        List<UblkDevice> devices = new ArrayList<>();
        QueueGroup group = QueueGroup.create();
        AtomicBoolean done = new AtomicBoolean();
        // The application's own loop. Its long sleeps prove the wake-ups: were one lost, a request
        // would wait out the 30 s and fio would crawl past the test's timeout.
        Thread app = Thread.ofPlatform().name("app-queue-group").start(() -> {
            try {
                while (!done.get()) {
                    group.poll(TimeUnit.SECONDS.toNanos(30));
                }
            } finally {
                group.close();
            }
        });
        try (UblkControl control = UblkControl.open()) {
            try {
                for (int i = 0; i < DEVICES; i++) {
                    MemTarget mem = new MemTarget(SIZE);
                    targets.add(mem);
                    // Both data modes served side by side by the one thread.
                    DataMode mode = i % 2 == 0 ? DataMode.COPY : DataMode.USER_COPY;
                    UblkDevice dev = UblkDevice.builder().control(control).target(mem).size(SIZE).depth(DEPTH)
                            .dataMode(mode).build();
                    devices.add(dev);
                    for (UblkQueue q : dev.queues()) {
                        group.add(q);
                    }
                    dev.start();
                }
                assertEquals(DEVICES, group.size());
                Snapshot serving = Snapshot.take();
                System.out.println("64 devices, one application thread: " + serving.minus(before));
                assertEquals(0, queueThreads(), "the group's thread serves every device");
                verifyAll(devices);
            } finally {
                closeAll(devices, targets);
            }
            assertEquals(0, group.size(), "the group dropped every queue whose device was deleted");
        } finally {
            done.set(true);
            group.stop();
            app.join(10_000);
        }
        assertFalse(app.isAlive(), "stop() wakes the sleeping group at once");
        assertNothingLeft(before, devices);
    }

    /** fio verify on every device, a batch of devices per fio run, so CI time stays bounded. */
    private static void verifyAll(List<UblkDevice> devices) throws Exception {
        long start = System.nanoTime();
        for (int from = 0; from < devices.size(); from += FIO_BATCH) {
            List<String> batch = devices.subList(from, Math.min(devices.size(), from + FIO_BATCH)).stream()
                    .map(UblkDevice::blockPath).toList();
            Commands.fioVerifyEach(batch, VERIFY_BYTES, 16);
        }
        System.out.printf("fio verify of %d devices: %.1f s%n", devices.size(), (System.nanoTime() - start) / 1e9);
    }

    private static void closeAll(List<UblkDevice> devices, List<MemTarget> targets) throws Exception {
        Exception failure = null;
        for (UblkDevice dev : devices) {
            try {
                dev.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        targets.forEach(MemTarget::close);
        if (failure != null) {
            throw failure;
        }
    }

    private static void assertNothingLeft(Snapshot before, List<UblkDevice> devices) throws Exception {
        for (UblkDevice dev : devices) {
            assertFalse(Files.exists(Path.of(dev.blockPath())), dev.blockPath() + " removed");
            assertFalse(UblkControl.deviceIds().contains(dev.id()), "device " + dev.id() + " deleted");
        }
        Snapshot after = Snapshot.take();
        System.out.println("after deleting all: " + after.minus(before));
        assertEquals(before.fdKinds, after.fdKinds, "ublk, io_uring and eventfd descriptors");
        assertEquals(before.ublkMaps, after.ublkMaps, "mappings of /dev/ublkcN and io_uring rings");
        // The total count of mappings is printed, not asserted: glibc keeps the stacks of ended
        // threads for reuse, and the JVM maps code cache and malloc arenas as it goes.
        assertEquals(0, queueThreads(), "no queue thread outlives its device");
        // The JIT may have started a compiler thread or two meanwhile.
        assertTrue(after.threads - before.threads <= 4, "threads grew by " + (after.threads - before.threads));
    }

    /** Live threads started by {@link UblkDevice#runQueues()}, named ublk-dN-qM. */
    private static long queueThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ublk-d")).count();
    }

    /** The process's threads, fds by kind and mappings, from /proc/self. */
    private record Snapshot(long threads, long fds, Map<String, Integer> fdKinds, long maps, long ublkMaps, long rssKiB) {
        static Snapshot take() throws Exception {
            System.gc();
            Thread.sleep(200);
            long threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            Map<String, Integer> kinds = new TreeMap<>();
            long fds = 0;
            try (var s = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : s.toList()) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (java.io.IOException gone) {
                        continue; // the directory's own fd, closed by now
                    }
                    fds++;
                    String kind = target.startsWith("/dev/ublkc") ? "ublkc"
                            : target.equals("/dev/ublk-control") ? "ublk-control"
                            : target.contains("[io_uring]") ? "io_uring"
                            : target.contains("[eventfd]") ? "eventfd" : null;
                    if (kind != null) {
                        kinds.merge(kind, 1, Integer::sum);
                    }
                }
            }
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            long ublkMaps = maps.stream().filter(l -> l.contains("/dev/ublkc") || l.contains("[io_uring]")).count();
            return new Snapshot(threads, fds, kinds, maps.size(), ublkMaps, rss);
        }

        String minus(Snapshot base) {
            return String.format("threads %+d, fds %+d %s, maps %+d (ublk/io_uring %+d), rss %+d KiB",
                    threads - base.threads, fds - base.fds, fdKinds, maps - base.maps, ublkMaps - base.ublkMaps,
                    rssKiB - base.rssKiB);
        }
    }
}
