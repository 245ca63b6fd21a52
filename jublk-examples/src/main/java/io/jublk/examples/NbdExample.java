// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.targets.nbd.NbdTarget;
import io.jublk.targets.nbd.NbdUri;

import java.util.List;

/**
 * A device served from an NBD server's export: requests complete from the connections' reader
 * threads, and the target reconnects in the background when the server goes away.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.NbdExample nbd://storage/disk0}</pre>
 */
public final class NbdExample {
    private NbdExample() {
    }

    /**
     * Serves the export until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the export's URL
     * @throws Exception when the server cannot be reached or the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "nbd://localhost/disk0";
        // snippet:nbd
        try (NbdTarget nbd = NbdTarget.builder(NbdUri.parse(url)).open()) {   // size, block size: the export's
            UblkDevice dev = UblkDevice.builder().target(nbd).queues(2).build();
            dev.runQueues();
            dev.start();
            System.out.println(dev.blockPath());
            Serving.untilDeleted(List.of(dev));   // the connections close after the device is deleted
        }
        // end-snippet
    }
}
