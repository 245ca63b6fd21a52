// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects what jublk logs under one logger name (through System.Logger, which the JDK routes to
 * java.util.logging) while open: one line per record at or above a level, with its cause.
 */
final class LogCapture implements AutoCloseable {
    private final Logger logger; // held, so the logger and its handler are not collected meanwhile
    private final Level previousLevel;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private LogCapture(String name, Level atLeast) {
        this.logger = Logger.getLogger(name);
        this.previousLevel = logger.getLevel();
        SimpleFormatter text = new SimpleFormatter();
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= atLeast.intValue()) {
                    lines.add(r.getLevel() + " " + text.formatMessage(r) + (r.getThrown() == null ? "" : ": " + r.getThrown()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        if (previousLevel == null || previousLevel.intValue() > atLeast.intValue()) {
            logger.setLevel(atLeast);
        }
        logger.addHandler(handler);
    }

    /**
     * @param name the logger, e.g. {@code io.jublk} for all of jublk's
     * @param atLeast the lowest level kept
     * @return a capture, collecting until closed
     */
    static LogCapture start(String name, Level atLeast) {
        return new LogCapture(name, atLeast);
    }

    /** @return the lines so far, live */
    List<String> lines() {
        return lines;
    }

    /** @return how many lines so far */
    long count() {
        return lines.size();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }

    @Override
    public String toString() {
        return lines.toString();
    }
}
