// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.control.UblkControl;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkQueue;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.FaultTarget;
import io.jublk.targets.FileTarget;
import io.jublk.targets.MemTarget;
import io.jublk.targets.NullTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jublk.it.CliRun.jublk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** FaultTarget on the real driver: injected errors reach fio, throws fail only their request, delays slow it down. */
@Timeout(900)
class FaultTargetIT {
    private static final long SIZE = 64L << 20;
    private static final Pattern TOTAL_ERR = Pattern.compile("\"total_err\"\\s*:\\s*(\\d+)");
    private static final Pattern READ_LAT_MEAN = Pattern.compile(
            "\"read\"\\s*:\\s*\\{.*?\"lat_ns\"\\s*:\\s*\\{[^}]*?\"mean\"\\s*:\\s*([0-9.]+)", Pattern.DOTALL);
    private static final Pattern READ_CLAT_MEDIAN = Pattern.compile(
            "\"read\"\\s*:\\s*\\{.*?\"clat_ns\"\\s*:\\s*\\{.*?\"50\\.000000\"\\s*:\\s*(\\d+)", Pattern.DOTALL);

    @Test
    void shouldFailAboutTheGivenShareOfRequestsWithEioAndServeOnOnceTheRateIsZero() throws Exception {
        try (LogCapture reports = LogCapture.start("io.jublk", Level.WARNING);
             FaultTarget fault = FaultTarget.wrap(new MemTarget(SIZE)).seed(1).build();
             UblkDevice dev = device(fault, DataMode.COPY)) {
            long before = fault.requests();
            fault.errorRate(0.01);
            String json = fioWithErrors(dev.blockPath());
            fault.errorRate(0);
            long requests = fault.requests() - before;
            long injected = fault.injectedErrors();
            long seen = sum(TOTAL_ERR, json);
            System.out.println("error rate 0.01: " + requests + " requests, " + injected + " failed with EIO, fio counted "
                    + seen + " errors");
            assertTrue(injected > requests / 200 && injected < requests / 50, "about 1% of " + requests + ": " + injected);
            // One failed request fails each fio IO merged into it; the kernel never retries a ublk request.
            assertTrue(seen >= injected / 2 && seen <= 2 * injected, "fio saw them: " + seen + " of " + injected);
            assertEquals(0, targetFailures(dev), "an errno is a result, not a target failure");
            System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
            assertEquals(injected, fault.injectedErrors(), "nothing failed at rate 0");
            assertEquals(0, reports.count(), "nothing logged: " + reports);
        }
    }

