// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs the guest's tools (fio, mkfs, mount, fsck) and checks how they ended. */
final class Commands {
    private Commands() {
    }

    /** The outcome of a command. */
    record Result(int exitCode, String output) {
    }

    static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("<output lost: " + e + ">").getBytes(StandardCharsets.UTF_8);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            fail("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed; returns its output. */
    static String check(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited with " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** fio with verification: writes random blocks of mixed sizes, reads them back and checks crc32c. */
    static String fioVerify(String device, long sizeBytes, int iodepth, int jobs) throws IOException, InterruptedException {
        List<String> args = List.of("fio", "--name=verify", "--filename=" + device, "--ioengine=io_uring",
                "--direct=1", "--rw=randwrite", "--bsrange=4k-128k", "--iodepth=" + iodepth,
                "--numjobs=" + jobs, "--size=" + (sizeBytes / jobs), "--offset_increment=" + (sizeBytes / jobs),
                "--verify=crc32c", "--verify_fatal=1", "--do_verify=1", "--group_reporting",
                "--randrepeat=0", "--output-format=normal");
        String out = check(600, args.toArray(String[]::new));
        if (out.contains("verify:") && out.contains("bad")) {
            fail("fio reported verify errors:\n" + out);
        }
        return out;
    }

    /**
     * One fio run with a verifying job per device, all at once: each writes {@code sizeBytes} of
     * random blocks of mixed sizes, reads them back and checks crc32c.
     */
    static String fioVerifyEach(List<String> devices, long sizeBytes, int iodepth) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("fio", "--ioengine=io_uring", "--direct=1",
                "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=" + iodepth, "--size=" + sizeBytes,
                "--verify=crc32c", "--verify_fatal=1", "--do_verify=1", "--randrepeat=0", "--output-format=terse",
                "--terse-version=3"));
        for (int i = 0; i < devices.size(); i++) {
            args.add("--name=d" + i);
            args.add("--filename=" + devices.get(i));
        }
        return check(600, args.toArray(String[]::new));
    }

    /**
     * mkfs.ext4 on the device, mount, write eight 3 MiB files, drop the caches, read them back and
     * compare, unmount, then fsck.ext4 -f, which must find it clean. Returns fsck's report.
     */
    static String ext4RoundTrip(String bdev) throws IOException, InterruptedException {
        check(120, "mkfs.ext4", "-q", "-F", bdev);
        java.nio.file.Path mnt = java.nio.file.Files.createTempDirectory("jublk-ext4");
        check(60, "mount", bdev, mnt.toString());
        try {
            byte[] data = new byte[3 << 20];
            new java.util.Random(7).nextBytes(data);
            for (int i = 0; i < 8; i++) {
                java.nio.file.Files.write(mnt.resolve("file" + i), data);
            }
            check(60, "sync");
            check(60, "sh", "-c", "echo 3 > /proc/sys/vm/drop_caches");
            for (int i = 0; i < 8; i++) {
                if (!java.util.Arrays.equals(data, java.nio.file.Files.readAllBytes(mnt.resolve("file" + i)))) {
                    fail("file" + i + " read back differs from what was written");
                }
            }
        } finally {
            check(60, "umount", mnt.toString());
        }
        return check(120, "fsck.ext4", "-f", "-n", bdev);
    }

    /**
     * Waits until a holder process (a shell redirecting its stdin from the device) has the device open.
     *
     * @param holder the process
     * @param device the device path it opens
     * @throws Exception when it has not within 10 s, or waiting is interrupted
     */
    static void awaitOpened(Process holder, String device) throws Exception {
        java.nio.file.Path stdin = java.nio.file.Path.of("/proc/" + holder.pid() + "/fd/0");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (java.nio.file.Files.readSymbolicLink(stdin).toString().equals(device)) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // The shell has not redirected yet.
            }
            Thread.sleep(20);
        }
        org.junit.jupiter.api.Assertions.fail(device + " was not opened by the holder");
    }
}
