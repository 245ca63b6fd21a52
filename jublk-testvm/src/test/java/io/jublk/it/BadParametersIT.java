// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.targets.NullTarget;
import io.jublk.uring.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad parameters give a clear error and leave no device behind, on the real driver. */
@Timeout(300)
class BadParametersIT {
    private static UblkDeviceBuilder valid() {
        return UblkDevice.builder().target(new NullTarget()).size(64L << 20);
    }

    private static void assertRefused(UnaryOperator<UblkDeviceBuilder> bad, String expected) throws Exception {
        List<Integer> before = UblkControl.deviceIds();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.apply(valid()).build().close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(before, UblkControl.deviceIds(), "devices after: " + e.getMessage());
    }

    @Test
    void shouldRefuseBadParametersBeforeTheKernelSeesThem() throws Exception {
        assertRefused(b -> b.logicalBlockSize(256), "logical block size 256");
        assertRefused(b -> b.maxIoBytes(64 << 20), "max IO size");
        assertRefused(b -> b.depth(0), "queue depth 0");
        assertRefused(b -> b.depth(5000), "queue depth 5000");
        assertRefused(b -> b.queues(0), "queue count 0");
        assertRefused(b -> b.size((64L << 20) + 100), "not a multiple of the logical block size");
    }

    @Test
    void shouldExplainATakenIdAndLeaveTheFirstDeviceAlone() throws Exception {
        try (UblkDevice first = valid().build()) {
            List<Integer> before = UblkControl.deviceIds();
            UblkException e = assertThrows(UblkException.class, () -> valid().id(first.id()).build().close());
            assertEquals(Errno.EEXIST, e.errno());
            assertTrue(e.getMessage().contains("UBLK_U_CMD_ADD_DEV dev_id=" + first.id()), e.getMessage());
            assertEquals(before, UblkControl.deviceIds());
        }
    }
}
