// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.DataMode;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jublk.it.CliRun.jublk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jublk command on the real driver: a background server's whole life, the demo, and bad input. */
@Timeout(900)
class CliIT {


    @Test
    void shouldAddListServeAndDeleteABackgroundDevice() throws Exception {
        CliRun features = jublk("features");
        assertEquals(0, features.status(), features.err());
        assertTrue(features.out().contains("UBLK_F_USER_COPY"), features.out());

        CliRun add = jublk("add", "-t", "mem", "-s", "128M", "-q", "2", "-d", "64", "--io-scheduler", "mq-deadline");
        assertEquals(0, add.status(), add.err());
        Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(add.out());
        assertTrue(m.find(), add.out());
        int id = Integer.parseInt(m.group(1));
        String bdev = m.group(2);
        try {
            CliRun list = jublk("list", "--json");
            assertEquals(0, list.status(), list.err());
            assertTrue(list.out().contains("\"id\": " + id) || list.out().contains("\"id\":" + id), list.out());
            assertTrue(list.out().contains("\"mem\""), list.out());
            CliRun block = jublk("list", "-n", String.valueOf(id));
            assertEquals(0, block.status(), block.err());
            assertTrue(block.out().startsWith("dev id " + id + ": nr_hw_queues 2 queue_depth 64 block size 512 dev_capacity "
                    + ((128L << 20) >> 9) + "\n"), block.out());
            assertTrue(block.out().matches("(?s).*\tmax rq size \\d+ daemon pid \\d+ flags 0x[0-9a-f]+ state LIVE\n.*"), block.out());
            String scheduler = Files.readString(Path.of("/sys/block/ublkb" + id + "/queue/scheduler"));
            assertTrue(scheduler.contains("[mq-deadline]"), "the scheduler asked for: " + scheduler);
            System.out.println(Commands.fioVerify(bdev, 32L << 20, 32, 2));
            assertStatsCountWhatFioDid(id);
        } finally {
            CliRun del = jublk("del", "-n", String.valueOf(id));
            assertEquals(0, del.status(), del.err());
        }
        assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
        CliRun gone = jublk("stats", "-n", String.valueOf(id));
        assertEquals(1, gone.status(), gone.out());
        assertTrue(gone.err().contains("has no published counters"), gone.err());
        assertFalse(Files.exists(Path.of(bdev)));
        String servers = Commands.run(10, "pgrep", "-f", "io.jublk.cli.Main add").output().strip();
        assertEquals("", servers, "no server process left");
    }

    /**
     * The server publishes its counters each second: after fio wrote the device whole and read it
     * back, {@code jublk stats} counts at least those bytes each way, and {@code --watch} reports rates.
     */
    private static void assertStatsCountWhatFioDid(int id) throws Exception {
        Thread.sleep(1500);   // one more publication after fio's last request
        CliRun json = jublk("stats", "-n", String.valueOf(id), "--json");
        assertEquals(0, json.status(), json.err());
        Matcher total = Pattern.compile("\"total\": \\{\"queue\": -1, \"read\": \\{\"requests\": (\\d+), \"bytes\": (\\d+)\\},"
                + " \"write\": \\{\"requests\": (\\d+), \"bytes\": (\\d+)\\}").matcher(json.out());
        assertTrue(total.find(), json.out());
        assertTrue(Long.parseLong(total.group(2)) >= 32L << 20, "fio read the device back: " + json.out());
        assertTrue(Long.parseLong(total.group(4)) >= 32L << 20, "fio wrote the device whole: " + json.out());
        assertTrue(Long.parseLong(total.group(1)) > 0 && Long.parseLong(total.group(3)) > 0, json.out());
        assertTrue(json.out().contains("\"errors\": 0,"), json.out());

        CliRun text = jublk("stats", "-n", String.valueOf(id));
        assertEquals(0, text.status(), text.err());
        System.out.println("jublk stats -n " + id + " after fio:\n" + text.out());
        assertTrue(text.out().contains("served by process") && text.out().contains("service time: mean"), text.out());

        CliRun watch = jublk("stats", "-n", String.valueOf(id), "--watch=1", "--count", "2");
        assertEquals(0, watch.status(), watch.err());
        assertEquals(4, watch.out().strip().lines().count(), "a heading, the columns and two reports: " + watch.out());
    }

