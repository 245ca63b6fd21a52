// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A user without CAP_SYS_ADMIN adds, serves, uses and deletes a device (UBLK_F_UNPRIVILEGED_DEV).
 * The guest has no udev, so the test does what the README's udev rule does: it lets the user open
 * /dev/ublk-control and runs the rule's command for each new node, which names it to
 * 'jublk owners --fifo', which gives it to the uid the kernel recorded as owner.
 */
@Timeout(600)
class UnprivilegedIT {
    private static final int UID = 65534; // nobody

    private static String[] asUser(String... command) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "--",
                "env", "HOME=/tmp", "PATH=" + System.getenv("PATH")));
        c.addAll(List.of(command));
        return c.toArray(String[]::new);
    }

    private static String[] jublkAsUser(String... args) {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", CliRun.classPathForAnyUser(), "io.jublk.cli.Main"));
        c.addAll(List.of(args));
        return asUser(c.toArray(String[]::new));
    }

    /** The repository's root: the first directory above the working directory with dist/udev. */
    private static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("dist/udev"))) {
            dir = dir.getParent();
        }
        return java.util.Objects.requireNonNull(dir, "no dist/udev above the working directory");
    }

    /**
     * The shell command the udev rule runs for a new node, with the FIFO moved to {@code fifo}:
     * the rule's own text, so a broken rule fails here.
     */
    private static String ruleCommand(Path fifo) throws java.io.IOException {
        String rules = Files.readString(repoRoot().resolve("dist/udev/90-jublk.rules"));
        Matcher run = Pattern.compile("KERNEL==\"ublk\\[bc\\]\\[0-9\\]\\*\", RUN\\+=\"/bin/sh -c '([^']*)'\"").matcher(rules);
        assertTrue(run.find(), "no RUN+=\"/bin/sh -c '...'\" for ublk[bc] nodes in the udev rule:\n" + rules);
        return run.group(1).replace("/run/jublk/owners", fifo.toString());
    }

    /**
     * What udev does with the README's rule: for each new node of any device, the rule's command
     * names it into the FIFO that 'jublk owners --fifo' (started by the caller) reads.
     */
    private static Thread udev(AtomicBoolean running, String ruleCommand) {
        java.util.Set<String> announced = new java.util.HashSet<>();
        return Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                try {
                    for (int id : UblkControl.deviceIds()) {
                        for (String node : List.of("ublkc" + id, "ublkb" + id)) {
                            if (Files.exists(Path.of("/dev", node)) && announced.add(node)) {
                                Commands.Result r = Commands.run(10, "/bin/sh", "-c", ruleCommand.replace("%k", node));
                                if (r.exitCode() != 0) {
                                    System.out.println("the udev rule's command for " + node + " failed: " + r.output());
                                }
                            }
                        }
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    /** 'jublk owners --fifo', as root, as jublk-owners.service runs it; returns once it reads the FIFO. */
    private static Process ownersService(Path fifo, Path log) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", CliRun.classPathForAnyUser(), "io.jublk.cli.Main",
                "owners", "--fifo", fifo.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path fd = Path.of("/proc/" + p.pid() + "/fd");
        for (int i = 0; i < 1200 && p.isAlive(); i++) {
            try (var fds = Files.list(fd)) {
                if (fds.anyMatch(f -> {
                    try {
                        return Files.readSymbolicLink(f).equals(fifo);
                    } catch (java.io.IOException e) {
                        return false;
                    }
                })) {
                    return p;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("jublk owners did not open " + fifo + ":\n" + Files.readString(log));
    }

    @Test
    void shouldLetAUserAddServeAndDeleteADevice() throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            assumeTrue(UblkFeature.UNPRIVILEGED_DEV.isSet(ctl.features()), "UBLK_F_UNPRIVILEGED_DEV needs Linux 6.3+");
        }
        Path control = Path.of(UblkControl.CONTROL_PATH);
        String mode = Commands.check(10, "stat", "-c", "%a", control.toString()).strip();
        Path dir = Files.createTempDirectory("jublk-owners");
        Path fifo = dir.resolve("owners");
        Path log = dir.resolve("owners.log");
        // As jublk-owners.socket does: the FIFO exists, and stays open, before the service starts.
        Commands.check(10, "mkfifo", "-m", "600", fifo.toString());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread udev = null;
        Process owners = null;
        int id = -1;
        try (java.io.RandomAccessFile held = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
            owners = ownersService(fifo, log);
            udev = udev(running, ruleCommand(fifo));
            Commands.check(10, "chmod", "0666", control.toString());
            // reissue (6.1), not fail-io (6.13): on older kernels the missing feature would be refused first.
            Commands.Result refused = Commands.run(120, jublkAsUser("add", "-t", "null", "--recovery=reissue"));
            assertTrue(refused.exitCode() != 0 && refused.output().contains("for root only"), refused.output());

            Commands.Result add = Commands.run(180, jublkAsUser("add", "-t", "mem", "-s", "64M", "-q", "2", "-d", "32"));
            assertEquals(0, add.exitCode(), add.output());
            Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(add.output());
            assertTrue(m.find(), add.output());
            id = Integer.parseInt(m.group(1));
            String bdev = m.group(2);
            try (UblkControl ctl = UblkControl.open()) {
                UblkDeviceInfo info = ctl.deviceInfo(id);
                assertTrue(info.has(UblkFeature.UNPRIVILEGED_DEV), "an unprivileged device");
                assertEquals(UID, info.ownerUid(), "owned by the user");
            }
            Commands.Result list = Commands.run(120, jublkAsUser("list"));
            assertEquals(0, list.exitCode(), list.output());
            assertTrue(list.output().contains("UNPRIVILEGED_DEV"), list.output());

            String owner = "";
            for (int i = 0; i < 600 && !owner.equals(UID + ":" + UID); i++) {
                Thread.sleep(100);
                owner = Commands.check(10, "stat", "-c", "%u:%g", bdev).strip();
            }
            assertEquals(UID + ":" + UID, owner, "jublk owners gave the block device to its owner:\n" + Files.readString(log));
            assertEquals("600", Commands.check(10, "stat", "-c", "%a", bdev).strip(), "only its owner may open it");
            // The user's own fio on the user's own device.
            Commands.Result fio = Commands.run(600, asUser("fio", "--name=verify", "--filename=" + bdev, "--ioengine=io_uring",
                    "--direct=1", "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=16", "--size=32M", "--verify=crc32c",
                    "--verify_fatal=1", "--do_verify=1", "--randrepeat=0"));
            assertEquals(0, fio.exitCode(), fio.output());
            System.out.println("fio verify as uid " + UID + ":\n" + fio.output());

            Commands.Result del = Commands.run(120, jublkAsUser("del", "-n", String.valueOf(id)));
            assertEquals(0, del.exitCode(), del.output());
            assertFalse(UblkControl.deviceIds().contains(id), "the user deleted the device");
            id = -1;
        } finally {
            running.set(false);
            if (udev != null) {
                udev.join();
            }
            if (owners != null) {
                owners.destroy();
                owners.waitFor();
                System.out.println("jublk owners said:\n" + Files.readString(log));
            }
            Commands.run(10, "chmod", mode, control.toString());
            if (id >= 0 && UblkControl.deviceIds().contains(id)) {
                try (UblkControl ctl = UblkControl.open()) {
                    ctl.stopDevice(id, true);
                    ctl.deleteDevice(id, true);
                } catch (UblkException ignored) {
                    // reported by the assertion that failed
                }
            }
        }
    }
}
