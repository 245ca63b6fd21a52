// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.FileTarget;
import io.jublk.targets.MemTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The loop device in user space: a file on the guest's tmpfs, served inline or through each queue's io_uring. */
@Timeout(900)
class FileTargetIT {
    private static final long SIZE = 256L << 20;

    private Path backing;

    @BeforeEach
    void createBackingFile() throws Exception {
        backing = Files.createTempFile(Path.of("/tmp"), "jublk-file", ".img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(SIZE); // sparse: tmpfs allocates on write
        }
    }

    @AfterEach
    void deleteBackingFile() throws Exception {
        Files.deleteIfExists(backing);
    }

    private static UblkDevice device(FileTarget target, DataMode mode) throws Exception {
        assumeKernelHas(mode);
        UblkDevice dev = UblkDevice.builder().target(target).queues(2).depth(64).dataMode(mode).build();
        dev.runQueues();
        dev.start();
        return dev;
    }

    @ParameterizedTest
    @CsvSource({"COPY,false,,", "COPY,false,,false", "COPY,false,false,", "COPY,true,,", "USER_COPY,false,,",
            "USER_COPY,false,,false", "USER_COPY,false,false,", "USER_COPY,true,,", "ZERO_COPY,false,,",
            "ZERO_COPY,true,,", "AUTO_ZERO_COPY,false,,", "AUTO_ZERO_COPY,true,,", "COPY_APPLICATION_BUFFERS,false,,",
            "COPY_APPLICATION_BUFFERS,false,,false", "COPY_APPLICATION_BUFFERS,true,,"})
    void shouldPassFioVerify(DataMode mode, boolean direct, Boolean inline, Boolean map) throws Exception {
        FileTarget.Builder builder = FileTarget.builder(backing).direct(direct);
        if (inline != null) {
            builder.inline(inline);
        }
        if (map != null) {
            builder.map(map);
        }
        try (FileTarget file = builder.open()) {
            assertEquals(SIZE, file.size(), "size from the backing file");
            // The backing is on tmpfs: small requests are served inline unless O_DIRECT or told not to,
            // and through a mapping of the file unless told not to.
            boolean inlineExpected = inline == null ? !direct : inline;
            assertEquals(inlineExpected, file.isInline(), "inline IO");
            assertEquals(inlineExpected && map == null, file.isMapped(), "mapped: " + file);
            try (UblkDevice dev = device(file, mode)) {
                assertEquals(mode, dev.dataMode());
                String out = Commands.fioVerify(dev.blockPath(), 128L << 20, 64, 2);
                System.out.println("fio verify, " + mode + (direct ? ", O_DIRECT backing" : ", buffered backing") + ":\n" + out);
                assertNoTargetFailures(dev);
                long inPlace = file.inPlaceRequests();
                if (mode == DataMode.COPY_APPLICATION_BUFFERS && file.isMapped()) {
                    assertTrue(inPlace > 0, "requests served in place, straight from and into the file's pages");
                } else {
                    assertEquals(0, inPlace, "nothing in place unless the file is mapped and lends its pages");
                }
            }
        }
        assertTrue(Files.size(backing) == SIZE, "the backing file keeps its size");
    }

    @ParameterizedTest
    @CsvSource({"COPY", "COPY_APPLICATION_BUFFERS", "USER_COPY", "ZERO_COPY", "AUTO_ZERO_COPY"})
    void shouldStoreExactlyWhatWasWrittenInTheBackingFile(DataMode mode) throws Exception {
        byte[] pattern = new byte[24 << 20];
        new Random(42).nextBytes(pattern);
        Path patternFile = Files.createTempFile(Path.of("/tmp"), "jublk-pattern", ".bin");
        long offset = 40L << 20;
        try {
            Files.write(patternFile, pattern);
            try (FileTarget file = FileTarget.open(backing); UblkDevice dev = device(file, mode)) {
                Commands.check(120, "dd", "if=" + patternFile, "of=" + dev.blockPath(), "bs=1M",
                        "seek=" + (offset >> 20), "oflag=direct", "conv=fsync,notrunc", "status=none");
            }
            String expected = sha256sum("cat " + patternFile);
            assertEquals(expected, sha256sum("dd if=" + backing + " bs=1M skip=" + (offset >> 20) + " count="
                    + (pattern.length >> 20) + " status=none"), "the backing file holds the data written");
            // A second device, read-only, on the same file reads back the same bytes.
            try (FileTarget file = FileTarget.builder(backing).readOnly(true).open(); UblkDevice dev = device(file, mode)) {
                assertTrue(file.capabilities().readOnly());
                assertEquals("1", Commands.check(30, "blockdev", "--getro", dev.blockPath()).strip(), "read-only device");
                assertFalse(Commands.run(30, "dd", "if=/dev/zero", "of=" + dev.blockPath(), "bs=4k", "count=1",
                        "oflag=direct", "status=none").exitCode() == 0, "a write to a read-only device fails");
                String viaDevice = Commands.check(120, "sh", "-c", "dd if=" + dev.blockPath() + " bs=1M skip=" + (offset >> 20)
                        + " count=" + (pattern.length >> 20) + " iflag=direct status=none | sha256sum").split(" ")[0];
                assertEquals(expected, viaDevice, "read back through a second device");
                // Past the written range the sparse file reads as zeros.
                String zeros = Commands.check(60, "sh", "-c", "dd if=" + dev.blockPath()
                        + " bs=1M count=32 iflag=direct status=none | tr -d '\\000' | wc -c");
                assertEquals("0", zeros.strip());
            }
        } finally {
            Files.deleteIfExists(patternFile);
        }
    }