    /** {@code --zero-copy}: the best zero copy the kernel has; copy-application-buffers: the file's own pages. */
    @ParameterizedTest
    @CsvSource({"--zero-copy,", "--data-mode,copy-application-buffers"})
    void shouldServeAFileInTheDataModeAskedFor(String option, String value) throws Exception {
        Path image = Files.createTempFile(Path.of("/tmp"), "jublk-cli", ".img");
        try {
            Commands.check(30, "truncate", "-s", "96M", image.toString());
            List<String> command = new ArrayList<>(List.of("add", "-t", "file", "--path", image.toString(), option));
            if (value != null) {
                command.add(value);
            }
            command.addAll(List.of("-q", "2", "-d", "64"));
            CliRun add = jublk(command.toArray(String[]::new));
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
            assertEquals(value != null ? value : DataMode.fastest(features, true).cliName(), mode,
                    "the mode asked for, or with --zero-copy the best this kernel offers");
            if (value == null && !DataMode.fastest(features, true).isZeroCopy()) {
                // Before Linux 6.15 (UBLK_F_SUPPORT_ZERO_COPY) --zero-copy falls back to a copy mode and says so.
                assertTrue(add.err().contains("jublk: note: this kernel's ublk driver has no zero copy"), add.err());
            }
            try {
                CliRun list = jublk("list", "--json");
                assertEquals(0, list.status(), list.err());
                assertTrue(list.out().contains("\"file\""), list.out());
                assertTrue(list.out().contains("\"" + mode + "\""), "list shows the data mode: " + list.out());
                System.out.println(Commands.fioVerify(bdev, 48L << 20, 32, 2));
                Commands.check(60, "sh", "-c", "head -c 8M /dev/urandom > " + image + ".pattern");
                Commands.check(60, "dd", "if=" + image + ".pattern", "of=" + bdev, "bs=1M", "seek=80", "oflag=direct",
                        "conv=fsync", "status=none");
            } finally {
                CliRun del = jublk("del", "-n", String.valueOf(id));
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
            CliRun add = jublk("add", "-t", "nbd", "--url", url, "-q", "2", "-d", "32", "--recovery");
            assertEquals(0, add.status(), add.err());
            Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+) \\(nbd " + Pattern.quote(url) + ", 64 MiB").matcher(add.out());
            assertTrue(m.find(), add.out());
            id = Integer.parseInt(m.group(1));
            String bdev = m.group(2);
            Matcher pid = Pattern.compile("server pid (\\d+)").matcher(add.out());
            assertTrue(pid.find(), add.out());
            CliRun list = jublk("list", "--json");
            assertTrue(list.out().contains("\"nbd\""), list.out());
            System.out.println(Commands.fioVerify(bdev, 32L << 20, 16, 2));

            Commands.check(60, "sh", "-c", "head -c 4M /dev/urandom > " + dir + "/pattern");
            Commands.check(60, "dd", "if=" + dir + "/pattern", "of=" + bdev, "bs=1M", "seek=40", "oflag=direct", "conv=fsync",
                    "status=none");
            Commands.check(10, "kill", "-9", pid.group(1));
            ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent(h -> h.onExit().join());
            CliRun recover = jublk("recover", "-n", String.valueOf(id));
            assertEquals(0, recover.status(), recover.err());
            String expected = Commands.check(60, "sh", "-c", "sha256sum < " + dir + "/pattern").split(" ")[0];
            assertEquals(expected, Commands.check(60, "sh", "-c", "dd if=" + bdev + " bs=1M skip=40 count=4 iflag=direct"
                    + " status=none | sha256sum").split(" ")[0], "read back through the recovered device");
            assertEquals(expected, Commands.check(60, "sh", "-c", "dd if=" + image + " bs=1M skip=40 count=4 status=none"
                    + " | sha256sum").split(" ")[0], "the export holds it");
        } finally {
            if (id >= 0) {
                CliRun del = jublk("del", "-n", String.valueOf(id));
                assertEquals(0, del.status(), del.err());
            }
            qemuNbd.destroyForcibly();
            qemuNbd.waitFor();
        }
    }

    @Test
    void shouldRunTheDemo() {
        CliRun demo = jublk("demo");
        System.out.println(demo.out());
        assertEquals(0, demo.status(), demo.err());
        assertTrue(demo.out().contains("fsck.ext4"), demo.out());
    }

    /** Runs the CLI as uid 65534 in its own JVM, for the cases that depend on who asks. */
    private static CliRun jublkAsNobody(String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", CliRun.classPathForAnyUser(), "io.jublk.cli.Main"));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new CliRun(p.waitFor(), out, err);
    }

    private static List<String> runDirFiles() throws Exception {
        Path dir = Path.of("/run/jublk");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            // A live server rewrites its counters each second through a .tmp file; that is not something left behind.
            return s.map(Path::toString).filter(name -> !name.endsWith(".tmp")).sorted().toList();
        }
    }

