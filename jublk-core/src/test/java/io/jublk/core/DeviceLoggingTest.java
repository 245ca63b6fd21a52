// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A device's reports reach System.Logger, and through the JDK's default finder java.util.logging, by logger name. */
class DeviceLoggingTest {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger jublk = Logger.getLogger("io.jublk");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        jublk.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        jublk.removeHandler(handler);
        jublk.setLevel(null);
    }

    @Test
    void shouldLogAFailureTheDeviceSurvivesAsAWarningOnTheDeviceLogger() {
        IOException cause = new IOException("Permission denied");

        UblkDevice.warn(7, "could not set the IO scheduler to none", cause);

        assertEquals(1, records.size(), records.toString());
        LogRecord r = records.getFirst();
        assertEquals("io.jublk.device", r.getLoggerName());
        assertEquals(Level.WARNING, r.getLevel());
        assertEquals("device 7: could not set the IO scheduler to none", r.getMessage());
        assertSame(cause, r.getThrown());
    }

    @Test
    void shouldLogNothingWhenTheApplicationTurnsJublkOff() {
        jublk.setLevel(Level.OFF);

        UblkDevice.warn(7, "could not set the IO scheduler to none", null);

        assertTrue(records.isEmpty(), records.toString());
    }
}
