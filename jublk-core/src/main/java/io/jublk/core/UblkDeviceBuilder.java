// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import io.jublk.uring.sys.ProcessCalls;

import java.util.Objects;

/**
 * Configures and adds a device, or takes over one whose server went away. Every setting is
 * validated before the kernel sees it.
 *
 * <p>Not thread-safe; use once.
 */
public final class UblkDeviceBuilder {
    private UblkControl control;
    private int id = -1;
    private int queues = 1;
    private int depth = 128;
    // What the caller gave; -1 where the target's geometry or jublk's default holds.
    private int requestedMaxIoBytes = -1;
    private long requestedSize = -1;
    private int requestedLogicalBlockSize = -1;
    private int requestedPhysicalBlockSize = -1;
    // The values in force, worked out by validate().
    private int maxIoBytes;
    private long sizeBytes;
    private int logicalBlockSize;
    private int physicalBlockSize;
    DataMode dataMode = DataMode.COPY;
    BlockTarget target;
    private long extraFlags;
    private Recovery recovery = Recovery.OFF;
    private Boolean unprivileged;
    private Boolean batchIo;
    private boolean dataModeGiven;
    private long ublksrvFlags;
    String ioScheduler = "none";

    UblkDeviceBuilder() {
    }

    /**
     * @param control the control device to use; by default the device opens its own
     * @return this builder
     */
    public UblkDeviceBuilder control(UblkControl control) {
        this.control = control;
        return this;
    }

    /**
     * @param id the device id N of {@code /dev/ublkbN}, or -1 (the default) for the kernel to choose
     * @return this builder
     */
    public UblkDeviceBuilder id(int id) {
        this.id = id;
        return this;
    }

    /**
     * @param queues number of queues, 1..4096 (the kernel clamps it to the CPU count); default 1
     * @return this builder
     */
    public UblkDeviceBuilder queues(int queues) {
        this.queues = queues;
        return this;
    }

    /**
     * @param depth requests in flight per queue, 1..4096; default 128
     * @return this builder
     */
    public UblkDeviceBuilder depth(int depth) {
        this.depth = depth;
        return this;
    }

    /**
     * @param maxIoBytes largest request in bytes, a multiple of 4096 up to 32 MiB; default the
     *     target's ({@link TargetGeometry#maxIoBytes()}), else 512 KiB
     * @return this builder
     */
    public UblkDeviceBuilder maxIoBytes(int maxIoBytes) {
        this.requestedMaxIoBytes = maxIoBytes;
        return this;
    }

    /**
     * @param sizeBytes device size in bytes, a positive multiple of the logical block size; default
     *     the target's ({@link TargetGeometry#sizeBytes()})
     * @return this builder
     */
    public UblkDeviceBuilder size(long sizeBytes) {
        this.requestedSize = sizeBytes;
        return this;
    }

    /**
     * @param bytes logical block size: 512, 1024, 2048 or 4096; default the target's, else 512
     * @return this builder
     */
    public UblkDeviceBuilder logicalBlockSize(int bytes) {
        this.requestedLogicalBlockSize = bytes;
        return this;
    }

    /**
     * @param bytes physical block size: a power of two from the logical size to 64 KiB; default the
     *     target's, else 4096
     * @return this builder
     */
    public UblkDeviceBuilder physicalBlockSize(int bytes) {
        this.requestedPhysicalBlockSize = bytes;
        return this;
    }

    /**
     * @param mode how data moves; default {@link DataMode#COPY}
     * @return this builder
     */
    public UblkDeviceBuilder dataMode(DataMode mode) {
        this.dataMode = Objects.requireNonNull(mode, "dataMode");
        this.dataModeGiven = true;
        return this;
    }

    /**
     * @param target what serves the device's blocks; its {@link BlockTarget#geometry()} and
     *     {@link BlockTarget#capabilities()} shape the device unless this builder overrides them
     * @return this builder
     */
    public UblkDeviceBuilder target(BlockTarget target) {
        this.target = target;
        return this;
    }

    /**
     * @param on fetch and commit requests per queue in batches (UBLK_F_BATCH_IO, Linux 7.0): one
     *     multishot fetch delivers many requests and one command commits a round's results,
     *     instead of a command per request. Targets see no difference. Off by default: measured
     *     in jublk's test VM it served no more IOPS than the per-request commands, and with
     *     {@link #recovery(Recovery)} the 7.x driver fails new IO with EIO from QUIESCE_DEV until
     *     the next server is in, where per-request commands have it wait (a killed server is taken
     *     over either way). It needs a data mode other than {@link DataMode#COPY_APPLICATION_BUFFERS},
     *     whose writes need NEED_GET_DATA, and a depth of 2 or more, which the kernel requires.
     * @return this builder
     */
    public UblkDeviceBuilder batchIo(boolean on) {
        this.batchIo = on;
        return this;
    }

