package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.UblkException;
import io.jublk.core.UblkQueue;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.nbd.NbdUri;
import io.jublk.uring.Errno;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code jublk add}: creates a device served by a jublk process. In the foreground this process
 * serves it until SIGINT/SIGTERM or until it is stopped from outside; otherwise it starts that
 * server as a detached process and returns once {@code /dev/ublkbN} is live.
 */
final class AddCommand implements Command {
    /** Where background servers keep their logs when we may write there; else the temp dir. */
    static final Path RUN_DIR = Path.of("/run/jublk");

    private static final int DEFAULT_TIMEOUT_SECONDS = 120;
    /** The IO scheduler devices start with: none, as the kernel's loop device has. */
    static final String DEFAULT_IO_SCHEDULER = "none";
    /** {@code --io-scheduler kernel}: keep the scheduler the kernel chose. */
    static final String KERNEL_IO_SCHEDULER = "kernel";

    /**
     * What a target is made from, beyond the device's size.
     *
     * @param path the backing file or block device ({@code file})
     * @param direct open the backing with O_DIRECT ({@code file})
     * @param readOnly serve the device read-only
     * @param url the NBD server's URI ({@code nbd})
     * @param connections connections to the server, 0 for one per queue ({@code nbd})
     */
    record TargetSpec(Path path, boolean direct, boolean readOnly, String url, int connections) {
        static final TargetSpec NONE = new TargetSpec(null, false, false, null, 0);

        TargetSpec(Path path, boolean direct, boolean readOnly) {
            this(path, direct, readOnly, null, 0);
        }
    }

