// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel's own block drivers that jublk is measured against (loop for the file target, nbd for
 * the NBD target) load in the guest. Debian builds them as modules (.ko.xz); the guest's modprobe
 * reads them from the kernel's module directory, which the VM binds at /lib/modules/KV.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelBlockModulesIT {

    @ParameterizedTest
    @CsvSource({"loop, /dev/loop-control", "nbd, /dev/nbd0"})
    void loads(String module, String node) throws IOException, InterruptedException {
        // On a host the kernel is whatever it is; in the VM it is Debian's, which has both.
        assumeTrue("1".equals(System.getenv("JUBLK_IN_VM")), "checked in the jublk VM only");
        boolean wasLoaded = Files.isDirectory(Path.of("/sys/module", module));
        Commands.check(60, "modprobe", module);
        try {
            assertTrue(Files.isDirectory(Path.of("/sys/module", module)), module + " not in /sys/module after modprobe");
            assertTrue(Files.exists(Path.of(node)), node + " missing after modprobe " + module);
        } finally {
            if (!wasLoaded) {
                // Unloaded again, so a later test can load it with its own parameters.
                Commands.run(30, "modprobe", "-r", module);
            }
        }
    }
}
