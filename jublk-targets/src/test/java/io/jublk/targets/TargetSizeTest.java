// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** How far each target lets a running device grow. */
class TargetSizeTest {

    @Test
    void shouldGrowAMemTargetIntoTheSpaceItReserved() throws Exception {
        try (MemTarget mem = new MemTarget(16L << 20, 64L << 20)) {
            assertEquals(16L << 20, mem.geometry().sizeBytes());
            assertEquals(64L << 20, mem.maxSizeBytes());
        }
        try (MemTarget mem = new MemTarget(16L << 20)) {
            assertEquals(16L << 20, mem.maxSizeBytes(), "no room reserved: no growth");
        }
        assertThrows(IllegalArgumentException.class, () -> new MemTarget(16L << 20, 8L << 20));
    }

    @Test
    void shouldGrowANullTargetAnyWay() {
        assertEquals(Long.MAX_VALUE, new NullTarget(1L << 20).maxSizeBytes());
    }

    @Test
    void shouldForwardTheMaximumThroughAFaultTarget() throws Exception {
        try (MemTarget mem = new MemTarget(16L << 20, 32L << 20)) {
            assertEquals(32L << 20, FaultTarget.wrap(mem).build().maxSizeBytes());
        }
    }
}
