// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code jublk} command tree as picocli sees it: the global options and one {@link Command}
 * class per verb. {@link Main} reads the global options itself; this tree parses each verb's
 * options, renders help, and is what the completion script and the man page are made from.
 */
@Command(name = "jublk",
        header = "Linux ublk userspace block devices, served by Java over io_uring.",
        footer = "Exit status: 0 success, 1 failure, 2 wrong command line.")
final class Cli {
    /** The verbs, in the order help lists them; a new verb is a class here. */
    private static final List<Class<? extends Verb>> VERBS = List.of(AddCommand.class, DelCommand.class, StopCommand.class,
            ListCommand.class, RecoverCommand.class, QuiesceCommand.class, UpdateSizeCommand.class, StatsCommand.class,
            FeaturesCommand.class, DemoCommand.class, OwnersCommand.class);

    @Option(names = {"-v", "--verbose"}, description = "before the command: show what the library logs, one 'jublk:' line"
            + " each on stderr: -v the devices' lifecycle (INFO), -vv queues, connections and control commands (DEBUG);"
            + " warnings always show")
    boolean[] verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help ('jublk COMMAND --help' shows a command's)")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "show the version")
    boolean version;

    /** {@code -h/--help} on every verb. */
    static final class HelpOption {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;
    }

    private Cli() {
    }

    /**
     * A fresh command tree: picocli keeps parsed values in the command objects, so each command
     * line gets its own.
     *
     * @return the {@code jublk} command line with every verb
     */
    static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Cli());
        for (Class<? extends Verb> verb : VERBS) {
            root.addSubcommand(layOut(new CommandLine(verb)));
        }
        root.addSubcommand(new CommandLine(CommandLine.HelpCommand.class));
        return root;
    }

    /** The help reads as it did before picocli: usage, what the verb does, its options, then examples. */
    private static CommandLine layOut(CommandLine verb) {
        // An argument starting with @ is an argument, not a file of them.
        verb.setExpandAtFiles(false);
        UsageMessageSpec u = verb.getCommandSpec().usageMessage();
        u.synopsisHeading("usage: ").descriptionHeading("%n").optionListHeading("%noptions:%n").footerHeading("%n")
                .sortOptions(false).width(100).longOptionsMaxWidth(24).sectionKeys(withoutHeader(u.sectionKeys()));
        return verb;
    }

    /**
     * @param name a verb
     * @return its command line in a fresh tree, or {@code null} when there is no such verb
     */
    static CommandLine verb(String name) {
        for (Class<? extends Verb> verb : VERBS) {
            // Only the verb asked for is built: the JVM that runs one command starts sooner.
            if (verb.getAnnotation(Command.class).name().equals(name)) {
                return layOut(new CommandLine(verb));
            }
        }
        return null;
    }

    /** @return the verbs' names, in the order help lists them */
    static List<String> verbNames() {
        List<String> names = new ArrayList<>();
        for (Class<? extends Verb> verb : VERBS) {
            names.add(verb.getAnnotation(Command.class).name());
        }
        return names;
    }

    /** @return the one-line summary of a verb, its help header */
    static String summary(CommandLine verb) {
        String[] header = verb.getCommandSpec().usageMessage().header();
        return header.length == 0 ? "" : header[0];
    }

    private static List<String> withoutHeader(List<String> keys) {
        List<String> k = new ArrayList<>(keys);
        k.remove(UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
        k.remove(UsageMessageSpec.SECTION_KEY_HEADER);
        return k;
    }

    /**
     * Parses a verb's options.
     *
     * @param verb the verb's command line
     * @param args what follows the verb
     * @return the verb, its fields set
     * @throws CliException a usage error in jublk's words when the options do not parse
     */
    static Verb parse(CommandLine verb, List<String> args) throws CliException {
        try {
            verb.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw CliException.usage(verb.getCommandName(), describe(e, args));
        }
        requireValues(verb.getCommandName(), verb);
        return verb.getCommand();
    }

    /**
     * Refuses {@code --size=}: an empty value is a slip, never what was meant.
     *
     * @param command the verb, for the message
     * @param parsed a command line after parsing
     * @throws CliException naming the option
     */
    static void requireValues(String command, CommandLine parsed) throws CliException {
        for (OptionSpec o : parsed.getParseResult().matchedOptions()) {
            if (o.typeInfo().isBoolean() || o.typeInfo().isMultiValue()) {
                continue;
            }
            for (String value : o.stringValues()) {
                if (value.isEmpty()) {
                    throw CliException.usage(command, o.arity().min() == 0
                            ? "option " + display(o) + " has an empty value: give " + o.longestName() + " alone or "
                                    + o.longestName() + "=" + o.paramLabel()
                            : "option " + display(o) + " needs a non-empty value (" + o.paramLabel() + ")");
                }
            }
        }
    }

    /** @return what is wrong, as jublk says it: {@code unknown option '--bogus'} */
    static String describe(ParameterException e, List<String> args) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().getFirst();
            int end = args.indexOf("--");
            boolean afterEnd = end >= 0 && args.subList(end + 1, args.size()).contains(arg);
            return (arg.startsWith("-") && !afterEnd ? "unknown option '" : "unexpected argument '") + arg + "'";
        }
        ArgSpec arg = e.getArgSpec();
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            arg = m.getMissing().getFirst();
        } else if (e instanceof CommandLine.OverwrittenOptionException o) {
            arg = o.getOverwritten();
        }
        if (arg instanceof OptionSpec o) {
            if (e instanceof CommandLine.MissingParameterException) {
                return "option " + display(o) + " needs a value (" + o.paramLabel() + ")";
            }
            if (e instanceof CommandLine.OverwrittenOptionException) {
                return "option " + display(o) + " is given twice";
            }
            if (o.typeInfo().isBoolean()) {
                return "option " + display(o) + " takes no value";
            }
        }
        String m = String.valueOf(e.getMessage());
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    /** @return how messages name an option: {@code -s/--size} or {@code --json} */
    static String display(OptionSpec o) {
        return String.join("/", o.names());
    }

    /** A verb: its options are the annotated fields picocli sets; {@link #run} does the work. */
    interface Verb {
        /**
         * Runs the verb with the options parsed into it.
         *
         * @param out where results go
         * @param err where progress notes and warnings go
         * @return the exit status
         * @throws Exception a {@link CliException}, or a library failure that {@link Main} reports as one line
         */
        int run(java.io.PrintStream out, java.io.PrintStream err) throws Exception;
    }
}