    @ParameterizedTest
    @CsvSource({"COPY", "AUTO_ZERO_COPY"})
    void shouldHoldAnExt4FilesystemThatPassesFsck(DataMode mode) throws Exception {
        try (FileTarget file = FileTarget.open(backing); UblkDevice dev = device(file, mode)) {
            System.out.println(Commands.ext4RoundTrip(dev.blockPath()));
        }
        // The file system lives in the file: fsck it there directly too.
        System.out.println(Commands.check(120, "fsck.ext4", "-f", "-n", backing.toString()));
    }

    @Test
    void shouldPunchHolesOnDiscardAndZeroOnWriteZeroes() throws Exception {
        try (FileTarget file = FileTarget.open(backing); UblkDevice dev = device(file, DataMode.COPY)) {
            assertTrue(file.capabilities().discard(), "tmpfs punches holes, so discard is offered: " + file);
            String bdev = dev.blockPath();
            long empty = blocks();
            Commands.check(120, "dd", "if=/dev/urandom", "of=" + bdev, "bs=1M", "count=64", "seek=64",
                    "oflag=direct", "conv=fsync", "status=none");
            long written = blocks();
            assertTrue(written - empty >= (64L << 20) / 512, "64 MiB allocated in the file: " + empty + " -> " + written);
            Commands.check(120, "blkdiscard", "-o", String.valueOf(64L << 20), "-l", String.valueOf(32L << 20), bdev);
            long discarded = blocks();
            assertTrue(written - discarded >= (32L << 20) / 512, "discard punched 32 MiB: " + written + " -> " + discarded);
            // Write-zeroes on the other half.
            Commands.check(120, "blkdiscard", "-z", "-o", String.valueOf(96L << 20), "-l", String.valueOf(32L << 20), bdev);
            for (long skip : new long[] {64, 96}) {
                String nonZero = Commands.check(60, "sh", "-c", "dd if=" + bdev + " bs=1M skip=" + skip
                        + " count=32 iflag=direct status=none | tr -d '\\000' | wc -c");
                assertEquals("0", nonZero.strip(), "zeros at " + skip + " MiB");
            }
            String fileZeros = Commands.check(60, "sh", "-c", "dd if=" + backing + " bs=1M skip=64"
                    + " count=64 status=none | tr -d '\\000' | wc -c");
            assertEquals("0", fileZeros.strip(), "the backing file holds zeros there");
        }
        assertEquals(SIZE, Files.size(backing), "KEEP_SIZE: the file keeps its size");
    }