    /**
     * The device to add, checked.
     *
     * @param target the target
     * @param sizeBytes the size
     * @param queues number of queues
     * @param depth tags per queue
     * @param id the wanted id, or -1 for any
     * @param mode the data mode
     * @param fastestZeroCopy {@code --zero-copy}: {@code mode} is a wish, settled by {@link #resolve}
     * @param blockSize the logical block size
     * @param spec what the target is made from
     * @param recovery what the kernel does with the device when its server goes away
     * @param fault the faults to inject ({@code --fault-*})
     * @param ioScheduler the block layer's IO scheduler for the device, or {@code null} for the kernel's choice
     */
    record Settings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode,
                    boolean fastestZeroCopy, int blockSize, TargetSpec spec, Recovery recovery, FaultOptions fault,
                    String ioScheduler) {
        Settings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode,
                 boolean fastestZeroCopy, int blockSize, TargetSpec spec, Recovery recovery) {
            this(target, sizeBytes, queues, depth, id, mode, fastestZeroCopy, blockSize, spec, recovery, FaultOptions.NONE,
                    DEFAULT_IO_SCHEDULER);
        }

        Settings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode, int blockSize) {
            this(target, sizeBytes, queues, depth, id, mode, false, blockSize, TargetSpec.NONE, Recovery.OFF);
        }

        UblkDeviceBuilder builder(BlockTarget t) {
            // The largest request and the buffers lent come from the target itself.
            return UblkDevice.builder().id(id).queues(queues).depth(depth).size(sizeBytes).logicalBlockSize(blockSize)
                    .physicalBlockSize(Math.max(blockSize, 4096)).dataMode(mode).target(t).recovery(recovery)
                    .serverFlags(new ServerFlags(target, mode).encode()).ioScheduler(ioScheduler);
        }

        /**
         * Settles the data mode against what the kernel offers: {@code --zero-copy} takes the best
         * zero copy there is and falls back, saying so; an explicit mode must be there.
         *
         * @param features the kernel's UBLK_F_* bits (0 when unknown: nothing is checked)
         * @param err where a fallback is reported
         * @return the settings with the mode to use
         * @throws CliException when an explicit mode is missing from the kernel
         */
        Settings resolve(long features, PrintStream err) throws CliException {
            if (features == 0) {
                return this;
            }
            if (fastestZeroCopy) {
                DataMode best = DataMode.fastest(features, target.supportsZeroCopy());
                if (!best.isZeroCopy()) {
                    err.println("jublk: note: this kernel's ublk driver has no zero copy (UBLK_F_AUTO_BUF_REG, Linux 6.16+, or"
                            + " UBLK_F_SUPPORT_ZERO_COPY, 6.15+); using " + best.cliName());
                }
                return new Settings(target, sizeBytes, queues, depth, id, best, false, blockSize, spec, recovery, fault,
                        ioScheduler).resolve(features, err);
            }
            if (recovery != Recovery.OFF) {
                UblkFeature needed = recovery == Recovery.FAIL_IO ? UblkFeature.USER_RECOVERY_FAIL_IO : UblkFeature.USER_RECOVERY;
                if (!needed.isSet(features)) {
                    throw CliException.failure("add: this kernel's ublk driver lacks UBLK_F_" + needed.name() + " (Linux "
                            + needed.since() + "+), which --recovery=" + recovery.cliName() + " needs");
                }
            }
            UblkFeature needed = switch (mode) {
                case COPY -> null;
                case COPY_APPLICATION_BUFFERS -> UblkFeature.NEED_GET_DATA;
                case USER_COPY -> UblkFeature.USER_COPY;
                case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY;
                case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG;
            };
            if (needed != null && !needed.isSet(features)) {
                throw CliException.failure("add: this kernel's ublk driver lacks UBLK_F_" + needed.name() + " (Linux "
                        + needed.since() + "+), which data mode " + mode.cliName() + " needs: choose another with --data-mode");
            }
            return this;
        }

        /** @return the options that make a server add exactly this device */
        List<String> asOptions() {
            List<String> o = new ArrayList<>(List.of("-t", target.cliName(), "-s", Long.toString(sizeBytes),
                    "-q", Integer.toString(queues), "-d", Integer.toString(depth), "-b", Integer.toString(blockSize),
                    "--data-mode", mode.cliName()));
            if (id >= 0) {
                o.addAll(List.of("-n", Integer.toString(id)));
            }
            if (spec.path() != null) {
                o.addAll(List.of("--path", spec.path().toString()));
            }
            if (spec.direct()) {
                o.add("--direct");
            }
            if (spec.readOnly()) {
                o.add("--read-only");
            }
            if (spec.url() != null) {
                o.addAll(List.of("--url", spec.url()));
            }
            if (spec.connections() > 0) {
                o.addAll(List.of("--connections", Integer.toString(spec.connections())));
            }
            if (recovery != Recovery.OFF) {
                o.add("--recovery=" + recovery.cliName());
            }
            o.addAll(fault.asOptions());
            o.addAll(List.of("--io-scheduler", ioScheduler == null ? KERNEL_IO_SCHEDULER : ioScheduler));
            return o;
        }
    }

    @Override
    public String name() {
        return "add";
    }

    @Override
    public String summary() {
        return "create a device served by a jublk process (null, mem or file target)";
    }

    @Override
    public String help() {
        return """
                usage: jublk add -t null|mem [-s SIZE] [COMMON OPTIONS]
                       jublk add -t file --path FILE [--direct] [--read-only] [-s SIZE] [COMMON OPTIONS]
                       jublk add -t nbd --url URL [--connections N] [-s SIZE] [COMMON OPTIONS]
                  COMMON OPTIONS: [-q QUEUES] [-d DEPTH] [-n ID] [-b BYTES]
                                  [-u | -z | --data-mode MODE] [--recovery[=MODE]] [--io-scheduler NAME]
                                  [-f] [--timeout SECONDS]
                                  [--fault-error-rate R] [--fault-delay DURATION [--fault-delay-rate R]]
                                  [--fault-seed N]

                Creates /dev/ublkbN served by a jublk process. Without --foreground the server runs
                detached in the background (log in /run/jublk/ublkbN.log, or the temp directory)
                and this command returns once the device is live, printing its id and path.
                'jublk del -n N' stops it: its server then deletes the device and exits.

                targets:
                  null  %s
                  mem   %s
                  file  %s
                  nbd   %s

                options:
                  -t, --type TYPE        the target: null, mem, file or nbd (required)
                  -s, --size SIZE        device size, K/M/G/T binary suffixes (default: null 250G, mem 1G,
                                         file the size of the file or block device, nbd the export's)
                  -p, --path FILE        file: the backing regular file or block device
                      --direct           file: open the backing with O_DIRECT (no page cache)
                  -U, --url URL          nbd: the server, nbd://HOST[:PORT]/EXPORT or
                                         nbd+unix:///EXPORT?socket=PATH
                      --connections N    nbd: connections to the server (default: one per queue when
                                         the server allows several, else one)
                  -r, --read-only        a read-only device (a file that cannot be written is served
                                         read-only anyway)
                  -q, --queues N         queues, each served by its own thread (default 1)
                  -d, --depth N          requests in flight per queue, 1..%d (default 128)
                  -n, --number ID        the device id N of /dev/ublkbN (default: the kernel picks)
                  -b, --block-size BYTES logical block size: 512, 1024, 2048 or 4096 (default 512)
                  -u, --user-copy        copy data with pread/pwrite on /dev/ublkcN (UBLK_F_USER_COPY,
                                         Linux 6.5+) instead of the kernel copying into a buffer per tag
                  -z, --zero-copy        file: no copy at all, the backing file is read and written
                                         straight from the request's pages; takes the best the kernel
                                         has (auto-zero-copy 6.16+, zero-copy 6.15+) and falls back to
                                         user-copy, then copy, saying so
                      --data-mode MODE   exactly this data mode, or fail: copy, user-copy, zero-copy
                                         (REGISTER_IO_BUF per request), auto-zero-copy (AUTO_BUF_REG)
                                         or, for file, copy-application-buffers (NEED_GET_DATA): a
                                         file on tmpfs lends its own pages, so the kernel copies data
                                         once, straight to or from the file, as loop does
                      --recovery[=MODE]  the device outlives its server (killed, crashed, upgraded) until
                                         'jublk recover -n N' serves it again; MODE is what happens to IO
                                         meanwhile: reissue (default: IO waits, in-flight IO is redone
                                         by the new server), fail-in-flight (in-flight IO fails, new IO
                                         waits) or fail-io (all IO fails; Linux 6.13+). Not for mem,
                                         whose data dies with its server
                      --io-scheduler NAME
                                         the block layer's IO scheduler for /dev/ublkbN: none (default,
                                         as the kernel's loop device has), mq-deadline, kyber, bfq, or
                                         kernel to keep the kernel's choice (mq-deadline for one queue)
                  -f, --foreground       serve in this process until SIGINT/SIGTERM or 'jublk del',
                                         then delete the device
                      --timeout SECONDS  how long to wait for a background server to be live (default %d)

                fault injection, any target (for testing what runs on the device):
                      --fault-error-rate R   fail this share of requests with EIO, 0..1 (0.01: one in a hundred)
                      --fault-delay DURATION hold requests this long before serving them: 500us, 10ms, 1s
                      --fault-delay-rate R   the share of requests held, 0..1 (default 1)
                      --fault-seed N         the same seed fails and delays the same requests on each queue
                                             (default: a random seed)

                examples:
                  jublk add -t mem -s 1G
                  jublk add -t null -q 2 -d 256 -n 5 --foreground
                  jublk add -t file --path /var/lib/images/disk.img --direct --zero-copy
                  jublk add -t nbd --url nbd://storage.example:10809/vol1 -q 2 --recovery
                  jublk add -t mem -s 64M --fault-error-rate 0.01 --fault-delay 5ms --fault-delay-rate 0.1
                """.formatted(TargetKind.NULL.description(), TargetKind.MEM.description(), TargetKind.FILE.description(),
                TargetKind.NBD.description(),
                UblkCmd.UBLK_MAX_QUEUE_DEPTH,
                DEFAULT_TIMEOUT_SECONDS);
    }

    @Override
    public List<Args.Option> options() {
        List<Args.Option> o = new ArrayList<>(List.of(
                Args.Option.value("type", 't', "TYPE"),
                Args.Option.value("size", 's', "SIZE"),
                Args.Option.value("queues", 'q', "N"),
                Args.Option.value("depth", 'd', "N"),
                Args.Option.value("number", 'n', "ID"),
                Args.Option.value("block-size", 'b', "BYTES"),
                Args.Option.value("path", 'p', "FILE"),
                Args.Option.flag("direct", (char) 0),
                Args.Option.value("url", 'U', "URL"),
                Args.Option.value("connections", (char) 0, "N"),
                Args.Option.flag("read-only", 'r'),
                Args.Option.flag("user-copy", 'u'),
                Args.Option.flag("zero-copy", 'z'),
                Args.Option.value("data-mode", (char) 0, "MODE"),
                Args.Option.optionalValue("recovery", (char) 0, "MODE"),
                Args.Option.value("io-scheduler", (char) 0, "NAME"),
                Args.Option.hidden("take-over", "ID"),
                Args.Option.flag("foreground", 'f'),
                Args.Option.value("timeout", (char) 0, "SECONDS"),
                Args.Option.hidden("ready-file", "PATH")));
        o.addAll(FaultOptions.options());
        return o;
    }

    /**
     * Reads and checks the settings without touching the kernel.
     *
     * @param args the options
     * @return the settings
     * @throws CliException naming the first bad option
     */
    static Settings settings(Args args) throws CliException {
        if (!args.has("type")) {
            throw CliException.usage(args.command(), "no target type: give -t null or -t mem");
        }
        TargetKind kind = TargetKind.parse(args.value("type"));
        int queues = args.intValue("queues", "-q/--queues", 1, 1, UblkCmd.UBLK_MAX_NR_QUEUES);
        int depth = args.intValue("depth", "-d/--depth", 128, 1, UblkCmd.UBLK_MAX_QUEUE_DEPTH);
        int id = args.intValue("number", "-n/--number", -1, 0, (1 << 20) - 1);
        int blockSize = args.intValue("block-size", "-b/--block-size", 512, 512, 4096);
        TargetSpec spec = targetSpec(args, kind);
        long size = args.has("size") ? args.sizeValue("size", "-s/--size", 0) : kind.defaultSize(spec);
        int modeOptions = (args.has("user-copy") ? 1 : 0) + (args.has("zero-copy") ? 1 : 0) + (args.has("data-mode") ? 1 : 0);
        if (modeOptions > 1) {
            throw CliException.usage(args.command(), "give one of -u/--user-copy, -z/--zero-copy and --data-mode");
        }
        boolean fastest = args.has("zero-copy");
        DataMode mode = args.has("user-copy") ? DataMode.USER_COPY : fastest ? DataMode.AUTO_ZERO_COPY : DataMode.COPY;
        if (args.has("data-mode")) {
            mode = parseMode(args.value("data-mode"));
        }
        if ((fastest || mode.isZeroCopy()) && !kind.supportsZeroCopy()) {
            throw CliException.usage(args.command(), "the " + kind.cliName() + " target has no zero copy (only file has):"
                    + " use copy or user-copy");
        }
        Recovery recovery = Recovery.OFF;
        if (args.has("recovery")) {
            recovery = parseRecovery(args.value("recovery"));
            if (kind == TargetKind.MEM) {
                throw CliException.usage(args.command(), "the mem target keeps its data in its server's memory, which dies with"
                        + " the server: a recovered device would be empty; leave out --recovery, or use -t file");
            }
        }
        String scheduler = args.has("io-scheduler") ? args.value("io-scheduler") : DEFAULT_IO_SCHEDULER;
        if (KERNEL_IO_SCHEDULER.equals(scheduler)) {
            scheduler = null;
        } else if (!scheduler.matches("[a-z0-9_-]+")) {
            throw CliException.usage(args.command(), "--io-scheduler '" + scheduler + "' is not a scheduler name: use none,"
                    + " mq-deadline, kyber, bfq, or kernel for the kernel's choice");
        }
        if (mode == DataMode.COPY_APPLICATION_BUFFERS && !kind.lendsBuffers()) {
            throw CliException.usage(args.command(), "data mode copy-application-buffers is for the file target, which lends"
                    + " its own buffers (a mapped file's pages); " + kind.cliName() + " has none: use copy or user-copy");
        }
        Settings s = new Settings(kind, size, queues, depth, id, mode, fastest, blockSize, spec, recovery, FaultOptions.parse(args),
                scheduler);
        try {
            s.builder(new SettingsCheck(kind, size)).validate();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(args.command(), e.getMessage());
        }
        return s;
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

    private static TargetSpec targetSpec(Args args, TargetKind kind) throws CliException {
        boolean readOnly = args.has("read-only");
        if (kind != TargetKind.FILE) {
            for (String fileOnly : List.of("path", "direct")) {
                if (args.has(fileOnly)) {
                    throw CliException.usage(args.command(), "--" + fileOnly + " is for -t file only");
                }
            }
        }
        if (kind != TargetKind.NBD) {
            for (String nbdOnly : List.of("url", "connections")) {
                if (args.has(nbdOnly)) {
                    throw CliException.usage(args.command(), "--" + nbdOnly + " is for -t nbd only");
                }
            }
        }
        if (kind == TargetKind.NBD) {
            if (!args.has("url")) {
                throw CliException.usage(args.command(), "the nbd target needs --url URL: nbd://HOST[:PORT]/EXPORT or"
                        + " nbd+unix:///EXPORT?socket=PATH");
            }
            if (readOnly) {
                throw CliException.usage(args.command(), "--read-only is not for -t nbd: the device is read-only when the"
                        + " server exports read-only (qemu-nbd -r, nbdkit -r)");
            }
            String url = args.value("url");
            try {
                NbdUri.parse(url);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(args.command(), "--url: " + e.getMessage());
            }
            return new TargetSpec(null, false, false, url, args.intValue("connections", "--connections", 0, 1, 64));
        }
        if (kind != TargetKind.FILE) {
            return new TargetSpec(null, false, readOnly);
        }
        if (!args.has("path")) {
            throw CliException.usage(args.command(), "the file target needs --path FILE: the regular file or block device to serve");
        }
        Path path = Path.of(args.value("path")).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw CliException.usage(args.command(), "--path " + path + ": no such file; create it first, e.g. 'truncate -s 1G "
                    + path + "'");
        }
        if (Files.isDirectory(path)) {
            throw CliException.usage(args.command(), "--path " + path + " is a directory: give a regular file or a block device");
        }
        if (!Files.isReadable(path)) {
            throw CliException.usage(args.command(), "--path " + path + " is not readable by this user");
        }
        return new TargetSpec(path, args.has("direct"), readOnly);
    }

    private static Recovery parseRecovery(String name) throws CliException {
        if (name.isEmpty()) {
            return Recovery.REISSUE;
        }
        for (Recovery r : Recovery.values()) {
            if (r.cliName().equals(name)) {
                return r;
            }
        }
        throw CliException.usage("add", "unknown recovery mode '" + name + "': use reissue, fail-in-flight, fail-io or off");
    }

    private static DataMode parseMode(String name) throws CliException {
        for (DataMode m : DataMode.values()) {
            if (m.cliName().equals(name)) {
                return m;
            }
        }
        throw CliException.usage("add", "unknown data mode '" + name + "': use copy, copy-application-buffers, user-copy, zero-copy"
                + " or auto-zero-copy");
    }

    /**
     * Describes a live device in one line: {@code dev 0: /dev/ublkb0 (mem, 1 GiB, 1 queue x 128, copy)}.
     *
     * @param info the device as the kernel has it
     * @param s what was asked for
     * @param readOnly whether the device is read-only
     * @return the line
     */
    static String describe(UblkDeviceInfo info, Settings s, boolean readOnly) {
        int queues = info.nrHwQueues();
        return "dev " + info.devId() + ": " + info.blockPath() + " (" + s.target().cliName()
                + (s.spec().path() != null ? " " + s.spec().path() : "") + (s.spec().url() != null ? " " + s.spec().url() : "")
                + ", " + Sizes.format(s.sizeBytes())
                + ", " + queues + (queues == 1 ? " queue" : " queues") + " x " + info.queueDepth() + ", " + s.mode().cliName()
                + (s.spec().direct() ? ", O_DIRECT" : "") + (readOnly ? ", read-only" : "") + s.fault().describe() + ")";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Settings asked = settings(args);
        int timeout = args.intValue("timeout", "--timeout", DEFAULT_TIMEOUT_SECONDS, 1, 86400);
        Host.requireDriverAccess("add");
        Settings s;
        long features;
        try (UblkControl ctl = UblkControl.open()) {
            features = ctl.features();
            s = asked.resolve(features, err);
        }
        if (Host.unprivileged()) {
            if (features != 0 && !UblkFeature.UNPRIVILEGED_DEV.isSet(features)) {
                throw CliException.failure("add: this kernel's ublk driver has no unprivileged devices (Linux 6.3+): run as root");
            }
            if (s.recovery() != Recovery.OFF) {
                throw CliException.failure("add: --recovery is for root only: the kernel gives unprivileged devices no recovery");
            }
            if (s.mode() != DataMode.COPY) {
                throw CliException.failure("add: data mode " + s.mode().cliName() + " is for root only: unprivileged devices use"
                        + " copy mode; leave out -u/-z/--data-mode");
            }
        }
        int takeOver = args.intValue("take-over", "--take-over", -1, 0, (1 << 20) - 1);
        if (args.has("foreground")) {
            String ready = args.value("ready-file");
            return serve(s, takeOver, ready == null ? null : Path.of(ready), out, err);
        }
        return spawn(s, takeOver, timeout, out, err);
    }

    // ---- foreground: serve in this process ------------------------------------------------------

    /** Owns the device and its target; closes them exactly once, from whichever thread comes first. */
    private static final class Server {
        private final PrintStream err;
        private BlockTarget target;
        private UblkDevice device;
        private boolean shutDown;

        Server(PrintStream err) {
            this.err = err;
        }

        /** @return false when shutdown already began (the caller then closes what it holds) */
        synchronized boolean adopt(BlockTarget t, UblkDevice d) {
            if (shutDown) {
                return false;
            }
            target = t;
            device = d;
            return true;
        }

        synchronized boolean isShutDown() {
            return shutDown;
        }

        /** Stops and deletes the device, then frees the target. Idempotent; waits for a close in progress. */
        synchronized void shutdown() {
            if (shutDown) {
                return;
            }
            shutDown = true;
            if (device != null) {
                try {
                    device.close();
                    ServerState.remove(runDir(), device.id());
                } catch (UblkException e) {
                    // Someone else (jublk del after a timeout) deleted it first: nothing is left.
                    if (e.errno() != Errno.ENODEV && e.errno() != Errno.ENOENT) {
                        Main.printLines(err, "deleting dev " + device.id() + ": " + e.getMessage());
                    } else {
                        ServerState.remove(runDir(), device.id());
                    }
                }
            }
            closeTarget();
        }

        /** Lets go of a quiesced device, keeping it and its state for the next server. */
        synchronized void detach() {
            if (shutDown) {
                return;
            }
            shutDown = true;
            try {
                device.detach();
            } catch (RuntimeException e) {
                Main.printLines(err, "letting go of dev " + device.id() + ": " + e.getMessage());
            }
            closeTarget();
        }

        private void closeTarget() {
            if (target instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    Main.printLines(err, "closing the target: " + e);
                }
            }
        }
    }

    static int serve(Settings s, int takeOver, Path readyFile, PrintStream out, PrintStream err) throws Exception {
        Server server = new Server(err);
        Thread hook = new Thread(server::shutdown, "jublk-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            BlockTarget target = s.fault().wrap(s.target().create(s));
            UblkDevice dev;
            try {
                UblkDeviceBuilder builder = s.builder(target);
                dev = takeOver >= 0 ? builder.recover(takeOver) : builder.build();
            } catch (UblkException | RuntimeException e) {
                if (target instanceof AutoCloseable c) {
                    c.close();
                }
                throw e;
            }
            if (!server.adopt(target, dev)) {
                dev.close();
                if (target instanceof AutoCloseable c) {
                    c.close();
                }
                throw CliException.failure("add: interrupted while adding the device; it is deleted");
            }
            signal(readyFile, "added " + dev.id());
            Signals.install("dev " + dev.id(), err);
            if (dev.recovery() != Recovery.OFF) {
                new ServerState(dev.id(), ProcessHandle.current().pid(), s.asOptions()).write(runDir());
            }
            dev.runQueues();
            dev.start();
            out.println(describe(dev.info(), s, target.capabilities().readOnly()));
            if (takeOver >= 0) {
                out.println("dev " + dev.id() + ": taken over; waiting IO flows again");
            }
            out.println("serving in process " + ProcessHandle.current().pid()
                    + " until SIGINT/SIGTERM or 'jublk del -n " + dev.id() + "'");
            out.flush();
            signal(readyFile, "live " + dev.id());
            dev.awaitStopped();
            boolean fromOutside = !server.isShutDown();
            if (fromOutside && dev.recovery() != Recovery.OFF && isBeingQuiesced(dev)) {
                // 'jublk quiesce': leave the device, its queued IO and its state to the next server.
                server.detach();
                out.println("dev " + dev.id() + ": quiesced; this server exits, the device waits for 'jublk recover -n "
                        + dev.id() + "'");
                return 0;
            }
            server.shutdown();
            if (fromOutside) {
                out.println("dev " + dev.id() + ": stopped from outside; deleted");
            }
            return 0;
        } finally {
            server.shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // The JVM is shutting down: the hook runs (or ran) anyway.
            }
        }
    }

    /**
     * Why the queues ended: STOP_DEV marks the device dead before it aborts the fetches, QUIESCE_DEV
     * leaves it live (quiesced once this server lets go).
     */
    private static boolean isBeingQuiesced(UblkDevice dev) {
        try {
            return dev.control().deviceInfo(dev.id()).state() != UblkCmd.UBLK_S_DEV_DEAD;
        } catch (UblkException e) {
            return false;
        }
    }

    /**
     * Appends a line to the ready file atomically (a whole new file renamed over it), so the
     * parent never reads half a line.
     */
    private static void signal(Path readyFile, String line) throws IOException {
        if (readyFile == null) {
            return;
        }
        String before = Files.exists(readyFile) ? Files.readString(readyFile) : "";
        Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
        Files.writeString(tmp, before + line + "\n");
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- background: start a detached server --------------------------------------------------

    /**
     * Starts a detached server for the device and waits until it is live.
     *
     * @param s the device's settings
     * @param takeOver the device to take over (recover), or -1 to add a new one
     * @param timeoutSeconds how long to wait
     * @param out where the device is described
     * @param err where problems go
     * @return the exit status
     * @throws Exception when the server fails; nothing is left behind
     */
    static int spawn(Settings s, int takeOver, int timeoutSeconds, PrintStream out, PrintStream err) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            if (takeOver < 0 && s.id() >= 0 && Host.findDevice(ctl, s.id()) != null) {
                throw CliException.failure("add: device " + s.id() + " already exists (see 'jublk list'); choose another id or leave out -n");
            }
        }
        Path dir = runDir();
        long self = ProcessHandle.current().pid();
        Path log = dir.resolve("add-" + self + ".log");
        Path ready = dir.resolve("add-" + self + ".ready");
        Files.deleteIfExists(ready);
        List<String> cmd = new ArrayList<>();
        Path setsid = Host.which("setsid");
        if (setsid != null) {
            // Its own session: the terminal's SIGINT and SIGHUP do not reach the server.
            cmd.add(setsid.toString());
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        // The server's log shows what this command line asked to see.
        cmd.addAll(Collections.nCopies(CliLogging.verbosity(), "-v"));
        cmd.addAll(List.of("add", "--foreground", "--ready-file", ready.toString()));
        if (takeOver >= 0) {
            cmd.addAll(List.of("--take-over", Integer.toString(takeOver)));
        }
        cmd.addAll(s.asOptions());
        Process child = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectErrorStream(true)
                .start();
        // Until the device is live, the server is ours: if we are interrupted, it goes too.
        Thread hook = new Thread(() -> {
            child.destroy();
            try {
                child.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            child.destroyForcibly();
        }, "jublk-add-abort");
        Runtime.getRuntime().addShutdownHook(hook);
        int id = -1;
        boolean live = false;
        String failure = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String state = Files.exists(ready) ? Files.readString(ready) : "";
                for (String line : state.lines().toList()) {
                    String[] w = line.split(" ");
                    if (w.length == 2 && (w[0].equals("added") || w[0].equals("live"))) {
                        id = Integer.parseInt(w[1]);
                        live |= w[0].equals("live");
                    }
                }
                if (live) {
                    break;
                }
                if (!child.isAlive()) {
                    failure = childFailure(log, child.exitValue());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    failure = "add: the server (pid " + child.pid() + ") did not bring the device up within " + timeoutSeconds
                            + " s; stopped it" + lastLines(log);
                    stopChild(child);
                    break;
                }
                Thread.sleep(50);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook stops the server
            }
            Files.deleteIfExists(ready);
        }
        if (!live) {
            stopChild(child);
            if (id >= 0 && takeOver < 0) {
                removeLeftover(id, err);
                ServerState.remove(runDir(), id);
            }
            Files.deleteIfExists(log);
            throw CliException.failure(failure);
        }
        Path finalLog = dir.resolve("ublkb" + id + ".log");
        try {
            Files.move(log, finalLog, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            finalLog = log;
        }
        UblkDeviceInfo info;
        boolean readOnly;
        try (UblkControl ctl = UblkControl.open()) {
            info = ctl.deviceInfo(id);
            readOnly = (ctl.getParams(id, info.has(UblkFeature.UNPRIVILEGED_DEV)).attrs() & UblkCmd.UBLK_ATTR_READ_ONLY) != 0;
        }
        out.println(describe(info, s, readOnly));
        if (takeOver >= 0) {
            out.println("dev " + id + ": taken over; waiting IO flows again");
        }
        out.println("server pid " + child.pid() + ", log " + finalLog + "; stop it with 'jublk del -n " + id + "'");
        return 0;
    }

    /** @return /run/jublk when we can write there, else the temp directory */
    static Path runDir() {
        try {
            Files.createDirectories(RUN_DIR);
            if (Files.isWritable(RUN_DIR)) {
                return RUN_DIR;
            }
        } catch (IOException | SecurityException ignored) {
            // fall back
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static void stopChild(Process child) throws InterruptedException {
        if (child.isAlive()) {
            child.destroy();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The server's own error lines, or the end of its log. */
    private static String childFailure(Path log, int status) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        List<String> errors = lines.stream().filter(l -> l.startsWith("jublk: ")).map(l -> l.substring(7)).toList();
        if (!errors.isEmpty()) {
            return String.join("\n", errors);
        }
        return "add: the server exited with status " + status + " before the device was live" + lastLines(log);
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            if (lines.isEmpty()) {
                return "";
            }
            return "; its output ends:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Deletes a device a failed server left behind. */
    private static void removeLeftover(int id, PrintStream err) {
        try (UblkControl ctl = UblkControl.open()) {
            if (Host.findDevice(ctl, id) == null) {
                return;
            }
            UblkDeviceInfo info = ctl.deviceInfo(id);
            boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
            ctl.stopDevice(id, unpriv);
            ctl.deleteDevice(id, unpriv);
        } catch (UblkException e) {
            Main.printLines(err, "add: could not delete dev " + id + " the failed server left: " + e.getMessage()
                    + "\ndelete it with 'jublk del -n " + id + "'");
        }
    }
}
