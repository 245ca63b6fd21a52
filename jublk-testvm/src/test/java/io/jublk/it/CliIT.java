package io.jublk.it;

import io.jublk.cli.Main;
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
