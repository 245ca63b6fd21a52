// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.core.UblkQueue;
import io.jublk.targets.MemTarget;

import java.util.List;

/**
 * A RAM device whose one queue runs on the application's own platform thread instead of one that
 * {@link UblkDevice#runQueues()} starts.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.OwnThreadExample [SIZE]}</pre>
 */
public final class OwnThreadExample {
    private OwnThreadExample() {
    }

    /**
     * Serves a RAM device until {@code jublk del} or SIGINT/SIGTERM.
     *
     * @param args the size (default 256M)
     * @throws Exception when the device cannot be served
     */
    public static void main(String[] args) throws Exception {
        try (MemTarget mem = new MemTarget(Serving.sizeArg(args, 0, 256L << 20))) {
            UblkDevice dev = UblkDevice.builder().target(mem).queues(1).build();
            Thread.ofPlatform().name("my-queue-thread").start(() -> {
                try {
                    // snippet:own-thread
                    UblkQueue q = dev.queues().get(0);
                    // on a platform thread of yours:
                    q.start();                            // creates the ring and FETCHes every tag on this thread
                    while (!q.isTerminated()) q.poll(1_000_000);   // or q.doWork() from a duty-cycle loop
                    q.close();
                    // end-snippet
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            dev.start();
            System.out.println(dev.blockPath());
            Serving.untilDeleted(List.of(dev));
        }
    }
}
