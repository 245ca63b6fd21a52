// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Shows the library's log records (System.Logger, which the JDK routes to java.util.logging) on the
 * CLI's error stream, one {@code jublk: } line each: WARNING and above by default, INFO with
 * {@code -v}, DEBUG with {@code -vv}, everything with {@code -vvv}.
 */
final class CliLogging {
    /** Held for the JVM's life: java.util.logging keeps loggers only weakly, and with them this configuration. */
    private static final Logger JUBLK = Logger.getLogger("io.jublk");
    private static Handler handler;
    private static int verbosity;

    private CliLogging() {
    }

    /**
     * Sends jublk's records at the level {@code verbosity} asks for to {@code err}, replacing what an
     * earlier call set up.
     *
     * @param verbosity how many {@code -v} were given
     * @param err where the lines go
     */
    static synchronized void configure(int verbosity, PrintStream err) {
        Level level = level(verbosity);
        if (handler != null) {
            JUBLK.removeHandler(handler);
        }
        handler = new LineHandler(err);
        handler.setLevel(level);
        JUBLK.setUseParentHandlers(false);
        JUBLK.setLevel(level);
        JUBLK.addHandler(handler);
        CliLogging.verbosity = verbosity;
    }

    /** @return how many {@code -v} the last {@link #configure} was given, to pass on to a server the CLI starts */
    static synchronized int verbosity() {
        return verbosity;
    }

    /**
     * @param verbosity how many {@code -v} were given
     * @return the lowest level shown
     */
    static Level level(int verbosity) {
        return switch (verbosity) {
            case 0 -> Level.WARNING;
            case 1 -> Level.INFO;
            case 2 -> Level.FINE; // System.Logger's DEBUG
            default -> Level.ALL;
        };
    }

    /** One record, one line per line of its message, each starting with {@code jublk: }, its cause appended. */
    private static final class LineHandler extends Handler {
        private final PrintStream err;
        private final Formatter text = new Formatter() {
            @Override
            public String format(LogRecord r) {
                String message = formatMessage(r);
                return r.getThrown() == null ? message : message + ": " + r.getThrown();
            }
        };

        LineHandler(PrintStream err) {
            this.err = err;
        }

        @Override
        public void publish(LogRecord r) {
            if (isLoggable(r)) {
                synchronized (err) {
                    Main.printLines(err, text.format(r));
                }
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
