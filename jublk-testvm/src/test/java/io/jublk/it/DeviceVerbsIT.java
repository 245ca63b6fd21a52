// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.CpuAffinity;
import io.jublk.core.QueueAffinity;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBusyException;
import io.jublk.core.UblkException;
import io.jublk.core.UblkQueue;
import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.MemTarget;
import io.jublk.targets.NullTarget;
import io.jublk.uring.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The device verbs through the library, on the real driver: resize, safe stop, asynchronous delete
 * and queue threads bound to CPUs. Where the kernel lacks a verb, jublk must refuse it and leave the
 * device as it was.
 */
@Timeout(600)
class DeviceVerbsIT {

    private static boolean kernelHas(UblkFeature feature) throws Exception {
        try (UblkControl control = UblkControl.open()) {
            return feature.isSet(control.features());
        }
    }

    private static long sysfsSectors(UblkDevice dev) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/sys/block/ublkb" + dev.id() + "/size")).strip());
    }

    @Test
    void shouldGrowAMemDeviceAndServeIoPastTheOldEnd() throws Exception {
        long size = 32L << 20;
        try (MemTarget mem = new MemTarget(size, 128L << 20);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(2).depth(32).logicalBlockSize(4096).build()) {
            dev.runQueues();
            dev.start();
            assertEquals(size >> 9, sysfsSectors(dev));
            if (!kernelHas(UblkFeature.UPDATE_SIZE)) {
                UblkException e = assertThrows(UblkException.class, () -> dev.updateSize(64L << 20));
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("UBLK_F_UPDATE_SIZE"), e.getMessage());
                assertEquals(size >> 9, sysfsSectors(dev), "size untouched");
                return;
            }
            assertThrows(IllegalArgumentException.class, () -> dev.updateSize((128L << 20) + 4096), "beyond the reservation");
            assertThrows(IllegalArgumentException.class, () -> dev.updateSize((64L << 20) + 512), "not whole 4 KiB blocks");
            assertEquals(size >> 9, sysfsSectors(dev), "refusals leave the size");

            dev.updateSize(96L << 20);
            assertEquals((96L << 20) >> 9, sysfsSectors(dev), "size after growing");
            assertEquals(96L << 20, dev.sizeBytes());

            // Data written past the old end reads back, by dd and sha256 and by fio's verify.
            Path pattern = Files.createTempFile(Path.of("/tmp"), "jublk-grown", ".bin");
            try {
                Commands.check(60, "dd", "if=/dev/urandom", "of=" + pattern, "bs=1M", "count=8", "status=none");
                Commands.check(60, "dd", "if=" + pattern, "of=" + dev.blockPath(), "bs=1M", "seek=80", "oflag=direct",
                        "status=none");
                Path back = Path.of(pattern + ".back");
                Commands.check(60, "dd", "if=" + dev.blockPath(), "of=" + back, "bs=1M", "skip=80", "count=8",
                        "iflag=direct", "status=none");
                assertEquals(sha256(pattern), sha256(back), "the grown region holds what was written");
                Files.deleteIfExists(back);
            } finally {
                Files.deleteIfExists(pattern);
            }
            System.out.println(Commands.check(300, "fio", "--name=grown", "--filename=" + dev.blockPath(),
                    "--ioengine=io_uring", "--direct=1", "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=16",
                    "--offset=" + (32 << 20), "--size=" + (48 << 20), "--verify=crc32c", "--verify_fatal=1",
                    "--do_verify=1", "--randrepeat=0"));

            // As another process would: through a control device of its own, by id.
            try (UblkControl other = UblkControl.open()) {
                other.updateSize(dev.id(), 48L << 20);
                assertEquals((48L << 20) >> 9, sysfsSectors(dev), "size after shrinking by id");
                assertThrows(IllegalArgumentException.class, () -> other.updateSize(dev.id(), 1000));
            }
        }
    }

    @Test
    void shouldRefuseASafeStopWhileTheDiskIsOpen() throws Exception {
        try (UblkControl control = UblkControl.open();
             UblkDevice dev = UblkDevice.builder().control(control).target(new NullTarget()).size(16L << 20).build()) {
            dev.runQueues();
            dev.start();
            if (!kernelHas(UblkFeature.SAFE_STOP_DEV)) {
                UblkException e = assertThrows(UblkException.class, dev::tryStop);
                assertEquals(Errno.EOPNOTSUPP, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("UBLK_F_SAFE_STOP_DEV"), e.getMessage());
                assertEquals(UblkCmd.UBLK_S_DEV_LIVE, control.deviceInfo(dev.id()).state(), "not stopped anyway");
                return;
            }
            Process holder = new ProcessBuilder("sh", "-c", "exec sleep 120 < " + dev.blockPath()).start();
            try {
                Commands.awaitOpened(holder, dev.blockPath());
                UblkDeviceBusyException busy = assertThrows(UblkDeviceBusyException.class, dev::tryStop);
                assertEquals(Errno.EBUSY, busy.errno());
                assertTrue(busy.getMessage().contains("in use"), busy.getMessage());
                try (UblkControl other = UblkControl.open()) {
                    assertThrows(UblkDeviceBusyException.class, () -> other.tryStop(dev.id()), "by id, as another process");
                }
                assertEquals(UblkCmd.UBLK_S_DEV_LIVE, control.deviceInfo(dev.id()).state(), "still live");
                Commands.check(30, "dd", "if=" + dev.blockPath(), "of=/dev/null", "bs=4k", "count=1", "iflag=direct",
                        "status=none");
            } finally {
                holder.destroy();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            // udev's probing may still hold the disk for a moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    dev.tryStop();
                    break;
                } catch (UblkDeviceBusyException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
            dev.awaitStopped();
            assertFalse(Files.exists(Path.of(dev.blockPath())), "the disk is gone after the safe stop");
        }
    }

    @Test
    void shouldDeleteAsynchronouslyWhileTheServerStillHoldsTheDevice() throws Exception {
        int id;
        try (UblkDevice dev = UblkDevice.builder().target(new NullTarget()).size(16L << 20).build()) {
            id = dev.id();
            dev.runQueues();
            dev.start();
            try (UblkControl other = UblkControl.open()) {
                // A synchronous delete would wait for this process to close /dev/ublkcN, i.e. forever here.
                CompletableFuture.runAsync(() -> {
                    try {
                        other.deleteAsync(id);
                    } catch (UblkException e) {
                        throw new RuntimeException(e);
                    }
                }).get(10, TimeUnit.SECONDS);
            }
            dev.awaitStopped();
            assertFalse(Files.exists(Path.of(dev.blockPath())), "the disk is gone");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (UblkControl.deviceIds().contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(UblkControl.deviceIds().contains(id), "the id is freed once the server let go");
    }

    @Test
    void shouldBindEachQueueThreadToTheKernelsCpus() throws Exception {
        BitSet allowed = CpuAffinity.currentThreadCpus();
        try (UblkControl control = UblkControl.open();
             UblkDevice dev = UblkDevice.builder().control(control).target(new NullTarget()).size(16L << 20)
                     .queues(Math.max(2, allowed.cardinality())).depth(16).build()) {
            dev.runQueues(QueueAffinity.KERNEL);
            dev.start();
            BitSet union = new BitSet();
            for (UblkQueue q : dev.queues()) {
                BitSet kernel = control.queueAffinity(dev.id(), q.queueId());
                kernel.and(allowed);
                assertEquals(CpuAffinity.format(kernel), threadCpus(q), "thread of " + q);
                union.or(kernel);
                if (allowed.cardinality() > 1) {
                    assertNotEquals(CpuAffinity.format(allowed), threadCpus(q), q + " is bound to fewer CPUs than the process has");
                }
            }
            assertEquals(allowed, union, "every CPU serves some queue");
        }
    }

    @Test
    void shouldBindQueueThreadsToTheApplicationsCpus() throws Exception {
        BitSet allowed = CpuAffinity.currentThreadCpus();
        BitSet last = new BitSet();
        last.set(allowed.length() - 1);
        try (UblkDevice dev = UblkDevice.builder().target(new NullTarget()).size(16L << 20).queues(2).depth(16).build()) {
            dev.runQueues(QueueAffinity.cpus(List.of(last)));
            dev.start();
            for (UblkQueue q : dev.queues()) {
                assertEquals(CpuAffinity.format(last), threadCpus(q), "thread of " + q);
            }
            Commands.check(30, "dd", "if=" + dev.blockPath(), "of=/dev/null", "bs=64k", "count=16", "iflag=direct", "status=none");
        }
        // A CPU this machine does not have: the queue cannot be served, so the device does not start.
        try (UblkDevice dev = UblkDevice.builder().target(new NullTarget()).size(16L << 20).build()) {
            dev.runQueues(QueueAffinity.parse("4000"));
            UblkException e = assertThrows(UblkException.class, dev::start);
            assertNotNull(e.getMessage());
        }
    }

    /** Cpus_allowed_list of the thread serving the queue, found by its name, which jublk sets to the queue's. */
    private static String threadCpus(UblkQueue q) throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (Files.readString(task.resolve("comm")).strip().equals(q.toString())) {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("Cpus_allowed_list:")) {
                            return line.substring(line.indexOf(':') + 1).strip();
                        }
                    }
                }
            }
        }
        return fail("no thread named " + q);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
