// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How picocli reads a verb's options, and how jublk words what it cannot read. */
class CliTest {
    private static StatsCommand stats(String... argv) throws CliException {
        return (StatsCommand) Cli.parse(Cli.verb("stats"), List.of(argv));
    }

    private static String usageError(String... argv) {
        CliException e = assertThrows(CliException.class, () -> stats(argv));
        assertTrue(e.isUsage(), e.getMessage());
        assertEquals("stats", e.command());
        return e.getMessage();
    }

    @Test
    void shouldAcceptEveryValueSpelling() throws CliException {
        for (List<String> spelling : List.of(List.of("--number", "3"), List.of("--number=3"), List.of("-n", "3"), List.of("-n3"))) {
            assertEquals("3", stats(spelling.toArray(String[]::new)).number, spelling.toString());
        }
    }

    @Test
    void shouldReadFlagsAndOptionalValues() throws CliException {
        StatsCommand s = stats("--json", "-n", "1");
        assertTrue(s.json);
        assertNull(s.watch);
        assertNull(s.count);
        assertEquals("1", stats("--watch").watch, "the interval left out is 1 s");
        assertEquals("5", stats("--watch=5").watch);
        assertFalse(stats().json);
    }

    @Test
    void shouldSayWhatIsWrongInJublksWords() {
        assertEquals("unknown option '--bogus'", usageError("--bogus"));
        assertEquals("unknown option '-x'", usageError("-x"));
        assertEquals("option -n/--number needs a value (ID)", usageError("--number"));
        assertEquals("option -n/--number needs a non-empty value (ID)", usageError("--number="));
        assertEquals("option -w/--watch has an empty value: give --watch alone or --watch=SECONDS", usageError("--watch="));
        assertEquals("option --json takes no value", usageError("--json=yes"));
        assertEquals("option -n/--number is given twice", usageError("-n", "1", "--number=2"));
        assertEquals("unexpected argument 'extra'", usageError("extra"));
        assertEquals("unexpected argument '--json'", usageError("--", "--json"));
    }

    @Test
    void shouldKnowEveryVerbAndNoOther() {
        assertEquals(List.of("add", "del", "stop", "list", "recover", "quiesce", "update-size", "stats", "features", "demo", "owners"), Cli.verbNames());
        assertNull(Cli.verb("frob"));
        assertNull(Cli.verb("help"), "help is Main's, not a verb to parse");
    }
}