    /**
     * @param flags extra {@code UBLK_F_*} flags to ask for
     * @return this builder
     */
    public UblkDeviceBuilder flags(long flags) {
        this.extraFlags = flags;
        return this;
    }

    /**
     * @param flags server-private flags stored with the device (ublksrv_flags)
     * @return this builder
     */
    public UblkDeviceBuilder serverFlags(long flags) {
        this.ublksrvFlags = flags;
        return this;
    }

    /**
     * Checks every setting without touching the kernel.
     *
     * @throws IllegalArgumentException naming the first bad setting and what is allowed
     */
    public void validate() {
        if (target == null) {
            throw new IllegalArgumentException("no target: call target(...) with what serves the device");
        }
        TargetGeometry geometry = target.geometry();
        sizeBytes = requestedSize >= 0 ? requestedSize : geometry.sizeBytes() > 0 ? geometry.sizeBytes() : -1;
        logicalBlockSize = pick(requestedLogicalBlockSize, geometry.logicalBlockSize(), 512);
        physicalBlockSize = pick(requestedPhysicalBlockSize, geometry.physicalBlockSize(), Math.max(4096, logicalBlockSize));
        maxIoBytes = pick(requestedMaxIoBytes, geometry.maxIoBytes(), 512 * 1024);
        if (id < -1 || id >= (1 << 20)) {
            throw new IllegalArgumentException("device id " + id + " is out of range: use 0.." + ((1 << 20) - 1) + ", or -1 for any");
        }
        if (queues < 1 || queues > UblkCmd.UBLK_MAX_NR_QUEUES) {
            throw new IllegalArgumentException("queue count " + queues + " is out of range: use 1.." + UblkCmd.UBLK_MAX_NR_QUEUES);
        }
        if (depth < 1 || depth > UblkCmd.UBLK_MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queue depth " + depth + " is out of range: use 1.." + UblkCmd.UBLK_MAX_QUEUE_DEPTH);
        }
        if (logicalBlockSize < 512 || logicalBlockSize > 4096 || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException("logical block size " + logicalBlockSize
                    + " is not supported: use 512, 1024, 2048 or 4096");
        }
        if (physicalBlockSize < logicalBlockSize || physicalBlockSize > 65536 || Integer.bitCount(physicalBlockSize) != 1) {
            throw new IllegalArgumentException("physical block size " + physicalBlockSize
                    + " must be a power of two from the logical block size (" + logicalBlockSize + ") to 65536");
        }
        int maxIoLimit = 1 << UblkCmd.UBLK_IO_BUF_BITS;
        if (maxIoBytes < 4096 || maxIoBytes > maxIoLimit || maxIoBytes % 4096 != 0) {
            throw new IllegalArgumentException("max IO size " + maxIoBytes + " is out of range: use a multiple of 4096 from 4096 to "
                    + maxIoLimit + " (32 MiB)");
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException(sizeBytes < 0
                    ? "no size: " + target.getClass().getSimpleName() + " states none in its geometry(); call size(bytes)"
                    : "device size is zero: give a positive size");
        }
        if (sizeBytes % logicalBlockSize != 0) {
            throw new IllegalArgumentException("device size " + sizeBytes + " is not a multiple of the logical block size "
                    + logicalBlockSize + ": round it to " + (sizeBytes / logicalBlockSize * logicalBlockSize)
                    + " or " + ((sizeBytes / logicalBlockSize + 1) * logicalBlockSize));
        }
        TargetCapabilities caps = target.capabilities();
        if (Boolean.TRUE.equals(batchIo) && dataMode == DataMode.COPY_APPLICATION_BUFFERS) {
            throw new IllegalArgumentException("batch io cannot serve data mode " + dataMode.cliName()
                    + ", whose writes need NEED_GET_DATA: turn batch io off or use another data mode");
        }
        if (Boolean.TRUE.equals(batchIo) && depth < 2) {
            throw new IllegalArgumentException("batch io needs a queue depth of 2 or more (the kernel refuses depth "
                    + depth + " with it): turn batch io off or use a deeper queue");
        }
        if (dataMode == DataMode.COPY_APPLICATION_BUFFERS && !caps.lendsBuffers()) {
            throw new IllegalArgumentException("data mode " + dataMode.cliName() + " needs a target whose queue handlers lend"
                    + " buffers (TargetCapabilities.lendsBuffers); " + target.getClass().getSimpleName() + " lends none");
        }
        if (dataMode.isZeroCopy() && !caps.zeroCopy()) {
            throw new IllegalArgumentException("data mode " + dataMode.cliName() + " needs a target that does its IO with"
                    + " fixed buffers on the queue's io_uring; " + target.getClass().getSimpleName()
                    + " does not: use copy or user-copy");
        }
    }

