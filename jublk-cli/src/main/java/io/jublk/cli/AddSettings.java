// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.QueueAffinity;
import io.jublk.core.Recovery;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.uapi.UblkFeature;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The device to add, checked.
 *
 * @param target the target
 * @param sizeBytes the size, or 0 for the target's own ({@code -t file} and {@code -t nbd} without {@code -s})
 * @param queues number of queues
 * @param depth tags per queue
 * @param id the wanted id, or -1 for any
 * @param mode the data mode
 * @param fastestZeroCopy {@code --zero-copy}: {@code mode} is a wish, settled by {@link #resolve}
 * @param blockSize the logical block size, or 0 for the target's own
 * @param spec what the target is made from
 * @param recovery what the kernel does with the device when its server goes away
 * @param fault the faults to inject ({@code --fault-*})
 * @param ioScheduler the block layer's IO scheduler for the device, or {@code null} for the kernel's choice
 * @param cpus where the queue threads run ({@code --cpus}), as {@link QueueAffinity#toString()} writes it
 */
record AddSettings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode,
                   boolean fastestZeroCopy, int blockSize, TargetSpec spec, Recovery recovery, FaultOptions fault,
                   String ioScheduler, String cpus) {
    /** The IO scheduler devices start with: none, as the kernel's loop device has. */
    static final String DEFAULT_IO_SCHEDULER = "none";
    /** {@code --io-scheduler kernel}: keep the scheduler the kernel chose. */
    static final String KERNEL_IO_SCHEDULER = "kernel";

    AddSettings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode,
                boolean fastestZeroCopy, int blockSize, TargetSpec spec, Recovery recovery) {
        this(target, sizeBytes, queues, depth, id, mode, fastestZeroCopy, blockSize, spec, recovery, FaultOptions.NONE,
                DEFAULT_IO_SCHEDULER, QueueAffinity.NONE.toString());
    }

    AddSettings(TargetKind target, long sizeBytes, int queues, int depth, int id, DataMode mode, int blockSize) {
        this(target, sizeBytes, queues, depth, id, mode, false, blockSize, TargetSpec.NONE, Recovery.OFF);
    }

    /** @return where the queue threads run; {@code cpus} was checked when the settings were read */
    QueueAffinity affinity() {
        return QueueAffinity.parse(cpus);
    }

    UblkDeviceBuilder builder(BlockTarget t) {
        // Size, block size, largest request and the buffers lent come from the target itself,
        // unless -s or -b said otherwise.
        UblkDeviceBuilder b = UblkDevice.builder().id(id).queues(queues).depth(depth).dataMode(mode).target(t)
                .recovery(recovery).serverFlags(new ServerFlags(target, mode).encode()).ioScheduler(ioScheduler);
        if (sizeBytes > 0) {
            b.size(sizeBytes);
        }
        if (blockSize > 0) {
            b.logicalBlockSize(blockSize).physicalBlockSize(Math.max(blockSize, 4096));
        }
        return b;
    }

    /**
     * Settles the data mode against what the kernel offers: {@code --zero-copy} takes the best
     * zero copy there is and falls back, saying so; an explicit mode must be there.
     *
     * @param features the kernel's UBLK_F_* bits (0 when unknown: nothing is checked)
     * @param err where a fallback is reported
     * @return the settings with the mode to use
     * @throws CliException when an explicit mode is missing from the kernel
     */
    AddSettings resolve(long features, PrintStream err) throws CliException {
        if (features == 0) {
            return this;
        }
        if (fastestZeroCopy) {
            DataMode best = DataMode.fastest(features, target.supportsZeroCopy());
            if (!best.isZeroCopy()) {
                err.println("jublk: note: this kernel's ublk driver has no zero copy (UBLK_F_AUTO_BUF_REG, Linux 6.16+, or"
                        + " UBLK_F_SUPPORT_ZERO_COPY, 6.15+); using " + best.cliName());
            }
            return new AddSettings(target, sizeBytes, queues, depth, id, best, false, blockSize, spec, recovery, fault,
                    ioScheduler, cpus).resolve(features, err);
        }
        if (recovery != Recovery.OFF) {
            UblkFeature needed = recovery == Recovery.FAIL_IO ? UblkFeature.USER_RECOVERY_FAIL_IO : UblkFeature.USER_RECOVERY;
            if (!needed.isSet(features)) {
                throw CliException.failure("add: this kernel's ublk driver lacks UBLK_F_" + needed.name() + " (Linux "
                        + needed.since() + "+), which --recovery=" + recovery.cliName() + " needs");
            }
        }
        UblkFeature needed = switch (mode) {
            case COPY -> null;
            case COPY_APPLICATION_BUFFERS -> UblkFeature.NEED_GET_DATA;
            case USER_COPY -> UblkFeature.USER_COPY;
            case ZERO_COPY -> UblkFeature.SUPPORT_ZERO_COPY;
            case AUTO_ZERO_COPY -> UblkFeature.AUTO_BUF_REG;
        };
        if (needed != null && !needed.isSet(features)) {
            throw CliException.failure("add: this kernel's ublk driver lacks UBLK_F_" + needed.name() + " (Linux "
                    + needed.since() + "+), which data mode " + mode.cliName() + " needs: choose another with --data-mode");
        }
        return this;
    }

    /** @return the options that make a server add exactly this device */
    List<String> asOptions() {
        List<String> o = new ArrayList<>(List.of("-t", target.cliName()));
        if (sizeBytes > 0) {
            o.addAll(List.of("-s", Long.toString(sizeBytes)));
        }
        o.addAll(List.of("-q", Integer.toString(queues), "-d", Integer.toString(depth)));
        if (blockSize > 0) {
            o.addAll(List.of("-b", Integer.toString(blockSize)));
        }
        o.addAll(List.of("--data-mode", mode.cliName()));
        if (id >= 0) {
            o.addAll(List.of("-n", Integer.toString(id)));
        }
        if (spec.path() != null) {
            o.addAll(List.of("--path", spec.path().toString()));
        }
        if (spec.direct()) {
            o.add("--direct");
        }
        if (spec.readOnly()) {
            o.add("--read-only");
        }
        if (spec.url() != null) {
            o.addAll(List.of("--url", spec.url()));
        }
        if (spec.connections() > 0) {
            o.addAll(List.of("--connections", Integer.toString(spec.connections())));
        }
        if (recovery != Recovery.OFF) {
            o.add("--recovery=" + recovery.cliName());
        }
        o.addAll(fault.asOptions());
        o.addAll(List.of("--io-scheduler", ioScheduler == null ? KERNEL_IO_SCHEDULER : ioScheduler));
        if (!affinity().isNone()) {
            o.addAll(List.of("--cpus", cpus));
        }
        return o;
    }

    /**
     * Describes a live device in one line: {@code dev 0: /dev/ublkb0 (mem, 1 GiB, 1 queue x 128, copy)}.
     *
     * @param info the device as the kernel has it
     * @param deviceBytes the device's size as the kernel has it
     * @param readOnly whether the device is read-only
     * @return the line
     */
    String describe(UblkDeviceInfo info, long deviceBytes, boolean readOnly) {
        int liveQueues = info.nrHwQueues();
        return "dev " + info.devId() + ": " + info.blockPath() + " (" + target.cliName()
                + (spec.path() != null ? " " + spec.path() : "") + (spec.url() != null ? " " + spec.url() : "")
                + ", " + Sizes.format(deviceBytes)
                + ", " + liveQueues + (liveQueues == 1 ? " queue" : " queues") + " x " + info.queueDepth() + ", " + mode.cliName()
                + (spec.direct() ? ", O_DIRECT" : "") + (readOnly ? ", read-only" : "") + fault.describe()
                + (affinity().isNone() ? "" : ", CPUs " + cpus) + ")";
    }
}
