// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ServerFlagsTest {
    @Test
    void shouldRoundTripEveryTargetAndMode() {
        for (TargetKind t : TargetKind.values()) {
            for (DataMode m : DataMode.values()) {
                ServerFlags f = new ServerFlags(t, m);
                assertEquals(f, ServerFlags.decode(f.encode()));
            }
        }
    }

    @Test
    void shouldPutTheMagicInTheTopBits() {
        assertEquals(0x6a75_0000_0000_0102L, new ServerFlags(TargetKind.MEM, DataMode.COPY).encode());
    }

    @Test
    void shouldNotClaimOtherServersDevices() {
        assertNull(ServerFlags.decode(0));
        assertNull(ServerFlags.decode(0x2));
        assertNull(ServerFlags.decode(0x6a76_0000_0000_0102L));
    }

    @Test
    void shouldDecodeUnknownCodesAsUnknown() {
        assertEquals(new ServerFlags(null, null), ServerFlags.decode(0x6a75_0000_0000_ff63L));
    }
}
