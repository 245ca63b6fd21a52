// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

/**
 * Reads option values the verbs take as text, so that a bad value is said in jublk's words and
 * names the option. Stateless.
 */
final class OptionValues {
    private OptionValues() {
    }

    /**
     * Reads an integer option.
     *
     * @param command the verb, for the message
     * @param value the option's text, or {@code null} when it is not given
     * @param display how to name it in messages ({@code -q/--queues})
     * @param dflt the value when it is not given
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws CliException when it is not an integer in range
     */
    static int intValue(String command, String value, String display, int dflt, int min, int max) throws CliException {
        if (value == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(command, "option " + display + ": '" + value + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw CliException.usage(command, "option " + display + ": " + n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    /**
     * Reads a size option ({@code 512M}, {@code 1G}).
     *
     * @param command the verb, for the message
     * @param value the option's text, or {@code null} when it is not given
     * @param display how to name it in messages
     * @param dflt the value when it is not given
     * @return bytes
     * @throws CliException when the size does not parse
     */
    static long sizeValue(String command, String value, String display, long dflt) throws CliException {
        if (value == null) {
            return dflt;
        }
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(command, "option " + display + ": " + e.getMessage());
        }
    }
}
