// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spellings jublk shares with ublksrv's {@code ublk}, rublk, kublk and blktests' scripts:
 * {@code -t loop}, {@code -f FILE}, {@code -r [0|1]}, {@code -e 1}, {@code -i 1}, {@code del -a}, and
 * {@code recover} taking the options of {@code add} again.
 */
class FamilySpellingsTest {
    @TempDir
    Path dir;
    private Path image;

    @BeforeEach
    void makeImage() throws Exception {
        image = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
    }

    private static AddCommand add(String... argv) throws CliException {
        return (AddCommand) Cli.parse(Cli.verb("add"), List.of(argv));
    }

    private static AddSettings settings(String... argv) throws CliException {
        return add(argv).options.settings(false);
    }

    private static String usageError(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(CliException.USAGE, status, said);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals(1, said.lines().count(), said);
        assertTrue(said.startsWith("jublk: ") && said.strip().endsWith(" --help')"), said);
        return said.strip();
    }

    @Test
    void shouldAddWhatBlktestsAdds() throws CliException {
        AddSettings nullDev = settings("-t", "null", "-n", "0", "-r");
        assertEquals(TargetKind.NULL, nullDev.target());
        assertEquals(0, nullDev.id());
        assertEquals(Recovery.REISSUE, nullDev.recovery(), "-r alone: recovery on, as --recovery alone");
        AddSettings loop = settings("-t", "loop", "-f", image.toString(), "-n", "0", "-r");
        assertEquals(TargetKind.FILE, loop.target(), "loop is the file target");
        assertEquals(image, loop.spec().path());
        assertFalse(loop.spec().readOnly(), "-r is recovery, not read-only");
        assertEquals(Recovery.REISSUE, loop.recovery());
        assertEquals(loop, AddOptions.read(loop.asOptions()), "passed on unchanged");
    }

    @Test
    void shouldReadRecoveryAsTheOtherServersSpellIt() throws CliException {
        assertEquals(Recovery.REISSUE, settings("-t", "null", "-r", "1").recovery());
        assertEquals(Recovery.OFF, settings("-t", "null", "-r", "0").recovery());
        assertEquals(Recovery.OFF, settings("-t", "null").recovery());
        assertEquals(Recovery.FAIL_IO, settings("-t", "null", "-r", "1", "-e", "1").recovery());
        assertEquals(Recovery.FAIL_IO, settings("-t", "null", "-e", "1").recovery(), "-e 1 turns recovery on");
        assertEquals(Recovery.REISSUE, settings("-t", "null", "-r", "-i", "1").recovery());
        assertEquals(Recovery.FAIL_IN_FLIGHT, settings("-t", "null", "-r", "1", "-i", "0").recovery());
        assertEquals(Recovery.REISSUE, settings("-t", "null", "-r", "-e", "0").recovery());
        assertEquals(Recovery.FAIL_IO, settings("-t", "null", "--recovery=fail-io", "-e", "1").recovery());
        assertEquals(Recovery.FAIL_IN_FLIGHT, settings("-t", "null", "--recovery", "fail-in-flight").recovery());
        assertEquals(Recovery.OFF, settings("-t", "null", "-e", "0").recovery());
    }

    @Test
    void shouldKeepTheSharedLettersMeaningWhatTheyMeant() throws CliException {
        AddSettings s = settings("-t", "loop", "-f", image.toString(), "-q", "2", "-d", "64", "-n", "3", "-z");
        assertEquals(2, s.queues());
        assertEquals(64, s.depth());
        assertEquals(3, s.id());
        assertTrue(s.fastestZeroCopy());
        assertEquals(DataMode.USER_COPY, settings("-t", "null", "-u").mode());
        assertEquals(image, settings("-t", "file", "-p", image.toString()).spec().path(), "-p stays");
        assertEquals(image, settings("-t", "file", "--path", image.toString()).spec().path(), "--path stays");
    }

    @Test
    void shouldTakeForegroundAndReadOnlyOnlyInFull() throws CliException {
        AddCommand a = add("-t", "file", "-f", image.toString(), "--foreground", "--read-only");
        assertTrue(a.foreground);
        assertTrue(a.options.settings(false).spec().readOnly());
        assertFalse(add("-t", "null").foreground);
        assertEquals("jublk: add: option -f/-p/--path needs a value (FILE) (see 'jublk add --help')",
                usageError("add", "-t", "null", "-f"));
    }

