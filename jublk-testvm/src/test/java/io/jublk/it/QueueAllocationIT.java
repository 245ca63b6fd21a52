// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.UblkDevice;
import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.NullTarget;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The per-IO path allocates nothing in steady state: measured on the queue threads under fio, with
 * the per-request commands and with batch io.
 */
@Timeout(900)
class QueueAllocationIT {
    private static final int IOS = 100_000;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldAllocateLessThanOneBytePerIo(boolean batchIo) throws Exception {
        if (batchIo) {
            try (UblkControl ctl = UblkControl.open()) {
                assumeTrue(UblkFeature.BATCH_IO.isSet(ctl.features()), "batch io needs Linux 7.0+");
            }
        }
        try (UblkDevice dev = UblkDevice.builder().target(new NullTarget()).size(1L << 30).queues(1).depth(64)
                .batchIo(batchIo).build()) {
            assertEquals(batchIo, dev.info().has(UblkFeature.BATCH_IO), "batch io " + batchIo);
            dev.runQueues();
            dev.start();
            long[] queueThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ublk-d" + dev.id() + "-q"))
                    .mapToLong(Thread::threadId).toArray();
            assertTrue(queueThreads.length == 1, "one queue thread");
            double perIo = measure(dev, queueThreads[0], "no recording");
            assertTrue(perIo < 1.0, "steady-state allocation per IO " + perIo + " bytes");
            assertTrue(dev.stats().total().read().requests() > IOS, "the counters saw the reads: " + dev.stats());

            // A recording with every jublk event on must not cost the queue an allocation either.
            Path file = Files.createTempFile(Path.of("/tmp"), "jublk-alloc", ".jfr");
            try (Recording recording = new Recording()) {
                for (String event : new String[] {"DeviceAdded", "DeviceStarted", "DeviceStopped", "DeviceDeleted",
                        "TargetFailure"}) {
                    recording.enable("io.jublk." + event);
                }
                recording.enable("io.jublk.QueueStatistics").withPeriod(Duration.ofMillis(100));
                recording.start();
                perIo = measure(dev, queueThreads[0], "recording");
                recording.stop();
                recording.dump(file);
                assertTrue(perIo < 1.0, "steady-state allocation per IO while recording " + perIo + " bytes");
                assertTrue(RecordingFile.readAllEvents(file).stream()
                        .anyMatch(e -> e.getEventType().getName().equals("io.jublk.QueueStatistics")
                                && e.getLong("reads") > IOS), "the recording holds the queue's statistics");
            } finally {
                Files.deleteIfExists(file);
            }
            System.out.println(dev.stats());
        }
    }

    private static double measure(UblkDevice dev, long queueThread, String what) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double perIo = Double.MAX_VALUE;
        // The JIT must compile the path first (the JDK's errno capture allocates until it does).
        for (int round = 0; round < 8 && perIo >= 1.0; round++) {
            long before = threads.getThreadAllocatedBytes(queueThread);
            long ios = runFio(dev.blockPath());
            long bytes = threads.getThreadAllocatedBytes(queueThread) - before;
            perIo = (double) bytes / ios;
            System.out.printf("%s, round %d: %d bytes over %d IOs = %.4f bytes/IO%n", what, round, bytes, ios, perIo);
        }
        return perIo;
    }

    private static long runFio(String device) throws Exception {
        String out = Commands.check(600, "fio", "--name=alloc", "--filename=" + device, "--ioengine=io_uring",
                "--direct=1", "--rw=randread", "--bs=4k", "--iodepth=32", "--number_ios=" + IOS,
                "--size=1g", "--time_based=0", "--norandommap", "--output-format=terse", "--terse-version=3");
        // terse v3: field 6 is the KiB read; at 4 KiB per IO that gives the IO count.
        String[] f = out.strip().split("\n")[out.strip().split("\n").length - 1].split(";");
        long kib = Long.parseLong(f[5]);
        return kib / 4;
    }
}