    @ParameterizedTest
    @CsvSource({"COPY", "USER_COPY", "COPY_APPLICATION_BUFFERS"})
    void shouldReadHolesThroughTheMappedFileWithoutAllocatingThem(DataMode mode) throws Exception {
        // 8 MiB of data at 16 MiB in an otherwise sparse file, written before the target opens.
        Commands.check(60, "dd", "if=/dev/urandom", "of=" + backing, "bs=1M", "count=8", "seek=16",
                "conv=notrunc", "status=none");
        try (FileTarget file = FileTarget.open(backing); UblkDevice dev = device(file, mode)) {
            assertTrue(file.isMapped(), "a file on tmpfs is mapped: " + file);
            String bdev = dev.blockPath();
            long before = blocks();
            // The whole device in 4k and 64k requests, served inline: data through the mapping,
            // holes through pread, which reads them as zeros without allocating them.
            assertEquals(sha256sum("head -c 32M " + backing), sha256sum("dd if=" + bdev
                    + " bs=4k count=8192 iflag=direct status=none"), "the first 32 MiB, read in 4k requests");
            assertEquals(sha256sum("cat " + backing), sha256sum("dd if=" + bdev + " bs=64k iflag=direct status=none"),
                    "the whole device, read in 64k requests");
            assertEquals(before, blocks(), "reading the holes allocated nothing");
            // Writes into holes (pwrite), then over them again (the mapping), then verified.
            String fio = Commands.check(600, "fio", "--name=holes", "--filename=" + bdev, "--ioengine=io_uring",
                    "--direct=1", "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=16", "--offset=96M",
                    "--size=32M", "--loops=2", "--verify=crc32c", "--verify_backlog=512", "--do_verify=1",
                    "--verify_fatal=1", "--randrepeat=1", "--output-format=terse");
            assertTrue(fio.startsWith("3;"), "fio terse output: " + fio);
            assertTrue(blocks() > before, "the writes allocated pages");
            // Discard punches holes again; their pages read as zeros and take new writes.
            Commands.check(60, "blkdiscard", "-o", String.valueOf(96L << 20), "-l", String.valueOf(8L << 20), bdev);
            String nonZero = Commands.check(60, "sh", "-c", "dd if=" + bdev + " bs=4k skip=" + (96 << 8)
                    + " count=2048 iflag=direct status=none | tr -d '\\000' | wc -c");
            assertEquals("0", nonZero.strip(), "discarded pages read as zeros");
            Commands.check(60, "dd", "if=" + backing, "of=" + bdev, "bs=4k", "skip=" + (16 << 8),
                    "seek=" + (96 << 8), "count=256", "oflag=direct", "status=none");
            String again = Commands.check(60, "sh", "-c", "dd if=" + bdev + " bs=4k skip=" + (96 << 8)
                    + " count=256 iflag=direct status=none | sha256sum").split(" ")[0];
            assertEquals(sha256sum("dd if=" + backing + " bs=4k skip=" + (16 << 8) + " count=256 status=none"),
                    again, "data written over punched pages reads back");
            assertNoTargetFailures(dev);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileTarget.builder(backing).inline(false).map(true).open());
        assertTrue(e.getMessage().contains("inline IO is off"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"COPY", "ZERO_COPY", "AUTO_ZERO_COPY"})
    void shouldReadZerosPastTheEndOfAShorterFile(DataMode mode) throws Exception {
        // The device is larger than the file, which ends mid-sector: reads there come back short,
        // and the rest of the request reads as zeros.
        byte[] data = new byte[(16 << 20) + 1000];
        new Random(3).nextBytes(data);
        Files.write(backing, data);
        try (FileTarget file = FileTarget.builder(backing).size(SIZE).open(); UblkDevice dev = device(file, mode)) {
            assertEquals(SIZE, file.size());
            String expected = sha256sum("{ cat " + backing + "; head -c " + (SIZE - data.length) + " /dev/zero; }");
            // 64k requests: small enough to be served inline in the copy modes.
            String viaDevice = Commands.check(120, "sh", "-c", "dd if=" + dev.blockPath()
                    + " bs=64k iflag=direct status=none | sha256sum").split(" ")[0];
            assertEquals(expected, viaDevice, "file data, then zeros");
            assertNoTargetFailures(dev);
        }
    }

    @ParameterizedTest
    @CsvSource({"COPY", "AUTO_ZERO_COPY"})
    void shouldServeABlockDevice(DataMode mode) throws Exception {
        // The backing block device is itself a ublk device (mem target) served by this process.
        try (MemTarget mem = new MemTarget(SIZE);
             UblkDevice lower = UblkDevice.builder().target(mem).size(SIZE).queues(1).depth(64).build()) {
            lower.runQueues();
            lower.start();
            try (FileTarget file = FileTarget.builder(Path.of(lower.blockPath())).direct(true).open();
                 UblkDevice dev = device(file, mode)) {
                assertTrue(file.isBlockDevice());
                assertEquals(SIZE, file.size(), "size from BLKGETSIZE64");
                assertFalse(file.capabilities().discard(), "no discard on a block device");
                assertTrue(file.capabilities().writeZeroes());
                System.out.println(Commands.fioVerify(dev.blockPath(), 64L << 20, 32, 2));
                Commands.check(120, "dd", "if=/dev/urandom", "of=" + dev.blockPath(), "bs=1M", "count=8", "seek=128",
                        "oflag=direct", "status=none");
                Commands.check(120, "blkdiscard", "-z", "-o", String.valueOf(128L << 20), "-l", String.valueOf(8L << 20),
                        dev.blockPath());
                String nonZero = Commands.check(60, "sh", "-c", "dd if=" + lower.blockPath()
                        + " bs=1M skip=128 count=8 iflag=direct status=none | tr -d '\\000' | wc -c");
                assertEquals("0", nonZero.strip(), "write-zeroes reached the lower device");
                assertNoTargetFailures(dev);
            }
        }
    }

    /** Zero copy needs Linux 6.15 (REGISTER_IO_BUF) or 6.16 (AUTO_BUF_REG): skip where the driver lacks it. */
    private static void assumeKernelHas(DataMode mode) throws Exception {
        UblkFeature need = switch (mode) {
            case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY;
            case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG;
            case USER_COPY -> UblkFeature.USER_COPY;
            default -> null;
        };
        if (need == null) {
            return;
        }
        try (UblkControl ctl = UblkControl.open()) {
            assumeTrue(need.isSet(ctl.features()), "this kernel's ublk driver lacks UBLK_F_" + need.name() + " (Linux "
                    + need.since() + "+), which " + mode.cliName() + " needs");
        }
    }

    private static void assertNoTargetFailures(UblkDevice dev) {
        for (var q : dev.queues()) {
            assertEquals(0, q.targetFailures(), q + " target failures");
        }
    }

    private long blocks() throws Exception {
        return Long.parseLong(Commands.check(10, "stat", "-c", "%b", backing.toString()).strip());
    }

    /** sha256sum of a shell pipeline's output (the guest's tools, not the JVM's digest). */
    private static String sha256sum(String producer) throws Exception {
        return Commands.check(120, "sh", "-c", producer + " | sha256sum").split(" ")[0];
    }
}
