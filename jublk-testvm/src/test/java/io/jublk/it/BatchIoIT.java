// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.FileTarget;
import io.jublk.targets.MemTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * UBLK_F_BATCH_IO (Linux 7.0): per-queue PREP, multishot FETCH and COMMIT of many requests at
 * once, in every data mode the driver serves with it; and the per-request commands when it is off.
 */
@Timeout(900)
class BatchIoIT {
    private static final long SIZE = 256L << 20;

    private Path backing;

    @BeforeEach
    void createBackingFile() throws Exception {
        backing = Files.createTempFile(Path.of("/tmp"), "jublk-batch", ".img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(SIZE);
        }
    }

    @AfterEach
    void deleteBackingFile() throws Exception {
        Files.deleteIfExists(backing);
    }

    /** A batch io server with recovery in a JVM of its own, for the test to kill: args backing file. */
    public static final class RecoverableServer {
        private RecoverableServer() {
        }

        /**
         * @param args the backing file
         * @throws Exception when the device cannot be served
         */
        public static void main(String[] args) throws Exception {
            FileTarget file = FileTarget.builder(Path.of(args[0])).open();
            UblkDevice dev = UblkDevice.builder().target(file).queues(2).depth(32).recovery(Recovery.REISSUE)
                    .batchIo(true).build();
            dev.runQueues();
            dev.start();
            System.out.println("serving " + dev.id());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** fio's verified random writes (or, with {@code verifyOnly}, the check of them), repeatable by seed. */
    private static ProcessBuilder fio(String bdev, boolean verifyOnly) {
        return new ProcessBuilder("fio", "--name=killed", "--filename=" + bdev, "--ioengine=io_uring", "--direct=1",
                "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=32", "--size=64M", "--verify=crc32c",
                "--verify_fatal=1", "--randrepeat=1", "--randseed=4343", verifyOnly ? "--verify_only=1" : "--do_verify=0",
                "--output-format=terse").redirectErrorStream(true);
    }

    @Test
    void shouldTakeOverABatchIoDeviceFromAKilledServer() throws Exception {
        assumeKernelHas(UblkFeature.BATCH_IO, "batch io");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process server = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), RecoverableServer.class.getName(), backing.toString())
                .redirectErrorStream(true).start();
        int id = -1;
        try {
            BufferedReader lines = server.inputReader(StandardCharsets.UTF_8);
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                System.out.println("server: " + line);
                if (line.startsWith("serving ")) {
                    id = Integer.parseInt(line.substring("serving ".length()).strip());
                    break;
                }
            }
            assertTrue(id >= 0, "the server came up");
            Thread.ofPlatform().daemon().start(() -> lines.lines().forEach(l -> System.out.println("server: " + l)));
            try (UblkControl ctl = UblkControl.open()) {
                assertTrue(ctl.deviceInfo(id).has(UblkFeature.BATCH_IO), "the killed server used batch io");
            }
            String bdev = "/dev/ublkb" + id;
            Process writes = fio(bdev, false).start();
            Thread.sleep(3000);
            assertTrue(writes.isAlive(), "fio still writing when the server is killed");
            server.destroyForcibly();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server died");
            assertEquals(UblkCmd.UBLK_S_DEV_QUIESCED, awaitState(id, UblkCmd.UBLK_S_DEV_QUIESCED), "the device waits");
            assertTrue(writes.isAlive(), "fio's IO waits, it does not fail");
            try (FileTarget file = FileTarget.builder(backing).open();
                 UblkDevice dev = UblkDevice.builder().target(file).recover(id)) {
                assertTrue(dev.info().has(UblkFeature.BATCH_IO), "the new server serves with batch io too");
                dev.runQueues();
                dev.start();
                assertTrue(writes.waitFor(300, TimeUnit.SECONDS), "fio finishes once the new server serves the device");
                String written = new String(writes.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, writes.exitValue(), "every write succeeded across the kill:\n" + written);
                Process verify = fio(bdev, true).start();
                assertTrue(verify.waitFor(300, TimeUnit.SECONDS));
                String checked = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, verify.exitValue(), "fio verify found every block as written:\n" + checked);
                System.out.println("verify after kill -9 and recover with batch io: " + checked.strip());
            }
        } finally {
            server.destroyForcibly();
            if (id >= 0 && UblkControl.deviceIds().contains(id)) {
                try (UblkControl ctl = UblkControl.open()) {
                    ctl.deleteDevice(id, false);
                }
            }
        }
    }

    private static int awaitState(int id, int wanted) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            int state = ctl.deviceInfo(id).state();
            for (int i = 0; i < 300 && state != wanted; i++) {
                Thread.sleep(100);
                state = ctl.deviceInfo(id).state();
            }
            return state;
        }
    }

    private static long kernelFeatures() throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            return ctl.features();
        }
    }

    private static void assumeKernelHas(UblkFeature feature, String what) throws Exception {
        assumeTrue(feature.isSet(kernelFeatures()), "this kernel's ublk driver lacks UBLK_F_" + feature.name()
                + " (Linux " + feature.since() + "+), which " + what + " needs");
    }

    @ParameterizedTest
    @EnumSource(value = DataMode.class, names = {"COPY", "USER_COPY", "ZERO_COPY", "AUTO_ZERO_COPY"})
    void shouldPassFioVerifyWithBatchIoInEachDataMode(DataMode mode) throws Exception {
        assumeKernelHas(UblkFeature.BATCH_IO, "batch io");
        switch (mode) {
            case USER_COPY -> assumeKernelHas(UblkFeature.USER_COPY, mode.cliName());
            case ZERO_COPY -> assumeKernelHas(UblkFeature.SUPPORT_ZERO_COPY, mode.cliName());
            case AUTO_ZERO_COPY -> assumeKernelHas(UblkFeature.AUTO_BUF_REG, mode.cliName());
            default -> { }
        }
        try (FileTarget file = FileTarget.builder(backing).open();
             UblkDevice dev = UblkDevice.builder().target(file).queues(2).depth(64).dataMode(mode).batchIo(true).build()) {
            assertTrue(dev.info().has(UblkFeature.BATCH_IO), "the device has batch io: " + dev.info());
            dev.runQueues();
            dev.start();
            System.out.println("fio verify, batch io, " + mode + ":\n" + Commands.fioVerify(dev.blockPath(), 64L << 20, 64, 2));
            for (var q : dev.queues()) {
                assertEquals(0, q.targetFailures(), q + " target failures");
            }
        }
    }

    /** Depth 2 has the fewest tag buffers; 512 needs several fetch completions to hand out a full queue. */
    @ParameterizedTest
    @ValueSource(ints = {2, 512})
    void shouldServeTheSmallestAndALargeQueue(int depth) throws Exception {
        assumeKernelHas(UblkFeature.BATCH_IO, "batch io");
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(1).depth(depth).batchIo(true).build()) {
            dev.runQueues();
            dev.start();
            System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, depth, 1));
            String out = Commands.check(300, "fio", "--name=deep", "--filename=" + dev.blockPath(), "--ioengine=io_uring",
                    "--direct=1", "--rw=randread", "--bs=4k", "--iodepth=" + depth, "--iodepth_batch_submit=" + depth,
                    "--size=64m", "--io_size=128m", "--output-format=terse", "--terse-version=3");
            System.out.println(out);
            assertEquals(0, dev.stats().total().errors(), dev.stats().toString());
        }
    }

    @Test
    void shouldUseBatchIoOnlyWhenAskedFor() throws Exception {
        boolean kernelHasBatch = UblkFeature.BATCH_IO.isSet(kernelFeatures());
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(1).depth(32).build()) {
            assertFalse(dev.info().has(UblkFeature.BATCH_IO), "no batch io by default: " + dev.info());
        }
        if (!kernelHasBatch) {
            UblkException refused = assertThrows(UblkException.class,
                    () -> UblkDevice.builder().target(new MemTarget(SIZE)).batchIo(true).build());
            assertTrue(refused.getMessage().contains("lacks"), refused.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataMode.class, names = {"COPY", "USER_COPY"})
    void shouldServeWithPerRequestCommandsWhenBatchIoIsOff(DataMode mode) throws Exception {
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(2).depth(64).dataMode(mode).batchIo(false).build()) {
            assertFalse(dev.info().has(UblkFeature.BATCH_IO), "batch io off: " + dev.info());
            dev.runQueues();
            dev.start();
            System.out.println("fio verify, per-request commands, " + mode + ":\n"
                    + Commands.fioVerify(dev.blockPath(), 64L << 20, 64, 2));
        }
    }
}
