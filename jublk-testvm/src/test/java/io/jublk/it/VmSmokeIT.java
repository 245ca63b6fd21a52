// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The integration-test environment itself: a kernel with ublk, root, a writable /tmp. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VmSmokeIT {

    @Test
    void ublkControlIsPresent() {
        assertTrue(Files.exists(Path.of("/dev/ublk-control")),
                "/dev/ublk-control missing: ITs need a kernel with ublk_drv loaded (JUBLK_VM=never on a host without it?)");
    }

    @Test
    void kernelRelease() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("uname", "-r").redirectErrorStream(true).start();
        String release = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        assertFalse(release.isEmpty(), "uname -r printed nothing");
        System.out.println("kernel under test: " + release
                + ("1".equals(System.getenv("JUBLK_IN_VM")) ? " (jublk VM)" : " (host)"));
    }

    @Test
    void tmpIsWritable() throws IOException {
        Path file = Files.createTempFile(Path.of("/tmp"), "jublk-smoke", ".txt");
        try {
            Files.writeString(file, "hello from the test VM\n");
            assertEquals("hello from the test VM\n", Files.readString(file));
        } finally {
            Files.delete(file);
        }
    }
}
