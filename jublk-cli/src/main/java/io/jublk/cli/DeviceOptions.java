// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

/**
 * Reads the options naming an existing device ({@code -n ID}) and how long to wait for what happens
 * to it ({@code --timeout SECONDS}), as every verb that acts on one device takes them.
 */
final class DeviceOptions {
    /** The largest device id the kernel hands out. */
    static final int MAX_ID = (1 << 20) - 1;
    /** How long del and quiesce wait, unless told otherwise, for a server to let go of its device and exit. */
    static final int SERVER_EXIT_SECONDS = 30;

    private DeviceOptions() {
    }

    /**
     * @param command the verb, for messages
     * @param number the text of {@code -n}, or {@code null}
     * @return the device id given with {@code -n}, or -1 when none is
     * @throws CliException when it is not an id
     */
    static int id(String command, String number) throws CliException {
        return OptionValues.intValue(command, number, "-n/--number", -1, 0, MAX_ID);
    }

    /**
     * @param command the verb, for messages
     * @param number the text of {@code -n}, or {@code null}
     * @return the device id given with {@code -n}
     * @throws CliException when none is given, or it is not an id
     */
    static int requiredId(String command, String number) throws CliException {
        if (number == null) {
            throw CliException.usage(command, "which device? give -n ID");
        }
        return id(command, number);
    }

    /**
     * @param command the verb, for messages
     * @param timeout the text of {@code --timeout}, or {@code null}
     * @param dflt the seconds when {@code --timeout} is not given
     * @return the seconds to wait
     * @throws CliException when it is not a number of seconds in range
     */
    static int timeoutSeconds(String command, String timeout, int dflt) throws CliException {
        return OptionValues.intValue(command, timeout, "--timeout", dflt, 1, 86400);
    }
}
