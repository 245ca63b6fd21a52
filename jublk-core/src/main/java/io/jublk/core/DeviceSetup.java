// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The kernel side of adding a device or taking one over: parameters, recovery start, the char device. */
final class DeviceSetup {
    /** Largest discard or write-zeroes request: 1 GiB, so every request length fits an int; the block layer splits larger ones. */
    private static final int MAX_ZEROING_SECTORS = 1 << 21;

    private DeviceSetup() {
    }

    /** START_USER_RECOVERY, retried while the old server's exit is still being processed (EBUSY). */
    static void startRecovery(UblkControl ctl, UblkDeviceInfo info, boolean unprivileged) throws UblkException {
        int devId = info.devId();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                ctl.startUserRecovery(devId, unprivileged);
                return;
            } catch (UblkException e) {
                UblkDeviceInfo now = ctl.deviceInfo(devId);
                boolean serverAlive = now.ublksrvPid() > 0 && ProcessHandle.of(now.ublksrvPid()).map(ProcessHandle::isAlive).orElse(false);
                if (now.state() == UblkCmd.UBLK_S_DEV_LIVE && serverAlive) {
                    throw new UblkException(e.command(), devId, e.errno(), "the device is live, served by process "
                            + now.ublksrvPid() + ": stop that server first (or quiesce the device)");
                }
                if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new UblkException("UBLK_U_CMD_START_USER_RECOVERY", devId, null, "interrupted");
            }
        }
    }

    static UblkParams params(UblkDeviceInfo info, TargetCapabilities caps, int logicalBlockSize, int physicalBlockSize,
                             long sizeBytes) {
        int attrs = 0;
        if (caps.readOnly()) {
            attrs |= UblkCmd.UBLK_ATTR_READ_ONLY;
        }
        if (caps.rotational()) {
            attrs |= UblkCmd.UBLK_ATTR_ROTATIONAL;
        }
        if (caps.volatileCache()) {
            attrs |= UblkCmd.UBLK_ATTR_VOLATILE_CACHE;
        }
        if (caps.fua()) {
            attrs |= UblkCmd.UBLK_ATTR_FUA;
        }
        int types = UblkCmd.UBLK_PARAM_TYPE_BASIC;
        int discardGranularity = 0;
        int maxDiscard = 0;
        int maxWriteZeroes = 0;
        int discardSegments = 0;
        if (caps.discard() || caps.writeZeroes()) {
            types |= UblkCmd.UBLK_PARAM_TYPE_DISCARD;
            discardGranularity = Math.max(logicalBlockSize, 4096);
            maxDiscard = caps.discard() ? MAX_ZEROING_SECTORS : 0;
            maxWriteZeroes = caps.writeZeroes() ? MAX_ZEROING_SECTORS : 0;
            discardSegments = 1;
        }
        int lbs = Integer.numberOfTrailingZeros(logicalBlockSize);
        int pbs = Integer.numberOfTrailingZeros(physicalBlockSize);
        return new UblkParams(types, attrs, lbs, pbs, pbs, lbs, info.maxIoBufBytes() >>> 9, 0, sizeBytes >>> 9,
                0, discardGranularity, maxDiscard, maxWriteZeroes, discardSegments, 0, 0, 0);
    }

    /**
     * The kernel checks the caller's access to {@code /dev/ublkcN} for every command on an
     * unprivileged device, and the node becomes the user's only when udev has run its rule.
     */
    static void awaitOwnCharDevice(UblkDeviceInfo info) throws UblkException {
        Path node = Path.of(info.charPath());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.isReadable(node) && Files.isWritable(node))) {
            if (System.nanoTime() > deadline) {
                throw new UblkException("open " + node, info.devId(), Errno.EACCES, "the device's nodes were not given to"
                        + " this user within 10 s: install the udev rule for unprivileged ublk devices (see the README)");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UblkException("open " + node, info.devId(), null, "interrupted");
            }
        }
    }

    static int openCharDevice(UblkDeviceInfo info) throws UblkException {
        Path node = Path.of(info.charPath());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (Files.exists(node)) {
                try {
                    return FileCalls.open(node.toString(), FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
                } catch (ErrnoException e) {
                    // udev may still be setting the node's owner; EACCES can be transient.
                    if (e.errno() != Errno.EACCES || System.nanoTime() > deadline) {
                        throw new UblkException("open " + node, info.devId(), e);
                    }
                }
            } else if (System.nanoTime() > deadline) {
                throw new UblkException("open " + node, info.devId(), Errno.ENOENT,
                        "the char device did not appear within 10 s (is devtmpfs or udev running?)");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UblkException("open " + node, info.devId(), null, "interrupted");
            }
        }
    }
}