    @Test
    void shouldFailOnlyTheRequestsWhoseCallThrowsAndKeepServing() throws Exception {
        try (LogCapture reports = LogCapture.start("io.jublk", Level.WARNING);
             FaultTarget fault = FaultTarget.wrap(new MemTarget(SIZE)).seed(2).build();
             UblkDevice dev = device(fault, DataMode.COPY)) {
            fault.throwRate(0.02);
            String json = fioWithErrors(dev.blockPath());
            fault.throwRate(0);
            long thrown = fault.injectedThrows();
            long seen = sum(TOTAL_ERR, json);
            System.out.println("throw rate 0.02: " + thrown + " calls threw, queues counted " + targetFailures(dev)
                    + " target failures, fio counted " + seen + " errors, " + reports.count() + " warnings logged");
            assertTrue(thrown > 0, "some calls threw");
            assertEquals(thrown, targetFailures(dev), "each throw is one target failure");
            assertTrue(reports.count() >= thrown, "each logged: " + reports.count());
            assertTrue(seen >= thrown / 2 && seen <= 2 * thrown, "fio saw EIO: " + seen + " of " + thrown);
            System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
            assertEquals(thrown, targetFailures(dev), "no failure once the rate is zero");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataMode.class, names = {"COPY", "ZERO_COPY", "AUTO_ZERO_COPY"})
    void shouldDelayRequestsOnTheQueuesRingEvenForARingBasedTarget(DataMode mode) throws Exception {
        assumeKernelHas(mode);
        Path backing = Files.createTempFile(Path.of("/tmp"), "jublk-fault", ".img");
        try {
            try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
                f.setLength(SIZE);
            }
            Duration delay = Duration.ofMillis(20);
            try (FaultTarget fault = FaultTarget.wrap(FileTarget.open(backing)).seed(3).build();
                 UblkDevice dev = device(fault, mode)) {
                assertEquals(mode, dev.dataMode());
                double[] plain = readLatencyNanos(dev.blockPath());
                fault.delay(delay);
                fault.delayRate(1);
                long delayedBefore = fault.injectedDelays();
                double[] delayed = readLatencyNanos(dev.blockPath());
                System.out.printf("%s: fio 4k randread QD1 latency mean %.0f us, median %.0f us without delay; mean %.0f us,"
                        + " median %.0f us with %d ms (%d requests delayed); a %d ms sleep in this guest takes %.0f us%n", mode,
                        plain[0] / 1000, plain[1] / 1000, delayed[0] / 1000, delayed[1] / 1000, delay.toMillis(),
                        fault.injectedDelays() - delayedBefore, delay.toMillis(), sleepNanos(delay) / 1000);
                double added = delayed[0] - plain[0];
                // Never less than the delay. The slack above it is the guest's wake-up cost, which TCG on a busy
                // host stretches; a missed wake-up would cost up to the queue's 250 ms poll instead.
                assertTrue(added > 0.9 * delay.toNanos() && added < delay.toNanos() + 100_000_000L,
                        "the mean rose by about the delay: " + plain[0] + " -> " + delayed[0] + " ns");
                // Half the requests, reads and writes, wait 2 ms: data still checks out.
                fault.delay(Duration.ofMillis(2));
                fault.delayRate(0.5);
                System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
                assertEquals(0, targetFailures(dev));
                assertTrue(fault.injectedDelays() > delayedBefore + 100, "verify ran delayed: " + fault.injectedDelays());
            }
        } finally {
            Files.deleteIfExists(backing);
        }
    }

    @Test
    void shouldInjectErrorsOnACommandLineDeviceAndDeleteIt() throws Exception {
        CliRun add = jublk("add", "-t", "mem", "-s", "64M", "-d", "32", "--fault-error-rate", "0.05", "--fault-seed", "4");
        assertEquals(0, add.status(), add.err());
        Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(add.out());
        assertTrue(m.find(), add.out());
        int id = Integer.parseInt(m.group(1));
        String bdev = m.group(2);
        try {
            assertTrue(add.out().contains("faults: errors 0.05"), "the device line names the faults: " + add.out());
            long seen = sum(TOTAL_ERR, fioWithErrors(bdev));
            System.out.println("jublk add --fault-error-rate 0.05: fio counted " + seen + " errors");
            assertTrue(seen > 0, "fio saw errors");
            Commands.Result dd = Commands.run(120, "dd", "if=" + bdev, "of=/dev/null", "bs=4k", "count=4096", "iflag=direct");
            System.out.println("dd: exit " + dd.exitCode() + "\n" + dd.output());
            assertTrue(dd.exitCode() != 0 && dd.output().contains("Input/output error"), "dd fails with EIO: " + dd.output());
        } finally {
            CliRun del = jublk("del", "-n", String.valueOf(id));
            assertEquals(0, del.status(), del.err());
        }
        assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
        assertFalse(Files.exists(Path.of(bdev)));
        assertEquals("", Commands.run(10, "pgrep", "-f", "io.jublk.cli.Main add").output().strip(), "no server left");
    }

