// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsTest {
    private static final List<Args.Option> OPTIONS = List.of(
            Args.Option.value("size", 's', "SIZE"),
            Args.Option.value("queues", 'q', "N"),
            Args.Option.flag("json", (char) 0),
            Args.Option.flag("foreground", 'f'));

    private static Args parse(String... argv) throws CliException {
        return Args.parse("add", OPTIONS, List.of(argv));
    }

    @Test
    void shouldAcceptEveryValueSpelling() throws CliException {
        assertEquals("1G", parse("--size", "1G").value("size"));
        assertEquals("1G", parse("--size=1G").value("size"));
        assertEquals("1G", parse("-s", "1G").value("size"));
        assertEquals("1G", parse("-s1G").value("size"));
    }

    @Test
    void shouldReadFlags() throws CliException {
        Args a = parse("--json", "-f");
        assertTrue(a.has("json"));
        assertTrue(a.has("foreground"));
        assertFalse(a.has("size"));
        assertNull(a.value("size"));
    }

    @Test
    void shouldRejectUnknownOptions() {
        CliException e = assertThrows(CliException.class, () -> parse("--bogus"));
        assertTrue(e.isUsage());
        assertEquals("unknown option '--bogus'", e.getMessage());
        assertEquals("add", e.command());
        assertEquals("unknown option '-x'", assertThrows(CliException.class, () -> parse("-x")).getMessage());
    }

    @Test
    void shouldRejectAMissingValue() {
        CliException e = assertThrows(CliException.class, () -> parse("--size"));
        assertEquals("option -s/--size needs a value (SIZE)", e.getMessage());
        assertThrows(CliException.class, () -> parse("--size="));
    }

    @Test
    void shouldRejectAValueOnAFlag() {
        assertEquals("option --json takes no value", assertThrows(CliException.class, () -> parse("--json=yes")).getMessage());
        assertThrows(CliException.class, () -> parse("-fx"));
    }

    @Test
    void shouldRejectRepeatsAndPositionals() {
        assertEquals("option -s/--size is given twice", assertThrows(CliException.class, () -> parse("-s", "1G", "--size=2G")).getMessage());
        assertEquals("unexpected argument 'extra'", assertThrows(CliException.class, () -> parse("extra")).getMessage());
        assertEquals("unexpected argument '--json'", assertThrows(CliException.class, () -> parse("--", "--json")).getMessage());
    }

    @Test
    void shouldCheckIntegersAndTheirRange() throws CliException {
        assertEquals(4, parse("-q", "4").intValue("queues", "-q/--queues", 1, 1, 8));
        assertEquals(1, parse().intValue("queues", "-q/--queues", 1, 1, 8));
        assertEquals("option -q/--queues: 'four' is not a whole number",
                assertThrows(CliException.class, () -> parse("-q", "four").intValue("queues", "-q/--queues", 1, 1, 8)).getMessage());
        assertEquals("option -q/--queues: 9 is out of range 1..8",
                assertThrows(CliException.class, () -> parse("-q", "9").intValue("queues", "-q/--queues", 1, 1, 8)).getMessage());
    }

    @Test
    void shouldReportBadSizesAsUsageErrors() throws CliException {
        assertEquals(1L << 30, parse("-s", "1G").sizeValue("size", "-s/--size", 0));
        CliException e = assertThrows(CliException.class, () -> parse("-s", "1Q").sizeValue("size", "-s/--size", 0));
        assertTrue(e.isUsage());
        assertTrue(e.getMessage().startsWith("option -s/--size: '1Q' is not a size"), e.getMessage());
    }

    @Test
    void shouldSeeHelpOnlyBeforeTheEndOfOptions() {
        assertTrue(Args.wantsHelp(List.of("-t", "mem", "--help")));
        assertTrue(Args.wantsHelp(List.of("-h")));
        assertFalse(Args.wantsHelp(List.of("--", "-h")));
        assertFalse(Args.wantsHelp(List.of("-t", "mem")));
    }
}
