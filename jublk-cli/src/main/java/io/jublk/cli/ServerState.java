// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What {@code jublk recover} needs to serve a device again after its server is gone: the options
 * that made it, kept in {@code /run/jublk/ublkbN.state} (a properties file) from the moment the
 * device exists until it is deleted.
 *
 * @param id the device id
 * @param pid the server that wrote it
 * @param options the {@code jublk add} options for the device's settings
 */
record ServerState(int id, long pid, List<String> options) {
    private static final String HEADER = "jublk server state: the settings 'jublk recover' serves the device with again";

    /**
     * @param dir the run directory
     * @param id the device id
     * @return where the device's state lives
     */
    static Path path(Path dir, int id) {
        return dir.resolve("ublkb" + id + ".state");
    }

    /**
     * Writes the state atomically (a new file renamed over the old), so a crash never leaves half of it.
     *
     * @param dir the run directory
     * @throws IOException when it cannot be written
     */
    void write(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", Integer.toString(id));
        p.setProperty("pid", Long.toString(pid));
        for (int i = 0; i < options.size(); i++) {
            p.setProperty("option." + i, options.get(i));
        }
        Path target = path(dir, id);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, HEADER);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * @param dir the run directory
     * @param id the device id
     * @return the state, or {@code null} when there is none
     * @throws IOException when it exists but cannot be read or makes no sense
     */
    static ServerState read(Path dir, int id) throws IOException {
        Path file = path(dir, id);
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        List<String> options = new ArrayList<>();
        for (int i = 0; p.containsKey("option." + i); i++) {
            options.add(p.getProperty("option." + i));
        }
        try {
            int storedId = Integer.parseInt(p.getProperty("id", ""));
            if (storedId != id || options.isEmpty()) {
                throw new IOException(file + " is not the state of device " + id);
            }
            return new ServerState(id, Long.parseLong(p.getProperty("pid", "0")), List.copyOf(options));
        } catch (NumberFormatException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }

    /**
     * Removes a device's state; nothing happens when there is none.
     *
     * @param dir the run directory
     * @param id the device id
     */
    static void remove(Path dir, int id) {
        try {
            Files.deleteIfExists(path(dir, id));
        } catch (IOException ignored) {
            // A stale file is harmless: recover checks the device itself before using it.
        }
    }
}