    @Test
    void shouldAllocateNothingPerIoWhileFailingAndDelaying() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (FaultTarget fault = FaultTarget.wrap(new NullTarget()).errorRate(0.01).delay(Duration.ofNanos(100_000))
                .delayRate(0.1).seed(5).build();
             UblkDevice dev = UblkDevice.builder().target(fault).size(1L << 30).queues(1).depth(64).build()) {
            dev.runQueues();
            dev.start();
            long queueThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ublk-d" + dev.id() + "-q")).mapToLong(Thread::threadId).findFirst()
                    .orElseThrow();
            double perIo = Double.MAX_VALUE;
            // The JIT must compile the path first.
            for (int round = 0; round < 8 && perIo >= 1.0; round++) {
                long before = threads.getThreadAllocatedBytes(queueThread);
                long requests = fault.requests();
                Commands.run(600, "fio", "--name=alloc", "--filename=" + dev.blockPath(), "--ioengine=io_uring", "--direct=1",
                        "--rw=randread", "--bs=4k", "--iodepth=32", "--number_ios=50000", "--size=1g", "--norandommap",
                        "--continue_on_error=all", "--output-format=terse");
                long ios = fault.requests() - requests;
                perIo = (double) (threads.getThreadAllocatedBytes(queueThread) - before) / ios;
                System.out.printf("round %d: %.4f bytes/IO over %d requests (%d failed, %d delayed so far)%n", round, perIo, ios,
                        fault.injectedErrors(), fault.injectedDelays());
            }
            assertTrue(perIo < 1.0, "steady-state allocation per IO " + perIo + " bytes");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static UblkDevice device(FaultTarget fault, DataMode mode) throws Exception {
        UblkDevice dev = UblkDevice.builder().target(fault).size(SIZE).queues(2).depth(64).dataMode(mode).build();
        dev.runQueues();
        dev.start();
        return dev;
    }

    /** 4k random reads and writes over the device that go on past errors; returns fio's JSON report. */
    private static String fioWithErrors(String bdev) throws Exception {
        Path out = Files.createTempFile(Path.of("/tmp"), "jublk-fio", ".json");
        try {
            Commands.Result r = Commands.run(600, "fio", "--name=faults", "--filename=" + bdev, "--ioengine=io_uring",
                    "--direct=1", "--rw=randrw", "--bs=4k", "--iodepth=16", "--size=" + (32L << 20),
                    "--continue_on_error=all", "--randrepeat=0", "--output-format=json", "--output=" + out);
            String json = Files.readString(out);
            assertTrue(json.contains("\"total_err\""), "fio exit " + r.exitCode() + ", its report:\n" + json + "\n" + tail(r.output()));
            return json;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** fio's mean total latency and median completion latency of 4k random reads, one at a time, for three seconds. */
    private static double[] readLatencyNanos(String bdev) throws Exception {
        Path out = Files.createTempFile(Path.of("/tmp"), "jublk-fio", ".json");
        try {
            Commands.check(120, "fio", "--name=latency", "--filename=" + bdev, "--ioengine=io_uring", "--direct=1",
                    "--rw=randread", "--bs=4k", "--iodepth=1", "--size=" + (32L << 20), "--time_based", "--runtime=3",
                    "--output-format=json", "--output=" + out);
            String json = Files.readString(out);
            Matcher mean = READ_LAT_MEAN.matcher(json);
            Matcher median = READ_CLAT_MEDIAN.matcher(json);
            assertTrue(mean.find() && median.find(), "fio's report has read latencies:\n" + json);
            return new double[] {Double.parseDouble(mean.group(1)), Double.parseDouble(median.group(1))};
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The mean time a sleep of {@code d} really takes here: timer and scheduling overshoot for comparison. */
    private static double sleepNanos(Duration d) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(d);
        }
        return (System.nanoTime() - start) / 20.0;
    }

    private static long sum(Pattern p, String text) {
        long total = 0;
        Matcher m = p.matcher(text);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    private static long targetFailures(UblkDevice dev) {
        long n = 0;
        for (UblkQueue q : dev.queues()) {
            n += q.targetFailures();
        }
        return n;
    }

    private static String tail(String s) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    private static void assumeKernelHas(DataMode mode) throws Exception {
        UblkFeature need = switch (mode) {
            case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY;
            case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG;
            default -> null;
        };
        if (need == null) {
            return;
        }
        try (UblkControl ctl = UblkControl.open()) {
            assumeTrue(need.isSet(ctl.features()), "this kernel's ublk driver lacks UBLK_F_" + need.name() + " (Linux "
                    + need.since() + "+), which " + mode.cliName() + " needs");
        }
    }


}
