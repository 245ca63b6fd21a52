// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.spi.BlockTarget;
import io.jublk.targets.FileTarget;
import io.jublk.targets.MemTarget;
import io.jublk.targets.NullTarget;
import io.jublk.targets.nbd.NbdTarget;
import io.jublk.targets.nbd.NbdUri;
import io.jublk.uring.ErrnoException;

import java.io.IOException;
import java.util.Locale;

/** The targets {@code jublk add -t} knows, with the code that marks them in a device's ublksrv_flags. */
enum TargetKind {
    /** Completes every request at once, keeps no data. */
    NULL(1, 250L << 30),
    /** A RAM disk in this process's memory, allocated as it is written. */
    MEM(2, 1L << 30),
    /** The loop device in user space: a regular file or block device, through the queue's io_uring. */
    FILE(3, 0),
    /** Remote storage: an NBD export, over TCP or a Unix socket. */
    NBD(4, 0);

    private final int code;
    private final long defaultSize;

    TargetKind(int code, long defaultSize) {
        this.code = code;
        this.defaultSize = defaultSize;
    }

    /** @return the name used on the command line */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the code stored in ublksrv_flags, 1..255 */
    int code() {
        return code;
    }

    /** @return the size used when {@code --size} is not given; 0 when the target's own is (file, nbd) */
    long defaultSize() {
        return defaultSize;
    }

    /**
     * Reaches the backing before any device is added, so that a missing file or an unreachable
     * server is said at once, not from a background server.
     *
     * @param spec what the target is made from
     * @return the backing's size, or the default size for targets without a backing
     * @throws CliException when the backing cannot be opened or reached
     */
    long probe(TargetSpec spec) throws CliException {
        if (this == NBD) {
            try (NbdTarget probe = NbdTarget.builder(NbdUri.parse(spec.url())).connections(1).open()) {
                return probe.size();
            } catch (IOException e) {
                throw CliException.failure("add: cannot reach the NBD server at " + spec.url() + ": " + message(e)
                        + " (is it running, and is the export name right?)", e);
            }
        }
        if (this != FILE) {
            return defaultSize;
        }
        try (FileTarget probe = FileTarget.builder(spec.path()).readOnly(true).open()) {
            return probe.size();
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage("add", "--path " + spec.path() + ": " + message(e));
        }
    }

    /** @return whether the target can serve the zero copy data modes */
    boolean supportsZeroCopy() {
        return this == FILE;
    }

    /** @return whether the target lends its own buffers (data mode copy-application-buffers) */
    boolean lendsBuffers() {
        return this == FILE;
    }

    /**
     * Creates the target; the caller closes it (if {@link AutoCloseable}) after the device is deleted.
     *
     * @param s the device's settings
     * @return the target
     * @throws CliException when its memory cannot be reserved or its backing opened
     */
    BlockTarget create(AddSettings s) throws CliException {
        try {
            return switch (this) {
                case NULL -> new NullTarget();
                case MEM -> new MemTarget(s.sizeBytes());
                case FILE -> FileTarget.builder(s.spec().path()).direct(s.spec().direct()).readOnly(s.spec().readOnly())
                        .size(s.sizeBytes()).open();
                case NBD -> openNbd(s);
            };
        } catch (ErrnoException e) {
            if (this == MEM) {
                throw CliException.failure("add: cannot reserve " + Sizes.format(s.sizeBytes()) + " of address space for the mem target: "
                        + e.getMessage(), e);
            }
            throw CliException.failure("add: opening " + s.spec().path() + ": " + e.getMessage(), e);
        } catch (IOException | IllegalArgumentException e) {
            String what = this == NBD ? "connecting to " + s.spec().url() : "opening " + s.spec().path();
            throw CliException.failure("add: " + what + ": " + message(e), e);
        }
    }

    private static NbdTarget openNbd(AddSettings s) throws IOException, CliException {
        NbdTarget nbd = NbdTarget.builder(NbdUri.parse(s.spec().url())).connections(s.spec().connections())
                .open();
        String problem = null;
        if (s.sizeBytes() > nbd.size()) {
            problem = "the export has " + nbd.size() + " bytes, less than the " + s.sizeBytes() + " asked for with -s";
        } else if (s.blockSize() > 0 && s.blockSize() < nbd.logicalBlockSize()) {
            problem = "the server's smallest block is " + nbd.logicalBlockSize() + " bytes: give -b " + nbd.logicalBlockSize();
        }
        if (problem != null) {
            nbd.close();
            throw CliException.failure("add: " + s.spec().url() + ": " + problem);
        }
        return nbd;
    }

    private static String message(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * @param code a code from ublksrv_flags
     * @return the target, or {@code null} when the code is unknown
     */
    static TargetKind ofCode(int code) {
        for (TargetKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }

    /**
     * @param name a name from the command line: a target's, or {@code loop} for file
     * @return the target
     * @throws CliException naming the targets there are
     */
    static TargetKind parse(String name) throws CliException {
        return parse("add", name);
    }

    /**
     * @param command the verb, for the message
     * @param name a name from the command line: a target's, or {@code loop} for file
     * @return the target
     * @throws CliException naming the targets there are
     */
    static TargetKind parse(String command, String name) throws CliException {
        // The other ublk servers call the file target loop.
        if (name.equalsIgnoreCase("loop")) {
            return FILE;
        }
        for (TargetKind k : values()) {
            if (k.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw CliException.usage(command, "unknown target type '" + name + "': use one of " + names());
    }

    /** @return the names, for messages: {@code null, mem} */
    static String names() {
        StringBuilder sb = new StringBuilder();
        for (TargetKind k : values()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(k.cliName());
        }
        return sb.toString();
    }
}