    /**
     * What blktests runs for ublk: {@code add -t loop -f IMG -n N -r}, a killed server, {@code recover}
     * with the add options repeated, and {@code del -a}.
     */
    @Test
    void shouldServeTheOtherUblkServersSpellingsAsBlktestsRunsThem() throws Exception {
        Path image = Files.createTempFile(Path.of("/tmp"), "jublk-family", ".img");
        Path pattern = Files.createTempFile(Path.of("/tmp"), "jublk-family", ".pattern");
        Commands.check(30, "truncate", "-s", "64M", image.toString());
        try {
            CliRun add = jublk("add", "-t", "loop", "-f", image.toString(), "-n", "40", "-r");
            assertEquals(0, add.status(), add.err());
            assertTrue(add.out().contains("dev 40: /dev/ublkb40 (file " + image), add.out());
            Matcher pid = Pattern.compile("server pid (\\d+)").matcher(add.out());
            assertTrue(pid.find(), add.out());
            try (UblkControl ctl = UblkControl.open()) {
                UblkDeviceInfo info = ctl.deviceInfo(40);
                assertTrue(info.has(UblkFeature.USER_RECOVERY) && info.has(UblkFeature.USER_RECOVERY_REISSUE),
                        "-r alone is recovery with reissue");
                assertFalse(info.has(UblkFeature.USER_RECOVERY_FAIL_IO));
            }
            CliRun nullDev = jublk("add", "-t", "null", "-n", "41", "-r");
            assertEquals(0, nullDev.status(), nullDev.err());

            Commands.check(60, "sh", "-c", "head -c 4M /dev/urandom > " + pattern);
            Commands.check(60, "dd", "if=" + pattern, "of=/dev/ublkb40", "bs=1M", "seek=8", "oflag=direct", "conv=fsync",
                    "status=none");
            Commands.check(10, "kill", "-9", pid.group(1));
            ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent(h -> h.onExit().join());
            awaitState(40, UblkCmd.UBLK_S_DEV_QUIESCED);

            CliRun other = jublk("recover", "-t", "null", "-n", "40");
            assertEquals(2, other.status(), other.err());
            assertTrue(other.err().contains("dev 40 was added with -t file, not -t null"), other.err());
            CliRun recover = jublk("recover", "-t", "loop", "-f", image.toString(), "-n", "40");
            assertEquals(0, recover.status(), recover.err());
            String expected = Commands.check(60, "sh", "-c", "sha256sum < " + pattern).split(" ")[0];
            assertEquals(expected, Commands.check(60, "sh", "-c", "dd if=/dev/ublkb40 bs=1M skip=8 count=4 iflag=direct"
                    + " status=none | sha256sum").split(" ")[0], "read back through the recovered device");

            CliRun del = jublk("del", "-a");
            assertEquals(0, del.status(), del.err());
            assertTrue(del.out().contains("dev 40: deleted") && del.out().contains("dev 41: deleted"), del.out());
            assertEquals(List.of(), UblkControl.deviceIds(), "del -a leaves no device");
        } finally {
            for (int id : List.of(40, 41)) {
                if (UblkControl.deviceIds().contains(id)) {
                    jublk("del", "-n", String.valueOf(id));
                }
            }
            Files.deleteIfExists(image);
            Files.deleteIfExists(pattern);
        }
    }

    /** The kernel quiesces a device once the dead server's rings are released, which may lag its exit. */
    private static void awaitState(int id, int wanted) throws Exception {
        for (int i = 0; i < 300; i++) {
            try (UblkControl ctl = UblkControl.open()) {
                if (ctl.deviceInfo(id).state() == wanted) {
                    return;
                }
            }
            Thread.sleep(100);
        }
    }

