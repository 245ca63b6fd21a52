// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.FaultTarget;
import io.jublk.targets.NullTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class MainTest {
    /** What one run printed and returned. */
    private record Run(int status, String out, String err) {
        void assertUsageError(String firstLine) {
            assertEquals(CliException.USAGE, status, err);
            assertEquals(firstLine, err.lines().findFirst().orElse(""));
            assertEquals("", out);
        }
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        if (status != 0) {
            assertTrue(r.err().lines().allMatch(l -> l.startsWith("jublk: ") || l.startsWith("usage:") || !r.err().startsWith("jublk")),
                    "error lines start with 'jublk: ': " + r.err());
        }
        return r;
    }

    @Test
    void shouldPrintUsageAndFailWithoutACommand() {
        Run r = run();
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("usage: jublk COMMAND"), r.err());
    }

    @Test
    void shouldPrintHelpOnRequest() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"})) {
            Run r = run(args);
            assertEquals(0, r.status());
            for (String command : List.of("add", "del", "list", "recover", "quiesce", "features", "demo", "help")) {
                assertTrue(r.out().contains("\n  " + command + " "), command + " in " + r.out());
            }
        }
    }

    @Test
    void shouldPrintEachCommandsHelp() {
        for (String command : List.of("add", "del", "list", "recover", "quiesce", "features", "demo")) {
            Run r = run(command, "--help");
            assertEquals(0, r.status(), command);
            assertTrue(r.out().startsWith("usage: jublk " + command), r.out());
            assertEquals(r.out(), run("help", command).out());
            assertEquals(r.out(), run(command, "-t", "mem", "-h").out(), "help wins over other options");
        }
    }

    @Test
    void shouldPrintTheVersion() {
        Run r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("jublk \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), r.out());
    }

    @Test
    void shouldRejectUnknownCommandsAndOptions() {
        run("frob").assertUsageError("jublk: unknown command 'frob' (commands: add, del, stop, list, recover, quiesce, update-size, stats, features, demo, owners, help; see 'jublk --help')");
        run("--frob").assertUsageError("jublk: unknown option '--frob' (commands: add, del, stop, list, recover, quiesce, update-size, stats, features, demo, owners, help; see 'jublk --help')");
        run("help", "frob").assertUsageError("jublk: help: unknown command 'frob' (commands: add, del, stop, list, recover, quiesce, update-size, stats, features, demo, owners)");
        run("list", "--bogus").assertUsageError("jublk: list: unknown option '--bogus' (see 'jublk list --help')");
        run("list", "extra").assertUsageError("jublk: list: unexpected argument 'extra' (see 'jublk list --help')");
    }

    @Test
    void shouldRejectBadAddSettingsBeforeTouchingTheKernel() {
        run("add").assertUsageError("jublk: add: no target type: give -t null or -t mem (see 'jublk add --help')");
        run("add", "-t", "disk").assertUsageError("jublk: add: unknown target type 'disk': use one of null, mem, file, nbd (see 'jublk add --help')");
        run("add", "-t", "mem", "-s", "12Q").assertUsageError("jublk: add: option -s/--size: '12Q' is not a size: use a number "
                + "of bytes with an optional K, M, G or T suffix (binary: 1K = 1024), e.g. 512M or 1G (see 'jublk add --help')");
        run("add", "-t", "mem", "-s", "1000").assertUsageError("jublk: add: device size 1000 is not a multiple of the logical "
                + "block size 512: round it to 512 or 1024 (see 'jublk add --help')");
        run("add", "-t", "null", "-q", "0").assertUsageError("jublk: add: option -q/--queues: 0 is out of range 1..4096 (see 'jublk add --help')");
        run("add", "-t", "null", "-d", "x").assertUsageError("jublk: add: option -d/--depth: 'x' is not a whole number (see 'jublk add --help')");
        run("add", "-t", "null", "-b", "1000").assertUsageError("jublk: add: logical block size 1000 is not supported: "
                + "use 512, 1024, 2048 or 4096 (see 'jublk add --help')");
        run("add", "-t", "null", "-n", "-1").assertUsageError("jublk: add: option -n/--number: -1 is out of range 0..1048575 (see 'jublk add --help')");
    }

    @Test
    void shouldRejectBadFileTargetSettingsBeforeTouchingTheKernel(@TempDir Path dir) throws Exception {
        run("add", "-t", "file").assertUsageError("jublk: add: the file target needs --path FILE: the regular file or block device "
                + "to serve (see 'jublk add --help')");
        Path missing = dir.resolve("missing.img");
        run("add", "-t", "file", "--path", missing.toString()).assertUsageError("jublk: add: --path " + missing
                + ": no such file; create it first, e.g. 'truncate -s 1G " + missing + "' (see 'jublk add --help')");
        run("add", "-t", "file", "--path", dir.toString()).assertUsageError("jublk: add: --path " + dir
                + " is a directory: give a regular file or a block device (see 'jublk add --help')");
        Path empty = Files.createFile(dir.resolve("empty.img"));
        run("add", "-t", "file", "--path", empty.toString()).assertUsageError("jublk: add: --path " + empty + ": " + empty
                + " is empty: give a size, or use a file of at least 512 bytes (see 'jublk add --help')");
        run("add", "-t", "mem", "--path", empty.toString()).assertUsageError("jublk: add: --path is for -t file only (see 'jublk add --help')");
        run("add", "-t", "mem", "--zero-copy").assertUsageError("jublk: add: the mem target has no zero copy (only file has): "
                + "use copy or user-copy (see 'jublk add --help')");
        run("add", "-t", "mem", "-u", "-z").assertUsageError("jublk: add: give one of -u/--user-copy, -z/--zero-copy and --data-mode "
                + "(see 'jublk add --help')");
        run("add", "-t", "mem", "--data-mode", "fast").assertUsageError("jublk: add: unknown data mode 'fast': use copy, "
                + "copy-application-buffers, user-copy, zero-copy or auto-zero-copy (see 'jublk add --help')");
        run("add", "-t", "mem", "--data-mode", "copy-application-buffers").assertUsageError("jublk: add: data mode "
                + "copy-application-buffers is for the file target, which lends its own buffers (a mapped file's pages); mem has "
                + "none: use copy or user-copy (see 'jublk add --help')");
    }

    @Test
    void shouldRejectBadNbdTargetSettings() {
        run("add", "-t", "nbd").assertUsageError("jublk: add: the nbd target needs --url URL: nbd://HOST[:PORT]/EXPORT or "
                + "nbd+unix:///EXPORT?socket=PATH (see 'jublk add --help')");
        run("add", "-t", "nbd", "--url", "http://x/y").assertUsageError("jublk: add: --url: invalid NBD URI 'http://x/y': "
                + "unknown scheme 'http'; expected nbd or nbd+unix (see 'jublk add --help')");
        run("add", "-t", "mem", "--url", "nbd://h/e").assertUsageError("jublk: add: --url is for -t nbd only (see 'jublk add --help')");
        run("add", "-t", "nbd", "--url", "nbd://h/e", "--read-only").assertUsageError("jublk: add: --read-only is not for -t nbd: the device"
                + " is read-only when the server exports read-only (qemu-nbd -r, nbdkit -r) (see 'jublk add --help')");
        Run unreachable = run("add", "-t", "nbd", "--url", "nbd://127.0.0.1:1/export");
        assertEquals(1, unreachable.status());
        assertTrue(unreachable.err().startsWith("jublk: add: cannot reach the NBD server at nbd://127.0.0.1:1/export: "),
                unreachable.err());
        assertTrue(unreachable.err().endsWith("(is it running, and is the export name right?)\n"), unreachable.err());
    }

    @Test
    void shouldReadRecoveryAndRefuseItWhereItCannotWork(@TempDir Path dir) throws Exception {
        Path image = Files.createFile(dir.resolve("r.img"));
        Files.write(image, new byte[4096]);
        for (String[] c : new String[][] {{"--recovery", "reissue"}, {"--recovery=reissue", "reissue"},
                {"--recovery=fail-io", "fail-io"}, {"--recovery=fail-in-flight", "fail-in-flight"}}) {
            AddSettings s = AddOptions.read(List.of("-t", "file", "-p", image.toString(), c[0]));
            assertEquals(c[1], s.recovery().cliName(), c[0]);
            assertEquals(s, AddOptions.read(s.asOptions()), "passed on unchanged");
        }
        assertEquals(Recovery.OFF, AddOptions.read(List.of("-t", "null")).recovery());
        run("add", "-t", "null", "--recovery=maybe").assertUsageError("jublk: add: unknown recovery mode 'maybe': use reissue, "
                + "fail-in-flight, fail-io or off (or 1 and 0) (see 'jublk add --help')");
        run("add", "-t", "null", "--recovery=").assertUsageError("jublk: add: option -r/--recovery has an empty value: give "
                + "--recovery alone or --recovery=MODE (see 'jublk add --help')");
        run("add", "-t", "mem", "--recovery").assertUsageError("jublk: add: the mem target keeps its data in its server's memory, "
                + "which dies with the server: a recovered device would be empty; leave out -r/--recovery, or use -t file "
                + "(see 'jublk add --help')");
        run("recover").assertUsageError("jublk: recover: which device? give -n ID (see 'jublk recover --help')");
        run("quiesce", "-n", "x").assertUsageError("jublk: quiesce: option -n/--number: 'x' is not a whole number "
                + "(see 'jublk quiesce --help')");
    }

    @Test
    void shouldKeepServerStateForRecoverAcrossAWriteAndARead(@TempDir Path dir) throws Exception {
        ServerState state = new ServerState(7, 4242, List.of("-t", "file", "--path", "/srv/a b=c.img", "--recovery=reissue"));
        state.write(dir);
        assertEquals(state, ServerState.read(dir, 7));
        assertEquals(null, ServerState.read(dir, 8));
        ServerState.remove(dir, 7);
        assertEquals(null, ServerState.read(dir, 7));
        Files.writeString(ServerState.path(dir, 9), "id=3\noption.0=-t\n");
        assertThrows(java.io.IOException.class, () -> ServerState.read(dir, 9));
    }

    @Test
    void shouldStartDevicesWithoutAnIoSchedulerUnlessAskedFor() throws Exception {
        assertEquals("none", AddOptions.read(List.of("-t", "null")).ioScheduler());
        AddSettings deadline = AddOptions.read(List.of("-t", "null", "--io-scheduler", "mq-deadline"));
        assertEquals("mq-deadline", deadline.ioScheduler());
        assertEquals(deadline, AddOptions.read(deadline.asOptions()), "passed on unchanged");
        AddSettings kernel = AddOptions.read(List.of("-t", "null", "--io-scheduler", "kernel"));
        assertNull(kernel.ioScheduler(), "the kernel's choice");
        assertEquals(kernel, AddOptions.read(kernel.asOptions()));
        run("add", "-t", "null", "--io-scheduler", "../x").assertUsageError(
                "jublk: add: --io-scheduler '../x' is not a scheduler name: use none, mq-deadline, kyber, bfq, or kernel for the kernel's choice (see 'jublk add --help')");
    }

    @Test
    void shouldLeaveAFileDevicesSizeToItsBackingAndPassTheSettingsOn(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(48L << 20);
        }
        AddSettings s = AddOptions.read(List.of("-t", "file", "--path", image.toString(), "--direct", "--read-only", "--data-mode", "zero-copy", "-q", "2"));
        // Size and block size 0: the target's own, which the file target takes from the file.
        assertEquals(new AddSettings(TargetKind.FILE, 0, 2, 128, -1, DataMode.ZERO_COPY, false, 0,
                new TargetSpec(image, true, true), Recovery.OFF), s);
        assertEquals(List.of("-t", "file", "-q", "2", "-d", "128", "--data-mode", "zero-copy", "--path", image.toString(),
                "--direct", "--read-only", "--io-scheduler", "none"), s.asOptions(), "no -s or -b where the target decides");
        assertEquals(s, AddOptions.read(s.asOptions()));
        AddSettings lent = AddOptions.read(List.of("-t", "file", "--path", image.toString(), "--data-mode", "copy-application-buffers"));
        assertEquals(DataMode.COPY_APPLICATION_BUFFERS, lent.mode(), "the file target lends its own buffers");
        assertEquals(lent, AddOptions.read(lent.asOptions()));
        AddSettings fastest = AddOptions.read(List.of("-t", "file", "-p", image.toString(), "-z", "-s", "1G"));
        assertEquals(1L << 30, fastest.sizeBytes(), "an explicit size wins over the file's");
        assertTrue(fastest.fastestZeroCopy());
        long auto = UblkFeature.UBLK_F_AUTO_BUF_REG | UblkFeature.UBLK_F_SUPPORT_ZERO_COPY | UblkFeature.UBLK_F_USER_COPY;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(DataMode.AUTO_ZERO_COPY, fastest.resolve(auto, errStream).mode());
        assertEquals(DataMode.ZERO_COPY, fastest.resolve(UblkFeature.UBLK_F_SUPPORT_ZERO_COPY, errStream).mode());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(DataMode.USER_COPY, fastest.resolve(UblkFeature.UBLK_F_USER_COPY, errStream).mode());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("has no zero copy"), err.toString(StandardCharsets.UTF_8));
        CliException e = assertThrows(CliException.class, () -> s.resolve(UblkFeature.UBLK_F_USER_COPY, errStream));
        assertEquals("add: this kernel's ublk driver lacks UBLK_F_SUPPORT_ZERO_COPY (Linux 6.15+), which data mode zero-copy needs: "
                + "choose another with --data-mode", e.getMessage());
    }

    @Test
    void shouldAskDelForExactlyOneChoice() {
        run("del").assertUsageError("jublk: del: which device? give -n ID or --all (see 'jublk del --help')");
        run("del", "-n", "1", "--all").assertUsageError("jublk: del: give -n ID or --all, not both (see 'jublk del --help')");
        run("del", "-n", "x").assertUsageError("jublk: del: option -n/--number: 'x' is not a whole number (see 'jublk del --help')");
    }

    @Test
    void shouldRejectADemoTooSmallForExt4() {
        run("demo", "-s", "16M").assertUsageError("jublk: demo: the demo needs at least 64M for ext4 and its files (see 'jublk demo --help')");
    }

    @Test
    void shouldSayHowToLoadTheDriverWhenItIsMissing() {
        assumeFalse(Files.exists(Path.of(UblkControl.CONTROL_PATH)), "this host has the ublk driver");
        for (String[] args : List.of(new String[] {"features"}, new String[] {"list"}, new String[] {"list", "--json"},
                new String[] {"del", "-n", "0"}, new String[] {"add", "-t", "mem"}, new String[] {"demo"})) {
            Run r = run(args);
            assertEquals(1, r.status(), String.join(" ", args));
            assertEquals("jublk: /dev/ublk-control does not exist: the ublk_drv kernel module is not loaded: "
                    + "run 'modprobe ublk_drv' as root (it needs Linux 6.4 or newer)\n", r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void shouldReadAddSettingsAndPassThemOnUnchanged() throws CliException {
        AddSettings s = AddOptions.read(List.of("-t", "mem", "--size=2G", "-q", "4", "-d", "64", "-n", "7", "-u", "-b", "4096"));
        assertEquals(new AddSettings(TargetKind.MEM, 2L << 30, 4, 64, 7, DataMode.USER_COPY, 4096), s);
        assertEquals(s, AddOptions.read(s.asOptions()));
        AddSettings dflt = AddOptions.read(List.of("-t", "null"));
        assertEquals(new AddSettings(TargetKind.NULL, 250L << 30, 1, 128, -1, DataMode.COPY, 0), dflt);
        assertEquals(dflt, AddOptions.read(dflt.asOptions()));
    }

    @Test
    void shouldReadFaultOptionsAndPassThemOnUnchanged() throws CliException {
        AddSettings s = AddOptions.read(List.of("-t", "mem", "-s", "64M",
                "--fault-error-rate", "0.05", "--fault-delay", "1500us", "--fault-seed", "-7"));
        assertEquals(new FaultOptions(0.05, Duration.ofNanos(1_500_000), 1.0, -7L), s.fault(), "a delay alone holds every request");
        assertEquals(s, AddOptions.read(s.asOptions()), "passed on unchanged");
        FaultTarget t = (FaultTarget) s.fault().wrap(new NullTarget());
        assertEquals(0.05, t.errorRate());
        assertEquals(Duration.ofNanos(1_500_000), t.delay());
        assertEquals(-7, t.seed());
        assertEquals(", faults: errors 0.05, delays 1.0 x 1500us", s.fault().describe());

        AddSettings some = AddOptions.read(List.of("-t", "null",
                "--fault-delay", "2s", "--fault-delay-rate", "0.25"));
        assertEquals(new FaultOptions(0, Duration.ofSeconds(2), 0.25, null), some.fault());
        assertEquals(List.of("--fault-delay", "2s", "--fault-delay-rate", "0.25"), some.fault().asOptions());
        assertEquals(some, AddOptions.read(some.asOptions()));

        AddSettings none = AddOptions.read(List.of("-t", "mem"));
        assertEquals(FaultOptions.NONE, none.fault());
        assertTrue(none.asOptions().stream().noneMatch(o -> o.startsWith("--fault")), none.asOptions().toString());
        NullTarget plain = new NullTarget();
        assertSame(plain, none.fault().wrap(plain), "no faults, no wrapper");
    }

    @Test
    void shouldRejectBadFaultOptions() {
        run("add", "-t", "mem", "--fault-error-rate", "1.5").assertUsageError("jublk: add: option --fault-error-rate: '1.5' is not"
                + " a share of requests: give a number from 0 (never) to 1 (every request), e.g. 0.01 for one in a hundred"
                + " (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-error-rate", "x").assertUsageError("jublk: add: option --fault-error-rate: 'x' is not"
                + " a share of requests: give a number from 0 (never) to 1 (every request), e.g. 0.01 for one in a hundred"
                + " (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-delay", "10").assertUsageError("jublk: add: option --fault-delay: '10' is not a duration:"
                + " give a whole number with a unit, ns, us, ms or s, e.g. 500us or 10ms (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-delay", "-5ms").assertUsageError("jublk: add: option --fault-delay: '-5ms' is not a"
                + " duration: give a whole number with a unit, ns, us, ms or s, e.g. 500us or 10ms (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-delay", "2h").assertUsageError("jublk: add: option --fault-delay: '2h' is not a"
                + " duration: give a whole number with a unit, ns, us, ms or s, e.g. 500us or 10ms (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-delay", "3601s").assertUsageError("jublk: add: option --fault-delay: 3601s is longer than"
                + " an hour: a disk that slow looks hung to everything above it; give at most 3600s (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-delay-rate", "0.5").assertUsageError("jublk: add: --fault-delay-rate needs --fault-delay:"
                + " give how long to hold requests, e.g. --fault-delay 10ms (see 'jublk add --help')");
        run("add", "-t", "mem", "--fault-seed", "abc").assertUsageError("jublk: add: option --fault-seed: 'abc' is not a whole"
                + " number (see 'jublk add --help')");
    }

    @Test
    void shouldDescribeAnAddedDeviceInOneLine() {
        AddSettings s = new AddSettings(TargetKind.MEM, 1L << 30, 1, 128, -1, DataMode.COPY, 512);
        UblkDeviceInfo info = new UblkDeviceInfo(0, 1, 128, 1, 512 << 10, 99, 0, 0, 0, 0);
        assertEquals("dev 0: /dev/ublkb0 (mem, 1 GiB, 1 queue x 128, copy)", s.describe(info, 1L << 30, false));
        UblkDeviceInfo two = new UblkDeviceInfo(3, 2, 64, 1, 512 << 10, 99, 0, 0, 0, 0);
        assertEquals("dev 3: /dev/ublkb3 (mem, 1 GiB, 2 queues x 64, copy)", s.describe(two, 1L << 30, false));
        AddSettings file = new AddSettings(TargetKind.FILE, 1L << 30, 1, 128, -1, DataMode.AUTO_ZERO_COPY, false, 512,
                new TargetSpec(Path.of("/srv/disk.img"), true, false), Recovery.OFF);
        assertEquals("dev 0: /dev/ublkb0 (file /srv/disk.img, 1 GiB, 1 queue x 128, auto-zero-copy, O_DIRECT, read-only)",
                file.describe(info, 1L << 30, true));
    }
}
