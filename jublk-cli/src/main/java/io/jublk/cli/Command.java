// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.io.PrintStream;
import java.util.List;

/** One {@code jublk} command: its name, help and options, and what it does. */
interface Command {
    /** @return the name typed after {@code jublk} */
    String name();

    /** @return one line for the command overview */
    String summary();

    /** @return the full help, ending with a newline */
    String help();

    /** @return the options it accepts ({@code -h/--help} is handled for every command) */
    List<Args.Option> options();

    /**
     * Runs the command.
     *
     * @param args its parsed options
     * @param out where results go
     * @param err where progress notes and warnings go
     * @return the exit status
     * @throws Exception a {@link CliException}, or a library failure that {@link Main} reports as one line
     */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
