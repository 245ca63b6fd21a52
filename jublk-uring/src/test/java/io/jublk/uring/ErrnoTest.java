// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ErrnoTest {

    @Test
    void shouldLookUpEveryValueDensely() {
        int known = 0;
        for (int v = 1; v <= 133; v++) {
            Errno e = Errno.of(v);
            if (v == 41 || v == 58) {
                assertEquals(Errno.UNKNOWN, e, "errno " + v + " is unused on Linux");
            } else {
                assertEquals(v, e.value());
                known++;
            }
        }
        assertEquals(131, known);
        assertEquals(132, Errno.values().length); // plus UNKNOWN
    }

    @Test
    void shouldMapNegatedAndUnknownValues() {
        assertEquals(Errno.EINVAL, Errno.of(22));
        assertEquals(Errno.EBADF, Errno.of(-9));
        assertEquals(Errno.ECANCELED, Errno.of(-125));
        assertEquals(Errno.EHWPOISON, Errno.of(133));
        assertEquals(Errno.UNKNOWN, Errno.of(0));
        assertEquals(Errno.UNKNOWN, Errno.of(134));
        assertEquals(Errno.UNKNOWN, Errno.of(Integer.MIN_VALUE));
        assertEquals("Invalid argument", Errno.EINVAL.description());
        assertEquals("Timer expired", Errno.ETIME.description());
        assertEquals("Resource temporarily unavailable", Errno.EAGAIN.description());
    }

    @Test
    void shouldFormatMessagesWithCallContextAndErrno() {
        ErrnoException plain = new ErrnoException("io_uring_setup", 22);
        assertEquals("io_uring_setup failed: EINVAL (Invalid argument)", plain.getMessage());
        assertEquals("io_uring_setup", plain.call());
        assertEquals(Errno.EINVAL, plain.errno());
        assertEquals(22, plain.errnoValue());

        ErrnoException ctx = new ErrnoException("UBLK_CMD_START_DEV", "dev_id=3", -22);
        assertEquals("UBLK_CMD_START_DEV dev_id=3 failed: EINVAL (Invalid argument)", ctx.getMessage());
        assertEquals(22, ctx.errnoValue());

        ErrnoException odd = new ErrnoException("ioctl", 999);
        assertEquals("ioctl failed: errno 999 (Unknown error 999)", odd.getMessage());
        assertEquals(Errno.UNKNOWN, odd.errno());
        assertEquals(999, odd.errnoValue());
    }
}
