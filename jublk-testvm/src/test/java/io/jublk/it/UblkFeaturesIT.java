// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.uring.IoUring;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.FileCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first contact with the real driver, through the io_uring layer alone: GET_FEATURES on
 * {@code /dev/ublk-control} as a URING_CMD on a 128-byte-SQE ring.
 */
@Timeout(120)
class UblkFeaturesIT {
    // Kernel spellings from include/uapi/linux/ublk_cmd.h; the core module checks them against the header.
    private static final int UBLK_U_CMD_GET_FEATURES = 0x80207513;
    private static final long UBLK_F_USER_RECOVERY = 1L << 3;
    private static final long UBLK_F_USER_COPY = 1L << 7;

    @Test
    void shouldReadFeaturesWithUserRecoveryAndUserCopy() throws Exception {
        int fd = FileCalls.open("/dev/ublk-control", FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.builder(4).sqe128().build()) {
            MemorySegment features = arena.allocate(ValueLayout.JAVA_LONG);
            SubmissionEntry sqe = ring.nextSqe().uringCmd(fd, UBLK_U_CMD_GET_FEATURES).userData(42);
            long cmd = sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET;
            // struct ublksrv_ctrl_cmd: dev_id u32@0, queue_id u16@4, len u16@6, addr u64@8
            sqe.segment().set(ValueLayout.JAVA_INT_UNALIGNED, cmd, -1);
            sqe.segment().set(ValueLayout.JAVA_SHORT_UNALIGNED, cmd + 4, (short) 0xffff);
            sqe.segment().set(ValueLayout.JAVA_SHORT_UNALIGNED, cmd + 6, (short) 8);
            sqe.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, cmd + 8, features.address());
            ring.submitAndWait(1);
            long[] userData = new long[1];
            int[] res = new int[1];
            assertEquals(1, ring.pollCompletions((ud, r, flags) -> {
                userData[0] = ud;
                res[0] = r;
            }));
            assertEquals(42, userData[0]);
            assertEquals(0, res[0], "GET_FEATURES result");
            long flags = features.get(ValueLayout.JAVA_LONG, 0);
            System.out.printf("kernel %s ublk features 0x%x%n", System.getProperty("os.version"), flags);
            assertTrue((flags & UBLK_F_USER_RECOVERY) != 0, "UBLK_F_USER_RECOVERY missing from 0x" + Long.toHexString(flags));
            assertTrue((flags & UBLK_F_USER_COPY) != 0, "UBLK_F_USER_COPY missing from 0x" + Long.toHexString(flags));
        } finally {
            FileCalls.close(fd);
        }
    }
}
