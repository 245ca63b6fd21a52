// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.uapi.UblkFeature;

import java.util.Locale;

/**
 * What the kernel does with a device whose server goes away (crashes, is killed, or detaches for
 * an upgrade), until a new server takes it over with {@link UblkDeviceBuilder#recover(int)}.
 */
public enum Recovery {
    /** No recovery: when the server goes away the device is stopped and its IO fails. */
    OFF(0),
    /**
     * UBLK_F_USER_RECOVERY|REISSUE (Linux 6.1): the device stays; IO in flight at the server is
     * requeued and reissued to the new server, new IO waits for it. Nothing acknowledged is lost;
     * the backend must tolerate a write being done twice (block devices do).
     */
    REISSUE(UblkFeature.UBLK_F_USER_RECOVERY | UblkFeature.UBLK_F_USER_RECOVERY_REISSUE),
    /**
     * UBLK_F_USER_RECOVERY alone (Linux 6.1): the device stays; IO in flight at the server fails
     * with EIO, new IO waits for the new server.
     */
    FAIL_IN_FLIGHT(UblkFeature.UBLK_F_USER_RECOVERY),
    /**
     * UBLK_F_USER_RECOVERY|FAIL_IO (Linux 6.13): the device stays, but every IO fails with EIO
     * while no server runs (nothing waits on a server that may never come back).
     */
    FAIL_IO(UblkFeature.UBLK_F_USER_RECOVERY | UblkFeature.UBLK_F_USER_RECOVERY_FAIL_IO);

    private final long flags;

    Recovery(long flags) {
        this.flags = flags;
    }

    /** @return the UBLK_F_* bits that ask the kernel for this behaviour */
    public long flags() {
        return flags;
    }

    /** @return the name used on the command line: {@code reissue}, {@code fail-in-flight}, {@code fail-io}, {@code off} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param deviceFlags the flags a device was granted
     * @return the recovery they give
     */
    public static Recovery of(long deviceFlags) {
        if ((deviceFlags & UblkFeature.UBLK_F_USER_RECOVERY) == 0) {
            return OFF;
        }
        if ((deviceFlags & UblkFeature.UBLK_F_USER_RECOVERY_FAIL_IO) != 0) {
            return FAIL_IO;
        }
        return (deviceFlags & UblkFeature.UBLK_F_USER_RECOVERY_REISSUE) != 0 ? REISSUE : FAIL_IN_FLIGHT;
    }
}
