// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeaturesCommandTest {
    private static final long FEATURES = UblkFeature.UBLK_F_USER_COPY | UblkFeature.UBLK_F_CMD_IOCTL_ENCODE | (1L << 40);

    @Test
    void shouldListFlagsByNameWithReleaseAndTheRawMask() {
        String text = FeaturesCommand.text("6.12.8", FEATURES);
        assertTrue(text.startsWith("kernel 6.12.8, ublk driver features 0x100000000c0 (2 known flags):\n"), text);
        assertTrue(text.contains("  UBLK_F_USER_COPY         6.5   server copies data"), text);
        assertTrue(text.contains("unknown bits 0x10000000000"), text);
        assertTrue(text.contains("not supported: SUPPORT_ZERO_COPY (6.15)"), text);
    }

    @Test
    void shouldExplainKernelsWithoutGetFeatures() {
        assertTrue(FeaturesCommand.text("6.1.0", 0).contains("does not answer GET_FEATURES (added in 6.5)"));
    }

    @Test
    void shouldWriteFeaturesAsJson() {
        Object v = Json.parse(FeaturesCommand.json("6.12.8", FEATURES));
        assertEquals("6.12.8", Json.at(v, "kernel"));
        assertEquals("0x100000000c0", Json.at(v, "features"));
        assertEquals("UBLK_F_CMD_IOCTL_ENCODE", Json.at(v, "flags", 0, "name"));
        assertEquals(7.0, Json.number(v, "flags", 1, "bit"));
        assertEquals("6.5", Json.at(v, "flags", 1, "since"));
        assertEquals("0x10000000000", Json.at(v, "unknown_bits"));
    }
}
