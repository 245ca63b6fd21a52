// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = 1_000_000;

    @Test
    void shouldDoubleFromTheMinimumUpToTheMaximum() {
        Backoff b = new Backoff(100 * MS, 5000 * MS);
        long[] expected = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
        for (long e : expected) {
            assertEquals(e * MS, b.next());
        }
    }

    @Test
    void shouldStartOverAfterReset() {
        Backoff b = new Backoff(100 * MS, 300 * MS);
        b.next();
        b.next();
        assertEquals(300 * MS, b.next());
        b.reset();
        assertEquals(100 * MS, b.next());
    }

    @Test
    void shouldNotOverflowNearTheLargestWait() {
        Backoff b = new Backoff(1, Long.MAX_VALUE);
        long last = 0;
        for (int i = 0; i < 80; i++) {
            long next = b.next();
            assertEquals(true, next >= last, "never shrinks");
            last = next;
        }
        assertEquals(Long.MAX_VALUE, last);
    }

    @Test
    void shouldRejectAMinimumAboveTheMaximum() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(2, 1));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 1));
    }
}
