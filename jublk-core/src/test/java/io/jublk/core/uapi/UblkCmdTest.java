// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static io.jublk.core.uapi.UblkCmd.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class UblkCmdTest {

    private static int ioc(int dir, int nr, long size) {
        return dir << 30 | (int) size << 16 | 'u' << 8 | nr;
    }

    @Test
    void shouldEncodeOpCodesLikeIoctlMacrosWithPayloadSizes() {
        long ctrl = UblkLayouts.UBLKSRV_CTRL_CMD.byteSize();
        long io = UblkLayouts.UBLKSRV_IO_CMD.byteSize();
        long batch = UblkLayouts.UBLK_BATCH_IO.byteSize();
        int r = 2;
        int rw = 3;
        assertEquals(ioc(r, UBLK_CMD_GET_QUEUE_AFFINITY, ctrl), UBLK_U_CMD_GET_QUEUE_AFFINITY);
        assertEquals(ioc(r, UBLK_CMD_GET_DEV_INFO, ctrl), UBLK_U_CMD_GET_DEV_INFO);
        assertEquals(ioc(rw, UBLK_CMD_ADD_DEV, ctrl), UBLK_U_CMD_ADD_DEV);
        assertEquals(ioc(rw, UBLK_CMD_DEL_DEV, ctrl), UBLK_U_CMD_DEL_DEV);
        assertEquals(ioc(rw, UBLK_CMD_START_DEV, ctrl), UBLK_U_CMD_START_DEV);
        assertEquals(ioc(rw, UBLK_CMD_STOP_DEV, ctrl), UBLK_U_CMD_STOP_DEV);
        assertEquals(ioc(rw, UBLK_CMD_SET_PARAMS, ctrl), UBLK_U_CMD_SET_PARAMS);
        assertEquals(ioc(r, UBLK_CMD_GET_PARAMS, ctrl), UBLK_U_CMD_GET_PARAMS);
        assertEquals(ioc(rw, UBLK_CMD_START_USER_RECOVERY, ctrl), UBLK_U_CMD_START_USER_RECOVERY);
        assertEquals(ioc(rw, UBLK_CMD_END_USER_RECOVERY, ctrl), UBLK_U_CMD_END_USER_RECOVERY);
        assertEquals(ioc(r, UBLK_CMD_GET_DEV_INFO2, ctrl), UBLK_U_CMD_GET_DEV_INFO2);
        assertEquals(ioc(r, 0x13, ctrl), UBLK_U_CMD_GET_FEATURES);
        assertEquals(ioc(r, 0x14, ctrl), UBLK_U_CMD_DEL_DEV_ASYNC);
        assertEquals(ioc(rw, 0x15, ctrl), UBLK_U_CMD_UPDATE_SIZE);
        assertEquals(ioc(rw, 0x16, ctrl), UBLK_U_CMD_QUIESCE_DEV);
        assertEquals(ioc(rw, 0x17, ctrl), UBLK_U_CMD_TRY_STOP_DEV);
        assertEquals(ioc(rw, 0x18, ctrl), UBLK_U_CMD_REG_BUF);
        assertEquals(ioc(rw, 0x19, ctrl), UBLK_U_CMD_UNREG_BUF);
        assertEquals(ioc(rw, UBLK_IO_FETCH_REQ, io), UBLK_U_IO_FETCH_REQ);
        assertEquals(ioc(rw, UBLK_IO_COMMIT_AND_FETCH_REQ, io), UBLK_U_IO_COMMIT_AND_FETCH_REQ);
        assertEquals(ioc(rw, UBLK_IO_NEED_GET_DATA, io), UBLK_U_IO_NEED_GET_DATA);
        assertEquals(ioc(rw, 0x23, io), UBLK_U_IO_REGISTER_IO_BUF);
        assertEquals(ioc(rw, 0x24, io), UBLK_U_IO_UNREGISTER_IO_BUF);
        assertEquals(ioc(rw, 0x25, batch), UBLK_U_IO_PREP_IO_CMDS);
        assertEquals(ioc(rw, 0x26, batch), UBLK_U_IO_COMMIT_IO_CMDS);
        assertEquals(ioc(rw, 0x27, batch), UBLK_U_IO_FETCH_IO_CMDS);
        assertEquals(0xC0207504, UBLK_U_CMD_ADD_DEV);
        assertEquals(0x04, ioctlNr(UBLK_U_CMD_ADD_DEV));
    }

    @Test
    void shouldNameEveryOpCode() throws IllegalAccessException {
        int named = 0;
        for (Field f : UblkCmd.class.getFields()) {
            String n = f.getName();
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class
                    && (n.startsWith("UBLK_U_") || n.startsWith("UBLK_CMD_")
                    || n.equals("UBLK_IO_FETCH_REQ") || n.equals("UBLK_IO_COMMIT_AND_FETCH_REQ")
                    || n.equals("UBLK_IO_NEED_GET_DATA"))) {
                assertEquals(n, cmdName(f.getInt(null)));
                named++;
            }
        }
        assertEquals(18 + 8 + 11 + 3, named);
        assertEquals("cmd_op 0xc02075ff", cmdName(0xC02075FF));
    }

    @Test
    void shouldComputeUserCopyOffsets() {
        assertEquals(0x8000_0000L, userCopyOffset(0, 0, 0));
        assertEquals(0x8000_0000L + (1L << 25) + 512, userCopyOffset(0, 1, 512));
        assertEquals(0x8000_0000L + (3L << 41) + (7L << 25) + 4096, userCopyOffset(3, 7, 4096));
        long last = userCopyOffset(UBLK_MAX_NR_QUEUES - 1, UBLK_MAX_QUEUE_DEPTH - 1, UBLK_IO_BUF_BITS_MASK);
        assertEquals(0x8000_0000L + (4095L << 41) + (4095L << 25) + (1L << 25) - 1, last);
        assertTrue(last - UBLKSRV_IO_BUF_OFFSET < UBLKSRV_IO_BUF_TOTAL_SIZE);
        assertEquals(53, UBLKSRV_IO_BUF_TOTAL_BITS);
        assertEquals(41, UBLK_QID_OFF);
        assertEquals(0x4000_0000_8000_0000L, userCopyOffset(0, 0, 0) | UBLKSRV_IO_INTEGRITY_FLAG);
    }

    @Test
    void shouldRejectOutOfRangeUserCopyArguments() {
        assertThrows(IllegalArgumentException.class, () -> userCopyOffset(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> userCopyOffset(UBLK_MAX_NR_QUEUES, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> userCopyOffset(0, UBLK_MAX_QUEUE_DEPTH, 0));
        assertThrows(IllegalArgumentException.class, () -> userCopyOffset(0, 0, 1L << 25));
        assertThrows(IllegalArgumentException.class, () -> userCopyOffset(0, 0, -1));
    }

    @Test
    void shouldComputeIoDescMmapOffsetsAndLengths() {
        assertEquals(0, ioDescMmapOffset(0, 4096));
        assertEquals(98_304, ioDescMmapOffset(1, 4096));
        assertEquals(131_072, ioDescMmapOffset(1, 65_536));
        assertEquals(3 * 98_304, ioDescMmapOffset(3, 4096));
        assertEquals(4096, ioDescMmapLength(1, 4096));
        assertEquals(4096, ioDescMmapLength(128, 4096));
        assertEquals(8192, ioDescMmapLength(256, 4096));
        assertEquals(98_304, ioDescMmapLength(UBLK_MAX_QUEUE_DEPTH, 4096));
        assertEquals(65_536, ioDescMmapLength(128, 65_536));
        assertThrows(IllegalArgumentException.class, () -> ioDescMmapLength(0, 4096));
        assertThrows(IllegalArgumentException.class, () -> ioDescMmapLength(UBLK_MAX_QUEUE_DEPTH + 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> ioDescMmapOffset(1, 3000));
    }

    @Test
    void shouldUseThePageSizeOfThisSystem() {
        long page = pageSize();
        assertTrue(page >= 4096 && Long.bitCount(page) == 1, "page size " + page);
        assertEquals(ioDescMmapOffset(2, page), ioDescMmapOffset(2));
        assertEquals(ioDescMmapLength(100, page), ioDescMmapLength(100));
    }

    @Test
    void shouldEncodeSharedMemoryZeroCopyAddresses() {
        long addr = shmemZcAddr(0xBEEF, 0x89AB_CDEF);
        assertEquals(0x0000_BEEF_89AB_CDEFL, addr);
        assertEquals(0xBEEF, shmemZcIndex(addr));
        assertEquals(0x89AB_CDEFL, shmemZcOffset(addr));
    }

    @Test
    void shouldNameDeviceStates() {
        assertEquals("DEAD", stateName(UBLK_S_DEV_DEAD));
        assertEquals("LIVE", stateName(UBLK_S_DEV_LIVE));
        assertEquals("QUIESCED", stateName(UBLK_S_DEV_QUIESCED));
        assertEquals("FAIL_IO", stateName(UBLK_S_DEV_FAIL_IO));
        assertEquals("state 9", stateName(9));
    }
}
