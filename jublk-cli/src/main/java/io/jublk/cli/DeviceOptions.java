// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

/**
 * The options naming an existing device ({@code -n ID}) and how long to wait for what happens to
 * it ({@code --timeout SECONDS}), as every command that acts on one device reads them.
 */
final class DeviceOptions {
    /** {@code -n/--number ID}. */
    static final Args.Option NUMBER = Args.Option.value("number", 'n', "ID");
    /** {@code --timeout SECONDS}. */
    static final Args.Option TIMEOUT = Args.Option.value("timeout", (char) 0, "SECONDS");
    /** The largest device id the kernel hands out. */
    static final int MAX_ID = (1 << 20) - 1;
    /** How long del and quiesce wait, unless told otherwise, for a server to let go of its device and exit. */
    static final int SERVER_EXIT_SECONDS = 30;

    private DeviceOptions() {
    }

    /**
     * @param args the options
     * @return the device id given with {@code -n}, or -1 when none is
     * @throws CliException when it is not an id
     */
    static int id(Args args) throws CliException {
        return args.intValue("number", "-n/--number", -1, 0, MAX_ID);
    }

    /**
     * @param args the options
     * @return the device id given with {@code -n}
     * @throws CliException when none is given, or it is not an id
     */
    static int requiredId(Args args) throws CliException {
        if (!args.has("number")) {
            throw CliException.usage(args.command(), "which device? give -n ID");
        }
        return id(args);
    }

    /**
     * @param args the options
     * @param dflt the seconds when {@code --timeout} is not given
     * @return the seconds to wait
     * @throws CliException when it is not a number of seconds in range
     */
    static int timeoutSeconds(Args args, int dflt) throws CliException {
        return args.intValue("timeout", "--timeout", dflt, 1, 86400);
    }
}
