// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkDeviceBusyException;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;

import java.util.concurrent.TimeUnit;

/** Stopping a device and waiting for its server to let go: what {@code del} and {@code stop} share. */
final class DeviceStop {
    private DeviceStop() {
    }

    /**
     * Waits for a stopped device's server to delete it and exit, so no stray process outlives the
     * command (a server in this very process only has to delete the device).
     *
     * @param command the verb, for the message
     * @throws CliException when the server is still there after the timeout
     */
    static void awaitServerExit(UblkControl ctl, int id, int pid, int timeoutSeconds, String command)
            throws UblkException, CliException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        boolean ownProcess = pid == ProcessHandle.current().pid();
        while (ownProcess ? Host.findDevice(ctl, id) != null && Host.isAlive(pid) : Host.isAlive(pid)) {
            if (System.nanoTime() > deadline) {
                throw CliException.failure(command + ": dev " + id + " is stopped, but its server (pid " + pid + ") has not "
                        + "deleted it and exited within " + timeoutSeconds + " s; end it with 'kill " + pid
                        + "' and run 'jublk del -n " + id + "'");
            }
            Thread.sleep(20);
        }
    }

    /**
     * STOP_DEV, or with {@code safe} TRY_STOP_DEV, which leaves a device in use as it is.
     *
     * @param command the verb, for messages
     * @throws CliException when the device is in use, or the kernel has no safe stop
     */
    static void stop(UblkControl ctl, UblkDeviceInfo info, boolean safe, String command) throws UblkException, CliException {
        int id = info.devId();
        boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
        if (!safe) {
            ctl.stopDevice(id, unpriv);
            return;
        }
        try {
            ctl.tryStop(id, unpriv);
        } catch (UblkDeviceBusyException e) {
            throw CliException.failure(command + ": dev " + id + " is in use: " + info.blockPath() + " is open (mounted, or held"
                    + " by a process); nothing changed");
        } catch (UblkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw CliException.failure(command + ": --safe needs Linux 7.0+ (UBLK_F_SAFE_STOP_DEV), which this kernel is"
                        + " not; dev " + id + " is left as it is (without --safe it is stopped even while in use)");
            }
            throw e;
        }
    }
}
