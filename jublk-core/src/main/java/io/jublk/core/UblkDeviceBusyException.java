// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.uring.Errno;

/**
 * A safe stop (TRY_STOP_DEV) was refused because {@code /dev/ublkbN} is open: mounted, or held by
 * a process. The device keeps running; close its openers and try again, or stop it unconditionally.
 */
public final class UblkDeviceBusyException extends UblkException {
    private static final long serialVersionUID = 1L;

    /**
     * @param command the command refused, in kernel spelling
     * @param devId the device
     */
    public UblkDeviceBusyException(String command, int devId) {
        super(command, devId, Errno.EBUSY, "/dev/ublkb" + devId + " is in use (mounted or held open):"
                + " close it and try again, or stop the device unconditionally (STOP_DEV)");
    }
}
