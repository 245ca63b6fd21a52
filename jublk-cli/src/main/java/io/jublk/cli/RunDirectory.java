// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where jublk keeps what outlives one command: background servers' logs, the ready files a
 * starting server reports through, and the state files {@code jublk recover} serves devices with.
 */
final class RunDirectory {
    /** The run directory when we may write there; else the temp directory serves. */
    static final Path PREFERRED = Path.of("/run/jublk");

    private RunDirectory() {
    }

    /** @return /run/jublk when we can write there, else the temp directory */
    static Path path() {
        try {
            Files.createDirectories(PREFERRED);
            if (Files.isWritable(PREFERRED)) {
                return PREFERRED;
            }
        } catch (IOException | SecurityException ignored) {
            // fall back
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Forgets the settings kept for {@code jublk recover}, of no use once the device is gone.
     *
     * @param id the device
     */
    static void removeState(int id) {
        ServerState.remove(path(), id);
    }
}
