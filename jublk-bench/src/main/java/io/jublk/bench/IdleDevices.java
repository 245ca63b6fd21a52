// SPDX-License-Identifier: Apache-2.0
package io.jublk.bench;

import io.jublk.core.DataMode;
import io.jublk.core.QueueGroup;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.UblkQueue;
import io.jublk.core.control.UblkControl;
import io.jublk.targets.MemTarget;
import io.jublk.targets.NullTarget;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an idle device costs in one process: adds devices in steps (0, 16, 64, ... of them), lets
 * them sit idle, and measures the process at each step: RSS, PSS and private memory
 * ({@code /proc/self/smaps_rollup}), Java heap in use after a full GC, native memory committed
 * (NMT, when the JVM runs with {@code -XX:NativeMemoryTracking=summary}), virtual size, mappings,
 * threads and fds. Prints one row per step and the cost per device of the largest step over the
 * empty one; then deletes every device and checks that the process is back where it started.
 * Needs root and ublk_drv; {@code bin/bench-devices} runs it in the test VM.
 */
public final class IdleDevices {
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    private IdleDevices() {
    }

    /** One measurement of the whole process. */
    record Sample(int devices, long rssKiB, long pssKiB, long privateKiB, long heapKiB, long nmtKiB, long vszKiB,
                  long maps, long threads, long fds) {
        static String header() {
            return String.format("%7s %9s %9s %9s %9s %9s %10s %7s %7s %6s",
                    "devices", "rss_KiB", "pss_KiB", "priv_KiB", "heap_KiB", "nmt_KiB", "vsz_KiB", "maps", "threads", "fds");
        }

        String row() {
            return String.format("%7d %9d %9d %9d %9d %9s %10d %7d %7d %6d", devices, rssKiB, pssKiB, privateKiB,
                    heapKiB, nmtKiB < 0 ? "-" : Long.toString(nmtKiB), vszKiB, maps, threads, fds);
        }

        String perDevice(Sample base) {
            double n = devices - base.devices;
            return String.format("per device: rss %.1f KiB, pss %.1f KiB, private %.1f KiB, heap %.1f KiB, nmt %s,"
                            + " vsz %.0f KiB, maps %.2f, threads %.2f, fds %.2f",
                    (rssKiB - base.rssKiB) / n, (pssKiB - base.pssKiB) / n, (privateKiB - base.privateKiB) / n,
                    (heapKiB - base.heapKiB) / n,
                    nmtKiB < 0 ? "-" : String.format("%.1f KiB", (nmtKiB - base.nmtKiB) / n),
                    (vszKiB - base.vszKiB) / n, (maps - base.maps) / n, (threads - base.threads) / n, (fds - base.fds) / n);
        }
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code --steps "0 16 64" --mode copy|user-copy --threads per-queue|one
     *     --target null|mem --depth N --control own|shared --settle-ms MS}
     * @throws Exception when a device cannot be added or served
     */
    public static void main(String[] args) throws Exception {
        List<Integer> steps = List.of(0, 16, 64);
        DataMode mode = DataMode.COPY;
        boolean oneThread = false;
        boolean mem = false;
        boolean sharedControl = false;
        int depth = 128;
        long settleMillis = 2000;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                usage(a + " needs a value");
            }
            i++;
            switch (a) {
                case "--steps" -> steps = parseSteps(v);
                case "--mode" -> mode = switch (v) {
                    case "copy" -> DataMode.COPY;
                    case "user-copy" -> DataMode.USER_COPY;
                    default -> throw usage("--mode is copy or user-copy, not " + v);
                };
                case "--threads" -> oneThread = switch (v) {
                    case "per-queue" -> false;
                    case "one" -> true;
                    default -> throw usage("--threads is per-queue or one, not " + v);
                };
                case "--target" -> mem = switch (v) {
                    case "null" -> false;
                    case "mem" -> true;
                    default -> throw usage("--target is null or mem, not " + v);
                };
                case "--control" -> sharedControl = switch (v) {
                    case "own" -> false;
                    case "shared" -> true;
                    default -> throw usage("--control is own or shared, not " + v);
                };
                case "--depth" -> depth = positive(a, v);
                case "--settle-ms" -> settleMillis = positive(a, v);
                default -> throw usage("unknown argument " + a);
            }
        }
        System.out.printf("config: mode=%s threads=%s target=%s depth=%d control=%s%n", mode.cliName(),
                oneThread ? "one" : "per-queue", mem ? "mem" : "null", depth, sharedControl ? "shared" : "own");

        List<UblkDevice> devices = new ArrayList<>();
        List<AutoCloseable> targets = new ArrayList<>();
        UblkControl control = sharedControl ? UblkControl.open() : null;
        QueueGroup group = oneThread ? QueueGroup.create() : null;
        Thread groupThread = oneThread ? Thread.ofPlatform().name("ublk-group").start(group) : null;
        settle(settleMillis);
        Sample first = sample(0);
        System.out.println(Sample.header());
        System.out.println(first.row());
        List<Sample> samples = new ArrayList<>();
        for (int step : steps) {
            while (devices.size() < step) {
                long size = 16L << 20;
                MemTarget memTarget = mem ? new MemTarget(size) : null;
                if (memTarget != null) {
                    targets.add(memTarget);
                }
                UblkDeviceBuilder b = UblkDevice.builder().target(mem ? memTarget : new NullTarget()).size(size)
                        .queues(1).depth(depth).dataMode(mode);
                if (control != null) {
                    b.control(control);
                }
                UblkDevice dev = b.build();
                devices.add(dev);
                if (group != null) {
                    for (UblkQueue q : dev.queues()) {
                        group.add(q);
                    }
                } else {
                    dev.runQueues();
                }
                dev.start();
            }
            if (step == 0) {
                samples.add(first);
                continue;
            }
            settle(settleMillis);
            Sample s = sample(step);
            System.out.println(s.row());
            samples.add(s);
        }
        if (samples.size() >= 2) {
            // The marginal cost between the two largest steps: the first devices also pay for the
            // library's first use (class loading, JIT, heap growth), which a from-zero figure would spread.
            Sample last = samples.getLast();
            Sample prev = samples.get(samples.size() - 2);
            System.out.println("from " + samples.getFirst().devices + " to " + last.devices + " devices, "
                    + last.perDevice(samples.getFirst()));
            System.out.println("from " + prev.devices + " to " + last.devices + " devices, " + last.perDevice(prev));
            System.out.printf("RESULT mode=%s threading=%s devices=%d-%d rss_kib=%.1f pss_kib=%.1f private_kib=%.1f"
                            + " heap_kib=%.1f nmt_kib=%s threads=%.2f maps=%.2f fds=%.2f vsz_kib=%.0f%n",
                    mode.cliName(), oneThread ? "one" : "per-queue", prev.devices, last.devices,
                    per(last.rssKiB, prev.rssKiB, last, prev), per(last.pssKiB, prev.pssKiB, last, prev),
                    per(last.privateKiB, prev.privateKiB, last, prev), per(last.heapKiB, prev.heapKiB, last, prev),
                    last.nmtKiB < 0 ? "-" : String.format("%.1f", per(last.nmtKiB, prev.nmtKiB, last, prev)),
                    per(last.threads, prev.threads, last, prev), per(last.maps, prev.maps, last, prev),
                    per(last.fds, prev.fds, last, prev), per(last.vszKiB, prev.vszKiB, last, prev));
        }

        for (UblkDevice dev : devices) {
            dev.close();
        }
        for (AutoCloseable t : targets) {
            t.close();
        }
        if (group != null) {
            group.stop();
            groupThread.join();
        }
        if (control != null) {
            control.close();
        }
        settle(settleMillis);
        Sample after = sample(0);
        System.out.println("after deleting all:");
        System.out.println(after.row());
        System.out.printf("left behind: threads %d, fds %d, maps %d, devices %d%n", after.threads - first.threads,
                after.fds - first.fds, after.maps - first.maps, UblkControl.deviceIds().size());
    }

    private static double per(long now, long then, Sample last, Sample base) {
        return (double) (now - then) / (last.devices - base.devices);
    }

    private static List<Integer> parseSteps(String v) {
        List<Integer> steps = new ArrayList<>();
        for (String s : v.trim().split("[ ,]+")) {
            try {
                int n = Integer.parseInt(s);
                if (n < 0 || (!steps.isEmpty() && n <= steps.getLast())) {
                    throw usage("--steps wants rising counts from 0, e.g. \"0 16 64\": " + v);
                }
                steps.add(n);
            } catch (NumberFormatException e) {
                throw usage("--steps wants numbers, e.g. \"0 16 64\": " + v);
            }
        }
        return steps;
    }

    private static int positive(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw usage(name + " wants a positive number, not " + v);
    }

    private static IllegalArgumentException usage(String what) {
        System.err.println("IdleDevices: " + what);
        System.exit(2);
        return new IllegalArgumentException(what);
    }

    private static void settle(long millis) throws InterruptedException {
        Thread.sleep(millis);
        System.gc();
        System.gc();
    }

    private static Sample sample(int devices) throws Exception {
        long rss = 0;
        long pss = 0;
        long priv = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                rss = kib(line);
            } else if (line.startsWith("Pss:")) {
                pss = kib(line);
            } else if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                priv += kib(line);
            }
        }
        long vsz = 0;
        long threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) {
                vsz = kib(line);
            } else if (line.startsWith("Threads:")) {
                threads = kib(line);
            }
        }
        long maps;
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            maps = lines.count();
        }
        long fds;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 10;
        return new Sample(devices, rss, pss, priv, heap, nmtCommittedKiB(), vsz, maps, threads, fds);
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Total native memory committed, from NMT; -1 when the JVM runs without it. */
    private static long nmtCommittedKiB() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(out));
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
