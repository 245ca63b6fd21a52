package io.jublk.it;

import io.jublk.cli.Main;
import io.jublk.core.DataMode;
import io.jublk.core.UblkControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jublk command on the real driver: a background server's whole life, the demo, and bad input. */
@Timeout(900)
class CliIT {
    /** What one run of the command printed and returned. */
    record Run(int status, String out, String err) {
    }

    private static Run jublk(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldAddListServeAndDeleteABackgroundDevice() throws Exception {
        Run features = jublk("features");
        assertEquals(0, features.status(), features.err());
        assertTrue(features.out().contains("UBLK_F_USER_COPY"), features.out());

        Run add = jublk("add", "-t", "mem", "-s", "128M", "-q", "2", "-d", "64");
        assertEquals(0, add.status(), add.err());
        Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(add.out());
        assertTrue(m.find(), add.out());
        int id = Integer.parseInt(m.group(1));
        String bdev = m.group(2);
        try {
            Run list = jublk("list", "--json");
            assertEquals(0, list.status(), list.err());
            assertTrue(list.out().contains("\"id\": " + id) || list.out().contains("\"id\":" + id), list.out());
            assertTrue(list.out().contains("\"mem\""), list.out());
            System.out.println(Commands.fioVerify(bdev, 32L << 20, 32, 2));
        } finally {
            Run del = jublk("del", "-n", String.valueOf(id));
            assertEquals(0, del.status(), del.err());
        }
        assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
        assertFalse(Files.exists(Path.of(bdev)));
        String servers = Commands.run(10, "pgrep", "-f", "io.jublk.cli.Main add").output().strip();
        assertEquals("", servers, "no server process left");
    }

    @Test
    void shouldServeAFileWithTheBestZeroCopyTheKernelHas() throws Exception {
        Path image = Files.createTempFile(Path.of("/tmp"), "jublk-cli", ".img");
        try {
            Commands.check(30, "truncate", "-s", "96M", image.toString());
            Run add = jublk("add", "-t", "file", "--path", image.toString(), "--zero-copy", "-q", "2", "-d", "64");
            assertEquals(0, add.status(), add.err());
            Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+) \\(file " + Pattern.quote(image.toString())
                    + ", 96 MiB, 2 queues x 64, ([a-z-]+)\\)").matcher(add.out());
            assertTrue(m.find(), add.out());
            int id = Integer.parseInt(m.group(1));
            String bdev = m.group(2);
            String mode = m.group(3);
            long features;
            try (UblkControl ctl = UblkControl.open()) {
                features = ctl.features();
            }
            assertEquals(DataMode.fastest(features, true).cliName(), mode, "the best mode this kernel offers");
            try {
                Run list = jublk("list", "--json");
                assertEquals(0, list.status(), list.err());
                assertTrue(list.out().contains("\"file\""), list.out());
                assertTrue(list.out().contains("\"" + mode + "\""), "list shows the data mode: " + list.out());
                System.out.println(Commands.fioVerify(bdev, 48L << 20, 32, 2));
                Commands.check(60, "sh", "-c", "head -c 8M /dev/urandom > " + image + ".pattern");
                Commands.check(60, "dd", "if=" + image + ".pattern", "of=" + bdev, "bs=1M", "seek=80", "oflag=direct",
                        "conv=fsync", "status=none");
            } finally {
                Run del = jublk("del", "-n", String.valueOf(id));
                assertEquals(0, del.status(), del.err());
            }
            String expected = Commands.check(60, "sh", "-c", "sha256sum < " + image + ".pattern").split(" ")[0];
            String inFile = Commands.check(60, "sh", "-c", "dd if=" + image + " bs=1M skip=80 count=8 status=none | sha256sum")
                    .split(" ")[0];
            assertEquals(expected, inFile, "the file holds what was written through the device");
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(Path.of(image + ".pattern"));
        }
    }