    @Test
    void shouldRefuseBadInputWithOneClearLineAndLeaveNothingBehind() throws Exception {
        Path secret = Files.createTempFile(Path.of("/tmp"), "jublk-secret", ".img");
        Commands.check(10, "truncate", "-s", "16M", secret.toString());
        Commands.check(10, "chmod", "0600", secret.toString());
        CliRun taken = jublk("add", "-t", "null", "-n", "77");
        assertEquals(0, taken.status(), taken.err());
        List<Integer> before = UblkControl.deviceIds();
        List<String> runFiles = runDirFiles();
        // {what is wrong, what the message must say, the command}; "nobody:" runs it as uid 65534.
        String[][] cases = {
                {"unknown target", "unknown target type 'bogus': use one of null, mem, file, nbd", "add", "-t", "bogus"},
                {"size zero", "size '0' is zero", "add", "-t", "mem", "-s", "0"},
                {"size not aligned", "device size 1000 is not a multiple of the logical block size 512", "add", "-t", "mem", "-s", "1000"},
                {"queues out of range", "option -q/--queues: 0 is out of range 1..4096", "add", "-t", "mem", "-q", "0"},
                {"depth out of range", "option -d/--depth: 5000 is out of range 1..4096", "add", "-t", "mem", "-d", "5000"},
                {"block size out of range", "option -b/--block-size: 256 is out of range 512..4096", "add", "-t", "mem", "-b", "256"},
                {"id already taken", "device 77 already exists", "add", "-t", "null", "-n", "77"},
                {"missing path", "the file target needs --path FILE", "add", "-t", "file"},
                {"path does not exist", "--path /tmp/no-such.img: no such file", "add", "-t", "file", "--path", "/tmp/no-such.img"},
                {"path is a directory", "--path /tmp is a directory", "add", "-t", "file", "--path", "/tmp"},
                {"path not readable", "is not readable by this user", "nobody:", "add", "-t", "file", "--path", secret.toString()},
                {"zero copy on a target without it", "the mem target has no zero copy", "add", "-t", "mem", "--zero-copy"},
                {"recovery on mem", "a recovered device would be empty", "add", "-t", "mem", "--recovery"},
                {"nbd URL malformed", "invalid NBD URI 'nbd:/x'", "add", "-t", "nbd", "--url", "nbd:/x"},
                {"nbd server unreachable", "cannot reach the NBD server at nbd://127.0.0.1:9/x", "add", "-t", "nbd", "--url",
                        "nbd://127.0.0.1:9/x"},
                {"unknown device on del", "there is no ublk device 999", "del", "-n", "999"},
                {"unknown device on recover", "there is no ublk device 999", "recover", "-n", "999"},
                {"recover a device without recovery", "was added without --recovery", "recover", "-n", "77"},
                {"unknown device on quiesce", "there is no ublk device 999", "quiesce", "-n", "999"},
                {"no permission", "add needs root, or write access to /dev/ublk-control", "nobody:", "add", "-t", "null"},
                {"scheduler name malformed", "--io-scheduler 'a/b' is not a scheduler name", "add", "-t", "null",
                        "--io-scheduler", "a/b"},
                {"unknown command", "unknown command 'frobnicate'", "frobnicate"},
        };
        StringBuilder table = new StringBuilder("| input | message |\n|---|---|\n");
        try {
            for (String[] c : cases) {
                boolean nobody = c[2].equals("nobody:");
                String[] args = java.util.Arrays.copyOfRange(c, nobody ? 3 : 2, c.length);
                CliRun r = nobody ? jublkAsNobody(args) : jublk(args);
                String what = c[0] + " (jublk " + String.join(" ", args) + ")";
                assertTrue(r.status() != 0, what + " exits non-zero");
                assertTrue(r.err().startsWith("jublk: "), what + ": " + r.err());
                assertEquals(1, r.err().strip().lines().count(), what + ": one line: " + r.err());
                assertTrue(r.err().contains(c[1]), what + ": " + r.err());
                assertEquals(before, UblkControl.deviceIds(), "no device left after " + what);
                assertEquals(runFiles, runDirFiles(), "no state or log file left after " + what);
                table.append("| ").append(c[0]).append(" | `").append(r.err().strip()).append("` |\n");
            }
        } finally {
            jublk("del", "-n", "77");
            Files.deleteIfExists(secret);
        }
        System.out.println(table);
    }
}
