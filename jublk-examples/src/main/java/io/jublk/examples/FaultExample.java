// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.targets.FaultTarget;
import io.jublk.targets.FileTarget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A file served as a failing, slow disk: one request in a thousand fails with EIO, one in ten
 * waits 5 ms, the same ones on every run with the same seed.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.FaultExample /srv/disk.img}</pre>
 */
public final class FaultExample {
    private FaultExample() {
    }

    /**
     * Serves the file with faults until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the file to serve
     * @throws Exception when the file or the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args.length > 0 ? args[0] : "disk.img");
        // snippet:fault
        FaultTarget faulty = FaultTarget.wrap(FileTarget.open(image)).errorRate(0.001)
                .delay(Duration.ofMillis(5)).delayRate(0.1).seed(42).build();
        // ... faulty.errorRate(0) later; faulty.injectedErrors() counts what was failed
        // end-snippet
        try (faulty) {
            UblkDevice dev = UblkDevice.builder().target(faulty).queues(2).build();
            dev.runQueues();
            dev.start();
            System.out.println(dev.blockPath());
            Serving.untilDeleted(List.of(dev));
        }
    }
}