    @Test
    void shouldServeAnNbdExportAndTakeItOverAfterTheServerIsKilled() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jublk-cli-nbd");
        Path image = dir.resolve("export.img");
        Path socket = dir.resolve("nbd.sock");
        Commands.check(30, "truncate", "-s", "64M", image.toString());
        Process qemuNbd = new ProcessBuilder("qemu-nbd", "-f", "raw", "-x", "disk", "-t", "-e", "8", "-k", socket.toString(),
                image.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("qemu-nbd.log").toFile()).start();
        int id = -1;
        try {
            for (int i = 0; i < 600 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            String url = "nbd+unix:///disk?socket=" + socket;
            Run add = jublk("add", "-t", "nbd", "--url", url, "-q", "2", "-d", "32", "--recovery");
            assertEquals(0, add.status(), add.err());
            Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+) \\(nbd " + Pattern.quote(url) + ", 64 MiB").matcher(add.out());
            assertTrue(m.find(), add.out());
            id = Integer.parseInt(m.group(1));
            String bdev = m.group(2);
            Matcher pid = Pattern.compile("server pid (\\d+)").matcher(add.out());
            assertTrue(pid.find(), add.out());
            Run list = jublk("list", "--json");
            assertTrue(list.out().contains("\"nbd\""), list.out());
            System.out.println(Commands.fioVerify(bdev, 32L << 20, 16, 2));

            Commands.check(60, "sh", "-c", "head -c 4M /dev/urandom > " + dir + "/pattern");
            Commands.check(60, "dd", "if=" + dir + "/pattern", "of=" + bdev, "bs=1M", "seek=40", "oflag=direct", "conv=fsync",
                    "status=none");
            Commands.check(10, "kill", "-9", pid.group(1));
            ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent(h -> h.onExit().join());
            Run recover = jublk("recover", "-n", String.valueOf(id));
            assertEquals(0, recover.status(), recover.err());
            String expected = Commands.check(60, "sh", "-c", "sha256sum < " + dir + "/pattern").split(" ")[0];
            assertEquals(expected, Commands.check(60, "sh", "-c", "dd if=" + bdev + " bs=1M skip=40 count=4 iflag=direct"
                    + " status=none | sha256sum").split(" ")[0], "read back through the recovered device");
            assertEquals(expected, Commands.check(60, "sh", "-c", "dd if=" + image + " bs=1M skip=40 count=4 status=none"
                    + " | sha256sum").split(" ")[0], "the export holds it");
        } finally {
            if (id >= 0) {
                Run del = jublk("del", "-n", String.valueOf(id));
                assertEquals(0, del.status(), del.err());
            }
            qemuNbd.destroyForcibly();
            qemuNbd.waitFor();
        }
    }

    @Test
    void shouldRunTheDemo() {
        Run demo = jublk("demo");
        System.out.println(demo.out());
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.out().contains("fsck.ext4"), demo.out());
    }

    @Test
    void shouldRefuseBadInputWithOneClearLineAndLeaveNothingBehind() throws Exception {
        List<Integer> before = UblkControl.deviceIds();
        String[][] cases = {
                {"unknown target type 'bogus'", "add", "-t", "bogus"},
                {"size '0' is zero", "add", "-t", "mem", "-s", "0"},
                {"not a multiple of the logical block size", "add", "-t", "mem", "-s", "1000"},
                {"--queues: 0 is out of range", "add", "-t", "mem", "-q", "0"},
                {"--depth: 5000 is out of range", "add", "-t", "mem", "-d", "5000"},
                {"--block-size: 256 is out of range", "add", "-t", "mem", "-b", "256"},
                {"unknown command 'frobnicate'", "frobnicate"},
                {"needs --path FILE", "add", "-t", "file"},
                {"/tmp/no-such.img: no such file", "add", "-t", "file", "--path", "/tmp/no-such.img"},
                {"the mem target has no zero copy", "add", "-t", "mem", "--zero-copy"},
                {"cannot reach the NBD server at nbd://127.0.0.1:9/x", "add", "-t", "nbd", "--url", "nbd://127.0.0.1:9/x"},
                {"invalid NBD URI", "add", "-t", "nbd", "--url", "nbd:/x"},
                {"999", "del", "-n", "999"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Run r = jublk(args);
            String what = String.join(" ", args);
            assertTrue(r.status() != 0, what + " exits non-zero");
            assertTrue(r.err().startsWith("jublk: "), what + ": " + r.err());
            assertTrue(r.err().toLowerCase().contains(c[0].toLowerCase()), what + ": " + r.err());
            assertEquals(before, UblkControl.deviceIds(), "devices after " + what);
        }
    }
}
