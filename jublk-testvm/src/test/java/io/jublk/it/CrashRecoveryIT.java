// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jublk.it.CliRun.jublk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A jublk server killed with SIGKILL in the middle of fio's verified writes, then
 * {@code jublk recover}: with reissue every write lands and fio's verify pass finds no mismatch;
 * with fail-io the IO fails at once and nothing hangs. And a planned restart with
 * {@code jublk quiesce} under load.
 */
@Timeout(900)
class CrashRecoveryIT {
    private static final String SIZE = "96M";


    /** A device added by the CLI: its id, block device and server pid. */
    record Added(int id, String bdev, long pid) {
    }

    private Path image;
    private final List<Integer> added = new ArrayList<>();


    @BeforeEach
    void createImage() throws Exception {
        image = Files.createTempFile(Path.of("/tmp"), "jublk-crash", ".img");
        Commands.check(30, "truncate", "-s", SIZE, image.toString());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int id : added) {
            if (UblkControl.deviceIds().contains(id)) {
                jublk("del", "-n", String.valueOf(id));
            }
        }
        Files.deleteIfExists(image);
    }

    private Added add(String... extra) {
        List<String> args = new ArrayList<>(List.of("add", "-t", "file", "--path", image.toString(), "-q", "2", "-d", "32"));
        args.addAll(List.of(extra));
        CliRun r = jublk(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        Matcher dev = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(r.out());
        Matcher pid = Pattern.compile("server pid (\\d+)").matcher(r.out());
        assertTrue(dev.find() && pid.find(), r.out());
        int id = Integer.parseInt(dev.group(1));
        added.add(id);
        return new Added(id, dev.group(2), Long.parseLong(pid.group(1)));
    }

    /** fio's verified random writes (or, with {@code verifyOnly}, the check of them), repeatable by seed. */
    private static ProcessBuilder fio(String bdev, boolean verifyOnly) {
        return new ProcessBuilder("fio", "--name=crash", "--filename=" + bdev, "--ioengine=io_uring", "--direct=1",
                "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=32", "--numjobs=1", "--size=64M", "--verify=crc32c",
                "--verify_fatal=1", "--randrepeat=1", "--randseed=4242", verifyOnly ? "--verify_only=1" : "--do_verify=0",
                "--output-format=terse").redirectErrorStream(true);
    }

    private static UblkDeviceInfo info(int id) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            return ctl.deviceInfo(id);
        }
    }

    /** The kernel quiesces a device once the dead server's rings are released, which may lag its exit. */
    private static int awaitState(int id, int wanted) throws Exception {
        int state = info(id).state();
        for (int i = 0; i < 300 && state != wanted; i++) {
            Thread.sleep(100);
            state = info(id).state();
        }
        return state;
    }

    private static void awaitDead(long pid) throws Exception {
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFinishVerifiedWritesAcrossAKilledServerWithReissue() throws Exception {
        Added dev = add("--recovery");
        assertFalse(info(dev.id()).has(UblkFeature.BATCH_IO), "no batch io by default with recovery: quiesce needs"
                + " the per-request commands (BatchIoIT takes a batch io device over from a killed server)");
        Process writes = fio(dev.bdev(), false).start();
        Thread.sleep(3000);
        assertTrue(writes.isAlive(), "fio still writing when the server is killed");
        Commands.check(10, "kill", "-9", String.valueOf(dev.pid()));
        awaitDead(dev.pid());
        assertEquals(UblkCmd.UBLK_S_DEV_QUIESCED, awaitState(dev.id(), UblkCmd.UBLK_S_DEV_QUIESCED),
                "the device waits for a server");
        assertTrue(writes.isAlive(), "fio's IO waits, it does not fail");
        CliRun list = jublk("list", "--json");
        assertTrue(list.out().contains("\"quiesced\""), list.out());

        CliRun recover = jublk("recover", "-n", String.valueOf(dev.id()));
        assertEquals(0, recover.status(), recover.err());
        assertTrue(recover.out().contains("taken over"), recover.out());
        assertTrue(writes.waitFor(300, TimeUnit.SECONDS), "fio finishes once the new server serves the device");
        String written = new String(writes.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, writes.exitValue(), "every write succeeded across the crash:\n" + written);
        assertEquals(UblkCmd.UBLK_S_DEV_LIVE, info(dev.id()).state());

        Process verify = fio(dev.bdev(), true).start();
        assertTrue(verify.waitFor(300, TimeUnit.SECONDS));
        String checked = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, verify.exitValue(), "fio verify found every block as written:\n" + checked);
        System.out.println("verify after kill -9 and recover: " + checked.strip());

        CliRun del = jublk("del", "-n", String.valueOf(dev.id()));
        assertEquals(0, del.status(), del.err());
        assertFalse(Files.exists(Path.of("/run/jublk/ublkb" + dev.id() + ".state")), "del removes the saved settings");
    }

    private static boolean kernelHas(UblkFeature feature) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            return feature.isSet(ctl.features());
        }
    }

    @Test
    void shouldFailIoAtOnceWithFailIoAndServeAgainAfterRecover() throws Exception {
        if (!kernelHas(UblkFeature.USER_RECOVERY_FAIL_IO)) {
            // UBLK_F_USER_RECOVERY_FAIL_IO arrived in Linux 6.13: jublk refuses rather than add another recovery.
            CliRun refused = jublk("add", "-t", "file", "--path", image.toString(), "--recovery=fail-io");
            assertNotEquals(0, refused.status(), refused.out());
            assertTrue(refused.err().contains("this kernel's ublk driver lacks UBLK_F_USER_RECOVERY_FAIL_IO (Linux 6.13+),"
                    + " which --recovery=fail-io needs"), refused.err());
            return;
        }
        Added dev = add("--recovery=fail-io");
        Process writes = fio(dev.bdev(), false).start();
        Thread.sleep(3000);
        Commands.check(10, "kill", "-9", String.valueOf(dev.pid()));
        assertTrue(writes.waitFor(60, TimeUnit.SECONDS), "fio ends: its IO fails instead of waiting");
        String out = new String(writes.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, writes.exitValue(), "fio saw IO errors:\n" + out);
        awaitDead(dev.pid());
        assertEquals(UblkCmd.UBLK_S_DEV_FAIL_IO, info(dev.id()).state());
        Commands.Result read = Commands.run(30, "dd", "if=" + dev.bdev(), "of=/dev/null", "bs=4k", "count=1", "iflag=direct");
        assertNotEquals(0, read.exitCode(), "reads fail too while no server runs");

        CliRun recover = jublk("recover", "-n", String.valueOf(dev.id()));
        assertEquals(0, recover.status(), recover.err());
        System.out.println(Commands.fioVerify(dev.bdev(), 16L << 20, 16, 1));
    }

    @Test
    void shouldHandTheDeviceToANewServerWithQuiesceUnderLoad() throws Exception {
        Added dev = add("--recovery");
        if (!kernelHas(UblkFeature.QUIESCE)) {
            // UBLK_F_QUIESCE arrived in Linux 6.16: jublk refuses, and the device keeps its server.
            CliRun refused = jublk("quiesce", "-n", String.valueOf(dev.id()));
            assertNotEquals(0, refused.status(), refused.out());
            assertTrue(refused.err().contains("cannot be quiesced: that needs a device added with --recovery on Linux 6.16+"
                    + " (UBLK_F_QUIESCE), which this kernel is not"), refused.err());
            assertEquals(UblkCmd.UBLK_S_DEV_LIVE, info(dev.id()).state(), "the refusal leaves the device live");
            return;
        }
        Process writes = fio(dev.bdev(), false).start();
        Thread.sleep(3000);
        CliRun quiesce = jublk("quiesce", "-n", String.valueOf(dev.id()));
        if (quiesce.status() != 0) {
            System.out.println(Commands.run(30, "cat", "/run/jublk/ublkb" + dev.id() + ".log").output());
            System.out.println(Commands.run(60, System.getProperty("java.home") + "/bin/jcmd", String.valueOf(dev.pid()),
                    "Thread.print").output());
            System.out.println(Commands.run(30, "cat", "/sys/kernel/debug/ublk/ublkb" + dev.id()).output());
        }
        assertEquals(0, quiesce.status(), quiesce.err());
        assertFalse(ProcessHandle.of(dev.pid()).map(ProcessHandle::isAlive).orElse(false), "the old server exited");
        assertEquals(UblkCmd.UBLK_S_DEV_QUIESCED, info(dev.id()).state());
        CliRun recover = jublk("recover", "-n", String.valueOf(dev.id()));
        assertEquals(0, recover.status(), recover.err());
        assertTrue(writes.waitFor(300, TimeUnit.SECONDS));
        String written = new String(writes.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, writes.exitValue(), written);
        Process verify = fio(dev.bdev(), true).start();
        assertTrue(verify.waitFor(300, TimeUnit.SECONDS));
        String checked = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, verify.exitValue(), checked);
    }

    @Test
    void shouldExplainWhyADeviceCannotBeRecovered() throws Exception {
        CliRun none = jublk("recover", "-n", "4000");
        assertEquals("jublk: recover: there is no ublk device 4000 (see 'jublk list')\n", none.err());
        Added plain = add();
        CliRun noRecovery = jublk("recover", "-n", String.valueOf(plain.id()));
        assertTrue(noRecovery.err().contains("was added without --recovery"), noRecovery.err());
        Added live = add("--recovery");
        CliRun isLive = jublk("recover", "-n", String.valueOf(live.id()));
        assertTrue(isLive.err().contains("is live, served by process " + live.pid()), isLive.err());
        CliRun cannotQuiesce = jublk("quiesce", "-n", String.valueOf(plain.id()));
        assertTrue(cannotQuiesce.err().contains("cannot be quiesced"), cannotQuiesce.err());
    }
}
