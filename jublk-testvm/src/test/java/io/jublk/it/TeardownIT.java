// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.control.UblkControl;
import io.jublk.core.UblkDevice;
import io.jublk.targets.MemTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices stopped and deleted while fio drives them at full depth, again and again; servers ended
 * by SIGTERM and SIGINT under load. Nothing may hang, crash or be left behind; the IO fails with
 * errors, cleanly.
 */
@Timeout(1200)
class TeardownIT {
    private static final int ROUNDS = 50;

    private static Process fio(String bdev) throws Exception {
        return new ProcessBuilder("fio", "--name=load", "--filename=" + bdev, "--ioengine=io_uring", "--direct=1",
                "--rw=randrw", "--bsrange=4k-64k", "--iodepth=32", "--numjobs=2", "--time_based", "--runtime=120",
                "--output-format=terse").redirectErrorStream(true).start();
    }

    /** Waits until the block device has seen IO, so the teardown lands mid-load. */
    private static void awaitIo(String bdev, Process fio) throws Exception {
        Path stat = Path.of("/sys/block/" + Path.of(bdev).getFileName() + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && fio.isAlive()) {
            String[] f = Files.readString(stat).trim().split("\\s+");
            if (Long.parseLong(f[0]) + Long.parseLong(f[4]) > 64) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fio issued no IO to " + bdev);
    }

    private static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long ublkThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ublk-")).count();
    }

    @Test
    void shouldStopAndDeleteUnderFullLoadFiftyTimesInARow() throws Exception {
        long fdsBefore = openFds();
        long slowest = 0;
        int fioErrors = 0;
        try (UblkControl ctl = UblkControl.open()) {
            for (int round = 0; round < ROUNDS; round++) {
                Process load;
                int id;
                String bdev;
                long start;
                try (MemTarget mem = new MemTarget(32L << 20)) {
                    UblkDevice dev = UblkDevice.builder().control(ctl).target(mem).size(32L << 20).queues(2).depth(64).build();
                    id = dev.id();
                    bdev = dev.blockPath();
                    dev.runQueues();
                    dev.start();
                    load = fio(bdev);
                    awaitIo(bdev, load);
                    start = System.nanoTime();
                    if (round % 2 == 0) {
                        dev.close(); // the application deletes its own device
                    } else {
                        ctl.stopDevice(id, false); // someone else stops it, as 'jublk del' does
                        dev.awaitStopped();
                        dev.close();
                    }
                }
                slowest = Math.max(slowest, System.nanoTime() - start);
                assertTrue(load.waitFor(60, TimeUnit.SECONDS), "round " + round + ": fio ends once the device is gone");
                String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertNotEquals(0, load.exitValue(), "round " + round + ": fio sees its IO fail:\n" + out);
                fioErrors++;
                assertFalse(UblkControl.deviceIds().contains(id), "round " + round + ": device " + id + " deleted");
                assertFalse(Files.exists(Path.of(bdev)), "round " + round + ": " + bdev + " gone");
            }
        }
        assertEquals(0, ublkThreads(), "no queue thread left");
        assertEquals(fdsBefore, openFds(), "no fd left");
        System.out.printf("%d stop/delete rounds under fio load: slowest teardown %.1f ms, fio failed cleanly %d times%n",
                ROUNDS, slowest / 1e6, fioErrors);
    }

    /** A foreground {@code jublk add} server in its own process, as a user runs it. */
    private static Process foregroundServer() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.jublk.cli.Main",
                "add", "-t", "mem", "-s", "64M", "-q", "2", "-d", "64", "--foreground"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static int awaitLive(Process server, StringBuilder log) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern live = Pattern.compile("dev (\\d+): /dev/ublkb\\d+");
        String line;
        int id = -1;
        while ((line = r.readLine()) != null) {
            log.append(line).append('\n');
            Matcher m = live.matcher(line);
            if (m.find()) {
                id = Integer.parseInt(m.group(1));
            }
            if (line.startsWith("serving in process")) {
                Thread.ofPlatform().daemon().start(() -> r.lines().forEach(l -> {
                    synchronized (log) {
                        log.append(l).append('\n');
                    }
                }));
                return id;
            }
        }
        throw new AssertionError("the server ended before serving:\n" + log);
    }

    @Test
    void shouldStopAndDeleteOnSigtermAndSigintUnderLoad() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            StringBuilder log = new StringBuilder();
            Process server = foregroundServer();
            int id = awaitLive(server, log);
            String bdev = "/dev/ublkb" + id;
            Process load = fio(bdev);
            awaitIo(bdev, load);
            Commands.check(10, "kill", "-" + signal, String.valueOf(server.pid()));
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "SIG" + signal + " ends the server:\n" + log);
            assertEquals(signal.equals("TERM") ? 143 : 130, server.exitValue(), log.toString());
            assertTrue(load.waitFor(60, TimeUnit.SECONDS), "fio ends");
            assertFalse(UblkControl.deviceIds().contains(id), "SIG" + signal + ": the server deleted dev " + id + ":\n" + log);
            synchronized (log) {
                assertTrue(log.toString().contains("SIG" + signal + ": stopping and deleting dev " + id), log.toString());
            }
        }
    }
}
