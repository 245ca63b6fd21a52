// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A new size is checked before UPDATE_SIZE, which takes any sector count. */
class DeviceSizeTest {

    @Test
    void shouldConvertWholeBlocksToSectors() {
        assertEquals(2, DeviceSize.sectors(1024, 512));
        assertEquals((128L << 20) >> 9, DeviceSize.sectors(128L << 20, 4096));
        assertEquals(8, DeviceSize.sectors(4096, 4096));
    }

    @Test
    void shouldRefuseSizesThatAreNoWholeNumberOfBlocks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSize.sectors(4096 + 512, 4096));
        assertTrue(e.getMessage().contains("round it to 4096 or 8192"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceSize.sectors(1000, 512));
        assertThrows(IllegalArgumentException.class, () -> DeviceSize.sectors(0, 512));
        assertThrows(IllegalArgumentException.class, () -> DeviceSize.sectors(-4096, 512));
    }
}
