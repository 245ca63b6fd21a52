// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static io.jublk.core.uapi.UblkIoOp.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UblkIoOpTest {

    @Test
    void shouldSplitOpFlags() {
        int opFlags = UBLK_IO_OP_WRITE | UBLK_IO_F_FUA | UBLK_IO_F_META;
        assertEquals(UBLK_IO_OP_WRITE, op(opFlags));
        assertEquals(UBLK_IO_F_FUA | UBLK_IO_F_META, flags(opFlags));
    }

    @Test
    void shouldNameOps() {
        assertEquals("READ", opName(UBLK_IO_OP_READ));
        assertEquals("WRITE_ZEROES", opName(UBLK_IO_OP_WRITE_ZEROES));
        assertEquals("REPORT_ZONES", opName(UBLK_IO_OP_REPORT_ZONES));
        assertEquals("ZONE_RESET_ALL", opName(UBLK_IO_OP_ZONE_RESET_ALL));
        assertEquals("op 7", opName(7));
    }

    @Test
    void shouldDescribeOpFlags() {
        assertEquals("READ", describe(UBLK_IO_OP_READ));
        assertEquals("WRITE|FUA", describe(UBLK_IO_OP_WRITE | UBLK_IO_F_FUA));
        assertEquals("WRITE_ZEROES|NOUNMAP", describe(UBLK_IO_OP_WRITE_ZEROES | UBLK_IO_F_NOUNMAP));
        assertEquals("READ|SHMEM_ZC|0x100000", describe(UBLK_IO_OP_READ | UBLK_IO_F_SHMEM_ZC | 1 << 20));
    }
}