    @Test
    void shouldDeleteEveryDeviceWithDashA() throws CliException {
        assertTrue(((DelCommand) Cli.parse(Cli.verb("del"), List.of("-a"))).all);
        assertTrue(((DelCommand) Cli.parse(Cli.verb("del"), List.of("--all"))).all);
        assertEquals("jublk: del: give -n ID or --all, not both (see 'jublk del --help')", usageError("del", "-a", "-n", "1"));
    }

    @Test
    void shouldLetRecoverTakeTheAddOptionsAgainAndRefuseOtherTargets() throws CliException {
        AddSettings saved = settings("-t", "loop", "-f", image.toString(), "-n", "0", "-r");
        RecoverCommand same = (RecoverCommand) Cli.parse(Cli.verb("recover"),
                List.of("-t", "loop", "-f", image.toString(), "-n", "0", "-r", "-q", "4"));
        assertEquals("0", same.added.number);
        same.added.requireSameTarget(0, saved);
        RecoverCommand plain = (RecoverCommand) Cli.parse(Cli.verb("recover"), List.of("-n", "0", "--foreground"));
        assertTrue(plain.foreground);
        plain.added.requireSameTarget(0, saved);

        RecoverCommand other = (RecoverCommand) Cli.parse(Cli.verb("recover"), List.of("-t", "null", "-n", "0"));
        CliException e = assertThrows(CliException.class, () -> other.added.requireSameTarget(0, saved));
        assertTrue(e.isUsage());
        assertEquals("dev 0 was added with -t file, not -t null; recover serves it as it was added: leave the option out",
                e.getMessage());
        RecoverCommand unknown = (RecoverCommand) Cli.parse(Cli.verb("recover"), List.of("-t", "floppy", "-n", "0"));
        CliException u = assertThrows(CliException.class, () -> unknown.added.requireSameTarget(0, saved));
        assertEquals("recover", u.command(), "the help to point at is recover's");
        RecoverCommand elsewhere = (RecoverCommand) Cli.parse(Cli.verb("recover"), List.of("-f", "/srv/other.img", "-n", "0"));
        assertEquals("dev 0 was added with the backing file " + image + ", not /srv/other.img; recover serves it as it was"
                + " added: leave the option out", assertThrows(CliException.class,
                () -> elsewhere.added.requireSameTarget(0, saved)).getMessage());
    }

    @Test
    void shouldRefuseBadFamilySpellingsAsUsageErrors() {
        assertEquals("jublk: add: option -e/--recovery-fail-io: '2' is not 0 or 1 (see 'jublk add --help')",
                usageError("add", "-t", "null", "-e", "2"));
        assertEquals("jublk: add: give -e 1 (fail-io) or -i 1 (reissue), not both (see 'jublk add --help')",
                usageError("add", "-t", "null", "-e", "1", "-i", "1"));
        assertEquals("jublk: add: -r 0 turns recovery off, but -e/-i ask for fail-io: leave out one or the other"
                + " (see 'jublk add --help')", usageError("add", "-t", "null", "-r", "0", "-e", "1"));
        assertEquals("jublk: add: --recovery=fail-io and -e/-i (reissue) ask for different recovery modes: give one"
                + " (see 'jublk add --help')", usageError("add", "-t", "null", "--recovery=fail-io", "-i", "1"));
        assertEquals("jublk: add: unknown recovery mode '2': use reissue, fail-in-flight, fail-io or off (or 1 and 0)"
                + " (see 'jublk add --help')", usageError("add", "-t", "null", "-r", "2"));
        assertEquals("jublk: add: unknown target type 'floppy': use one of null, mem, file, nbd (see 'jublk add --help')",
                usageError("add", "-t", "floppy"));
        assertEquals("jublk: recover: unknown option '--bogus' (see 'jublk recover --help')",
                usageError("recover", "-n", "0", "--bogus"));
        assertEquals("jublk: add: unknown option '-x' (see 'jublk add --help')", usageError("add", "-t", "null", "-x"));
    }
}
