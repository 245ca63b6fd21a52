// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

class EventFdTest {

    @Test
    void shouldCountSignalsAndDrainToZero() throws Exception {
        try (EventFd efd = EventFd.create()) {
            assertTrue(efd.fd() >= 0);
            assertEquals(0, efd.drain());
            efd.signal();
            efd.signal();
            efd.signal();
            assertEquals(3, efd.drain());
            assertEquals(0, efd.drain());
        }
    }

    @Test
    void shouldAwaitASignalWithoutConsumingIt() throws Exception {
        try (EventFd efd = EventFd.create()) {
            assertFalse(efd.await(0), "not signalled yet");
            assertFalse(efd.await(20_000_000), "times out when nobody signals");
            Thread signaller = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                efd.signal();
            });
            assertTrue(efd.await(10_000_000_000L), "woken by another thread's signal");
            assertTrue(efd.await(0), "still signalled: await does not drain");
            assertEquals(1, efd.drain());
            signaller.join();
        }
    }

    @Test
    void shouldSignalFromManyThreads() throws Exception {
        try (EventFd efd = EventFd.create()) {
            int threads = 4;
            int each = 1000;
            CountDownLatch go = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                ts[t] = Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        efd.signal();
                    }
                });
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertEquals((long) threads * each, efd.drain());
        }
    }

    @Test
    void shouldIgnoreSignalAfterCloseAndRejectDrain() throws Exception {
        EventFd efd = EventFd.create();
        efd.close();
        efd.close();
        efd.signal();
        assertThrows(IllegalStateException.class, efd::drain);
    }
}
