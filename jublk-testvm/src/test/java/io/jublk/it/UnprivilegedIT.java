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
 * /dev/ublk-control and hands each new device's nodes to the uid the kernel recorded as owner.
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

    /**
     * What udev does with the README's rule: each device's nodes go to its owner. The char node
     * is handed over here at once (the server waits for it); the block node by the README's
     * scripts/ublk-chown itself, as udev would run it.
     */
    private static Thread chowner(AtomicBoolean running) {
        String jublk = Path.of(System.getProperty("java.home"), "bin", "java") + " --enable-native-access=ALL-UNNAMED -cp "
                + CliRun.classPathForAnyUser() + " io.jublk.cli.Main";
        Path script = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (script != null && !Files.exists(script.resolve("scripts/ublk-chown"))) {
            script = script.getParent();
        }
        script = java.util.Objects.requireNonNull(script, "no scripts/ublk-chown above the working directory")
                .resolve("scripts/ublk-chown");
        Path chownScript = script;
        java.util.Set<String> done = new java.util.HashSet<>();
        return Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                try (UblkControl ctl = UblkControl.open()) {
                    for (int id : UblkControl.deviceIds()) {
                        UblkDeviceInfo info;
                        try {
                            info = ctl.deviceInfo(id);
                        } catch (UblkException e) {
                            continue;
                        }
                        if (!info.has(UblkFeature.UNPRIVILEGED_DEV)) {
                            continue;
                        }
                        if (Files.exists(Path.of("/dev/ublkc" + id)) && done.add("c" + id)) {
                            Commands.run(10, "chown", info.ownerUid() + ":" + info.ownerGid(), "/dev/ublkc" + id);
                        }
                        if (Files.exists(Path.of("/dev/ublkb" + id)) && done.add("b" + id)) {
                            Commands.Result r = Commands.run(60, "env", "JUBLK=" + jublk, chownScript.toString(), "ublkb" + id);
                            if (r.exitCode() != 0) {
                                System.out.println("ublk-chown ublkb" + id + " failed: " + r.output());
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

    @Test
    void shouldLetAUserAddServeAndDeleteADevice() throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            assumeTrue(UblkFeature.UNPRIVILEGED_DEV.isSet(ctl.features()), "UBLK_F_UNPRIVILEGED_DEV needs Linux 6.3+");
        }
        Path control = Path.of(UblkControl.CONTROL_PATH);
        String mode = Commands.check(10, "stat", "-c", "%a", control.toString()).strip();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread udev = chowner(running);
        int id = -1;
        try {
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
            assertEquals(UID + ":" + UID, owner, "scripts/ublk-chown gave the block device to its owner");
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
            udev.join();
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
