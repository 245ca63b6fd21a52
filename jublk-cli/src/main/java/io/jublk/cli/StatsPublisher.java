// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a served device's counters for {@code jublk stats}: a thread of the server's own
 * rewrites {@link StatsFile} every second, and the file goes when the server lets go of the device.
 */
final class StatsPublisher implements AutoCloseable {
    private static final long PERIOD_MILLIS = 1000;

    private final UblkDevice device;
    private final Path file;
    private final Thread thread;
    private volatile boolean closed;

    private StatsPublisher(UblkDevice device, Path file) {
        this.device = device;
        this.file = file;
        this.thread = Thread.ofPlatform().daemon().name("jublk-stats-d" + device.id()).unstarted(this::run);
    }

    /**
     * @param device a started device
     * @param dir the run directory
     * @return the running publisher
     */
    static StatsPublisher start(UblkDevice device, Path dir) {
        StatsPublisher p = new StatsPublisher(device, StatsFile.path(dir, device.id()));
        p.publish();
        p.thread.start();
        return p;
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            publish();
        }
    }

    private void publish() {
        try {
            StatsFile.write(file, device.stats(), ProcessHandle.current().pid(), System.currentTimeMillis());
        } catch (IOException | RuntimeException e) {
            // A full or read-only run directory costs the figures, never the device.
        }
    }

    /** Stops publishing and removes the file. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Left behind in a tmpfs that the next boot empties.
        }
    }
}
