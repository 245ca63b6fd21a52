// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkException;
import io.jublk.uring.ErrnoException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/**
 * The {@code jublk} command line, in the spirit of ublksrv's {@code ublk} tool:
 * {@code add}, {@code del}, {@code list}, {@code features}, {@code demo} and {@code help}.
 *
 * <p>Exit status: 0 on success, 1 when a command fails, 2 for a wrong command line. Every error is
 * one or more lines starting with {@code jublk: } on the error stream.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs {@code jublk} and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs a {@code jublk} command line in this JVM: the entry point for tests. Commands that serve
     * a device in the foreground run until it is stopped.
     *
     * @param args the command line, e.g. {@code {"list", "--json"}}
     * @param out where results go
     * @param err where errors ({@code jublk: ...} lines) and progress notes go
     * @return the exit status: 0 success, 1 failure, 2 wrong command line
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Verbosity verbosity = Verbosity.parse(List.of(args));
        CliLogging.configure(verbosity.count(), err);
        List<String> argv = verbosity.rest();
        if (argv.isEmpty()) {
            err.print(overview());
            return CliException.USAGE;
        }
        String first = argv.getFirst();
        switch (first) {
            case "-h", "--help" -> {
                out.print(overview());
                return 0;
            }
            case "-V", "--version", "version" -> {
                out.println("jublk " + version());
                return 0;
            }
            case "help" -> {
                return help(argv.subList(1, argv.size()), out, err);
            }
            default -> {
                // a command
            }
        }
        CommandLine command = Cli.verb(first);
        if (command == null) {
            err.println("jublk: " + (first.startsWith("-") ? "unknown option '" + first + "'" : "unknown command '" + first + "'")
                    + " (commands: " + String.join(", ", Cli.verbNames()) + ", help; see 'jublk --help')");
            return CliException.USAGE;
        }
        List<String> rest = argv.subList(1, argv.size());
        if (wantsHelp(rest)) {
            out.print(usage(command));
            return 0;
        }
        try {
            return Cli.parse(command, rest).run(out, err);
        } catch (CliException e) {
            if (e.isUsage()) {
                String about = e.command() == null ? "jublk" : "jublk " + e.command();
                err.println("jublk: " + (e.command() == null ? "" : e.command() + ": ") + e.getMessage()
                        + " (see '" + about + " --help')");
            } else {
                printLines(err, e.getMessage());
            }
            return e.status();
        } catch (UblkException | ErrnoException e) {
            printLines(err, e.getMessage());
            return CliException.FAILURE;
        } catch (IOException e) {
            printLines(err, first + ": " + e);
            return CliException.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("jublk: " + first + ": interrupted");
            return CliException.FAILURE;
        } catch (Exception e) {
            err.println("jublk: " + first + ": internal error: " + e);
            e.printStackTrace(err);
            return CliException.FAILURE;
        }
    }

    /**
     * The global {@code -v}/{@code --verbose} options before the command: each, or each {@code v} of
     * {@code -vv}, shows more of the library's log.
     *
     * @param count how many were given
     * @param rest the command line after them
     */
    record Verbosity(int count, List<String> rest) {
        static Verbosity parse(List<String> argv) {
            int count = 0;
            int i = 0;
            for (; i < argv.size(); i++) {
                String a = argv.get(i);
                if (a.equals("--verbose")) {
                    count++;
                } else if (a.length() > 1 && a.startsWith("-") && a.chars().skip(1).allMatch(c -> c == 'v')) {
                    count += a.length() - 1;
                } else {
                    break;
                }
            }
            return new Verbosity(count, argv.subList(i, argv.size()));
        }
    }

    /** Prints a possibly multi-line message with every line starting with {@code jublk: }. */
    static void printLines(PrintStream err, String message) {
        for (String line : String.valueOf(message).split("\n")) {
            err.println("jublk: " + line);
        }
    }

    private static int help(List<String> topics, PrintStream out, PrintStream err) {
        if (topics.isEmpty()) {
            out.print(overview());
            return 0;
        }
        CommandLine c = Cli.verb(topics.getFirst());
        if (c == null || topics.size() > 1) {
            err.println("jublk: help: " + (c == null ? "unknown command '" + topics.getFirst() + "'" : "one command at a time")
                    + " (commands: " + String.join(", ", Cli.verbNames()) + ")");
            return CliException.USAGE;
        }
        out.print(usage(c));
        return 0;
    }

    /** @return a verb's help, as {@code jublk VERB --help} prints it */
    static String usage(CommandLine verb) {
        return verb.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** @return whether {@code -h} or {@code --help} comes before the end of the options */
    private static boolean wantsHelp(List<String> argv) {
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

    /** @return the top-level help */
    static String overview() {
        StringBuilder sb = new StringBuilder("""
                usage: jublk COMMAND [OPTIONS]

                Linux ublk userspace block devices, served by Java over io_uring.

                commands:
                """);
        // The summaries line up after the longest verb.
        int width = Cli.verbNames().stream().mapToInt(String::length).max().orElse(0);
        String row = "  %-" + width + "s  %s%n";
        for (CommandLine c : Cli.commandLine().getSubcommands().values()) {
            if (!(c.getCommand() instanceof CommandLine.HelpCommand)) {
                sb.append(String.format(row, c.getCommandName(), Cli.summary(c)));
            }
        }
        sb.append(String.format(row, "help", "show the help of a command: jublk help add"));
        sb.append("""

                options:
                  -h, --help     show this help ('jublk COMMAND --help' shows a command's)
                  -V, --version  show the version
                  -v, --verbose  before the command: show what the library logs, one 'jublk:' line
                                 each on stderr: -v the devices' lifecycle (INFO), -vv queues,
                                 connections and control commands (DEBUG); warnings always show

                Exit status: 0 success, 1 failure, 2 wrong command line.
                """);
        return sb.toString();
    }

    /** @return the project version, from the jar's build */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }
}
