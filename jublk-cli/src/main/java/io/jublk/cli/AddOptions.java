// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.QueueAffinity;
import io.jublk.core.Recovery;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.targets.nbd.NbdUri;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The options of {@code jublk add} that make the device: those {@link AddSettings#asOptions()}
 * writes and {@code jublk recover} reads back from a device's saved state. Read into
 * {@link AddSettings} and checked without touching the kernel.
 */
final class AddOptions {
    private static final String COMMAND = "add";

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", completionCandidates = TargetNames.class,
            description = "the target: null, mem, file (or loop) or nbd (required)")
    String type;
    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", description = "device size, K/M/G/T binary suffixes (default: null"
            + " 250G, mem 1G, file the size of the file or block device, nbd the export's)")
    String size;
    @Option(names = {"-f", "-p", "--path"}, paramLabel = "FILE", description = "file: the backing regular file or block"
            + " device")
    String path;
    @Option(names = "--direct", description = "file: open the backing with O_DIRECT (no page cache)")
    boolean direct;
    @Option(names = {"-U", "--url"}, paramLabel = "URL", description = "nbd: the server, nbd://HOST[:PORT]/EXPORT or"
            + " nbd+unix:///EXPORT?socket=PATH")
    String url;
    @Option(names = "--connections", paramLabel = "N", description = "nbd: connections to the server (default: one per"
            + " queue when the server allows several, else one)")
    String connections;
    @Option(names = "--read-only", description = "a read-only device (a file that cannot be written is served"
            + " read-only anyway)")
    boolean readOnly;
    @Option(names = {"-q", "--queues"}, paramLabel = "N", description = "queues, each served by its own thread (default 1)")
    String queues;
    @Option(names = {"-d", "--depth"}, paramLabel = "N", description = "requests in flight per queue, 1.."
            + UblkCmd.UBLK_MAX_QUEUE_DEPTH + " (default 128)")
    String depth;
    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device id N of /dev/ublkbN (add without it:"
            + " the kernel picks one)")
    String number;
    @Option(names = {"-b", "--block-size"}, paramLabel = "BYTES", description = "logical block size: 512, 1024, 2048 or"
            + " 4096 (default 512)")
    String blockSize;
    @Option(names = {"-u", "--user-copy"}, description = "copy data with pread/pwrite on /dev/ublkcN (UBLK_F_USER_COPY,"
            + " Linux 6.5+) instead of the kernel copying into a buffer per tag")
    boolean userCopy;
    @Option(names = {"-z", "--zero-copy"}, description = "file: no copy at all, the backing file is read and written"
            + " straight from the request's pages; takes the best the kernel has (auto-zero-copy 6.16+, zero-copy 6.15+)"
            + " and falls back to user-copy, then copy, saying so")
    boolean zeroCopy;
    @Option(names = "--data-mode", paramLabel = "MODE", description = "exactly this data mode, or fail: copy, user-copy,"
            + " zero-copy (REGISTER_IO_BUF per request), auto-zero-copy (AUTO_BUF_REG) or, for file,"
            + " copy-application-buffers (NEED_GET_DATA): a file on tmpfs lends its own pages, so the kernel copies data"
            + " once, straight to or from the file, as loop does")
    String dataMode;
    @Option(names = {"-r", "--recovery"}, paramLabel = "MODE", arity = "0..1", fallbackValue = "1",
            description = "the device outlives its server (killed, crashed, upgraded) until 'jublk recover -n N' serves"
                    + " it again; MODE is what happens to IO meanwhile: reissue (default, also 1: IO waits, in-flight IO"
                    + " is redone by the new server), fail-in-flight (in-flight IO fails, new IO waits), fail-io (all IO"
                    + " fails; Linux 6.13+) or off (also 0). Not for mem, whose data dies with its server")
    String recovery;
    @Option(names = {"-e", "--recovery-fail-io"}, paramLabel = "0|1", description = "1: recovery with fail-io, as ublksrv"
            + " and kublk spell it")
    String recoveryFailIo;
    @Option(names = {"-i", "--recovery-reissue"}, paramLabel = "0|1", description = "1: recovery with reissue; 0: with"
            + " fail-in-flight, as ublksrv and kublk spell it")
    String recoveryReissue;
    @Option(names = "--io-scheduler", paramLabel = "NAME", description = "the block layer's IO scheduler for"
            + " /dev/ublkbN: none (default, as the kernel's loop device has), mq-deadline, kyber, bfq, or kernel to keep"
            + " the kernel's choice (mq-deadline for one queue)")
    String ioScheduler;
    @Option(names = "--cpus", paramLabel = "SPEC", description = "where the queue threads run: none (default, where the"
            + " scheduler puts them), kernel (each on the CPUs the kernel maps to its queue), or CPU lists one per queue,"
            + " used round robin: 0-1:2-3 puts queue 0 on CPUs 0 and 1, queue 1 on 2 and 3; 4 puts every queue on CPU 4")
    String cpus;
    @ArgGroup(validate = false, heading = "%nfault injection, any target (for testing what runs on the device):%n")
    FaultOptions.Given fault;

    /** What {@code -t} takes, for the completion script. */
    static final class TargetNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            for (TargetKind k : TargetKind.values()) {
                names.add(k.cliName());
            }
            names.add("loop");
            return names.iterator();
        }
    }

    /**
     * Reads options as {@link AddSettings#asOptions()} wrote them: a device's saved state.
     *
     * @param argv the options
     * @return the settings they make
     * @throws CliException naming the first bad option
     */
    static AddSettings read(List<String> argv) throws CliException {
        AddOptions o = new AddOptions();
        CommandLine cl = new CommandLine(o).setExpandAtFiles(false);
        try {
            cl.parseArgs(argv.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw CliException.usage(COMMAND, Cli.describe(e, argv));
        }
        Cli.requireValues(COMMAND, cl);
        return o.settings(false);
    }

    /** @return the device id given with {@code -n}, or -1 */
    int id() throws CliException {
        return DeviceOptions.id(COMMAND, number);
    }

    /**
     * Reads and checks the settings without touching the kernel.
     *
     * @param service whether the server runs as a service, which keeps its device for the next start
     * @return the settings
     * @throws CliException naming the first bad option
     */
    AddSettings settings(boolean service) throws CliException {
        if (type == null) {
            throw CliException.usage(COMMAND, "no target type: give -t null or -t mem");
        }
        TargetKind kind = TargetKind.parse(type);
        int q = OptionValues.intValue(COMMAND, queues, "-q/--queues", 1, 1, UblkCmd.UBLK_MAX_NR_QUEUES);
        int d = OptionValues.intValue(COMMAND, depth, "-d/--depth", 128, 1, UblkCmd.UBLK_MAX_QUEUE_DEPTH);
        int id = id();
        int bs = OptionValues.intValue(COMMAND, blockSize, "-b/--block-size", 0, 512, 4096);
        TargetSpec spec = targetSpec(kind);
        // Without -s a file or an export is as large as it is; the target says so itself.
        long bytes = size != null ? OptionValues.sizeValue(COMMAND, size, "-s/--size", 0) : kind.defaultSize();
        long targetSize = kind.probe(spec);
        int modeOptions = (userCopy ? 1 : 0) + (zeroCopy ? 1 : 0) + (dataMode != null ? 1 : 0);
        if (modeOptions > 1) {
            throw CliException.usage(COMMAND, "give one of -u/--user-copy, -z/--zero-copy and --data-mode");
        }
        boolean fastest = zeroCopy;
        DataMode mode = userCopy ? DataMode.USER_COPY : fastest ? DataMode.AUTO_ZERO_COPY : DataMode.COPY;
        if (dataMode != null) {
            mode = parseMode(dataMode);
        }
        if ((fastest || mode.isZeroCopy()) && !kind.supportsZeroCopy()) {
            throw CliException.usage(COMMAND, "the " + kind.cliName() + " target has no zero copy (only file has):"
                    + " use copy or user-copy");
        }
        // A service keeps its device across restarts unless told otherwise; mem data cannot outlive its server.
        Recovery rec = service && kind != TargetKind.MEM ? Recovery.REISSUE : Recovery.OFF;
        if (recoveryGiven()) {
            rec = recovery();
            if (kind == TargetKind.MEM) {
                throw CliException.usage(COMMAND, "the mem target keeps its data in its server's memory, which dies with"
                        + " the server: a recovered device would be empty; leave out -r/--recovery, or use -t file");
            }
        }
        String scheduler = ioScheduler != null ? ioScheduler : AddSettings.DEFAULT_IO_SCHEDULER;
        if (AddSettings.KERNEL_IO_SCHEDULER.equals(scheduler)) {
            scheduler = null;
        } else if (!scheduler.matches("[a-z0-9_-]+")) {
            throw CliException.usage(COMMAND, "--io-scheduler '" + scheduler + "' is not a scheduler name: use none,"
                    + " mq-deadline, kyber, bfq, or kernel for the kernel's choice");
        }
        if (mode == DataMode.COPY_APPLICATION_BUFFERS && !kind.lendsBuffers()) {
            throw CliException.usage(COMMAND, "data mode copy-application-buffers is for the file target, which lends"
                    + " its own buffers (a mapped file's pages); " + kind.cliName() + " has none: use copy or user-copy");
        }
        AddSettings s = new AddSettings(kind, bytes, q, d, id, mode, fastest, bs, spec, rec,
                FaultOptions.parse(COMMAND, fault), scheduler, affinity().toString());
        try {
            s.builder(new SettingsCheck(kind, bytes > 0 ? bytes : targetSize)).validate();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(COMMAND, e.getMessage());
        }
        return s;
    }

    private QueueAffinity affinity() throws CliException {
        if (cpus == null) {
            return QueueAffinity.NONE;
        }
        try {
            return QueueAffinity.parse(cpus);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(COMMAND, "option --cpus: " + e.getMessage() + " (give none, kernel, or CPU lists"
                    + " one per queue such as 0-1:2-3)");
        }
    }

    /**
     * Stands in for the target while the settings are checked, before the real one is opened: the
     * size is the one settled on, the capabilities those of the target kind.
     */
    private record SettingsCheck(TargetKind kind, long sizeBytes) implements BlockTarget {
        @Override
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(sizeBytes);
        }

        @Override
        public TargetCapabilities capabilities() {
            return TargetCapabilities.DEFAULT.withZeroCopy(kind.supportsZeroCopy()).withLendsBuffers(kind.lendsBuffers());
        }

        @Override
        public QueueHandler openQueue(UblkQueue queue) {
            throw new IllegalStateException("a stand-in for checking settings serves no queue");
        }
    }

    private TargetSpec targetSpec(TargetKind kind) throws CliException {
        if (kind != TargetKind.FILE) {
            if (path != null) {
                throw CliException.usage(COMMAND, "--path is for -t file only");
            }
            if (direct) {
                throw CliException.usage(COMMAND, "--direct is for -t file only");
            }
        }
        if (kind != TargetKind.NBD) {
            if (url != null) {
                throw CliException.usage(COMMAND, "--url is for -t nbd only");
            }
            if (connections != null) {
                throw CliException.usage(COMMAND, "--connections is for -t nbd only");
            }
        }
        if (kind == TargetKind.NBD) {
            if (url == null) {
                throw CliException.usage(COMMAND, "the nbd target needs --url URL: nbd://HOST[:PORT]/EXPORT or"
                        + " nbd+unix:///EXPORT?socket=PATH");
            }
            if (readOnly) {
                throw CliException.usage(COMMAND, "--read-only is not for -t nbd: the device is read-only when the"
                        + " server exports read-only (qemu-nbd -r, nbdkit -r)");
            }
            try {
                NbdUri.parse(url);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(COMMAND, "--url: " + e.getMessage());
            }
            return new TargetSpec(null, false, false, url, OptionValues.intValue(COMMAND, connections, "--connections", 0, 1, 64));
        }
        if (kind != TargetKind.FILE) {
            return new TargetSpec(null, false, readOnly);
        }
        if (path == null) {
            throw CliException.usage(COMMAND, "the file target needs --path FILE: the regular file or block device to serve");
        }
        Path file = Path.of(path).toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            throw CliException.usage(COMMAND, "--path " + file + ": no such file; create it first, e.g. 'truncate -s 1G "
                    + file + "'");
        }
        if (Files.isDirectory(file)) {
            throw CliException.usage(COMMAND, "--path " + file + " is a directory: give a regular file or a block device");
        }
        if (!Files.isReadable(file)) {
            throw CliException.usage(COMMAND, "--path " + file + " is not readable by this user");
        }
        return new TargetSpec(file, direct, readOnly);
    }

    /**
     * Refuses options repeated for {@code jublk recover} that name another target than the device
     * was added with; the rest are the saved settings' business and are left alone.
     *
     * @param id the device
     * @param saved the settings it was added with
     * @throws CliException when the target type, file or NBD server differs
     */
    void requireSameTarget(int id, AddSettings saved) throws CliException {
        String was = "dev " + id + " was added with ";
        String then = "; recover serves it as it was added: leave the option out";
        if (type != null && TargetKind.parse("recover", type) != saved.target()) {
            throw CliException.usage("recover", was + "-t " + saved.target().cliName() + ", not -t " + type + then);
        }
        if (path != null && !Path.of(path).toAbsolutePath().normalize().equals(saved.spec().path())) {
            throw CliException.usage("recover", was + (saved.spec().path() == null ? "no backing file"
                    : "the backing file " + saved.spec().path()) + ", not " + path + then);
        }
        if (url != null && !url.equals(saved.spec().url())) {
            throw CliException.usage("recover", was + (saved.spec().url() == null ? "no NBD server"
                    : "--url " + saved.spec().url()) + ", not " + url + then);
        }
    }

    /** @return whether any of {@code -r/--recovery}, {@code -e} and {@code -i} is given */
    boolean recoveryGiven() {
        return recovery != null || recoveryFailIo != null || recoveryReissue != null;
    }

    /**
     * Reads recovery as jublk spells it ({@code --recovery=MODE}) and as the other ublk servers do:
     * {@code -r [1]} on, {@code -r 0} off, {@code -e 1} fail-io, {@code -i 1} reissue, {@code -i 0}
     * fail-in-flight; {@code -e} and {@code -i} turn recovery on by themselves.
     */
    private Recovery recovery() throws CliException {
        Recovery asked = recovery == null ? null : parseRecovery(recovery);
        boolean failIo = zeroOrOne("-e/--recovery-fail-io", recoveryFailIo);
        Recovery spelled = failIo ? Recovery.FAIL_IO : null;
        if (recoveryReissue != null) {
            Recovery reissue = zeroOrOne("-i/--recovery-reissue", recoveryReissue) ? Recovery.REISSUE : Recovery.FAIL_IN_FLIGHT;
            if (failIo) {
                throw CliException.usage(COMMAND, "give -e 1 (fail-io) or -i " + recoveryReissue + " ("
                        + reissue.cliName() + "), not both");
            }
            spelled = reissue;
        }
        if (spelled == null) {
            return asked == null ? Recovery.OFF : asked;
        }
        if (asked == Recovery.OFF) {
            throw CliException.usage(COMMAND, "-r " + recovery + " turns recovery off, but -e/-i ask for "
                    + spelled.cliName() + ": leave out one or the other");
        }
        if (asked != null && !isGeneric(recovery) && asked != spelled) {
            throw CliException.usage(COMMAND, "--recovery=" + recovery + " and -e/-i (" + spelled.cliName()
                    + ") ask for different recovery modes: give one");
        }
        return spelled;
    }

    private static boolean isGeneric(String mode) {
        return mode.equals("1");
    }

    private static boolean zeroOrOne(String option, String value) throws CliException {
        if (value == null || value.equals("0")) {
            return false;
        }
        if (value.equals("1")) {
            return true;
        }
        throw CliException.usage(COMMAND, "option " + option + ": '" + value + "' is not 0 or 1");
    }

    private static Recovery parseRecovery(String name) throws CliException {
        switch (name) {
            case "" -> throw CliException.usage(COMMAND, "option -r/--recovery has an empty value: give --recovery alone or"
                    + " --recovery=MODE");
            // ublksrv's and kublk's -r 1 and -r 0.
            case "1" -> {
                return Recovery.REISSUE;
            }
            case "0" -> {
                return Recovery.OFF;
            }
            default -> {
                // a mode's name
            }
        }
        for (Recovery r : Recovery.values()) {
            if (r.cliName().equals(name)) {
                return r;
            }
        }
        throw CliException.usage(COMMAND, "unknown recovery mode '" + name + "': use reissue, fail-in-flight, fail-io or"
                + " off (or 1 and 0)");
    }

    private static DataMode parseMode(String name) throws CliException {
        for (DataMode m : DataMode.values()) {
            if (m.cliName().equals(name)) {
                return m;
            }
        }
        throw CliException.usage(COMMAND, "unknown data mode '" + name + "': use copy, copy-application-buffers, user-copy, zero-copy"
                + " or auto-zero-copy");
    }
}
