// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

/**
 * A failure the CLI reports as one {@code jublk: ...} line and an exit status, without a stack trace.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit status of a command that failed. */
    static final int FAILURE = 1;
    /** Exit status of a command line that is wrong (unknown command or option, bad value). */
    static final int USAGE = 2;

    private final int status;
    private final String command;

    private CliException(String message, int status, String command, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.command = command;
    }

    /**
     * @param command the command whose help to point at, or {@code null} for the top level
     * @param message what is wrong with the command line
     * @return an exception exiting with {@link #USAGE}
     */
    static CliException usage(String command, String message) {
        return new CliException(message, USAGE, command, null);
    }

    /**
     * @param message what failed and, where one helps, what to do
     * @return an exception exiting with {@link #FAILURE}
     */
    static CliException failure(String message) {
        return new CliException(message, FAILURE, null, null);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure
     * @return an exception exiting with {@link #FAILURE}
     */
    static CliException failure(String message, Throwable cause) {
        return new CliException(message, FAILURE, null, cause);
    }

    /** @return the exit status */
    int status() {
        return status;
    }

    /** @return whether this is a command-line mistake (the message then points at the help) */
    boolean isUsage() {
        return status == USAGE;
    }

    /** @return the command whose help is relevant, or {@code null} */
    String command() {
        return command;
    }
}