    private static int pick(int requested, int stated, int fallback) {
        return requested >= 0 ? requested : stated > 0 ? stated : fallback;
    }

    /**
     * @param on add an unprivileged device (UBLK_F_UNPRIVILEGED_DEV, Linux 6.3+): one a user
     *     without CAP_SYS_ADMIN owns and serves; its nodes must be given to that user (udev, see the
     *     README). The default is on exactly when this process is not root. Unprivileged devices
     *     have no user copy, zero copy or recovery.
     * @return this builder
     */
    public UblkDeviceBuilder unprivileged(boolean on) {
        this.unprivileged = on;
        return this;
    }

    /**
     * @param name the block layer's IO scheduler for {@code /dev/ublkbN}, set when the device
     *     starts; default {@code "none"}, as the kernel's loop device has: the target orders
     *     its own IO, and a scheduler (mq-deadline is the kernel's choice for one queue) moves
     *     every dispatch to a kernel worker. {@code null} keeps the kernel's choice.
     * @return this builder
     */
    public UblkDeviceBuilder ioScheduler(String name) {
        if (name != null && !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("IO scheduler name '" + name + "' is not a scheduler name (none, mq-deadline, kyber, bfq)");
        }
        this.ioScheduler = name;
        return this;
    }

    /**
     * @param recovery what the kernel does with the device when its server goes away; default
     *     {@link Recovery#OFF}. With recovery on, QUIESCE_DEV is asked for too where the kernel has it.
     * @return this builder
     */
    public UblkDeviceBuilder recovery(Recovery recovery) {
        this.recovery = Objects.requireNonNull(recovery, "recovery");
        return this;
    }

    /**
     * Takes over a device with recovery whose server went away (killed, crashed, detached or
     * quiesced): START_USER_RECOVERY, then {@code /dev/ublkcN} is opened and the queues are
     * made; {@link UblkDevice#runQueues()} and {@link UblkDevice#start()} (which ends the
     * recovery) follow as for a new device. The queue count, depth, size and data mode are the
     * device's own; of this builder only the target, buffer provider and control
     * count. On failure the device is left as it was found, for another try.
     *
     * @param devId the device
     * @return the device, not yet started
     * @throws UblkException when there is no such device, it has no recovery, its server still
     *     runs, or the kernel refuses
     */
    public UblkDevice recover(int devId) throws UblkException {
        if (target == null) {
            throw new IllegalArgumentException("no target: call target(...) with what serves the device");
        }
        boolean ownsControl = control == null;
        UblkControl ctl = ownsControl ? UblkControl.open() : control;
        int charFd = -1;
        try {
            UblkDeviceInfo info = ctl.deviceInfo(devId);
            String step = "UBLK_U_CMD_START_USER_RECOVERY";
            if (!info.has(UblkFeature.USER_RECOVERY)) {
                throw new UblkException(step, devId, Errno.EINVAL, "the device was added without recovery, so no new"
                        + " server can take it over; delete it and add it again");
            }
            DataMode mode = DataMode.of(info.flags());
            if (dataModeGiven && dataMode != mode) {
                throw new IllegalArgumentException("device " + devId + " was added with data mode " + mode.cliName()
                        + ", not " + dataMode.cliName() + ": leave dataMode(...) out when recovering");
            }
            if (mode == DataMode.COPY_APPLICATION_BUFFERS && !target.capabilities().lendsBuffers()) {
                throw new IllegalArgumentException("device " + devId + " uses application buffers, which "
                        + target.getClass().getSimpleName() + " does not lend");
            }
            if (mode.isZeroCopy() && !target.capabilities().zeroCopy()) {
                throw new IllegalArgumentException("device " + devId + " is " + mode.cliName() + ", which "
                        + target.getClass().getSimpleName() + " cannot serve");
            }
            boolean unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
            UblkParams p = ctl.getParams(devId, unprivileged);
            DeviceSetup.startRecovery(ctl, info, unprivileged);
            UblkDeviceInfo now = ctl.deviceInfo(devId);
            charFd = DeviceSetup.openCharDevice(now);
            this.dataMode = mode;
            this.queues = now.nrHwQueues();
            this.depth = now.queueDepth();
            return new UblkDevice(this, ctl, ownsControl, now, p, charFd, true);
        } catch (UblkException | RuntimeException e) {
            if (charFd >= 0) {
                UblkControl.closeQuietly(charFd);
            }
            if (ownsControl) {
                ctl.close();
            }
            throw e;
        }
    }

