// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.targets.nbd.NbdUri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code jublk add} and their reading into {@link AddSettings}, checked without
 * touching the kernel. {@code jublk recover} reads a device's saved options with them too.
 */
final class AddOptions {
    private AddOptions() {
    }

    /**
     * The options of {@code jublk add}: those a server is started with again by {@code jublk recover} too.
     *
     * @return the option table
     */
    static List<Args.Option> table() {
        List<Args.Option> o = new ArrayList<>(List.of(
                Args.Option.value("type", 't', "TYPE"),
                Args.Option.value("size", 's', "SIZE"),
                Args.Option.value("queues", 'q', "N"),
                Args.Option.value("depth", 'd', "N"),
                DeviceOptions.NUMBER,
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
                Args.Option.flag("service", (char) 0),
                DeviceOptions.TIMEOUT,
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
    static AddSettings parse(Args args) throws CliException {
        if (!args.has("type")) {
            throw CliException.usage(args.command(), "no target type: give -t null or -t mem");
        }
        TargetKind kind = TargetKind.parse(args.value("type"));
        int queues = args.intValue("queues", "-q/--queues", 1, 1, UblkCmd.UBLK_MAX_NR_QUEUES);
        int depth = args.intValue("depth", "-d/--depth", 128, 1, UblkCmd.UBLK_MAX_QUEUE_DEPTH);
        int id = DeviceOptions.id(args);
        int blockSize = args.intValue("block-size", "-b/--block-size", 0, 512, 4096);
        TargetSpec spec = targetSpec(args, kind);
        // Without -s a file or an export is as large as it is; the target says so itself.
        long size = args.has("size") ? args.sizeValue("size", "-s/--size", 0) : kind.defaultSize();
        long targetSize = kind.probe(spec);
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
        boolean service = isService(args);
        // A service keeps its device across restarts unless told otherwise; mem data cannot outlive its server.
        Recovery recovery = service && kind != TargetKind.MEM ? Recovery.REISSUE : Recovery.OFF;
        if (args.has("recovery")) {
            recovery = parseRecovery(args.value("recovery"));
            if (kind == TargetKind.MEM) {
                throw CliException.usage(args.command(), "the mem target keeps its data in its server's memory, which dies with"
                        + " the server: a recovered device would be empty; leave out --recovery, or use -t file");
            }
        }
        String scheduler = args.has("io-scheduler") ? args.value("io-scheduler") : AddSettings.DEFAULT_IO_SCHEDULER;
        if (AddSettings.KERNEL_IO_SCHEDULER.equals(scheduler)) {
            scheduler = null;
        } else if (!scheduler.matches("[a-z0-9_-]+")) {
            throw CliException.usage(args.command(), "--io-scheduler '" + scheduler + "' is not a scheduler name: use none,"
                    + " mq-deadline, kyber, bfq, or kernel for the kernel's choice");
        }
        if (mode == DataMode.COPY_APPLICATION_BUFFERS && !kind.lendsBuffers()) {
            throw CliException.usage(args.command(), "data mode copy-application-buffers is for the file target, which lends"
                    + " its own buffers (a mapped file's pages); " + kind.cliName() + " has none: use copy or user-copy");
        }
        AddSettings s = new AddSettings(kind, size, queues, depth, id, mode, fastest, blockSize, spec, recovery,
                FaultOptions.parse(args), scheduler);
        try {
            s.builder(new SettingsCheck(kind, size > 0 ? size : targetSize)).validate();
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

    /**
     * Reads {@code --service}: a foreground server for a fixed device id, as a service manager runs it.
     *
     * @param args the options
     * @return whether the server runs as a service
     * @throws CliException when {@code --service} comes without {@code --foreground} or {@code -n}
     */
    static boolean isService(Args args) throws CliException {
        if (!args.has("service")) {
            return false;
        }
        if (!args.has("foreground")) {
            throw CliException.usage(args.command(), "--service is for a server in the foreground: add --foreground");
        }
        if (!args.has("number")) {
            throw CliException.usage(args.command(), "--service needs the device id: give -n ID, so a restart finds its"
                    + " device again");
        }
        if (args.has("take-over")) {
            throw CliException.usage(args.command(), "--service takes its device over by itself; leave out --take-over");
        }
        return true;
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
}
