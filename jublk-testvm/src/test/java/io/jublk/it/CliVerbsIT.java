// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.CpuAffinity;
import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jublk.it.CliRun.jublk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The verbs of a running device through the jublk command, on the real driver: update-size,
 * stop/del --safe, del --async, and add --cpus, each with a background server as 'jublk add' starts it.
 */
@Timeout(600)
class CliVerbsIT {

    private static boolean kernelHas(UblkFeature feature) throws Exception {
        try (UblkControl control = UblkControl.open()) {
            return feature.isSet(control.features());
        }
    }

    /** Adds a device with a background server; returns its id. */
    private static int add(String... options) {
        String[] args = new String[options.length + 1];
        args[0] = "add";
        System.arraycopy(options, 0, args, 1, options.length);
        CliRun add = jublk(args);
        assertEquals(0, add.status(), add.err());
        Matcher m = Pattern.compile("dev (\\d+): /dev/ublkb\\d+").matcher(add.out());
        assertTrue(m.find(), add.out());
        return Integer.parseInt(m.group(1));
    }

    private static int serverPid(int id) {
        CliRun list = jublk("list", "-n", String.valueOf(id));
        assertEquals(0, list.status(), list.err());
        Matcher m = Pattern.compile("daemon pid (\\d+)").matcher(list.out());
        assertTrue(m.find(), list.out());
        return Integer.parseInt(m.group(1));
    }

    private static void delete(int id) {
        if (UblkControl.deviceIds().contains(id)) {
            CliRun del = jublk("del", "-n", String.valueOf(id));
            assertEquals(0, del.status(), del.err());
        }
    }

    private static void awaitGone(int id, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (UblkControl.deviceIds().contains(id) || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                fail("dev " + id + " or its server (pid " + pid + ") is still there");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void shouldGrowALiveDevice() throws Exception {
        assumeTrue(kernelHas(UblkFeature.UPDATE_SIZE), "UPDATE_SIZE needs Linux 6.16");
        int id = add("-t", "null", "-s", "64M", "-b", "4096");
        String bdev = "/dev/ublkb" + id;
        try {
            CliRun grow = jublk("update-size", "-n", String.valueOf(id), "-s", "256M");
            assertEquals(0, grow.status(), grow.err());
            assertEquals("dev " + id + ": " + bdev + " resized from 64 MiB to 256 MiB\n", grow.out());
            assertEquals(String.valueOf((256L << 20) >> 9),
                    Files.readString(Path.of("/sys/block/ublkb" + id + "/size")).strip());
            assertEquals(String.valueOf(256L << 20), Commands.check(10, "blockdev", "--getsize64", bdev).strip());
            // The device serves past its old end.
            Commands.check(30, "dd", "if=" + bdev, "of=/dev/null", "bs=1M", "skip=200", "count=8", "iflag=direct",
                    "status=none");

            CliRun unaligned = jublk("update-size", "-n", String.valueOf(id), "-s", "1026K");
            assertEquals(1, unaligned.status(), unaligned.out());
            assertTrue(unaligned.err().contains("is not a multiple of dev " + id + "'s logical block size, 4096 bytes;"
                    + " nothing changed"), unaligned.err());
            assertEquals(String.valueOf(256L << 20), Commands.check(10, "blockdev", "--getsize64", bdev).strip());
        } finally {
            delete(id);
        }
        CliRun gone = jublk("update-size", "-n", String.valueOf(id), "-s", "1G");
        assertEquals(1, gone.status(), gone.out());
        assertEquals("jublk: update-size: there is no ublk device " + id + " (see 'jublk list')\n", gone.err());
    }

    @Test
    void shouldStopSafelyOnlyWhenNobodyHasTheDeviceOpen() throws Exception {
        assumeTrue(kernelHas(UblkFeature.SAFE_STOP_DEV), "TRY_STOP_DEV needs Linux 7.0");
        Path image = Files.createTempFile(Path.of("/tmp"), "jublk-safe", ".img");
        try {
            Commands.check(30, "truncate", "-s", "32M", image.toString());
            int id = add("-t", "file", "--path", image.toString(), "--recovery");
            String bdev = "/dev/ublkb" + id;
            int pid = serverPid(id);
            Path state = Path.of("/run/jublk/ublkb" + id + ".state");
            assertTrue(Files.exists(state), state + " kept for recover");
            Process holder = new ProcessBuilder("sh", "-c", "exec sleep 60 < " + bdev).start();
            try {
                Commands.awaitOpened(holder, bdev);
                CliRun busy = jublk("del", "-n", String.valueOf(id), "--safe");
                assertEquals(1, busy.status(), busy.out());
                assertEquals("jublk: del: dev " + id + " is in use: " + bdev + " is open (mounted, or held by a process);"
                        + " nothing changed\n", busy.err());
                CliRun stopBusy = jublk("stop", "-n", String.valueOf(id), "--safe");
                assertEquals(1, stopBusy.status(), stopBusy.out());
                assertEquals("jublk: stop: dev " + id + " is in use: " + bdev + " is open (mounted, or held by a process);"
                        + " nothing changed\n", stopBusy.err());
                assertTrue(UblkControl.deviceIds().contains(id), "dev " + id + " is still there");
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "its server still serves it");
                assertTrue(Files.exists(state), "its state is kept");
                Commands.check(30, "dd", "if=" + bdev, "of=/dev/null", "bs=64k", "count=16", "iflag=direct", "status=none");
            } finally {
                holder.destroy();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            CliRun stop = jublk("stop", "-n", String.valueOf(id), "--safe");
            assertEquals(0, stop.status(), stop.err());
            assertEquals("dev " + id + ": stopped; its server, pid " + pid + ", deleted it and exited\n", stop.out());
            assertFalse(UblkControl.deviceIds().contains(id), "dev " + id + " deleted");
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "its server exited");
            assertFalse(Files.exists(state), "its state is removed");

            int other = add("-t", "null", "-s", "16M");
            int otherPid = serverPid(other);
            CliRun del = jublk("del", "-n", String.valueOf(other), "--safe");
            assertEquals(0, del.status(), del.err());
            assertTrue(del.out().startsWith("dev " + other + ": deleted"), del.out());
            assertFalse(UblkControl.deviceIds().contains(other), "dev " + other + " deleted");
            assertFalse(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false), "its server exited");
        } finally {
            Files.deleteIfExists(image);
        }
    }

