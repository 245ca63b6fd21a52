// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -v and --verbose before the command show more of the library's log, one 'jublk:' line a record. */
class VerbosityTest {
    private static final System.Logger DEVICE_LOG = System.getLogger("io.jublk.device");

    @AfterEach
    void quietAgain() {
        CliLogging.configure(0, System.err);
    }

    @Test
    void shouldCountEachVerboseOptionBeforeTheCommand() {
        assertEquals(new Main.Verbosity(0, List.of("list")), Main.Verbosity.parse(List.of("list")));
        assertEquals(new Main.Verbosity(1, List.of("list", "--json")), Main.Verbosity.parse(List.of("-v", "list", "--json")));
        assertEquals(new Main.Verbosity(2, List.of("add")), Main.Verbosity.parse(List.of("-vv", "add")));
        assertEquals(new Main.Verbosity(3, List.of("del", "-n", "0")), Main.Verbosity.parse(List.of("--verbose", "-vv", "del", "-n", "0")));
        assertEquals(new Main.Verbosity(1, List.of()), Main.Verbosity.parse(List.of("-v")));
    }

    @Test
    void shouldLeaveEverythingFromTheCommandOnToIt() {
        assertEquals(new Main.Verbosity(0, List.of("add", "-v")), Main.Verbosity.parse(List.of("add", "-v")));
        assertEquals(new Main.Verbosity(0, List.of("-vx", "list")), Main.Verbosity.parse(List.of("-vx", "list")));
        assertEquals(new Main.Verbosity(0, List.of("-", "list")), Main.Verbosity.parse(List.of("-", "list")));
    }

    @Test
    void shouldMapTheCountToALevel() {
        assertEquals(Level.WARNING, CliLogging.level(0));
        assertEquals(Level.INFO, CliLogging.level(1));
        assertEquals(Level.FINE, CliLogging.level(2));
        assertEquals(Level.ALL, CliLogging.level(3));
    }

    @Test
    void shouldShowOnlyWarningsByDefault() {
        String err = logAfter("--version");
        assertEquals("jublk: device 3: could not set the IO scheduler: java.io.IOException: Permission denied\n", err);
    }

    @Test
    void shouldShowTheLifecycleWithOneV() {
        String err = logAfter("-v", "--version");
        assertEquals("jublk: device 3 started: /dev/ublkb3\n"
                + "jublk: device 3: could not set the IO scheduler: java.io.IOException: Permission denied\n", err);
    }

    @Test
    void shouldShowDebugRecordsWithTwo() {
        String err = logAfter("-vv", "--version");
        assertTrue(err.startsWith("jublk: device 3 queue 0: terminated\njublk: device 3 started"), err);
    }

    @Test
    void shouldRefuseAnUnknownOptionAfterTheVerboseOnes() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"-v", "-x"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(CliException.USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("jublk: unknown option '-x'"), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the command line, then logs as the library would; returns what reached the error stream. */
    private static String logAfter(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        DEVICE_LOG.log(System.Logger.Level.DEBUG, "device 3 queue 0: terminated");
        DEVICE_LOG.log(System.Logger.Level.INFO, "device 3 started: /dev/ublkb3");
        DEVICE_LOG.log(System.Logger.Level.WARNING, "device 3: could not set the IO scheduler", new java.io.IOException("Permission denied"));
        return err.toString(StandardCharsets.UTF_8);
    }
}
