// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.Recovery;
import io.jublk.core.control.UblkControl;
import io.jublk.core.UblkDevice;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.FileTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server lets go of a device with recovery and a new one, in the same process, takes it over:
 * waiting IO flows again (reissue) or failed meanwhile (fail-io), and nothing written is lost.
 */
@Timeout(600)
class RecoveryIT {
    private static final long SIZE = 64L << 20;

    private Path backing;

    @BeforeEach
    void createBackingFile() throws Exception {
        backing = Files.createTempFile(Path.of("/tmp"), "jublk-recovery", ".img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(SIZE);
        }
    }

    @AfterEach
    void deleteBackingFile() throws Exception {
        Files.deleteIfExists(backing);
    }

    private static UblkDevice started(UblkDevice dev) throws Exception {
        dev.runQueues();
        dev.start();
        return dev;
    }

    private static int state(int id) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            return ctl.deviceInfo(id).state();
        }
    }

    @Test
    void shouldReissueWaitingIoToTheServerThatTakesOver() throws Exception {
        try (FileTarget first = FileTarget.open(backing)) {
            UblkDevice dev = started(UblkDevice.builder().target(first).size(SIZE).queues(2).depth(32)
                    .recovery(Recovery.REISSUE).build());
            int id = dev.id();
            String bdev = dev.blockPath();
            assertEquals(Recovery.REISSUE, dev.recovery());
            Commands.check(60, "sh", "-c", "head -c 8M /dev/urandom > " + backing + ".a && dd if=" + backing + ".a of=" + bdev
                    + " bs=1M oflag=direct conv=fsync status=none");
            dev.detach();
            assertEquals(UblkCmd.UBLK_S_DEV_QUIESCED, state(id), "no server: the device waits, quiesced");
            assertTrue(Files.exists(Path.of(bdev)), "the disk stays");

            // A write issued while no server runs waits for the next one.
            Commands.check(30, "sh", "-c", "head -c 4M /dev/urandom > " + backing + ".b");
            Process writer = new ProcessBuilder("dd", "if=" + backing + ".b", "of=" + bdev, "bs=1M", "seek=16",
                    "oflag=direct", "conv=fsync", "status=none").inheritIO().start();
            assertFalse(writer.waitFor(3, TimeUnit.SECONDS), "IO waits while no server runs");

            try (FileTarget second = FileTarget.open(backing);
                 UblkDevice again = started(UblkDevice.builder().target(second).recover(id))) {
                assertTrue(again.isTakenOver());
                assertEquals(2, again.queues().size(), "the device's own queue count");
                assertTrue(writer.waitFor(60, TimeUnit.SECONDS), "the waiting write completes once a server is back");
                assertEquals(0, writer.exitValue());
                assertEquals(UblkCmd.UBLK_S_DEV_LIVE, state(id));
                assertEquals(sha(backing + ".a"), Commands.check(60, "sh", "-c", "dd if=" + bdev
                        + " bs=1M count=8 iflag=direct status=none | sha256sum").split(" ")[0], "data written before");
                assertEquals(sha(backing + ".b"), Commands.check(60, "sh", "-c", "dd if=" + bdev
                        + " bs=1M skip=16 count=4 iflag=direct status=none | sha256sum").split(" ")[0], "data written across");
                System.out.println(Commands.fioVerify(bdev, 32L << 20, 16, 2));
            }
            assertFalse(UblkControl.deviceIds().contains(id), "closing the new server deletes the device");
        } finally {
            Files.deleteIfExists(Path.of(backing + ".a"));
            Files.deleteIfExists(Path.of(backing + ".b"));
        }
    }

    @Test
    void shouldFailIoWhileNoServerRunsWithFailIo() throws Exception {
        boolean failIo;
        try (UblkControl ctl = UblkControl.open()) {
            failIo = UblkFeature.USER_RECOVERY_FAIL_IO.isSet(ctl.features());
        }
        if (!failIo) {
            // UBLK_F_USER_RECOVERY_FAIL_IO arrived in Linux 6.13: the builder refuses rather than add another recovery.
            try (FileTarget target = FileTarget.open(backing)) {
                var e = assertThrows(io.jublk.core.UblkException.class, () -> UblkDevice.builder().target(target).size(SIZE)
                        .recovery(Recovery.FAIL_IO).build());
                assertTrue(e.getMessage().contains("this kernel's ublk driver lacks USER_RECOVERY_FAIL_IO"), e.getMessage());
            }
            return;
        }
        try (FileTarget first = FileTarget.open(backing)) {
            UblkDevice dev = started(UblkDevice.builder().target(first).size(SIZE).queues(1).depth(16)
                    .recovery(Recovery.FAIL_IO).build());
            int id = dev.id();
            String bdev = dev.blockPath();
            dev.detach();
            assertEquals(UblkCmd.UBLK_S_DEV_FAIL_IO, state(id));
            Commands.Result read = Commands.run(30, "dd", "if=" + bdev, "of=/dev/null", "bs=4k", "count=1", "iflag=direct");
            assertNotEquals(0, read.exitCode(), "IO fails at once while no server runs: " + read.output());
            try (FileTarget second = FileTarget.open(backing);
                 UblkDevice again = started(UblkDevice.builder().target(second).recover(id))) {
                assertEquals(Recovery.FAIL_IO, again.recovery());
                System.out.println(Commands.fioVerify(bdev, 16L << 20, 8, 1));
            }
        }
    }

    @Test
    void shouldRefuseToTakeOverALiveDeviceOrOneWithoutRecovery() throws Exception {
        try (FileTarget file = FileTarget.open(backing);
             UblkDevice plain = started(UblkDevice.builder().target(file).size(SIZE).build())) {
            var e = assertThrows(io.jublk.core.UblkException.class, () -> UblkDevice.builder().target(file).recover(plain.id()));
            assertTrue(e.getMessage().contains("without recovery"), e.getMessage());
            assertThrows(IllegalStateException.class, plain::detach);
        }
        try (FileTarget file = FileTarget.open(backing);
             UblkDevice live = started(UblkDevice.builder().target(file).size(SIZE).recovery(Recovery.REISSUE).build())) {
            var e = assertThrows(io.jublk.core.UblkException.class, () -> UblkDevice.builder().target(file).recover(live.id()));
            assertTrue(e.getMessage().contains("is live, served by process"), e.getMessage());
            assertEquals(UblkCmd.UBLK_S_DEV_LIVE, state(live.id()), "the refusal leaves the device alone");
        }
    }

    private static String sha(String file) throws Exception {
        return Commands.check(60, "sh", "-c", "sha256sum < " + file).split(" ")[0];
    }
}
