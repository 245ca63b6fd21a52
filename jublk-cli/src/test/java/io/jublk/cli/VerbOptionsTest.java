// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** update-size, del --safe/--async and add --cpus: bad input is a usage error before any device is touched. */
class VerbOptionsTest {
    private static void assertUsageError(String expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(CliException.USAGE, status, errText);
        assertEquals(expected, errText.lines().findFirst().orElse(""));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseUpdateSizeWithoutADeviceOrASize() {
        assertUsageError("jublk: update-size: which device? give -n ID (see 'jublk update-size --help')", "update-size", "-s", "1G");
        assertUsageError("jublk: update-size: what size? give -s SIZE, e.g. -s 2G (see 'jublk update-size --help')",
                "update-size", "-n", "0");
        assertUsageError("jublk: update-size: option -n/--number: 'x' is not a whole number (see 'jublk update-size --help')",
                "update-size", "-n", "x", "-s", "1G");
    }

    @Test
    void shouldRefuseUpdateSizeWithABadSize() {
        assertUsageError("jublk: update-size: option -s/--size: size '0' is zero: give a positive size"
                + " (see 'jublk update-size --help')", "update-size", "-n", "0", "-s", "0");
        assertUsageError("jublk: update-size: option -s/--size: size '1.1K' is not a whole number of bytes"
                + " (see 'jublk update-size --help')", "update-size", "-n", "0", "-s", "1.1K");
        String notASize = "jublk: update-size: option -s/--size: 'big' is not a size";
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(new String[] {"update-size", "-n", "0", "-s", "big"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(notASize), err.toString(StandardCharsets.UTF_8));
        assertUsageError("jublk: update-size: unknown option '--grow' (see 'jublk update-size --help')",
                "update-size", "-n", "0", "--grow", "1G");
    }

    @Test
    void shouldRefuseSafeOrAsyncDelAndStopWithoutADevice() {
        assertUsageError("jublk: del: which device? give -n ID or --all (see 'jublk del --help')", "del", "--safe");
        assertUsageError("jublk: del: which device? give -n ID or --all (see 'jublk del --help')", "del", "--async");
        assertUsageError("jublk: del: option --safe takes no value (see 'jublk del --help')", "del", "-n", "0", "--safe=yes");
        assertUsageError("jublk: stop: which device? give -n ID (see 'jublk stop --help')", "stop", "--safe");
        assertUsageError("jublk: stop: unknown option '--async' (see 'jublk stop --help')", "stop", "-n", "0", "--async");
    }

    @Test
    void shouldRefuseCpusThatAreNoCpus() {
        assertUsageError("jublk: add: option --cpus: 'x' in CPU list 'x' is no CPU number (give none, kernel, or CPU lists"
                + " one per queue such as 0-1:2-3) (see 'jublk add --help')", "add", "-t", "null", "--cpus", "x");
        assertUsageError("jublk: add: option --cpus: CPU range 3-1 in '3-1' runs backwards (give none, kernel, or CPU lists"
                + " one per queue such as 0-1:2-3) (see 'jublk add --help')", "add", "-t", "null", "--cpus", "3-1");
        assertUsageError("jublk: add: option --cpus: empty CPU list: give CPU numbers and ranges such as 0-3,8 (give none,"
                + " kernel, or CPU lists one per queue such as 0-1:2-3) (see 'jublk add --help')",
                "add", "-t", "null", "--cpus", "0-1:");
        assertUsageError("jublk: add: option --cpus needs a non-empty value (SPEC) (see 'jublk add --help')",
                "add", "-t", "null", "--cpus=");
    }

    @Test
    void shouldKeepCpusInTheSavedOptions() throws CliException {
        AddSettings pinned = AddOptions.read(List.of("-t", "null", "-q", "3", "--cpus", "0-1:2,3"));
        assertEquals("0-1:2-3", pinned.cpus());
        assertTrue(pinned.asOptions().containsAll(List.of("--cpus", "0-1:2-3")), pinned.asOptions().toString());
        assertEquals(pinned, AddOptions.read(pinned.asOptions()), "recover pins the threads as add did");
        AddSettings kernel = AddOptions.read(List.of("-t", "null", "--cpus", "kernel"));
        assertEquals("kernel", kernel.cpus());
        assertEquals(kernel, AddOptions.read(kernel.asOptions()));
        AddSettings free = AddOptions.read(List.of("-t", "null"));
        assertTrue(free.affinity().isNone());
        assertTrue(!free.asOptions().contains("--cpus"), "no --cpus when threads run anywhere: " + free.asOptions());
    }
}