    /**
     * Adds the device (ADD_DEV), checks the flags the kernel granted, sets its parameters and
     * opens {@code /dev/ublkcN}. On any failure the device is deleted again.
     *
     * @return the device, not yet started
     * @throws UblkException when the kernel refuses, naming the command and errno
     * @throws IllegalArgumentException when a setting is invalid (checked before the kernel is asked)
     */
    public UblkDevice build() throws UblkException {
        validate();
        boolean ownsControl = control == null;
        UblkControl ctl = ownsControl ? UblkControl.open() : control;
        UblkDeviceInfo info = null;
        int charFd = -1;
        try {
            long wanted = extraFlags | switch (dataMode) {
                case COPY -> 0L;
                case COPY_APPLICATION_BUFFERS -> UblkFeature.NEED_GET_DATA.mask();
                case USER_COPY -> UblkFeature.USER_COPY.mask();
                case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY.mask();
                case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG.mask();
            };
            long supported = ctl.features();
            wanted |= recovery.flags();
            boolean asUser = unprivileged != null ? unprivileged : ProcessCalls.geteuid() != 0;
            if (asUser) {
                wanted |= UblkFeature.UNPRIVILEGED_DEV.mask();
                long privileged = wanted & (UblkFeature.UBLK_F_USER_COPY | UblkFeature.UBLK_F_SUPPORT_ZERO_COPY
                        | UblkFeature.UBLK_F_AUTO_BUF_REG | UblkFeature.UBLK_F_USER_RECOVERY);
                if (privileged != 0) {
                    throw new UblkException("UBLK_U_CMD_ADD_DEV", id, Errno.EPERM, "an unprivileged device cannot have "
                            + UblkFeature.describe(privileged) + ": use copy mode without recovery, or run as root");
                }
            }
            if (Boolean.TRUE.equals(batchIo)) {
                wanted |= UblkFeature.BATCH_IO.mask();
            }
            if (recovery != Recovery.OFF && UblkFeature.QUIESCE.isSet(supported)) {
                wanted |= UblkFeature.QUIESCE.mask();
            }
            long missing = supported == 0 ? 0 : wanted & ~supported;
            if (missing != 0) {
                throw new UblkException("UBLK_U_CMD_ADD_DEV", id, Errno.EOPNOTSUPP,
                        "this kernel's ublk driver lacks " + UblkFeature.describe(missing));
            }
            info = ctl.addDevice(id, queues, depth, maxIoBytes, wanted, ublksrvFlags);
            long refused = wanted & ~info.flags();
            if (refused != 0) {
                throw new UblkException("UBLK_U_CMD_ADD_DEV", info.devId(), null,
                        "the kernel did not grant " + UblkFeature.describe(refused)
                                + (info.has(UblkFeature.UNPRIVILEGED_DEV) ? " (not available to unprivileged devices)" : ""));
            }
            boolean unprivileged = info.has(UblkFeature.UNPRIVILEGED_DEV);
            if (unprivileged) {
                DeviceSetup.awaitOwnCharDevice(info);
            }
            UblkParams p = DeviceSetup.params(info, target.capabilities(), logicalBlockSize, physicalBlockSize, sizeBytes);
            ctl.setParams(info.devId(), p, unprivileged);
            charFd = DeviceSetup.openCharDevice(info);
            return new UblkDevice(this, ctl, ownsControl, info, p, charFd, false);
        } catch (UblkException | RuntimeException e) {
            if (charFd >= 0) {
                UblkControl.closeQuietly(charFd);
            }
            if (info != null) {
                try {
                    ctl.deleteDevice(info.devId(), info.has(UblkFeature.UNPRIVILEGED_DEV));
                } catch (UblkException deleteFailure) {
                    e.addSuppressed(deleteFailure);
                }
            }
            if (ownsControl) {
                ctl.close();
            }
            throw e;
        }
    }
}
