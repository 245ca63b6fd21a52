package io.jublk.cli;

import io.jublk.core.BlockTarget;
import io.jublk.targets.MemTarget;
import io.jublk.targets.NullTarget;
import io.jublk.uring.ErrnoException;

import java.util.Locale;

/** The targets {@code jublk add -t} knows, with the code that marks them in a device's ublksrv_flags. */
enum TargetKind {
    /** Completes every request at once, keeps no data. */
    NULL(1, 250L << 30, "completes every request at once and keeps no data (for measuring ublk itself)"),
    /** A RAM disk in this process's memory, allocated as it is written. */
    MEM(2, 1L << 30, "a RAM disk in the server's memory, allocated as it is written");

    private final int code;
    private final long defaultSize;
    private final String description;

    TargetKind(int code, long defaultSize, String description) {
        this.code = code;
        this.defaultSize = defaultSize;
        this.description = description;
    }

    /** @return the name used on the command line */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the code stored in ublksrv_flags, 1..255 */
    int code() {
        return code;
    }

    /** @return the size used when {@code --size} is not given */
    long defaultSize() {
        return defaultSize;
    }

    /** @return one line for help */
    String description() {
        return description;
    }

    /**
     * Creates the target; the caller closes it (if {@link AutoCloseable}) after the device is deleted.
     *
     * @param sizeBytes the device size
     * @return the target
     * @throws ErrnoException when its memory cannot be reserved
     */
    BlockTarget create(long sizeBytes) throws ErrnoException {
        return switch (this) {
            case NULL -> new NullTarget();
            case MEM -> new MemTarget(sizeBytes);
        };
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
     * @param name a name from the command line
     * @return the target
     * @throws CliException naming the targets there are
     */
    static TargetKind parse(String name) throws CliException {
        for (TargetKind k : values()) {
            if (k.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw CliException.usage("add", "unknown target type '" + name + "': use one of " + names());
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
