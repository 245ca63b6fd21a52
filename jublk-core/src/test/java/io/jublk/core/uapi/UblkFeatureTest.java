// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static io.jublk.core.uapi.UblkFeature.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class UblkFeatureTest {

    @Test
    void shouldNumberFlagsByBitAndMatchTheRawConstants() throws ReflectiveOperationException {
        for (UblkFeature f : values()) {
            assertEquals(f.ordinal(), f.bit(), f.name());
            assertEquals(f.mask(), UblkFeature.class.getField(f.kernelName()).getLong(null), f.name());
            assertEquals(f, ofBit(f.bit()));
            assertFalse(f.description().isBlank());
            assertTrue(f.since().matches("\\d+\\.\\d+"), f.since());
        }
        assertEquals(20, values().length);
        assertEquals(0xF_FFFFL, KNOWN_MASK);
        assertNull(ofBit(20));
        assertNull(ofBit(-1));
        assertEquals("UBLK_F_SHMEM_ZC", SHMEM_ZC.kernelName());
        assertEquals("6.16", AUTO_BUF_REG.since());
    }

    @Test
    void shouldDescribeFlags() {
        assertEquals("none", describe(0));
        assertEquals("USER_COPY", describe(UBLK_F_USER_COPY));
        assertEquals("URING_CMD_COMP_IN_TASK|CMD_IOCTL_ENCODE|USER_COPY",
                describe(UBLK_F_USER_COPY | UBLK_F_CMD_IOCTL_ENCODE | UBLK_F_URING_CMD_COMP_IN_TASK));
        assertEquals("SHMEM_ZC|0x100000", describe(UBLK_F_SHMEM_ZC | 1L << 20));
        assertEquals("0x8000000000000000", describe(Long.MIN_VALUE));
    }

    @Test
    void shouldConvertBetweenMasksAndSets() {
        long flags = UBLK_F_USER_RECOVERY | UBLK_F_QUIESCE | 1L << 40;
        EnumSet<UblkFeature> set = of(flags);
        assertEquals(EnumSet.of(USER_RECOVERY, QUIESCE), set);
        assertEquals(UBLK_F_USER_RECOVERY | UBLK_F_QUIESCE, mask(set));
        assertEquals(KNOWN_MASK, mask(EnumSet.allOf(UblkFeature.class)));
        assertTrue(QUIESCE.isSet(flags));
        assertFalse(ZONED.isSet(flags));
    }
}
