// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.targets.MemTarget;
import io.jublk.uring.ErrnoException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code jublk demo}: a RAM disk served by this JVM carries an ext4 filesystem through mkfs, a
 * checksummed write and read-back across a remount, fsck, and a short fio run; then everything is
 * removed. Each step prints one line; any failure stops the demo and cleans up.
 */
@Command(name = "demo", header = "ext4 on a jublk RAM disk: mkfs, checksums, fsck and fio, then clean up",
        customSynopsis = "jublk demo [-s SIZE] [-q QUEUES] [-d DEPTH] [-u] [--fio-seconds N] [--no-fio]",
        description = {
            "Shows a jublk device at work, all in this process: adds a mem (RAM disk) device, makes ext4 on it"
                    + " (mkfs.ext4), mounts it in a temporary directory, writes 16 files of random data with their"
                    + " SHA-256 sums, remounts and reads them back, unmounts, checks the filesystem (fsck.ext4 -f -n),"
                    + " measures 4 KiB random reads and writes with fio (io_uring, O_DIRECT), prints the figures and"
                    + " deletes the device. Needs root, mkfs.ext4, fsck.ext4, mount and umount; fio is skipped when"
                    + " missing."})
final class DemoCommand implements Cli.Verb {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);
    private static final int FILES = 16;
    private static final int FILE_BYTES = 2 << 20;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", description = "device size (default 512M)")
    String sizeOption;
    @Option(names = {"-q", "--queues"}, paramLabel = "N", description = "queues (default 2)")
    String queuesOption;
    @Option(names = {"-d", "--depth"}, paramLabel = "N", description = "requests in flight per queue (default 128)")
    String depthOption;
    @Option(names = {"-u", "--user-copy"}, description = "UBLK_F_USER_COPY data mode (default: kernel copy)")
    boolean userCopy;
    @Option(names = "--fio-seconds", paramLabel = "N", description = "seconds per fio run (default 3)")
    String fioSecondsOption;
    @Option(names = "--no-fio", description = "skip fio")
    boolean noFio;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        long size = OptionValues.sizeValue("demo", sizeOption, "-s/--size", 512L << 20);
        int queues = OptionValues.intValue("demo", queuesOption, "-q/--queues", 2, 1, 64);
        int depth = OptionValues.intValue("demo", depthOption, "-d/--depth", 128, 1, 4096);
        int fioSeconds = OptionValues.intValue("demo", fioSecondsOption, "--fio-seconds", 3, 1, 3600);
        DataMode mode = userCopy ? DataMode.USER_COPY : DataMode.COPY;
        if (size < 64L << 20) {
            throw CliException.usage("demo", "the demo needs at least 64M for ext4 and its files");
        }
        AddSettings settings = new AddSettings(TargetKind.MEM, size, queues, depth, -1, mode, 512);
        try {
            settings.builder(new io.jublk.targets.NullTarget()).validate();
        } catch (IllegalArgumentException e) {
            throw CliException.usage("demo", e.getMessage());
        }
        Host.requireDriverAccess("demo");
        Path mkfs = require("mkfs.ext4");
        Path fsck = require("fsck.ext4");
        Path mount = require("mount");
        Path umount = require("umount");
        Path fio = noFio ? null : Host.which("fio");

        Demo demo = new Demo(umount, err);
        Thread hook = ShutdownHooks.add("jublk-demo-cleanup", demo::cleanup);
        try {
            out.printf("jublk demo: ext4 on a %s RAM disk served by this JVM (kernel %s)%n", Sizes.format(size), Host.kernelRelease());
            MemTarget target;
            try {
                target = new MemTarget(size);
            } catch (ErrnoException e) {
                throw CliException.failure("demo: cannot reserve " + Sizes.format(size) + " for the RAM disk: " + e.getMessage(), e);
            }
            demo.target = target;
            UblkDevice dev = settings.builder(target).build();
            demo.device = dev;
            dev.runQueues();
            dev.start();
            String bdev = dev.blockPath();
            step(out, "add", settings.describe(dev.info(), dev.params().sizeBytes(), false));

            Host.ExecResult r = Host.execChecked(TOOL_TIMEOUT, List.of(mkfs.toString(), "-q", "-F", "-L", "jublk-demo", bdev));
            step(out, "mkfs.ext4", "ext4 on " + bdev + " in " + seconds(r.elapsed()));

            Path dir = Files.createTempDirectory("jublk-demo-");
            demo.dir = dir;
            Host.execChecked(TOOL_TIMEOUT, List.of(mount.toString(), "-t", "ext4", bdev, dir.toString()));
            demo.mounted = true;
            step(out, "mount", bdev + " on " + dir);

            byte[][] contents = randomContents();
            List<String> sums = new ArrayList<>();
            for (byte[] c : contents) {
                sums.add(sha256(c));
            }
            long t0 = System.nanoTime();
            writeFiles(dir, contents);
            Duration writeTime = Duration.ofNanos(System.nanoTime() - t0);
            step(out, "write", FILES + " files, " + Sizes.format((long) FILES * FILE_BYTES) + " of random data, fsync'd, in "
                    + seconds(writeTime) + " (" + rate((long) FILES * FILE_BYTES, writeTime) + "); SHA-256 of file 0: "
                    + sums.getFirst().substring(0, 16) + "...");

            Host.execChecked(TOOL_TIMEOUT, List.of(umount.toString(), dir.toString()));
            demo.mounted = false;
            Host.execChecked(TOOL_TIMEOUT, List.of(mount.toString(), "-t", "ext4", bdev, dir.toString()));
            demo.mounted = true;
            t0 = System.nanoTime();
            List<String> readSums = readFiles(dir);
            Duration readTime = Duration.ofNanos(System.nanoTime() - t0);
            int matching = 0;
            for (int i = 0; i < FILES; i++) {
                if (sums.get(i).equals(readSums.get(i))) {
                    matching++;
                }
            }
            if (matching != FILES) {
                throw CliException.failure("demo: after a remount only " + matching + " of " + FILES
                        + " files read back with the SHA-256 they were written with");
            }
            step(out, "read back", "after a remount, all " + FILES + " SHA-256 sums match, in " + seconds(readTime)
                    + " (" + rate((long) FILES * FILE_BYTES, readTime) + ")");

            Host.execChecked(TOOL_TIMEOUT, List.of(umount.toString(), dir.toString()));
            demo.mounted = false;
            Files.deleteIfExists(dir);
            demo.dir = null;
            step(out, "umount", "unmounted, " + dir + " removed");

            r = Host.exec(TOOL_TIMEOUT, List.of(fsck.toString(), "-f", "-n", bdev));
            if (r.status() != 0) {
                throw CliException.failure("demo: fsck.ext4 -f -n " + bdev + " found problems (status " + r.status() + "):\n"
                        + r.tail());
            }
            step(out, "fsck.ext4", "-f -n: clean, in " + seconds(r.elapsed()) + lastLine(r.stdout()));

            if (fio != null && "1".equals(System.getenv("JUBLK_IN_VM"))) {
                step(out, "note", "inside the jublk test VM (QEMU): the figures below say little about real hardware");
            }
            if (fio == null) {
                step(out, "fio", noFio ? "skipped (--no-fio)" : "skipped: fio is not installed");
            } else {
                for (String rw : List.of("randread", "randwrite")) {
                    r = Host.execChecked(TOOL_TIMEOUT.plusSeconds(fioSeconds),
                            Fio.command(fio.toString(), bdev, rw, fioSeconds, 32));
                    Fio.Result res;
                    try {
                        res = Fio.parse(r.stdout(), rw);
                    } catch (IllegalArgumentException e) {
                        throw CliException.failure("demo: cannot read fio's report: " + e.getMessage());
                    }
                    step(out, "fio", "4k " + res.summary() + " (io_uring, direct, qd 32, " + fioSeconds + " s)");
                }
            }

            int id = dev.id();
            demo.cleanup();
            if (demo.failed) {
                throw CliException.failure("demo: cleaning up failed (see above)");
            }
            step(out, "del", "dev " + id + " stopped and deleted");
            out.println("demo passed");
            return 0;
        } finally {
            demo.cleanup();
            ShutdownHooks.remove(hook);
        }
    }

    /** What the demo holds, released once by whoever gets there first (the demo, or the shutdown hook on SIGINT). */
    private static final class Demo {
        private final Path umount;
        private final PrintStream err;
        volatile MemTarget target;
        volatile UblkDevice device;
        volatile Path dir;
        volatile boolean mounted;
        boolean done;
        boolean failed;

        Demo(Path umount, PrintStream err) {
            this.umount = umount;
            this.err = err;
        }

        synchronized void cleanup() {
            if (done) {
                return;
            }
            done = true;
            if (mounted) {
                try {
                    Host.ExecResult r = Host.exec(TOOL_TIMEOUT, List.of(umount.toString(), dir.toString()));
                    if (r.status() != 0) {
                        Host.exec(TOOL_TIMEOUT, List.of(umount.toString(), "-l", dir.toString()));
                    }
                } catch (CliException e) {
                    failed = true;
                    Main.printLines(err, "demo: unmounting " + dir + ": " + e.getMessage());
                }
            }
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    Main.printLines(err, "demo: removing " + dir + ": " + e);
                }
            }
            if (device != null) {
                try {
                    device.close();
                } catch (UblkException e) {
                    failed = true;
                    Main.printLines(err, "demo: deleting dev " + device.id() + ": " + e.getMessage());
                }
            }
            if (target != null) {
                target.close();
            }
        }
    }

    private static Path require(String tool) throws CliException {
        Path p = Host.which(tool);
        if (p == null) {
            throw CliException.failure("demo needs " + tool + ", which is not installed (Debian: apt-get install "
                    + (tool.contains("ext4") ? "e2fsprogs" : "mount") + ")");
        }
        return p;
    }

    private static void step(PrintStream out, String what, String result) {
        out.printf("  %-10s %s%n", what, result);
        out.flush();
    }

    /** @return the files' contents: random bytes, made before the clock starts */
    private static byte[][] randomContents() {
        SplittableRandom random = new SplittableRandom(System.nanoTime());
        byte[][] contents = new byte[FILES][FILE_BYTES];
        for (byte[] data : contents) {
            for (int off = 0; off < data.length; off += 8) {
                long v = random.nextLong();
                for (int b = 0; b < 8; b++) {
                    data[off + b] = (byte) (v >>> (8 * b));
                }
            }
        }
        return contents;
    }

    /** Writes the files, each fsync'd. */
    private static void writeFiles(Path dir, byte[][] contents) throws IOException {
        for (int i = 0; i < contents.length; i++) {
            Path f = dir.resolve(String.format(Locale.ROOT, "file-%02d.bin", i));
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream os = java.nio.channels.Channels.newOutputStream(ch)) {
                os.write(contents[i]);
                os.flush();
                ch.force(true);
            }
        }
    }

    private static List<String> readFiles(Path dir) throws IOException {
        List<String> sums = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        for (int i = 0; i < FILES; i++) {
            MessageDigest md = sha256();
            try (InputStream in = Files.newInputStream(dir.resolve(String.format(Locale.ROOT, "file-%02d.bin", i)))) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            sums.add(HexFormat.of().formatHex(md.digest()));
        }
        return sums;
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }

    private static String rate(long bytes, Duration d) {
        double s = Math.max(d.toNanos(), 1) / 1e9;
        return String.format(Locale.ROOT, "%.0f MiB/s", bytes / s / (1 << 20));
    }

    private static String lastLine(String text) {
        List<String> lines = Arrays.stream(text.strip().split("\n")).filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : " (" + lines.getLast().trim() + ")";
    }
}
