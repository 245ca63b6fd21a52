// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one command, parsed GNU style: {@code --size 1G}, {@code --size=1G}, {@code -s 1G},
 * {@code -s1G}, flags such as {@code --json}; {@code --} ends the options. No command takes
 * positional arguments, so any is an error. Not thread-safe; immutable once parsed.
 */
final class Args {
    /**
     * One option.
     *
     * @param longName the name after {@code --}
     * @param shortName the letter after {@code -}, or 0 for none
     * @param valueName the value's name in help ("SIZE"), or {@code null} for a flag
     * @param hidden whether help leaves it out (options the CLI passes to itself)
     * @param optionalValue whether the value may be left out: {@code --recovery} or
     *     {@code --recovery=fail-io} (only in the attached form, so the next argument is never taken)
     */
    record Option(String longName, char shortName, String valueName, boolean hidden, boolean optionalValue) {
        static Option flag(String longName, char shortName) {
            return new Option(longName, shortName, null, false, false);
        }

        static Option value(String longName, char shortName, String valueName) {
            return new Option(longName, shortName, valueName, false, false);
        }

        static Option optionalValue(String longName, char shortName, String valueName) {
            return new Option(longName, shortName, valueName, false, true);
        }

        static Option hidden(String longName, String valueName) {
            return new Option(longName, (char) 0, valueName, true, false);
        }

        boolean takesValue() {
            return valueName != null;
        }

        /** @return how messages name it: {@code -s/--size} or {@code --json} */
        String display() {
            return shortName == 0 ? "--" + longName : "-" + shortName + "/--" + longName;
        }
    }

    private final String command;
    private final Map<String, String> values;

    private Args(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    /**
     * Whether the command line asks for help ({@code -h} or {@code --help} before any {@code --}).
     *
     * @param argv the arguments after the command name
     * @return true when help is asked for
     */
    static boolean wantsHelp(List<String> argv) {
        for (String a : argv) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a command's arguments.
     *
     * @param command the command name, for messages
     * @param options what the command accepts
     * @param argv the arguments after the command name
     * @return the parsed options
     * @throws CliException a usage error naming the offending argument
     */
    static Args parse(String command, List<Option> options, List<String> argv) throws CliException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                positional.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            Option opt;
            String inline = null;
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                opt = byLong(options, name);
                if (opt == null) {
                    throw CliException.usage(command, "unknown option '--" + name + "'");
                }
                if (eq >= 0) {
                    if (!opt.takesValue()) {
                        throw CliException.usage(command, "option " + opt.display() + " takes no value");
                    }
                    inline = a.substring(eq + 1);
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                opt = byShort(options, a.charAt(1));
                if (opt == null) {
                    throw CliException.usage(command, "unknown option '-" + a.charAt(1) + "'");
                }
                if (a.length() > 2) {
                    if (!opt.takesValue()) {
                        throw CliException.usage(command, "option " + opt.display() + " takes no value (in '" + a + "')");
                    }
                    inline = a.substring(2);
                }
            } else {
                positional.add(a);
                continue;
            }
            if (values.containsKey(opt.longName())) {
                throw CliException.usage(command, "option " + opt.display() + " is given twice");
            }
            String value = "";
            if (opt.optionalValue()) {
                if (inline != null && inline.isEmpty()) {
                    throw CliException.usage(command, "option " + opt.display() + " has an empty value: give --" + opt.longName()
                            + " alone or --" + opt.longName() + "=" + opt.valueName());
                }
                value = inline == null ? "" : inline;
            } else if (opt.takesValue()) {
                if (inline != null) {
                    value = inline;
                } else if (i + 1 < argv.size()) {
                    value = argv.get(++i);
                } else {
                    throw CliException.usage(command, "option " + opt.display() + " needs a value (" + opt.valueName() + ")");
                }
                if (value.isEmpty()) {
                    throw CliException.usage(command, "option " + opt.display() + " needs a non-empty value (" + opt.valueName() + ")");
                }
            }
            values.put(opt.longName(), value);
        }
        if (!positional.isEmpty()) {
            throw CliException.usage(command, "unexpected argument '" + positional.getFirst() + "'");
        }
        return new Args(command, values);
    }

    private static Option byLong(List<Option> options, String name) {
        for (Option o : options) {
            if (o.longName().equals(name)) {
                return o;
            }
        }
        return null;
    }

    private static Option byShort(List<Option> options, char c) {
        for (Option o : options) {
            if (o.shortName() == c && c != 0) {
                return o;
            }
        }
        return null;
    }

    /** @return the command these options belong to */
    String command() {
        return command;
    }

    /**
     * @param longName an option's long name
     * @return whether it was given
     */
    boolean has(String longName) {
        return values.containsKey(longName);
    }

    /**
     * @param longName an option's long name
     * @return its value, or {@code null} when not given
     */
    String value(String longName) {
        return values.get(longName);
    }

    /**
     * Reads an integer option.
     *
     * @param longName the option
     * @param display how to name it in messages
     * @param dflt the value when it is not given
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws CliException when it is not an integer in range
     */
    int intValue(String longName, String display, int dflt, int min, int max) throws CliException {
        String v = values.get(longName);
        if (v == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage(command, "option " + display + ": '" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw CliException.usage(command, "option " + display + ": " + n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    /**
     * Reads a size option ({@code 512M}, {@code 1G}).
     *
     * @param longName the option
     * @param display how to name it in messages
     * @param dflt the value when it is not given
     * @return bytes
     * @throws CliException when the size does not parse
     */
    long sizeValue(String longName, String display, long dflt) throws CliException {
        String v = values.get(longName);
        if (v == null) {
            return dflt;
        }
        try {
            return Sizes.parse(v);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(command, "option " + display + ": " + e.getMessage());
        }
    }
}
