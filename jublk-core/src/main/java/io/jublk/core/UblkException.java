// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;

import java.io.IOException;

/**
 * A ublk control or setup operation failed.
 *
 * <p>The message names the command, the device and the errno, and adds a hint where one helps, for
 * example {@code UBLK_CMD_START_DEV dev_id=3 failed: EINVAL (Invalid argument)}.
 */
public class UblkException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Device id used when a failure concerns no particular device. */
    public static final int NO_DEVICE = -1;

    private final String command;
    private final int devId;
    private final Errno errno;

    /**
     * Creates an exception for a failed command.
     *
     * @param command the command or call, in kernel spelling
     * @param devId the device id, or {@link #NO_DEVICE}
     * @param errno the error, or {@code null} when the failure has no errno
     * @param detail extra words (a hint, what to do), or {@code null}
     */
    public UblkException(String command, int devId, Errno errno, String detail) {
        super(message(command, devId, errno, detail));
        this.command = command;
        this.devId = devId;
        this.errno = errno;
    }

    /**
     * Wraps a failed system call made on behalf of a command.
     *
     * @param command the ublk command or step being performed
     * @param devId the device id, or {@link #NO_DEVICE}
     * @param cause the failed call
     */
    public UblkException(String command, int devId, ErrnoException cause) {
        super(message(command, devId, cause.errno(), cause.call() + " failed"), cause);
        this.command = command;
        this.devId = devId;
        this.errno = cause.errno();
    }

    /**
     * Creates an exception for a kernel result that is a negative errno.
     *
     * @param command the command, in kernel spelling
     * @param devId the device id, or {@link #NO_DEVICE}
     * @param negativeErrno the result as the kernel returned it
     * @return the exception, with a hint for the errnos that have a common cause
     */
    public static UblkException of(String command, int devId, int negativeErrno) {
        Errno errno = Errno.of(-negativeErrno);
        return new UblkException(command, devId, errno, hint(command, errno));
    }

    /** @return the command or call that failed, in kernel spelling */
    public String command() {
        return command;
    }

    /** @return the device id, or {@link #NO_DEVICE} */
    public int devId() {
        return devId;
    }

    /** @return the errno, or {@code null} when the failure had none */
    public Errno errno() {
        return errno;
    }

    private static String hint(String command, Errno errno) {
        if (errno == null) {
            return null;
        }
        return switch (errno) {
            case EPERM, EACCES -> "ublk needs root (CAP_SYS_ADMIN) unless the device is unprivileged and its nodes are yours";
            case EOPNOTSUPP -> "this kernel's ublk driver does not support " + command;
            case ENODEV -> command.contains("ADD_DEV") ? null : "no such ublk device (see 'jublk list')";
            case EEXIST -> command.contains("ADD_DEV") ? "that device id is taken; choose another or let the kernel pick one" : null;
            default -> null;
        };
    }

    private static String message(String command, int devId, Errno errno, String detail) {
        StringBuilder sb = new StringBuilder(command);
        if (devId != NO_DEVICE) {
            sb.append(" dev_id=").append(devId);
        }
        sb.append(" failed");
        if (errno != null) {
            sb.append(": ").append(errno.name()).append(" (").append(errno.description()).append(')');
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(errno != null ? "; " : ": ").append(detail);
        }
        return sb.toString();
    }
}