    @Test
    void shouldDeleteAsynchronously() throws Exception {
        int first = add("-t", "null", "-s", "16M");
        int second = add("-t", "null", "-s", "16M");
        int firstPid = serverPid(first);
        int secondPid = serverPid(second);
        try {
            CliRun one = jublk("del", "-n", String.valueOf(first), "--async");
            assertEquals(0, one.status(), one.err());
            assertTrue(one.out().startsWith("dev " + first + ": deleted"), one.out());
            awaitGone(first, firstPid);
            assertTrue(UblkControl.deviceIds().contains(second), "only dev " + first + " is deleted");

            CliRun all = jublk("del", "-a", "--async");
            assertEquals(0, all.status(), all.err());
            assertTrue(all.out().contains("dev " + second + ": deleted"), all.out());
            awaitGone(second, secondPid);
        } finally {
            delete(first);
            delete(second);
        }
    }

    @Test
    void shouldPinTheServersQueueThreads() throws Exception {
        BitSet cpus = CpuAffinity.currentThreadCpus();
        int lastCpu = cpus.length() - 1;
        String spec = "0:" + lastCpu;
        int id = add("-t", "null", "-s", "16M", "-q", "2", "--cpus", spec);
        try {
            Map<String, String> threads = queueThreadCpus(serverPid(id), id);
            assertEquals("0", threads.get("ublk-d" + id + "-q0"), threads.toString());
            assertEquals(String.valueOf(lastCpu), threads.get("ublk-d" + id + "-q1"), threads.toString());
            Commands.check(30, "dd", "if=/dev/ublkb" + id, "of=/dev/null", "bs=64k", "count=16", "iflag=direct", "status=none");
        } finally {
            delete(id);
        }
        int kernel = add("-t", "null", "-s", "16M", "-q", "2", "--cpus", "kernel");
        try {
            Map<String, String> threads = queueThreadCpus(serverPid(kernel), kernel);
            assertEquals(2, threads.size(), threads.toString());
        } finally {
            delete(kernel);
        }
    }

    /** Cpus_allowed_list of each of the server's queue threads, by thread name. */
    private static Map<String, String> queueThreadCpus(int pid, int id) throws IOException {
        Map<String, String> cpus = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String name = Files.readString(task.resolve("comm")).strip();
                if (!name.startsWith("ublk-d" + id + "-q")) {
                    continue;
                }
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("Cpus_allowed_list:")) {
                        cpus.put(name, line.substring(line.indexOf(':') + 1).strip());
                    }
                }
            }
        }
        return cpus;
    }
}
