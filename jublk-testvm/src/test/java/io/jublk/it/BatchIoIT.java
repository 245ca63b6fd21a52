// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
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

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

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
    void shouldUseBatchIoByDefaultWhereTheKernelHasIt() throws Exception {
        boolean kernelHasBatch = UblkFeature.BATCH_IO.isSet(kernelFeatures());
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(1).depth(32).build()) {
            assertEquals(kernelHasBatch, dev.info().has(UblkFeature.BATCH_IO), "default batch io: " + dev.info());
        }
        try (FileTarget file = FileTarget.builder(backing).open();
             UblkDevice dev = UblkDevice.builder().target(file).queues(1).depth(32)
                     .dataMode(DataMode.COPY_APPLICATION_BUFFERS).build()) {
            assertFalse(dev.info().has(UblkFeature.BATCH_IO), "application buffers need NEED_GET_DATA, so no batch io");
        }
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice dev = UblkDevice.builder().target(mem).queues(1).depth(1).build()) {
            assertFalse(dev.info().has(UblkFeature.BATCH_IO), "the kernel has no batch io at depth 1");
            dev.runQueues();
            dev.start();
            System.out.println(Commands.fioVerify(dev.blockPath(), 16L << 20, 1, 1));
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
